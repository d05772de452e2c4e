package graph

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
)

// Calls the calendar and contacts restores need: creating calendars,
// events, contact folders and contacts, deleting events and contacts, and
// adding event attachments. Creates are not repeated after a dropped
// connection or a 5xx unless ctx is marked with RetrySafe.

// CreateCalendar creates a calendar named name in the user's default
// calendar group (user-post-calendars). A name already taken is an
// *APIError wrapping ErrConflict (Exchange answers 409
// ErrorFolderExists).
func (c *Client) CreateCalendar(ctx context.Context, user, name string) (*Calendar, error) {
	var cal Calendar
	err := c.Send(ctx, http.MethodPost, userPath(user)+"/calendars", map[string]any{"name": name}, &cal,
		WithResource(ClassCalendar, user), WithOp("create calendar"))
	if err != nil {
		return nil, err
	}
	return &cal, nil
}

// CreateEvent creates an event in calendarID, or in the user's default
// calendar when calendarID is "" (user-post-events), from its JSON
// representation. Graph sends invitations to every attendee of a created
// event ("When an event is sent, the server sends invitations to all the
// attendees"): leave attendees out to create it silently.
func (c *Client) CreateEvent(ctx context.Context, user, calendarID string, event any) (*Event, error) {
	path := userPath(user) + "/events"
	if calendarID != "" {
		path = userPath(user) + Pathf("/calendars/%s/events", calendarID)
	}
	var e Event
	if err := c.Send(ctx, http.MethodPost, path, event, &e, WithResource(ClassCalendar, user), WithOp("create event")); err != nil {
		return nil, err
	}
	return &e, nil
}

// UpdateEvent changes an event's properties (PATCH /users/{id}/events/{id},
// event-update). On an occurrence of a series it makes that occurrence an
// exception. The PATCH sets properties, so it may be repeated.
func (c *Client) UpdateEvent(ctx context.Context, user, id string, patch any) (*Event, error) {
	var e Event
	if err := c.Send(RetrySafe(ctx), http.MethodPatch, userPath(user)+Pathf("/events/%s", id), patch, &e,
		WithResource(ClassCalendar, user), WithOp("update event")); err != nil {
		return nil, err
	}
	return &e, nil
}

// DeleteEvent deletes an event (event-delete). An event that is already
// gone is an *APIError wrapping ErrNotFound. Deleting a meeting the user
// organizes sends cancellations to its attendees; an event created
// without attendees has none.
func (c *Client) DeleteEvent(ctx context.Context, user, id string) error {
	return c.Send(ctx, http.MethodDelete, userPath(user)+Pathf("/events/%s", id), nil, nil,
		WithResource(ClassCalendar, user), WithOp("delete event"))
}

// CreateEventAttachment adds a small (under 3 MB) attachment to an event
// from its JSON representation (event-post-attachments).
func (c *Client) CreateEventAttachment(ctx context.Context, user, eventID string, att any) (*Attachment, error) {
	var a Attachment
	err := c.Send(ctx, http.MethodPost, userPath(user)+Pathf("/events/%s/attachments", eventID), att, &a,
		WithResource(ClassCalendar, user), WithOp("add event attachment"))
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// UploadEventAttachment attaches a large file (3 to 150 MB) to an event
// through an attachment upload session (attachment-createuploadsession,
// which documents POST /users/{id}/events/{id}/attachments/
// createUploadSession beside the message form), reading size bytes from r
// in fragments of at most 4 MB. It returns the new attachment's id.
func (c *Client) UploadEventAttachment(ctx context.Context, user, eventID string, a AttachmentUpload, r io.Reader, size int64) (string, error) {
	item := map[string]any{"attachmentType": "file", "name": a.Name, "size": size, "contentType": a.ContentType,
		"isInline": a.IsInline}
	if a.ContentID != "" {
		item["contentId"] = a.ContentID
	}
	var sess UploadSession
	err := c.Send(ctx, http.MethodPost, userPath(user)+Pathf("/events/%s/attachments/createUploadSession", eventID),
		// A repeated create only leaves an unused session, which expires.
		map[string]any{"AttachmentItem": item}, &sess, WithResource(ClassCalendar, user), WithRetrySafe(),
		WithOp("create event attachment upload session"))
	if err != nil {
		return "", err
	}
	if sess.UploadURL == "" {
		return "", fmt.Errorf("graph: create event attachment upload session: no uploadUrl")
	}
	s := sessionUpload{url: sess.UploadURL, size: size, class: ClassCalendar, resource: user, op: "upload event attachment",
		fragment: fragmentSize(c.opts.UploadFragmentSize, maxAttachmentFragment)}
	_, h, _, err := c.upload(ctx, s, r)
	if err != nil {
		c.cancelSession(ctx, s)
		return "", err
	}
	return attachmentIDFromLocation(h.Get("Location")), nil
}

// CreateContactFolder creates a contact folder named name below parentID,
// or below the default Contacts folder when parentID is ""
// (user-post-contactfolders, contactfolder-post-childfolders). A name
// already taken is an *APIError wrapping ErrConflict.
func (c *Client) CreateContactFolder(ctx context.Context, user, parentID, name string) (*ContactFolder, error) {
	path := userPath(user) + "/contactFolders"
	if parentID != "" {
		path = userPath(user) + Pathf("/contactFolders/%s/childFolders", parentID)
	}
	var f ContactFolder
	err := c.Send(ctx, http.MethodPost, path, map[string]any{"displayName": name}, &f,
		WithResource(ClassContacts, user), WithOp("create contact folder"))
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// FolderContacts lists the contacts of a contact folder, or of the default
// Contacts folder when folderID is "" (contactfolder-list-contacts,
// user-list-contacts).
func (c *Client) FolderContacts(ctx context.Context, user, folderID string, opts *ListOptions) iter.Seq2[Contact, error] {
	path := userPath(user) + "/contacts"
	if folderID != "" {
		path = userPath(user) + Pathf("/contactFolders/%s/contacts", folderID)
	}
	req := Request{Path: path, Class: ClassContacts, Resource: user}
	opts.apply(&req)
	return listRequest[Contact](ctx, c, req)
}

// CreateContact creates a contact in a contact folder, or in the default
// Contacts folder when folderID is "" (user-post-contacts,
// contactfolder-post-contacts), from its JSON representation.
func (c *Client) CreateContact(ctx context.Context, user, folderID string, contact any) (*Contact, error) {
	path := userPath(user) + "/contacts"
	if folderID != "" {
		path = userPath(user) + Pathf("/contactFolders/%s/contacts", folderID)
	}
	var ct Contact
	if err := c.Send(ctx, http.MethodPost, path, contact, &ct, WithResource(ClassContacts, user), WithOp("create contact")); err != nil {
		return nil, err
	}
	return &ct, nil
}

// DeleteContact deletes a contact (contact-delete). A contact that is
// already gone is an *APIError wrapping ErrNotFound.
func (c *Client) DeleteContact(ctx context.Context, user, id string) error {
	return c.Send(ctx, http.MethodDelete, userPath(user)+Pathf("/contacts/%s", id), nil, nil,
		WithResource(ClassContacts, user), WithOp("delete contact"))
}
