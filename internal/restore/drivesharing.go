package restore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// sharingPlan is what a restore does about one item's stored sharing.
type sharingPlan struct {
	grants  []graph.Permission // the item's own grants to users and groups, unexpired
	links   []graph.Permission // the item's own sharing links
	skipped int64              // stored permissions not restored (expired grants)
}

// planSharing sorts an item's stored permissions. The owner's permission
// belongs to the drive and inherited ones to the ancestor that carries
// them (invite on the child would turn them into direct grants), so
// neither is restored.
func (j *job) planSharing(perms []graph.Permission) sharingPlan {
	var p sharingPlan
	now := j.req.Now()
	for _, perm := range perms {
		switch {
		case perm.IsOwner() || perm.InheritedFrom != nil:
		case perm.Link != nil:
			p.links = append(p.links, perm)
		case perm.ExpirationDateTime != nil && perm.ExpirationDateTime.Before(now):
			p.skipped++
		default:
			if who, _ := perm.Grantee(); who != nil {
				p.grants = append(p.grants, perm)
			} else {
				p.skipped++ // a site user or application: no directory id to invite
			}
		}
	}
	return p
}

// restoreSharing brings back an item's direct grants (and, with
// PermissionsAll, new links of its links' kind) on the restored item
// targetID; targetID is "" for an item a dry run would create. It lists
// the target's permissions first and invites only grants that are missing
// or lack a role, so a rerun adds nothing; a dry run only reads.
func (dr *driveRestorer) restoreSharing(ctx context.Context, it dataguard.DriveItemRef, targetID string) {
	j := dr.job
	if j.req.Permissions == PermissionsNone || it.Permissions == "" {
		return
	}
	ref := j.ref(it.ID, it.Path)
	perms, err := j.v.ReadPermissions(ctx, it)
	if err != nil {
		j.fail(ctx, ref, fmt.Errorf("sharing: %w", err))
		return
	}
	plan := j.planSharing(perms)
	var c Counts
	defer func() {
		j.mu.Lock()
		j.sum.Counts.add(c)
		j.mu.Unlock()
	}()
	c.SharingSkipped = plan.skipped
	if !j.req.Target.Original() {
		c.SharingSkipped += int64(len(plan.grants) + len(plan.links))
		return
	}
	if j.req.Permissions != PermissionsAll {
		c.SharingSkipped += int64(len(plan.links))
		plan.links = nil
	}
	if len(plan.grants) == 0 && len(plan.links) == 0 {
		return
	}
	var current []graph.Permission
	if targetID != "" {
		for p, err := range j.c.Permissions(ctx, dr.driveID, targetID) {
			if err != nil {
				j.fail(ctx, ref, fmt.Errorf("sharing: list the restored item's permissions: %w", err))
				return
			}
			current = append(current, p)
		}
	}
	dry := j.req.DryRun || targetID == ""
	for _, g := range plan.grants {
		if hasGrant(current, g) {
			c.GrantsPresent++
			continue
		}
		if !dry {
			if err := dr.invite(ctx, targetID, g); err != nil {
				j.fail(ctx, ref, err)
				continue
			}
		}
		c.Granted++
	}
	for _, l := range plan.links {
		if hasLink(current, l) {
			c.GrantsPresent++
			continue
		}
		if !dry {
			req := graph.LinkRequest{Type: l.Link.Type, Scope: l.Link.Scope}
			if l.ExpirationDateTime != nil && l.ExpirationDateTime.After(j.req.Now()) {
				req.ExpirationDateTime = l.ExpirationDateTime
			}
			if _, err := j.c.CreateLink(ctx, dr.driveID, targetID, req); err != nil {
				j.fail(ctx, ref, fmt.Errorf("sharing: create a %s %s link: %w", l.Link.Scope, l.Link.Type, err))
				continue
			}
		}
		c.LinksCreated++
	}
}

// invite grants g's user or group its roles again, silently: no mail goes
// out (sendInvitation false) and the grantee must sign in.
func (dr *driveRestorer) invite(ctx context.Context, targetID string, g graph.Permission) error {
	who, _ := g.Grantee()
	inv := graph.Invitation{
		Recipients:    []graph.DriveRecipient{{ObjectID: who.ID}},
		Roles:         restorableRoles(g.Roles),
		RequireSignIn: true, SendInvitation: false,
		ExpirationDateTime: g.ExpirationDateTime,
	}
	if _, err := dr.job.c.Invite(ctx, dr.driveID, targetID, inv); err != nil {
		return fmt.Errorf("sharing: invite %s (%s): %w", cmp.Or(who.Email, who.DisplayName, who.ID), strings.Join(inv.Roles, ","), err)
	}
	return nil
}

// restorableRoles are the roles invite accepts (read, write); other roles
// of a grant, such as SharePoint's, come back as read.
func restorableRoles(roles []string) []string {
	var out []string
	for _, r := range roles {
		if r == graph.RoleRead || r == graph.RoleWrite {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		out = []string{graph.RoleRead}
	}
	return out
}

// hasGrant reports whether current holds a grant of the item's own to g's
// user or group with at least g's roles. An inherited grant does not
// count: the item had its own, which outlives a change of the parent's.
func hasGrant(current []graph.Permission, g graph.Permission) bool {
	want, _ := g.Grantee()
	for _, p := range current {
		who, _ := p.Grantee()
		if who == nil || p.InheritedFrom != nil || !strings.EqualFold(who.ID, want.ID) {
			continue
		}
		if slices.Contains(p.Roles, graph.RoleWrite) || !slices.Contains(restorableRoles(g.Roles), graph.RoleWrite) {
			return true
		}
	}
	return false
}

// hasLink reports whether current holds an own link of l's type and scope.
func hasLink(current []graph.Permission, l graph.Permission) bool {
	return slices.ContainsFunc(current, func(p graph.Permission) bool {
		return p.Link != nil && p.InheritedFrom == nil && p.Link.Type == l.Link.Type && p.Link.Scope == l.Link.Scope
	})
}
