package dataguard

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// TestDeltaExpiry expires the delta tokens of one mail folder and one drive
// after a backup, and deletes items there meanwhile: exactly those two
// containers are enumerated again, nothing already stored is downloaded
// again, and the deletions are found by set difference.
func TestDeltaExpiry(t *testing.T) {
	e := newEnv(t, smallTenant(61, 3), m365sim.Options{})
	e.mustBackup(BackupOptions{})
	users := e.members()
	mailUser, driveUser := users[0], users[1]

	var inbox, driveID, deletedMsg, deletedFile string
	tt := e.tenant()
	tt.Write(func() error {
		mb := tt.User(mailUser).Mailbox
		inbox = mb.WellKnown["inbox"]
		for key, m := range mb.Messages {
			if key == m.ImmutableID && m.FolderID == inbox {
				deletedMsg = m.ImmutableID
				tt.DeleteMessage(mb, m)
				break
			}
		}
		d := tt.User(driveUser).Drive
		driveID = d.ID
		for _, it := range d.Items {
			if !it.Folder && !it.Deleted {
				deletedFile = it.ID
				tt.DeleteItem(d, it)
				break
			}
		}
		return nil
	})
	if deletedMsg == "" || deletedFile == "" {
		t.Fatal("nothing to delete")
	}
	for _, c := range []string{inbox, driveID} {
		if err := e.l.ExpireDelta(c); err != nil {
			t.Fatal(err)
		}
	}
	e.resetStats()
	sum := e.mustBackup(BackupOptions{})
	for _, r := range sum.Resources {
		want := 0
		if (r.ID == mailUser && r.Workload == WorkloadMail) || (r.ID == driveUser && r.Workload == WorkloadOneDrive) {
			want = 1
		}
		if r.Resyncs != want {
			t.Errorf("%s %s: %d resyncs, want %d", r.Workload, r.Name, r.Resyncs, want)
		}
	}
	mail, drive := resource(t, sum, mailUser, WorkloadMail), resource(t, sum, driveUser, WorkloadOneDrive)
	if mail.Deleted != 1 || mail.New+mail.Changed+mail.Downloaded != 0 {
		t.Errorf("mail after resync: %+v, want one deletion", mail.Counts)
	}
	if drive.Deleted != 1 || drive.New+drive.Changed+drive.Downloaded != 0 {
		t.Errorf("drive after resync: %+v, want one deletion", drive.Counts)
	}
	if n := e.mimeRequests() + e.downloadRequests(); n != 0 {
		t.Errorf("%d content requests after a resync without changes", n)
	}
	e.checkAll()
	// The new delta links work again.
	e.resetStats()
	sum = e.mustBackup(BackupOptions{})
	for _, r := range sum.Resources {
		if r.Resyncs != 0 || r.Unchanged == 0 {
			t.Errorf("%s %s after resync: %+v, %d resyncs", r.Workload, r.Name, r.Counts, r.Resyncs)
		}
	}
}

// TestThrottleStorm backs up under 20 % injected 429 and 503 answers, a
// full and an incremental run: no item is lost and nothing fails.
func TestThrottleStorm(t *testing.T) {
	faults := limits.FaultConfig{Seed: 7, Rate429: 0.1, Rate503: 0.1, RetryAfter: 10 * time.Millisecond,
		Paths: []string{"/v1.0/", "/_download/"}}
	// Random faults at this rate drive the client's adaptive rate down to
	// its floor (0.2 requests/s by default), which would make the test
	// take minutes; a higher floor keeps it to seconds.
	// Every injected fault carries a Retry-After of a whole second (the
	// emulator rounds up), which the client honours; a smaller tenant keeps
	// the test short.
	gen := smallTenant(71, 2)
	gen.MessagesPerUser, gen.FilesPerUser = 20, 12
	e := newEnv(t, gen, m365sim.Options{Faults: &faults}, func(o *graph.Options) { o.MinRate = 50 })
	sum := e.mustBackup(BackupOptions{})
	if sum.Graph.Throttled < 20 {
		t.Fatalf("only %d throttled answers: the faults did not apply", sum.Graph.Throttled)
	}
	e.mutate(tenant.MutateOptions{Seed: 9, NewMessages: 3, ChangedMessages: 2, MovedMessages: 2, DeletedMessages: 1,
		NewFiles: 2, ChangedFiles: 1, RenamedFiles: 1, MovedFiles: 1, DeletedFiles: 1})
	sum2 := e.mustBackup(BackupOptions{})
	t.Logf("full: %d requests, %d throttled, %d retries; incremental: %d requests, %d throttled",
		sum.Graph.Requests, sum.Graph.Throttled, sum.Graph.Retries, sum2.Graph.Requests, sum2.Graph.Throttled)
	if err := e.l.SetFaults(noFaults); err != nil {
		t.Fatal(err)
	}
	e.checkAll()
	e.verify()
}

// TestBrokenConnections backs up while connections are reset and bodies
// cut off. The client retries resets and resumes file downloads, but a
// message's MIME cannot be resumed: such items fail, are recorded, and the
// next run (without faults) completes the backup.
func TestBrokenConnections(t *testing.T) {
	faults := limits.FaultConfig{Seed: 3, ResetRate: 0.05, TruncateRate: 0.1, Paths: []string{"/v1.0/", "/_download/"}}
	e := newEnv(t, smallTenant(72, 2), m365sim.Options{Faults: &faults})
	sum, err := e.backup(testCtx(t), BackupOptions{})
	if err != nil && !errors.Is(err, ErrPartial) {
		t.Fatalf("backup: %v", err)
	}
	t.Logf("with faults: %d items failed, %d resources failed (err %v)", sum.Total.Failed, sum.FailedResources, err)
	if err := e.l.SetFaults(noFaults); err != nil {
		t.Fatal(err)
	}
	sum2 := e.mustBackup(BackupOptions{})
	if sum2.Total.Failed != 0 {
		t.Fatalf("second run: %d failed", sum2.Total.Failed)
	}
	for _, u := range e.members() {
		for _, w := range []string{WorkloadMail, WorkloadOneDrive} {
			if st := e.state(e.latest(u, w).ID); len(st.Failures) != 0 {
				t.Errorf("%s %s: failures left in the state: %v", w, u, st.Failures)
			}
		}
	}
	e.checkAll()
	e.verify()
}

// TestItemFailureRetried makes one message's MIME and one file's download
// fail: the run is partial, the failures are in the summary and the state
// (with the folder's delta link held back), and the rest is stored. The
// next run stores the file; the message fails again (two attempts
// recorded); the run after that stores it and clears the state.
func TestItemFailureRetried(t *testing.T) {
	e := newEnv(t, smallTenant(81, 2), m365sim.Options{})
	user := e.members()[0]
	var msg, folder string
	tt := e.tenant()
	tt.Read(func() error {
		mb := tt.User(user).Mailbox
		for key, m := range mb.Messages {
			if key == m.ImmutableID && m.FolderID == mb.WellKnown["inbox"] {
				msg, folder = m.ImmutableID, m.FolderID
				break
			}
		}
		return nil
	})
	msgPath := "/v1.0/users/" + user + "/messages/" + msg + "/$value"
	failNext := func(path string) {
		t.Helper()
		if err := e.l.Control("POST", "faults/fail-next", map[string]any{"path": path, "status": 500, "count": 1}, nil); err != nil {
			t.Fatal(err)
		}
	}
	failNext(msgPath)
	failNext("/_download/")
	sum, err := e.backup(testCtx(t), BackupOptions{})
	if !errors.Is(err, ErrPartial) {
		t.Fatalf("err = %v, want ErrPartial", err)
	}
	if sum.Total.Failed != 2 || sum.FailedResources != 0 {
		t.Fatalf("failed items %d, failed resources %d; want 2 and 0\n%s", sum.Total.Failed, sum.FailedResources, dump(sum))
	}
	r := resource(t, sum, user, WorkloadMail)
	if r.Status != StatusPartial || len(r.Failures) != 1 || r.Failures[0].ID != msg || r.Failures[0].Attempts != 1 {
		t.Fatalf("mail resource: %s %+v", r.Status, r.Failures)
	}
	info := e.latest(user, WorkloadMail)
	eml, _ := MessagePaths(folder, msg)
	if _, ok := e.files(info.ID)[eml]; ok {
		t.Errorf("failed message %s is in the snapshot", msg)
	}
	st := e.state(info.ID)
	if len(st.Failures) != 1 || st.Failures[0].Error == "" || st.Folders[folder].DeltaLink != "" {
		t.Errorf("state: failures %+v, inbox link %q (must be held back)", st.Failures, st.Folders[folder].DeltaLink)
	}

	// The message fails again: one more attempt is recorded.
	failNext(msgPath)
	sum, err = e.backup(testCtx(t), BackupOptions{})
	if !errors.Is(err, ErrPartial) || sum.Total.Failed != 1 {
		t.Fatalf("second run: err %v, %d failed", err, sum.Total.Failed)
	}
	st2 := e.state(e.latest(user, WorkloadMail).ID)
	if len(st2.Failures) != 1 || st2.Failures[0].Attempts != 2 || !st2.Failures[0].First.Equal(st.Failures[0].First) {
		t.Errorf("state after the second failure: %+v (first: %+v)", st2.Failures, st.Failures)
	}

	e.resetStats()
	sum = e.mustBackup(BackupOptions{})
	if sum.Total.Downloaded != 1 || sum.Total.New != 1 {
		t.Errorf("retry run: %+v, want the failed message downloaded", sum.Total)
	}
	e.checkAll()
	for _, u := range e.members() {
		for _, w := range []string{WorkloadMail, WorkloadOneDrive} {
			st := e.state(e.latest(u, w).ID)
			if len(st.Failures) != 0 {
				t.Errorf("%s %s: failures left: %v", w, u, st.Failures)
			}
		}
	}
}

// cancelAfter cancels the run after a number of item events (0: at the
// first resource start).
type cancelAfter struct {
	NopReporter
	at     int64
	n      atomic.Int64
	cancel context.CancelFunc
}

func (c *cancelAfter) ResourceStarted(Resource) {
	if c.at == 0 {
		c.cancel()
	}
}

func (c *cancelAfter) ItemDone(ItemRef, Change, int64) {
	if c.n.Add(1) == c.at {
		c.cancel()
	}
}

// TestCancelAndResume cancels runs at several points, by item count and
// at random times, before and after the tenant changes. Each following
// complete run gives snapshots equal to the tenant and a repository that
// verifies clean.
func TestCancelAndResume(t *testing.T) {
	e := newEnv(t, smallTenant(91, 3), m365sim.Options{})
	rng := rand.New(rand.NewPCG(91, 1))
	cancelled := func(at int64, after time.Duration) {
		t.Helper()
		ctx, cancel := context.WithCancel(testCtx(t))
		defer cancel()
		rep := &cancelAfter{at: at, cancel: cancel}
		if at < 0 {
			time.AfterFunc(after, cancel)
		}
		sum, err := e.backup(ctx, BackupOptions{Workers: 2, FolderWorkers: 2, Reporter: rep})
		switch {
		case errors.Is(err, context.Canceled):
			committed := 0
			for _, r := range sum.Resources {
				switch {
				case r.Snapshot != "":
					committed++
				case r.Status != StatusCancelled:
					t.Errorf("%s %s: status %s (%s) in a cancelled run", r.Workload, r.Name, r.Status, r.Error)
				}
			}
			if sum.FailedResources != 0 {
				t.Errorf("%d failed resources in a cancelled run", sum.FailedResources)
			}
			t.Logf("cancelled at item %d / after %v: %d items done, %d snapshots committed", at, after, rep.n.Load(), committed)
		case err == nil:
			t.Logf("run finished before the cancel point %d / %v", at, after)
		default:
			t.Fatalf("cancelled run: %v", err)
		}
	}
	for _, at := range []int64{0, 1, 25, 140, 300} {
		cancelled(at, 0)
	}
	for range 2 {
		cancelled(-1, time.Duration(rng.IntN(300))*time.Millisecond)
	}
	e.mustBackup(BackupOptions{})
	e.checkAll()

	e.mutate(tenant.DefaultMutateOptions(13, 3))
	for _, at := range []int64{2, 20, 45} {
		cancelled(at, 0)
	}
	cancelled(-1, time.Duration(rng.IntN(100))*time.Millisecond)
	sum := e.mustBackup(BackupOptions{})
	if sum.Total.Failed != 0 {
		t.Errorf("%d failed", sum.Total.Failed)
	}
	e.checkAll()
	e.verify()
}
