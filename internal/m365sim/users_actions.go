package m365sim

import (
	"net/http"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// revokeSignInSessions is POST /users/{id}/revokeSignInSessions: it
// invalidates the user's refresh tokens and session cookies by moving
// signInSessionsValidFromDateTime to now, and answers {"value": true}.
// https://learn.microsoft.com/en-us/graph/api/user-revokesigninsessions
func (s *Server) revokeSignInSessions(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, true, func(u *tenant.User) reply {
		t := s.t(r)
		t.UpdateUser(u, tenant.Props{"signInSessionsValidFromDateTime": tenant.Timestamp(t.Now())})
		return func() {
			writeJSON(w, http.StatusOK, map[string]any{"@odata.context": contextURL(r, "Edm.Boolean"), "value": true})
		}
	})
}

// updateUser is PATCH /users/{id} for accountEnabled, the property the
// response actions change (User.EnableDisableAccount.All); the emulator
// refuses other properties rather than pretend to validate them. It
// answers 204.
// https://learn.microsoft.com/en-us/graph/api/user-update
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeObject(w, r)
	if !ok {
		return
	}
	for k, v := range in {
		if _, isBool := v.(bool); k != "accountEnabled" || !isBool {
			badRequest(w, r, "Request_BadRequest", "The emulator updates only accountEnabled (a boolean); '"+k+"' is not supported.")
			return
		}
	}
	s.withUser(w, r, true, func(u *tenant.User) reply {
		s.t(r).UpdateUser(u, tenant.Props{"accountEnabled": in["accountEnabled"]})
		return func() { w.WriteHeader(http.StatusNoContent) }
	})
}
