package posture_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
)

func TestFindingIDStable(t *testing.T) {
	a := posture.FindingID("T1", "MS.AAD.7.3v1", "user", "ABC")
	if b := posture.FindingID("t1", "MS.AAD.7.3v1", "User", "abc"); a != b {
		t.Errorf("ids differ by case: %s %s", a, b)
	}
	if b := posture.FindingID("t2", "MS.AAD.7.3v1", "user", "abc"); a == b {
		t.Error("tenants share a finding id")
	}
	if b := posture.FindingID("t1", "MS.AAD.7.4v1", "user", "abc"); a == b {
		t.Error("rules share a finding id")
	}
	if len(a) != 32 {
		t.Errorf("id %q: want 32 hex digits", a)
	}
}

// at returns a report of doc generated at day d of the test month.
func at(t *testing.T, doc map[string]any, d int) *posture.Report {
	t.Helper()
	rep := evaluate(t, doc, fixtureExclusions(t))
	rep.GeneratedAt = time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC)
	return rep
}

func findingFor(t *testing.T, h posture.History, ruleID string) posture.Finding {
	t.Helper()
	for _, f := range h.Findings {
		if f.RuleID == ruleID {
			return f
		}
	}
	t.Fatalf("no finding for %s in %+v", ruleID, h.Findings)
	return posture.Finding{}
}

func TestMergeHistory(t *testing.T) {
	bad := edit{"data.users[id=" + userAdele + "].onPremisesImmutableId", "aGVsbG8="} // 7.3 fails for Adele
	expiry := edit{"data.domains[0].passwordValidityPeriodInDays", 90}                // 6.1 fails for contoso.test

	// Day 1: two findings appear.
	d1 := fixture(t)
	apply(t, d1, bad, expiry)
	h := posture.MergeHistory(posture.History{}, at(t, d1, 1))
	if len(h.Findings) != 2 || h.TenantID == "" {
		t.Fatalf("day 1: %+v", h)
	}
	f := findingFor(t, h, "MS.AAD.7.3v1")
	if f.Status != posture.FindingOpen || !f.FirstSeen.Equal(f.LastSeen) || f.Object.ID != userAdele {
		t.Errorf("new finding: %+v", f)
	}

	// Day 2: unchanged; last seen moves, first seen stays.
	h2 := posture.MergeHistory(h, at(t, d1, 2))
	f2 := findingFor(t, h2, "MS.AAD.7.3v1")
	if f2.ID != f.ID || !f2.FirstSeen.Equal(f.FirstSeen) || f2.LastSeen.Day() != 2 {
		t.Errorf("unchanged finding: %+v", f2)
	}
	if h.Findings[0].LastSeen.Day() != 1 {
		t.Error("MergeHistory modified the prior history")
	}

	// Day 3: Adele fixed; domains could not be collected, so the 6.1
	// finding stays open (unknown is not fixed).
	d3 := fixture(t)
	apply(t, d3, expiry, sourceError("domains"))
	h3 := posture.MergeHistory(h2, at(t, d3, 3))
	if f3 := findingFor(t, h3, "MS.AAD.7.3v1"); f3.Status != posture.FindingResolved || f3.ResolvedAt == nil || f3.ResolvedAt.Day() != 3 {
		t.Errorf("resolved finding: %+v", f3)
	}
	if f3 := findingFor(t, h3, "MS.AAD.6.1v1"); f3.Status != posture.FindingOpen || f3.LastSeen.Day() != 2 {
		t.Errorf("finding of an errored rule: %+v", f3)
	}

	// Day 4: Adele synchronised again: the finding reopens with its id.
	h4 := posture.MergeHistory(h3, at(t, d1, 4))
	f4 := findingFor(t, h4, "MS.AAD.7.3v1")
	if f4.ID != f.ID || f4.Status != posture.FindingOpen || f4.ResolvedAt != nil || f4.Reopened != 1 || f4.FirstSeen.Day() != 1 {
		t.Errorf("reopened finding: %+v", f4)
	}

	// The history survives JSON.
	b, err := json.Marshal(h4)
	if err != nil {
		t.Fatal(err)
	}
	var back posture.History
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Findings) != len(h4.Findings) || back.Findings[0].ID != h4.Findings[0].ID {
		t.Errorf("round trip: %+v", back)
	}
}

// TestTenantFinding: a failed rule without evidence raises one finding for
// the tenant as a whole.
func TestTenantFinding(t *testing.T) {
	doc := fixture(t)
	apply(t, doc, edit{"data.conditionalAccessPolicies", []any{}})
	rep := evaluate(t, doc, nil)
	res := result(t, rep, "MS.AAD.1.1v1")
	if len(res.Evidence) != 0 || len(res.FindingIDs) != 1 {
		t.Fatalf("evidence %v findings %v", res.Evidence, res.FindingIDs)
	}
	if res.FindingIDs[0] != posture.FindingID(rep.Tenant.ID, "MS.AAD.1.1v1", "", "") {
		t.Error("tenant finding id is not FindingID(tenant, rule, \"\", \"\")")
	}
	h := posture.MergeHistory(posture.History{}, rep)
	if f := findingFor(t, h, "MS.AAD.1.1v1"); f.ID != res.FindingIDs[0] || f.Object.Type != "tenant" {
		t.Errorf("history finding %+v", f)
	}
}
