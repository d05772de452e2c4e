package userguard

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
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

func cloudInventory(t testing.TB, data map[string]any) *posture.Inventory {
	t.Helper()
	inv := &posture.Inventory{SchemaVersion: posture.InventorySchemaVersion, Tenant: posture.Tenant{ID: "t1"}, CollectedAt: cloudNow}
	for _, k := range slices.Sorted(maps.Keys(data)) {
		if err := inv.SetSource(k, data[k]); err != nil {
			t.Fatal(err)
		}
	}
	return inv
}

func cloudClone(t testing.TB, m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func evalCloud(t *testing.T, data map[string]any) *posture.Report {
	t.Helper()
	eng, err := NewCloudEngine(t.Context(), func() time.Time { return cloudNow })
	if err != nil {
		t.Fatal(err)
	}
	ex := &posture.Exclusions{}
	if err := json.Unmarshal([]byte(`{"rules":{"I5":{"users":["a1"]}}}`), ex); err != nil {
		t.Fatal(err)
	}
	rep, err := eng.Evaluate(t.Context(), cloudInventory(t, data), ex)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func item(f map[string]any, src string, i int) obj { return f[src].([]any)[i].(obj) }

// TestCloudRulesClean: the pack has I1–I15 and every rule passes the clean
// fixture.
func TestCloudRulesClean(t *testing.T) {
	rep := evalCloud(t, cloudClean())
	if len(rep.Results) != 15 {
		t.Fatalf("%d rules, want 15", len(rep.Results))
	}
	for i, r := range rep.Results {
		if want := "I" + strconv.Itoa(i+1); r.Rule.ID != want {
			t.Errorf("rule %d is %s, want %s", i, r.Rule.ID, want)
		}
		if r.Status != posture.StatusPass {
			t.Errorf("%s: %s: %s %s", r.Rule.ID, r.Status, r.Summary, r.Reason)
		}
	}
}

// TestCloudRulesFail: each rule fails (or warns) on its weakness, naming
// the right object, and only that rule does.
func TestCloudRulesFail(t *testing.T) {
	for _, tc := range []struct {
		rule   string
		change func(f map[string]any)
		id     string
	}{
		{"I1", func(f map[string]any) {
			r := item(f, SourceRegistration, 1)
			r["isMfaRegistered"], r["isMfaCapable"], r["methodsRegistered"] = false, false, []any{}
		}, "a2"},
		{"I2", func(f map[string]any) { item(f, SourceRegistration, 2)["isMfaCapable"] = false }, "u1"},
		{"I3", func(f map[string]any) { item(f, SourceRegistration, 1)["methodsRegistered"] = []any{"mobilePhone"} }, "a2"},
		{"I4", func(f map[string]any) {
			f[SourceRoleEligibility] = []any{}
			f[SourceRoleAssignments] = f[SourceRoleAssignments].([]any)[:1]
		}, gaRole},
		{"I5", func(f map[string]any) { f[SourceRoleEligibility] = []any{} }, "a2"},
		{"I6", func(f map[string]any) { item(f, SourceRiskyUsers, 1)["riskLevel"] = "high" }, "a2"},
		{"I7", func(f map[string]any) { item(f, SourceRiskySPs, 0)["riskState"] = "atRisk" }, "sp1"},
		{"I8", func(f map[string]any) { item(f, SourceRiskDetections, 0)["riskState"] = "atRisk" }, "d1"},
		{"I9", func(f map[string]any) {
			f[SourceSignInSummary].(obj)["users"].([]any)[0].(obj)["legacyClients"] = obj{"IMAP4": 3.0}
		}, "u1"},
		{"I10", func(f map[string]any) {
			s := f[SourceSignInSummary].(obj)
			s["byConditionalAccessStatus"].(obj)["notApplied"] = 40.0
			s["users"].([]any)[0].(obj)["conditionalAccessNotApplied"] = 40.0
		}, "u1"},
		{"I11", func(f map[string]any) {
			item(f, SourceUsers, 3)["signInActivity"].(obj)["lastSuccessfulSignInDateTime"] = "2025-01-01T00:00:00Z"
		}, "g1"},
		{"I12", func(f map[string]any) {
			item(f, SourceSecureScores, 0)["controlScores"].([]any)[0].(obj)["score"] = 6.0
		}, "AdminMFAV2"},
		{"I13", func(f map[string]any) { item(f, SourceIdentityAlerts, 0)["status"] = "new" }, "al1"},
		{"I14", func(f map[string]any) { item(f, SourceSensors, 0)["deploymentStatus"] = "disconnected" }, "se1"},
		{"I15", func(f map[string]any) { item(f, SourceRoleAudits, 0)["activityDateTime"] = "2025-05-30T00:00:00Z" }, "ad1"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			f := cloudClone(t, cloudClean())
			tc.change(f)
			rep := evalCloud(t, f)
			for _, r := range rep.Results {
				failed := r.Status == posture.StatusFail || r.Status == posture.StatusWarning
				if r.Rule.ID == tc.rule {
					if !failed || len(r.Evidence) != 1 || r.Evidence[0].ID != tc.id {
						t.Errorf("%s: %s %q evidence %+v, want a failure naming %s", r.Rule.ID, r.Status, r.Summary, r.Evidence, tc.id)
					}
				} else if r.Status != posture.StatusPass {
					t.Errorf("%s also %s: %s", r.Rule.ID, r.Status, r.Summary)
				}
			}
		})
	}
}

// TestCloudRulesMissingSource: a source that was not collected makes its
// rules report error, not pass.
func TestCloudRulesMissingSource(t *testing.T) {
	f := cloudClone(t, cloudClean())
	delete(f, SourceRiskyUsers)
	for _, r := range evalCloud(t, f).Results {
		if (r.Rule.ID == "I6") != (r.Status == posture.StatusError) {
			t.Errorf("%s: %s", r.Rule.ID, r.Status)
		}
	}
}
