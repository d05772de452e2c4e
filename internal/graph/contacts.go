package graph

import (
	"context"
	"encoding/json"
	"iter"
	"time"
)

// ContactFolder is a contact folder.
type ContactFolder struct {
	ID             string          `json:"id"`
	DisplayName    string          `json:"displayName"`
	ParentFolderID string          `json:"parentFolderId"`
	Raw            json.RawMessage `json:"-"`
}

// Contact is a personal contact.
type Contact struct {
	ID                   string          `json:"id"`
	ChangeKey            string          `json:"changeKey"`
	ParentFolderID       string          `json:"parentFolderId"`
	DisplayName          string          `json:"displayName"`
	GivenName            string          `json:"givenName"`
	Surname              string          `json:"surname"`
	EmailAddresses       []EmailAddress  `json:"emailAddresses"`
	LastModifiedDateTime time.Time       `json:"lastModifiedDateTime"`
	Raw                  json.RawMessage `json:"-"`
}

func (m *ContactFolder) setRaw(r json.RawMessage) { m.Raw = r }
func (m *Contact) setRaw(r json.RawMessage)       { m.Raw = r }

// ContactFolders lists a user's top-level contact folders.
func (c *Client) ContactFolders(ctx context.Context, user string) iter.Seq2[ContactFolder, error] {
	return listRequest[ContactFolder](ctx, c, Request{Path: userPath(user) + "/contactFolders", Class: ClassContacts, Resource: user})
}

// ContactsDelta starts a delta round over one contact folder. deltaLink is
// the link the previous round returned, or "" for a full round.
func (c *Client) ContactsDelta(ctx context.Context, user, folderID, deltaLink string, opts *DeltaOptions) *DeltaRound[Contact] {
	path := userPath(user) + Pathf("/contactFolders/%s/contacts/delta", folderID)
	return Delta[Contact](ctx, c, path, deltaLink, func(r *Request) {
		r.Class, r.Resource = ClassContacts, user
		opts.apply(r, deltaLink == "")
	})
}
