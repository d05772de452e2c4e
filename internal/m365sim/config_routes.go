package m365sim

import (
	"net/http"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// Application permissions of the configuration resources, least privileged
// first, as each resource's Graph v1.0 reference page lists them.
var (
	rolesCARead          = []string{"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"}
	rolesCAWrite         = []string{"Policy.ReadWrite.ConditionalAccess"}
	rolesStrengthRead    = []string{"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "Policy.ReadWrite.AuthenticationMethod"}
	rolesStrengthWrite   = []string{"Policy.ReadWrite.ConditionalAccess", "Policy.ReadWrite.AuthenticationMethod"}
	rolesAuthMethodRead  = []string{"Policy.Read.All", "Policy.ReadWrite.AuthenticationMethod"}
	rolesAuthMethodWrite = []string{"Policy.ReadWrite.AuthenticationMethod"}
	rolesAuthzRead       = []string{"Policy.Read.All", "Policy.ReadWrite.Authorization"}
	rolesAuthzWrite      = []string{"Policy.ReadWrite.Authorization"}
	rolesSecDefRead      = []string{"Policy.Read.All", "Policy.ReadWrite.SecurityDefaults", "Policy.ReadWrite.ConditionalAccess"}
	rolesSecDefWrite     = []string{"Policy.ReadWrite.SecurityDefaults", "Policy.ReadWrite.ConditionalAccess"}
	rolesXTenantRead     = []string{"Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"}
	rolesXTenantWrite    = []string{"Policy.ReadWrite.CrossTenantAccess"}
	rolesConsentRead     = []string{"Policy.Read.All", "Policy.ReadWrite.ConsentRequest"}
	rolesConsentWrite    = []string{"Policy.ReadWrite.ConsentRequest"}
	rolesRoleRead        = []string{"RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory"}
	rolesRoleWrite       = []string{"RoleManagement.ReadWrite.Directory"}
	rolesEligRead        = []string{"RoleEligibilitySchedule.Read.Directory", "RoleEligibilitySchedule.ReadWrite.Directory", "RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory"}
	rolesAssignSchedRead = []string{"RoleAssignmentSchedule.Read.Directory", "RoleAssignmentSchedule.ReadWrite.Directory", "RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory"}
	rolesRMPRead         = []string{"RoleManagementPolicy.Read.Directory", "RoleManagementPolicy.ReadWrite.Directory", "RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory"}
	rolesRMPWrite        = []string{"RoleManagementPolicy.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory"}
	rolesIntuneRead      = []string{"DeviceManagementConfiguration.Read.All", "DeviceManagementConfiguration.ReadWrite.All"}
	rolesIntuneWrite     = []string{"DeviceManagementConfiguration.ReadWrite.All"}
)

// configRoles is every permission above, for AllRoles.
var configRoles = func() []string {
	var all []string
	seen := map[string]bool{}
	for _, set := range [][]string{rolesCARead, rolesStrengthRead, rolesAuthMethodRead, rolesAuthzRead, rolesSecDefRead,
		rolesXTenantRead, rolesConsentRead, rolesRoleRead, rolesEligRead, rolesAssignSchedRead, rolesRMPRead, rolesIntuneRead} {
		for _, r := range set {
			if !seen[r] {
				seen[r] = true
				all = append(all, r)
			}
		}
	}
	return all
}()

// configRoutes registers the tenant-configuration resources, under /v1.0
// and /beta alike (beta's differences, such as authorizationPolicy being a
// collection there, are not emulated):
//
//   - identity/conditionalAccess/namedLocations and /policies: CRUD, with
//     Graph's reference checks (named locations, users, groups, role
//     templates, authentication strengths); a location in use cannot be
//     deleted.
//   - policies/authenticationStrengthPolicies: built-ins read-only, custom
//     CRUD, updateAllowedCombinations.
//   - policies/authenticationMethodsPolicy (+ authenticationMethodConfigurations/{id},
//     PATCH naming the @odata.type), authorizationPolicy,
//     identitySecurityDefaultsEnforcementPolicy, adminConsentRequestPolicy,
//     crossTenantAccessPolicy (+ /default, /partners CRUD keyed by tenantId).
//   - roleManagement/directory/roleDefinitions (built-in read-only, custom
//     CRUD), roleAssignments (create, delete), roleEligibilitySchedules,
//     roleEligibilityScheduleInstances, roleAssignmentSchedules (read).
//   - policies/roleManagementPolicies ($expand=rules, /rules/{id} PATCH) and
//     roleManagementPolicyAssignments, both requiring a scope $filter.
//   - deviceManagement/deviceCompliancePolicies ($expand=assignments,
//     scheduledActionsForRule) and deviceConfigurations: CRUD, assign.
//
// POST /_sim/config-drift changes the configuration behind Graph's back
// (see ConfigDrift).
func (s *Server) configRoutes() {
	rd := func(roles []string) spec {
		return spec{class: limits.ClassIdentity, roles: roles, deny: denyDirectory, ru: 1}
	}
	wr := func(roles []string) spec {
		return spec{class: limits.ClassIdentity, roles: roles, deny: denyDirectory, ru: 3, write: true}
	}
	coll := func(path string, c *cfgColl, read, write spec) {
		s.handle("GET "+path, read, s.cfgList(c))
		s.handle("GET "+path+"/{id}", read, s.cfgGet(c))
		if c.create {
			s.handle("POST "+path, write, s.cfgCreate(c))
		}
		if c.update {
			s.handle("PATCH "+path+"/{id}", write, s.cfgUpdate(c))
		}
		if c.remove {
			s.handle("DELETE "+path+"/{id}", write, s.cfgDelete(c))
		}
	}
	single := func(path string, c *cfgSingle, read, write spec) {
		s.handle("GET "+path, read, s.singleGet(c))
		s.handle("PATCH "+path, write, s.singleUpdate(c))
	}

	// Conditional access.
	coll("/identity/conditionalAccess/namedLocations", &cfgColl{
		set: tenant.SetNamedLocations, context: "identity/conditionalAccess/namedLocations",
		create: true, update: true, remove: true, stamps: []string{"createdDateTime", "modifiedDateTime"},
		prepare: prepareNamedLocation, inUse: namedLocationInUse,
		// "You must specify the @odata.type" in a PATCH body.
		// https://learn.microsoft.com/en-us/graph/api/ipnamedlocation-update
		typedPatch: true,
	}, rd(rolesCARead), wr(rolesCAWrite))
	coll("/identity/conditionalAccess/policies", &cfgColl{
		set: tenant.SetConditionalAccess, context: "identity/conditionalAccess/policies",
		create: true, update: true, remove: true, stamps: []string{"createdDateTime", "modifiedDateTime"},
		prepare: prepareCAPolicy,
	}, rd(rolesCARead), wr(rolesCAWrite))

	// Authentication.
	strengths := &cfgColl{
		set: tenant.SetAuthStrengths, context: "policies/authenticationStrengthPolicies",
		create: true, update: true, remove: true, stamps: []string{"createdDateTime", "modifiedDateTime"},
		prepare: prepareStrength, inUse: strengthInUse, fixed: builtInStrength,
	}
	coll("/policies/authenticationStrengthPolicies", strengths, rd(rolesStrengthRead), wr(rolesStrengthWrite))
	s.handle("POST /policies/authenticationStrengthPolicies/{id}/updateAllowedCombinations", wr(rolesStrengthWrite), s.updateAllowedCombinations)
	methods := &cfgColl{set: tenant.SetAuthMethodConfigs, context: "policies/authenticationMethodsPolicy/authenticationMethodConfigurations",
		update: true, typedPatch: true, prepare: prepareMethodConfig}
	single("/policies/authenticationMethodsPolicy", &cfgSingle{name: tenant.SingleAuthMethodsPolicy,
		context: "policies/authenticationMethodsPolicy/$entity", stamp: "lastModifiedDateTime", extra: withMethodConfigs},
		rd(rolesAuthMethodRead), wr(rolesAuthMethodWrite))
	coll("/policies/authenticationMethodsPolicy/authenticationMethodConfigurations", methods, rd(rolesAuthMethodRead), wr(rolesAuthMethodWrite))

	// Tenant-wide policies.
	single("/policies/authorizationPolicy", &cfgSingle{name: tenant.SingleAuthorization,
		context: "policies/authorizationPolicy/$entity", prepare: prepareAuthorization}, rd(rolesAuthzRead), wr(rolesAuthzWrite))
	single("/policies/identitySecurityDefaultsEnforcementPolicy", &cfgSingle{name: tenant.SingleSecurityDefaults,
		context: "policies/identitySecurityDefaultsEnforcementPolicy/$entity", prepare: prepareBool("isEnabled")},
		rd(rolesSecDefRead), wr(rolesSecDefWrite))
	single("/policies/crossTenantAccessPolicy", &cfgSingle{name: tenant.SingleCrossTenant,
		context: "policies/crossTenantAccessPolicy/$entity"}, rd(rolesXTenantRead), wr(rolesXTenantWrite))
	single("/policies/crossTenantAccessPolicy/default", &cfgSingle{name: tenant.SingleCrossTenantDefault,
		context: "policies/crossTenantAccessPolicy/default/$entity"}, rd(rolesXTenantRead), wr(rolesXTenantWrite))
	coll("/policies/crossTenantAccessPolicy/partners", &cfgColl{
		set: tenant.SetCrossTenantPartners, context: "policies/crossTenantAccessPolicy/partners",
		create: true, update: true, remove: true, prepare: preparePartner,
	}, rd(rolesXTenantRead), wr(rolesXTenantWrite))
	consent := &cfgSingle{name: tenant.SingleAdminConsent,
		context: "policies/adminConsentRequestPolicy/$entity", prepare: prepareBool("isEnabled", "notifyReviewers", "remindersEnabled")}
	single("/policies/adminConsentRequestPolicy", consent, rd(rolesConsentRead), wr(rolesConsentWrite))
	// Graph documents PUT, not PATCH, for this policy; both are served.
	// https://learn.microsoft.com/en-us/graph/api/adminconsentrequestpolicy-update
	s.handle("PUT /policies/adminConsentRequestPolicy", wr(rolesConsentWrite),
		s.singleReplace(consent, "isEnabled", "notifyReviewers", "remindersEnabled", "requestDurationInDays", "reviewers"))

	// Directory roles and PIM.
	coll("/roleManagement/directory/roleDefinitions", &cfgColl{
		set: tenant.SetRoleDefinitions, context: "roleManagement/directory/roleDefinitions",
		create: true, update: true, remove: true, prepare: prepareRoleDefinition, fixed: builtInRole, inUse: roleInUse,
	}, rd(rolesRoleRead), wr(rolesRoleWrite))
	coll("/roleManagement/directory/roleAssignments", &cfgColl{
		set: tenant.SetRoleAssignments, context: "roleManagement/directory/roleAssignments",
		create: true, remove: true, prepare: prepareRoleAssignment,
	}, rd(rolesRoleRead), wr(rolesRoleWrite))
	coll("/roleManagement/directory/roleEligibilitySchedules", &cfgColl{
		set: tenant.SetRoleEligibilities, context: "roleManagement/directory/roleEligibilitySchedules",
	}, rd(rolesEligRead), wr(rolesRoleWrite))
	coll("/roleManagement/directory/roleEligibilityScheduleInstances", &cfgColl{
		set: tenant.SetRoleEligibilityInstance, context: "roleManagement/directory/roleEligibilityScheduleInstances",
	}, rd(rolesEligRead), wr(rolesRoleWrite))
	coll("/roleManagement/directory/roleAssignmentSchedules", &cfgColl{
		set: tenant.SetRoleAssignmentSchedules, context: "roleManagement/directory/roleAssignmentSchedules",
	}, rd(rolesAssignSchedRead), wr(rolesRoleWrite))
	rmp := &cfgColl{set: tenant.SetRoleManagementPolicies, context: "policies/roleManagementPolicies",
		nav: []string{"rules"}, needFilter: requireScopeFilter}
	coll("/policies/roleManagementPolicies", rmp, rd(rolesRMPRead), wr(rolesRMPWrite))
	s.handle("GET /policies/roleManagementPolicies/{id}/rules", rd(rolesRMPRead), s.listPolicyRules)
	s.handle("GET /policies/roleManagementPolicies/{id}/rules/{rule}", rd(rolesRMPRead), s.getPolicyRule)
	s.handle("PATCH /policies/roleManagementPolicies/{id}/rules/{rule}", wr(rolesRMPWrite), s.updatePolicyRule)
	coll("/policies/roleManagementPolicyAssignments", &cfgColl{
		set: tenant.SetRoleManagementPolicyAss, context: "policies/roleManagementPolicyAssignments", needFilter: requireScopeFilter,
	}, rd(rolesRMPRead), wr(rolesRMPWrite))

	// Intune.
	ir := spec{class: limits.ClassIdentity, roles: rolesIntuneRead, deny: denyIntune, ru: 1}
	iw := spec{class: limits.ClassIdentity, roles: rolesIntuneWrite, deny: denyIntune, ru: 3, write: true}
	for _, c := range []*cfgColl{
		{set: tenant.SetCompliancePolicies, context: "deviceManagement/deviceCompliancePolicies",
			nav: []string{"assignments", "scheduledActionsForRule"}, prepare: prepareCompliance},
		{set: tenant.SetDeviceConfigurations, context: "deviceManagement/deviceConfigurations",
			nav: []string{"assignments"}, prepare: prepareIntune},
	} {
		c.create, c.update, c.remove, c.patchBody = true, true, true, true
		c.stamps = []string{"createdDateTime", "lastModifiedDateTime"}
		c.notFound = intuneNotFound
		path := "/" + c.context
		coll(path, c, ir, iw)
		s.handle("POST "+path+"/{id}/assign", iw, s.intuneAssign(c))
		for _, nav := range c.nav {
			s.handle("GET "+path+"/{id}/"+nav, ir, s.listNav(c, nav))
		}
	}
}

// intuneNotFound answers an unknown Intune object as Intune does.
func intuneNotFound(w http.ResponseWriter, r *http.Request, id string) {
	graphError(w, r, http.StatusNotFound, "ResourceNotFound", "No resource found for key '"+id+"'.")
}

// requireScopeFilter enforces the $filter Graph requires to list role
// management policies and their assignments: the scope must be named
// ("scopeId eq '/' and scopeType eq 'Directory'" or 'DirectoryRole').
// https://learn.microsoft.com/en-us/graph/api/policyroot-list-rolemanagementpolicies
// https://learn.microsoft.com/en-us/graph/api/policyroot-list-rolemanagementpolicyassignments
// Graph's message for a missing filter is not documented; the text below
// is the emulator's.
func requireScopeFilter(q *odata.Query) *cfgErr {
	f := strings.ToLower(q.FilterText)
	if q.Filter == nil || !strings.Contains(f, "scopeid") || !strings.Contains(f, "scopetype") {
		return badConfig("BadRequest", "The request requires a $filter on scopeId and scopeType, e.g. scopeId eq '/' and scopeType eq 'DirectoryRole'.")
	}
	return nil
}

func (s *Server) listNav(c *cfgColl, nav string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := parseQuery(w, r, cfgRules)
		if q == nil {
			return
		}
		id := r.PathValue("id")
		var items []map[string]any
		found := false
		t := s.t(r)
		t.Read(func() error {
			p := t.Config.Find(c.set, id)
			if p == nil {
				return nil
			}
			found = true
			list, _ := tenant.DeepCopy(tenant.Props{"v": p[nav]})["v"].([]any)
			for _, e := range list {
				if m, ok := e.(map[string]any); ok {
					items = append(items, m)
				}
			}
			return nil
		})
		if !found {
			c.missing(w, r, id)
			return
		}
		writePage(w, r, q, cfgRules, items, listOpts{context: c.context + "('" + id + "')/" + nav, keep: []string{"@odata.type"}})
	}
}

// intuneAssign serves the assign action: the body's assignments replace
// the policy's, and the answer lists them.
// https://learn.microsoft.com/en-us/graph/api/intune-deviceconfig-devicecompliancepolicy-assign
func (s *Server) intuneAssign(c *cfgColl) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, ok := decodeConfig(w, r)
		if !ok {
			return
		}
		list, ok := in["assignments"].([]any)
		if !ok {
			badRequest(w, r, "BadRequest", "The request body must contain an 'assignments' array.")
			return
		}
		id := r.PathValue("id")
		var out []map[string]any
		found := false
		var verr *cfgErr
		t := s.t(r)
		t.Write(func() error {
			p := t.Config.Find(c.set, id)
			if p == nil {
				return nil
			}
			found = true
			var stored []any
			for _, e := range list {
				a, ok := e.(map[string]any)
				if !ok {
					verr = badConfig("BadRequest", "Each assignment must be an object.")
					return nil
				}
				tg, _ := a["target"].(map[string]any)
				if tg == nil {
					verr = badConfig("BadRequest", "An assignment has no target.")
					return nil
				}
				if gid, _ := tg["groupId"].(string); gid != "" {
					a["id"] = id + "_" + gid
				} else if a["id"] == nil {
					a["id"] = t.NewGUID()
				}
				stored = append(stored, a)
				out = append(out, tenant.DeepCopy(a))
			}
			if stored == nil {
				stored = []any{}
			}
			p["assignments"] = stored
			return nil
		})
		switch {
		case !found:
			c.missing(w, r, id)
		case verr != nil:
			verr.write(w, r)
		default:
			collection(w, r, "Collection(microsoft.graph."+singular(c.context)+"Assignment)", out, nil)
		}
	}
}
