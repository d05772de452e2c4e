package posture_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/posture/posturetest"
)

// Roles the CIS cases name beyond helpers_test.go.
const (
	rolePrivilegedRole = "e8611ab8-c189-46e8-94e1-60213ab1f814"
	roleSecurityAdmin  = "194ae4cb-b126-40b2-bd5b-6091b380977d"
)

// cis is the cis_m365 pack alone with its fixture, testdata/cis/compliant.json:
// the SCuBA fixture with what the CIS rules ask beyond SCuBA: tenant
// creation restricted, an admin session policy (ca-admin-session) covering
// the fifteen CIS admin roles, an Intune enrollment policy
// (ca-intune-enroll), medium sign-in risk blocked, and approval for
// Privileged Role Administrator. With testdata/cis/exclusions.yaml every
// CIS rule passes.
var cis = fixturePack{
	engine: posturetest.Engine(func(ctx context.Context) (*posture.Engine, error) {
		return posture.New(ctx, posture.Options{Packs: []string{"cis_m365"}, Now: func() time.Time { return fixedNow }})
	}),
	compliant:  "testdata/cis/compliant.json",
	exclusions: "testdata/cis/exclusions.yaml",
}

// adminSession edits the CIS fixture's admin session policy.
const adminSession = ca + "[id=ca-admin-session]"

// allUsersOff turns off the fixture's policies that require MFA of all
// users, leaving the admin policies to the rule, then applies more.
func allUsersOff(more ...edit) []edit {
	return append([]edit{{ca + "[id=ca-mfa-all].state", "disabled"}, {ca + "[id=ca-pr-all].state", "disabled"}}, more...)
}

// cisCases: every CIS rule has at least one passing and one failing case;
// each starts from the CIS fixture.
var cisCases = []ruleCase{
	// 1.1.3 Global Administrator count 2 to 4
	{"CIS.1.1.3", "two", nil, false, posture.StatusPass, "2 user(s)"},
	{"CIS.1.1.3", "one", []edit{{"data.roleAssignments[id=ra2]", del}}, false, posture.StatusFail, "1 user(s)"},
	{"CIS.1.1.3", "four with an eligible one and a group", []edit{
		{"data.roleEligibilityScheduleInstances[id=el1].roleDefinitionId", roleGlobal},
		{"data.roleAssignments[id=ra5].roleDefinitionId", roleGlobal}}, false, posture.StatusPass, "4 user(s)"},
	{"CIS.1.1.3", "five: SCuBA's 2-8 passes, CIS fails", []edit{
		{"data.roleEligibilityScheduleInstances[id=el1].roleDefinitionId", roleGlobal},
		{"data.roleAssignments[id=ra5].roleDefinitionId", roleGlobal},
		{"data.roleAssignments[id=ra3].roleDefinitionId", roleGlobal}}, false, posture.StatusFail, "ed@contoso.test"},
	{"CIS.1.1.3", "a user counted once", []edit{{"data.roleAssignments[id=ra3].roleDefinitionId", roleGlobal},
		{"data.roleAssignments[id=ra3].principalId", userAdele}}, false, posture.StatusPass, "2 user(s)"},
	{"CIS.1.1.3", "eligible not collected with P2", []edit{sourceError("roleEligibilityScheduleInstances")}, false, posture.StatusError, "roleEligibilityScheduleInstances"},
	{"CIS.1.1.3", "eligible not collected without P2", []edit{sourceError("roleEligibilityScheduleInstances"), {"data.subscribedSkus", skusE3}}, false, posture.StatusPass, ""},

	// 5.1.2.3 tenant creation
	{"CIS.5.1.2.3", "restricted", nil, false, posture.StatusPass, ""},
	{"CIS.5.1.2.3", "allowed", []edit{{"data.authorizationPolicy.defaultUserRolePermissions.allowedToCreateTenants", true}}, false, posture.StatusFail, "allowedToCreateTenants is true"},
	{"CIS.5.1.2.3", "beta collection shape", []edit{{"data.authorizationPolicy", []any{map[string]any{"id": "authorizationPolicy",
		"defaultUserRolePermissions": map[string]any{"allowedToCreateTenants": true}}}}}, false, posture.StatusFail, "allowedToCreateTenants"},
	{"CIS.5.1.2.3", "property not collected", []edit{{"data.authorizationPolicy.defaultUserRolePermissions.allowedToCreateTenants", del}}, false, posture.StatusError, "lacks"},

	// 5.2.2.1 MFA for admins
	{"CIS.5.2.2.1", "compliant", nil, false, posture.StatusPass, "ca-mfa-all"},
	{"CIS.5.2.2.1", "admin policy alone", allUsersOff(), false, posture.StatusPass, "ca-admin-session"},
	{"CIS.5.2.2.1", "SCuBA's eight roles are not enough", allUsersOff(edit{adminSession + ".state", "disabled"}),
		false, posture.StatusFail, "does not include role Security Administrator"},
	{"CIS.5.2.2.1", "break-glass exclusion not allowed", nil, noExclusions, posture.StatusFail, "excludes user " + userBreakGlass},
	{"CIS.5.2.2.1", "report-only", allUsersOff(edit{adminSession + ".state", "enabledForReportingButNotEnforced"},
		edit{ca + "[id=ca-pr-admins].state", "disabled"}), false, posture.StatusFail, "report-only"},
	{"CIS.5.2.2.1", "MFA or compliant device", allUsersOff(edit{adminSession + ".grantControls.builtInControls", []any{"mfa", "compliantDevice"}},
		edit{ca + "[id=ca-pr-admins].state", "disabled"}), false, posture.StatusFail, "4 policy(ies) come close"},
	{"CIS.5.2.2.1", "MFA and compliant device", allUsersOff(edit{adminSession + ".grantControls.builtInControls", []any{"mfa", "compliantDevice"}},
		edit{adminSession + ".grantControls.operator", "AND"}), false, posture.StatusPass, "ca-admin-session"},
	{"CIS.5.2.2.1", "MFA strength", allUsersOff(edit{adminSession + ".grantControls.builtInControls", []any{}},
		edit{adminSession + ".grantControls.authenticationStrength", map[string]any{"id": "00000000-0000-0000-0000-000000000002"}}), false, posture.StatusPass, "ca-admin-session"},
	{"CIS.5.2.2.1", "trusted locations skipped", allUsersOff(edit{adminSession + ".conditions.locations",
		map[string]any{"includeLocations": []any{"All"}, "excludeLocations": []any{"AllTrusted"}}}), false, posture.StatusFail, "network locations"},
	{"CIS.5.2.2.1", "no policies", []edit{{"data.conditionalAccessPolicies", []any{}}}, false, posture.StatusFail, "no conditional access policy"},

	// 5.2.2.4 admin sessions
	{"CIS.5.2.2.4", "compliant", nil, false, posture.StatusPass, "ca-admin-session"},
	{"CIS.5.2.2.4", "every time", []edit{{adminSession + ".sessionControls.signInFrequency", map[string]any{"isEnabled": true, "frequencyInterval": "everyTime", "authenticationType": "primaryAndSecondaryAuthentication"}}}, false, posture.StatusPass, "ca-admin-session"},
	{"CIS.5.2.2.4", "eight hours", []edit{{adminSession + ".sessionControls.signInFrequency.value", 8}}, false, posture.StatusFail, "8 hours, more than 4 hours"},
	{"CIS.5.2.2.4", "one day", []edit{{adminSession + ".sessionControls.signInFrequency.value", 1}, {adminSession + ".sessionControls.signInFrequency.type", "days"}}, false, posture.StatusFail, "1 days"},
	{"CIS.5.2.2.4", "persistent browser", []edit{{adminSession + ".sessionControls.persistentBrowser.mode", "always"}}, false, posture.StatusFail, "persistent browser session is always"},
	{"CIS.5.2.2.4", "only a group", []edit{{adminSession + ".conditions.users.includeRoles", []any{}},
		{adminSession + ".conditions.users.includeGroups", []any{groupSPAdmins}}}, false, posture.StatusFail, "does not include role Global Administrator"},
	{"CIS.5.2.2.4", "no session controls", []edit{{adminSession + ".sessionControls", nil}}, false, posture.StatusFail, "persistent browser session is not set"},
	{"CIS.5.2.2.4", "break-glass exclusion not allowed", nil, noExclusions, posture.StatusFail, "excludes user"},

	// 5.2.2.11 Intune enrollment sign-in frequency
	{"CIS.5.2.2.11", "compliant", nil, false, posture.StatusPass, "ca-intune-enroll"},
	{"CIS.5.2.2.11", "all resources count", []edit{{ca + "[id=ca-intune-enroll].conditions.applications.includeApplications", []any{"All"}}}, false, posture.StatusPass, "ca-intune-enroll"},
	{"CIS.5.2.2.11", "every hour", []edit{{ca + "[id=ca-intune-enroll].sessionControls.signInFrequency", map[string]any{
		"isEnabled": true, "value": 1, "type": "hours", "frequencyInterval": "timeBased"}}}, false, posture.StatusFail, "1 hours, not every time"},
	{"CIS.5.2.2.11", "only some users", []edit{{ca + "[id=ca-intune-enroll].conditions.users.includeUsers", []any{userAdele}}}, false, posture.StatusFail, "does not include all users"},
	{"CIS.5.2.2.11", "other app", []edit{{ca + "[id=ca-intune-enroll].conditions.applications.includeApplications", []any{"00000003-0000-0ff1-ce00-000000000000"}}}, false, posture.StatusFail, "4 hours, not every time"},
	{"CIS.5.2.2.11", "break-glass exclusion not allowed", nil, noExclusions, posture.StatusFail, "excludes user"},
	{"CIS.5.2.2.11", "no intune", []edit{{"data.subscribedSkus", skusE3}}, false, posture.StatusNA, "INTUNE_A"},

	// 5.2.2.8 block medium and high sign-in risk (Level 2: warning)
	{"CIS.5.2.2.8", "compliant", nil, false, posture.StatusPass, "ca-signinrisk"},
	{"CIS.5.2.2.8", "high only", []edit{{ca + "[id=ca-signinrisk].conditions.signInRiskLevels", []any{"high"}}}, false, posture.StatusWarning, "does not cover sign-in risk medium"},
	{"CIS.5.2.2.8", "also needs user risk", []edit{{ca + "[id=ca-signinrisk].conditions.userRiskLevels", []any{"high"}}}, false, posture.StatusWarning, "applies only at user risk high"},
	{"CIS.5.2.2.8", "comma-separated levels", []edit{{ca + "[id=ca-signinrisk].conditions.signInRiskLevels", "medium,high"}}, false, posture.StatusPass, "ca-signinrisk"},
	{"CIS.5.2.2.8", "not licensed", []edit{{"data.subscribedSkus", skusE3}}, false, posture.StatusNA, "AAD_PREMIUM_P2"},

	// 5.3.5 approval for Privileged Role Administrator
	{"CIS.5.3.5", "compliant", nil, false, posture.StatusPass, ""},
	{"CIS.5.3.5", "no approval", []edit{{"data.roleManagementPolicyAssignments[roleDefinitionId=" + rolePrivilegedRole + "].policy.rules[id=Approval_EndUser_Assignment].setting.isApprovalRequired", false}}, false, posture.StatusFail, rolePrivilegedRole},
	{"CIS.5.3.5", "no policy for the role", []edit{{"data.roleManagementPolicyAssignments[roleDefinitionId=" + rolePrivilegedRole + "]", del}}, false, posture.StatusFail, "Privileged Role Administrator"},
	{"CIS.5.3.5", "policy not collected", []edit{{"data.roleManagementPolicyAssignments[roleDefinitionId=" + rolePrivilegedRole + "].policy", del}}, false, posture.StatusError, "roleManagementPolicies"},
	{"CIS.5.3.5", "policies as their own source", []edit{
		{"data.roleManagementPolicyAssignments[roleDefinitionId=" + rolePrivilegedRole + "].policy", del},
		{"data.roleManagementPolicies", []any{map[string]any{"id": "pol-" + rolePrivilegedRole, "rules": []any{
			map[string]any{"id": "Approval_EndUser_Assignment", "setting": map[string]any{"isApprovalRequired": true}}}}}},
		{"sources.roleManagementPolicies", map[string]any{"status": "ok"}}}, false, posture.StatusPass, ""},
	{"CIS.5.3.5", "not licensed", []edit{{"data.subscribedSkus", skusE3}}, false, posture.StatusNA, "AAD_PREMIUM_P2"},
}

// TestCISRules runs cisCases against the CIS fixture.
func TestCISRules(t *testing.T) { cis.runCases(t, cisCases) }

// TestCISRuleCoverage: every CIS rule has a passing and a failing case, and
// its metadata follows the pack's conventions.
func TestCISRuleCoverage(t *testing.T) {
	rules := cis.checkCoverage(t, cisCases)
	if len(rules) == 0 {
		t.Fatal("no cis_m365 rules")
	}
	for _, r := range rules {
		if r.Manual != "" {
			t.Errorf("%s: manual, but every CIS rule needs a passing case", r.ID)
		}
		num, ok := strings.CutPrefix(r.ID, "CIS.")
		if !ok || len(r.Frameworks["cis_m365"]) != 1 || r.Frameworks["cis_m365"][0] != num {
			t.Errorf("%s: want id CIS.<n> and frameworks.cis_m365 [<n>], got %v", r.ID, r.Frameworks)
		}
		if r.Pack != "cis_m365" || len(r.References) == 0 {
			t.Errorf("%s: pack %q, %d references", r.ID, r.Pack, len(r.References))
		}
	}
}

// TestCISCompliantFixture checks the fixture is what the cases assume.
func TestCISCompliantFixture(t *testing.T) {
	posturetest.CheckAllPass(t, cis.evaluate(t, cis.doc(t), cis.loadExclusions(t)))
}

// TestCISSourceErrors: a required source that failed or is missing makes
// the rule report error naming it.
func TestCISSourceErrors(t *testing.T) { cis.checkSourceErrors(t) }

// TestCISLicenceGating: a gated rule is na without its plan and error when
// the licences are unknown.
func TestCISLicenceGating(t *testing.T) { cis.checkLicenceGating(t) }

// TestCISWithSCuBA: both packs load together (distinct packages and ids),
// and a rule id of one pack in the exclusions file of the other is still
// checked against the loaded rules.
func TestCISWithSCuBA(t *testing.T) {
	eng, err := posture.New(context.Background(), posture.Options{Packs: []string{"scuba_aad", "cis_m365"}})
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, r := range eng.Rules() {
		n[r.Pack]++
	}
	if n["scuba_aad"] != 34 || n["cis_m365"] != len(cis.engine(t).Rules()) || len(n) != 2 {
		t.Errorf("rules per pack: %v", n)
	}
	rep, err := eng.Evaluate(context.Background(), toInventory(t, cis.doc(t)), cis.loadExclusions(t))
	if err != nil {
		t.Fatal(err)
	}
	if res := result(t, rep, "CIS.1.1.3"); res.Status != posture.StatusPass {
		t.Errorf("CIS.1.1.3 with both packs: %s", res.Status)
	}
	if _, err := cis.engine(t).Evaluate(context.Background(), toInventory(t, cis.doc(t)), fixtureExclusions(t)); err == nil {
		t.Error("SCuBA exclusions accepted by an engine without the SCuBA rules")
	}
}
