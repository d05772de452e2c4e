package m365sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// Upload-session rules for drive items.
// https://learn.microsoft.com/en-us/graph/api/driveitem-createuploadsession
const (
	fragmentUnit     = 320 * 1024 // fragments must be multiples of 320 KiB
	maxFragment      = 60 << 20   // each request must be under 60 MiB
	uploadSessionTTL = 24 * time.Hour
	maxAttachment    = 150 << 20 // attachment sessions take up to 150 MB
)

// uploadSession is an open upload: bytes arrive in order into a temporary
// file, and the last fragment commits them.
type uploadSession struct {
	mu       sync.Mutex
	id       string
	kind     string // "drive" or "attachment"
	size     int64
	next     int64
	file     *os.File
	expires  time.Time
	done     bool
	deferred bool // deferCommit: commit only on an explicit POST

	// drive target
	drive, ref, name, conflict string
	fsi                        map[string]any
	// attachment target
	user string
	item outlookItem
	att  tenant.Props
}

// outlookItem names the message or event an attachment upload session
// adds to. attachment-createuploadsession serves both: "The item can be a
// message or event."
type outlookItem struct {
	event bool
	id    string // a message's immutable id, or an event's id
}

// segment is the item's collection in the Outlook REST Location URL of a
// committed attachment (outlook-large-attachments: ".../Messages('…')/
// Attachments('…')" and ".../Events('…')/Attachments('…')").
func (it outlookItem) segment() string {
	if it.event {
		return "Events"
	}
	return "Messages"
}

func (s *Server) uploadURL(r *http.Request, id string) string { return baseURL(r) + "/_upload/" + id }

// createUploadSession opens a drive upload session.
func (s *Server) createUploadSession(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Item struct {
			Conflict string         `json:"@microsoft.graph.conflictBehavior"`
			Name     string         `json:"name"`
			FileSize int64          `json:"fileSize"`
			FSI      map[string]any `json:"fileSystemInfo"`
		} `json:"item"`
		DeferCommit bool `json:"deferCommit"`
	}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil && err != io.EOF {
			badRequest(w, r, "invalidRequest", "Cannot read the request body: "+err.Error())
			return
		}
	}
	var sess *uploadSession
	s.withDrive(w, r, false, func(d *tenant.Drive) reply {
		ref := r.PathValue("item")
		if it := resolveItem(d, ref); it == nil {
			if p, _ := resolveParent(d, ref); p == nil {
				return func() { notFoundDriveItem(w, r) }
			}
		} else if it.Folder {
			return func() { nameConflict(w, r) }
		}
		conflict := in.Item.Conflict
		if q := r.URL.Query().Get("@microsoft.graph.conflictBehavior"); q != "" {
			conflict = q // the driveItem docs ask for it in the URL
		}
		sess = &uploadSession{kind: "drive", drive: d.ID, ref: ref, conflict: conflict,
			size: in.Item.FileSize, fsi: in.Item.FSI, deferred: in.DeferCommit}
		return nil
	})
	if sess == nil {
		return
	}
	s.openSession(w, r, sess, http.StatusOK, map[string]any{
		"@odata.context": contextURL(r, "microsoft.graph.uploadSession"),
	})
}

// createAttachmentSession opens an upload session for a message
// attachment, createEventAttachmentSession for an event attachment, of
// 3–150 MB: "POST /users/{id}/messages/{id}/attachments/createUploadSession"
// and "POST /users/{id}/events/{id}/attachments/createUploadSession"
// take the same AttachmentItem and answer 201 Created with an
// uploadSession.
// https://learn.microsoft.com/en-us/graph/api/attachment-createuploadsession
func (s *Server) createAttachmentSession(w http.ResponseWriter, r *http.Request) {
	s.openAttachmentSession(w, r, func(mb *tenant.Mailbox) (outlookItem, bool) {
		m := mb.Message(r.PathValue("msg"))
		if m == nil {
			return outlookItem{}, false
		}
		return outlookItem{id: m.ImmutableID}, true
	})
}

func (s *Server) createEventAttachmentSession(w http.ResponseWriter, r *http.Request) {
	s.openAttachmentSession(w, r, func(mb *tenant.Mailbox) (outlookItem, bool) {
		e := mb.Events[r.PathValue("event")]
		if e == nil {
			return outlookItem{}, false
		}
		return outlookItem{event: true, id: e.ID}, true
	})
}

// openAttachmentSession reads the AttachmentItem, resolves the item with
// find under the read lock and opens the session.
func (s *Server) openAttachmentSession(w http.ResponseWriter, r *http.Request, find func(mb *tenant.Mailbox) (outlookItem, bool)) {
	var in struct {
		Item map[string]any `json:"AttachmentItem"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Item == nil {
		badRequest(w, r, "ErrorInvalidRequest", "The request body must contain an AttachmentItem.")
		return
	}
	size, _ := in.Item["size"].(float64)
	name, _ := in.Item["name"].(string)
	if name == "" || size <= 0 || size > maxAttachment {
		badRequest(w, r, "ErrorInvalidRequest", "AttachmentItem needs a name and a size between 1 byte and 150 MB.")
		return
	}
	var sess *uploadSession
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		item, ok := find(mb)
		if !ok {
			return func() { notFoundItem(w, r) }
		}
		props := tenant.Props{"name": name}
		for _, k := range []string{"contentType", "isInline", "contentId"} {
			if v, ok := in.Item[k]; ok {
				props[k] = v
			}
		}
		sess = &uploadSession{kind: "attachment", user: u.ID, item: item, size: int64(size), att: props}
		return nil
	})
	if sess == nil {
		return
	}
	s.openSession(w, r, sess, http.StatusCreated, map[string]any{
		"@odata.context": contextURL(r, "microsoft.graph.uploadSession"),
	})
}

func (s *Server) openSession(w http.ResponseWriter, r *http.Request, sess *uploadSession, status int, body map[string]any) {
	f, err := s.tempFile()
	if err != nil {
		graphError(w, r, http.StatusInternalServerError, "generalException", "cannot open upload session storage")
		return
	}
	sess.file = f
	sess.id = strings.ReplaceAll(w.Header().Get("request-id"), "-", "")
	sess.expires = s.opts.Now().Add(uploadSessionTTL)
	s.uploads.Store(sess.id, sess)
	body["uploadUrl"] = s.uploadURL(r, sess.id)
	body["expirationDateTime"] = tenant.Timestamp(sess.expires)
	body["nextExpectedRanges"] = []string{"0-"}
	writeJSON(w, status, body)
}

// serveUploadSession handles the upload URL: PUT fragments, GET status,
// DELETE cancel, POST commit (deferCommit). It takes no Authorization
// header: the URL itself is the credential.
func (s *Server) serveUploadSession(w http.ResponseWriter, r *http.Request) {
	v, ok := s.uploads.Load(strings.TrimPrefix(r.URL.Path, "/_upload/"))
	if !ok {
		graphError(w, r, http.StatusNotFound, "itemNotFound", "The upload session was not found.")
		return
	}
	sess := v.(*uploadSession)
	if r.Header.Get("Authorization") != "" {
		// The docs warn that sending Authorization to the upload URL "may
		// result in an HTTP 401 Unauthorized response"; we always answer so.
		graphError(w, r, http.StatusUnauthorized, "unauthenticated", "The upload URL must not be sent an Authorization header.")
		return
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.done || s.opts.Now().After(sess.expires) {
		graphError(w, r, http.StatusNotFound, "itemNotFound", "The upload session was not found.")
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, sess.status())
	case http.MethodDelete:
		s.closeSession(sess)
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPost:
		if !sess.deferred || sess.next != sess.size {
			badRequest(w, r, "invalidRequest", "uploadSessionIncomplete: the session cannot be committed before all bytes arrived.")
			return
		}
		s.commitSession(w, r, sess)
	case http.MethodPut:
		s.putFragment(w, r, sess)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (sess *uploadSession) status() map[string]any {
	exp := tenant.Timestamp(sess.expires)
	if sess.kind == "attachment" {
		// Outlook's session answers with PascalCase and a bare start offset.
		return map[string]any{"ExpirationDateTime": exp, "NextExpectedRanges": []string{strconv.FormatInt(sess.next, 10)}}
	}
	return map[string]any{"expirationDateTime": exp, "nextExpectedRanges": []string{strconv.FormatInt(sess.next, 10) + "-"}}
}

func (s *Server) closeSession(sess *uploadSession) {
	sess.done = true
	s.uploads.Delete(sess.id)
}

// parseContentRange reads "bytes start-end/total".
func parseContentRange(h string) (start, end, total int64, err error) {
	spec, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return 0, 0, 0, fmt.Errorf("Content-Range must look like 'bytes 0-327679/1000000', got %q", h)
	}
	rng, tot, ok := strings.Cut(spec, "/")
	a, b, ok2 := strings.Cut(rng, "-")
	if !ok || !ok2 {
		return 0, 0, 0, fmt.Errorf("Content-Range must look like 'bytes 0-327679/1000000', got %q", h)
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	total, err3 := strconv.ParseInt(tot, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || start < 0 || end < start || total <= end {
		return 0, 0, 0, fmt.Errorf("Content-Range %q is not a valid byte range", h)
	}
	return start, end, total, nil
}

func (s *Server) putFragment(w http.ResponseWriter, r *http.Request, sess *uploadSession) {
	start, end, total, err := parseContentRange(r.Header.Get("Content-Range"))
	if err != nil {
		badRequest(w, r, "invalidRequest", err.Error())
		return
	}
	n := end - start + 1
	if sess.size == 0 {
		sess.size = total
	}
	switch {
	case total != sess.size:
		badRequest(w, r, "invalidRequest", fmt.Sprintf("fragmentLengthMismatch: total size %d differs from the session's %d.", total, sess.size))
		return
	case r.ContentLength >= 0 && r.ContentLength != n:
		badRequest(w, r, "invalidRequest", fmt.Sprintf("fragmentLengthMismatch: Content-Length %d does not match Content-Range length %d.", r.ContentLength, n))
		return
	case start != sess.next:
		code := "fragmentOverlap"
		if start > sess.next {
			code = "fragmentOutOfOrder"
		}
		w.Header().Set("Content-Type", "application/json")
		body := errorBody(w, r, "invalidRange", fmt.Sprintf("%s: expected a fragment starting at byte %d.", code, sess.next))
		writeJSON(w, http.StatusRequestedRangeNotSatisfiable, body)
		return
	case sess.kind == "drive" && n > maxFragment:
		graphError(w, r, http.StatusRequestEntityTooLarge, "invalidRequest", "A fragment must be smaller than 60 MiB.")
		return
	case sess.kind == "drive" && end+1 < total && n%fragmentUnit != 0:
		badRequest(w, r, "invalidRequest", fmt.Sprintf("A fragment of %d bytes is not a multiple of 320 KiB (327,680 bytes).", n))
		return
	}
	if sess.kind == "attachment" {
		t, d := s.limits.Admit(limits.Request{Class: limits.ClassOutlook, Resource: sess.user, UploadBytes: n, Write: true})
		if d != nil {
			writeDecision(w, r, d)
			return
		}
		defer t.Done()
	}
	got, err := io.Copy(io.NewOffsetWriter(sess.file, start), io.LimitReader(r.Body, n))
	if err != nil || got != n {
		// The fragment is lost; the client retries from the same offset.
		badRequest(w, r, "invalidRequest", fmt.Sprintf("The fragment ended after %d of %d bytes.", got, n))
		return
	}
	sess.next = end + 1
	if sess.next < sess.size || sess.deferred {
		status := http.StatusAccepted
		if sess.kind == "attachment" {
			status = http.StatusOK
		}
		writeJSON(w, status, sess.status())
		return
	}
	s.commitSession(w, r, sess)
}

func (s *Server) commitSession(w http.ResponseWriter, r *http.Request, sess *uploadSession) {
	blob := fileBlob{f: sess.file, n: sess.size}
	if sess.kind == "attachment" {
		s.commitAttachment(w, r, sess, blob)
		return
	}
	var res commitResult
	hash, err := tenant.QuickXorHashBlob(blob)
	if err != nil {
		graphError(w, r, http.StatusInternalServerError, "generalException", "cannot read the uploaded content")
		return
	}
	s.t(r).Write(func() error {
		d := s.t(r).Drives[sess.drive]
		if d == nil {
			res = commitResult{fail: notFoundDriveItem}
			return nil
		}
		res = s.commitFile(r, d, sess.ref, sess.name, sess.conflict, blob, hash, sess.fsi)
		if res.status == http.StatusOK {
			res.status = http.StatusCreated // the docs show 201 for a completed session
		}
		return nil
	})
	s.closeSession(sess)
	res.write(w, r)
}

// commitAttachment attaches the uploaded bytes to the session's message or
// event and answers 201 Created with the attachment's Outlook REST URL in
// Location, as the final PUT of outlook-large-attachments does.
func (s *Server) commitAttachment(w http.ResponseWriter, r *http.Request, sess *uploadSession, blob tenant.Blob) {
	var loc string
	s.t(r).Write(func() error {
		u := s.t(r).User(sess.user)
		if u == nil || u.Mailbox == nil {
			return nil
		}
		mb := u.Mailbox
		var attach func(a *tenant.Attachment) string // adds a, returns the item's REST id
		if sess.item.event {
			e := mb.Events[sess.item.id]
			if e == nil {
				return nil
			}
			attach = func(a *tenant.Attachment) string {
				e.Attachments = append(e.Attachments, a)
				s.t(r).UpdateEvent(mb, e, tenant.Props{})
				return e.ID
			}
		} else {
			m := mb.Message(sess.item.id)
			if m == nil {
				return nil
			}
			attach = func(a *tenant.Attachment) string {
				m.Attachments = append(m.Attachments, a)
				s.t(r).UpdateMessage(mb, m, tenant.Props{})
				return m.ID
			}
		}
		a := &tenant.Attachment{ID: s.t(r).NewOutlookID("AAMkADAT"), Kind: "file", Props: sess.att, Content: blob}
		a.Props["lastModifiedDateTime"] = tenant.Timestamp(s.opts.Now())
		itemID := attach(a)
		loc = baseURL(r) + "/api/v2.0/Users('" + u.ID + "')/" + sess.item.segment() + "('" + itemID + "')/Attachments('" + a.ID + "')"
		return nil
	})
	s.closeSession(sess)
	if loc == "" {
		notFoundItem(w, r)
		return
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusCreated)
}
