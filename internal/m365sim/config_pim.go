package m365sim

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// PIM policy rules: /policies/roleManagementPolicies/{id}/rules.

func (s *Server) policyRules(w http.ResponseWriter, r *http.Request, fn func(p tenant.Props) (any, *cfgErr)) {
	id := r.PathValue("id")
	var out any
	var verr *cfgErr
	found := false
	t := s.t(r)
	t.Write(func() error {
		p := t.Config.Find(tenant.SetRoleManagementPolicies, id)
		if p == nil {
			return nil
		}
		found = true
		out, verr = fn(p)
		return nil
	})
	switch {
	case !found:
		graphError(w, r, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
	case verr != nil:
		verr.write(w, r)
	case out == nil:
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

func (s *Server) listPolicyRules(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{})
	if q == nil {
		return
	}
	s.policyRules(w, r, func(p tenant.Props) (any, *cfgErr) {
		items := []map[string]any{}
		for _, e := range asSlice(tenant.DeepCopy(p)["rules"]) {
			items = append(items, odata.Project(asMap(e), q.Select, "@odata.type"))
		}
		return map[string]any{"@odata.context": contextURL(r, "policies/roleManagementPolicies('"+r.PathValue("id")+"')/rules"), "value": items}, nil
	})
}

func findRule(p tenant.Props, id string) map[string]any {
	for _, e := range asSlice(p["rules"]) {
		if m := asMap(e); m != nil && strings.EqualFold(str(m, "id"), id) {
			return m
		}
	}
	return nil
}

func (s *Server) getPolicyRule(w http.ResponseWriter, r *http.Request) {
	s.policyRules(w, r, func(p tenant.Props) (any, *cfgErr) {
		rule := findRule(p, r.PathValue("rule"))
		if rule == nil {
			return nil, &cfgErr{http.StatusNotFound, "Request_ResourceNotFound", "Rule '" + r.PathValue("rule") + "' does not exist."}
		}
		out := tenant.DeepCopy(rule)
		out["@odata.context"] = contextURL(r, "policies/roleManagementPolicies('"+r.PathValue("id")+"')/rules/$entity")
		return out, nil
	})
}

// updatePolicyRule merges a PATCH into a rule; the body names the rule's
// derived type, as Graph requires.
// https://learn.microsoft.com/en-us/graph/api/unifiedrolemanagementpolicyrule-update
func (s *Server) updatePolicyRule(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeConfig(w, r)
	if !ok {
		return
	}
	s.policyRules(w, r, func(p tenant.Props) (any, *cfgErr) {
		rule := findRule(p, r.PathValue("rule"))
		if rule == nil {
			return nil, &cfgErr{http.StatusNotFound, "Request_ResourceNotFound", "Rule '" + r.PathValue("rule") + "' does not exist."}
		}
		if in["@odata.type"] != rule["@odata.type"] {
			return nil, badConfig("BadRequest", fmt.Sprintf("The rule is a %v; the request body must name that @odata.type.", rule["@odata.type"]))
		}
		delete(in, "id")
		mergeProps(rule, in)
		p["lastModifiedDateTime"] = tenant.Timestamp(s.t(r).Now())
		return nil, nil
	})
}
