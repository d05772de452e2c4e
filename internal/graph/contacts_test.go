package graph_test

import (
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// TestEmulatorContactFolders walks a contact folder tree three levels
// deep and finds the default Contacts folder, from its sub-folders and,
// without them, from its contacts.
func TestEmulatorContactFolders(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 1, Seed: 13, MessagesPerUser: 1, FilesPerUser: 1})
	c := newEmulatorClient(t, l, graph.Options{})
	ctx := testCtx(t, 30*time.Second)
	user := mailboxUsers(t, l)[0]

	var def, sub, nested string
	tt := l.Server.Tenant()
	tt.Write(func() error {
		mb := tt.User(user).Mailbox
		def = mb.DefaultContactFolder().ID
		for _, f := range mb.ContactFolderList {
			if !f.Default {
				sub = f.ID
			}
		}
		f := &tenant.ContactFolder{ID: tt.NewOutlookID("AAMkAGC"), ParentID: sub, Props: tenant.Props{"displayName": "VIP"}}
		mb.ContactFolders[f.ID] = f
		mb.ContactFolderList = append(mb.ContactFolderList, f)
		nested = f.ID
		return nil
	})

	var got []graph.ContactFolder
	for f, err := range c.AllContactFolders(ctx, user) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, f)
	}
	if len(got) != 2 || got[0].ID != sub || got[0].ParentFolderID != def || got[1].ID != nested || got[1].ParentFolderID != sub {
		t.Fatalf("folders %+v; want %s (in %s), then %s", got, sub, def, nested)
	}
	for _, top := range [][]graph.ContactFolder{got[:1], nil} {
		id, ok, err := c.DefaultContactFolderID(ctx, user, top)
		if err != nil || !ok || id != def {
			t.Errorf("DefaultContactFolderID(%d folders) = %q %v %v, want %s", len(top), id, ok, err, def)
		}
	}
	f, err := c.ContactFolder(ctx, user, def)
	if err != nil || f.DisplayName != "Contacts" {
		t.Errorf("default folder %+v (%v)", f, err)
	}
}
