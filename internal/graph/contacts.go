package graph

import (
	"context"
	"encoding/json"
	"fmt"
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

// ContactFolders lists the contact folders directly inside the user's
// default Contacts folder (user-list-contactfolders); their parentFolderId
// is the default folder's id. The default folder itself is not listed.
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

// ContactChildFolders lists the direct child folders of a contact folder
// (contactfolder-list-childfolders).
func (c *Client) ContactChildFolders(ctx context.Context, user, folderID string) iter.Seq2[ContactFolder, error] {
	return listRequest[ContactFolder](ctx, c, Request{Path: userPath(user) + Pathf("/contactFolders/%s/childFolders", folderID),
		Class: ClassContacts, Resource: user})
}

// AllContactFolders walks the contact folders below the default Contacts
// folder, parents before their children; the default folder itself is not
// among them (see DefaultContactFolderID). contactFolder has no child count,
// so every folder's children are listed: one request per folder.
func (c *Client) AllContactFolders(ctx context.Context, user string) iter.Seq2[ContactFolder, error] {
	return func(yield func(ContactFolder, error) bool) {
		stack := []iter.Seq2[ContactFolder, error]{c.ContactFolders(ctx, user)}
		var found []ContactFolder
		for len(stack) > 0 {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			found = found[:0]
			for f, err := range top {
				if err != nil {
					yield(ContactFolder{}, err)
					return
				}
				if !yield(f, nil) {
					return
				}
				found = append(found, f)
			}
			for i := len(found) - 1; i >= 0; i-- {
				stack = append(stack, c.ContactChildFolders(ctx, user, found[i].ID))
			}
		}
	}
}

// ContactFolder gets one contact folder (contactfolder-get).
func (c *Client) ContactFolder(ctx context.Context, user, id string) (*ContactFolder, error) {
	req := Request{Path: userPath(user) + Pathf("/contactFolders/%s", id), Class: ClassContacts, Resource: user}
	var f ContactFolder
	if err := c.doJSON(ctx, &req, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// DefaultContactFolderID finds the id of the user's default Contacts
// folder, which Graph v1.0 has no documented address for: it is the
// parentFolderId of the folders ContactFolders lists and of the contacts
// GET /users/{id}/contacts lists (user-list-contacts: "from the default
// Contacts folder"). One of the top-level folders may be passed in to save
// the request; ok is false when the default folder has neither sub-folders
// nor contacts.
func (c *Client) DefaultContactFolderID(ctx context.Context, user string, topLevel []ContactFolder) (id string, ok bool, err error) {
	for _, f := range topLevel {
		if f.ParentFolderID != "" {
			return f.ParentFolderID, true, nil
		}
	}
	req := Request{Path: userPath(user) + "/contacts", Class: ClassContacts, Resource: user}
	(&ListOptions{Select: []string{"parentFolderId"}, Top: 1}).apply(&req)
	p, err := c.fetchPage(ctx, &req)
	if err != nil {
		return "", false, err
	}
	for _, raw := range p.Value {
		ct, err := decodeItem[Contact](raw)
		if err != nil {
			return "", false, fmt.Errorf("graph: %s: decode item: %w", req.op(), err)
		}
		if ct.ParentFolderID != "" {
			return ct.ParentFolderID, true, nil
		}
	}
	return "", false, nil
}
