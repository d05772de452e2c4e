package m365sim

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// handle registers a Graph route whose handler runs after the permission
// check and the throttling engine admitted the request.
func (s *Server) handle(pattern string, sp spec, h handlerFunc) {
	label := pattern
	s.graph.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c := callOf(r)
		if c.principal != nil && !hasAny(c.principal.Roles, sp.roles) {
			accessDenied(w, r, sp.deny)
			return
		}
		resource, ok := s.throttleKey(w, r, sp.class)
		if !ok {
			return
		}
		c.endpoint, c.class = label, sp.class
		req := limits.Request{Class: sp.class, Resource: resource, RU: sp.ru, Write: sp.write, TenantUsers: s.userCount}
		if c.principal != nil {
			req.App, req.Tenant = c.principal.AppID, c.principal.TenantID
		}
		if sp.write && r.ContentLength > 0 {
			req.UploadBytes = r.ContentLength
		}
		ticket, d := s.limits.Admit(req)
		if d != nil {
			writeDecision(w, r, d)
			return
		}
		defer ticket.Done()
		ticket.SetHeaders(w.Header())
		if c.delay > 0 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(c.delay):
			}
		}
		h(w, r)
	})
}

func hasAny(have, want []string) bool {
	for _, w := range want {
		for _, h := range have {
			if strings.EqualFold(h, w) {
				return true
			}
		}
	}
	return false
}

// throttleKey names the resource a request is limited on: the mailbox's
// user id for Outlook, the drive id for OneDrive, the tenant otherwise.
// It answers 404 itself when the user or drive does not exist.
func (s *Server) throttleKey(w http.ResponseWriter, r *http.Request, class limits.Class) (string, bool) {
	user, drive := r.PathValue("user"), r.PathValue("drive")
	var key string
	found := true
	s.t(r).Read(func() error {
		switch {
		case drive != "":
			found = s.t(r).Drives[drive] != nil
			key = drive
		case user != "":
			u := s.t(r).User(user)
			if u == nil {
				found = false
				return nil
			}
			key = u.ID
			if class == limits.ClassSharePoint {
				if u.Drive == nil {
					found = false
					return nil
				}
				key = u.Drive.ID
			}
		}
		return nil
	})
	if !found {
		switch {
		case drive != "":
			notFoundDriveItem(w, r)
		case class == limits.ClassOutlook:
			graphError(w, r, http.StatusNotFound, "ErrorInvalidUser", "The requested user '"+user+"' is invalid.")
		default:
			notFoundUser(w, r, user)
		}
		return "", false
	}
	return key, true
}

// writeDecision answers a request the throttling engine or the fault
// injector rejected, with its headers (Retry-After) and Graph's envelope.
func writeDecision(w http.ResponseWriter, r *http.Request, d *limits.Decision) {
	for k, v := range d.Header {
		w.Header()[k] = v
	}
	body := errorBody(w, r, d.Code, d.Message)
	if d.InnerCode != "" {
		body["error"].(map[string]any)["innerError"].(map[string]any)["code"] = d.InnerCode
	}
	writeJSON(w, d.Status, body)
}

// injectFault applies the fault injector's decision for this request. It
// returns the writer to answer with (wrapped when the body is to be cut
// short) and whether the fault already answered the request.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, bool) {
	f := s.faults.Decide(r.Method, r.URL.Path)
	switch f.Kind {
	case limits.FaultStatus:
		writeDecision(w, r, f.Decision)
		return w, true
	case limits.FaultReset:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
			return w, true
		}
		panic(http.ErrAbortHandler) // HTTP/2 or a recorder: abort the stream instead
	case limits.FaultSlow:
		// The delay is served inside the admitted request (see handle), as
		// a slow backend holds its concurrency slot while it works. Routes
		// outside Graph (downloads, uploads) wait here.
		if c, ok := r.Context().Value(callKey).(*call); ok {
			c.delay = f.Delay
		} else {
			select {
			case <-r.Context().Done():
			case <-time.After(f.Delay):
			}
		}
	case limits.FaultTruncate:
		return &truncatingWriter{ResponseWriter: w}, false
	}
	return w, false
}

// truncatingWriter sends the response's headers, Content-Length included,
// then drops the connection half-way through the body, as a network failure
// would.
type truncatingWriter struct {
	http.ResponseWriter
	limit, written int64
}

func (t *truncatingWriter) Write(p []byte) (int, error) {
	if t.limit == 0 {
		t.limit = 512
		if cl, err := strconv.ParseInt(t.Header().Get("Content-Length"), 10, 64); err == nil && cl > 1 {
			t.limit = cl / 2
		}
	}
	if t.written+int64(len(p)) >= t.limit {
		n, _ := t.ResponseWriter.Write(p[:t.limit-t.written])
		t.written += int64(n)
		http.NewResponseController(t.ResponseWriter).Flush()
		panic(http.ErrAbortHandler)
	}
	n, err := t.ResponseWriter.Write(p)
	t.written += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (t *truncatingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// reply writes a response after the tenant's lock is released, so a slow
// client never holds the lock.
type reply func()

// withUser runs fn with the path's user under the tenant's read or write
// lock, then runs the reply fn returned.
func (s *Server) withUser(w http.ResponseWriter, r *http.Request, write bool, fn func(u *tenant.User) reply) {
	lock := s.t(r).Read
	if write {
		lock = s.t(r).Write
	}
	var out reply
	lock(func() error {
		u := s.t(r).User(r.PathValue("user"))
		if u == nil {
			out = func() { notFoundUser(w, r, r.PathValue("user")) }
			return nil
		}
		out = fn(u)
		return nil
	})
	if out != nil {
		out()
	}
}

// withMailbox runs fn with the path's user's mailbox.
func (s *Server) withMailbox(w http.ResponseWriter, r *http.Request, write bool, fn func(u *tenant.User, mb *tenant.Mailbox) reply) {
	s.withUser(w, r, write, func(u *tenant.User) reply {
		if u.Mailbox == nil {
			return func() {
				graphError(w, r, http.StatusNotFound, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")
			}
		}
		return fn(u, u.Mailbox)
	})
}
