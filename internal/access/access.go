package access

import (
	"slices"
	"strings"
)

// Need is one capability and the application permissions that grant it.
// AnyOf lists them least privileged first; any one suffices.
type Need struct {
	Guard      string   `json:"guard"`
	Capability string   `json:"capability"`
	AnyOf      []string `json:"anyOf"`
}

// Needs is the permission table, from
// https://learn.microsoft.com/en-us/graph/permissions-reference and each
// API's own permissions section. Only capabilities that exist in this build
// are listed; later guards add theirs.
var Needs = []Need{
	{"core", "list users", []string{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}},
	{"core", "read organization and domains", []string{"Organization.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"}},
	{"DataGuard", "back up mail", []string{"Mail.Read", "Mail.ReadWrite"}},
	{"DataGuard", "back up calendars", []string{"Calendars.Read", "Calendars.ReadWrite"}},
	{"DataGuard", "back up contacts", []string{"Contacts.Read", "Contacts.ReadWrite"}},
	{"DataGuard", "back up OneDrive", []string{"Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All"}},
	{"DataGuard", "restore mail", []string{"Mail.ReadWrite"}},
	{"DataGuard", "restore calendars", []string{"Calendars.ReadWrite"}},
	{"DataGuard", "restore contacts", []string{"Contacts.ReadWrite"}},
	{"DataGuard", "restore OneDrive", []string{"Files.ReadWrite.All", "Sites.ReadWrite.All"}},
}

// Result is a Need checked against granted permissions.
type Result struct {
	Need
	Granted bool   `json:"granted"`
	By      string `json:"by,omitempty"`      // the granted permission that satisfies it
	Missing string `json:"missing,omitempty"` // the least privileged permission to add
}

// Check evaluates every Need against granted (case-insensitive, as Entra ID
// treats permission names).
func Check(granted []string) []Result {
	out := make([]Result, 0, len(Needs))
	for _, n := range Needs {
		r := Result{Need: n}
		for _, p := range n.AnyOf {
			if slices.ContainsFunc(granted, func(g string) bool { return strings.EqualFold(g, p) }) {
				r.Granted, r.By = true, p
				break
			}
		}
		if !r.Granted {
			r.Missing = n.AnyOf[0]
		}
		out = append(out, r)
	}
	return out
}
