package tenant

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fileTestBlob stands in for the emulator's uploads kept in temporary
// files: a Blob that is neither Bytes nor Generated.
type fileTestBlob struct {
	f *os.File
	n int64
}

func (b fileTestBlob) Size() int64                             { return b.n }
func (b fileTestBlob) ReadAt(p []byte, off int64) (int, error) { return b.f.ReadAt(p, off) }

func newFileTestBlob(tb testing.TB, content []byte) fileTestBlob {
	tb.Helper()
	f, err := os.CreateTemp(tb.TempDir(), "blob-*")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	if _, err := f.Write(content); err != nil {
		tb.Fatal(err)
	}
	return fileTestBlob{f: f, n: int64(len(content))}
}

// richTenant returns a generated tenant after activity of every kind the
// state must keep: mutations, a ransomware attack, imported MIME, uploaded
// content in memory and in a file (shared with a version), attachments,
// extended properties, a renamed user, an expired, a compacted and a gapped
// change log, and a 5 GiB generated file.
func richTenant(tb testing.TB) *Tenant {
	tb.Helper()
	o := SmallGenOptions(11)
	o.Users, o.MessagesPerUser, o.FilesPerUser = 3, 8, 6
	t := mustGenerate(tb, o)
	if _, err := Mutate(t, DefaultMutateOptions(4, 3)); err != nil {
		tb.Fatal(err)
	}
	u := members(t)[0]
	if _, err := Ransomware(t, u.UPN, RansomwareOptions{Seed: 2, Max: 2}); err != nil {
		tb.Fatal(err)
	}
	mbox := "From a@example.com Mon Mar  4 10:00:00 2024\nFrom: A <a@example.com>\nTo: B <b@example.com>\n" +
		"Subject: imported\nDate: Mon, 04 Mar 2024 10:00:00 +0000\nMessage-ID: <1@example.com>\n\nbody\n"
	if _, err := ImportMbox(t, u.UPN, "Inbox/Imported", strings.NewReader(mbox)); err != nil {
		tb.Fatal(err)
	}
	upload := newFileTestBlob(tb, bytes.Repeat([]byte("uploaded content "), 100000)) // 1.7 MB: two chunks
	err := t.Write(func() error {
		mb := u.Mailbox
		m := &Message{Props: Props{"subject": "with attachments", "isRead": false, "toRecipients": []any{}},
			ExtProps: map[string]string{"Integer 0x0E07": "1"}}
		m.Attachments = []*Attachment{
			{ID: t.NewOutlookID("AAMkADAT"), Kind: "file", Props: Props{"name": "a.txt"}, Content: Bytes("attached")},
			{ID: t.NewOutlookID("AAMkADAT"), Kind: "file", Props: Props{"name": "big.bin"}, Content: upload},
			{ID: t.NewOutlookID("AAMkADAT"), Kind: "reference", Props: Props{"name": "link"}},
		}
		t.AddMessage(mb, mb.Folder("drafts"), m)
		t.MoveMessage(mb, m, mb.Folder("archive"))
		mb.Folder("inbox").Log.Expire(t.Seq())
		mb.Folder("sentitems").Log.addGap(seqRange{From: 3, To: 9})

		d := u.Drive
		root := d.Item("root")
		it := &DriveItem{Name: "upload.bin", Props: Props{"file": Props{}}, Permissions: []Props{{"id": "p1", "roles": []any{"read"}}}}
		t.AddItem(d, root, it)
		t.SetContent(d, it, upload, t.Created)
		t.SetContent(d, it, Bytes("second"), t.Created.Add(time.Hour))
		t.SetContent(d, it, it.Versions[0].Content, t.Created.Add(2*time.Hour)) // restoreVersion shares the blob
		t.AddItem(d, root, &DriveItem{Name: "huge.bin", Props: Props{"file": Props{}},
			Content: Generated{Seed: 9, Len: 5 << 30}})
		d.Log.Compact(t.Seq() - 3)

		t.UpdateUser(u, Props{"jobTitle": "Renamed"})
		u.UPN = "renamed@" + t.DefaultDomain // the old UPN key stays in UsersByID, as after a rename
		t.UsersByID[lower(u.UPN)] = u
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// stateDigest hashes every part of t separately (properties with their Go
// types, MIME as served, blob byte streams, change logs, counters), so a
// mismatch names what differs. Generated blobs are hashed by their
// parameters: they must stay generated.
func stateDigest(tb testing.TB, t *Tenant) map[string]string {
	tb.Helper()
	out := map[string]string{}
	put := func(key string, parts ...any) {
		h := sha256.New()
		for _, p := range parts {
			canonical(tb, h, p)
		}
		if _, dup := out[key]; dup {
			tb.Fatalf("digest key %s twice", key)
		}
		out[key] = hex.EncodeToString(h.Sum(nil))
	}
	logOf := func(l *ChangeLog) string {
		return fmt.Sprintf("%v|%d|%v|%v", l.entries, l.floor, l.gaps, l.last)
	}
	t.Read(func() error {
		put("tenant", t.Seed, t.ID, t.DisplayName, t.DefaultDomain, t.Created, t.seq, t.ids, t.Org, t.Domains, t.SKUs,
			logOf(&t.UsersLog), logOf(&t.GroupsLog))
		keys := map[string]string{}
		for k, u := range t.UsersByID {
			keys[k] = u.ID
		}
		for k, g := range t.GroupsByID {
			keys["group:"+k] = g.ID
		}
		put("keys", keys)
		for i, g := range t.Groups {
			put("group/"+strconv.Itoa(i), g.ID, g.Props, g.Members, g.Version, g.Deleted)
		}
		for id, d := range t.Drives {
			put("drive/"+id, d.ID, d.Owner, d.Props, d.RootID, logOf(&d.Log))
			for iid, it := range d.Items {
				parts := []any{it.ID, it.ParentID, it.Name, it.Folder, it.Children, it.Content, it.Props, it.Permissions, it.Version, it.Deleted}
				for _, v := range it.Versions {
					parts = append(parts, v.ID, v.Content, v.Modified)
				}
				put("item/"+id+"/"+iid, parts...)
			}
		}
		for i, u := range t.Users {
			driveID := ""
			if u.Drive != nil {
				driveID = u.Drive.ID
			}
			put("user/"+strconv.Itoa(i), u.ID, u.UPN, u.Props, u.Version, u.Deleted, driveID, u.Mailbox != nil)
			if mb := u.Mailbox; mb != nil {
				digestStateMailbox(tb, put, "mb/"+u.ID+"/", mb, logOf)
			}
		}
		return nil
	})
	return out
}

func digestStateMailbox(tb testing.TB, put func(string, ...any), prefix string, mb *Mailbox, logOf func(*ChangeLog) string) {
	tb.Helper()
	put(prefix+"mailbox", mb.WellKnown, mb.Retired, logOf(&mb.FoldersLog), len(mb.Folders), len(mb.Calendars), len(mb.ContactFolders))
	for i, f := range mb.FolderList {
		put(prefix+"folder/"+strconv.Itoa(i), f.ID, f.ParentID, f.WellKnown, f.Hidden, f.Props, f.Version, f.Deleted, logOf(&f.Log), f.Count, f.Unread)
	}
	for k, m := range mb.Messages {
		var mime bytes.Buffer
		if err := RenderMIME(&mime, m); err != nil {
			tb.Fatalf("render %s: %v", m.ID, err)
		}
		parts := []any{m.ID, m.ImmutableID, m.FolderID, m.Props, m.Version, m.MoveGen, m.MIME, m.ExtProps, m.Deleted, mime.Bytes()}
		for _, a := range m.Attachments {
			parts = append(parts, a.ID, a.Kind, a.Props, a.Content)
		}
		put(prefix+"msg/"+k, parts...)
	}
	for i, c := range mb.CalendarList {
		put(prefix+"cal/"+strconv.Itoa(i), c.ID, c.Props, c.Default, logOf(&c.Log))
	}
	for id, e := range mb.Events {
		parts := []any{e.ID, e.CalendarID, e.Props, e.Version, e.Deleted}
		for _, a := range e.Attachments {
			parts = append(parts, a.ID, a.Kind, a.Props, a.Content)
		}
		put(prefix+"event/"+id, parts...)
	}
	for i, f := range mb.ContactFolderList {
		put(prefix+"cf/"+strconv.Itoa(i), f.ID, f.ParentID, f.Props, f.Default, logOf(&f.Log))
	}
	for id, c := range mb.Contacts {
		put(prefix+"contact/"+id, c.ID, c.FolderID, c.Props, c.Version, c.Deleted)
	}
}

// canonical writes v with its Go types, so that an int that came back as a
// float64, or an empty list that came back as null, changes the hash.
func canonical(tb testing.TB, h hash.Hash, v any) {
	tb.Helper()
	switch x := v.(type) {
	case nil:
		h.Write([]byte("nil;"))
	case Generated:
		fmt.Fprintf(h, "gen(%d,%d,%v);", x.Seed, x.Len, x.Text)
	case Blob:
		if b, ok := x.(Bytes); ok && b == nil {
			h.Write([]byte("nilbytes;"))
			return
		}
		c := sha256.New()
		if _, err := io.Copy(c, Reader(x)); err != nil {
			tb.Fatalf("read blob: %v", err)
		}
		fmt.Fprintf(h, "blob(%d,%x);", x.Size(), c.Sum(nil))
	case map[string]any:
		fmt.Fprintf(h, "map%v(", x == nil)
		for _, k := range stateKeys(x) {
			fmt.Fprintf(h, "%q:", k)
			canonical(tb, h, x[k])
		}
		h.Write([]byte(");"))
	case []any:
		fmt.Fprintf(h, "list%v(", x == nil)
		for _, e := range x {
			canonical(tb, h, e)
		}
		h.Write([]byte(");"))
	case []Props:
		fmt.Fprintf(h, "props%v(", x == nil)
		for _, e := range x {
			canonical(tb, h, e)
		}
		h.Write([]byte(");"))
	case time.Time:
		fmt.Fprintf(h, "time(%s);", x.UTC().Format(time.RFC3339Nano))
	case []byte:
		fmt.Fprintf(h, "bytes(%d,%x);", len(x), sha256.Sum256(x))
	case string, bool, float64, int, int64, uint64, []string, map[string]string:
		fmt.Fprintf(h, "%T(%#v);", x, x)
	default:
		tb.Fatalf("canonical: unexpected %T", v)
	}
}

func saveBytes(tb testing.TB, t *Tenant) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := t.Save(&buf); err != nil {
		tb.Fatalf("Save: %v", err)
	}
	return buf.Bytes()
}

// afterHeader returns a state file without its magic line and header
// frame, which holds the clock's reading.
func afterHeader(tb testing.TB, state []byte) []byte {
	tb.Helper()
	rest := state[len(stateMagic)+1:]
	n, k := binary.Uvarint(rest)
	if k <= 0 {
		tb.Fatal("no header frame")
	}
	return rest[k+int(n)+4:]
}

func diffDigests(tb testing.TB, what string, want, got map[string]string) {
	tb.Helper()
	var diffs []string
	for k, v := range want {
		if got[k] != v {
			diffs = append(diffs, k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, k+" (extra)")
		}
	}
	slices.Sort(diffs)
	if len(diffs) > 0 {
		tb.Errorf("%s: %d of %d parts differ: %v", what, len(diffs), len(want), diffs[:min(len(diffs), 10)])
	}
}

func TestStateRoundTrip(t *testing.T) {
	orig := richTenant(t)
	state := saveBytes(t, orig)
	// The 5 GiB generated file is kept as its parameters, and the uploaded
	// 1.7 MB shared by a file, its version and an attachment is stored once.
	if len(state) > 4<<20 {
		t.Errorf("state is %d bytes; generated content or a shared blob was written out", len(state))
	}
	want := stateDigest(t, orig)

	var spooled []int64
	spool := func(r io.Reader, size int64) (Blob, error) {
		b, err := io.ReadAll(r)
		spooled = append(spooled, size)
		return newFileTestBlob(t, b), err
	}
	for _, tc := range []struct {
		name string
		load func() (*Tenant, error)
		same bool // saves the same bytes; Load turns file-backed blobs into Bytes, which save as such
	}{
		{"memory", func() (*Tenant, error) { return Load(bytes.NewReader(state), nil) }, false},
		{"spooled", func() (*Tenant, error) { return LoadSpooled(bytes.NewReader(state), nil, spool) }, true},
		{"clone", orig.Clone, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.load()
			if err != nil {
				t.Fatal(err)
			}
			diffDigests(t, tc.name, want, stateDigest(t, got))
			if again := saveBytes(t, got); tc.same && !bytes.Equal(afterHeader(t, again), afterHeader(t, state)) {
				t.Errorf("saving the loaded tenant gives other bytes (%d, want %d)", len(again), len(state))
			}
		})
	}
	if !slices.Equal(spooled, []int64{1700000}) {
		t.Errorf("spooled blobs of %v bytes, want only the file-backed upload", spooled)
	}
}

// A loaded tenant continues the original's ids, sequence and clock.
func TestStateContinues(t *testing.T) {
	orig := richTenant(t)
	loaded, err := Load(bytes.NewReader(saveBytes(t, orig)), nil)
	if err != nil {
		t.Fatal(err)
	}
	next := func(tn *Tenant) (string, string, int64, time.Time) {
		var g, d string
		var s int64
		tn.Write(func() error { g, d, s = tn.NewGUID(), tn.NewDriveItemID(), tn.NextSeq(); return nil })
		return g, d, s, tn.Now()
	}
	g1, d1, s1, c1 := next(orig)
	g2, d2, s2, c2 := next(loaded)
	if g1 != g2 || d1 != d2 || s1 != s2 {
		t.Errorf("after load: %s %s %d, original: %s %s %d", g2, d2, s2, g1, d1, s1)
	}
	if !c2.Equal(c1) {
		t.Errorf("clock after load %v, original %v", c2, c1)
	}
}

// Clones are independent: changing one leaves the other alone.
func TestCloneIsDeep(t *testing.T) {
	orig := mustGenerate(t, GenOptions{Seed: 3, Users: 1, MessagesPerUser: 3, EventsPerUser: -1, ContactsPerUser: -1, FilesPerUser: 2})
	before := stateDigest(t, orig)
	c, err := orig.Clone()
	if err != nil {
		t.Fatal(err)
	}
	c.Write(func() error {
		u := members(c)[0]
		t.Logf("changing %s", u.UPN)
		c.UpdateUser(u, Props{"displayName": "Changed"})
		u.Props["businessPhones"].([]any)[0] = "changed"
		c.AddFolder(u.Mailbox, u.Mailbox.WellKnown["inbox"], "New")
		return nil
	})
	diffDigests(t, "original after changing the clone", before, stateDigest(t, orig))
}

func TestStateInvalid(t *testing.T) {
	orig := mustGenerate(t, GenOptions{Seed: 3, Users: 1, MessagesPerUser: 3, EventsPerUser: 2, ContactsPerUser: 2, FilesPerUser: 2})
	orig.Write(func() error {
		d := members(orig)[0].Drive
		orig.AddItem(d, d.Item("root"), &DriveItem{Name: "x", Content: Bytes(bytes.Repeat([]byte("x"), 3<<20))})
		return nil
	})
	state := saveBytes(t, orig)
	version2 := func() []byte {
		var buf bytes.Buffer
		buf.WriteString(stateMagic)
		fw := &frameWriter{w: bufio.NewWriter(&buf)}
		fw.json(frameHeader, stateHeader{Format: 2})
		fw.w.Flush()
		return buf.Bytes()
	}
	flip := slices.Clone(state)
	flip[len(flip)/2] ^= 0x40
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "not an emulator tenant state"},
		{"garbage", []byte("{\"users\": []}\n"), "not an emulator tenant state"},
		{"other version", version2(), "format version 2"},
		{"damaged", flip, "checksum"},
		{"trailing data", append(slices.Clone(state), 0), "after the end frame"},
		{"header only", state[:len(stateMagic)], "truncated"},
	}
	// Cut the file everywhere that matters: inside the header, records,
	// blob chunks and the end frame.
	for _, n := range []int{len(stateMagic) + 3, len(state) / 7, len(state) / 3, len(state) / 2, len(state) - 5, len(state) - 1} {
		cases = append(cases, struct {
			name string
			in   []byte
			want string
		}{fmt.Sprintf("cut at %d", n), state[:n], "truncated"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Load(bytes.NewReader(tc.in), nil)
			if err == nil || got != nil {
				t.Fatalf("Load accepted it")
			}
			if !errors.Is(err, ErrInvalidState) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want ErrInvalidState mentioning %q", err, tc.want)
			}
		})
	}
}

func FuzzLoad(f *testing.F) {
	orig := mustGenerate(f, GenOptions{Seed: 5, Users: 1, MessagesPerUser: 2, EventsPerUser: 1, ContactsPerUser: 1, FilesPerUser: 1})
	state := saveBytes(f, orig)
	f.Add(state)
	f.Add(state[:len(state)/2])
	r := rand.New(rand.NewPCG(1, 2))
	for range 4 {
		b := slices.Clone(state)
		b[r.IntN(len(b))] = byte(r.Uint32())
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := Load(bytes.NewReader(in), nil)
		if err != nil {
			if !errors.Is(err, ErrInvalidState) {
				t.Fatalf("error does not wrap ErrInvalidState: %v", err)
			}
			return
		}
		if _, err := got.Clone(); err != nil {
			t.Fatalf("loaded tenant does not copy: %v", err)
		}
	})
}

func TestSucceedExpiresTokens(t *testing.T) {
	orig := mustGenerate(t, GenOptions{Seed: 3, Users: 1, MessagesPerUser: 3, EventsPerUser: -1, ContactsPerUser: -1, FilesPerUser: 1})
	snap, err := orig.Clone()
	if err != nil {
		t.Fatal(err)
	}
	keep := snap.Seq()
	var reached int64
	var ids uint64
	orig.Write(func() error {
		for range 5 {
			orig.NewGUID()
			orig.NextSeq()
		}
		return nil
	})
	orig.Retire(func(seq int64, n uint64) { reached, ids = seq, n })
	var afterRetire int64
	orig.Write(func() error { afterRetire = orig.NextSeq(); return nil }) // a request still running on it
	snap.Succeed(keep, reached, ids)

	inbox := &members(snap)[0].Mailbox.Folder("inbox").Log
	for _, tc := range []struct {
		seq  int64
		want bool
	}{{keep - 1, true}, {keep, true}, {keep + 1, false}, {reached, false}, {reached + 1, true}, {afterRetire, false}} {
		if got := inbox.Valid(tc.seq); got != tc.want {
			t.Errorf("token at %d (snapshot %d, retired at %d): valid %v, want %v", tc.seq, keep, reached, got, tc.want)
		}
	}
	if snap.Seq() != reached+1 {
		t.Errorf("successor continues at %d, want %d", snap.Seq(), reached+1)
	}
	if snap.ids != ids {
		t.Errorf("successor id counter %d, want %d", snap.ids, ids)
	}
	// Gaps merge rather than pile up over repeated restores.
	snap.Succeed(keep, reached+4, ids)
	if n := len(inbox.gaps); n != 2 {
		t.Errorf("%d gaps after two restores of one snapshot: %v", n, inbox.gaps)
	}
}
