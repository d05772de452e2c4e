package m365sim

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

func startConfig(t *testing.T, roles ...string) (*Listener, *client) {
	t.Helper()
	opts := Options{Users: 5, Seed: 11, MessagesPerUser: -1, FilesPerUser: -1}
	if roles != nil {
		opts.Roles = roles
	}
	l := Start(t, opts)
	return l, newClient(t, l)
}

// TestConfigShapes reads every configuration resource and checks the
// generated tenant's shape and planted weaknesses.
func TestConfigShapes(t *testing.T) {
	_, c := startConfig(t)
	for _, tc := range []struct {
		path string
		min  int
	}{
		{"/identity/conditionalAccess/namedLocations", 3},
		{"/identity/conditionalAccess/policies", 5},
		{"/policies/authenticationStrengthPolicies", 4},
		{"/policies/authenticationMethodsPolicy/authenticationMethodConfigurations", 8},
		{"/policies/crossTenantAccessPolicy/partners", 1},
		{"/roleManagement/directory/roleDefinitions", 20},
		{"/roleManagement/directory/roleAssignments", 3},
		{"/roleManagement/directory/roleEligibilitySchedules", 1},
		{"/roleManagement/directory/roleEligibilityScheduleInstances", 1},
		{"/roleManagement/directory/roleAssignmentSchedules", 3},
		{"/policies/roleManagementPolicies?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'", 1},
		{"/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'", 1},
		{"/deviceManagement/deviceCompliancePolicies", 2},
		{"/deviceManagement/deviceConfigurations", 2},
	} {
		items, _ := c.all(strings.ReplaceAll(tc.path, " ", "%20"))
		if len(items) < tc.min {
			t.Errorf("%s: %d items, want at least %d", tc.path, len(items), tc.min)
		}
	}
	cas, _ := c.all("/identity/conditionalAccess/policies")
	states := map[string]int{}
	for _, p := range cas {
		states[p["state"].(string)]++
		cond := p["conditions"].(map[string]any)
		for _, k := range []string{"users", "applications", "clientAppTypes", "signInRiskLevels", "userRiskLevels"} {
			if _, ok := cond[k]; !ok {
				t.Errorf("policy %v: conditions lack %s", p["displayName"], k)
			}
		}
	}
	if states["enabledForReportingButNotEnforced"] != 1 || states["enabled"] < 4 {
		t.Errorf("CA policy states = %v", states)
	}
	sms := c.get("/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Sms")
	if sms["state"] != "enabled" || sms["@odata.type"] != "#microsoft.graph.smsAuthenticationMethodConfiguration" {
		t.Errorf("Sms configuration = %v", sms)
	}
	amp := c.get("/policies/authenticationMethodsPolicy")
	if n := len(amp["authenticationMethodConfigurations"].([]any)); n != 8 {
		t.Errorf("methods policy carries %d configurations, want 8", n)
	}
	authz := c.get("/policies/authorizationPolicy")
	if authz["defaultUserRolePermissions"].(map[string]any)["allowedToCreateApps"] != true {
		t.Errorf("authorizationPolicy = %v", authz)
	}
	if sd := c.get("/policies/identitySecurityDefaultsEnforcementPolicy"); sd["isEnabled"] != false {
		t.Errorf("security defaults = %v", sd)
	}
	for _, p := range []string{"/policies/crossTenantAccessPolicy", "/policies/crossTenantAccessPolicy/default", "/policies/adminConsentRequestPolicy"} {
		if m := c.get(p); !strings.Contains(m["@odata.context"].(string), "$metadata#") {
			t.Errorf("%s: @odata.context = %v", p, m["@odata.context"])
		}
	}
	ga := c.get("/roleManagement/directory/roleDefinitions/" + tenant.RoleGlobalAdmin)
	if ga["displayName"] != "Global Administrator" || ga["isBuiltIn"] != true {
		t.Errorf("Global Administrator = %v", ga)
	}
	// Global Administrators: active and eligible together, 3 to 5.
	q := "?$filter=" + url.QueryEscape("roleDefinitionId eq '"+tenant.RoleGlobalAdmin+"'")
	active, _ := c.all("/roleManagement/directory/roleAssignments" + q)
	eligible, _ := c.all("/roleManagement/directory/roleEligibilitySchedules" + q)
	if n := len(active) + len(eligible); n < 3 || n > 5 || len(eligible) == 0 {
		t.Errorf("Global Administrators: %d active, %d eligible", len(active), len(eligible))
	}
	// $expand of Intune navigation properties.
	plain, _ := c.all("/deviceManagement/deviceCompliancePolicies")
	if _, ok := plain[0]["assignments"]; ok {
		t.Error("assignments returned without $expand")
	}
	exp, _ := c.all("/deviceManagement/deviceCompliancePolicies?$expand=assignments,scheduledActionsForRule")
	for _, p := range exp {
		if len(p["assignments"].([]any)) == 0 || len(p["scheduledActionsForRule"].([]any)) == 0 {
			t.Errorf("%v: expanded policy lacks assignments or scheduled actions", p["displayName"])
		}
	}
	if r := c.do("GET", "/deviceManagement/deviceCompliancePolicies?$expand=bogus", nil); r.status != 400 {
		t.Errorf("$expand=bogus: %d", r.status)
	}
	// Also under /beta.
	if m := c.get(c.l.URL + "/beta/identity/conditionalAccess/namedLocations"); len(m["value"].([]any)) < 3 {
		t.Error("beta named locations empty")
	}
}

func TestConfigPaging(t *testing.T) {
	_, c := startConfig(t)
	first := c.get("/roleManagement/directory/roleDefinitions?$top=5")
	if len(first["value"].([]any)) != 5 || first["@odata.nextLink"] == nil {
		t.Fatalf("first page: %d items, nextLink %v", len(first["value"].([]any)), first["@odata.nextLink"])
	}
	all, _ := c.all("/roleManagement/directory/roleDefinitions?$top=5")
	whole, _ := c.all("/roleManagement/directory/roleDefinitions")
	if len(all) != len(whole) || len(ids(all)) != len(all) {
		t.Errorf("paged %d, whole %d", len(all), len(whole))
	}
}

func TestConfigRequiredFilter(t *testing.T) {
	_, c := startConfig(t)
	for _, p := range []string{"/policies/roleManagementPolicies", "/policies/roleManagementPolicyAssignments"} {
		if r := c.do("GET", p, nil); r.status != 400 || r.errorCode(t) != "BadRequest" {
			t.Errorf("%s without $filter: %d %s", p, r.status, r.body)
		}
	}
	pols, _ := c.all("/policies/roleManagementPolicies?$filter=" + url.QueryEscape("scopeId eq '/' and scopeType eq 'DirectoryRole'") + "&$expand=rules")
	if len(pols) == 0 || len(pols[0]["rules"].([]any)) == 0 {
		t.Fatalf("policies with rules: %v", pols)
	}
	id := pols[0]["id"].(string)
	rules := c.get("/policies/roleManagementPolicies/" + id + "/rules")
	if len(rules["value"].([]any)) == 0 {
		t.Error("no rules")
	}
	patch := map[string]any{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "maximumDuration": "PT4H"}
	if r := c.do("PATCH", "/policies/roleManagementPolicies/"+id+"/rules/Expiration_EndUser_Assignment", patch); r.status != 204 {
		t.Fatalf("PATCH rule: %d %s", r.status, r.body)
	}
	if got := c.get("/policies/roleManagementPolicies/" + id + "/rules/Expiration_EndUser_Assignment"); got["maximumDuration"] != "PT4H" {
		t.Errorf("rule after PATCH = %v", got)
	}
}

func namedLocation(name string) map[string]any {
	return map[string]any{"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": name, "isTrusted": false,
		"ipRanges": []any{map[string]any{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "192.0.2.0/24"}}}
}

func caBody(name string, mutate func(cond map[string]any)) map[string]any {
	cond := map[string]any{
		"clientAppTypes": []any{"all"},
		"applications":   map[string]any{"includeApplications": []any{"All"}},
		"users":          map[string]any{"includeUsers": []any{"All"}},
	}
	if mutate != nil {
		mutate(cond)
	}
	return map[string]any{"displayName": name, "state": "enabledForReportingButNotEnforced", "conditions": cond,
		"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"mfa"}}}
}

func TestConfigNamedLocationCRUD(t *testing.T) {
	_, c := startConfig(t)
	const base = "/identity/conditionalAccess/namedLocations"
	r := c.do("POST", base, namedLocation("Lab"))
	if r.status != 201 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	loc := r.json(t)
	id := loc["id"].(string)
	if loc["createdDateTime"] == nil || !strings.Contains(loc["@odata.context"].(string), "namedLocations/$entity") {
		t.Errorf("created = %v", loc)
	}
	if r := c.do("PATCH", base+"/"+id, map[string]any{"@odata.type": "#microsoft.graph.ipNamedLocation", "isTrusted": true}); r.status != 204 {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	if got := c.get(base + "/" + id); got["isTrusted"] != true || got["displayName"] != "Lab" {
		t.Errorf("after PATCH: %v", got)
	}
	bad := namedLocation("Bad")
	bad["ipRanges"] = []any{map[string]any{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "300.1.1.1/8"}}
	if r := c.do("POST", base, bad); r.status != 400 {
		t.Errorf("invalid CIDR: %d", r.status)
	}
	// A location in use by a policy cannot be deleted.
	pol := c.do("POST", "/identity/conditionalAccess/policies", caBody("uses Lab", func(cond map[string]any) {
		cond["locations"] = map[string]any{"includeLocations": []any{id}}
	}))
	if pol.status != 201 {
		t.Fatalf("POST policy: %d %s", pol.status, pol.body)
	}
	if r := c.do("DELETE", base+"/"+id, nil); r.status != 400 {
		t.Errorf("DELETE location in use: %d", r.status)
	}
	if r := c.do("DELETE", "/identity/conditionalAccess/policies/"+pol.json(t)["id"].(string), nil); r.status != 204 {
		t.Fatalf("DELETE policy: %d", r.status)
	}
	if r := c.do("DELETE", base+"/"+id, nil); r.status != 204 {
		t.Errorf("DELETE location: %d %s", r.status, r.body)
	}
	if r := c.do("GET", base+"/"+id, nil); r.status != 404 {
		t.Errorf("GET deleted: %d", r.status)
	}
}

func TestConfigCAValidation(t *testing.T) {
	l, c := startConfig(t)
	const base = "/identity/conditionalAccess/policies"
	const ghost = "7d0c1b7e-0000-4000-8000-00000000dead"
	var group string
	l.Server.Tenant().Read(func() error { group = l.Server.Tenant().Groups[0].ID; return nil })
	for _, tc := range []struct {
		name   string
		mutate func(map[string]any)
		want   string // substring of the message; "" for success
	}{
		{"ok", nil, ""},
		{"group", func(c map[string]any) { c["users"] = map[string]any{"includeGroups": []any{group}} }, ""},
		{"missing location", func(c map[string]any) {
			c["locations"] = map[string]any{"includeLocations": []any{"All"}, "excludeLocations": []any{ghost}}
		}, "1040: NamedLocation with id " + ghost + " does not exist in the directory."},
		{"missing group", func(c map[string]any) { c["users"] = map[string]any{"includeGroups": []any{ghost}} }, "Group with id"},
		{"missing user", func(c map[string]any) { c["users"] = map[string]any{"excludeUsers": []any{ghost}} }, "User with id"},
		{"missing role", func(c map[string]any) { c["users"] = map[string]any{"includeRoles": []any{ghost}} }, "Role template"},
		{"known role", func(c map[string]any) { c["users"] = map[string]any{"includeRoles": []any{tenant.RoleGlobalAdmin}} }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do("POST", base, caBody(tc.name, tc.mutate))
			if tc.want == "" {
				if r.status != 201 {
					t.Fatalf("%d %s", r.status, r.body)
				}
				return
			}
			if r.status != 400 || r.errorCode(t) != "BadRequest" || !strings.Contains(string(r.body), tc.want) {
				t.Errorf("got %d %s, want 400 with %q", r.status, r.body, tc.want)
			}
		})
	}
	body := caBody("strength", nil)
	body["grantControls"] = map[string]any{"operator": "OR", "builtInControls": []any{}, "authenticationStrength": map[string]any{"id": ghost}}
	if r := c.do("POST", base, body); r.status != 400 {
		t.Errorf("missing strength: %d", r.status)
	}
	body["grantControls"].(map[string]any)["authenticationStrength"] = map[string]any{"id": tenant.StrengthPhishResistant}
	r := c.do("POST", base, body)
	if r.status != 201 {
		t.Fatalf("strength: %d %s", r.status, r.body)
	}
	as := r.json(t)["grantControls"].(map[string]any)["authenticationStrength"].(map[string]any)
	if as["displayName"] != "Phishing-resistant MFA" {
		t.Errorf("authenticationStrength = %v", as)
	}
	id := r.json(t)["id"].(string)
	if r := c.do("PATCH", base+"/"+id, map[string]any{"state": "on"}); r.status != 400 {
		t.Errorf("PATCH state on: %d", r.status)
	}
	if r := c.do("PATCH", base+"/"+id, map[string]any{"state": "disabled"}); r.status != 204 {
		t.Errorf("PATCH state disabled: %d %s", r.status, r.body)
	}
	got := c.get(base + "/" + id)
	if got["state"] != "disabled" || got["modifiedDateTime"] == nil {
		t.Errorf("after PATCH: state %v modified %v", got["state"], got["modifiedDateTime"])
	}
}

func TestConfigStrengthsAndMethods(t *testing.T) {
	_, c := startConfig(t)
	const base = "/policies/authenticationStrengthPolicies"
	if r := c.do("PATCH", base+"/"+tenant.StrengthMFA, map[string]any{"displayName": "x"}); r.status != 400 {
		t.Errorf("PATCH built-in: %d", r.status)
	}
	r := c.do("POST", base, map[string]any{"displayName": "Keys", "allowedCombinations": []any{"fido2"}})
	if r.status != 201 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	if r := c.do("PATCH", base+"/"+id, map[string]any{"allowedCombinations": []any{"fido2", "sms"}}); r.status != 400 {
		t.Errorf("PATCH combinations: %d", r.status)
	}
	if r := c.do("POST", base+"/"+id+"/updateAllowedCombinations", map[string]any{"allowedCombinations": []any{"fido2", "windowsHelloForBusiness"}}); r.status != 200 {
		t.Errorf("updateAllowedCombinations: %d %s", r.status, r.body)
	}
	const sms = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Sms"
	if r := c.do("PATCH", sms, map[string]any{"state": "disabled"}); r.status != 400 {
		t.Errorf("PATCH without @odata.type: %d", r.status)
	}
	if r := c.do("PATCH", sms, map[string]any{"@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration", "state": "disabled"}); r.status != 204 {
		t.Fatalf("PATCH Sms: %d %s", r.status, r.body)
	}
	if got := c.get(sms); got["state"] != "disabled" {
		t.Errorf("Sms state = %v", got["state"])
	}
	if r := c.do("PATCH", "/policies/authorizationPolicy", map[string]any{"defaultUserRolePermissions": map[string]any{"allowedToCreateApps": false}}); r.status != 204 {
		t.Fatalf("PATCH authorizationPolicy: %d %s", r.status, r.body)
	}
	perms := c.get("/policies/authorizationPolicy")["defaultUserRolePermissions"].(map[string]any)
	if perms["allowedToCreateApps"] != false || perms["allowedToReadOtherUsers"] != true {
		t.Errorf("after PATCH: %v", perms)
	}
	if r := c.do("PATCH", "/policies/authorizationPolicy", map[string]any{"guestUserRoleId": "nope"}); r.status != 400 {
		t.Errorf("bad guestUserRoleId: %d", r.status)
	}
}

func TestConfigPartnersRolesIntune(t *testing.T) {
	l, c := startConfig(t)
	const partners = "/policies/crossTenantAccessPolicy/partners"
	const tid = "3d0f5dbe-1111-4222-8333-444455556666"
	if r := c.do("POST", partners, map[string]any{"tenantId": tid}); r.status != 201 {
		t.Fatalf("POST partner: %d %s", r.status, r.body)
	}
	if r := c.do("POST", partners, map[string]any{"tenantId": tid}); r.status != 409 {
		t.Errorf("duplicate partner: %d", r.status)
	}
	if r := c.do("PATCH", partners+"/"+tid, map[string]any{"inboundTrust": map[string]any{"isMfaAccepted": true}}); r.status != 204 {
		t.Errorf("PATCH partner: %d %s", r.status, r.body)
	}
	if r := c.do("DELETE", partners+"/"+tid, nil); r.status != 204 {
		t.Errorf("DELETE partner: %d", r.status)
	}

	var user string
	l.Server.Tenant().Read(func() error { user = l.Server.Tenant().Users[0].ID; return nil })
	const ra = "/roleManagement/directory/roleAssignments"
	if r := c.do("POST", ra, map[string]any{"principalId": user, "roleDefinitionId": "00000000-dead-4000-8000-000000000000", "directoryScopeId": "/"}); r.status != 400 {
		t.Errorf("assignment of a missing role: %d", r.status)
	}
	r := c.do("POST", ra, map[string]any{"principalId": user, "roleDefinitionId": tenant.RoleGlobalReader, "directoryScopeId": "/"})
	if r.status != 201 {
		t.Fatalf("POST assignment: %d %s", r.status, r.body)
	}
	if r := c.do("DELETE", ra+"/"+r.json(t)["id"].(string), nil); r.status != 204 {
		t.Errorf("DELETE assignment: %d", r.status)
	}
	if r := c.do("DELETE", "/roleManagement/directory/roleDefinitions/"+tenant.RoleGlobalAdmin, nil); r.status != 400 {
		t.Errorf("DELETE built-in role: %d", r.status)
	}

	const cp = "/deviceManagement/deviceCompliancePolicies"
	pol := map[string]any{"@odata.type": "#microsoft.graph.androidCompliancePolicy", "displayName": "Android",
		"passwordRequired": true}
	if r := c.do("POST", cp, pol); r.status != 400 {
		t.Errorf("compliance policy without scheduled actions: %d", r.status)
	}
	pol["scheduledActionsForRule"] = []any{map[string]any{"ruleName": "PasswordRequired", "scheduledActionConfigurations": []any{
		map[string]any{"actionType": "block", "gracePeriodHours": 0}}}}
	r = c.do("POST", cp, pol)
	if r.status != 201 {
		t.Fatalf("POST compliance policy: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	var group string
	l.Server.Tenant().Read(func() error { group = l.Server.Tenant().Groups[0].ID; return nil })
	assign := map[string]any{"assignments": []any{map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group}}}}
	if r := c.do("POST", cp+"/"+id+"/assign", assign); r.status != 200 {
		t.Fatalf("assign: %d %s", r.status, r.body)
	}
	got := c.get(cp + "/" + id + "?$expand=assignments")
	if as := got["assignments"].([]any); len(as) != 1 || as[0].(map[string]any)["id"] != id+"_"+group {
		t.Errorf("assignments = %v", got["assignments"])
	}
	r = c.do("PATCH", cp+"/"+id, map[string]any{"@odata.type": "#microsoft.graph.androidCompliancePolicy", "passwordRequired": false})
	if r.status != 200 || r.json(t)["version"] != float64(2) {
		t.Errorf("PATCH compliance policy: %d %s", r.status, r.body)
	}
	if r := c.do("GET", cp+"/nope", nil); r.status != 404 || r.errorCode(t) != "ResourceNotFound" {
		t.Errorf("missing policy: %d %s", r.status, r.body)
	}
}

func TestConfigPermissions(t *testing.T) {
	var roles []string
	for _, r := range AllRoles() {
		if !strings.HasPrefix(r, "Policy.") && !strings.HasPrefix(r, "DeviceManagement") {
			roles = append(roles, r)
		}
	}
	roles = append(roles, "Policy.Read.All")
	_, c := startConfig(t, roles...)
	c.get("/identity/conditionalAccess/policies") // read works
	if r := c.do("POST", "/identity/conditionalAccess/namedLocations", namedLocation("x")); r.status != 403 || r.errorCode(t) != "Authorization_RequestDenied" {
		t.Errorf("write with Policy.Read.All: %d %s", r.status, r.body)
	}
	if r := c.do("GET", "/deviceManagement/deviceCompliancePolicies", nil); r.status != 403 || r.errorCode(t) != "Forbidden" {
		t.Errorf("Intune without permission: %d %s", r.status, r.body)
	}
	if slices.Contains(roles, "RoleManagement.Read.Directory") {
		c.get("/roleManagement/directory/roleDefinitions")
	}
}

func TestConfigDriftControl(t *testing.T) {
	l, c := startConfig(t)
	before, _ := c.all("/identity/conditionalAccess/namedLocations")
	var res DriftResult
	if err := l.Control("POST", "config-drift", ConfigDrift{}, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 3 {
		t.Fatalf("default drift = %+v", res.Changes)
	}
	after, _ := c.all("/identity/conditionalAccess/namedLocations")
	if len(after) != len(before) {
		t.Errorf("named locations %d → %d, want one added and one deleted", len(before), len(after))
	}
	pol := c.get("/identity/conditionalAccess/policies/" + res.Changes[0].ID)
	if pol["state"] != "disabled" {
		t.Errorf("drifted policy state = %v", pol["state"])
	}
	err := l.Control("POST", "config-drift", ConfigDrift{Changes: []ConfigChange{{Op: "patch", Singleton: tenant.SingleSecurityDefaults, Props: map[string]any{"isEnabled": true}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sd := c.get("/policies/identitySecurityDefaultsEnforcementPolicy"); sd["isEnabled"] != true {
		t.Errorf("security defaults after drift = %v", sd["isEnabled"])
	}
	if err := l.Control("POST", "config-drift", ConfigDrift{Changes: []ConfigChange{{Op: "delete", Set: "nope", ID: "x"}}}, nil); err == nil {
		t.Error("bad drift accepted")
	}
}

// TestConfigSurvivesStateAndClone checks that the configuration is part
// of the tenant's saved state and of in-memory snapshots.
func TestConfigSurvivesStateAndClone(t *testing.T) {
	l, c := startConfig(t)
	if err := l.Control("POST", "snapshot", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := l.Control("POST", "config-drift", ConfigDrift{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := l.Control("POST", "restore-snapshot", nil, nil); err != nil {
		t.Fatal(err)
	}
	cas, _ := c.all("/identity/conditionalAccess/policies")
	for _, p := range cas {
		if p["state"] == "disabled" {
			t.Errorf("restored tenant still has the drift: %v", p["displayName"])
		}
	}
}

// TestConfigWriteRules: the update methods Graph documents. A named
// location's PATCH must name its @odata.type (ipnamedlocation-update); the
// admin consent request policy is updated by PUT of the whole policy
// (adminconsentrequestpolicy-update), which keeps its id and counts the
// version.
func TestConfigWriteRules(t *testing.T) {
	_, c := startConfig(t)
	const base = "/identity/conditionalAccess/namedLocations"
	id := c.do("POST", base, namedLocation("Typed")).json(t)["id"].(string)
	if r := c.do("PATCH", base+"/"+id, map[string]any{"isTrusted": true}); r.status != 400 {
		t.Errorf("PATCH without @odata.type: %d %s", r.status, r.body)
	}
	const consent = "/policies/adminConsentRequestPolicy"
	before := c.get(consent)
	if r := c.do("PUT", consent, map[string]any{"isEnabled": true}); r.status != 400 {
		t.Errorf("PUT without the required properties: %d %s", r.status, r.body)
	}
	put := map[string]any{"isEnabled": true, "notifyReviewers": true, "remindersEnabled": false, "requestDurationInDays": 30, "reviewers": []any{}}
	if r := c.do("PUT", consent, put); r.status != 204 {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	after := c.get(consent)
	if after["isEnabled"] != true || after["requestDurationInDays"] != float64(30) || after["id"] != before["id"] ||
		after["version"] != before["version"].(float64)+1 {
		t.Errorf("after PUT: %v (before %v)", after, before)
	}
}
