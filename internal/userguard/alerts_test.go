package userguard

import (
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// TestAlertSyncIncremental: the first sync stores every alert; a second
// asks only for alerts updated since the watermark, refreshes nothing and
// writes nothing; after an update, the next sync refreshes that alert only.
func TestAlertSyncIncremental(t *testing.T) {
	l, g := simClient(t, m365sim.Options{Seed: 7})
	ctx := t.Context()
	rp := repo.TestRepository(t)
	var total int
	tn := l.Server.Tenant()
	tn.Read(func() error { total = len(tn.Security.List(tenant.SetAlerts)); return nil })

	st, s1, err := SyncAlerts(ctx, g, rp, "t1", simNow)
	if err != nil {
		t.Fatal(err)
	}
	if s1.Filter != "" || s1.New != total || !s1.Committed || len(st.Alerts) != total || st.Watermark == "" {
		t.Fatalf("first sync: %+v, %d stored, watermark %q", s1, len(st.Alerts), st.Watermark)
	}
	_, s2, err := SyncAlerts(ctx, g, rp, "t1", simNow)
	if err != nil {
		t.Fatal(err)
	}
	// ge returns only the alert(s) at exactly the watermark, recognised as
	// unchanged: nothing new, nothing refreshed, no snapshot.
	if s2.Filter != "lastUpdateDateTime ge "+st.Watermark || s2.New+s2.Updated != 0 || s2.Committed || s2.Downloaded != s2.Unchanged || s2.Downloaded >= total {
		t.Fatalf("second sync: %+v", s2)
	}
	snaps, _ := rp.Snapshots(ctx, repo.Filter{Workload: AlertsWorkload})
	if len(snaps) != 1 {
		t.Fatalf("%d snapshots after an idempotent sync, want 1", len(snaps))
	}

	// Update the open MDI alert through Graph; the next sync refreshes it
	// (and sees the old watermark's alert(s) again, unchanged).
	var mdi string
	for _, a := range st.Sorted() {
		if a.ServiceSource == "microsoftDefenderForIdentity" {
			mdi = a.ID
		}
	}
	r := &Responder{Graph: g}
	p, err := r.PlanAlertUpdate(ctx, mdi, AlertUpdate{Status: "inProgress", AssignedTo: "soc@contoso.test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Execute(ctx, p); err != nil {
		t.Fatal(err)
	}
	st3, s3, err := SyncAlerts(ctx, g, rp, "t1", simNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if s3.Updated != 1 || s3.New != 0 || !s3.Committed || s3.Downloaded != s2.Downloaded+1 {
		t.Fatalf("sync after update: %+v", s3)
	}
	if a := st3.Alerts[mdi]; a.Status != "inProgress" || a.AssignedTo != "soc@contoso.test" {
		t.Errorf("refreshed alert: %+v", a)
	}
	loaded, err := LoadAlerts(ctx, rp, "t1")
	if err != nil || loaded.Alerts[mdi].Status != "inProgress" || len(loaded.Alerts) != total {
		t.Errorf("reloaded: %v %+v", err, loaded.Alerts[mdi])
	}
	if _, err := (AlertUpdate{Status: "closed"}).Body(); err == nil {
		t.Error("bad status accepted")
	}
}
