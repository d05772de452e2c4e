package posture_test

import (
	"testing"

	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// TestStoreHistory saves two assessments and reads the newest back, with
// its report, inventory and tags.
func TestStoreHistory(t *testing.T) {
	ctx := t.Context()
	r := repo.TestRepository(t)
	doc := fixture(t)
	apply(t, doc, edit{"data.authorizationPolicy.allowInvitesFrom", "everyone"})
	inv := toInventory(t, doc)
	tenant := inv.Tenant.ID

	h, info, err := posture.LoadHistory(ctx, r, tenant)
	if err != nil || len(h.Findings) != 0 || h.TenantID != tenant || info.ID != "" {
		t.Fatalf("empty repository: %+v %+v %v", h, info, err)
	}

	rep1 := at(t, doc, 1)
	h1 := posture.MergeHistory(h, rep1)
	if _, err := posture.SaveHistory(ctx, r, h1, rep1, inv); err != nil {
		t.Fatal(err)
	}
	rep2 := at(t, fixture(t), 2) // the weakness is fixed
	h2 := posture.MergeHistory(h1, rep2)
	saved, err := posture.SaveHistory(ctx, r, h2, rep2, nil)
	if err != nil {
		t.Fatal(err)
	}

	got, info, err := posture.LoadHistory(ctx, r, tenant)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != saved.ID || info.Source.Workload != posture.Workload || info.Source.Resource != tenant {
		t.Errorf("latest %+v, saved %+v", info, saved)
	}
	f := findingFor(t, got, "MS.AAD.8.2v1")
	if f.Status != posture.FindingResolved || f.ResolvedAt == nil || !f.ResolvedAt.Equal(rep2.GeneratedAt) || !f.FirstSeen.Equal(rep1.GeneratedAt) {
		t.Errorf("stored finding: %+v", f)
	}
	if info.Tags[posture.TagOpenFindings] != "0" || info.Tags[posture.TagScore] != "100" || info.Tags[posture.TagCollectedAt] == "" {
		t.Errorf("tags %v", info.Tags)
	}

	// The first assessment kept its inventory; the second stored none.
	all, err := r.Snapshots(ctx, repo.Filter{Tenant: tenant, Workload: posture.Workload})
	if err != nil || len(all) != 2 {
		t.Fatalf("%d snapshots: %v", len(all), err)
	}
	back, err := posture.ReadStoredInventory(ctx, r, all[0].ID)
	if err != nil || back.Tenant.ID != tenant || len(back.Data) != len(inv.Data) {
		t.Errorf("stored inventory: %v", err)
	}
	if _, err := posture.ReadStoredInventory(ctx, r, all[1].ID); err == nil {
		t.Error("inventory read from a snapshot that has none")
	}
	if _, err := posture.SaveHistory(ctx, r, posture.History{}, nil, nil); err == nil {
		t.Error("history without a tenant saved")
	}
}
