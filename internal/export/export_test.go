package export

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/dataguard/dataguardtest"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/repo"
)

func hash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// views opens the latest snapshot of each workload.
func (e *env) views() map[string]*dataguard.View {
	e.TB.Helper()
	snaps, err := e.R.Snapshots(dataguardtest.Context(e.TB), repo.Filter{})
	if err != nil {
		e.TB.Fatal(err)
	}
	out := map[string]*dataguard.View{}
	for _, s := range snaps {
		v, err := dataguard.OpenView(dataguardtest.Context(e.TB), e.R, s.ID)
		if err != nil {
			e.TB.Fatal(err)
		}
		out[v.Workload()] = v
	}
	return out
}

func readAll(tb testing.TB, v *dataguard.View, p string) []byte {
	tb.Helper()
	f, err := v.Open(dataguardtest.Context(tb), p)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// snapshotMail returns the hashes of every message's MIME, as a multiset.
func snapshotMail(tb testing.TB, v *dataguard.View, folderPrefix string) map[string]int {
	out := map[string]int{}
	for _, f := range v.MailFoldersUnder(folderPrefix) {
		msgs, err := v.Messages(dataguardtest.Context(tb), f.ID)
		if err != nil {
			tb.Fatal(err)
		}
		for _, m := range msgs {
			out[hash(readAll(tb, v, m.EML))]++
		}
	}
	return out
}

// tree reads an exported directory: relative path -> content.
func tree(tb testing.TB, dir string) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func export(tb testing.TB, v *dataguard.View, s Sink, opts Options) Summary {
	tb.Helper()
	sum, err := Export(dataguardtest.Context(tb), v, s, opts)
	if cerr := s.Close(err); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatalf("export: %v (%+v)", err, sum)
	}
	return sum
}

func exportDir(tb testing.TB, v *dataguard.View, opts Options) (string, Summary) {
	tb.Helper()
	dir := filepath.Join(tb.(interface{ TempDir() string }).TempDir(), "out")
	s, err := NewDirSink(dir, false)
	if err != nil {
		tb.Fatal(err)
	}
	return dir, export(tb, v, s, opts)
}

func TestExportMail(t *testing.T) {
	e := &env{dataguardtest.Start(t, m365sim.Options{Users: 1, Seed: 41, MessagesPerUser: 30, FilesPerUser: 1})}
	e.BackupAll()
	v := e.views()[dataguard.WorkloadMail]
	want := snapshotMail(t, v, "")

	// .eml: byte for byte, one file per message, named by date and subject.
	dir, sum := exportDir(t, v, Options{})
	files := tree(t, dir)
	got := map[string]int{}
	for p, b := range files {
		if !strings.HasPrefix(p, "Mail/") || !strings.HasSuffix(p, ".eml") {
			t.Errorf("unexpected file %s", p)
		}
		got[hash(b)]++
	}
	if !mapsEqual(got, want) || int(sum.Items) != len(files) {
		t.Fatalf("exported %d files (%d items), snapshot has %d messages; contents equal: %v", len(files), sum.Items, count(want), mapsEqual(got, want))
	}
	if _, ok := files["Mail/Inbox"]; ok || !slices.ContainsFunc(keys(files), func(p string) bool { return strings.HasPrefix(p, "Mail/Inbox/20") }) {
		t.Errorf("no Mail/Inbox/<date> <subject>.eml among %v", keys(files)[:3])
	}

	// Again into the same directory: refused, and with force allowed.
	if _, err := NewDirSink(dir, false); !errors.Is(err, ErrExists) {
		t.Fatalf("second export into %s: %v", dir, err)
	}
	s, err := NewDirSink(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	export(t, v, s, Options{})

	// mbox: one file per folder; net/mail reads the same messages back.
	mdir, _ := exportDir(t, v, Options{Format: FormatMbox})
	got = map[string]int{}
	for p, b := range tree(t, mdir) {
		if !strings.HasSuffix(p, ".mbox") {
			t.Errorf("unexpected file %s", p)
		}
		for _, m := range readMboxrd(t, b) {
			got[hash(m)]++
			if _, err := mail.ReadMessage(bytes.NewReader(m)); err != nil {
				t.Errorf("%s: net/mail: %v", p, err)
			}
		}
	}
	if !mapsEqual(got, want) {
		t.Fatalf("mbox holds %d messages, snapshot %d, or contents differ", count(got), count(want))
	}
	checkBodies(t, v, mdir)

	// zip: the same tree as the directory.
	zpath := filepath.Join(t.TempDir(), "mail.zip")
	zs, err := NewZipSink(zpath, false)
	if err != nil {
		t.Fatal(err)
	}
	export(t, v, zs, Options{})
	zr, err := zip.OpenReader(zpath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	zfiles := map[string][]byte{}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		zfiles[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	if len(zfiles) != len(files) {
		t.Fatalf("zip has %d files, directory %d", len(zfiles), len(files))
	}
	for p, b := range files {
		if !bytes.Equal(zfiles[p], b) {
			t.Fatalf("zip entry %s differs from the directory's file", p)
		}
	}
	if _, err := NewZipSink(zpath, false); !errors.Is(err, ErrExists) {
		t.Fatalf("existing zip: %v", err)
	}

	// A folder, and single items.
	_, sum = exportDir(t, v, Options{Path: "Inbox"})
	if wantN := count(snapshotMail(t, v, "Inbox")); int(sum.Items) != wantN {
		t.Errorf("export of Inbox: %d items, want %d", sum.Items, wantN)
	}
	inbox := v.MailFoldersUnder("Inbox")[0]
	msgs, _ := v.Messages(dataguardtest.Context(t), inbox.ID)
	idir, sum := exportDir(t, v, Options{Items: []string{msgs[0].ID}})
	if sum.Items != 1 || len(tree(t, idir)) != 1 {
		t.Errorf("export of one item: %+v", sum)
	}
	s, _ = NewDirSink(filepath.Join(t.TempDir(), "none"), false)
	if _, err := Export(dataguardtest.Context(t), v, s, Options{Path: "No such folder"}); !errors.Is(err, ErrNoMatch) {
		t.Errorf("export of a missing folder: %v", err)
	}
	s.Close(nil)
}

// checkBodies compares the bodies net/mail reads from the mbox export with
// those of the snapshot's .eml files.
func checkBodies(t *testing.T, v *dataguard.View, mdir string) {
	t.Helper()
	body := func(b []byte) string {
		m, err := mail.ReadMessage(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		bb, _ := io.ReadAll(m.Body)
		return m.Header.Get("Message-Id") + "\x00" + hash(bb)
	}
	want := map[string]bool{}
	for _, f := range v.MailFolders() {
		msgs, _ := v.Messages(dataguardtest.Context(t), f.ID)
		for _, m := range msgs {
			want[body(readAll(t, v, m.EML))] = true
		}
	}
	n := 0
	for _, b := range tree(t, mdir) {
		for _, m := range readMboxrd(t, b) {
			n++
			if !want[body(m)] {
				t.Fatalf("an mbox message's body is not in the snapshot")
			}
		}
	}
	if n != len(want) {
		t.Fatalf("%d mbox messages, %d distinct in the snapshot", n, len(want))
	}
}

func TestExportDriveCalendarContacts(t *testing.T) {
	e := &env{dataguardtest.Start(t, m365sim.Options{Users: 1, Seed: 42, MessagesPerUser: 1, FilesPerUser: 25})}
	e.BackupAll()
	vs := e.views()
	v := vs[dataguard.WorkloadOneDrive]
	items, err := v.DriveItems(dataguardtest.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	dir, sum := exportDir(t, v, Options{})
	files := tree(t, dir)
	nfiles, checked := 0, 0
	for _, it := range items {
		if it.Folder {
			continue
		}
		nfiles++
		if sanitizePath(it.Path) != it.Path {
			continue // renamed on export; counted below
		}
		p := "OneDrive/" + it.Path
		b, ok := files[p]
		if !ok {
			t.Errorf("%s missing", p)
			continue
		}
		if !bytes.Equal(b, readAll(t, v, it.Content)) {
			t.Errorf("%s differs from the snapshot", p)
		}
		var meta driveItemJSON
		if err := v.ReadJSON(dataguardtest.Context(t), it.Meta, &meta); err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(filepath.Join(dir, filepath.FromSlash(p)))
		if !fi.ModTime().Equal(meta.mtime()) || meta.mtime().IsZero() {
			t.Errorf("%s: modified %v, want %v", p, fi.ModTime(), meta.mtime())
		}
		checked++
	}
	if len(files) != nfiles || int(sum.Items) != nfiles || checked == 0 {
		t.Fatalf("%d files exported (%d items, %d checked by path), the snapshot has %d", len(files), sum.Items, checked, nfiles)
	}

	// Calendar and contacts: one VEVENT / VCARD per item, folded lines.
	for wl, begin := range map[string]string{dataguard.WorkloadCalendar: "BEGIN:VEVENT", dataguard.WorkloadContacts: "BEGIN:VCARD"} {
		v := vs[wl]
		if v == nil {
			t.Fatalf("no %s snapshot", wl)
		}
		want, items := 0, 0
		for _, c := range v.Calendars() {
			evs, _ := v.Events(dataguardtest.Context(t), c.ID)
			want += len(evs)
			items += len(evs)
			for _, ev := range evs {
				// An exception is a VEVENT of its own, with RECURRENCE-ID.
				s, err := v.ReadSeries(dataguardtest.Context(t), ev)
				if err != nil {
					t.Fatal(err)
				}
				if s != nil {
					want += len(s.Exceptions)
				}
			}
		}
		for _, f := range v.ContactFolders() {
			cs, _ := v.Contacts(dataguardtest.Context(t), f.ID)
			want += len(cs)
			items += len(cs)
		}
		dir, sum := exportDir(t, v, Options{})
		n := 0
		for p, b := range tree(t, dir) {
			n += strings.Count(string(b), "\r\n"+begin+"\r\n") + btoi(strings.HasPrefix(string(b), begin+"\r\n"))
			for _, line := range strings.SplitAfter(string(b), "\r\n") {
				if len(line) > 77 || (line != "" && !strings.HasSuffix(line, "\r\n")) {
					t.Fatalf("%s: bad line %q", p, line)
				}
			}
		}
		if n != want || int(sum.Items) != items || want == 0 {
			t.Errorf("%s: %d items in the files, %d exported, the snapshot has %d (%d VEVENTs/VCARDs)", wl, n, sum.Items, items, want)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func count(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
