package repo

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// TestDirCacheLookups reads every file of two snapshots through a cache
// far smaller than the tree, so that directories are evicted and loaded
// again, and checks each file's bytes; a directory larger than the whole
// cache is used without being kept.
func TestDirCacheLookups(t *testing.T) {
	t.Parallel()
	r := TestRepository(t)
	r.dirs = newDirCache(8)
	a, b := map[string][]byte{}, map[string][]byte{}
	for i := range 12 {
		a[fmt.Sprintf("mail/F%d/%d.eml", i%3, i)] = []byte(fmt.Sprintf("message %d", i))
		b[fmt.Sprintf("big/%02d", i)] = []byte(fmt.Sprintf("file %d", i))
	}
	sa := writeSnapshot(t, r, testSource, a, SnapshotOptions{})
	sb := writeSnapshot(t, r, testSource, b, SnapshotOptions{})
	for round := range 2 {
		for _, tc := range []struct {
			id    SnapshotID
			files map[string][]byte
		}{{sa.ID, a}, {sb.ID, b}} {
			for p, want := range tc.files {
				f, err := r.OpenFile(t.Context(), tc.id, p)
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				got, err := io.ReadAll(f)
				f.Close()
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("round %d: %s = %q, %v; want %q", round, p, got, err, want)
				}
			}
			if _, err := r.OpenFile(t.Context(), tc.id, "mail/F0/missing.eml"); err == nil {
				t.Fatal("a missing file opened")
			}
		}
	}
	big := mustFind(t, r, sb.ID, "big")
	r.dirs.mu.Lock()
	defer r.dirs.mu.Unlock()
	if r.dirs.entries > 8 || r.dirs.entries != func() int {
		n := 0
		for el := r.dirs.lru.Front(); el != nil; el = el.Next() {
			n += len(el.Value.(*cachedDir).ents)
		}
		return n
	}() {
		t.Errorf("cache holds %d entries (bound 8), inconsistent with its list", r.dirs.entries)
	}
	if _, ok := r.dirs.byID[big]; ok {
		t.Error("a 12-entry directory was kept in an 8-entry cache")
	}
}

func mustFind(t *testing.T, r *Repository, id SnapshotID, p string) string {
	t.Helper()
	de, _, err := r.find(t.Context(), id, p)
	if err != nil {
		t.Fatal(err)
	}
	return de.ObjectID.String()
}

// BenchmarkOpenFileInLargeFolder opens every file of a 20,000-file folder
// one by one, as restore and export do.
func BenchmarkOpenFileInLargeFolder(b *testing.B) {
	r := TestRepository(b)
	files := map[string][]byte{}
	for i := range 20000 {
		files[fmt.Sprintf("mail/Inbox/%05d.eml", i)] = []byte{byte(i)}
	}
	s := writeSnapshot(b, r, testSource, files, SnapshotOptions{})
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	b.ResetTimer()
	for i := range b.N {
		f, err := r.OpenFile(b.Context(), s.ID, paths[i%len(paths)])
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
