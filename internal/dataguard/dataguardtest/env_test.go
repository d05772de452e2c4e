package dataguardtest

import (
	"testing"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/repo"
)

func TestEnvBacksUpAndMutates(t *testing.T) {
	e := New(t, m365sim.Start(t, m365sim.Options{Users: 2, Seed: 8, MessagesPerUser: 5, FilesPerUser: 3}))
	sum := e.Backup(dataguard.BackupOptions{Workloads: []string{dataguard.WorkloadMail}})
	if sum.Tenant != e.L.TenantID {
		t.Errorf("summary of tenant %q, want %q", sum.Tenant, e.L.TenantID)
	}
	if len(sum.Resources) == 0 || sum.FailedResources > 0 {
		t.Fatalf("%d resources, %d failed", len(sum.Resources), sum.FailedResources)
	}
	snaps, err := e.R.Snapshots(Context(t), repo.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != len(sum.Resources) {
		t.Errorf("%d snapshots in the repository, want one per resource (%d)", len(snaps), len(sum.Resources))
	}
	if rep := e.Mutate(tenant.DefaultMutateOptions(1, 2)); len(rep.Changes) == 0 {
		t.Error("the mutator made no changes")
	}
}
