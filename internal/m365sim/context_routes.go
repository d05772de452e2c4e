package m365sim

import (
	"net/http"

	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// rolesAppMgmtRead read the tenant's default app management policy.
// https://learn.microsoft.com/en-us/graph/api/tenantappmanagementpolicy-get
var rolesAppMgmtRead = []string{"Policy.Read.All", "Policy.Read.ApplicationConfiguration", "Policy.ReadWrite.ApplicationConfiguration"}

// contextRoutes registers read-only resources that posture assessment
// reads beside the configuration kinds and that the configuration set does
// not hold as such:
//
//   - roleManagement/directory/roleAssignmentScheduleInstances: the active
//     assignments in force. Graph lists one for every active assignment,
//     "made through PIM assignments and activation requests, or directly
//     through the role assignments API", so they derive from the role
//     assignments, with the window of the role assignment schedule of the
//     same id when there is one (every generated schedule is in force).
//     https://learn.microsoft.com/en-us/graph/api/resources/unifiedroleassignmentscheduleinstance
//   - policies/defaultAppManagementPolicy: the tenant's default app
//     management policy as a tenant that never configured it has it:
//     disabled, with no restrictions.
//     https://learn.microsoft.com/en-us/graph/api/resources/tenantappmanagementpolicy
func (s *Server) contextRoutes() {
	rd := func(roles []string) spec {
		return spec{class: limits.ClassIdentity, roles: roles, deny: denyDirectory, ru: 1}
	}
	s.handle("GET /roleManagement/directory/roleAssignmentScheduleInstances", rd(rolesAssignSchedRead), s.listAssignmentInstances)
	s.handle("GET /policies/defaultAppManagementPolicy", rd(rolesAppMgmtRead), s.getDefaultAppManagementPolicy)
}

// listAssignmentInstances answers one instance per role assignment: the
// instance has the assignment's id (as Graph does for assignments made
// through roleAssignments), and the schedule's window and assignment type
// when a schedule exists; otherwise the assignment is permanent and
// "Assigned".
func (s *Server) listAssignmentInstances(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, cfgRules)
	if q == nil {
		return
	}
	var items []map[string]any
	t := s.t(r)
	t.Read(func() error {
		for _, a := range t.Config.List(tenant.SetRoleAssignments) {
			id := tenant.KeyOf(a)
			it := map[string]any{
				"id": id, "principalId": a["principalId"], "roleDefinitionId": a["roleDefinitionId"],
				"directoryScopeId": a["directoryScopeId"], "appScopeId": a["appScopeId"],
				"startDateTime": nil, "endDateTime": nil, "assignmentType": "Assigned", "memberType": "Direct",
				"roleAssignmentOriginId": id, "roleAssignmentScheduleId": nil,
			}
			if p := t.Config.Find(tenant.SetRoleAssignmentSchedules, id); p != nil {
				info, _ := p["scheduleInfo"].(tenant.Props)
				exp, _ := info["expiration"].(tenant.Props)
				it["startDateTime"], it["endDateTime"] = info["startDateTime"], exp["endDateTime"]
				it["assignmentType"], it["memberType"], it["roleAssignmentScheduleId"] = p["assignmentType"], p["memberType"], id
			}
			items = append(items, it)
		}
		return nil
	})
	writePage(w, r, q, cfgRules, items, listOpts{context: "roleManagement/directory/roleAssignmentScheduleInstances"})
}

func (s *Server) getDefaultAppManagementPolicy(w http.ResponseWriter, r *http.Request) {
	if parseQuery(w, r, cfgRules) == nil {
		return
	}
	none := func() map[string]any {
		return map[string]any{"passwordCredentials": []any{}, "keyCredentials": []any{}}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context":               contextURL(r, "policies/defaultAppManagementPolicy/$entity"),
		"id":                           "00000000-0000-0000-0000-000000000000",
		"displayName":                  "Default app management tenant policy",
		"description":                  "Default tenant policy that enforces app management restrictions on applications and service principals.",
		"isEnabled":                    false,
		"applicationRestrictions":      none(),
		"servicePrincipalRestrictions": none(),
	})
}
