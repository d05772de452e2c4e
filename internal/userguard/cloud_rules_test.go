package userguard

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/posture/posturetest"
)

var cloudNow = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

type obj = map[string]any

const gaRole = "62e90394-69f5-4237-9190-012177145e10"

// cloudClean is an identity inventory every rule I1–I15 passes: two
// Global Administrators (one standing, excluded as emergency access, one
// through PIM) with FIDO2, an MFA-capable member, a guest, no risk, modern
// sign-ins under Conditional Access, healthy sensors, full Secure Score.
func cloudClean() map[string]any {
	reg := func(id, upn string, admin bool, methods ...any) obj {
		return obj{"id": id, "userPrincipalName": upn, "userType": "member", "isAdmin": admin, "isMfaRegistered": len(methods) > 0,
			"isMfaCapable": len(methods) > 0, "methodsRegistered": methods}
	}
	user := func(id, upn, last string) obj {
		return obj{"id": id, "userPrincipalName": upn, "accountEnabled": true, "userType": "Member", "createdDateTime": "2024-01-01T00:00:00Z",
			"signInActivity": obj{"lastSuccessfulSignInDateTime": last}}
	}
	return obj{
		SourceRegistration: []any{reg("a1", "admin1@c.test", true, "fido2", "microsoftAuthenticatorPush"),
			reg("a2", "admin2@c.test", true, "windowsHelloForBusiness"), reg("u1", "user1@c.test", false, "microsoftAuthenticatorPush"),
			obj{"id": "g1", "userPrincipalName": "guest#EXT#@c.test", "userType": "guest", "isAdmin": false, "isMfaCapable": false, "methodsRegistered": []any{}}},
		SourceUsers: []any{user("a1", "admin1@c.test", "2025-06-01T08:00:00Z"), user("a2", "admin2@c.test", "2025-05-30T08:00:00Z"),
			user("u1", "user1@c.test", "2025-05-01T08:00:00Z"), user("g1", "guest#EXT#@c.test", "2025-04-01T08:00:00Z"),
			obj{"id": "x1", "userPrincipalName": "left@c.test", "accountEnabled": false, "signInActivity": obj{"lastSuccessfulSignInDateTime": "2023-01-01T00:00:00Z"}}},
		SourceRoleAssignments: []any{obj{"id": "ra1", "principalId": "a1", "roleDefinitionId": gaRole, "directoryScopeId": "/"},
			obj{"id": "ra2", "principalId": "a2", "roleDefinitionId": gaRole, "directoryScopeId": "/"}},
		SourceRoleEligibility: []any{obj{"id": "re1", "principalId": "a2", "roleDefinitionId": gaRole, "directoryScopeId": "/"}},
		SourceRiskyUsers: []any{obj{"id": "u1", "userPrincipalName": "user1@c.test", "riskLevel": "none", "riskState": "remediated"},
			obj{"id": "a2", "userPrincipalName": "admin2@c.test", "riskLevel": "medium", "riskState": "atRisk"}},
		SourceRiskySPs: []any{obj{"id": "sp1", "displayName": "App", "riskLevel": "none", "riskState": "dismissed"}},
		SourceRiskDetections: []any{
			obj{"id": "d1", "riskEventType": "leakedCredentials", "riskState": "remediated", "detectedDateTime": "2025-06-01T00:00:00Z", "userPrincipalName": "user1@c.test"},
			obj{"id": "d2", "riskEventType": "passwordSpray", "riskState": "atRisk", "detectedDateTime": "2025-05-01T00:00:00Z", "userPrincipalName": "user1@c.test"},
			obj{"id": "d3", "riskEventType": "unlikelyTravel", "riskState": "atRisk", "detectedDateTime": "2025-06-01T00:00:00Z", "userPrincipalName": "user1@c.test"}},
		SourceSignInSummary: obj{"windowDays": 7, "total": 100, "byClientApp": obj{"Browser": 100},
			"byConditionalAccessStatus": obj{"success": 96, "notApplied": 4},
			"users":                     []any{obj{"userId": "u1", "userPrincipalName": "user1@c.test", "conditionalAccessNotApplied": 4, "lastDateTime": "2025-06-01T00:00:00Z"}}},
		SourceRoleAudits: []any{obj{"id": "ad1", "category": "RoleManagement", "activityDisplayName": "Add member to role", "result": "success",
			"activityDateTime": "2025-03-01T00:00:00Z", "targetResources": []any{obj{"id": "a1", "userPrincipalName": "admin1@c.test"}}},
			obj{"id": "ad2", "category": "RoleManagement", "activityDisplayName": "Remove member from role", "result": "success", "activityDateTime": "2025-06-01T00:00:00Z"}},
		SourceSecureScores: []any{obj{"id": "s1", "controlScores": []any{obj{"controlName": "AdminMFAV2", "controlCategory": "Identity", "score": 10.0},
			obj{"controlName": "scid_1", "controlCategory": "Device", "score": 1.0}}}},
		SourceControlProfiles: []any{obj{"id": "AdminMFAV2", "title": "Admin MFA", "maxScore": 10.0}, obj{"id": "scid_1", "title": "Device thing", "maxScore": 9.0}},
		SourceIdentityAlerts:  []any{obj{"id": "al1", "title": "Old", "status": "resolved", "severity": "high", "serviceSource": "microsoftDefenderForIdentity"}},
		SourceSensors:         []any{obj{"id": "se1", "displayName": "DC01", "healthStatus": "healthy", "deploymentStatus": "upToDate"}},
		SourceHealthIssues:    []any{obj{"id": "h1", "displayName": "Old issue", "status": "closed"}},
	}
}

// cloudEngine compiles the identity pack once per test binary.
var cloudEngine = posturetest.Engine(func(ctx context.Context) (*posture.Engine, error) {
	return NewCloudEngine(ctx, func() time.Time { return cloudNow })
})

func evalCloud(tb testing.TB, data map[string]any) *posture.Report {
	tb.Helper()
	ex := &posture.Exclusions{}
	if err := json.Unmarshal([]byte(`{"rules":{"I5":{"users":["a1"]}}}`), ex); err != nil {
		tb.Fatal(err)
	}
	rep, err := cloudEngine(tb).Evaluate(tb.Context(), posturetest.Inventory(tb, cloudNow, data), ex)
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

func item(f map[string]any, src string, i int) obj { return f[src].([]any)[i].(obj) }

// TestCloudRulesClean: the pack has I1–I15 and every rule passes the clean
// fixture.
func TestCloudRulesClean(t *testing.T) {
	rep := evalCloud(t, cloudClean())
	posturetest.CheckRules(t, rep, posturetest.Numbered("I", 15))
	posturetest.CheckAllPass(t, rep)
}

// TestCloudRulesFail: each rule fails (or warns) on its weakness, naming
// the right object, and only that rule does.
func TestCloudRulesFail(t *testing.T) {
	posturetest.RunWeaknesses(t, cloudClean, evalCloud, []posturetest.Weakness{
		{Rule: "I1", Change: func(f map[string]any) {
			r := item(f, SourceRegistration, 1)
			r["isMfaRegistered"], r["isMfaCapable"], r["methodsRegistered"] = false, false, []any{}
		}, ID: "a2"},
		{Rule: "I2", Change: func(f map[string]any) { item(f, SourceRegistration, 2)["isMfaCapable"] = false }, ID: "u1"},
		{Rule: "I3", Change: func(f map[string]any) { item(f, SourceRegistration, 1)["methodsRegistered"] = []any{"mobilePhone"} }, ID: "a2"},
		{Rule: "I4", Change: func(f map[string]any) {
			f[SourceRoleEligibility] = []any{}
			f[SourceRoleAssignments] = f[SourceRoleAssignments].([]any)[:1]
		}, ID: gaRole},
		{Rule: "I5", Change: func(f map[string]any) { f[SourceRoleEligibility] = []any{} }, ID: "a2"},
		{Rule: "I6", Change: func(f map[string]any) { item(f, SourceRiskyUsers, 1)["riskLevel"] = "high" }, ID: "a2"},
		{Rule: "I7", Change: func(f map[string]any) { item(f, SourceRiskySPs, 0)["riskState"] = "atRisk" }, ID: "sp1"},
		{Rule: "I8", Change: func(f map[string]any) { item(f, SourceRiskDetections, 0)["riskState"] = "atRisk" }, ID: "d1"},
		{Rule: "I9", Change: func(f map[string]any) {
			f[SourceSignInSummary].(obj)["users"].([]any)[0].(obj)["legacyClients"] = obj{"IMAP4": 3.0}
		}, ID: "u1"},
		{Rule: "I10", Change: func(f map[string]any) {
			s := f[SourceSignInSummary].(obj)
			s["byConditionalAccessStatus"].(obj)["notApplied"] = 40.0
			s["users"].([]any)[0].(obj)["conditionalAccessNotApplied"] = 40.0
		}, ID: "u1"},
		{Rule: "I11", Change: func(f map[string]any) {
			item(f, SourceUsers, 3)["signInActivity"].(obj)["lastSuccessfulSignInDateTime"] = "2025-01-01T00:00:00Z"
		}, ID: "g1"},
		{Rule: "I12", Change: func(f map[string]any) {
			item(f, SourceSecureScores, 0)["controlScores"].([]any)[0].(obj)["score"] = 6.0
		}, ID: "AdminMFAV2"},
		{Rule: "I13", Change: func(f map[string]any) { item(f, SourceIdentityAlerts, 0)["status"] = "new" }, ID: "al1"},
		{Rule: "I14", Change: func(f map[string]any) { item(f, SourceSensors, 0)["deploymentStatus"] = "disconnected" }, ID: "se1"},
		{Rule: "I15", Change: func(f map[string]any) { item(f, SourceRoleAudits, 0)["activityDateTime"] = "2025-05-30T00:00:00Z" }, ID: "ad1"},
	})
}

// TestCloudRulesMissingSource: a source that was not collected makes its
// rules report error, not pass.
func TestCloudRulesMissingSource(t *testing.T) {
	f := posturetest.Clone(t, cloudClean())
	delete(f, SourceRiskyUsers)
	for _, r := range evalCloud(t, f).Results {
		if (r.Rule.ID == "I6") != (r.Status == posture.StatusError) {
			t.Errorf("%s: %s", r.Rule.ID, r.Status)
		}
	}
}
