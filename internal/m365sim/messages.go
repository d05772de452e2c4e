package m365sim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// messageID returns the id the client sees: the immutable id when it asked
// for immutable ids, the REST id otherwise.
func messageID(m *tenant.Message, immutable bool) string {
	if immutable {
		return m.ImmutableID
	}
	return m.ID
}

func messageJSON(m *tenant.Message, immutable bool) map[string]any {
	out := withID(messageID(m, immutable), m.Props)
	ck := tenant.ChangeKey(m.ImmutableID, m.Version)
	out["@odata.etag"] = `W/"` + ck + `"`
	out["changeKey"] = ck
	out["parentFolderId"] = m.FolderID
	hasAtt := false
	for _, a := range m.Attachments {
		if inline, _ := a.Props["isInline"].(bool); !inline {
			hasAtt = true
		}
	}
	out["hasAttachments"] = hasAtt
	return out
}

// expandExtended adds singleValueExtendedProperties when the client asked
// for them with $expand=singleValueExtendedProperties($filter=id eq '…').
func expandExtended(item map[string]any, m *tenant.Message, q *odata.Query) {
	for _, e := range q.Expand {
		if !strings.EqualFold(e.Path, "singleValueExtendedProperties") {
			continue
		}
		var props []map[string]any
		for id, v := range m.ExtProps {
			p := map[string]any{"id": id, "value": v}
			if e.Query.Filter != nil {
				if ok, _ := e.Query.Filter.Eval(p); !ok {
					continue
				}
			}
			props = append(props, p)
		}
		if props != nil {
			item["singleValueExtendedProperties"] = props
		}
	}
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Messages)
	if q == nil {
		return
	}
	imm := callOf(r).immutable
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		var folder *tenant.MailFolder
		if id := r.PathValue("folder"); id != "" {
			if folder = mb.Folder(id); folder == nil {
				return func() { notFoundFolder(w, r) }
			}
		}
		var items []map[string]any
		for id, m := range mb.Messages {
			if id != m.ID || (folder != nil && m.FolderID != folder.ID) {
				continue // each message once, under its REST id
			}
			if folder == nil && mb.Folders[m.FolderID].Hidden {
				continue
			}
			items = append(items, messageJSON(m, imm))
		}
		// Map order is random: give a stable default order, newest first, as
		// Outlook lists by receivedDateTime descending.
		if len(q.OrderBy) == 0 {
			odata.Sort(items, []odata.OrderTerm{{Path: []string{"receivedDateTime"}, Desc: true}, {Path: []string{"id"}}})
		}
		return func() {
			writePage(w, r, q, odata.Messages, items, listOpts{context: "users('" + u.ID + "')/messages", countAny: true, preferMax: true})
		}
	})
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{})
	if q == nil {
		return
	}
	imm := callOf(r).immutable
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		m := mb.Message(r.PathValue("msg"))
		if m == nil {
			return func() { notFoundItem(w, r) }
		}
		item := odata.Project(messageJSON(m, imm), q.Select, "@odata.etag")
		expandExtended(item, m, q)
		item["@odata.context"] = contextURL(r, "users('"+u.ID+"')/messages/$entity")
		return func() { writeJSON(w, http.StatusOK, item) }
	})
}

// getMessageMIME serves $value: the stored MIME, byte for byte, or MIME
// rendered from the message's properties.
// https://learn.microsoft.com/en-us/graph/outlook-get-mime-message
func (s *Server) getMessageMIME(w http.ResponseWriter, r *http.Request) {
	var m *tenant.Message
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		if m = mb.Message(r.PathValue("msg")); m == nil {
			return func() { notFoundItem(w, r) }
		}
		snap := *m // the handler renders outside the lock from a copy
		snap.Props = cloneProps(m.Props)
		snap.Attachments = append([]*tenant.Attachment(nil), m.Attachments...)
		return func() {
			w.Header().Set("Content-Type", "text/plain")
			if snap.MIME != nil {
				w.Header().Set("Content-Length", strconv.FormatInt(snap.MIME.Size(), 10))
			}
			if err := tenant.RenderMIME(w, &snap); err != nil {
				panic(http.ErrAbortHandler) // headers are gone; cut the response
			}
		}
	})
}

func cloneProps(p tenant.Props) tenant.Props {
	b, _ := json.Marshal(p)
	var out tenant.Props
	json.Unmarshal(b, &out)
	return out
}

// Extended properties that decide how a created message looks.
// https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/pidtagmessageflags-canonical-property
const (
	propMessageFlags = "Integer 0x0E07" // PidTagMessageFlags; bit 0x8 = unsent (draft)
	propSubmitTime   = "SystemTime 0x0039"
	propDeliveryTime = "SystemTime 0x0E06"
	msgFlagRead      = 0x1
	msgFlagUnsent    = 0x8
)

// createMessage creates a message from JSON or from base64 MIME
// (Content-Type: text/plain). Either way it is a draft unless the JSON
// carried PidTagMessageFlags without the unsent bit.
// https://learn.microsoft.com/en-us/graph/api/user-post-messages
func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var m *tenant.Message
	var err error
	if ct == "text/plain" {
		m, err = messageFromMIME(r.Body)
	} else {
		m, err = s.messageFromJSON(r.Body)
	}
	if err != nil {
		badRequest(w, r, "ErrorInvalidRequest", err.Error())
		return
	}
	imm := callOf(r).immutable
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		target := r.PathValue("folder")
		if target == "" {
			target = "drafts"
		}
		f := mb.Folder(target)
		if f == nil {
			return func() { notFoundFolder(w, r) }
		}
		now := tenant.Timestamp(s.opts.Now())
		for _, k := range []string{"createdDateTime", "lastModifiedDateTime"} {
			m.Props[k] = now
		}
		for _, k := range []string{"sentDateTime", "receivedDateTime"} {
			if _, ok := m.Props[k]; !ok {
				m.Props[k] = now
			}
		}
		for _, a := range m.Attachments {
			a.ID = s.t(r).NewOutlookID("AAMkADAT")
		}
		s.t(r).AddMessage(mb, f, m)
		item := messageJSON(m, imm)
		item["@odata.context"] = contextURL(r, "users('"+u.ID+"')/messages/$entity")
		return func() { writeJSON(w, http.StatusCreated, item) }
	})
}

func messageFromMIME(body io.Reader) (*tenant.Message, error) {
	raw, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, newlineStripper{body}))
	if err != nil || len(raw) == 0 {
		return nil, fmt.Errorf("The MIME content is not valid base64.")
	}
	props, atts, err := tenant.ParseMIME(strings.NewReader(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("The MIME content is invalid: %v", err)
	}
	props["isDraft"] = true
	props["isRead"] = true
	return &tenant.Message{Props: props, MIME: tenant.Bytes(raw), Attachments: atts}, nil
}

// newlineStripper drops CR and LF so line-wrapped base64 decodes.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	c, err := n.r.Read(p)
	j := 0
	for _, b := range p[:c] {
		if b != '\r' && b != '\n' {
			p[j] = b
			j++
		}
	}
	return j, err
}

// readOnlyMessageProps are computed by the service; clients cannot set them.
var readOnlyMessageProps = []string{"id", "changeKey", "parentFolderId", "hasAttachments", "@odata.etag",
	"@odata.context", "createdDateTime", "lastModifiedDateTime", "isDraft", "webLink"}

func (s *Server) messageFromJSON(body io.Reader) (*tenant.Message, error) {
	var in map[string]any
	if err := json.NewDecoder(body).Decode(&in); err != nil {
		return nil, fmt.Errorf("Cannot read the request body: %v", err)
	}
	m := &tenant.Message{Props: tenant.Props{}, ExtProps: map[string]string{}}
	for k, v := range in {
		switch k {
		case "singleValueExtendedProperties", "attachments":
		default:
			m.Props[k] = v
		}
	}
	for _, k := range readOnlyMessageProps {
		delete(m.Props, k)
	}
	if err := applyExtendedProps(m, in["singleValueExtendedProperties"]); err != nil {
		return nil, err
	}
	atts, err := attachmentsFromJSON(in["attachments"])
	if err != nil {
		return nil, err
	}
	m.Attachments = atts
	if _, ok := m.Props["isRead"]; !ok {
		m.Props["isRead"] = m.Props["isDraft"] == true
	}
	return m, nil
}

// applyExtendedProps stores singleValueExtendedProperties and applies the
// ones Exchange maps onto message properties.
func applyExtendedProps(m *tenant.Message, raw any) error {
	m.Props["isDraft"] = true
	if raw == nil {
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		return fmt.Errorf("singleValueExtendedProperties must be an array.")
	}
	for _, e := range list {
		p, _ := e.(map[string]any)
		id, _ := p["id"].(string)
		val, _ := p["value"].(string)
		if id == "" {
			return fmt.Errorf("An extended property must have an id.")
		}
		m.ExtProps[id] = val
		switch strings.ToLower(id) {
		case strings.ToLower(propMessageFlags):
			flags, err := strconv.ParseInt(val, 0, 64)
			if err != nil {
				return fmt.Errorf("The value '%s' of extended property '%s' is not an integer.", val, id)
			}
			m.Props["isDraft"] = flags&msgFlagUnsent != 0
			if _, set := m.Props["isRead"]; !set {
				m.Props["isRead"] = flags&msgFlagRead != 0
			}
		case strings.ToLower(propSubmitTime), strings.ToLower(propDeliveryTime):
			t, err := time.Parse(time.RFC3339, val)
			if err != nil {
				return fmt.Errorf("The value '%s' of extended property '%s' is not a valid date.", val, id)
			}
			key := "sentDateTime"
			if strings.EqualFold(id, propDeliveryTime) {
				key = "receivedDateTime"
			}
			m.Props[key] = tenant.Timestamp(t)
		}
	}
	return nil
}

// updatableAlways are message properties a PATCH may change on any message;
// the rest only on drafts.
// https://learn.microsoft.com/en-us/graph/api/message-update
var updatableAlways = map[string]bool{"categories": true, "flag": true, "importance": true,
	"inferenceClassification": true, "isRead": true, "isDeliveryReceiptRequested": true, "isReadReceiptRequested": true}

func (s *Server) updateMessage(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		badRequest(w, r, "ErrorInvalidRequest", "Cannot read the request body: "+err.Error())
		return
	}
	for _, k := range readOnlyMessageProps {
		delete(in, k)
	}
	imm := callOf(r).immutable
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		m := mb.Message(r.PathValue("msg"))
		if m == nil {
			return func() { notFoundItem(w, r) }
		}
		if draft, _ := m.Props["isDraft"].(bool); !draft {
			for k := range in {
				if !updatableAlways[k] {
					return func() {
						badRequest(w, r, "ErrorInvalidPropertyUpdateSentMessage", "Update operation for property '"+k+"' is not supported on a sent message.")
					}
				}
			}
		}
		in["lastModifiedDateTime"] = tenant.Timestamp(s.opts.Now())
		s.t(r).UpdateMessage(mb, m, in)
		item := messageJSON(m, imm)
		return func() { writeJSON(w, http.StatusOK, item) }
	})
}

// deleteMessage moves the message to Recoverable Items\Deletions, where
// Exchange keeps deleted items until the retention period ends.
func (s *Server) deleteMessage(w http.ResponseWriter, r *http.Request) {
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		m := mb.Message(r.PathValue("msg"))
		if m == nil {
			return func() { notFoundItem(w, r) }
		}
		s.t(r).MoveMessage(mb, m, mb.Folder("recoverableitemsdeletions"))
		return func() { w.WriteHeader(http.StatusNoContent) }
	})
}

func (s *Server) moveMessage(w http.ResponseWriter, r *http.Request) {
	var in struct {
		DestinationID string `json:"destinationId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.DestinationID == "" {
		badRequest(w, r, "ErrorInvalidRequest", "The request body must contain a destinationId.")
		return
	}
	imm := callOf(r).immutable
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		m := mb.Message(r.PathValue("msg"))
		if m == nil {
			return func() { notFoundItem(w, r) }
		}
		dst := mb.Folder(in.DestinationID)
		if dst == nil {
			return func() { notFoundFolder(w, r) }
		}
		s.t(r).MoveMessage(mb, m, dst)
		item := messageJSON(m, imm)
		return func() { writeJSON(w, http.StatusCreated, item) }
	})
}

// messagesDelta serves per-folder message delta.
// https://learn.microsoft.com/en-us/graph/delta-query-messages
func (s *Server) messagesDelta(w http.ResponseWriter, r *http.Request) {
	_, c, ok := startDelta(w, r, odata.MessagesDelta, deltaOutlook)
	if !ok {
		return
	}
	size := outlookPageSize(w, r)
	imm := callOf(r).immutable
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		f := mb.Folder(r.PathValue("folder"))
		if f == nil {
			return func() { notFoundFolder(w, r) }
		}
		path := "/users/" + u.ID + "/mailFolders('" + f.ID + "')/messages/delta"
		expired := s.faults.TakeDeltaExpiry(f.ID) || s.faults.TakeDeltaExpiry(u.ID)
		if expired && !c.tok.Initial {
			return func() { deltaGone(w, r, deltaOutlook, selfLink(r, path, nil)) }
		}
		page, valid := computeDelta(&f.Log, c, s.t(r).Seq(), size)
		if !valid {
			return func() { deltaGone(w, r, deltaOutlook, selfLink(r, path, nil)) }
		}
		sel := splitSelect(c.tok.Select)
		var items []map[string]any
		for _, e := range page.entries {
			m := mb.Messages[e.ID]
			if e.Removed || m == nil || m.FolderID != f.ID || m.ID != e.ID {
				id := e.ID
				if imm {
					if old, ok := mb.Retired[e.ID]; ok {
						id = old
					} else if m != nil {
						id = m.ImmutableID
					}
				}
				items = append(items, removed("#microsoft.graph.message", id, "deleted"))
				continue
			}
			item := odata.Project(messageJSON(m, imm), sel, "@odata.etag")
			item["@odata.type"] = "#microsoft.graph.message"
			items = append(items, item)
		}
		return func() { writeDelta(w, r, deltaOutlook, path, nil, "Collection(message)", page, items) }
	})
}
