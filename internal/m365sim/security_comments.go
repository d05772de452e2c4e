package m365sim

import (
	"net/http"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// alertCommentType is the @odata.type both comment routes take and give.
// https://learn.microsoft.com/en-us/graph/api/resources/security-alertcomment
const alertCommentType = "microsoft.graph.security.alertComment"

// commentRoutes registers POST .../comments on alerts_v2 and incidents.
// Both need the ReadWrite permission of their resource; the read
// permission alone is refused like the other writes.
func (s *Server) commentRoutes(alerts, incidents spec) {
	s.handle("POST /security/alerts_v2/{id}/comments", alerts, s.postComment(tenant.SetAlerts, "security/alerts_v2"))
	s.handle("POST /security/incidents/{id}/comments", incidents, s.postComment(tenant.SetIncidents, "security/incidents"))
}

// postComment serves POST /security/alerts_v2/{id}/comments and
// POST /security/incidents/{id}/comments. The body is an alertComment with
// only "comment" set; the answer is 200 with the object's whole comment
// collection, oldest first, as both reference pages show.
// https://learn.microsoft.com/en-us/graph/api/security-alert-post-comments
// https://learn.microsoft.com/en-us/graph/api/security-incident-post-comments
func (s *Server) postComment(set, context string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, ok := decodeObject(w, r)
		if !ok {
			return
		}
		text, msg := commentText(in)
		if msg != "" {
			badRequest(w, r, "BadRequest", msg)
			return
		}
		t := s.t(r)
		var out []any
		t.Write(func() error {
			p := t.Security.Find(set, r.PathValue("id"))
			if p == nil {
				return nil
			}
			now := t.Now()
			c := map[string]any{
				"@odata.type":          "#" + alertCommentType,
				"comment":              text,
				"createdByDisplayName": commenter(callOf(r)),
				// Seven fractional digits, as Graph writes comment times, so
				// comments posted in the same second keep their order.
				"createdDateTime": now.UTC().Format("2006-01-02T15:04:05.0000000Z"),
			}
			list, _ := p["comments"].([]any)
			p["comments"] = append(list, c)
			// comments is a property of the alert and incident resources,
			// whose lastUpdateDateTime is "the time when the alert/incident
			// was last updated"; a new comment updates the object, so it
			// moves, and an incremental sync ($filter=lastUpdateDateTime ge …)
			// picks the comment up.
			p["lastUpdateDateTime"] = tenant.Timestamp(now)
			out = tenant.DeepCopy(tenant.Props{"v": p["comments"]})["v"].([]any) // copied under the lock
			return nil
		})
		if out == nil {
			secNotFound(w, r, r.PathValue("id"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"@odata.context": contextURL(r, context+"('"+r.PathValue("id")+"')/comments"),
			"value":          out,
		})
	}
}

// commentText validates a comment body: "comment" must be a non-empty
// string, "@odata.type" (optional) must name alertComment, and nothing
// else may be set, since createdByDisplayName and createdDateTime are
// assigned by the service. It returns the text, or a message for 400.
func commentText(in map[string]any) (string, string) {
	text := ""
	for k, v := range in {
		switch k {
		case "comment":
			s, ok := v.(string)
			if !ok {
				return "", "Invalid value for 'comment': a string is required."
			}
			text = s
		case "@odata.type":
			if s, _ := v.(string); strings.TrimPrefix(s, "#") != alertCommentType {
				return "", "Invalid @odata.type: expected " + alertCommentType + "."
			}
		default:
			return "", "Property '" + k + "' does not exist on type '" + alertCommentType + "' or cannot be set."
		}
	}
	if strings.TrimSpace(text) == "" {
		return "", "The 'comment' property is required and cannot be empty."
	}
	return text, ""
}

// commenter is createdByDisplayName for the caller: the app's display name
// from its token (app_displayname), else its client id. The emulator
// issues only application tokens, so the commenter is always an app.
func commenter(c *call) string {
	if c.principal == nil {
		return ""
	}
	if c.principal.AppName != "" {
		return c.principal.AppName
	}
	return c.principal.AppID
}
