package dataguard

import (
	"testing"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/simclient"
)

// TestBackupIncremental mutates the tenant between two backups: the second
// one's counts match the mutation report, it downloads only new and changed
// content, uploads little more than that, and its snapshots equal the
// tenant.
func TestBackupIncremental(t *testing.T) {
	e := newEnv(t, smallTenant(31, 3), m365sim.Options{})
	full := e.mustBackup(BackupOptions{})

	opts := tenant.DefaultMutateOptions(5, 3)
	opts.NewEvents, opts.ChangedEvents, opts.DeletedEvents = 0, 0, 0
	rep := e.mutate(opts)
	t.Logf("mutation: %v", rep.Counts())
	e.resetStats()
	sum := e.mustBackup(BackupOptions{})

	cnt := rep.Counts()
	mail, drive := workloadTotals(sum, WorkloadMail), workloadTotals(sum, WorkloadOneDrive)
	wantMail := Counts{New: int64(cnt["message.add"] + cnt["message.move"]), Changed: int64(cnt["message.update"]),
		Deleted: int64(cnt["message.delete"] + cnt["message.move"])}
	if mail.New != wantMail.New || mail.Changed != wantMail.Changed || mail.Deleted != wantMail.Deleted || mail.Failed != 0 {
		t.Errorf("mail counts %+v, want new %d changed %d deleted %d", mail, wantMail.New, wantMail.Changed, wantMail.Deleted)
	}
	wantDrive := Counts{New: int64(cnt["driveItem.add"]),
		Changed: int64(cnt["driveItem.update"] + cnt["driveItem.rename"] + cnt["driveItem.move"] + cnt["driveItem.share"]),
		Deleted: int64(cnt["driveItem.delete"])}
	if drive.New != wantDrive.New || drive.Changed != wantDrive.Changed || drive.Deleted != wantDrive.Deleted || drive.Failed != 0 {
		t.Errorf("drive counts %+v, want new %d changed %d deleted %d", drive, wantDrive.New, wantDrive.Changed, wantDrive.Deleted)
	}
	fullMail, fullDrive := workloadTotals(full, WorkloadMail), workloadTotals(full, WorkloadOneDrive)
	if got, want := mail.Unchanged, fullMail.New-mail.Changed-mail.Deleted; got != want {
		t.Errorf("mail unchanged %d, want %d", got, want)
	}
	if got, want := drive.Unchanged+drive.Changed+drive.Deleted, fullDrive.New; got != want {
		t.Errorf("drive unchanged+changed+deleted = %d, want the %d items of the full backup", got, want)
	}

	// Content is read only for new and changed content: new messages
	// (read state, flags and categories are metadata, and a moved message
	// keeps its immutable id and its stored MIME), new files and files
	// whose content changed (renames and moves are metadata).
	var newFiles int64
	tt := e.tenant()
	tt.Read(func() error {
		for _, c := range rep.Changes {
			if c.Kind == tenant.KindDriveItem && c.Op == tenant.OpAdd {
				if it := tt.Drives[c.Container].Items[c.ID]; it != nil && !it.Folder {
					newFiles++
				}
			}
		}
		return nil
	})
	newMessages := int64(cnt["message.add"])
	if got := e.mimeRequests(); got != newMessages {
		t.Errorf("%d $value requests, want %d (new messages)", got, newMessages)
	}
	if got, want := e.downloadRequests(), newFiles+int64(cnt["driveItem.update"]); got != want {
		t.Errorf("%d downloads, want %d (new files and content changes)", got, want)
	}
	if mail.Downloaded != newMessages || drive.Downloaded != newFiles+int64(cnt["driveItem.update"]) {
		t.Errorf("downloaded: mail %d drive %d", mail.Downloaded, drive.Downloaded)
	}
	// Unchanged items are carried by reference: what reaches the
	// repository is the new content plus directories, indexes and state.
	if limit := sum.Total.BytesRead + 1<<20; sum.Total.BytesStored > limit {
		t.Errorf("incremental stored %d bytes for %d bytes read (full stored %d)", sum.Total.BytesStored, sum.Total.BytesRead, full.Total.BytesStored)
	}
	t.Logf("incremental: %d Graph requests, read %d bytes, stored %d bytes (full: %d requests, stored %d)",
		sum.Graph.Requests, sum.Total.BytesRead, sum.Total.BytesStored, full.Graph.Requests, full.Total.BytesStored)
	e.checkAll()
	e.verify()
}

// TestReadStateChange flips one message's read state through Graph: the
// next backup writes its new JSON without downloading its MIME again.
func TestReadStateChange(t *testing.T) {
	e := newEnv(t, smallTenant(41, 2), m365sim.Options{})
	e.mustBackup(BackupOptions{})
	user := e.members()[0]

	var id, folder string
	var wasRead bool
	tt := e.tenant()
	tt.Read(func() error {
		mb := tt.User(user).Mailbox
		for key, m := range mb.Messages {
			if key == m.ImmutableID && m.FolderID == mb.WellKnown["inbox"] {
				id, folder = m.ImmutableID, m.FolderID
				wasRead, _ = m.Props["isRead"].(bool)
				break
			}
		}
		return nil
	})
	if id == "" {
		t.Fatal("no message in the inbox")
	}
	if _, err := e.c.UpdateMessage(testCtx(t), user, id, map[string]any{"isRead": !wasRead}); err != nil {
		t.Fatal(err)
	}
	e.resetStats()
	sum := e.mustBackup(BackupOptions{Users: []string{user}, Workloads: []string{WorkloadMail}})
	r := resource(t, sum, user, WorkloadMail)
	if r.Changed != 1 || r.New+r.Deleted+r.Downloaded != 0 {
		t.Errorf("counts %+v, want one metadata change", r.Counts)
	}
	if n := e.mimeRequests(); n != 0 {
		t.Errorf("%d $value requests for a read-state change", n)
	}
	info := e.latest(user, WorkloadMail)
	_, js := MessagePaths(folder, id)
	if got := e.readJSONFile(info.ID, js)["isRead"]; got != !wasRead {
		t.Errorf("stored isRead = %v, want %v", got, !wasRead)
	}
	e.checkSnapshot(user, WorkloadMail)
}

// TestFolderRename renames a mail folder between backups: only its
// .folder.json changes; its messages are neither downloaded nor uploaded
// again (same objects in the repository).
func TestFolderRename(t *testing.T) {
	e := newEnv(t, smallTenant(51, 2), m365sim.Options{})
	e.mustBackup(BackupOptions{})
	user := e.members()[0]

	var folder string
	tt := e.tenant()
	tt.Read(func() error {
		mb := tt.User(user).Mailbox
		vis := simclient.VisibleFolders(mb)
		for _, f := range mb.FolderList {
			if vis[f.ID] && f.WellKnown == "" && f.Count > 0 {
				folder = f.ID
				break
			}
		}
		return nil
	})
	if folder == "" {
		t.Fatal("no custom folder with messages")
	}
	before := e.latest(user, WorkloadMail)
	const name = "Umbenannt – Ärende 🗂"
	err := e.c.Send(testCtx(t), "PATCH", graph.Pathf("/users/%s/mailFolders/%s", user, folder),
		map[string]any{"displayName": name}, nil, graph.WithResource(graph.ClassMail, user))
	if err != nil {
		t.Fatal(err)
	}
	e.resetStats()
	sum := e.mustBackup(BackupOptions{Users: []string{user}, Workloads: []string{WorkloadMail}})
	r := resource(t, sum, user, WorkloadMail)
	if r.New+r.Changed+r.Deleted+r.Downloaded != 0 {
		t.Errorf("counts %+v after a rename", r.Counts)
	}
	if n := e.mimeRequests(); n != 0 {
		t.Errorf("%d $value requests after a rename", n)
	}
	after := e.latest(user, WorkloadMail)
	if got := e.readJSONFile(after.ID, MailFolderMetaPath(folder))["displayName"]; got != name {
		t.Errorf("displayName %v, want %q", got, name)
	}
	old, cur := e.files(before.ID), e.files(after.ID)
	for p, en := range cur {
		if p != MailFolderMetaPath(folder) && old[p].ObjectID != en.ObjectID {
			t.Errorf("%s was rewritten", p)
		}
	}
	if len(cur) != len(old) {
		t.Errorf("%d files after, %d before", len(cur), len(old))
	}
	e.checkSnapshot(user, WorkloadMail)
}
