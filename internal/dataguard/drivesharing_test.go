package dataguard

import (
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

func (e *env) permissionRequests() int64 {
	return e.endpointRequests(func(ep string) bool { return strings.HasSuffix(ep, "/permissions") })
}

// sharedItems counts the live items of the members' drives that have
// sharing of their own.
func (e *env) sharedItems() int64 {
	var n int64
	members := e.members()
	tt := e.tenant()
	tt.Read(func() error {
		for _, id := range members {
			for _, it := range tt.User(id).Drive.Items {
				if !it.Deleted && len(it.Permissions) > 0 {
					n++
				}
			}
		}
		return nil
	})
	return n
}

// TestBackupDriveSharing: a full backup lists the permissions of the shared
// items only (one request each), an unchanged run lists none, and a run
// after sharing changes lists exactly the items whose sharing changed.
func TestBackupDriveSharing(t *testing.T) {
	e := newEnv(t, smallTenant(41, 3), m365sim.Options{})
	opts := BackupOptions{Workloads: []string{WorkloadOneDrive}}
	full := e.mustBackup(opts)
	shared := e.sharedItems()
	if shared < 3 {
		t.Fatalf("tenant too small: %d shared items", shared)
	}
	if got := e.permissionRequests(); got != shared {
		t.Errorf("full backup: %d permission requests, want %d (one per shared item)", got, shared)
	}
	for _, m := range e.members() {
		e.checkSnapshot(m, WorkloadOneDrive)
	}

	u := e.members()[0]
	v := e.view(u)
	items, err := v.DriveItems(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	var withPerms, anonymous int
	for _, it := range items {
		if it.Permissions == "" {
			continue
		}
		withPerms++
		perms, err := v.ReadPermissions(testCtx(t), it)
		if err != nil {
			t.Fatal(err)
		}
		if len(perms) != it.Shared || !perms[0].IsOwner() {
			t.Errorf("%s: %d permissions read, index says %d; first %+v", it.Path, len(perms), it.Shared, perms[0])
		}
		for _, p := range perms {
			if p.Link != nil && p.Link.Scope == "anonymous" {
				anonymous++
				if p.Link.WebURL != "" || p.ShareID != "" {
					t.Errorf("%s: anonymous link stored with its URL", it.Path)
				}
			}
		}
	}
	if withPerms == 0 || anonymous != 1 {
		t.Errorf("first member's snapshot: %d items with permissions, %d anonymous links (want the planted one)", withPerms, anonymous)
	}

	e.resetStats()
	quiet := e.mustBackup(opts)
	if got := e.permissionRequests(); got != 0 {
		t.Errorf("unchanged run: %d permission requests", got)
	}

	// Share a file nobody shared and take a grant away from another.
	var sharedNow, unshared string
	colleague := e.members()[1]
	tt := e.tenant()
	tt.Write(func() error {
		usr, other := tt.User(u), tt.User(colleague)
		d := usr.Drive
		for _, it := range d.Items {
			switch {
			case it.Deleted || it.ID == d.RootID:
			case !it.Folder && len(it.Permissions) == 0 && sharedNow == "":
				sharedNow = it.ID
				tt.AddPermission(d, it, tenant.GrantProps(tenant.PermissionID(it, "t"), tenant.Grantee{User: other}, []string{"write"}, usr))
			case unshared == "":
				for _, p := range it.Permissions {
					if p["grantedToV2"] != nil {
						unshared = it.ID
						tt.RemovePermission(d, it, p["id"].(string))
						break
					}
				}
			}
		}
		return nil
	})
	if sharedNow == "" || unshared == "" {
		t.Fatal("no file to share or unshare")
	}
	e.resetStats()
	sum := e.mustBackup(opts)
	if got := e.permissionRequests(); got != 2 {
		t.Errorf("after two sharing changes: %d permission requests, want 2", got)
	}
	if c := workloadTotals(sum, WorkloadOneDrive); c.Changed != 2 || c.Downloaded != 0 {
		t.Errorf("after two sharing changes: %+v, want 2 changed, nothing downloaded", c)
	}
	v = e.view(u)
	items, err = v.DriveItems(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.ID != sharedNow && it.ID != unshared {
			continue
		}
		perms, err := v.ReadPermissions(testCtx(t), it)
		if err != nil {
			t.Fatal(err)
		}
		grants := 0
		for _, p := range perms {
			if who, _ := p.Grantee(); who != nil && p.InheritedFrom == nil {
				grants++
			}
		}
		if it.ID == sharedNow && grants != 1 {
			t.Errorf("newly shared %s: %d direct grants stored, want 1: %+v", it.Path, grants, perms)
		}
		if it.ID == unshared && it.Permissions == "" {
			t.Errorf("unshared %s: no permission list; want the list without the removed grant", it.Path)
		}
	}
	for _, m := range e.members() {
		e.checkSnapshot(m, WorkloadOneDrive)
	}
	e.verify()
	t.Logf("Graph requests: full %d, unchanged %d, after 2 sharing changes %d", full.Graph.Requests, quiet.Graph.Requests, sum.Graph.Requests)
}

// view opens the user's latest OneDrive snapshot.
func (e *env) view(user string) *View {
	e.tb.Helper()
	v, err := OpenView(testCtx(e.tb), e.r, e.latest(user, WorkloadOneDrive).ID)
	if err != nil {
		e.tb.Fatal(err)
	}
	return v
}
