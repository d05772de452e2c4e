package dataguard

import (
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// TestContactFolderDeltaExpiry expires the delta token of one user's
// contact sub-folder after a backup and deletes a contact there: only that
// folder is enumerated again, the deletion is found by set difference, and
// the next run continues from the new delta links.
func TestContactFolderDeltaExpiry(t *testing.T) {
	e := newEnv(t, pimTenant(44, 3), m365sim.Options{})
	contacts := []string{WorkloadContacts}
	e.mustBackup(BackupOptions{Workloads: contacts})

	// The first user with a contact in a sub-folder.
	var user, sub, deleted string
	members := e.members()
	tt := e.tenant()
	tt.Write(func() error {
		for _, u := range members {
			mb := tt.User(u).Mailbox
			for _, c := range mb.Contacts {
				if !mb.ContactFolders[c.FolderID].Default {
					user, sub, deleted = u, c.FolderID, c.ID
					tt.DeleteContact(mb, c)
					return nil
				}
			}
		}
		return nil
	})
	if deleted == "" {
		t.Fatal("no contact in the sub-folder")
	}
	if err := e.l.ExpireDelta(sub); err != nil {
		t.Fatal(err)
	}
	e.resetStats()
	sum := e.mustBackup(BackupOptions{Workloads: contacts})
	for _, r := range sum.Resources {
		want := 0
		if r.ID == user {
			want = 1
		}
		if r.Resyncs != want {
			t.Errorf("%s: %d resyncs, want %d", r.Name, r.Resyncs, want)
		}
	}
	r := resource(t, sum, user, WorkloadContacts)
	if r.Deleted != 1 || r.New+r.Changed+r.Failed != 0 {
		t.Errorf("after resync: %+v, want one deletion", r.Counts)
	}
	// Every folder of every user costs one delta request, the expired
	// one's a 410, which one full round follows.
	var folders int
	members = e.members()
	tt.Read(func() error {
		for _, id := range members {
			folders += len(tt.User(id).Mailbox.ContactFolderList)
		}
		return nil
	})
	delta := e.endpointRequests(func(ep string) bool { return ep == "GET /users/{user}/contactFolders/{cf}/contacts/delta" })
	if want := int64(folders + 1); delta != want {
		t.Errorf("%d delta requests, want %d (one per folder and a full round): %+v", delta, want, e.l.Stats().Endpoints)
	}
	e.checkSnapshot(user, WorkloadContacts)

	e.resetStats()
	sum = e.mustBackup(BackupOptions{Workloads: contacts})
	for _, r := range sum.Resources {
		if r.Resyncs != 0 || r.New+r.Changed+r.Deleted != 0 {
			t.Errorf("%s after resync: %+v, %d resyncs", r.Name, r.Counts, r.Resyncs)
		}
	}
}

// TestContactFolderDeleted removes a contact folder with its contacts: the
// folder's directory goes, its contacts are counted deleted, the others
// stay.
func TestContactFolderDeleted(t *testing.T) {
	e := newEnv(t, pimTenant(45, 2), m365sim.Options{})
	contacts := []string{WorkloadContacts}
	e.mustBackup(BackupOptions{Workloads: contacts})
	user := e.members()[0]
	var n int64
	tt := e.tenant()
	tt.Write(func() error {
		mb := tt.User(user).Mailbox
		var keep []*tenant.ContactFolder
		for _, f := range mb.ContactFolderList {
			if f.Default {
				keep = append(keep, f)
				continue
			}
			delete(mb.ContactFolders, f.ID)
			for id, c := range mb.Contacts {
				if c.FolderID == f.ID {
					delete(mb.Contacts, id)
					n++
				}
			}
		}
		mb.ContactFolderList = keep
		return nil
	})
	sum := e.mustBackup(BackupOptions{Workloads: contacts})
	r := resource(t, sum, user, WorkloadContacts)
	if r.Deleted != n || r.New+r.Changed != 0 || r.Containers != 1 {
		t.Errorf("after folder deletion: %+v, %d containers; want %d deleted, 1 container", r.Counts, r.Containers, n)
	}
	e.checkSnapshot(user, WorkloadContacts)
}
