package tenant

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// importer stores raw MIME messages in one mailbox folder.
type importer struct {
	t      *Tenant
	user   string
	folder string
}

// store parses raw outside the lock, then adds it to the folder (created
// if missing) under the write lock. raw is kept, unchanged, as the
// message's MIME.
func (im *importer) store(raw []byte) error {
	props, atts, h, err := parseMIME(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	return im.t.Write(func() error {
		u := im.t.User(im.user)
		if u == nil {
			return fmt.Errorf("user %q not found", im.user)
		}
		if u.Mailbox == nil {
			return fmt.Errorf("user %q has no mailbox", im.user)
		}
		f, err := ensureMailFolder(im.t, u.Mailbox, im.folder)
		if err != nil {
			return err
		}
		m := &Message{Props: props, MIME: Bytes(raw), Attachments: atts}
		importedProps(m, h, im.t.Now())
		for _, a := range atts {
			a.ID = im.t.NewOutlookID("AAMkAGI2AAABEgAQA")
		}
		im.t.AddMessage(u.Mailbox, f, m)
		return nil
	})
}

// importedProps completes what ParseMIME derived from the header the way
// a migration tool's import looks in Exchange: read, not a draft (the
// MAPI message flags carry MSGFLAG_READ without MSGFLAG_UNSENT), dated by
// the header, threaded by References.
func importedProps(m *Message, h mail.Header, now time.Time) {
	p := m.Props
	ts := Timestamp(now)
	if _, ok := p["receivedDateTime"]; !ok {
		p["receivedDateTime"] = ts
	}
	if _, ok := p["sentDateTime"]; !ok {
		p["sentDateTime"] = p["receivedDateTime"]
	}
	root := strings.Fields(h.Get("References"))
	thread := h.Get("Message-Id")
	switch {
	case len(root) > 0:
		thread = root[0]
	case strings.TrimSpace(h.Get("In-Reply-To")) != "":
		thread = strings.TrimSpace(h.Get("In-Reply-To"))
	}
	p["conversationId"] = encodeID("AAQkA", SeedOf("conversation", thread), SeedOf("conversation", thread, 1))
	defaults := Props{
		"createdDateTime": ts, "lastModifiedDateTime": ts, "isRead": true, "isDraft": false,
		"isReadReceiptRequested": false, "isDeliveryReceiptRequested": false,
		"inferenceClassification": "focused", "categories": []any{}, "flag": Props{"flagStatus": "notFlagged"},
	}
	for k, v := range defaults {
		p[k] = v
	}
	m.ExtProps = map[string]string{"Integer 0x0E07": "1"} // PidTagMessageFlags: MSGFLAG_READ
	if v := strings.TrimSpace(h.Get("In-Reply-To")); v != "" {
		m.ExtProps[extInReplyTo] = validUTF8(v)
	}
	if v := strings.TrimSpace(h.Get("References")); v != "" {
		m.ExtProps[extReferences] = validUTF8(v)
	}
}

// ensureMailFolder resolves a folder path such as "Inbox/Imported",
// creating missing folders. The first segment may be a well-known name
// (inbox, archive, …), a folder id, or a folder below the mailbox root;
// later segments
// are display names, matched case-insensitively. "" means the Inbox.
// Display names containing "/" cannot be addressed. Hold the write lock.
func ensureMailFolder(t *Tenant, mb *Mailbox, path string) (*MailFolder, error) {
	segs := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	if len(segs) == 0 {
		segs = []string{"inbox"}
	}
	root := mb.Folder("msgfolderroot")
	if root == nil {
		return nil, fmt.Errorf("mailbox has no root folder")
	}
	cur := mb.Folder(segs[0]) // a well-known name or a folder id
	if cur == nil {
		cur = childFolder(t, mb, root, segs[0])
	}
	for _, s := range segs[1:] {
		cur = childFolder(t, mb, cur, s)
	}
	return cur, nil
}

// childFolder returns parent's child folder named name, creating it.
func childFolder(t *Tenant, mb *Mailbox, parent *MailFolder, name string) *MailFolder {
	for _, f := range mb.ChildFolders(parent.ID) {
		if dn, _ := f.Props["displayName"].(string); strings.EqualFold(dn, name) {
			return f
		}
	}
	return t.AddFolder(mb, parent.ID, name)
}
