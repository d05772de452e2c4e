package dataguard

import (
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/simclient"
)

// TestMailFolderDeleted deletes a mail folder between backups: the next
// snapshot no longer has it or its messages.
func TestMailFolderDeleted(t *testing.T) {
	e := newEnv(t, smallTenant(111, 2), m365sim.Options{})
	e.mustBackup(BackupOptions{})
	user := e.members()[0]

	var folder string
	var items int
	tt := e.tenant()
	tt.Write(func() error {
		mb := tt.User(user).Mailbox
		vis := simclient.VisibleFolders(mb)
		for _, f := range mb.FolderList {
			if vis[f.ID] && f.WellKnown == "" && f.Count > 0 {
				folder = f.ID
				for _, g := range mb.FolderList {
					for p := g; p != nil; p = mb.Folders[p.ParentID] {
						if p.ID == f.ID && vis[g.ID] {
							items += g.Count
							break
						}
					}
				}
				// The emulator has no folder deletion; do what Exchange's
				// hard delete does to the folder tree.
				f.Deleted = true
				f.Version = tt.NextSeq()
				mb.FoldersLog.Record(f.Version, f.ID, true, "deleted")
				return nil
			}
		}
		return nil
	})
	if folder == "" {
		t.Fatal("no custom folder with messages")
	}
	sum := e.mustBackup(BackupOptions{Users: []string{user}, Workloads: []string{WorkloadMail}})
	r := resource(t, sum, user, WorkloadMail)
	if r.Deleted != int64(items) || r.New+r.Changed != 0 {
		t.Errorf("counts %+v, want %d deleted", r.Counts, items)
	}
	for p := range e.files(e.latest(user, WorkloadMail).ID) {
		if strings.HasPrefix(p, MailFolderDir(folder)+"/") { // subfolders are checked by checkSnapshot
			t.Fatalf("%s is still in the snapshot", p)
		}
	}
	if _, ok := e.state(e.latest(user, WorkloadMail).ID).Folders[folder]; ok {
		t.Error("the deleted folder is still in the state")
	}
	e.checkSnapshot(user, WorkloadMail)
}

// TestDriveFolderDeletedAlone deletes a OneDrive folder with files below it
// and lets the delta report only the folder, as OneDrive may: the stored
// descendants are removed as well.
func TestDriveFolderDeletedAlone(t *testing.T) {
	e := newEnv(t, smallTenant(112, 2), m365sim.Options{})
	e.mustBackup(BackupOptions{})
	user := e.members()[0]

	below := 0
	tt := e.tenant()
	tt.Write(func() error {
		d := tt.User(user).Drive
		var mark func(it *tenant.DriveItem)
		mark = func(it *tenant.DriveItem) {
			it.Deleted = true
			below++
			for _, c := range it.Children {
				mark(d.Items[c])
			}
		}
		for _, it := range d.Items {
			if it.Folder && it.ID != d.RootID && !it.Deleted && len(it.Children) > 1 {
				mark(it)
				below-- // the folder itself
				it.Version = tt.NextSeq()
				d.Log.Record(it.Version, it.ID, true, "deleted")
				p := d.Items[it.ParentID]
				for i, c := range p.Children {
					if c == it.ID {
						p.Children = append(p.Children[:i:i], p.Children[i+1:]...)
						break
					}
				}
				return nil
			}
		}
		return nil
	})
	if below < 2 {
		t.Fatalf("folder had %d items below it", below)
	}
	sum := e.mustBackup(BackupOptions{Users: []string{user}, Workloads: []string{WorkloadOneDrive}})
	r := resource(t, sum, user, WorkloadOneDrive)
	if r.Deleted != int64(below+1) {
		t.Errorf("counts %+v, want %d deleted", r.Counts, below+1)
	}
	e.checkSnapshot(user, WorkloadOneDrive)
}
