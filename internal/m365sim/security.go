package m365sim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// secColl is a read-only collection of Tenant.Security served as Graph
// serves it.
type secColl struct {
	set     string
	context string
	rules   odata.Rules
	hide    []string // navigation properties kept in the object but not shown
}

// secJSON returns a copy of p without the hidden navigation properties.
func secJSON(p tenant.Props, hide []string) map[string]any {
	m := tenant.DeepCopy(p)
	for _, h := range hide {
		delete(m, h)
	}
	return m
}

func (s *Server) secList(c *secColl) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := parseQuery(w, r, c.rules)
		if q == nil {
			return
		}
		var items []map[string]any
		s.t(r).Read(func() error {
			for _, p := range s.t(r).Security.List(c.set) {
				items = append(items, secJSON(p, c.hide))
			}
			return nil
		})
		writePage(w, r, q, c.rules, items, listOpts{context: c.context, countAny: true})
	}
}

func (s *Server) secGet(c *secColl) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := parseQuery(w, r, odata.Rules{})
		if q == nil {
			return
		}
		var item map[string]any
		s.t(r).Read(func() error {
			if p := s.t(r).Security.Find(c.set, r.PathValue("id")); p != nil {
				item = odata.Project(secJSON(p, c.hide), q.Select)
			}
			return nil
		})
		if item == nil {
			secNotFound(w, r, r.PathValue("id"))
			return
		}
		item["@odata.context"] = contextURL(r, c.context+"/$entity")
		writeJSON(w, http.StatusOK, item)
	}
}

// secNotFound answers an unknown security object.
func secNotFound(w http.ResponseWriter, r *http.Request, id string) {
	graphError(w, r, http.StatusNotFound, "NotFound", "Resource '"+id+"' was not found.")
}

// decodeObject reads a JSON object request body, answering 400 otherwise.
func decodeObject(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	var in map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil || in == nil {
		badRequest(w, r, "BadRequest", "The request body is not a valid JSON object.")
		return nil, false
	}
	return in, true
}

// Enumerations PATCH accepts on alerts and incidents.
// https://learn.microsoft.com/en-us/graph/api/resources/security-alert
var (
	alertStatuses        = []string{"unknown", "new", "inProgress", "resolved"}
	incidentStatuses     = []string{"active", "resolved", "inProgress", "redirected", "awaitingAction"}
	alertClassifications = []string{"unknown", "falsePositive", "truePositive", "informationalExpectedActivity"}
	alertDeterminations  = []string{"unknown", "apt", "malware", "securityPersonnel", "securityTesting", "unwantedSoftware",
		"other", "multiStagedAttack", "compromisedAccount", "phishing", "maliciousUserActivity", "notMalicious",
		"notEnoughDataToValidate", "confirmedActivity", "lineOfBusinessApplication"}
)

// patchWorkflow applies the workflow properties a PATCH of an alert or an
// incident may change, validating enumerations. It returns a message for
// 400 or "".
func patchWorkflow(dst, in map[string]any, statuses []string, extra ...string) string {
	allowed := append([]string{"status", "classification", "determination", "assignedTo"}, extra...)
	for k, v := range in {
		if !slices.Contains(allowed, k) {
			return "Property '" + k + "' cannot be updated; updatable properties are " + strings.Join(allowed, ", ") + "."
		}
		str, isStr := v.(string)
		enum := map[string][]string{"status": statuses, "classification": alertClassifications, "determination": alertDeterminations}[k]
		if enum != nil && (!isStr || !slices.Contains(enum, str)) {
			return "Invalid value for '" + k + "'."
		}
		if k == "assignedTo" && v != nil && !isStr {
			return "Invalid value for 'assignedTo'."
		}
	}
	for k, v := range in {
		dst[k] = v
	}
	return ""
}

// updateAlert is PATCH /security/alerts_v2/{id}: status, classification,
// determination and assignedTo; it returns the updated alert, which gets a
// resolvedDateTime when it becomes resolved.
// https://learn.microsoft.com/en-us/graph/api/security-alert-update
func (s *Server) updateAlert(w http.ResponseWriter, r *http.Request) {
	s.patchSecurity(w, r, tenant.SetAlerts, "security/alerts_v2/$entity", alertStatuses, nil,
		func(old, next tenant.Props, now string) {
			if next["status"] == "resolved" && old["status"] != "resolved" {
				next["resolvedDateTime"] = now
			}
		},
		func(_ *tenant.Tenant, p tenant.Props) map[string]any { return tenant.DeepCopy(p) })
}

// patchSecurity serves a workflow PATCH of an alert or incident of set:
// the body is checked by patchWorkflow (extra names more updatable
// properties), lastUpdateDateTime moves, stamp may set more, and the
// object is answered as show renders it, with its @odata.context.
func (s *Server) patchSecurity(w http.ResponseWriter, r *http.Request, set, entity string, statuses, extra []string,
	stamp func(old, next tenant.Props, now string), show func(*tenant.Tenant, tenant.Props) map[string]any) {
	in, ok := decodeObject(w, r)
	if !ok {
		return
	}
	t := s.t(r)
	var out map[string]any
	msg, found := "", false
	t.Write(func() error {
		p := t.Security.Find(set, r.PathValue("id"))
		if p == nil {
			return nil
		}
		found = true
		next := tenant.DeepCopy(p)
		if msg = patchWorkflow(next, in, statuses, extra...); msg != "" {
			return nil
		}
		now := tenant.Timestamp(t.Now())
		next["lastUpdateDateTime"] = now
		if stamp != nil {
			stamp(p, next, now)
		}
		// patchWorkflow only sets properties, so copying next over p is
		// the whole update.
		for k, v := range next {
			p[k] = v
		}
		out = show(t, p)
		return nil
	})
	switch {
	case !found:
		secNotFound(w, r, r.PathValue("id"))
	case msg != "":
		badRequest(w, r, "BadRequest", msg)
	default:
		out["@odata.context"] = contextURL(r, entity)
		writeJSON(w, http.StatusOK, out)
	}
}

// incidentJSON shows an incident; with expand its alerts are included
// ($expand=alerts).
func incidentJSON(t *tenant.Tenant, p tenant.Props, expand bool) map[string]any {
	m := secJSON(p, []string{"alertIds"})
	if expand {
		var alerts []any
		ids, _ := p["alertIds"].([]any)
		for _, id := range ids {
			if idStr, _ := id.(string); idStr != "" {
				if a := t.Security.Find(tenant.SetAlerts, idStr); a != nil {
					alerts = append(alerts, tenant.DeepCopy(a))
				}
			}
		}
		if alerts == nil {
			alerts = []any{}
		}
		m["alerts"] = alerts
	}
	return m
}

func wantsExpand(q *odata.Query, nav string) bool {
	for _, e := range q.Expand {
		if strings.EqualFold(e.Path, nav) {
			return true
		}
	}
	return false
}

// listIncidents is GET /security/incidents (+ $expand=alerts).
// https://learn.microsoft.com/en-us/graph/api/security-list-incidents
func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, incidentRules)
	if q == nil {
		return
	}
	t := s.t(r)
	var items []map[string]any
	t.Read(func() error {
		for _, p := range t.Security.List(tenant.SetIncidents) {
			items = append(items, incidentJSON(t, p, wantsExpand(q, "alerts")))
		}
		return nil
	})
	writePage(w, r, q, incidentRules, items, listOpts{context: "security/incidents", countAny: true, keep: []string{"alerts"}})
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{})
	if q == nil {
		return
	}
	t := s.t(r)
	var item map[string]any
	t.Read(func() error {
		if p := t.Security.Find(tenant.SetIncidents, r.PathValue("id")); p != nil {
			item = odata.Project(incidentJSON(t, p, wantsExpand(q, "alerts")), q.Select, "alerts")
		}
		return nil
	})
	if item == nil {
		secNotFound(w, r, r.PathValue("id"))
		return
	}
	item["@odata.context"] = contextURL(r, "security/incidents/$entity")
	writeJSON(w, http.StatusOK, item)
}

// updateIncident is PATCH /security/incidents/{id}.
// https://learn.microsoft.com/en-us/graph/api/security-incident-update
func (s *Server) updateIncident(w http.ResponseWriter, r *http.Request) {
	s.patchSecurity(w, r, tenant.SetIncidents, "security/incidents/$entity", incidentStatuses, []string{"customTags"}, nil,
		func(t *tenant.Tenant, p tenant.Props) map[string]any { return incidentJSON(t, p, false) })
}

// riskyUserHistory is GET /identityProtection/riskyUsers/{id}/history.
func (s *Server) riskyUserHistory(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, riskyUserRules)
	if q == nil {
		return
	}
	var items []map[string]any
	found := false
	s.t(r).Read(func() error {
		p := s.t(r).Security.Find(tenant.SetRiskyUsers, r.PathValue("id"))
		if p == nil {
			return nil
		}
		found = true
		h, _ := p["history"].([]any)
		for _, e := range h {
			if m, ok := e.(map[string]any); ok {
				items = append(items, tenant.DeepCopy(m))
			}
		}
		return nil
	})
	if !found {
		secNotFound(w, r, r.PathValue("id"))
		return
	}
	writePage(w, r, q, riskyUserRules, items, listOpts{context: "identityProtection/riskyUsers('" + r.PathValue("id") + "')/history"})
}

// riskyUsersAction serves POST /identityProtection/riskyUsers/confirmCompromised
// (compromised: risk high, state confirmedCompromised) and .../dismiss
// (risk none, state dismissed). The body is {"userIds": [...]}; the answer
// 204. A user who was not risky becomes a risky user on confirmation.
// https://learn.microsoft.com/en-us/graph/api/riskyuser-confirmcompromised
// https://learn.microsoft.com/en-us/graph/api/riskyuser-dismiss
func (s *Server) riskyUsersAction(compromised bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			UserIDs []string `json:"userIds"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil || len(in.UserIDs) == 0 {
			badRequest(w, r, "BadRequest", "The request body must name at least one user in userIds.")
			return
		}
		if len(in.UserIDs) > 60 {
			badRequest(w, r, "BadRequest", "At most 60 users can be named in one request.")
			return
		}
		t := s.t(r)
		missing := ""
		t.Write(func() error {
			for _, id := range in.UserIDs {
				if u := t.User(id); u == nil || u.Deleted {
					missing = id
					return nil
				}
			}
			now := tenant.Timestamp(t.Now())
			for _, id := range in.UserIDs {
				u := t.User(id)
				level, state, detail := "none", "dismissed", "adminDismissedAllRiskForUser"
				if compromised {
					level, state, detail = "high", "confirmedCompromised", "adminConfirmedUserCompromised"
				}
				p := t.Security.Find(tenant.SetRiskyUsers, u.ID)
				if p == nil {
					p = tenant.Props{"id": u.ID, "isDeleted": false, "isProcessing": false,
						"userDisplayName": u.Props["displayName"], "userPrincipalName": u.UPN, "history": []any{}}
					t.Security.Add(tenant.SetRiskyUsers, p)
				}
				p["riskLevel"], p["riskState"], p["riskDetail"], p["riskLastUpdatedDateTime"] = level, state, detail, now
				h, _ := p["history"].([]any)
				entry := tenant.DeepCopy(p)
				delete(entry, "history")
				entry["id"], entry["userId"] = s.nextSecurityID(t), u.ID
				entry["activity"] = map[string]any{"eventTypes": []any{}, "detail": detail}
				entry["initiatedBy"] = callOf(r).principal.AppID
				p["history"] = append(h, entry)
			}
			return nil
		})
		if missing != "" {
			notFoundUser(w, r, missing)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
