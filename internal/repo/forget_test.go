package repo

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kopia/kopia/repo/maintenance"
)

// clockAt makes r stamp snapshots at the given times, one per snapshot
// (a snapshot reads the clock at start and at commit).
func clockAt(r *Repository, times ...time.Time) {
	i := 0
	r.now = func() time.Time {
		t := times[min(i/2, len(times)-1)]
		i++

		return t
	}
}

func TestForget(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)
	ctx := t.Context()

	other := Source{Tenant: testSource.Tenant, Workload: "onedrive", Resource: "drive-1"}

	var times []time.Time
	for d := range 5 {
		times = append(times, testT0.AddDate(0, 0, d), testT0.AddDate(0, 0, d)) // one per source per day
	}

	clockAt(r, times...)

	for d := range 5 {
		for _, src := range []Source{testSource, other} {
			writeSnapshot(t, r, src, map[string][]byte{"day": []byte(fmt.Sprint(d)), "big": randomBytes(uint64(d), 100_000)}, SnapshotOptions{})
		}
	}

	policy := Policy{KeepLast: 2}

	dry, err := r.Forget(ctx, policy, ForgetOptions{DryRun: true, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}

	if len(dry.Keep) != 4 || len(dry.Remove) != 6 {
		t.Fatalf("dry run keeps %d and removes %d, want 4 and 6 (last 2 of each source)", len(dry.Keep), len(dry.Remove))
	}

	if all, _ := r.Snapshots(ctx, Filter{}); len(all) != 10 {
		t.Fatalf("dry run deleted snapshots: %d left", len(all))
	}

	// Only one source is in scope.
	res, err := r.Forget(ctx, policy, ForgetOptions{Filter: Filter{Workload: "onedrive"}, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}

	if len(res.Remove) != 3 {
		t.Fatalf("removed %d, want 3", len(res.Remove))
	}

	left, err := r.Snapshots(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}

	if len(left) != 7 {
		t.Fatalf("%d snapshots left, want 7", len(left))
	}

	for _, s := range res.Keep {
		if !slices.ContainsFunc(left, func(l SnapshotInfo) bool { return l.ID == s.ID }) {
			t.Errorf("kept snapshot %s is gone", s.ID)
		}

		if got := readFile(t, r, s.ID, "day"); string(got) != fmt.Sprint(int(s.StartTime.Sub(testT0).Hours())/24) {
			t.Errorf("snapshot of %v holds day %q", s.StartTime, got)
		}
	}

	for _, s := range res.Remove {
		if _, err := r.ReadDir(ctx, s.ID, ""); !errors.Is(err, ErrSnapshotNotFound) {
			t.Errorf("removed snapshot %s: ReadDir error = %v, want ErrSnapshotNotFound", s.ID, err)
		}
	}
}

// TestForgetExempt checks ForgetOptions.Exempt: an exempt source's
// snapshots are all kept and listed in Exempt only, the others get the
// policy.
func TestForgetExempt(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)
	ctx := t.Context()

	record := Source{Tenant: testSource.Tenant, Workload: "audit", Resource: "entries"}

	var times []time.Time
	for d := range 3 {
		times = append(times, testT0.AddDate(0, 0, d), testT0.AddDate(0, 0, d))
	}

	clockAt(r, times...)

	for d := range 3 {
		for _, src := range []Source{testSource, record} {
			writeSnapshot(t, r, src, map[string][]byte{"day": []byte(fmt.Sprint(d))}, SnapshotOptions{})
		}
	}

	exempt := func(s Source) bool { return s.Workload == "audit" }

	res, err := r.Forget(ctx, Policy{KeepLast: 1}, ForgetOptions{Exempt: exempt, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}

	if len(res.Exempt) != 3 || len(res.Keep) != 1 || len(res.Remove) != 2 {
		t.Fatalf("exempt %d, keep %d, remove %d; want 3, 1, 2", len(res.Exempt), len(res.Keep), len(res.Remove))
	}

	for _, s := range append(res.Keep, res.Remove...) {
		if s.Source == record {
			t.Errorf("policy applied to the exempt snapshot %s", s.ID)
		}
	}

	if left, _ := r.Snapshots(ctx, Filter{Workload: "audit"}); len(left) != 3 {
		t.Errorf("%d exempt snapshots left, want 3", len(left))
	}
}

func TestMaintenance(t *testing.T) {
	t.Parallel()

	env := newTestEnv(t)
	r := env.open(t)
	ctx := t.Context()

	first := writeSnapshot(t, r, testSource, map[string][]byte{"old.bin": randomBytes(1, 3<<20)}, SnapshotOptions{})
	second := writeSnapshot(t, r, testSource, map[string][]byte{"new.bin": randomBytes(2, 1<<20)}, SnapshotOptions{})

	for _, full := range []bool{false, true} {
		if err := r.Maintenance(ctx, full); err != nil {
			t.Fatalf("Maintenance(full=%v): %v", full, err)
		}
	}

	if _, err := r.Forget(ctx, Policy{KeepLast: 1}, ForgetOptions{}); err != nil {
		t.Fatal(err)
	}

	before, err := r.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Full safety never deletes young data; with it lowered (as if the
	// safety margins had passed) two full runs reclaim the forgotten bytes.
	r.safety = maintenance.SafetyNone
	for range 2 {
		if err := r.Maintenance(ctx, true); err != nil {
			t.Fatalf("Maintenance: %v", err)
		}
	}

	after, err := r.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}

	t.Logf("data packed bytes: %d before GC, %d after", before.Data.PackedBytes, after.Data.PackedBytes)

	if after.Data.PackedBytes >= before.Data.PackedBytes-(2<<20) {
		t.Errorf("GC left %d data bytes of %d; the forgotten 3 MiB should be gone", after.Data.PackedBytes, before.Data.PackedBytes)
	}

	if _, err := r.ReadDir(ctx, first.ID, ""); !errors.Is(err, ErrSnapshotNotFound) {
		t.Errorf("forgotten snapshot still readable: %v", err)
	}

	// A fresh connection sees a consistent repository.
	r2 := env.open(t)

	rep, err := r2.Verify(ctx, VerifyOptions{})
	if err != nil || !rep.OK() {
		t.Fatalf("Verify after GC: %v, %v", err, rep.Errors)
	}

	if got := readFile(t, r2, second.ID, "new.bin"); len(got) != 1<<20 {
		t.Errorf("kept snapshot reads %d bytes", len(got))
	}
}

func TestMaintenanceOwner(t *testing.T) {
	t.Parallel()

	env := newTestEnv(t) // Init makes "sg365@test" the owner
	ctx := t.Context()

	other := env
	other.opts.Hostname = "other-host"
	other.opts.ConfigDir = t.TempDir()
	r2 := other.open(t)

	if err := r2.Maintenance(ctx, false); !errors.Is(err, ErrNotMaintenanceOwner) {
		t.Fatalf("Maintenance by a non-owner: error = %v, want ErrNotMaintenanceOwner", err)
	}

	if err := r2.ClaimMaintenance(ctx); err != nil {
		t.Fatal(err)
	}

	if err := r2.Maintenance(ctx, false); err != nil {
		t.Errorf("Maintenance after claiming: %v", err)
	}

	r1 := env.open(t)
	if err := r1.Maintenance(ctx, false); !errors.Is(err, ErrNotMaintenanceOwner) {
		t.Errorf("former owner: error = %v, want ErrNotMaintenanceOwner", err)
	}
}
