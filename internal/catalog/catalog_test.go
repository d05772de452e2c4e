package catalog

import (
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/repo"
)

func TestIndexMatchesTenant(t *testing.T) {
	e := newEnv(t, m365sim.Options{Users: 2, Seed: 21, MessagesPerUser: 25, FilesPerUser: 15})
	e.BackupAll()
	c := openCatalog(t, "")
	if _, err := c.Find(testCtx(t), Query{}); !errors.Is(err, ErrEmpty) {
		t.Fatalf("find in an empty catalog: %v, want ErrEmpty", err)
	}
	res := mustIndex(t, c, e.R)
	snaps, _ := e.R.Snapshots(testCtx(t), repo.Filter{})
	if res.Indexed != len(snaps) || res.Items == 0 {
		t.Fatalf("indexed %d snapshots with %d items; the repository has %d snapshots", res.Indexed, res.Items, len(snaps))
	}

	truth := e.truth()
	got := byID(t, find(t, c, Query{}))
	for id, want := range truth {
		g, ok := got[id]
		switch {
		case !ok:
			t.Errorf("%s %s %q of %s not found", want.kind, id, want.name, want.user)
		case g.Kind.String() != want.kind || g.Name != want.name || g.User != want.user:
			t.Errorf("item %s: %s %q of %s, want %s %q of %s", id, g.Kind, g.Name, g.User, want.kind, want.name, want.user)
		case (want.kind == "message" || want.kind == "event") && !strings.Contains(strings.ToLower(g.From), strings.ToLower(want.from)):
			t.Errorf("message %s: from %q, want %q", id, g.From, want.from)
		case want.kind == "message" && (g.Size == 0 || g.Date.IsZero()):
			t.Errorf("message %s: size %d, date %v", id, g.Size, g.Date)
		}
	}
	for id, g := range got {
		if _, ok := truth[id]; !ok && !(g.Kind == KindFolder && g.Workload == "mail") {
			t.Errorf("found %s %s %q of %s that the tenant does not have", g.Kind, id, g.Name, g.Workload)
		}
	}

	// Pick a message and a file to search for.
	var msg, file Result
	for _, g := range got {
		if g.Kind == KindMessage && len(firstWord(g.Name)) >= 4 && msg.ID == "" {
			msg = g
		}
		if g.Kind == KindFile && len(firstWord(g.Name)) >= 3 && file.ID == "" {
			file = g
		}
	}
	word := firstWord(msg.Name)
	check := func(q Query, wantID string, ok func(Result) bool) {
		t.Helper()
		res := find(t, c, q)
		if !slices.ContainsFunc(res, func(r Result) bool { return r.ID == wantID }) {
			t.Errorf("find %+v: %d results without %s", q, len(res), wantID)
		}
		for _, r := range res {
			if !ok(r) {
				t.Errorf("find %+v: unexpected %s %q from %q", q, r.Kind, r.Name, r.From)
			}
		}
	}
	contains := func(s, sub string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(sub)) }
	check(Query{Subject: strings.ToUpper(word[:len(word)-1])}, msg.ID, func(r Result) bool {
		return (r.Kind == KindMessage || r.Kind == KindEvent) && contains(r.Name, word[:len(word)-1])
	})
	addr := truth[msg.ID].from
	check(Query{From: addr}, msg.ID, func(r Result) bool { return contains(r.From, addr) })
	check(Query{Name: firstWord(file.Name)}, file.ID, func(r Result) bool {
		return r.Kind != KindMessage && contains(r.Name, firstWord(file.Name))
	})
	check(Query{After: msg.Date, Before: msg.Date.Add(time.Second), Kinds: []Kind{KindMessage}}, msg.ID, func(r Result) bool {
		return r.Date.Equal(msg.Date)
	})
	check(Query{User: strings.ToUpper(msg.User), Kinds: []Kind{KindMessage}}, msg.ID, func(r Result) bool { return r.User == msg.User })
	check(Query{Snapshot: msg.Snapshot[:8]}, msg.ID, func(r Result) bool { return r.Snapshot == msg.Snapshot })
	if n := len(find(t, c, Query{Limit: 3})); n != 3 {
		t.Errorf("limit 3: %d results", n)
	}

	// Indexing again adds nothing.
	before, _ := c.Stats(testCtx(t))
	if again := mustIndex(t, c, e.R); again.Indexed != 0 || again.Pruned != 0 {
		t.Errorf("second index: %+v", again)
	}
	after, _ := c.Stats(testCtx(t))
	if before.Rows != after.Rows || before.Snapshots != after.Snapshots {
		t.Errorf("second index changed the catalog: %+v, then %+v", before, after)
	}

	for _, q := range []Query{{Subject: "!!"}, {Subject: "a", Name: "b"}, {Snapshot: "ab"}, {Snapshot: "zzzzzz"},
		{After: msg.Date, Before: msg.Date}} {
		if _, err := c.Find(testCtx(t), q); !errors.Is(err, ErrBadQuery) {
			t.Errorf("find %+v: %v, want ErrBadQuery", q, err)
		}
	}
}

// TestIncrementalRebuildForget indexes two backups with activity in
// between, and checks the catalog against a rebuild from scratch after each
// step, and after forgetting the first backup's snapshots.
func TestIncrementalRebuildForget(t *testing.T) {
	e := newEnv(t, m365sim.Options{Users: 2, Seed: 22, MessagesPerUser: 25, FilesPerUser: 15})
	e.BackupAll()
	c := openCatalog(t, "")
	res0 := mustIndex(t, c, e.R)
	first := byID(t, find(t, c, Query{}))
	s1, _ := c.Stats(testCtx(t))

	e.Mutate(tenant.MutateOptions{Seed: 5, NewMessages: 6, MovedMessages: 3, DeletedMessages: 2, RenamedFolders: 1,
		NewFiles: 3, ChangedFiles: 2, RenamedFiles: 2, MovedFiles: 1, DeletedFiles: 2, RenamedDriveFolders: 1})
	e.BackupAll()
	nsnaps := len(res0.Snapshot)
	res := mustIndex(t, c, e.R)
	if res.Indexed != nsnaps || res.Read >= res.Items/2 {
		t.Errorf("incremental index: %+v; want %d snapshots and few items read", res, nsnaps)
	}
	s2, _ := c.Stats(testCtx(t))
	t.Logf("rows: %d after the first backup, %d after the second (%d items)", s1.Rows, s2.Rows, s2.Items)

	truth := e.truth()
	latest := map[string]string{} // user/workload -> latest snapshot
	snaps, _ := e.R.Snapshots(testCtx(t), repo.Filter{})
	for _, s := range snaps {
		latest[s.Source.Workload+"/"+s.Source.Resource] = string(s.ID)
	}
	got := byID(t, find(t, c, Query{}))
	for id, g := range got {
		want, now := truth[id]
		isLatest := latest[sourceKey(g)] == g.Snapshot
		switch {
		case now && (!isLatest || g.Name != want.name):
			t.Errorf("current %s %q (%s): found %q in snapshot %s, want the latest", g.Kind, want.name, id, g.Name, g.Snapshot)
		case !now && g.Kind != KindFolder && isLatest:
			t.Errorf("deleted %s %q found in the latest snapshot", g.Kind, g.Name)
		case !now && g.Kind != KindFolder && first[id].Snapshot != g.Snapshot:
			t.Errorf("deleted %s %q found in snapshot %s, want %s", g.Kind, g.Name, g.Snapshot, first[id].Snapshot)
		}
	}
	for id := range truth {
		if _, ok := got[id]; !ok {
			t.Errorf("item %s %q missing", id, truth[id].name)
		}
	}
	// A snapshot's own listing equals the tenant's for its user.
	for _, id := range latest {
		for _, r := range find(t, c, Query{Snapshot: id}) {
			if _, ok := truth[r.ID]; !ok && !(r.Kind == KindFolder && r.Workload == "mail") {
				t.Errorf("snapshot %s lists %s %q that the tenant no longer has", id, r.Kind, r.Name)
			}
		}
	}
	all := find(t, c, Query{AllSnapshots: true})
	if len(all) <= len(got) {
		t.Errorf("all snapshots: %d results, latest only: %d", len(all), len(got))
	}
	sameAsRebuild(t, e, c)

	// Forget the first backup.
	if _, err := e.R.Forget(testCtx(t), repo.Policy{KeepLast: 1}, repo.ForgetOptions{}); err != nil {
		t.Fatal(err)
	}
	res = mustIndex(t, c, e.R)
	if res.Pruned != nsnaps || res.Indexed != 0 {
		t.Errorf("index after forget: %+v, want %d pruned", res, nsnaps)
	}
	for id, g := range byID(t, find(t, c, Query{})) {
		if _, ok := truth[id]; !ok && g.Kind != KindFolder {
			t.Errorf("%s %q of a forgotten snapshot is still found", g.Kind, g.Name)
		}
	}
	for _, old := range first {
		if _, err := c.Find(testCtx(t), Query{Snapshot: old.Snapshot}); !errors.Is(err, ErrBadQuery) {
			t.Fatalf("forgotten snapshot %s: %v", old.Snapshot, err)
		}
		break
	}
	sameAsRebuild(t, e, c)
}

func sourceKey(r Result) string {
	w := "exchange-" + r.Workload
	if r.Workload == "onedrive" {
		w = "onedrive"
	}
	return w + "/" + r.UserID
}

// sameAsRebuild checks that c answers as a catalog rebuilt from scratch,
// at a new path, and that deleting that one and rebuilding it again gives
// the same answers too.
func sameAsRebuild(t *testing.T, e *env, c *Catalog) {
	t.Helper()
	fresh := openCatalog(t, "")
	if _, err := fresh.Rebuild(testCtx(t), e.R); err != nil {
		t.Fatal(err)
	}
	for _, q := range []Query{{}, {AllSnapshots: true}, {Kinds: []Kind{KindFile}}} {
		want, got := find(t, fresh, q), find(t, c, q)
		if !reflect.DeepEqual(want, got) {
			t.Errorf("find %+v: %d results, a rebuilt catalog gives %d", q, len(got), len(want))
			for i := range min(len(want), len(got)) {
				if !reflect.DeepEqual(want[i], got[i]) {
					t.Fatalf("first difference:\n got %+v\nwant %+v", got[i], want[i])
				}
			}
		}
	}
	// Losing the database loses nothing.
	path := fresh.Path()
	fresh.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
	again := openCatalog(t, path)
	if _, err := again.Rebuild(testCtx(t), e.R); err != nil {
		t.Fatal(err)
	}
	if want, got := find(t, c, Query{}), find(t, again, Query{}); !reflect.DeepEqual(want, got) {
		t.Errorf("after deleting the database and rebuilding: %d results, want %d", len(got), len(want))
	}
}

// TestForeignSnapshotsSkipped: snapshots DataGuard did not write (other
// products' config snapshots, say) are recorded as skipped and not opened
// again.
func TestForeignSnapshotsSkipped(t *testing.T) {
	r := repo.TestRepository(t)
	w, err := r.NewSnapshot(testCtx(t), repo.Source{Tenant: "t", Workload: "tenant-config", Resource: "r"}, repo.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFile(testCtx(t), "policy.json", strings.NewReader("{}"), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	c := openCatalog(t, "")
	if res := mustIndex(t, c, r); res.Skipped != 1 || res.Indexed != 0 {
		t.Fatalf("first index: %+v", res)
	}
	if res := mustIndex(t, c, r); res.Skipped != 0 {
		t.Fatalf("second index opened the foreign snapshot again: %+v", res)
	}
	var n int
	c.db.QueryRow(`SELECT count(*) FROM skipped`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d skipped rows", n)
	}
}

// TestLateSnapshotReindexesSource: indexing an older snapshot after a
// newer one of the same source (explicit ids, or one committed late)
// re-indexes the source in time order.
func TestLateSnapshotReindexesSource(t *testing.T) {
	e := newEnv(t, m365sim.Options{Users: 1, Seed: 23, MessagesPerUser: 10, FilesPerUser: 5})
	e.BackupAll()
	e.Mutate(tenant.MutateOptions{Seed: 6, NewMessages: 3, DeletedMessages: 1, NewFiles: 2, DeletedFiles: 1})
	e.BackupAll()
	snaps, _ := e.R.Snapshots(testCtx(t), repo.Filter{})
	var newer, older []repo.SnapshotID
	for i, s := range snaps {
		if i < len(snaps)/2 {
			older = append(older, s.ID)
		} else {
			newer = append(newer, s.ID)
		}
	}
	c := openCatalog(t, "")
	mustIndex(t, c, e.R, newer...)
	mustIndex(t, c, e.R, older...)
	sameAsRebuild(t, e, c)
}
