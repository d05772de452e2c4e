package tenant

import "time"

// Sharing on drive items. DriveItem.Permissions holds only an item's
// direct sharing permissions (grants to users or groups, sharing links) as
// Graph's permission resource renders them; the owner's permission and the
// permissions inherited from ancestors are derived when listed, as
// OneDrive derives them.
// https://learn.microsoft.com/en-us/graph/api/resources/permission

// Permission roles and link scopes.
const (
	RoleRead  = "read"
	RoleWrite = "write"
	RoleOwner = "owner"

	ScopeAnonymous    = "anonymous"
	ScopeOrganization = "organization"
	ScopeUsers        = "users"
)

// Grantee is whom a direct grant names: a user or a group.
type Grantee struct {
	User  *User
	Group *Group
}

// ID is the grantee's directory object id.
func (g Grantee) ID() string {
	if g.User != nil {
		return g.User.ID
	}
	if g.Group != nil {
		return g.Group.ID
	}
	return ""
}

// identity is the grantee's identitySet.
func (g Grantee) identity() Props {
	if g.User != nil {
		return identity(g.User)
	}
	mail, _ := g.Group.Props["mail"].(string)
	return Props{"group": Props{"id": g.Group.ID, "displayName": g.Group.Props["displayName"], "email": mail}}
}

func (g Grantee) email() string {
	if g.User != nil {
		return g.User.UPN
	}
	mail, _ := g.Group.Props["mail"].(string)
	return mail
}

// GrantProps returns a direct grant's permission resource.
func GrantProps(id string, to Grantee, roles []string, by *User) Props {
	inv := Props{"email": to.email(), "signInRequired": true}
	if by != nil {
		inv["invitedBy"] = identity(by)
	}
	rs := make([]any, len(roles))
	for i, r := range roles {
		rs[i] = r
	}
	return Props{"id": id, "roles": rs, "grantedToV2": to.identity(), "invitation": inv, "shareId": "s!" + id}
}

// LinkProps returns a sharing link's permission resource. The link's URL
// is new for every link: a link cannot be recreated with the same URL.
func LinkProps(id, webBase, typ, scope string, expires time.Time) Props {
	role := RoleRead
	if typ == "edit" {
		role = RoleWrite
	}
	link := Props{"type": typ, "scope": scope, "webUrl": webBase + "/:f:/g/personal/" + id, "preventsDownload": false}
	p := Props{"id": id, "roles": []any{role}, "link": link, "shareId": "u!" + id, "hasPassword": false,
		"grantedToIdentitiesV2": []any{}}
	if !expires.IsZero() {
		p["expirationDateTime"] = Timestamp(expires)
	}
	return p
}

// PermissionID returns a new permission id for it, unique within the item.
func PermissionID(it *DriveItem, salt any) string {
	return encodeID("", SeedOf(it.ID, "perm", salt), SeedOf(it.ID, "perm2", salt))
}

// AddPermission adds a direct permission to it and records a sharing change.
// Hold the write lock.
func (t *Tenant) AddPermission(d *Drive, it *DriveItem, p Props) {
	it.Permissions = append(it.Permissions, p)
	t.sharingChanged(d, it)
}

// SetPermission replaces the direct permission with p's id. Hold the write
// lock.
func (t *Tenant) SetPermission(d *Drive, it *DriveItem, p Props) {
	for i, q := range it.Permissions {
		if q["id"] == p["id"] {
			it.Permissions[i] = p
		}
	}
	t.sharingChanged(d, it)
}

// RemovePermission removes a direct permission by id and records a sharing
// change; it reports whether it had one. Hold the write lock.
func (t *Tenant) RemovePermission(d *Drive, it *DriveItem, id string) bool {
	for i, p := range it.Permissions {
		if p["id"] == id {
			it.Permissions = append(it.Permissions[:i:i], it.Permissions[i+1:]...)
			t.sharingChanged(d, it)
			return true
		}
	}
	return false
}

// sharingChanged records a change of it's sharing in the drive's log. The
// item's version before a run of sharing changes is kept, so that delta can
// tell an item whose only change is sharing.
func (t *Tenant) sharingChanged(d *Drive, it *DriveItem) {
	if it.SharingSeq != it.Version {
		it.PreSharingVersion = it.Version
	}
	t.touchItem(d, it)
	it.SharingSeq = it.Version
}

// SharingOnlySince reports whether every change of it after seq is a
// sharing change (and there is at least one).
func (it *DriveItem) SharingOnlySince(seq int64) bool {
	return it.SharingSeq == it.Version && it.Version > seq && it.PreSharingVersion <= seq
}

// Inherited returns the direct permissions of it's ancestors, nearest
// first, each with the ancestor it comes from.
func (d *Drive) Inherited(it *DriveItem) (perms []Props, from []*DriveItem) {
	for cur := d.Items[it.ParentID]; cur != nil && it.ID != d.RootID; cur = d.Items[cur.ParentID] {
		for _, p := range cur.Permissions {
			perms = append(perms, p)
			from = append(from, cur)
		}
		if cur.ID == d.RootID {
			break
		}
	}
	return perms, from
}

// SharingScope is the widest scope among perms: anonymous, organization,
// users, or "" for none.
func SharingScope(perms []Props) string {
	rank := map[string]int{ScopeUsers: 1, ScopeOrganization: 2, ScopeAnonymous: 3}
	best := ""
	for _, p := range perms {
		s := ScopeUsers
		if l, ok := p["link"].(Props); ok {
			s, _ = l["scope"].(string)
		}
		if rank[s] > rank[best] {
			best = s
		}
	}
	return best
}

// share generates the sharing of one member's drive: a few folders and
// files granted to colleagues or groups, some organization-wide view
// links and, in the first member's drive, one anonymous edit link (the
// kind of exposure a review should find). It draws from its own random
// stream and allocates no sequence numbers, so the rest of the tenant is
// the same with or without it.
func (g *generator) share(i int, ds *driveState) {
	r := newRand(g.t.Seed, "sharing", i)
	var others []Grantee
	for _, u := range g.members {
		if u != ds.u {
			others = append(others, Grantee{User: u})
		}
	}
	for _, gr := range g.t.Groups {
		others = append(others, Grantee{Group: gr})
	}
	if len(others) == 0 {
		return
	}
	anonymous := i == 0
	k, grants := 0, 0
	grant := func(it *DriveItem) {
		to := pick(r, others)
		role := RoleRead
		if r.chance(0.4) {
			role = RoleWrite
		}
		it.Permissions = append(it.Permissions, GrantProps(PermissionID(it, k), to, []string{role}, ds.u))
		k++
		grants++
	}
	walkDrive(ds.d, ds.d.Item("root"), func(it *DriveItem) {
		if it.ID == ds.d.RootID {
			return
		}
		pGrant, link := 0.04, 0.02
		if it.Folder {
			pGrant, link = 0.12, 0.03
		}
		if r.chance(pGrant) {
			grant(it)
		}
		if r.chance(link) {
			it.Permissions = append(it.Permissions, LinkProps(PermissionID(it, k), g.o.webBase(), "view", ScopeOrganization, time.Time{}))
			k++
		}
		if anonymous && !it.Folder {
			it.Permissions = append(it.Permissions, LinkProps(PermissionID(it, k), g.o.webBase(), "edit", ScopeAnonymous, time.Time{}))
			k++
			anonymous = false
		}
	})
	if grants == 0 && len(ds.folders) > 0 {
		grant(ds.folders[0]) // every drive shares something with a colleague
	}
}

// webBase is the tenant's OneDrive host, for sharing link URLs.
func (o GenOptions) webBase() string {
	return "https://" + o.Domain + "-my.sharepoint.com"
}
