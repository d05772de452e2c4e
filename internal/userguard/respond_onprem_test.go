package userguard

import (
	"errors"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// identityOf returns the emulator's identity account for upn.
func identityOf(t *testing.T, l *m365sim.Listener, upn string) tenant.Props {
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

// TestRespondOnPremResolve: every way of naming an account finds the same
// identity; unknown and ambiguous names are refused; planning sends nothing.
func TestRespondOnPremResolve(t *testing.T) {
	l, g := simClient(t, m365sim.Options{Seed: 7})
	ctx := t.Context()
	var upn, display string
	tn := l.Server.Tenant()
	tn.Read(func() error { upn, display = tn.Users[0].UPN, tn.Users[0].Props["displayName"].(string); return nil })
	ia := identityOf(t, l, upn)
	id := ia["id"].(string)
	var adID, entraID string
	for _, a := range ia["accounts"].([]any) {
		m := a.(map[string]any)
		switch m["identityProvider"] {
		case "activeDirectory":
			adID = m["identifier"].(string)
		case "entraID":
			entraID = m["identifier"].(string)
		}
	}
	domain := ia["domain"].(string)
	netbios := strings.ToUpper(strings.Split(domain, ".")[0])
	local, _, _ := strings.Cut(upn, "@")
	r := &Responder{Graph: g}
	for _, name := range []string{upn, strings.ToUpper(upn), netbios + `\` + local, domain + `\` + display,
		ia["onPremisesSecurityIdentifier"].(string), ia["cloudSecurityIdentifier"].(string), id, adID, entraID} {
		p, err := r.PlanOnPrem(ctx, ActionForcePasswordReset, name)
		if err != nil {
			t.Errorf("plan %q: %v", name, err)
			continue
		}
		wantURL := l.GraphURL + "/security/identities/identityAccounts/" + id + "/invokeAction"
		if p.Target.IdentityAccountID != id || p.Method != "POST" || p.URL != wantURL || p.Body["accountId"] != adID ||
			p.Body["action"] != "forcePasswordReset" || p.Body["identityProvider"] != "activeDirectory" ||
			!strings.Contains(p.Permission, "SecurityIdentitiesActions.ReadWrite.All") {
			t.Errorf("plan %q: %+v", name, p)
		}
	}
	if _, err := r.PlanOnPrem(ctx, ActionDisable, "nobody@nowhere.test"); !errors.Is(err, ErrNoAccount) {
		t.Errorf("unknown account: %v", err)
	}
	if _, err := r.PlanOnPrem(ctx, ActionConfirmCompromised, upn); err == nil {
		t.Error("confirm-compromised planned on-premises")
	}
	// Two identities share a display name: DOMAIN\name is ambiguous and the
	// error lists both.
	tn.Write(func() error {
		twin := tenant.DeepCopy(tn.Security.Find(tenant.SetIdentityAccounts, id))
		twin["id"], twin["userPrincipalName"], twin["onPremisesSecurityIdentifier"] = "twin-id", "twin@"+domain, "S-1-5-21-1-2-3-9999"
		tn.Security.Add(tenant.SetIdentityAccounts, twin)
		return nil
	})
	_, err := r.PlanOnPrem(ctx, ActionDisable, netbios+`\`+display)
	if !errors.Is(err, ErrAmbiguousAccount) || !strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), "twin-id") {
		t.Errorf("ambiguous: %v", err)
	}
	if n := writes(l); n != 0 {
		t.Fatalf("planning sent %d writes", n)
	}
}

// TestRespondOnPremEffect runs disable, force-password-reset and enable on
// an AD account and checks the emulator's state after each; without the
// permission the error names it.
func TestRespondOnPremEffect(t *testing.T) {
	l, g := simClient(t, m365sim.Options{Seed: 7})
	ctx := t.Context()
	var upn string
	tn := l.Server.Tenant()
	tn.Read(func() error { upn = tn.Users[1].UPN; return nil })
	id := identityOf(t, l, upn)["id"].(string)
	r := &Responder{Graph: g}
	state := func() tenant.Props {
		var p tenant.Props
		tn.Read(func() error { p = tenant.DeepCopy(tn.Security.Find(tenant.SetIdentityAccounts, id)); return nil })
		return p
	}
	for _, tc := range []struct {
		action string
		check  func(tenant.Props) bool
	}{
		{ActionDisable, func(p tenant.Props) bool { return p["isEnabled"] == false }},
		{ActionForcePasswordReset, func(p tenant.Props) bool { return p[tenant.IdentityMustChangePassword] == true }},
		{ActionEnable, func(p tenant.Props) bool { return p["isEnabled"] == true }},
	} {
		p, err := r.PlanOnPrem(ctx, tc.action, upn)
		if err != nil {
			t.Fatalf("plan %s: %v", tc.action, err)
		}
		out, _, err := r.Execute(ctx, p)
		if err != nil || out.Result != "succeeded" || !strings.Contains(out.Detail, "correlation id") {
			t.Fatalf("execute %s: %+v, %v", tc.action, out, err)
		}
		if !tc.check(state()) {
			t.Errorf("after %s: %v", tc.action, state())
		}
	}
	// The cloud user is left to directory sync.
	tn.Read(func() error {
		if u := tn.User(upn); u.Props["accountEnabled"] != true {
			t.Errorf("Entra ID user changed: %v", u.Props["accountEnabled"])
		}
		return nil
	})

	_, g2 := simClient(t, m365sim.Options{Seed: 7, Roles: []string{"SecurityIdentitiesAccount.Read.All"}})
	r2 := &Responder{Graph: g2}
	p, err := r2.PlanOnPrem(ctx, ActionDisable, upn)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := r2.Execute(ctx, p)
	if !errors.Is(err, graph.ErrForbidden) || out.Result != "failed" ||
		!strings.Contains(err.Error(), "SecurityIdentitiesActions.ReadWrite.All") {
		t.Errorf("without permission: %+v, %v", out, err)
	}

	// Finding the account needs its own read permission.
	_, g3 := simClient(t, m365sim.Options{Seed: 7, Roles: []string{"SecurityIdentitiesActions.ReadWrite.All"}})
	r3 := &Responder{Graph: g3}
	if _, err := r3.PlanOnPrem(ctx, ActionDisable, upn); !errors.Is(err, graph.ErrForbidden) ||
		!strings.Contains(err.Error(), "SecurityIdentitiesAccount.Read.All") {
		t.Errorf("plan without SecurityIdentitiesAccount.Read.All: %v", err)
	}
}
