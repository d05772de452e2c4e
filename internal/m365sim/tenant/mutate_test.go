package tenant

import (
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// logKey is one current change-log entry: the container whose log holds
// it, the item id, and whether it is a removal.
type logKey struct {
	container, id string
	removed       bool
}

// logEntries returns every current entry with Start < seq <= End in all of
// the tenant's change logs.
func logEntries(tb testing.TB, tn *Tenant, rep MutationReport) map[logKey]int {
	tb.Helper()
	out := map[logKey]int{}
	add := func(container string, l *ChangeLog) {
		entries, more := l.Since(rep.Start, rep.End, math.MaxInt, true)
		if more {
			tb.Fatal("Since reported more entries past an unlimited page")
		}
		for _, e := range entries {
			out[logKey{container, e.ID, e.Removed}]++
		}
	}
	add("users", &tn.UsersLog)
	add("groups", &tn.GroupsLog)
	for _, u := range tn.Users {
		if mb := u.Mailbox; mb != nil {
			add(u.ID, &mb.FoldersLog)
			for _, f := range mb.FolderList {
				add(f.ID, &f.Log)
			}
			for _, c := range mb.CalendarList {
				add(c.ID, &c.Log)
			}
			for _, cf := range mb.ContactFolderList {
				add(cf.ID, &cf.Log)
			}
		}
		if u.Drive != nil {
			add(u.Drive.ID, &u.Drive.Log)
		}
	}
	return out
}

// reportEntries returns the log entries a report promises.
func reportEntries(rep MutationReport) map[logKey]int {
	out := map[logKey]int{}
	for _, c := range rep.Changes {
		switch {
		case c.Op == OpDelete:
			out[logKey{c.Container, c.ID, true}]++
		case c.Op == OpMove && c.Kind == KindMessage:
			out[logKey{c.OldContainer, c.OldID, true}]++
			out[logKey{c.Container, c.ID, false}]++
		default:
			out[logKey{c.Container, c.ID, false}]++
		}
	}
	return out
}

func TestMutateMatchesChangeLogs(t *testing.T) {
	tn := mustGenerate(t, SmallGenOptions(51))
	rep, err := Mutate(tn, DefaultMutateOptions(1, 5))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		kind ChangeKind
		ops  []ChangeOp
	}{
		{KindMessage, []ChangeOp{OpAdd, OpUpdate, OpMove, OpDelete}},
		{KindMailFolder, []ChangeOp{OpRename}},
		{KindEvent, []ChangeOp{OpAdd, OpUpdate, OpDelete}},
		{KindContact, []ChangeOp{OpAdd, OpUpdate, OpDelete}},
		{KindDriveItem, []ChangeOp{OpAdd, OpUpdate, OpRename, OpMove, OpDelete, OpShare}},
	} {
		for _, op := range k.ops {
			if rep.Count(k.kind, op) == 0 {
				t.Errorf("no %s %s in the report", k.kind, op)
			}
		}
	}
	got, want := logEntries(t, tn, rep), reportEntries(rep)
	for k, n := range want {
		if n != 1 {
			t.Errorf("report names %v %d times", k, n)
		}
		if got[k] == 0 {
			t.Errorf("report says %v, the logs do not", k)
		}
	}
	for k := range got {
		if want[k] == 0 {
			t.Errorf("logs have %v, the report does not", k)
		}
	}
	if rep.End <= rep.Start || rep.End != tn.Seq() {
		t.Errorf("report range (%d, %d], tenant at %d", rep.Start, rep.End, tn.Seq())
	}
}

func TestMutateDeterministic(t *testing.T) {
	run := func(mutSeed uint64) (MutationReport, string) {
		tn := mustGenerate(t, SmallGenOptions(52))
		rep, err := Mutate(tn, DefaultMutateOptions(mutSeed, 5))
		if err != nil {
			t.Fatal(err)
		}
		return rep, digest(t, tn)
	}
	r1, d1 := run(3)
	r2, d2 := run(3)
	if !reflect.DeepEqual(r1, r2) || d1 != d2 {
		t.Fatal("same tenant, same options: different mutations")
	}
	if _, d3 := run(4); d3 == d1 {
		t.Fatal("another mutation seed changed nothing")
	}
}

// TestMutateEffects checks that each reported change did what it says.
func TestMutateEffects(t *testing.T) {
	tn := mustGenerate(t, SmallGenOptions(53))
	type fileState struct {
		parent   string
		versions int
	}
	files := map[string]fileState{}
	for _, u := range members(tn) {
		for id, it := range u.Drive.Items {
			files[id] = fileState{it.ParentID, len(it.Versions)}
		}
	}
	rep, err := Mutate(tn, DefaultMutateOptions(9, 5))
	if err != nil {
		t.Fatal(err)
	}
	withAttachments := 0
	for _, c := range rep.Changes {
		u := tn.User(c.User)
		switch c.Kind {
		case KindMessage:
			mb := u.Mailbox
			m := mb.Message(c.ID)
			switch c.Op {
			case OpDelete:
				if m != nil {
					t.Errorf("deleted message %s still there", c.ID)
				}
			case OpMove:
				if m == nil || m.FolderID != c.Container || mb.Message(c.OldID) != nil || mb.Message(m.ImmutableID) != m {
					t.Errorf("moved message %s: not in %s under its new id only", c.OldID, c.Container)
				}
			default:
				if m == nil || m.FolderID != c.Container {
					t.Errorf("message %s not in folder %s", c.ID, c.Container)
				} else if c.Op == OpAdd && m.Props["hasAttachments"] == true {
					withAttachments++
				}
			}
		case KindMailFolder:
			if f := u.Mailbox.Folder(c.ID); f == nil || f.Props["displayName"] != c.Name {
				t.Errorf("folder %s not renamed to %q", c.ID, c.Name)
			}
		case KindDriveItem:
			it := u.Drive.Items[c.ID]
			switch c.Op {
			case OpDelete:
				if !it.Deleted {
					t.Errorf("deleted item %s is live", c.ID)
				}
			case OpRename:
				if it.Name != c.Name {
					t.Errorf("item renamed to %q, report says %q", it.Name, c.Name)
				}
			case OpMove:
				if it.ParentID == files[c.ID].parent || files[c.ID].parent != c.OldContainer {
					t.Errorf("item %s: parent %s, was %s, report says it was %s", c.ID, it.ParentID, files[c.ID].parent, c.OldContainer)
				}
			case OpUpdate:
				if len(it.Versions) != files[c.ID].versions+1 {
					t.Errorf("changed file %s has %d versions, had %d", it.Name, len(it.Versions), files[c.ID].versions)
				}
				checkHash(t, it)
			case OpAdd:
				if !it.Folder {
					checkHash(t, it)
				}
			}
		}
	}
	if withAttachments == 0 {
		t.Error("no new message has attachments")
	}
}

func checkHash(t *testing.T, it *DriveItem) {
	t.Helper()
	want, err := QuickXorHashBlob(it.Content)
	if err != nil {
		t.Fatal(err)
	}
	if got := it.Props["file"].(Props)["hashes"].(Props)["quickXorHash"]; got != want {
		t.Errorf("%s: quickXorHash %v, content hashes to %s", it.Name, got, want)
	}
}

// TestMutateFewCandidates asks for more changes than a nearly empty tenant
// can take: Mutate does what it can and reports exactly that.
func TestMutateFewCandidates(t *testing.T) {
	o := SmallGenOptions(54)
	o.MessagesPerUser, o.EventsPerUser, o.ContactsPerUser = -1, -1, -1
	tn := mustGenerate(t, o)
	opts := MutateOptions{Seed: 1, NewMessages: 2, ChangedMessages: 50, DeletedEvents: 5, DeletedDriveFolders: 500}
	rep, err := Mutate(tn, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count(KindMessage, OpAdd) < 2 || rep.Count(KindMessage, OpUpdate) != 0 || rep.Count(KindEvent, OpDelete) != 0 {
		t.Errorf("counts %v", rep.Counts())
	}
	got, want := logEntries(t, tn, rep), reportEntries(rep)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("logs %d entries, report %d", len(got), len(want))
	}
}

func TestRansomware(t *testing.T) {
	tn := mustGenerate(t, SmallGenOptions(55))
	u := members(tn)[1]
	d := u.Drive
	type orig struct {
		name string
		sum  [32]byte
	}
	before := map[string]orig{}
	walkDrive(d, d.Item("root"), func(it *DriveItem) {
		if !it.Folder {
			before[it.ID] = orig{it.Name, blobSum(t, it.Content)}
		}
	})
	n, err := Ransomware(tn, u.UPN, RansomwareOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if n < len(before)*7/10 || n > len(before) {
		t.Fatalf("encrypted %d of %d files", n, len(before))
	}
	locked := 0
	for id, o := range before {
		it := d.Items[id]
		if !strings.HasSuffix(it.Name, ".locked") {
			continue
		}
		locked++
		if it.Name != o.name+".locked" {
			t.Errorf("renamed %q to %q", o.name, it.Name)
		}
		last := it.Versions[len(it.Versions)-1]
		if blobSum(t, last.Content) != o.sum {
			t.Errorf("%s: the previous version is not the original content", it.Name)
		}
		if blobSum(t, it.Content) == o.sum {
			t.Errorf("%s: content unchanged", it.Name)
		}
		if it.Props["file"].(Props)["mimeType"] != "application/octet-stream" {
			t.Errorf("%s: mimeType %v", it.Name, it.Props["file"])
		}
		checkHash(t, it)
		if e := entropy(t, it.Content); e < 7.5 && it.Content.Size() > 4096 {
			t.Errorf("%s: %.2f bits per byte; want near 8", it.Name, e)
		}
	}
	if locked != n {
		t.Errorf("%d files end in .locked, Ransomware reported %d", locked, n)
	}
	note := d.Child(d.Item("root"), "README-RESTORE-FILES.txt")
	if note == nil || !strings.Contains(string(note.Content.(Bytes)), ".locked") {
		t.Error("no ransom note in the root")
	}
	for _, tc := range []struct {
		user string
		opts RansomwareOptions
		want string
	}{
		{"nobody@x.test", RansomwareOptions{}, "not found"},
		{tn.Users[len(tn.Users)-1].ID, RansomwareOptions{}, "no OneDrive"},
	} {
		if _, err := Ransomware(tn, tc.user, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.user, err, tc.want)
		}
	}
	other := members(tn)[2]
	if n, err := Ransomware(tn, other.ID, RansomwareOptions{Max: 3, Fraction: 1, Suffix: ".crypt"}); err != nil || n != 3 {
		t.Errorf("Max 3: %d, %v", n, err)
	}
}

// entropy returns the Shannon entropy of the first 64 KiB of b, in bits
// per byte.
func entropy(t *testing.T, b Blob) float64 {
	t.Helper()
	buf, err := io.ReadAll(io.NewSectionReader(b, 0, min(b.Size(), 64<<10)))
	if err != nil {
		t.Fatal(err)
	}
	var counts [256]float64
	for _, c := range buf {
		counts[c]++
	}
	e := 0.0
	for _, c := range counts {
		if c > 0 {
			p := c / float64(len(buf))
			e -= p * math.Log2(p)
		}
	}
	return e
}

func TestMutationReportCounts(t *testing.T) {
	rep := MutationReport{Changes: []Change{
		{Kind: KindMessage, Op: OpAdd, ID: "a"}, {Kind: KindMessage, Op: OpAdd, ID: "b"},
		{Kind: KindDriveItem, Op: OpDelete, ID: "c"},
	}}
	if rep.Count(KindMessage, OpAdd) != 2 || !slices.Equal(rep.IDs(KindMessage, OpAdd), []string{"a", "b"}) {
		t.Errorf("Count/IDs wrong: %v", rep.IDs(KindMessage, OpAdd))
	}
	if got := fmt.Sprint(rep.Counts()); got != "map[driveItem.delete:1 message.add:2]" {
		t.Errorf("Counts = %s", got)
	}
}
