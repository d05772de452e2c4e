package main

import (
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/userguard"
)

// userWrites counts the emulator's writes to users and risky users.
func userWrites(l *m365sim.Listener) int64 {
	var n int64
	for _, e := range l.Stats().Endpoints {
		if strings.HasPrefix(e.Endpoint, "POST /users/") || strings.HasPrefix(e.Endpoint, "PATCH /users/") ||
			strings.HasPrefix(e.Endpoint, "POST /identityProtection/") {
			n += e.Requests
		}
	}
	return n
}

// TestRespondUserSafety: dry runs send nothing, --confirm acts and every
// attempt is audited, a permission error names the permission and is
// audited too.
func TestRespondUserSafety(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 6, Seed: 7, MessagesPerUser: -1, FilesPerUser: -1})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	var upn, id string
	tn := l.Server.Tenant()
	tn.Read(func() error {
		for _, r := range tn.Security.List(tenant.SetRiskyUsers) {
			if r["riskLevel"] == "high" {
				upn, id = r["userPrincipalName"].(string), r["id"].(string)
			}
		}
		return nil
	})
	for _, a := range userguard.UserActions() {
		stdout.b.Reset()
		if err := runRespondUser(t.Context(), RespondUserOptions{Repo: rf}, g, a, upn); err != nil {
			t.Fatalf("dry run %s: %v", a, err)
		}
		if out := stdout.String(); !strings.Contains(out, "dry run: would call") || !strings.Contains(out, id) {
			t.Errorf("dry run %s:\n%s", a, out)
		}
	}
	if n := userWrites(l); n != 0 {
		t.Fatalf("dry runs sent %d writes", n)
	}
	opts := RespondUserOptions{Repo: rf, Confirm: true}
	if err := runRespondUser(t.Context(), opts, g, "disable", upn); err != nil {
		t.Fatal(err)
	}
	if err := runRespondUser(t.Context(), opts, g, "revoke-sessions", upn); err != nil {
		t.Fatal(err)
	}
	if err := runRespondUser(t.Context(), opts, g, "confirm-compromised", upn); err != nil {
		t.Fatal(err)
	}
	tn.Read(func() error {
		u := tn.User(id)
		r := tn.Security.Find(tenant.SetRiskyUsers, id)
		if u.Props["accountEnabled"] != false || u.Props["signInSessionsValidFromDateTime"] == nil || r["riskState"] != "confirmedCompromised" {
			t.Errorf("after actions: enabled %v, sessions from %v, risk %v", u.Props["accountEnabled"],
				u.Props["signInSessionsValidFromDateTime"], r["riskState"])
		}
		return nil
	})
	gj, jout, _ := testGlobals(t, true)
	if err := runAudit(t.Context(), AuditOptions{Repo: rf}, gj); err != nil {
		t.Fatal(err)
	}
	out := jout.String()
	if strings.Count(out, `"message_type":"audit_entry"`) != 3 || !strings.Contains(out, `"userPrincipalName":"`+upn+`"`) ||
		!strings.Contains(out, `"action":"confirm-compromised"`) {
		t.Errorf("audit:\n%s", out)
	}
}

// TestRespondUserPermission: without the write permission the failure
// names it, and the attempt is audited.
func TestRespondUserPermission(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 4, Seed: 7, MessagesPerUser: -1, FilesPerUser: -1, Roles: []string{"User.Read.All"}})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, _, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	var upn string
	tn := l.Server.Tenant()
	tn.Read(func() error { upn = tn.Users[0].UPN; return nil })
	err := runRespondUser(t.Context(), RespondUserOptions{Repo: rf, Confirm: true}, g, "disable", upn)
	if err == nil || !strings.Contains(err.Error(), "User.EnableDisableAccount.All") {
		t.Fatalf("disable without permission: %v", err)
	}
	gj, jout, _ := testGlobals(t, true)
	if err := runAudit(t.Context(), AuditOptions{Repo: rf}, gj); err != nil {
		t.Fatal(err)
	}
	if out := jout.String(); !strings.Contains(out, `"result":"failed"`) || !strings.Contains(out, `"action":"disable"`) {
		t.Errorf("audit:\n%s", out)
	}
}
