package m365sim

import (
	"net/http"
	"strings"

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
			case <-s.after(c.delay):
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
	s.tenant.Read(func() error {
		switch {
		case drive != "":
			found = s.tenant.Drives[drive] != nil
			key = drive
		case user != "":
			u := s.tenant.User(user)
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

// injectFault applies the fault injector's decision for this request and
// reports whether it answered the request.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request) bool {
	f := s.faults.Decide(r.Method, r.URL.Path)
	switch f.Kind {
	case limits.FaultNone:
		return false
	case limits.FaultStatus:
		writeDecision(w, r, f.Decision)
		return true
	case limits.FaultReset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	case limits.FaultSlow:
		// The delay is served inside the admitted request (see handle), as
		// a slow backend holds its concurrency slot while it works.
		callOf(r).delay = f.Delay
		return false
	case limits.FaultTruncate:
		w.Header().Set("Content-Length", "1024")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"value":[`))
		panic(http.ErrAbortHandler)
	}
	return false
}

// reply writes a response after the tenant's lock is released, so a slow
// client never holds the lock.
type reply func()

// withUser runs fn with the path's user under the tenant's read or write
// lock, then runs the reply fn returned.
func (s *Server) withUser(w http.ResponseWriter, r *http.Request, write bool, fn func(u *tenant.User) reply) {
	lock := s.tenant.Read
	if write {
		lock = s.tenant.Write
	}
	var out reply
	lock(func() error {
		u := s.tenant.User(r.PathValue("user"))
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
