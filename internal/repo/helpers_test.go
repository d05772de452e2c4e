package repo

import (
	"bytes"
	"context"
	"io"
	"maps"
	"math/rand/v2"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/secret"
)

var testSource = Source{Tenant: "11111111-2222-3333-4444-555555555555", Workload: "exchange", Resource: "user-1"}

// testT0 is a fixed base time, so trees and manifests are reproducible.
var testT0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// testEnv is an initialised repository URL plus the options to open it.
type testEnv struct {
	url  string
	dir  string // the repository directory
	opts OpenOptions
}

func newTestEnv(t testing.TB) testEnv {
	t.Helper()

	dir := filepath.Join(t.TempDir(), "repo")
	env := testEnv{
		url:  (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String(),
		dir:  dir,
		opts: OpenOptions{ConfigDir: t.TempDir(), Hostname: "test"},
	}

	if err := Init(t.Context(), env.url, secret.New(TestPassword), InitOptions{OpenOptions: env.opts}); err != nil {
		t.Fatalf("Init: %v", err)
	}

	return env
}

func (e testEnv) open(t testing.TB) *Repository {
	t.Helper()

	r, err := Open(t.Context(), e.url, secret.New(TestPassword), e.opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}

	t.Cleanup(func() { _ = r.Close(context.Background()) })

	return r
}

// writeSnapshot writes files (path → bytes) as one snapshot and commits it.
func writeSnapshot(t testing.TB, r *Repository, src Source, files map[string][]byte, opts SnapshotOptions) SnapshotInfo {
	t.Helper()

	w, err := r.NewSnapshot(t.Context(), src, opts)
	if err != nil {
		t.Fatalf("NewSnapshot: %v", err)
	}
	defer w.Abort()

	for _, p := range slices.Sorted(maps.Keys(files)) {
		if err := w.WriteFile(t.Context(), p, bytes.NewReader(files[p]), testT0); err != nil {
			t.Fatalf("WriteFile(%q): %v", p, err)
		}
	}

	info, err := w.Commit(t.Context())
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}

	return info
}

// readTree returns every file of a snapshot, path → bytes.
func readTree(t testing.TB, r *Repository, id SnapshotID) map[string][]byte {
	t.Helper()

	got := map[string][]byte{}
	err := r.Walk(t.Context(), id, func(e Entry) error {
		if e.Type != TypeFile {
			return nil
		}

		got[e.Path] = readFile(t, r, id, e.Path)

		return nil
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}

	return got
}

func readFile(t testing.TB, r *Repository, id SnapshotID, p string) []byte {
	t.Helper()

	f, err := r.OpenFile(t.Context(), id, p)
	if err != nil {
		t.Fatalf("OpenFile(%q): %v", p, err)
	}
	defer f.Close()

	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read %q: %v", p, err)
	}

	return b
}

// entryAt returns the entry at p, failing the test if there is none.
func entryAt(t testing.TB, r *Repository, id SnapshotID, p string) Entry {
	t.Helper()

	dir, name := path.Split(p)
	ents, err := r.ReadDir(t.Context(), id, dir)
	if err != nil {
		t.Fatalf("ReadDir(%q): %v", dir, err)
	}

	for _, e := range ents {
		if e.Name == name {
			return e
		}
	}

	t.Fatalf("no entry %q in snapshot %s", p, id)

	return Entry{}
}

func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	rng := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24)})
	_, _ = rng.Read(b)

	return b
}

func equalTrees(t testing.TB, got, want map[string][]byte) {
	t.Helper()

	if len(got) != len(want) {
		t.Errorf("tree has %d files, want %d", len(got), len(want))
	}

	for p, w := range want {
		g, ok := got[p]
		switch {
		case !ok:
			t.Errorf("missing %q", p)
		case !bytes.Equal(g, w):
			t.Errorf("%q: %d bytes differ from the %d written", p, len(g), len(w))
		}
	}
}
