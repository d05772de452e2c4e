package userguard

import (
	"errors"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// writes counts the emulator's POST and PATCH requests on user and
// risky-user endpoints.
func writes(l *m365sim.Listener) int64 {
	var n int64
	for _, e := range l.Stats().Endpoints {
		if strings.HasPrefix(e.Endpoint, "POST /") || strings.HasPrefix(e.Endpoint, "PATCH /") {
			n += e.Requests
		}
	}
	return n
}

// TestRespondUserEffect plans every action without sending anything, then
// runs them and checks the emulator's state after each.
func TestRespondUserEffect(t *testing.T) {
	l, g := simClient(t, m365sim.Options{Seed: 7})
	ctx := t.Context()
	tn := l.Server.Tenant()
	var upn, id string
	tn.Read(func() error {
		for _, r := range tn.Security.List(tenant.SetRiskyUsers) {
			if r["riskLevel"] == "high" {
				upn, id = r["userPrincipalName"].(string), r["id"].(string)
			}
		}
		return nil
	})
	r := &Responder{Graph: g}
	for _, a := range UserActions() {
		p, err := r.PlanUser(ctx, a, upn)
		if err != nil {
			t.Fatalf("plan %s: %v", a, err)
		}
		if p.Target.UserID != id || !strings.HasPrefix(p.URL, l.GraphURL) || p.Permission == "" {
			t.Errorf("plan %s: %+v", a, p)
		}
	}
	if n := writes(l); n != 0 {
		t.Fatalf("planning sent %d writes", n)
	}
	if _, err := r.PlanUser(ctx, ActionDisable, "nobody@nowhere.test"); !errors.Is(err, ErrNoUser) {
		t.Errorf("unknown user: %v", err)
	}

	user := func() *tenant.User {
		var u *tenant.User
		tn.Read(func() error { u = tn.User(id); return nil })
		return u
	}
	risky := func() (string, string) {
		var lvl, st string
		tn.Read(func() error {
			p := tn.Security.Find(tenant.SetRiskyUsers, id)
			lvl, st = p["riskLevel"].(string), p["riskState"].(string)
			return nil
		})
		return lvl, st
	}
	before, _ := user().Props["signInSessionsValidFromDateTime"].(string)
	run := func(action string) {
		t.Helper()
		p, err := r.PlanUser(ctx, action, upn)
		if err != nil {
			t.Fatal(err)
		}
		out, _, err := r.Execute(ctx, p)
		if err != nil || out.Result != "succeeded" {
			t.Fatalf("%s: %v %+v", action, err, out)
		}
	}
	run(ActionRevokeSessions)
	if after, _ := user().Props["signInSessionsValidFromDateTime"].(string); after == "" || after == before {
		t.Errorf("signInSessionsValidFromDateTime %q -> %q", before, after)
	}
	run(ActionDisable)
	if user().Props["accountEnabled"] != false {
		t.Errorf("accountEnabled after disable: %v", user().Props["accountEnabled"])
	}
	run(ActionEnable)
	if user().Props["accountEnabled"] != true {
		t.Errorf("accountEnabled after enable: %v", user().Props["accountEnabled"])
	}
	run(ActionConfirmCompromised)
	if lvl, st := risky(); lvl != "high" || st != "confirmedCompromised" {
		t.Errorf("after confirm: %s %s", lvl, st)
	}
	run(ActionDismissRisk)
	if lvl, st := risky(); lvl != "none" || st != "dismissed" {
		t.Errorf("after dismiss: %s %s", lvl, st)
	}
}

// TestRespondUserPermission: a missing permission is named.
func TestRespondUserPermission(t *testing.T) {
	_, g := simClient(t, m365sim.Options{Seed: 7, Users: 4, Roles: []string{"User.Read.All"}})
	r := &Responder{Graph: g}
	var upn string
	for u, err := range g.Users(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		upn = u.UserPrincipalName
		break
	}
	for _, tc := range []struct{ action, perm string }{
		{ActionRevokeSessions, "User.RevokeSessions.All"},
		{ActionDisable, "User.EnableDisableAccount.All"},
		{ActionConfirmCompromised, "IdentityRiskyUser.ReadWrite.All"},
	} {
		p, err := r.PlanUser(t.Context(), tc.action, upn)
		if err != nil {
			t.Fatal(err)
		}
		out, _, err := r.Execute(t.Context(), p)
		if !errors.Is(err, graph.ErrForbidden) || !strings.Contains(err.Error(), tc.perm) || out.Result != "failed" {
			t.Errorf("%s: %v %+v", tc.action, err, out)
		}
	}
}
