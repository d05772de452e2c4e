package graph

import (
	"context"
	"net/http"
	"time"
)

// SharedFacet marks a drive item that is shared. With the sharing
// preferences of DriveDeltaOptions.Sharing a delta gives it only to items
// with their own sharing, and an empty one to an item whose own sharing was
// removed (driveitem-delta, "Scanning permissions hierarchies").
// https://learn.microsoft.com/en-us/graph/api/resources/shared
type SharedFacet struct {
	Owner *IdentitySet `json:"owner"`
	Scope string       `json:"scope"` // deprecated by Graph; anonymous, organization, users
}

// Sharing preferences of a drive delta. hierarchicalsharing limits the
// shared facet to items with their own sharing, so that a backup lists
// permissions only where they are set; deltashowsharingchanges marks the
// items a permission change brought into the round (it needs the other two
// and, to see every change, Sites.FullControl.All).
// https://learn.microsoft.com/en-us/graph/api/driveitem-delta
const sharingPrefer = "hierarchicalsharing, deltashowremovedasdeleted, deltatraversepermissiongaps, deltashowsharingchanges"

// Permission roles Graph names.
const (
	RoleRead  = "read"
	RoleWrite = "write"
	RoleOwner = "owner"
)

// IsOwner reports whether p is the owner's permission.
func (p *Permission) IsOwner() bool {
	for _, r := range p.Roles {
		if r == RoleOwner {
			return true
		}
	}
	return false
}

// Grantee returns the user or group a grant names, or nil for a sharing
// link, the owner's permission or an identity of another kind.
func (p *Permission) Grantee() (who *Identity, group bool) {
	if p.Link != nil || p.GrantedToV2 == nil || p.IsOwner() {
		return nil, false
	}
	if p.GrantedToV2.User != nil && p.GrantedToV2.User.ID != "" {
		return p.GrantedToV2.User, false
	}
	if p.GrantedToV2.Group != nil && p.GrantedToV2.Group.ID != "" {
		return p.GrantedToV2.Group, true
	}
	return nil, false
}

// Invitation is the body of an invite.
// https://learn.microsoft.com/en-us/graph/api/driveitem-invite
type Invitation struct {
	Recipients         []DriveRecipient `json:"recipients"`
	Roles              []string         `json:"roles"`
	RequireSignIn      bool             `json:"requireSignIn"`
	SendInvitation     bool             `json:"sendInvitation"`
	Message            string           `json:"message,omitempty"`
	ExpirationDateTime *time.Time       `json:"expirationDateTime,omitempty"`
}

// DriveRecipient names one recipient by exactly one of its fields.
// https://learn.microsoft.com/en-us/graph/api/resources/driverecipient
type DriveRecipient struct {
	Email    string `json:"email,omitempty"`
	Alias    string `json:"alias,omitempty"`
	ObjectID string `json:"objectId,omitempty"`
}

// Invite grants the recipients roles on an item and returns the
// permissions created or updated. It is not retried after a lost answer:
// a second invite is harmless (one permission per principal) but the
// caller decides, by listing first.
func (c *Client) Invite(ctx context.Context, driveID, itemID string, inv Invitation) ([]Permission, error) {
	var out struct {
		Value []Permission `json:"value"`
	}
	err := c.Send(ctx, http.MethodPost, Pathf("/drives/%s/items/%s/invite", driveID, itemID), inv, &out,
		WithResource(ClassDrive, driveID), WithOp("invite"))
	if err != nil {
		return nil, err
	}
	return out.Value, nil
}

// LinkRequest is the body of createLink.
// https://learn.microsoft.com/en-us/graph/api/driveitem-createlink
type LinkRequest struct {
	Type               string     `json:"type"`            // view, edit, embed
	Scope              string     `json:"scope,omitempty"` // anonymous, organization, users
	ExpirationDateTime *time.Time `json:"expirationDateTime,omitempty"`
}

// CreateLink creates a sharing link on an item, or returns the existing one
// of that type and scope. A link always gets a new URL: an old link cannot
// be recreated.
func (c *Client) CreateLink(ctx context.Context, driveID, itemID string, l LinkRequest) (*Permission, error) {
	var p Permission
	err := c.Send(ctx, http.MethodPost, Pathf("/drives/%s/items/%s/createLink", driveID, itemID), l, &p,
		WithResource(ClassDrive, driveID), WithOp("create link"),
		WithRetrySafe()) // repeating returns the same link
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// DeletePermission removes one of an item's own (not inherited) permissions.
// https://learn.microsoft.com/en-us/graph/api/permission-delete
func (c *Client) DeletePermission(ctx context.Context, driveID, itemID, permID string) error {
	return c.Send(ctx, http.MethodDelete, Pathf("/drives/%s/items/%s/permissions/%s", driveID, itemID, permID), nil, nil,
		WithResource(ClassDrive, driveID), WithOp("delete permission"))
}
