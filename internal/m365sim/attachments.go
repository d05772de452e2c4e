package m365sim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// maxInlineAttachment is the largest attachment POST …/attachments takes;
// larger ones need an upload session.
// https://learn.microsoft.com/en-us/graph/outlook-large-attachments
const maxInlineAttachment = 3 * 1024 * 1024

var attachmentTypes = map[string]string{
	"file": "#microsoft.graph.fileAttachment", "item": "#microsoft.graph.itemAttachment",
	"reference": "#microsoft.graph.referenceAttachment",
}

// attachmentJSON renders an attachment. File attachments carry their bytes
// as base64 contentBytes, as Graph returns them; when blobs is non-nil the
// bytes are not read here but left as a marker that writeJSONBlobs streams,
// so a 150 MB attachment is never held in memory.
func attachmentJSON(a *tenant.Attachment, blobs *[]tenant.Blob) map[string]any {
	out := withID(a.ID, a.Props)
	out["@odata.type"] = attachmentTypes[a.Kind]
	if a.Content != nil {
		out["size"] = a.Content.Size()
		if blobs != nil && a.Kind == "file" {
			out["contentBytes"] = blobMarker(len(*blobs))
			*blobs = append(*blobs, a.Content)
		}
	}
	return out
}

func attachmentsFromJSON(raw any) ([]*tenant.Attachment, error) {
	if raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("attachments must be an array.")
	}
	var out []*tenant.Attachment
	for _, e := range list {
		p, _ := e.(map[string]any)
		a, err := attachmentFromJSON(p)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func attachmentFromJSON(p map[string]any) (*tenant.Attachment, error) {
	typ, _ := p["@odata.type"].(string)
	a := &tenant.Attachment{Props: tenant.Props{}}
	switch strings.TrimPrefix(strings.ToLower(typ), "#") {
	case "microsoft.graph.fileattachment":
		a.Kind = "file"
		s, _ := p["contentBytes"].(string)
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("The contentBytes of attachment '%v' is not valid base64.", p["name"])
		}
		a.Content = tenant.Bytes(b)
	case "microsoft.graph.referenceattachment":
		a.Kind = "reference"
	case "microsoft.graph.itemattachment":
		a.Kind = "item"
	default:
		return nil, fmt.Errorf("The attachment type '%s' is not supported; set @odata.type.", typ)
	}
	for _, k := range []string{"name", "contentType", "isInline", "contentId", "contentLocation", "sourceUrl", "providerType", "permission", "isFolder"} {
		if v, ok := p[k]; ok {
			a.Props[k] = v
		}
	}
	return a, nil
}

func findAttachment(list []*tenant.Attachment, id string) *tenant.Attachment {
	for _, a := range list {
		if a.ID == id {
			return a
		}
	}
	return nil
}

func (s *Server) listAttachments(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{DefaultTop: 1000, MaxTop: 1000})
	if q == nil {
		return
	}
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		m := mb.Message(r.PathValue("msg"))
		if m == nil {
			return func() { notFoundItem(w, r) }
		}
		atts := append([]*tenant.Attachment(nil), m.Attachments...)
		return func() { writeAttachments(w, r, q, atts) }
	})
}

func writeAttachments(w http.ResponseWriter, r *http.Request, q *odata.Query, atts []*tenant.Attachment) {
	var items []map[string]any
	var blobs []tenant.Blob
	for _, a := range atts {
		items = append(items, attachmentJSON(a, &blobs))
	}
	writePage(w, r, q, odata.Rules{DefaultTop: 1000}, items, listOpts{context: "attachments", keep: []string{"@odata.type"}, blobs: blobs})
}

func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request) {
	s.withAttachment(w, r, func(a *tenant.Attachment) {
		var blobs []tenant.Blob
		writeJSONBlobs(w, http.StatusOK, attachmentJSON(a, &blobs), blobs)
	})
}

// getAttachmentValue streams a file attachment's bytes (or an item
// attachment's MIME).
func (s *Server) getAttachmentValue(w http.ResponseWriter, r *http.Request) {
	s.withAttachment(w, r, func(a *tenant.Attachment) {
		if a.Content == nil {
			badRequest(w, r, "ErrorInvalidRequest", "The attachment has no raw content.")
			return
		}
		ct, _ := a.Props["contentType"].(string)
		if ct == "" || a.Kind == "item" {
			ct = "text/plain"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", strconv.FormatInt(a.Content.Size(), 10))
		io.Copy(w, tenant.Reader(a.Content))
	})
}

func (s *Server) withAttachment(w http.ResponseWriter, r *http.Request, fn func(a *tenant.Attachment)) {
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		m := mb.Message(r.PathValue("msg"))
		if m == nil {
			return func() { notFoundItem(w, r) }
		}
		a := findAttachment(m.Attachments, r.PathValue("att"))
		if a == nil {
			return func() { notFoundItem(w, r) }
		}
		return func() { fn(a) }
	})
}

func (s *Server) addAttachment(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, 2*maxInlineAttachment)).Decode(&in); err != nil {
		badRequest(w, r, "ErrorInvalidRequest", "Cannot read the request body: "+err.Error())
		return
	}
	a, err := attachmentFromJSON(in)
	if err != nil {
		badRequest(w, r, "ErrorInvalidRequest", err.Error())
		return
	}
	if a.Content != nil && a.Content.Size() > maxInlineAttachment {
		graphError(w, r, http.StatusRequestEntityTooLarge, "ErrorRequestEntityTooLarge",
			"The attachment is larger than 3 MB; use an upload session (createUploadSession).")
		return
	}
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		m := mb.Message(r.PathValue("msg"))
		if m == nil {
			return func() { notFoundItem(w, r) }
		}
		a.ID = s.t(r).NewOutlookID("AAMkADAT")
		a.Props["lastModifiedDateTime"] = tenant.Timestamp(s.opts.Now())
		m.Attachments = append(m.Attachments, a)
		s.t(r).UpdateMessage(mb, m, tenant.Props{})
		it := attachmentJSON(a, nil)
		return func() { writeJSON(w, http.StatusCreated, it) }
	})
}
