package graph_test

import (
	"errors"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// TestEmulatorSharing drives the sharing calls: a delta with the sharing
// preferences gives shared facets, invite grants, a second invite adds no
// permission, createLink makes a link, the next delta marks the item with
// sharedChanged, and DeletePermission removes the grant (twice: not found).
func TestEmulatorSharing(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 2, Seed: 6, MessagesPerUser: -1, FilesPerUser: 12})
	c := newEmulatorClient(t, l, graph.Options{})
	ctx := testCtx(t, 30*time.Second)
	users := mailboxUsers(t, l)
	drive := driveOf(t, l, users[0])

	var file string
	shared := 0
	r := c.DriveDelta(ctx, drive, "", &graph.DriveDeltaOptions{Sharing: true})
	for it, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		if it.Item.Shared != nil {
			shared++
		} else if it.Item.File != nil && file == "" {
			file = it.ID
		}
	}
	if shared == 0 || file == "" {
		t.Fatalf("%d shared items, unshared file %q", shared, file)
	}
	count := func() int {
		n := 0
		for _, err := range c.Permissions(ctx, drive, file) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	before := count()
	inv := graph.Invitation{Recipients: []graph.DriveRecipient{{ObjectID: users[1]}}, Roles: []string{graph.RoleWrite},
		RequireSignIn: true}
	got, err := c.Invite(ctx, drive, file, inv)
	if err != nil || len(got) != 1 {
		t.Fatalf("invite: %v %+v", err, got)
	}
	if who, _ := got[0].Grantee(); who == nil || who.ID != users[1] {
		t.Errorf("invite granted %+v", got[0])
	}
	if _, err := c.Invite(ctx, drive, file, inv); err != nil || count() != before+1 {
		t.Errorf("second invite: %v, %d permissions, want %d", err, count(), before+1)
	}
	link, err := c.CreateLink(ctx, drive, file, graph.LinkRequest{Type: "view", Scope: "organization"})
	if err != nil || link.Link == nil || link.Link.WebURL == "" {
		t.Fatalf("create link: %v %+v", err, link)
	}

	r2 := c.DriveDelta(ctx, drive, r.DeltaLink(), &graph.DriveDeltaOptions{Sharing: true})
	marked := false
	for it, err := range r2.All() {
		if err != nil {
			t.Fatal(err)
		}
		marked = marked || (it.ID == file && it.Item.SharedChanged == "True" && it.Item.Shared != nil)
	}
	if !marked {
		t.Error("the next delta does not mark the newly shared file with sharedChanged")
	}
	if err := c.DeletePermission(ctx, drive, file, got[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeletePermission(ctx, drive, file, got[0].ID); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
}
