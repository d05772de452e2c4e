package repo

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
)

func TestCarryOverReusesObjects(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)
	ctx := t.Context()

	files := map[string][]byte{}
	for i := range 20 {
		files[fmt.Sprintf("mail/Inbox 📥/%02d.eml", i)] = randomBytes(uint64(i), 50_000+i)
	}

	files["mail/Archive/2025/old.eml"] = randomBytes(100, 200_000)
	files["drive/big.bin"] = randomBytes(101, 9<<20) // several chunks: an indirect object

	first := writeSnapshot(t, r, testSource, files, SnapshotOptions{})

	before, err := r.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}

	w, err := r.NewSnapshot(ctx, testSource, SnapshotOptions{Previous: &first.ID})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()

	for p := range files {
		if p == "mail/Archive/2025/old.eml" {
			continue // carried with its folder below
		}

		ok, err := w.CarryOver(ctx, p)
		if err != nil || !ok {
			t.Fatalf("CarryOver(%q) = %v, %v", p, ok, err)
		}
	}

	if ok, err := w.CarryOverTree(ctx, "mail/Archive"); err != nil || !ok {
		t.Fatalf("CarryOverTree(mail/Archive) = %v, %v", ok, err)
	}

	for _, tc := range []struct {
		name  string
		carry func() (bool, error)
		ok    bool
		err   error
	}{
		{"missing file", func() (bool, error) { return w.CarryOver(ctx, "mail/Inbox 📥/nope.eml") }, false, nil},
		{"missing tree", func() (bool, error) { return w.CarryOverTree(ctx, "calendar") }, false, nil},
		{"file as tree", func() (bool, error) { return w.CarryOverTree(ctx, "drive/big.bin") }, false, ErrPathConflict},
		{"tree as file", func() (bool, error) { return w.CarryOver(ctx, "mail/Archive") }, false, ErrPathConflict},
	} {
		if ok, err := tc.carry(); ok != tc.ok || !errors.Is(err, tc.err) {
			t.Errorf("%s: got %v, %v; want %v, %v", tc.name, ok, err, tc.ok, tc.err)
		}
	}

	second, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}

	ws := w.Stats()
	t.Logf("carry-over snapshot: %+v", ws)

	if ws.Written != 0 || ws.CarriedOver != int64(len(files)) || ws.UploadedBytes > 64<<10 {
		t.Errorf("writer stats %+v: want nothing written, %d carried, only manifests uploaded", ws, len(files))
	}

	after, err := r.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}

	if after.Data != before.Data {
		t.Errorf("carry-over wrote file data: data contents %+v, before %+v", after.Data, before.Data)
	}

	if second.Root != first.Root {
		t.Errorf("an identical tree got root %s, want the first snapshot's %s (manifests are deterministic)", second.Root, first.Root)
	}

	for p := range files {
		if a, b := entryAt(t, r, first.ID, p), entryAt(t, r, second.ID, p); a.ObjectID != b.ObjectID || !a.ModTime.Equal(b.ModTime) {
			t.Errorf("%q: object %s at %v, want %s at %v", p, b.ObjectID, b.ModTime, a.ObjectID, a.ModTime)
		}
	}

	if second.CarriedOver != int64(len(files)) || second.Written != 0 {
		t.Errorf("CarriedOver = %d, Written = %d; want %d, 0", second.CarriedOver, second.Written, len(files))
	}

	equalTrees(t, readTree(t, r, second.ID), files)
}

// TestIncremental is the engine's intended use: carry the whole previous tree,
// then apply the delta (changed, new and deleted items, a renamed folder).
func TestIncremental(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)
	ctx := t.Context()

	files := map[string][]byte{}
	for f := range 3 {
		for i := range 5 {
			files[fmt.Sprintf("mail/folder-%d/%d.eml", f, i)] = randomBytes(uint64(f*10+i), 10_000)
		}
	}

	first := writeSnapshot(t, r, testSource, files, SnapshotOptions{})

	w, err := r.NewSnapshot(ctx, testSource, SnapshotOptions{Previous: &first.ID})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()

	if ok, err := w.CarryOverTree(ctx, ""); err != nil || !ok {
		t.Fatalf("CarryOverTree(root) = %v, %v", ok, err)
	}

	want := maps.Clone(files)
	changed := []byte("changed body")

	if err := w.WriteFile(ctx, "mail/folder-1/2.eml", strings.NewReader(string(changed)), testT0); err != nil {
		t.Fatal(err)
	}

	want["mail/folder-1/2.eml"] = changed

	if err := w.WriteFile(ctx, "mail/folder-1/new.eml", strings.NewReader("new"), testT0); err != nil {
		t.Fatal(err)
	}

	want["mail/folder-1/new.eml"] = []byte("new")

	if ok, err := w.Remove(ctx, "mail/folder-0/3.eml"); err != nil || !ok {
		t.Fatalf("Remove = %v, %v", ok, err)
	}

	delete(want, "mail/folder-0/3.eml")

	// folder-2 renamed to "Renamed": its items move by reference.
	if ok, err := w.Remove(ctx, "mail/folder-2"); err != nil || !ok {
		t.Fatalf("Remove folder = %v, %v", ok, err)
	}

	if ok, err := w.CarryOverFrom(ctx, "mail/folder-2", "mail/Renamed"); err != nil || !ok {
		t.Fatalf("CarryOverFrom = %v, %v", ok, err)
	}

	for p := range files {
		if rest, ok := strings.CutPrefix(p, "mail/folder-2/"); ok {
			delete(want, p)
			want["mail/Renamed/"+rest] = files[p]
		}
	}

	// Nothing this writer streamed is in the index before Commit.
	statsBefore, err := r.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}

	second, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}

	equalTrees(t, readTree(t, r, second.ID), want)
	equalTrees(t, readTree(t, r, first.ID), files) // the previous snapshot is untouched

	// Untouched and moved items keep their objects; only the two written
	// items added data.
	for from, to := range map[string]string{"mail/folder-0/1.eml": "mail/folder-0/1.eml", "mail/folder-2": "mail/Renamed"} {
		if a, b := entryAt(t, r, first.ID, from), entryAt(t, r, second.ID, to); a.ObjectID != b.ObjectID {
			t.Errorf("%s -> %s changed object: %s -> %s", from, to, a.ObjectID, b.ObjectID)
		}
	}

	statsAfter, err := r.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}

	if n := statsAfter.Data.Count - statsBefore.Data.Count; n != 2 {
		t.Errorf("incremental added %d data contents, want 2 (the changed and the new item)", n)
	}
}

// TestCarryOverTreeMerges checks that entries written before CarryOverTree
// of their folder win over the previous snapshot's.
func TestCarryOverTreeMerges(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)
	ctx := t.Context()

	first := writeSnapshot(t, r, testSource, map[string][]byte{
		"mail/Inbox/a.eml": []byte("old a"), "mail/Inbox/b.eml": []byte("old b"), "mail/Inbox/Sub/c.eml": []byte("old c"),
	}, SnapshotOptions{})

	w, err := r.NewSnapshot(ctx, testSource, SnapshotOptions{Previous: &first.ID})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()

	for p, body := range map[string]string{"mail/Inbox/a.eml": "new a", "mail/Inbox/Sub/d.eml": "new d"} {
		if err := w.WriteFile(ctx, p, strings.NewReader(body), testT0); err != nil {
			t.Fatal(err)
		}
	}

	if ok, err := w.CarryOverTree(ctx, "mail/Inbox"); err != nil || !ok {
		t.Fatalf("CarryOverTree = %v, %v", ok, err)
	}

	info, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}

	equalTrees(t, readTree(t, r, info.ID), map[string][]byte{
		"mail/Inbox/a.eml": []byte("new a"), "mail/Inbox/b.eml": []byte("old b"),
		"mail/Inbox/Sub/c.eml": []byte("old c"), "mail/Inbox/Sub/d.eml": []byte("new d"),
	})
}

func TestCarryOverWithoutPrevious(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)
	first := writeSnapshot(t, r, testSource, map[string][]byte{"a": []byte("a")}, SnapshotOptions{})

	w, err := r.NewSnapshot(t.Context(), testSource, SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()

	if ok, err := w.CarryOver(t.Context(), "a"); ok || err != nil {
		t.Errorf("CarryOver without Previous = %v, %v; want false, nil", ok, err)
	}

	other := Source{Tenant: "other-tenant", Workload: testSource.Workload, Resource: testSource.Resource}
	if _, err := r.NewSnapshot(t.Context(), other, SnapshotOptions{Previous: &first.ID}); err == nil {
		t.Error("NewSnapshot accepted a Previous snapshot of another tenant")
	}

	missing := SnapshotID("k0000000000000000")
	if _, err := r.NewSnapshot(t.Context(), testSource, SnapshotOptions{Previous: &missing}); !errors.Is(err, ErrSnapshotNotFound) {
		t.Errorf("NewSnapshot with unknown Previous: error = %v, want ErrSnapshotNotFound", err)
	}
}
