package restore

import (
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// sharingState is a drive's direct sharing as Graph lists it: per item,
// "grantee id:roles" for grants and "link:scope:type" for links.
func (e *env) sharingState(driveID string, itemIDs []string) map[string][]string {
	e.TB.Helper()
	out := map[string][]string{}
	for _, id := range itemIDs {
		for p, err := range e.C.Permissions(testCtx(e.TB), driveID, id) {
			if err != nil {
				e.TB.Fatalf("list permissions of %s: %v", id, err)
			}
			if p.InheritedFrom != nil || p.IsOwner() {
				continue
			}
			if p.Link != nil {
				out[id] = append(out[id], "link:"+p.Link.Scope+":"+p.Link.Type)
			} else if who, _ := p.Grantee(); who != nil {
				out[id] = append(out[id], who.ID+":"+strings.Join(p.Roles, ","))
			}
		}
	}
	return out
}

// directSharing returns the drive's items with sharing of their own, and
// the number of grants and links among them.
func (e *env) directSharing(user string) (driveID string, items []string, grants, links int) {
	t := e.tenant()
	t.Read(func() error {
		d := t.User(user).Drive
		driveID = d.ID
		for _, it := range d.Items {
			if it.Deleted || len(it.Permissions) == 0 {
				continue
			}
			items = append(items, it.ID)
			for _, p := range it.Permissions {
				if _, ok := p["link"]; ok {
					links++
				} else {
					grants++
				}
			}
		}
		return nil
	})
	return driveID, items, grants, links
}

// TestDriveSharingRestore: after every direct permission of a drive was
// removed, a restore to the original user invites the grants back (a dry
// run first only plans), a rerun invites nothing, links come back only
// with PermissionsAll, and a restore to another user shares nothing.
func TestDriveSharingRestore(t *testing.T) {
	e := newEnv(t, smallTenant(14, 2), m365sim.Options{})
	us := e.users()
	src, other := us[0], us[1]
	driveID, items, grants, links := e.directSharing(src.ID)
	if grants == 0 || links == 0 {
		t.Fatalf("drive too plain: %d grants, %d links", grants, links)
	}
	snaps := e.backup(dataguard.WorkloadOneDrive, src.ID)
	before := e.sharingState(driveID, items)

	// The accident: everything unshared.
	for _, id := range items {
		var perms []graph.Permission
		for p, err := range e.C.Permissions(testCtx(t), driveID, id) {
			if err != nil {
				t.Fatal(err)
			}
			perms = append(perms, p)
		}
		for _, p := range perms {
			if p.InheritedFrom == nil && !p.IsOwner() {
				if err := e.C.DeletePermission(testCtx(t), driveID, id, p.ID); err != nil {
					t.Fatalf("delete permission: %v", err)
				}
			}
		}
	}
	if after := e.sharingState(driveID, items); len(after) != 0 {
		t.Fatalf("still shared after unsharing: %v", after)
	}

	e.resetStats()
	plan := e.restore(Request{Snapshots: snaps, DryRun: true})
	if w := e.writes(); w != 0 {
		t.Fatalf("dry run made %d writes", w)
	}
	if p := plan.Total; p.Granted != int64(grants) || p.LinksCreated != 0 || p.SharingSkipped != int64(links) {
		t.Errorf("plan: %+v, want %d grants, %d links not restored", p, grants, links)
	}

	e.resetStats()
	sum := e.restore(Request{Snapshots: snaps})
	if c := sum.Total; c.Granted != int64(grants) || c.Failed != 0 || c.SharingSkipped != int64(links) {
		t.Fatalf("restore: %+v, want %d grants", c, grants)
	}
	if n := e.endpointRequests("/invite"); n != int64(grants) {
		t.Errorf("%d invite requests, want %d", n, grants)
	}
	got := e.sharingState(driveID, items)
	for id, want := range before {
		var wantGrants []string
		for _, w := range want {
			if !strings.HasPrefix(w, "link:") {
				wantGrants = append(wantGrants, w)
			}
		}
		if strings.Join(wantGrants, " ") != strings.Join(got[id], " ") {
			t.Errorf("item %s: sharing %v after restore, want %v", id, got[id], wantGrants)
		}
	}

	e.resetStats()
	again := e.restore(Request{Snapshots: snaps})
	if c := again.Total; c.Granted != 0 || c.GrantsPresent != int64(grants) || e.endpointRequests("/invite") != 0 {
		t.Errorf("rerun: %+v, %d invites; want all %d grants found in place", c, e.endpointRequests("/invite"), grants)
	}

	withLinks := e.restore(Request{Snapshots: snaps, Permissions: PermissionsAll})
	if c := withLinks.Total; c.LinksCreated != int64(links) || c.Granted != 0 {
		t.Errorf("--permissions all: %+v, want %d new links", c, links)
	}
	if got := e.sharingState(driveID, items); !sameSets(got, before) {
		t.Errorf("after --permissions all: %v, want %v", got, before)
	}

	e.resetStats()
	elsewhere := e.restore(Request{Snapshots: snaps, Target: Target{User: other.UPN}})
	if c := elsewhere.Total; c.Granted+c.LinksCreated != 0 || c.SharingSkipped != int64(grants+links) ||
		e.endpointRequests("/invite")+e.endpointRequests("/createLink") != 0 {
		t.Errorf("restore to another user: %+v; want nothing shared", c)
	}

	none := e.restore(Request{Snapshots: snaps, Permissions: PermissionsNone})
	if c := none.Total; c.Granted+c.GrantsPresent+c.LinksCreated+c.SharingSkipped != 0 {
		t.Errorf("--permissions none: %+v", c)
	}
}

func sameSets(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb := b[k]
		if len(va) != len(vb) {
			return false
		}
		seen := map[string]int{}
		for _, v := range va {
			seen[v]++
		}
		for _, v := range vb {
			seen[v]--
		}
		for _, n := range seen {
			if n != 0 {
				return false
			}
		}
	}
	return true
}

// TestDriveRestoreWithoutPermissions: a snapshot holding no permission
// lists (as those written before sharing was backed up) restores its
// files and shares nothing.
func TestDriveRestoreWithoutPermissions(t *testing.T) {
	e := newEnv(t, smallTenant(15, 2), m365sim.Options{})
	src, dst := e.users()[0], e.users()[1]
	t0 := e.tenant()
	t0.Write(func() error {
		for _, it := range t0.User(src.ID).Drive.Items {
			it.Permissions = nil // no shared facet, so the backup stores no list
		}
		return nil
	})
	snaps := e.backup(dataguard.WorkloadOneDrive, src.ID)
	want := e.driveTree(src.ID, nil)
	e.resetStats()
	sum := e.restore(Request{Snapshots: snaps, Target: Target{User: dst.UPN}, Folder: "Old"})
	if c := sum.Total; c.Created != int64(len(want)) || c.Failed != 0 || c.Granted+c.SharingSkipped != 0 {
		t.Fatalf("restore: %+v, want %d files created and no sharing", c, len(want))
	}
	if got := e.driveTree(dst.ID, []string{"Old"}); !jsonEqual(want, got) {
		t.Fatalf("restored drive differs:\nwant %v\ngot  %v", want, got)
	}
	sum = e.restore(Request{Snapshots: snaps})
	if c := sum.Total; c.Failed != 0 || c.Granted != 0 || e.endpointRequests("/permissions") != 0 {
		t.Errorf("restore to the original user: %+v, %d permission requests", c, e.endpointRequests("/permissions"))
	}
}
