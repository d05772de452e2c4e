package userguard

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/posture/posturetest"
	"github.com/safeguard365/safeguard365/internal/simclient"
)

// simNow is the emulator generator's anchor: its data is dated around it.
var simNow = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

// simClient starts an emulator and returns a Graph client for it.
func simClient(t *testing.T, opts m365sim.Options) (*m365sim.Listener, *graph.Client) {
	t.Helper()
	if opts.Users == 0 {
		opts.Users = 6
	}
	return simclient.StartDirectory(t, opts)
}

// simUPNs maps the emulator's user ids to UPNs.
func simUPNs(t *testing.T, l *m365sim.Listener) map[string]string {
	out := map[string]string{}
	tn := l.Server.Tenant()
	tn.Read(func() error {
		for _, u := range tn.Users {
			out[u.ID] = u.UPN
		}
		return nil
	})
	return out
}

// TestCloudScanEmulator collects the emulated tenant's identity sources
// and finds exactly the planted weaknesses.
func TestCloudScanEmulator(t *testing.T) {
	l, g := simClient(t, m365sim.Options{Seed: 7})
	inv, err := CollectCloud(t.Context(), g, CloudOptions{TenantID: l.TenantID, Now: func() time.Time { return simNow }})
	if err != nil {
		t.Fatal(err)
	}
	posturetest.CheckCollected(t, inv)
	eng, err := NewCloudEngine(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eng.Evaluate(t.Context(), inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 15 {
		t.Fatalf("%d results, want 15", len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Status == posture.StatusError {
			t.Errorf("%s: error %s", r.Rule.ID, r.Reason)
		}
	}
	got := posturetest.Failing(rep)
	for id, ev := range got {
		t.Logf("%s: %v", id, ev)
	}
	posturetest.CheckFailing(t, got, map[string]int{"I1": 2, "I5": 2, "I6": 1, "I8": 1, "I11": 1, "I12": 2, "I13": 1, "I14": 2})
	// The planted people: the guest is the stale account, the high-risk
	// user is the one with the leaked credentials and the MDI alert.
	var guest, risky string
	tn := l.Server.Tenant()
	tn.Read(func() error {
		for _, u := range tn.Users {
			if u.Props["userType"] == "Guest" && !u.Deleted {
				guest = u.UPN
			}
		}
		for _, r := range tn.Security.List(tenant.SetRiskyUsers) {
			if r["riskLevel"] == "high" {
				risky, _ = r["userPrincipalName"].(string)
			}
		}
		return nil
	})
	if !slices.Equal(got["I11"], []string{guest}) || !slices.Equal(got["I6"], []string{risky}) || !slices.Equal(got["I8"], []string{risky}) {
		t.Errorf("stale %v (guest %s), risky %v / %v (want %s)", got["I11"], guest, got["I6"], got["I8"], risky)
	}
	s := ScoreCloud(rep.Results)
	if s.Global == 0 || len(s.Categories) != 4 || len(s.Unknown) != 0 {
		t.Errorf("score %+v", s)
	}
}

// TestCloudPermissionNamed: a source the app cannot read is recorded with
// the permission it needs, and only its rules report error.
func TestCloudPermissionNamed(t *testing.T) {
	l, g := simClient(t, m365sim.Options{Seed: 7, Users: 4, Roles: []string{"AuditLog.Read.All", "User.Read.All"}})
	inv, err := CollectCloud(t.Context(), g, CloudOptions{TenantID: l.TenantID, Now: func() time.Time { return simNow }})
	if err != nil {
		t.Fatal(err)
	}
	st := inv.SourceState(SourceRiskyUsers)
	if st.Status != posture.SourceError || !strings.Contains(st.Error, "IdentityRiskyUser.Read.All") {
		t.Errorf("riskyUsers: %+v", st)
	}
	if st := inv.SourceState(SourceRegistration); st.Status != posture.SourceOK {
		t.Errorf("registration details: %+v", st)
	}
}
