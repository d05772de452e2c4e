package graph

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MailFolder is a mail folder.
type MailFolder struct {
	ID               string          `json:"id"`
	DisplayName      string          `json:"displayName"`
	ParentFolderID   string          `json:"parentFolderId"`
	ChildFolderCount int             `json:"childFolderCount"`
	TotalItemCount   int             `json:"totalItemCount"`
	UnreadItemCount  int             `json:"unreadItemCount"`
	IsHidden         bool            `json:"isHidden"`
	Raw              json.RawMessage `json:"-"`
}

// Message is an Outlook message. The fields are the ones backup logic reads;
// Raw keeps everything Graph sent.
type Message struct {
	ID                            string             `json:"id"`
	ETag                          string             `json:"@odata.etag"`
	ChangeKey                     string             `json:"changeKey"`
	ParentFolderID                string             `json:"parentFolderId"`
	ConversationID                string             `json:"conversationId"`
	InternetMessageID             string             `json:"internetMessageId"`
	Subject                       string             `json:"subject"`
	From                          *Recipient         `json:"from"`
	ToRecipients                  []Recipient        `json:"toRecipients"`
	CcRecipients                  []Recipient        `json:"ccRecipients"`
	BccRecipients                 []Recipient        `json:"bccRecipients"`
	ReceivedDateTime              time.Time          `json:"receivedDateTime"`
	SentDateTime                  time.Time          `json:"sentDateTime"`
	CreatedDateTime               time.Time          `json:"createdDateTime"`
	LastModifiedDateTime          time.Time          `json:"lastModifiedDateTime"`
	IsRead                        bool               `json:"isRead"`
	IsDraft                       bool               `json:"isDraft"`
	HasAttachments                bool               `json:"hasAttachments"`
	Importance                    string             `json:"importance"`
	Categories                    []string           `json:"categories"`
	Body                          *ItemBody          `json:"body"`
	SingleValueExtendedProperties []ExtendedProperty `json:"singleValueExtendedProperties"`
	Raw                           json.RawMessage    `json:"-"`
}

// Recipient is a message sender or recipient.
type Recipient struct {
	EmailAddress EmailAddress `json:"emailAddress"`
}

// EmailAddress is a name and address.
type EmailAddress struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

// ItemBody is a message or event body.
type ItemBody struct {
	ContentType string `json:"contentType"` // "text" or "html"
	Content     string `json:"content"`
}

// ExtendedProperty is a MAPI single-value extended property, such as
// {"id": "Integer 0x0E07", "value": "1"} (PidTagMessageFlags), which decides
// whether a restored message is a draft.
type ExtendedProperty struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// Attachment is a message or event attachment: a fileAttachment (with
// ContentBytes, which encoding/json decodes from base64), an itemAttachment
// or a referenceAttachment, told apart by ODataType.
type Attachment struct {
	ODataType            string          `json:"@odata.type"`
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ContentType          string          `json:"contentType"`
	Size                 int64           `json:"size"`
	IsInline             bool            `json:"isInline"`
	ContentID            string          `json:"contentId"`
	LastModifiedDateTime time.Time       `json:"lastModifiedDateTime"`
	ContentBytes         []byte          `json:"contentBytes"`
	Raw                  json.RawMessage `json:"-"`
}

func (m *MailFolder) setRaw(r json.RawMessage) { m.Raw = r }
func (m *Message) setRaw(r json.RawMessage)    { m.Raw = r }
func (m *Attachment) setRaw(r json.RawMessage) { m.Raw = r }

// MailFolders lists a mailbox's top-level mail folders. includeHidden adds
// hidden folders (includeHiddenFolders=true).
func (c *Client) MailFolders(ctx context.Context, user string, includeHidden bool) iter.Seq2[MailFolder, error] {
	return c.mailFolders(ctx, user, userPath(user)+"/mailFolders", includeHidden)
}

// ChildFolders lists the direct child folders of a mail folder.
func (c *Client) ChildFolders(ctx context.Context, user, folderID string, includeHidden bool) iter.Seq2[MailFolder, error] {
	return c.mailFolders(ctx, user, userPath(user)+Pathf("/mailFolders/%s/childFolders", folderID), includeHidden)
}

func (c *Client) mailFolders(ctx context.Context, user, path string, includeHidden bool) iter.Seq2[MailFolder, error] {
	req := Request{Path: path, Class: ClassMail, Resource: user}
	if includeHidden {
		req.Query = url.Values{"includeHiddenFolders": {"true"}}
	}
	return listRequest[MailFolder](ctx, c, req)
}

// AllMailFolders walks a mailbox's whole folder tree, parents before their
// children (depth first), listing children only of folders that have some.
// Callers rebuild paths from ParentFolderID.
func (c *Client) AllMailFolders(ctx context.Context, user string, includeHidden bool) iter.Seq2[MailFolder, error] {
	return func(yield func(MailFolder, error) bool) {
		// An explicit stack of listings rather than recursion: trees can
		// be deep, and only one listing is open at a time.
		stack := []iter.Seq2[MailFolder, error]{c.MailFolders(ctx, user, includeHidden)}
		var parents []MailFolder
		for len(stack) > 0 {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			parents = parents[:0]
			for f, err := range top {
				if err != nil {
					yield(MailFolder{}, err)
					return
				}
				if !yield(f, nil) {
					return
				}
				if f.ChildFolderCount > 0 {
					parents = append(parents, f)
				}
			}
			// Push in reverse so the first parent's children come next.
			for i := len(parents) - 1; i >= 0; i-- {
				stack = append(stack, c.ChildFolders(ctx, user, parents[i].ID, includeHidden))
			}
		}
	}
}

// MessagesDelta starts a delta round over one mail folder. deltaLink is the
// link the previous round returned, or "" for a full round.
func (c *Client) MessagesDelta(ctx context.Context, user, folderID, deltaLink string, opts *DeltaOptions) *DeltaRound[Message] {
	path := userPath(user) + Pathf("/mailFolders/%s/messages/delta", folderID)
	return Delta[Message](ctx, c, path, deltaLink, func(r *Request) {
		r.Class, r.Resource = ClassMail, user
		opts.apply(r, deltaLink == "")
	})
}

// GetMessage gets one message's properties.
func (c *Client) GetMessage(ctx context.Context, user, id string, opts *GetOptions) (*Message, error) {
	req := Request{Path: userPath(user) + Pathf("/messages/%s", id), Class: ClassMail, Resource: user}
	opts.apply(&req)
	var m Message
	if err := c.doJSON(ctx, &req, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// MessageMIME streams a message's MIME content as Graph returns it
// (GET …/$value). The caller closes the reader; until then it holds one of
// the mailbox's concurrency slots.
func (c *Client) MessageMIME(ctx context.Context, user, id string) (io.ReadCloser, error) {
	req := Request{Path: userPath(user) + Pathf("/messages/%s/$value", id), Class: ClassMail, Resource: user}
	return c.stream(ctx, &req)
}

// Attachments lists a message's attachments. Pass Expand
// "microsoft.graph.itemAttachment/item" to include embedded items.
func (c *Client) Attachments(ctx context.Context, user, messageID string, opts *ListOptions) iter.Seq2[Attachment, error] {
	req := Request{Path: userPath(user) + Pathf("/messages/%s/attachments", messageID), Class: ClassMail, Resource: user}
	opts.apply(&req)
	return listRequest[Attachment](ctx, c, req)
}

// AttachmentContent streams an attachment's raw content (file bytes, or
// MIME for an item attachment).
func (c *Client) AttachmentContent(ctx context.Context, user, messageID, attachmentID string) (io.ReadCloser, error) {
	req := Request{Path: userPath(user) + Pathf("/messages/%s/attachments/%s/$value", messageID, attachmentID),
		Class: ClassMail, Resource: user}
	return c.stream(ctx, &req)
}

// messagesPath is the collection new messages are created in.
func messagesPath(user, folderID string) string {
	if folderID == "" {
		return userPath(user) + "/messages"
	}
	return userPath(user) + Pathf("/mailFolders/%s/messages", folderID)
}

// CreateMessage creates a message in a folder ("" for Drafts) from its JSON
// representation: a struct, a map, or a json.RawMessage such as a backed-up
// Message.Raw. Include singleValueExtendedProperties (Integer 0x0E07 without
// the unsent bit, SystemTime 0x0039 and 0x0E06) to restore a sent message
// rather than a draft; they can only be set at creation.
//
// A create is not repeated after a dropped connection or a 503, which could
// duplicate it, unless ctx is marked with RetrySafe.
func (c *Client) CreateMessage(ctx context.Context, user, folderID string, msg any) (*Message, error) {
	var m Message
	err := c.Send(ctx, http.MethodPost, messagesPath(user, folderID), msg, &m, WithResource(ClassMail, user))
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// CreateMessageMIME creates a message from MIME content: Graph takes it
// base64-encoded as text/plain (outlook-send-mime-message) and creates a
// draft. The MIME is held in memory, base64-encoded, so that the request can
// be retried; Outlook caps messages at 150 MB.
func (c *Client) CreateMessageMIME(ctx context.Context, user, folderID string, mime io.Reader) (*Message, error) {
	var enc bytes.Buffer
	w := base64.NewEncoder(base64.StdEncoding, &enc)
	if _, err := io.Copy(w, mime); err != nil {
		return nil, fmt.Errorf("graph: create message from MIME: read: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("graph: create message from MIME: encode: %w", err)
	}
	req := Request{
		Op: "create message from MIME", Method: http.MethodPost, Path: messagesPath(user, folderID),
		Header: http.Header{"Content-Type": {"text/plain"}}, Body: bytes.NewReader(enc.Bytes()),
		Class: ClassMail, Resource: user,
	}
	var m Message
	if err := c.doJSON(ctx, &req, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// UpdateMessage patches a message's writable properties (isRead, flag,
// categories, …) and returns the updated message.
func (c *Client) UpdateMessage(ctx context.Context, user, id string, patch any) (*Message, error) {
	var m Message
	err := c.Send(ctx, http.MethodPatch, userPath(user)+Pathf("/messages/%s", id), patch, &m, WithResource(ClassMail, user))
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// CreateAttachment adds a small (under 3 MB) attachment to a message, from
// its JSON representation (e.g. a backed-up Attachment.Raw).
func (c *Client) CreateAttachment(ctx context.Context, user, messageID string, att any) (*Attachment, error) {
	var a Attachment
	err := c.Send(ctx, http.MethodPost, userPath(user)+Pathf("/messages/%s/attachments", messageID), att, &a,
		WithResource(ClassMail, user))
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// AttachmentUpload describes a large attachment for UploadAttachment.
type AttachmentUpload struct {
	Name        string
	ContentType string
	IsInline    bool
	ContentID   string
}

// UploadAttachment attaches a large file (3 to 150 MB) to a message through
// an attachment upload session (outlook-large-attachments), reading size
// bytes from r in fragments of at most 4 MB. It returns the new attachment's
// id, taken from the final response's Location header.
func (c *Client) UploadAttachment(ctx context.Context, user, messageID string, a AttachmentUpload, r io.Reader, size int64) (string, error) {
	body := map[string]any{"AttachmentItem": map[string]any{
		"attachmentType": "file", "name": a.Name, "size": size,
		"contentType": a.ContentType, "isInline": a.IsInline, "contentId": a.ContentID,
	}}
	var sess UploadSession
	err := c.Send(ctx, http.MethodPost, userPath(user)+Pathf("/messages/%s/attachments/createUploadSession", messageID),
		// A repeated create only leaves an unused session, which expires.
		body, &sess, WithResource(ClassMail, user), WithRetrySafe())
	if err != nil {
		return "", err
	}
	if sess.UploadURL == "" {
		return "", fmt.Errorf("graph: create attachment upload session: no uploadUrl")
	}
	s := sessionUpload{
		url: sess.UploadURL, size: size, class: ClassMail, resource: user, op: "upload attachment",
		fragment: fragmentSize(c.opts.UploadFragmentSize, maxAttachmentFragment),
	}
	_, h, _, err := c.upload(ctx, s, r)
	if err != nil {
		c.cancelSession(ctx, s)
		return "", err
	}
	return attachmentIDFromLocation(h.Get("Location")), nil
}

// attachmentIDFromLocation extracts the id from a Location such as
// https://outlook.office.com/api/v2.0/Users('…')/Messages('…')/Attachments('AAMk…').
func attachmentIDFromLocation(loc string) string {
	const marker = "Attachments('"
	i := strings.LastIndex(loc, marker)
	if i < 0 {
		return ""
	}
	rest := loc[i+len(marker):]
	j := strings.IndexByte(rest, '\'')
	if j < 0 {
		return ""
	}
	id, err := url.PathUnescape(rest[:j])
	if err != nil {
		return rest[:j]
	}
	return id
}

// stream sends a GET whose body the caller reads.
func (c *Client) stream(ctx context.Context, req *Request) (io.ReadCloser, error) {
	resp, err := c.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("graph: %s: unexpected status %d", req.op(), resp.StatusCode)
	}
	return resp.Body, nil
}
