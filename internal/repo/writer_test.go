package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// awkwardNames are names Graph really returns, plus the edge cases of the
// path rules: emoji, scripts, spaces, dots, characters Windows forbids, and
// a name far beyond the 255-byte limit of most file systems.
var awkwardNames = []string{
	"Inbox",
	"Posteingang 📥",
	"Входящие",
	"受信トレイ",
	"صندوق الوارد",
	"  leading and trailing spaces  ",
	".hidden",
	"...three dots",
	`back\slash:colon*star?"quote"<lt>|pipe`,
	"tab\there",
	"e\u0301 (decomposed) vs é (composed)",
	"👨‍👩‍👧‍👦 family zwj",
	strings.Repeat("long-name-🦄-", 60), // ~900 bytes
}

func TestUnicodePathsRoundTrip(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)

	files := map[string][]byte{}
	for i, dir := range awkwardNames {
		for j, name := range awkwardNames {
			p := fmt.Sprintf("mail/%s/%s.eml", dir, name)
			files[p] = randomBytes(uint64(i*100+j), i*j*37) // includes empty files
		}
	}

	files["drive/"+strings.Join(awkwardNames[:6], "/")+"/deep.bin"] = randomBytes(9, 300_000)
	files[".state.json"] = []byte(`{"delta":{}}`)

	info := writeSnapshot(t, r, testSource, files, SnapshotOptions{})

	if info.Files != int64(len(files)) {
		t.Errorf("Files = %d, want %d", info.Files, len(files))
	}

	var total int64
	for _, b := range files {
		total += int64(len(b))
	}

	if info.Bytes != total {
		t.Errorf("Bytes = %d, want %d", info.Bytes, total)
	}

	equalTrees(t, readTree(t, r, info.ID), files)
}

func TestInvalidPaths(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)

	w, err := r.NewSnapshot(t.Context(), testSource, SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()

	for _, p := range []string{"", "/", "a//b", "a/./b", "../escape", "a/..", "bad\xffutf8", "nul\x00byte"} {
		if err := w.WriteFile(t.Context(), p, strings.NewReader("x"), testT0); !errors.Is(err, ErrInvalidPath) {
			t.Errorf("WriteFile(%q) error = %v, want ErrInvalidPath", p, err)
		}
	}
}

func TestPathConflicts(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)
	ctx := t.Context()

	w, err := r.NewSnapshot(ctx, testSource, SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()

	must := func(err error) {
		t.Helper()

		if err != nil {
			t.Fatal(err)
		}
	}

	must(w.WriteFile(ctx, "a/b", strings.NewReader("file"), testT0))

	if err := w.WriteFile(ctx, "a/b/c", strings.NewReader("x"), testT0); !errors.Is(err, ErrPathConflict) {
		t.Errorf("file below a file: error = %v, want ErrPathConflict", err)
	}

	if err := w.WriteFile(ctx, "a", strings.NewReader("x"), testT0); !errors.Is(err, ErrPathConflict) {
		t.Errorf("file over a directory: error = %v, want ErrPathConflict", err)
	}

	// Writing a path again replaces it; the last write wins.
	must(w.WriteFile(ctx, "a/b", strings.NewReader("second"), testT0))

	info, err := w.Commit(ctx)
	must(err)

	if got := readFile(t, r, info.ID, "a/b"); string(got) != "second" {
		t.Errorf("a/b = %q, want the second write", got)
	}

	if err := w.WriteFile(ctx, "late", strings.NewReader("x"), testT0); !errors.Is(err, ErrWriterClosed) {
		t.Errorf("WriteFile after Commit: error = %v, want ErrWriterClosed", err)
	}
}

func TestDedup(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)

	payload := randomBytes(1, 1<<20)
	files := map[string][]byte{}

	for i := range 10 {
		files[fmt.Sprintf("drive/copy-%d/attachment.bin", i)] = payload
	}

	info := writeSnapshot(t, r, testSource, files, SnapshotOptions{})

	st, err := r.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	t.Logf("logical %d bytes; stored data %d contents, %d original, %d packed bytes; metadata %d packed bytes",
		info.Bytes, st.Data.Count, st.Data.OriginalBytes, st.Data.PackedBytes, st.Metadata.PackedBytes)

	if info.Bytes != 10<<20 {
		t.Errorf("logical bytes = %d, want 10 MiB", info.Bytes)
	}

	if st.Data.PackedBytes >= 2<<20 {
		t.Errorf("10 copies of 1 MiB stored as %d packed bytes, want < 2 MiB", st.Data.PackedBytes)
	}

	ids := map[string]bool{}
	for p := range files {
		ids[entryAt(t, r, info.ID, p).ObjectID] = true
	}

	if len(ids) != 1 {
		t.Errorf("10 equal files have %d object IDs, want 1", len(ids))
	}
}

func TestCompression(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)

	mime := bytes.Repeat([]byte("Received: from mail.contoso.com by mx.fabrikam.com; Thu, 27 Nov 2026\r\n"), 20_000)
	info := writeSnapshot(t, r, testSource, map[string][]byte{"mail/Inbox/1.eml": mime}, SnapshotOptions{})

	st, err := r.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	if st.Data.PackedBytes*10 > info.Bytes {
		t.Errorf("repetitive %d bytes stored as %d, want at least 10x smaller", info.Bytes, st.Data.PackedBytes)
	}
}

func TestConcurrentWriteFile(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)
	ctx := t.Context()

	w, err := r.NewSnapshot(ctx, testSource, SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()

	const workers, perWorker = 8, 40

	want := map[string][]byte{}
	var mu sync.Mutex
	var wg sync.WaitGroup

	for g := range workers {
		wg.Go(func() {
			for i := range perWorker {
				// shared folders, so workers race on the same directories
				p := fmt.Sprintf("mail/folder-%d/sub-%d/item-%d-%d.eml", i%5, i%3, g, i)
				b := randomBytes(uint64(g*1000+i), 1000+(g*perWorker+i)*97)

				if err := w.WriteFile(ctx, p, bytes.NewReader(b), testT0.Add(time.Duration(i)*time.Minute)); err != nil {
					t.Errorf("WriteFile(%q): %v", p, err)
					return
				}

				mu.Lock()
				want[p] = b
				mu.Unlock()
			}
		})
	}

	wg.Wait()

	info, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}

	if info.Files != workers*perWorker || info.Written != workers*perWorker {
		t.Errorf("Files = %d, Written = %d, want %d", info.Files, info.Written, workers*perWorker)
	}

	equalTrees(t, readTree(t, r, info.ID), want)
}

func TestRemoveAndCloseDir(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)
	ctx := t.Context()

	w, err := r.NewSnapshot(ctx, testSource, SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()

	want := map[string][]byte{}
	for _, p := range []string{"mail/Inbox/1.eml", "mail/Inbox/2.eml", "mail/Inbox/Sub/3.eml", "mail/Sent/4.eml", "gone/5.eml"} {
		want[p] = []byte(p)
		if err := w.WriteFile(ctx, p, strings.NewReader(p), testT0); err != nil {
			t.Fatal(err)
		}
	}

	// Close a finished folder, then change it anyway: it is read back.
	if err := w.CloseDir(ctx, "mail/Inbox"); err != nil {
		t.Fatal(err)
	}

	if err := w.WriteFile(ctx, "mail/Inbox/Sub/6.eml", strings.NewReader("six"), testT0); err != nil {
		t.Fatal(err)
	}

	want["mail/Inbox/Sub/6.eml"] = []byte("six")

	for _, tc := range []struct {
		path string
		want bool
	}{
		{"mail/Inbox/2.eml", true}, // inside the closed folder
		{"gone", true},             // a whole directory
		{"mail/Inbox/2.eml", false},
		{"nowhere/x", false},
		{"mail/Sent/4.eml/below-a-file", false},
	} {
		ok, err := w.Remove(ctx, tc.path)
		if err != nil || ok != tc.want {
			t.Errorf("Remove(%q) = %v, %v; want %v", tc.path, ok, err, tc.want)
		}
	}

	delete(want, "mail/Inbox/2.eml")
	delete(want, "gone/5.eml")

	info, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}

	equalTrees(t, readTree(t, r, info.ID), want)

	if _, err := r.ReadDir(ctx, info.ID, "gone"); !errors.Is(err, ErrPathNotFound) {
		t.Errorf("ReadDir(gone) error = %v, want ErrPathNotFound", err)
	}
}

func TestSnapshotsFilterAndTags(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)

	now := testT0
	r.now = func() time.Time { now = now.Add(time.Hour); return now }

	srcs := []Source{
		testSource,
		{Tenant: testSource.Tenant, Workload: "onedrive", Resource: "drive-1"},
		{Tenant: "other-tenant", Workload: "exchange", Resource: "user-1"},
	}
	for i, src := range srcs {
		for run := range 2 {
			writeSnapshot(t, r, src, map[string][]byte{"f": {byte(i)}}, SnapshotOptions{
				Tags:        map[string]string{TagRunID: fmt.Sprintf("run-%d", run), TagResourceName: "Adele Vance"},
				Description: "test",
			})
		}
	}

	for _, tc := range []struct {
		name string
		f    Filter
		want int
	}{
		{"all", Filter{}, 6},
		{"tenant", Filter{Tenant: testSource.Tenant}, 4},
		{"workload", Filter{Workload: "exchange"}, 4},
		{"source", Filter{Tenant: testSource.Tenant, Workload: "exchange", Resource: "user-1"}, 2},
		{"tag", Filter{Tags: map[string]string{TagRunID: "run-1"}}, 3},
		{"tenant tag", Filter{Tags: map[string]string{TagTenant: "other-tenant"}}, 2},
		{"no match", Filter{Tags: map[string]string{TagRunID: "run-9"}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.Snapshots(t.Context(), tc.f)
			if err != nil {
				t.Fatal(err)
			}

			if len(got) != tc.want {
				t.Fatalf("got %d snapshots, want %d", len(got), tc.want)
			}

			for i := 1; i < len(got); i++ {
				if got[i].StartTime.Before(got[i-1].StartTime) {
					t.Errorf("not oldest first: %v before %v", got[i-1].StartTime, got[i].StartTime)
				}
			}
		})
	}

	latest, ok, err := r.Latest(t.Context(), testSource)
	if err != nil || !ok {
		t.Fatalf("Latest: %v, %v", ok, err)
	}

	wantTags := map[string]string{
		TagTenant: testSource.Tenant, TagWorkload: "exchange", TagResource: "user-1",
		TagRunID: "run-1", TagResourceName: "Adele Vance",
	}
	if !maps.Equal(latest.Tags, wantTags) || latest.Source != testSource || latest.Description != "test" {
		t.Errorf("Latest = %+v, want source %v and tags %v", latest, testSource, wantTags)
	}

	if _, ok, _ := r.Latest(t.Context(), Source{Tenant: "t", Workload: "w", Resource: "none"}); ok {
		t.Error("Latest found a snapshot of an unknown source")
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)
	info := writeSnapshot(t, r, testSource, map[string][]byte{"dir/file": []byte("x")}, SnapshotOptions{})
	ctx := t.Context()

	if _, err := r.OpenFile(ctx, info.ID, "dir/missing"); !errors.Is(err, ErrPathNotFound) {
		t.Errorf("OpenFile(missing) error = %v", err)
	}

	if _, err := r.OpenFile(ctx, info.ID, "dir"); !errors.Is(err, ErrPathNotFound) {
		t.Errorf("OpenFile(dir) error = %v", err)
	}

	if _, err := r.ReadDir(ctx, info.ID, "dir/file"); !errors.Is(err, ErrPathNotFound) {
		t.Errorf("ReadDir(file) error = %v", err)
	}

	if _, err := r.ReadDir(ctx, "k0123456789abcdef", ""); !errors.Is(err, ErrSnapshotNotFound) {
		t.Errorf("ReadDir(unknown snapshot) error = %v", err)
	}

	f, err := r.OpenFile(ctx, info.ID, "/dir/file")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	if _, err := f.Seek(0, 0); err != nil {
		t.Errorf("Seek: %v", err)
	}
}

// failingReader returns some bytes, then an error, like a Graph download
// that breaks off.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset by peer")
	}

	n := min(len(p), f.n)
	f.n -= n

	return n, nil
}

func TestWriteFileFailureLeavesWriterUsable(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)

	w, err := r.NewSnapshot(t.Context(), testSource, SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()

	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	if err := w.WriteFile(ctx, "cancelled.eml", strings.NewReader("x"), testT0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled WriteFile: error = %v, want context.Canceled", err)
	}

	if err := w.WriteFile(t.Context(), "broken.eml", &failingReader{n: 3 << 20}, testT0); err == nil || !strings.Contains(err.Error(), "broken.eml") {
		t.Errorf("failed stream: error = %v, want one naming the path", err)
	}

	if err := w.WriteFile(t.Context(), "good.eml", strings.NewReader("fine"), testT0); err != nil {
		t.Fatal(err)
	}

	info, err := w.Commit(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	equalTrees(t, readTree(t, r, info.ID), map[string][]byte{"good.eml": []byte("fine")})
}

func TestListingOrder(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)
	info := writeSnapshot(t, r, testSource, map[string][]byte{
		"b.txt": nil, "a/x": nil, "c/y": nil, "A.txt": nil, "é.txt": nil, "c/d/z": nil,
	}, SnapshotOptions{})

	for range 5 { // map order would show within a few tries
		var got []string
		err := r.Walk(t.Context(), info.ID, func(e Entry) error {
			got = append(got, e.Path)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		want := []string{"a", "a/x", "c", "c/d", "c/d/z", "c/y", "A.txt", "b.txt", "é.txt"}
		if !slices.Equal(got, want) {
			t.Fatalf("Walk order = %q, want %q", got, want)
		}
	}

	var files []string
	err := r.Walk(t.Context(), info.ID, func(e Entry) error {
		if e.Path == "c" {
			return fs.SkipDir
		}

		files = append(files, e.Path)

		return nil
	})
	if err != nil || slices.Contains(files, "c/y") {
		t.Errorf("SkipDir: walked %q, %v", files, err)
	}
}
