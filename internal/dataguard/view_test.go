package dataguard

import (
	"io"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/simclient"
)

func TestViewNamesMatchTenant(t *testing.T) {
	e := newEnv(t, smallTenant(11, 2), m365sim.Options{})
	users := e.members()
	e.mustBackup(BackupOptions{TenantID: e.l.TenantID, Users: users[:1]})
	ctx := testCtx(t)
	user := users[0]

	// Expected names from the emulator's tenant.
	wantFolders := map[string]string{} // folder id -> path
	wantMessages := map[string]int{}   // folder id -> count
	wantItems := map[string]string{}   // item id -> path
	tn := e.tenant()
	err := tn.Read(func() error {
		u := tn.User(user)
		mb := u.Mailbox
		visible := simclient.VisibleFolders(mb)
		root := mb.WellKnown["msgfolderroot"]
		for id := range visible {
			var parts []string
			for f := mb.Folders[id]; f.ID != root; f = mb.Folders[f.ParentID] {
				parts = append([]string{cleanName(f.Props["displayName"].(string))}, parts...)
			}
			wantFolders[id] = strings.Join(parts, "/")
		}
		for key, m := range mb.Messages {
			if key == m.ImmutableID && !m.Deleted && visible[m.FolderID] {
				wantMessages[m.FolderID]++
			}
		}
		d := u.Drive
		for id, it := range d.Items {
			if it.Deleted || id == d.RootID {
				continue
			}
			var parts []string
			for p := it; p.ID != d.RootID; p = d.Items[p.ParentID] {
				parts = append([]string{cleanName(p.Name)}, parts...)
			}
			wantItems[id] = strings.Join(parts, "/")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	mv, err := OpenView(ctx, e.r, e.latest(user, WorkloadMail).ID)
	if err != nil {
		t.Fatal(err)
	}
	if mv.Workload() != WorkloadMail || mv.ResourceID() != user {
		t.Fatalf("view of %s/%s, want %s/mail", mv.ResourceID(), mv.Workload(), user)
	}
	folders := mv.MailFolders()
	if len(folders) != len(wantFolders) {
		t.Errorf("%d folders, want %d", len(folders), len(wantFolders))
	}
	for _, f := range folders {
		if f.Path != wantFolders[f.ID] {
			t.Errorf("folder %s: path %q, want %q", f.ID, f.Path, wantFolders[f.ID])
		}
		msgs, err := mv.Messages(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != wantMessages[f.ID] {
			t.Errorf("folder %q: %d messages, want %d", f.Path, len(msgs), wantMessages[f.ID])
		}
		for _, m := range msgs {
			var js map[string]any
			if err := mv.ReadJSON(ctx, m.JSON, &js); err != nil {
				t.Fatalf("message %s: %v", m.ID, err)
			}
			if js["id"] != m.ID {
				t.Errorf("message %s: sidecar has id %v", m.ID, js["id"])
			}
		}
	}
	if inbox := mv.MailFoldersUnder("Inbox"); len(inbox) == 0 || inbox[0].Path != "Inbox" {
		t.Errorf("MailFoldersUnder(Inbox) = %v", inbox)
	}

	dv, err := OpenView(ctx, e.r, e.latest(user, WorkloadOneDrive).ID)
	if err != nil {
		t.Fatal(err)
	}
	items, err := dv.DriveItems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != len(wantItems) {
		t.Errorf("%d drive items, want %d", len(items), len(wantItems))
	}
	for _, it := range items {
		if it.Path != wantItems[it.ID] {
			t.Errorf("item %s: path %q, want %q", it.ID, it.Path, wantItems[it.ID])
		}
		if !it.Folder {
			f, err := dv.Open(ctx, it.Content)
			if err != nil {
				t.Fatalf("open %s: %v", it.Path, err)
			}
			f.Close()
		}
	}
}

func TestViewNamesAfterRenames(t *testing.T) {
	e := newEnv(t, smallTenant(12, 1), m365sim.Options{})
	user := e.members()[0]
	only := BackupOptions{TenantID: e.l.TenantID, Users: []string{user}, Workloads: []string{WorkloadOneDrive}}
	e.mustBackup(only)
	rep := e.mutate(tenant.MutateOptions{Seed: 3, RenamedFiles: 3, RenamedDriveFolders: 1})
	if rep.Count(tenant.KindDriveItem, tenant.OpRename) == 0 {
		t.Fatalf("the mutation renamed no file: %v", rep.Changes)
	}
	e.mustBackup(only)
	v, err := OpenView(testCtx(t), e.r, e.latest(user, WorkloadOneDrive).ID)
	if err != nil {
		t.Fatal(err)
	}
	items, err := v.DriveItems(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	tn := e.tenant()
	tn.Read(func() error {
		d := tn.User(user).Drive
		for _, it := range items {
			if want := cleanName(d.Items[it.ID].Name); it.Name != d.Items[it.ID].Name && want != it.Name {
				t.Errorf("item %s: name %q, want %q", it.ID, it.Name, d.Items[it.ID].Name)
			}
		}
		return nil
	})
}

func TestJoinPath(t *testing.T) {
	nodes := map[string][2]string{
		"a": {"Inbox", ""}, "b": {"Pro/jects", "a"}, "c": {"..", "b"}, "x": {"loop", "y"}, "y": {"back", "x"},
		"o": {"orphan", "missing"},
	}
	node := func(id string) (string, string, bool) { n, ok := nodes[id]; return n[0], n[1], ok }
	cases := []struct{ id, want string }{
		{"a", "Inbox"}, {"b", "Inbox/Pro∕jects"}, {"c", "Inbox/Pro∕jects/_.."}, {"o", "orphan"}, {"", ""},
	}
	for _, tc := range cases {
		if got := joinPath(tc.id, node); got != tc.want {
			t.Errorf("joinPath(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
	if got := joinPath("x", node); got != "back/loop" && got != "loop/back" {
		t.Errorf("joinPath on a cycle = %q", got)
	}
}

// TestViewSizesChangeKeysDrive checks what restore and the catalog read
// from a View without opening items: message sizes (the .eml's),
// change keys as the stored JSON has them, and the drive id.
func TestViewSizesChangeKeysDrive(t *testing.T) {
	g := pimTenant(13, 1)
	g.MessagesPerUser = 8
	e := newEnv(t, g, m365sim.Options{})
	user := e.members()[0]
	e.mustBackup(BackupOptions{TenantID: e.l.TenantID, Users: []string{user}, Workloads: Workloads})
	ctx := testCtx(t)
	open := func(wl string) *View {
		v, err := OpenView(ctx, e.r, e.latest(user, wl).ID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ck := func(v *View, p string) string {
		var js struct {
			ChangeKey string `json:"changeKey"`
		}
		if err := v.ReadJSON(ctx, p, &js); err != nil {
			t.Fatal(err)
		}
		return js.ChangeKey
	}
	mv := open(WorkloadMail)
	n := 0
	for _, f := range mv.MailFolders() {
		msgs, err := mv.Messages(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			n++
			r, err := mv.Open(ctx, m.EML)
			if err != nil {
				t.Fatal(err)
			}
			size, _ := r.Seek(0, io.SeekEnd)
			r.Close()
			if m.Size != size || size == 0 {
				t.Errorf("message %s: Size %d, the .eml has %d bytes", m.ID, m.Size, size)
			}
			if want := ck(mv, m.JSON); m.ChangeKey != want || want == "" {
				t.Errorf("message %s: ChangeKey %q, stored %q", m.ID, m.ChangeKey, want)
			}
		}
	}
	if n == 0 {
		t.Fatal("no messages")
	}
	cv := open(WorkloadCalendar)
	for _, c := range cv.Calendars() {
		evs, err := cv.Events(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if want := ck(cv, ev.JSON); ev.ChangeKey != want || want == "" {
				t.Errorf("event %s: ChangeKey %q, stored %q", ev.ID, ev.ChangeKey, want)
			}
		}
	}
	pv := open(WorkloadContacts)
	for _, f := range pv.ContactFolders() {
		cs, err := pv.Contacts(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if want := ck(pv, c.JSON); c.ChangeKey != want || want == "" {
				t.Errorf("contact %s: ChangeKey %q, stored %q", c.ID, c.ChangeKey, want)
			}
		}
	}
	dv := open(WorkloadOneDrive)
	id, err := dv.DriveID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tn := e.tenant()
	tn.Read(func() error {
		if want := tn.User(user).Drive.ID; id != want {
			t.Errorf("DriveID %q, want %q", id, want)
		}
		return nil
	})
	if id, _ := mv.DriveID(ctx); id != "" {
		t.Errorf("DriveID of a mail snapshot: %q", id)
	}
}
