package restore

import (
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
)

// TestMailRoundTrip backs up a mailbox twice, with a day of activity in
// between (and with a message whose attachment
// needs an upload session, and one without internetMessageId), restores
// the second snapshot to another user and compares every message; a second run changes
// nothing.
func TestMailRoundTrip(t *testing.T) {
	e := newEnv(t, smallTenant(11, 2), m365sim.Options{})
	us := e.users()
	src, dst := us[0], us[1]
	e.addBigMessage(src.ID, "Q1 report", 3_500_000, false)
	e.addBigMessage(src.ID, "No id here", 1000, true)
	e.backup(dataguard.WorkloadMail, src.ID)
	e.mutate(2)
	snaps := e.backup(dataguard.WorkloadMail, src.ID) // an incremental snapshot
	want := e.mailTree(src.ID, nil)
	total := 0
	for _, ms := range want {
		total += len(ms)
	}

	e.resetStats()
	sum := e.restore(Request{Snapshots: snaps, Target: Target{User: dst.UPN}})
	r := sum.Resources[0]
	if r.Destination == "" || !strings.HasPrefix(r.Destination, "Restored from "+src.UPN) {
		t.Fatalf("destination %q", r.Destination)
	}
	if r.Created != r.Selected || r.Failed != 0 || r.Created != int64(total) {
		t.Fatalf("restore counts: %+v", r.Counts)
	}
	if n := e.endpointRequests("attachments/createUploadSession"); n != 1 {
		t.Errorf("%d attachment upload sessions, want 1", n)
	}
	got := e.mailTree(dst.ID, strings.Split(r.Destination, "/"))
	compareMail(t, want, got)
	t.Logf("restored %d messages into %d folders with %d requests in %.1fs", r.Created, r.FoldersCreated, sum.Graph.Requests, sum.Seconds)

	// Again: everything is there already.
	sum = e.restore(Request{Snapshots: snaps, Target: Target{User: dst.UPN}})
	r2 := sum.Resources[0]
	if r2.Created != 0 || r2.Skipped != r.Created || r2.FoldersCreated != 0 {
		t.Fatalf("second run: %+v", r2.Counts)
	}
	compareMail(t, want, e.mailTree(dst.ID, strings.Split(r.Destination, "/")))
}

// TestDriveRoundTrip restores an incremental OneDrive snapshot to another
// user: paths, content
// and timestamps match, a large file goes through an upload session, and
// a second run uploads nothing.
func TestDriveRoundTrip(t *testing.T) {
	e := newEnv(t, smallTenant(12, 2), m365sim.Options{})
	us := e.users()
	src, dst := us[0], us[1]
	e.addFile(src.ID, "Projects/2024", "big.bin", int(smallUploadMax)+700_000)
	e.addFile(src.ID, "Projects", "empty.txt", 0)
	e.backup(dataguard.WorkloadOneDrive, src.ID)
	e.mutate(2)
	snaps := e.backup(dataguard.WorkloadOneDrive, src.ID) // an incremental snapshot
	want := e.driveTree(src.ID, nil)

	e.resetStats()
	sum := e.restore(Request{Snapshots: snaps, Target: Target{User: dst.UPN}, Folder: "From backup/" + src.UPN})
	r := sum.Resources[0]
	if r.Created != int64(len(want)) || r.Failed != 0 {
		t.Fatalf("restore counts %+v, want %d created", r.Counts, len(want))
	}
	if n := e.endpointRequests("createUploadSession"); n != 1 {
		t.Errorf("%d upload sessions, want 1", n)
	}
	got := e.driveTree(dst.ID, []string{"From backup", src.UPN})
	if !jsonEqual(want, got) {
		t.Fatalf("restored drive differs:\nwant %v\ngot  %v", want, got)
	}
	sum = e.restore(Request{Snapshots: snaps, Target: Target{User: dst.UPN}, Folder: "From backup/" + src.UPN})
	if r2 := sum.Resources[0]; r2.Skipped != r.Created || r2.Created+r2.FoldersCreated != 0 || r2.Bytes != 0 {
		t.Fatalf("second run: %+v", r2.Counts)
	}
}

// TestCollisionModes restores a mailbox and a OneDrive twice into the same
// place: skip leaves everything, copy doubles it, replace keeps one of
// each; a dry run before each second run predicts it without writing.
func TestCollisionModes(t *testing.T) {
	for _, tc := range []struct {
		mode  Collision
		times int // copies of each item after the second run
	}{{CollisionSkip, 1}, {CollisionCopy, 2}, {CollisionReplace, 1}} {
		t.Run(string(tc.mode), func(t *testing.T) {
			e := newEnv(t, smallTenant(13, 2), m365sim.Options{})
			us := e.users()
			src, dst := us[0], us[1]
			e.addBigMessage(src.ID, "No id", 100, true)
			snaps := append(e.backup(dataguard.WorkloadMail, src.ID), e.backup(dataguard.WorkloadOneDrive, src.ID)...)
			req := Request{Snapshots: snaps, Target: Target{User: dst.UPN}, Folder: "Restore"}
			first := e.restore(req)
			n := first.Total.Created
			req.Collision = tc.mode

			e.resetStats()
			req.DryRun = true
			plan := e.restore(req)
			if w := e.writes(); w != 0 {
				t.Fatalf("dry run made %d write requests: %+v", w, e.L.Stats().Endpoints)
			}
			req.DryRun = false
			second := e.restore(req)
			p, s := plan.Total, second.Total
			p.Bytes, s.Bytes = 0, 0
			if p != s {
				t.Errorf("plan %+v, run %+v", p, s)
			}
			var wantCounts Counts
			switch tc.mode {
			case CollisionSkip:
				wantCounts.Skipped = n
			case CollisionCopy:
				wantCounts.Copied = n
			case CollisionReplace:
				// Files with the same content are only checked; messages
				// are created anew and the old ones deleted.
				wantCounts.Replaced, wantCounts.Unchanged = second.Resources[0].Selected, second.Resources[1].Selected
			}
			// Another user's drive gets none of the source's sharing.
			wantCounts.SharingSkipped = first.Total.SharingSkipped
			if s != wantCounts {
				t.Errorf("second run %+v, want %+v", s, wantCounts)
			}
			mail := e.mailTree(dst.ID, []string{"Restore"})
			for p, ms := range e.mailTree(src.ID, nil) {
				if len(mail[p]) != tc.times*len(ms) {
					t.Errorf("folder %s: %d messages, want %d", p, len(mail[p]), tc.times*len(ms))
				}
			}
			files := e.driveTree(dst.ID, []string{"Restore"})
			if want := tc.times * len(e.driveTree(src.ID, nil)); len(files) != want {
				t.Errorf("%d files, want %d", len(files), want)
			}
		})
	}
}

// deleteMailFolder deletes a user-created folder holding messages, with
// everything in it, and returns its path.
func (e *env) deleteMailFolder(user string) string {
	e.TB.Helper()
	var path string
	t := e.tenant()
	t.Write(func() error {
		mb := t.User(user).Mailbox
		root := mb.WellKnown["msgfolderroot"]
		for _, f := range mb.FolderList {
			if f.WellKnown != "" || f.Hidden || f.Deleted || f.Count == 0 || len(mb.ChildFolders(f.ID)) > 0 {
				continue
			}
			var names []string
			ok := false
			for p := f; p != nil; p = mb.Folders[p.ParentID] {
				if p.ID == root {
					ok = true
					break
				}
				if p.Hidden {
					break
				}
				names = append([]string{p.Props["displayName"].(string)}, names...)
			}
			if !ok {
				continue
			}
			for key, m := range mb.Messages {
				if key == m.ImmutableID && m.FolderID == f.ID {
					t.DeleteMessage(mb, m)
				}
			}
			f.Deleted = true
			f.Version = t.NextSeq()
			mb.FoldersLog.Record(f.Version, f.ID, true, "deleted")
			path = strings.Join(names, "/")
			return nil
		}
		return nil
	})
	if path == "" {
		e.TB.Fatal("no folder to delete")
	}
	return path
}

// TestRestoreToOriginal is the incident case: a mail folder is deleted and
// a OneDrive is hit by ransomware (files encrypted in place and renamed);
// both come back from the snapshot before, into the original mailbox and
// drive.
func TestRestoreToOriginal(t *testing.T) {
	e := newEnv(t, smallTenant(14, 1), m365sim.Options{})
	u := e.users()[0]
	before := append(e.backup(dataguard.WorkloadMail, u.ID), e.backup(dataguard.WorkloadOneDrive, u.ID)...)
	wantMail := e.mailTree(u.ID, nil)
	wantFiles := e.driveTree(u.ID, nil)

	folder := e.deleteMailFolder(u.ID)
	var lost string // a message deleted from the Inbox, restored by id
	tt := e.tenant()
	tt.Write(func() error {
		mb := tt.User(u.ID).Mailbox
		for key, m := range mb.Messages {
			if key == m.ImmutableID && m.FolderID == mb.WellKnown["inbox"] {
				lost = m.ImmutableID
				tt.DeleteMessage(mb, m)
				return nil
			}
		}
		return nil
	})
	var res struct{ Files int }
	if err := e.L.Control("POST", "ransomware", map[string]any{"user": u.UPN}, &res); err != nil || res.Files == 0 {
		t.Fatalf("ransomware: %v (%d files)", err, res.Files)
	}
	e.backup(dataguard.WorkloadMail, u.ID)
	e.backup(dataguard.WorkloadOneDrive, u.ID)
	if _, ok := e.mailTree(u.ID, nil)[folder]; ok {
		t.Fatalf("folder %s not deleted", folder)
	}

	// The folder, by path, into the original mailbox.
	sum := e.restore(Request{Snapshots: before[:1], Paths: []string{strings.ToUpper(folder)}})
	if r := sum.Resources[0]; r.Created != int64(len(wantMail[folder])) || r.FoldersCreated != 1 {
		t.Fatalf("folder restore: %+v, want %d messages", r.Counts, len(wantMail[folder]))
	}
	sum = e.restore(Request{Snapshots: before[:1], Items: []string{lost}})
	if r := sum.Resources[0]; r.Created != 1 || r.Selected != 1 || r.FoldersCreated != 0 {
		t.Fatalf("message restore: %+v", r.Counts)
	}
	compareMail(t, wantMail, e.mailTree(u.ID, nil))

	// The drive, replacing the encrypted files; the plan predicts it.
	plan := e.restore(Request{Snapshots: before[1:], Collision: CollisionReplace, DryRun: true})
	sum = e.restore(Request{Snapshots: before[1:], Collision: CollisionReplace})
	if plan.Total != sum.Total {
		t.Errorf("plan %+v, run %+v", plan.Total, sum.Total)
	}
	if r := sum.Resources[0]; r.Replaced != int64(res.Files) || r.Unchanged != r.Selected-r.Replaced || r.Failed != 0 {
		t.Fatalf("drive restore: %+v after %d files were encrypted", r.Counts, res.Files)
	}
	got := e.driveTree(u.ID, nil)
	delete(got, "README-RESTORE-FILES.txt") // the ransom note is not in the snapshot
	if !jsonEqual(wantFiles, got) {
		t.Fatalf("drive after restore differs:\nwant %v\ngot  %v", wantFiles, got)
	}
}

// TestRestoreUnderFaults restores a mailbox and a OneDrive to another user
// while 30 % of Graph requests fail (429, 503, reset connections, cut-off
// answers): the restore completes, nothing is lost or duplicated.
func TestRestoreUnderFaults(t *testing.T) {
	gen := smallTenant(15, 2)
	gen.MessagesPerUser, gen.FilesPerUser = 12, 8
	e := newEnv(t, gen, m365sim.Options{}, func(o *graph.Options) { o.MinRate = 50 })
	us := e.users()
	src, dst := us[0], us[1]
	e.addBigMessage(src.ID, "Big one", 3_200_000, false)
	e.addBigMessage(src.ID, "Anonymous", 100, true)
	e.addFile(src.ID, "Large", "big.bin", int(smallUploadMax)+100_000)
	snaps := append(e.backup(dataguard.WorkloadMail, src.ID), e.backup(dataguard.WorkloadOneDrive, src.ID)...)
	wantMail, wantFiles := e.mailTree(src.ID, nil), e.driveTree(src.ID, nil)

	// 30 % in all. Connection faults outnumber status answers: they are
	// the ambiguous ones for writes (did the create happen?), and every
	// status answer carries a Retry-After of a whole second.
	faults := limits.FaultConfig{Seed: 5, Rate429: 0.05, Rate503: 0.05, Rate504: 0.05, ResetRate: 0.075, TruncateRate: 0.075,
		RetryAfter: 10 * time.Millisecond, Paths: []string{"/v1.0/", "/_upload/"}}
	if err := e.L.SetFaults(faults); err != nil {
		t.Fatal(err)
	}
	old := retryBase
	retryBase = 50 * time.Millisecond // as the client's own backoff in newEnv
	t.Cleanup(func() { retryBase = old })
	e.resetStats()
	sum := e.restore(Request{Snapshots: snaps, Target: Target{User: dst.UPN}, Folder: "Restore"})
	if err := e.L.SetFaults(limits.FaultConfig{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("under faults: %+v; %d requests, %d retries, %d throttled; %d message listings (lookups after uncertain creates included)",
		sum.Total, sum.Graph.Requests, sum.Graph.Retries, sum.Graph.Throttled, e.endpointRequests("GET /users/{user}/mailFolders/{folder}/messages"))
	if sum.Graph.Retries < 10 {
		t.Fatalf("only %d retries: the faults did not apply", sum.Graph.Retries)
	}
	compareMail(t, wantMail, e.mailTree(dst.ID, []string{"Restore"}))
	if got := e.driveTree(dst.ID, []string{"Restore"}); !jsonEqual(wantFiles, got) {
		t.Fatalf("restored drive differs:\nwant %v\ngot  %v", wantFiles, got)
	}
}
