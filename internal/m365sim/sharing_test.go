package m365sim

import (
	"slices"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

const sharingPrefs = "hierarchicalsharing, deltashowremovedasdeleted, deltatraversepermissiongaps, deltashowsharingchanges"

// sharedFixture finds, in the first member's drive, a folder with a direct
// grant and a child of it, a file with no sharing, a colleague, and counts
// the items with permissions of their own and the anonymous links.
type sharedFixture struct {
	driveID, owner, colleague string
	folder, child, plain      string
	direct, anonymous         int
}

func findShared(t *testing.T, l *Listener) sharedFixture {
	t.Helper()
	var f sharedFixture
	tn := l.Server.Tenant()
	tn.Read(func() error {
		var u *tenant.User
		for _, x := range tn.Users {
			if x.Drive != nil && u == nil {
				u = x
			} else if x.Drive != nil && f.colleague == "" {
				f.colleague = x.ID
			}
		}
		d := u.Drive
		f.driveID, f.owner = d.ID, u.ID
		for _, it := range d.Items {
			if it.Deleted || it.ID == d.RootID {
				continue
			}
			if len(it.Permissions) > 0 {
				f.direct++
			}
			for _, p := range it.Permissions {
				if l, ok := p["link"].(tenant.Props); ok && l["scope"] == tenant.ScopeAnonymous {
					f.anonymous++
				}
			}
			if it.Folder && f.folder == "" && len(it.Children) > 0 && slices.ContainsFunc(it.Permissions, func(p tenant.Props) bool { return p["grantedToV2"] != nil }) {
				f.folder = it.ID
				for _, c := range it.Children {
					if ch := d.Items[c]; !ch.Deleted && len(ch.Permissions) == 0 {
						f.child = c
					}
				}
			}
			if !it.Folder && f.plain == "" && len(it.Permissions) == 0 {
				if perms, _ := d.Inherited(it); len(perms) == 0 {
					f.plain = it.ID
				}
			}
		}
		return nil
	})
	if f.folder == "" || f.child == "" || f.plain == "" || f.colleague == "" {
		t.Fatalf("generated tenant lacks a shared folder with an unshared child or an unshared file: %+v", f)
	}
	return f
}

// TestSharingGenerated: the generator shares some items, plants one
// anonymous link, and the shared facet follows the driveitem-delta rules
// with and without Prefer: hierarchicalsharing.
func TestSharingGenerated(t *testing.T) {
	l := Start(t, Options{Users: 4, Seed: 3})
	c := newClient(t, l)
	f := findShared(t, l)
	if f.anonymous != 1 {
		t.Errorf("%d anonymous links in the first drive, want the one planted", f.anonymous)
	}
	items, _ := c.all("/drives/"+f.driveID+"/root/delta", "Prefer", sharingPrefs)
	withFacet := 0
	for _, it := range items {
		if _, ok := it["shared"]; ok {
			withFacet++
		}
	}
	if withFacet != f.direct {
		t.Errorf("hierarchical delta: %d items with a shared facet, want the %d with sharing of their own", withFacet, f.direct)
	}
	if it := c.get("/drives/" + f.driveID + "/items/" + f.child); it["shared"] == nil {
		t.Error("an item inheriting sharing has no shared facet outside a hierarchical delta")
	}
	if it := c.get("/drives/" + f.driveID + "/items/" + f.plain); it["shared"] != nil {
		t.Errorf("unshared item has a shared facet: %v", it["shared"])
	}

	perms, _ := c.all("/drives/" + f.driveID + "/items/" + f.child + "/permissions")
	if len(perms) < 2 || !slices.Contains(perms[0]["roles"].([]any), any("owner")) {
		t.Fatalf("child permissions %v: want the owner's first, then inherited ones", perms)
	}
	for _, p := range perms[1:] {
		from, _ := p["inheritedFrom"].(map[string]any)
		if from == nil || from["id"] == nil {
			t.Errorf("child's permission %v has no inheritedFrom", p)
		}
	}
	own, _ := c.all("/drives/" + f.driveID + "/items/" + f.folder + "/permissions")
	if !slices.ContainsFunc(own[1:], func(p map[string]any) bool { return p["inheritedFrom"] == nil && p["grantedToV2"] != nil }) {
		t.Errorf("shared folder's permissions %v: no grant of its own", own)
	}
}

// TestSharingWrites: invite, createLink and delete, with their documented
// errors, and 403 without a write permission.
func TestSharingWrites(t *testing.T) {
	l := Start(t, Options{Users: 3, Seed: 3})
	c := newClient(t, l)
	f := findShared(t, l)
	item := "/drives/" + f.driveID + "/items/" + f.plain
	count := func(path string) int {
		perms, _ := c.all(path + "/permissions")
		return len(perms)
	}
	before := count(item)
	inv := map[string]any{"recipients": []any{map[string]any{"objectId": f.colleague}}, "roles": []any{"read"},
		"requireSignIn": true, "sendInvitation": false}
	r := c.do("POST", item+"/invite", inv)
	if r.status != 200 {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	granted := r.json(t)["value"].([]any)[0].(map[string]any)
	if who := granted["grantedToV2"].(map[string]any)["user"].(map[string]any)["id"]; who != f.colleague {
		t.Errorf("invite granted %v, want %s", who, f.colleague)
	}
	if r := c.do("POST", item+"/invite", inv); r.status != 200 || count(item) != before+1 {
		t.Errorf("second invite: %d, %d permissions, want one grant per principal (%d)", r.status, count(item), before+1)
	}
	if it := c.get(item); it["shared"] == nil {
		t.Error("invited item has no shared facet")
	}
	for _, bad := range []map[string]any{
		{"recipients": []any{map[string]any{"email": "stranger@fabrikam.example"}}, "roles": []any{"read"}},
		{"recipients": []any{map[string]any{"email": "a@b.c", "objectId": f.colleague}}, "roles": []any{"read"}},
		{"recipients": []any{map[string]any{"objectId": f.colleague}}, "roles": []any{"owner"}},
	} {
		if r := c.do("POST", item+"/invite", bad); r.status != 400 {
			t.Errorf("invite %v: %d, want 400", bad, r.status)
		}
	}

	link := map[string]any{"type": "view", "scope": "organization"}
	r1 := c.do("POST", item+"/createLink", link)
	r2 := c.do("POST", item+"/createLink", link)
	if r1.status != 201 || r2.status != 200 || r1.json(t)["id"] != r2.json(t)["id"] {
		t.Errorf("createLink twice: %d then %d, ids %v %v; want 201, then 200 with the same link", r1.status, r2.status, r1.json(t)["id"], r2.json(t)["id"])
	}
	if r := c.do("POST", item+"/createLink", map[string]any{"type": "bogus"}); r.status != 400 {
		t.Errorf("createLink of a bad type: %d", r.status)
	}

	id := granted["id"].(string)
	if r := c.do("DELETE", item+"/permissions/"+id, nil); r.status != 204 {
		t.Fatalf("delete permission: %d %s", r.status, r.body)
	}
	if r := c.do("GET", item+"/permissions/"+id, nil); r.status != 404 {
		t.Errorf("deleted permission: %d", r.status)
	}
	if r := c.do("DELETE", item+"/permissions/"+id, nil); r.status != 404 {
		t.Errorf("delete twice: %d", r.status)
	}
	childPerms, _ := c.all("/drives/" + f.driveID + "/items/" + f.child + "/permissions")
	for _, p := range childPerms {
		if r := c.do("DELETE", "/drives/"+f.driveID+"/items/"+f.child+"/permissions/"+p["id"].(string), nil); r.status != 403 {
			t.Errorf("delete owner or inherited permission %v: %d, want 403", p["id"], r.status)
		}
	}

	ro := Start(t, Options{Users: 3, Seed: 3, Roles: []string{"Files.Read.All", "User.Read.All"}})
	rc := newClient(t, ro)
	perms, _ := rc.all("/drives/" + f.driveID + "/items/" + f.folder + "/permissions")
	for _, p := range perms {
		if p["shareId"] != nil {
			t.Errorf("read-only caller sees shareId of %v", p["id"])
		}
	}
	if r := rc.do("POST", "/drives/"+f.driveID+"/items/"+f.plain+"/invite", inv); r.status != 403 || r.errorCode(t) != "accessDenied" {
		t.Errorf("invite with Files.Read.All: %d %s", r.status, r.body)
	}
}

// TestSharingDelta: a sharing change shows in the next drive delta round
// with the sharedChanged annotation when the caller asks for sharing
// changes (and holds Sites.FullControl.All); otherwise the delta leaves it
// out, as Graph scopes permission changes to the caller.
func TestSharingDelta(t *testing.T) {
	l := Start(t, Options{Users: 3, Seed: 3})
	c := newClient(t, l)
	f := findShared(t, l)
	_, last := c.all("/drives/"+f.driveID+"/root/delta", "Prefer", sharingPrefs)
	link := last["@odata.deltaLink"].(string)
	inv := map[string]any{"recipients": []any{map[string]any{"objectId": f.colleague}}, "roles": []any{"write"},
		"requireSignIn": true, "sendInvitation": false}
	if r := c.do("POST", "/drives/"+f.driveID+"/items/"+f.plain+"/invite", inv); r.status != 200 {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	items, _ := c.all(link, "Prefer", sharingPrefs)
	got := ids(items)[f.plain]
	if got == nil || got["@microsoft.graph.sharedChanged"] != "True" || got["shared"] == nil {
		t.Fatalf("delta with sharing preferences: %v, want the item with sharedChanged and a shared facet", got)
	}
	if items, _ := c.all(link); ids(items)[f.plain] != nil {
		t.Error("delta without sharing preferences reports a sharing-only change")
	}
	noFull := Start(t, Options{Users: 3, Seed: 3, Roles: []string{"Files.ReadWrite.All", "User.Read.All"}})
	nc := newClient(t, noFull)
	_, last = nc.all("/drives/"+f.driveID+"/root/delta", "Prefer", sharingPrefs)
	if r := nc.do("POST", "/drives/"+f.driveID+"/items/"+f.plain+"/invite", inv); r.status != 200 {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	if items, _ := nc.all(last["@odata.deltaLink"].(string), "Prefer", sharingPrefs); ids(items)[f.plain] != nil {
		t.Error("sharing change visible without Sites.FullControl.All")
	}

	// Removing the grant gives the item an empty shared facet in a
	// hierarchical delta: unique, but no longer shared.
	_, last = c.all(link, "Prefer", sharingPrefs)
	perms, _ := c.all("/drives/" + f.driveID + "/items/" + f.plain + "/permissions")
	for _, p := range perms[1:] {
		c.do("DELETE", "/drives/"+f.driveID+"/items/"+f.plain+"/permissions/"+p["id"].(string), nil)
	}
	items, _ = c.all(last["@odata.deltaLink"].(string), "Prefer", sharingPrefs)
	got = ids(items)[f.plain]
	if sh, ok := got["shared"].(map[string]any); !ok || len(sh) != 0 || got["@microsoft.graph.sharedChanged"] != "True" {
		t.Errorf("after unsharing: %v, want an empty shared facet and sharedChanged", got)
	}
}
