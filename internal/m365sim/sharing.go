package m365sim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// Sharing permissions of drive items: list, get, delete, invite and
// createLink.
// https://learn.microsoft.com/en-us/graph/api/driveitem-list-permissions
// https://learn.microsoft.com/en-us/graph/api/permission-get
// https://learn.microsoft.com/en-us/graph/api/permission-delete
// https://learn.microsoft.com/en-us/graph/api/driveitem-invite
// https://learn.microsoft.com/en-us/graph/api/driveitem-createlink

// rolesSitesFull is the permission the scan guidance asks for to see every
// sharing change in a drive delta.
// https://learn.microsoft.com/en-us/onedrive/developer/rest-api/concepts/scan-guidance
var rolesSitesFull = []string{"Sites.FullControl.All"}

// prefers reports whether a Prefer header of r holds the preference.
func prefers(r *http.Request, pref string) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), pref) {
				return true
			}
		}
	}
	return false
}

// callerHas reports whether the caller holds one of roles; a request
// without a principal (tests handing their own token) holds all.
func callerHas(r *http.Request, roles []string) bool {
	p := callOf(r).principal
	return p == nil || hasAny(p.Roles, roles)
}

// showsSharingChanges reports whether a drive delta request asks for, and
// may get, the sharedChanged annotation: the driveitem-delta page requires
// deltashowremovedasdeleted and deltatraversepermissiongaps beside
// deltashowsharingchanges, and the scan guidance Sites.FullControl.All.
func showsSharingChanges(r *http.Request) bool {
	return prefers(r, "deltashowsharingchanges") && prefers(r, "deltashowremovedasdeleted") &&
		prefers(r, "deltatraversepermissiongaps") && callerHas(r, rolesSitesFull)
}

// ownerPermission is the drive owner's permission, which every item lists.
func ownerPermission(d *tenant.Drive) map[string]any {
	owner := asMap(d.Props["owner"])
	return map[string]any{"id": "owner-" + strings.TrimPrefix(d.ID, "b!")[:16], "roles": []any{tenant.RoleOwner},
		"grantedToV2": owner, "grantedTo": owner}
}

// effectivePermissions renders every permission of it: the owner's, its
// own, and its ancestors' with inheritedFrom. Secrets (shareId, link
// webUrl) are left out for callers that could not create the permission,
// as the list-permissions page says.
func effectivePermissions(r *http.Request, d *tenant.Drive, it *tenant.DriveItem) []map[string]any {
	secrets := callerHas(r, rolesFilesWrite)
	render := func(p tenant.Props) map[string]any {
		out := map[string]any(cloneProps(p))
		if !secrets {
			delete(out, "shareId")
			if l := asMap(out["link"]); l != nil {
				l = map[string]any(cloneProps(l))
				delete(l, "webUrl")
				out["link"] = l
			}
		}
		return out
	}
	out := []map[string]any{ownerPermission(d)}
	for _, p := range it.Permissions {
		out = append(out, render(p))
	}
	perms, from := d.Inherited(it)
	for i, p := range perms {
		q := render(p)
		q["inheritedFrom"] = map[string]any{"driveId": d.ID, "driveType": "business", "id": from[i].ID,
			"path": "/drive/root:" + d.Path(from[i])}
		out = append(out, q)
	}
	return out
}

// sharedFacet is the item's shared facet, or nil. An item with its own
// permissions has one; by default so has an item that inherits some. With
// Prefer: hierarchicalsharing a delta gives it only to the roots of
// permission hierarchies, and an empty one to an item whose own sharing was
// removed (driveitem-delta, "Scanning permissions hierarchies").
func sharedFacet(r *http.Request, d *tenant.Drive, it *tenant.DriveItem, inDelta bool) map[string]any {
	owner := asMap(d.Props["owner"])
	if len(it.Permissions) > 0 {
		return map[string]any{"owner": owner, "scope": tenant.SharingScope(it.Permissions)}
	}
	hierarchical := inDelta && prefers(r, "hierarchicalsharing")
	if !hierarchical {
		if perms, _ := d.Inherited(it); len(perms) > 0 {
			return map[string]any{"owner": owner, "scope": tenant.SharingScope(perms)}
		}
		return nil
	}
	if it.SharingSeq > 0 {
		return map[string]any{}
	}
	return nil
}

func (s *Server) listPermissions(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{DefaultTop: 200, MaxTop: 1000})
	if q == nil {
		return
	}
	s.withDrive(w, r, false, func(d *tenant.Drive) reply {
		it := resolveItem(d, r.PathValue("item"))
		if it == nil {
			return func() { notFoundDriveItem(w, r) }
		}
		items := effectivePermissions(r, d, it)
		ctx := "drives('" + d.ID + "')/items('" + it.ID + "')/permissions"
		return func() { writePage(w, r, q, odata.Rules{DefaultTop: 200}, items, listOpts{context: ctx}) }
	})
}

// findPermission returns the rendered permission with id and whether it is
// the item's own (deletable).
func findPermission(r *http.Request, d *tenant.Drive, it *tenant.DriveItem, id string) (map[string]any, bool) {
	for _, p := range effectivePermissions(r, d, it) {
		if p["id"] == id {
			_, inherited := p["inheritedFrom"]
			roles, _ := p["roles"].([]any)
			own := !inherited && !slices.Contains(roles, any(tenant.RoleOwner))
			return p, own
		}
	}
	return nil, false
}

func (s *Server) getPermission(w http.ResponseWriter, r *http.Request) {
	s.withDrive(w, r, false, func(d *tenant.Drive) reply {
		it := resolveItem(d, r.PathValue("item"))
		if it == nil {
			return func() { notFoundDriveItem(w, r) }
		}
		p, _ := findPermission(r, d, it, r.PathValue("perm"))
		if p == nil {
			return func() { notFoundDriveItem(w, r) }
		}
		p["@odata.context"] = contextURL(r, "drives('"+d.ID+"')/items('"+it.ID+"')/permissions/$entity")
		return func() { writeJSON(w, http.StatusOK, p) }
	})
}

// deletePermission removes one of an item's own permissions. The page says
// only permissions whose inheritedFrom is null can be deleted; it does not
// give the error for the others, so the emulator answers 403 accessDenied,
// as it does for the owner's.
func (s *Server) deletePermission(w http.ResponseWriter, r *http.Request) {
	s.withDrive(w, r, true, func(d *tenant.Drive) reply {
		it := resolveItem(d, r.PathValue("item"))
		if it == nil {
			return func() { notFoundDriveItem(w, r) }
		}
		p, own := findPermission(r, d, it, r.PathValue("perm"))
		switch {
		case p == nil:
			return func() { notFoundDriveItem(w, r) }
		case !own:
			return func() {
				graphError(w, r, http.StatusForbidden, "accessDenied", "Only permissions set on the item itself can be removed; this one is the owner's or inherited.")
			}
		}
		s.t(r).RemovePermission(d, it, r.PathValue("perm"))
		return func() { w.WriteHeader(http.StatusNoContent) }
	})
}

// inviteBody is POST …/invite's body.
type inviteBody struct {
	Recipients []struct {
		Email    string `json:"email"`
		Alias    string `json:"alias"`
		ObjectID string `json:"objectId"`
	} `json:"recipients"`
	Roles              []string `json:"roles"`
	RequireSignIn      *bool    `json:"requireSignIn"`
	SendInvitation     *bool    `json:"sendInvitation"`
	Message            string   `json:"message"`
	ExpirationDateTime string   `json:"expirationDateTime"`
}

// resolveRecipient finds a driveRecipient in the directory: by objectId,
// email (a user's UPN or mail, a group's mail) or alias (a group's
// mailNickname). Hold the tenant's lock.
func resolveRecipient(t *tenant.Tenant, email, alias, objectID string) (tenant.Grantee, bool) {
	switch {
	case objectID != "":
		if u := t.User(objectID); u != nil {
			return tenant.Grantee{User: u}, true
		}
		if g := t.GroupsByID[strings.ToLower(objectID)]; g != nil {
			return tenant.Grantee{Group: g}, true
		}
	case email != "":
		if u := t.User(email); u != nil {
			return tenant.Grantee{User: u}, true
		}
		for _, g := range t.Groups {
			if m, _ := g.Props["mail"].(string); m != "" && strings.EqualFold(m, email) {
				return tenant.Grantee{Group: g}, true
			}
		}
	case alias != "":
		for _, g := range t.Groups {
			if n, _ := g.Props["mailNickname"].(string); strings.EqualFold(n, alias) {
				return tenant.Grantee{Group: g}, true
			}
		}
	}
	return tenant.Grantee{}, false
}

// invite grants recipients roles on an item. A recipient that already has
// a direct grant keeps that one permission, with the union of the roles
// (SharePoint keeps one permission per principal). App-only callers cannot
// invite new guests, so an address outside the directory is refused.
func (s *Server) invite(w http.ResponseWriter, r *http.Request) {
	var in inviteBody
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		badRequest(w, r, "invalidRequest", "Cannot read the request body: "+err.Error())
		return
	}
	if len(in.Recipients) == 0 || len(in.Roles) == 0 {
		badRequest(w, r, "invalidRequest", "recipients and roles are required.")
		return
	}
	for _, role := range in.Roles {
		if role != tenant.RoleRead && role != tenant.RoleWrite {
			badRequest(w, r, "invalidRequest", "Invalid role '"+role+"'; use read or write.")
			return
		}
	}
	for _, rc := range in.Recipients {
		n := 0
		for _, v := range []string{rc.Email, rc.Alias, rc.ObjectID} {
			if v != "" {
				n++
			}
		}
		if n != 1 {
			badRequest(w, r, "invalidRequest", "A driveRecipient takes exactly one of email, alias or objectId.")
			return
		}
	}
	s.withDrive(w, r, true, func(d *tenant.Drive) reply {
		t := s.t(r)
		it := resolveItem(d, r.PathValue("item"))
		if it == nil {
			return func() { notFoundDriveItem(w, r) }
		}
		var grantees []tenant.Grantee
		for _, rc := range in.Recipients {
			g, ok := resolveRecipient(t, rc.Email, rc.Alias, rc.ObjectID)
			if !ok {
				return func() {
					badRequest(w, r, "invalidRequest", "New guests can't be invited using app-only access: the recipient is not in the directory.")
				}
			}
			grantees = append(grantees, g)
		}
		owner := t.User(d.Owner)
		var out []map[string]any
		for _, g := range grantees {
			if g.User != nil && g.User.ID == d.Owner {
				out = append(out, ownerPermission(d))
				continue
			}
			if p := directGrant(it, g.ID()); p != nil {
				roles := grantRoles(p)
				for _, role := range in.Roles {
					if !slices.Contains(roles, role) {
						roles = append(roles, role)
					}
				}
				id, _ := p["id"].(string)
				np := tenant.GrantProps(id, g, roles, owner)
				t.SetPermission(d, it, np)
				out = append(out, map[string]any(cloneProps(np)))
				continue
			}
			np := tenant.GrantProps(tenant.PermissionID(it, t.Seq()+1), g, in.Roles, owner)
			if in.ExpirationDateTime != "" {
				np["expirationDateTime"] = in.ExpirationDateTime
			}
			t.AddPermission(d, it, np)
			out = append(out, map[string]any(cloneProps(np)))
		}
		return func() { writeJSON(w, http.StatusOK, map[string]any{"value": out}) }
	})
}

// directGrant returns it's own grant to the directory object id, or nil.
func directGrant(it *tenant.DriveItem, id string) tenant.Props {
	for _, p := range it.Permissions {
		if _, isLink := p["link"]; isLink {
			continue
		}
		g := asMap(p["grantedToV2"])
		for _, k := range []string{"user", "group"} {
			if who, _ := asMap(g[k])["id"].(string); who != "" && strings.EqualFold(who, id) {
				return p
			}
		}
	}
	return nil
}

func grantRoles(p tenant.Props) []string {
	var out []string
	switch rs := p["roles"].(type) {
	case []any:
		for _, r := range rs {
			if s, ok := r.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, rs...)
	}
	return out
}

// createLink creates a sharing link, or returns the item's existing link of
// the same type and scope with 200 (201 for a new one).
func (s *Server) createLink(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Type               string `json:"type"`
		Scope              string `json:"scope"`
		ExpirationDateTime string `json:"expirationDateTime"`
		Password           string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		badRequest(w, r, "invalidRequest", "Cannot read the request body: "+err.Error())
		return
	}
	if in.Type != "view" && in.Type != "edit" && in.Type != "embed" {
		badRequest(w, r, "invalidRequest", "type must be view, edit or embed.")
		return
	}
	if in.Scope == "" {
		in.Scope = tenant.ScopeOrganization
	}
	if in.Scope != tenant.ScopeAnonymous && in.Scope != tenant.ScopeOrganization && in.Scope != tenant.ScopeUsers {
		badRequest(w, r, "invalidRequest", "scope must be anonymous, organization or users.")
		return
	}
	if in.Type == "embed" {
		badRequest(w, r, "invalidRequest", "Embed links are supported on OneDrive personal only.")
		return
	}
	var expires time.Time
	if in.ExpirationDateTime != "" {
		var err error
		if expires, err = time.Parse(time.RFC3339, in.ExpirationDateTime); err != nil {
			badRequest(w, r, "invalidRequest", "expirationDateTime is not a date and time.")
			return
		}
	}
	s.withDrive(w, r, true, func(d *tenant.Drive) reply {
		it := resolveItem(d, r.PathValue("item"))
		if it == nil {
			return func() { notFoundDriveItem(w, r) }
		}
		for _, p := range it.Permissions {
			if l := asMap(p["link"]); l != nil && l["type"] == in.Type && l["scope"] == in.Scope {
				out := map[string]any(cloneProps(p))
				return func() { writeJSON(w, http.StatusOK, out) }
			}
		}
		p := tenant.LinkProps(tenant.PermissionID(it, s.t(r).Seq()+1), baseURL(r), in.Type, in.Scope, expires)
		if in.Password != "" {
			p["hasPassword"] = true
		}
		s.t(r).AddPermission(d, it, p)
		out := map[string]any(cloneProps(p))
		return func() { writeJSON(w, http.StatusCreated, out) }
	})
}

// deltaRoundStart is the sequence a drive delta round started after. The
// first request of a round has no upper bound yet; it stores its start in
// the token, so that later pages know it.
func deltaRoundStart(c *deltaCursor) int64 {
	if c.latest {
		return 0
	}
	if c.tok.Upto == 0 {
		c.tok.Extra = strconv.FormatInt(c.tok.After, 10)
		return c.tok.After
	}
	n, _ := strconv.ParseInt(c.tok.Extra, 10, 64)
	return n
}
