package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/userguard"
)

// identityActions counts the emulator's invokeAction requests.
func identityActions(l *m365sim.Listener) int64 {
	var n int64
	for _, e := range l.Stats().Endpoints {
		if strings.HasSuffix(e.Endpoint, "/invokeAction") {
			n += e.Requests
		}
	}
	return n
}

// onPremIdentity returns the emulator's identity account of upn.
func onPremIdentity(t *testing.T, l *m365sim.Listener, upn string) tenant.Props {
	t.Helper()
	tn := l.Server.Tenant()
	var p tenant.Props
	tn.Read(func() error {
		for _, ia := range tn.Security.List(tenant.SetIdentityAccounts) {
			if strings.EqualFold(ia["userPrincipalName"].(string), upn) {
				p = tenant.DeepCopy(ia)
			}
		}
		return nil
	})
	if p == nil {
		t.Fatalf("no identity account for %s", upn)
	}
	return p
}

// TestRespondUserOnPremValidate: force-password-reset needs --on-prem, the
// Entra-only actions refuse it.
func TestRespondUserOnPremValidate(t *testing.T) {
	for _, tc := range []struct {
		action string
		onPrem bool
		want   string // "" for valid
	}{
		{"force-password-reset", false, "add --on-prem"},
		{"force-password-reset", true, ""},
		{"disable", true, ""},
		{"enable", true, ""},
		{"disable", false, ""},
		{"revoke-sessions", true, "drop --on-prem"},
		{"confirm-compromised", true, "drop --on-prem"},
		{"dismiss-risk", true, "drop --on-prem"},
		{"reboot", true, "unknown action"},
	} {
		err := (&RespondUserOptions{OnPrem: tc.onPrem}).Validate([]string{tc.action, "adele@contoso.test"})
		if (tc.want == "" && err != nil) || (tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want))) {
			t.Errorf("%s on-prem=%v: %v, want %q", tc.action, tc.onPrem, err, tc.want)
		}
	}
	// Through cobra the mistake is a usage error (exit 2).
	g, _, _ := testGlobals(t, false)
	cmd := newRespondUserCommand(&g)
	cmd.SetArgs([]string{"force-password-reset", "adele@contoso.test"})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	var ue *usageError
	if err := cmd.Execute(); !errors.As(err, &ue) {
		t.Errorf("force-password-reset without --on-prem: %v", err)
	}
}

// TestRespondUserOnPremSafety: dry runs send nothing, --confirm changes the
// AD account's state, and every attempt is audited.
func TestRespondUserOnPremSafety(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 6, Seed: 7, MessagesPerUser: -1, FilesPerUser: -1})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	var upn string
	tn := l.Server.Tenant()
	tn.Read(func() error { upn = tn.Users[1].UPN; return nil })
	ia := onPremIdentity(t, l, upn)
	id, sid := ia["id"].(string), ia["onPremisesSecurityIdentifier"].(string)
	for _, a := range userguard.OnPremActions() {
		stdout.b.Reset()
		if err := runRespondUser(t.Context(), RespondUserOptions{Repo: rf, OnPrem: true}, g, a, upn); err != nil {
			t.Fatalf("dry run %s: %v", a, err)
		}
		out := stdout.String()
		if !strings.Contains(out, "dry run: would call") || !strings.Contains(out, "/security/identities/identityAccounts/"+id+"/invokeAction") ||
			!strings.Contains(out, `"identityProvider":"activeDirectory"`) || !strings.Contains(out, "SecurityIdentitiesActions.ReadWrite.All") {
			t.Errorf("dry run %s:\n%s", a, out)
		}
	}
	if n := identityActions(l); n != 0 {
		t.Fatalf("dry runs sent %d actions", n)
	}
	opts := RespondUserOptions{Repo: rf, Confirm: true, OnPrem: true}
	if err := runRespondUser(t.Context(), opts, g, "disable", sid); err != nil {
		t.Fatal(err)
	}
	if err := runRespondUser(t.Context(), opts, g, "force-password-reset", upn); err != nil {
		t.Fatal(err)
	}
	p := onPremIdentity(t, l, upn)
	if p["isEnabled"] != false || p[tenant.IdentityMustChangePassword] != true {
		t.Errorf("after actions: isEnabled %v, must change password %v", p["isEnabled"], p[tenant.IdentityMustChangePassword])
	}
	gj, jout, _ := testGlobals(t, true)
	if err := runAudit(t.Context(), AuditOptions{Repo: rf}, gj); err != nil {
		t.Fatal(err)
	}
	out := jout.String()
	if strings.Count(out, `"message_type":"audit_entry"`) != 2 || !strings.Contains(out, `"identityAccountId":"`+id+`"`) ||
		!strings.Contains(out, `"action":"force-password-reset"`) || !strings.Contains(out, `"onPremisesSecurityIdentifier":"`+sid+`"`) {
		t.Errorf("audit:\n%s", out)
	}
}

// TestRespondUserOnPremPermission: without SecurityIdentitiesActions.ReadWrite.All
// the failure names it, nothing changes, and the attempt is audited.
func TestRespondUserOnPremPermission(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 4, Seed: 7, MessagesPerUser: -1, FilesPerUser: -1,
		Roles: []string{"User.Read.All", "SecurityIdentitiesAccount.Read.All"}})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, _, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	var upn string
	tn := l.Server.Tenant()
	tn.Read(func() error { upn = tn.Users[1].UPN; return nil })
	err := runRespondUser(t.Context(), RespondUserOptions{Repo: rf, Confirm: true, OnPrem: true}, g, "disable", upn)
	if err == nil || !strings.Contains(err.Error(), "SecurityIdentitiesActions.ReadWrite.All") {
		t.Fatalf("disable without permission: %v", err)
	}
	if p := onPremIdentity(t, l, upn); p["isEnabled"] != true {
		t.Errorf("account changed: %v", p["isEnabled"])
	}
	gj, jout, _ := testGlobals(t, true)
	if err := runAudit(t.Context(), AuditOptions{Repo: rf}, gj); err != nil {
		t.Fatal(err)
	}
	if out := jout.String(); !strings.Contains(out, `"result":"failed"`) || !strings.Contains(out, `"action":"disable"`) ||
		!strings.Contains(out, "SecurityIdentitiesActions.ReadWrite.All") {
		t.Errorf("audit:\n%s", out)
	}
}
