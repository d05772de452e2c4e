package access

import (
	"slices"
	"strings"
)

// Need is one capability and the application permissions that grant it.
// AnyOf lists them least privileged first; any one suffices. An Optional
// capability improves a guard but the guard works without it, so it is
// reported without counting as missing.
type Need struct {
	Guard      string   `json:"guard"`
	Capability string   `json:"capability"`
	AnyOf      []string `json:"anyOf"`
	Optional   bool     `json:"optional,omitempty"`
}

// Guards lists the guards in report order.
func Guards() []string {
	return []string{"core", "DataGuard", "TenantGuard", "UserGuard", "DeviceGuard"}
}

// Needs is the permission table, from
// https://learn.microsoft.com/en-us/graph/permissions-reference and each
// API's own permissions section. Only Microsoft Graph permissions are
// listed: the Defender for Endpoint API's (Machine.Read.All, …) are in
// another resource's token, which the Graph token does not show.
var Needs = []Need{
	{Guard: "core", Capability: "list users", AnyOf: []string{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}},
	{Guard: "core", Capability: "read organization and domains", AnyOf: []string{"Organization.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"}},

	{Guard: "DataGuard", Capability: "back up mail", AnyOf: []string{"Mail.Read", "Mail.ReadWrite"}},
	{Guard: "DataGuard", Capability: "back up calendars", AnyOf: []string{"Calendars.Read", "Calendars.ReadWrite"}},
	{Guard: "DataGuard", Capability: "back up contacts", AnyOf: []string{"Contacts.Read", "Contacts.ReadWrite"}},
	{Guard: "DataGuard", Capability: "back up OneDrive", AnyOf: []string{"Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All"}},
	// Without it drive delta may leave out changes that touch only sharing
	// (the scan guidance); new and changed files are still complete.
	{Guard: "DataGuard", Capability: "see every OneDrive sharing change", AnyOf: []string{"Sites.FullControl.All"}, Optional: true},
	{Guard: "DataGuard", Capability: "restore mail", AnyOf: []string{"Mail.ReadWrite"}},
	{Guard: "DataGuard", Capability: "restore calendars", AnyOf: []string{"Calendars.ReadWrite"}},
	{Guard: "DataGuard", Capability: "restore contacts", AnyOf: []string{"Contacts.ReadWrite"}},
	{Guard: "DataGuard", Capability: "restore OneDrive", AnyOf: []string{"Files.ReadWrite.All", "Sites.ReadWrite.All"}},

	{Guard: "TenantGuard", Capability: "read policies (conditional access, authentication, authorization)", AnyOf: []string{"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"}},
	{Guard: "TenantGuard", Capability: "read directory roles and PIM", AnyOf: []string{"RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory"}},
	{Guard: "TenantGuard", Capability: "read Intune policies", AnyOf: []string{"DeviceManagementConfiguration.Read.All", "DeviceManagementConfiguration.ReadWrite.All"}},
	{Guard: "TenantGuard", Capability: "restore conditional access", AnyOf: []string{"Policy.ReadWrite.ConditionalAccess"}},
	{Guard: "TenantGuard", Capability: "restore authentication methods", AnyOf: []string{"Policy.ReadWrite.AuthenticationMethod"}},

	{Guard: "UserGuard", Capability: "read MFA registration, sign-ins and audits", AnyOf: []string{"AuditLog.Read.All"}},
	{Guard: "UserGuard", Capability: "read risky users", AnyOf: []string{"IdentityRiskyUser.Read.All", "IdentityRiskyUser.ReadWrite.All"}},
	{Guard: "UserGuard", Capability: "read security alerts", AnyOf: []string{"SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All"}},
	{Guard: "UserGuard", Capability: "read incidents", AnyOf: []string{"SecurityIncident.Read.All", "SecurityIncident.ReadWrite.All"}},
	{Guard: "UserGuard", Capability: "read risk detections", AnyOf: []string{"IdentityRiskEvent.Read.All", "IdentityRiskEvent.ReadWrite.All"}},
	{Guard: "UserGuard", Capability: "read Secure Score", AnyOf: []string{"SecurityEvents.Read.All", "SecurityEvents.ReadWrite.All"}},
	{Guard: "UserGuard", Capability: "read Defender for Identity sensors", AnyOf: []string{"SecurityIdentitiesSensors.Read.All", "SecurityIdentitiesSensors.ReadWrite.All"}},
	{Guard: "UserGuard", Capability: "read Defender for Identity health issues", AnyOf: []string{"SecurityIdentitiesHealth.Read.All", "SecurityIdentitiesHealth.ReadWrite.All"}},
	{Guard: "UserGuard", Capability: "update and comment on alerts", AnyOf: []string{"SecurityAlert.ReadWrite.All"}},
	{Guard: "UserGuard", Capability: "update and comment on incidents", AnyOf: []string{"SecurityIncident.ReadWrite.All"}},
	{Guard: "UserGuard", Capability: "revoke a user's sessions", AnyOf: []string{"User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"}},
	{Guard: "UserGuard", Capability: "disable or enable a user", AnyOf: []string{"User.EnableDisableAccount.All", "User.ReadWrite.All", "Directory.ReadWrite.All"}},
	{Guard: "UserGuard", Capability: "confirm compromised, dismiss risk", AnyOf: []string{"IdentityRiskyUser.ReadWrite.All"}},
	{Guard: "UserGuard", Capability: "find on-premises AD accounts (Defender for Identity)", AnyOf: []string{"SecurityIdentitiesAccount.Read.All"}},
	{Guard: "UserGuard", Capability: "act on on-premises AD accounts (Defender for Identity)", AnyOf: []string{"SecurityIdentitiesActions.ReadWrite.All"}},

	{Guard: "DeviceGuard", Capability: "read Intune managed devices", AnyOf: []string{"DeviceManagementManagedDevices.Read.All", "DeviceManagementManagedDevices.ReadWrite.All"}},
	{Guard: "DeviceGuard", Capability: "run device actions (sync, scan, lock, retire, wipe)", AnyOf: []string{"DeviceManagementManagedDevices.PrivilegedOperations.All"}},
}

// Result is a Need checked against granted permissions.
type Result struct {
	Need
	Granted bool   `json:"granted"`
	By      string `json:"by,omitempty"`      // the granted permission that satisfies it
	Missing string `json:"missing,omitempty"` // the least privileged permission to add
}

// Check evaluates the Needs of guards (all when empty; names are
// case-insensitive) against granted (case-insensitive, as Entra ID treats
// permission names).
func Check(granted []string, guards ...string) []Result {
	out := make([]Result, 0, len(Needs))
	for _, n := range Needs {
		if len(guards) > 0 && !slices.ContainsFunc(guards, func(g string) bool { return strings.EqualFold(g, n.Guard) }) {
			continue
		}
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
