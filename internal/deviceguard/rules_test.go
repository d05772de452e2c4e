package deviceguard

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
)

var fixtureNow = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

type obj = map[string]any

// cleanFixture is a devices inventory every rule passes: a healthy
// Windows laptop onboarded to Defender, a compliant iPhone, a resolved
// alert and Device controls at their maximum.
func cleanFixture() map[string]any {
	win := obj{
		"id": "dev-win", "deviceName": "LT-ADELE-01", "operatingSystem": "Windows", "osVersion": "10.0.22631.4460",
		"managedDeviceOwnerType": "company", "lastSyncDateTime": "2025-06-01T09:00:00Z", "complianceState": "compliant",
		"jailBroken": "False", "isEncrypted": true, "azureADDeviceId": "aad-win", "userPrincipalName": "adele@contoso.test",
		"partnerReportedThreatState": "unknown", "androidSecurityPatchLevel": "",
		"deviceHealthAttestationState": obj{"bitLockerStatus": "Enabled", "secureBoot": "Enabled", "codeIntegrity": "Enabled",
			"bootDebugging": "Disabled", "testSigning": "Disabled", "tpmVersion": "2.0"},
		"windowsProtectionState": obj{"malwareProtectionEnabled": true, "realTimeProtectionEnabled": true,
			"signatureUpdateOverdue": false, "quickScanOverdue": false, "fullScanOverdue": false,
			"tamperProtectionEnabled": true, "deviceState": "clean", "signatureVersion": "1.421.1530.0"},
		"deviceCompliancePolicyStates": []any{obj{"id": "pol-win", "state": "compliant", "settingStates": []any{}}},
		"detectedApps":                 []any{obj{"displayName": "Microsoft Edge", "version": "131.0"}},
	}
	ios := obj{
		"id": "dev-ios", "deviceName": "Adele's iPhone", "operatingSystem": "iOS", "osVersion": "18.1.1",
		"managedDeviceOwnerType": "company", "lastSyncDateTime": "2025-06-02T07:00:00Z", "complianceState": "compliant",
		"jailBroken": "False", "isEncrypted": true, "azureADDeviceId": "aad-ios", "userPrincipalName": "adele@contoso.test",
		"partnerReportedThreatState": "unknown", "deviceHealthAttestationState": nil, "windowsProtectionState": nil,
		"deviceCompliancePolicyStates": []any{obj{"id": "pol-ios", "state": "compliant", "settingStates": []any{}}},
		"detectedApps":                 []any{obj{"displayName": "Microsoft Outlook", "version": "4.2446.0"}},
	}
	return obj{
		"managedDevices":   []any{win, ios},
		"defenderMachines": []any{obj{"id": "m1", "computerDnsName": "lt-adele-01.contoso.test", "aadDeviceId": "aad-win", "healthStatus": "Active", "onboardingStatus": "Onboarded", "riskScore": "None", "exposureLevel": "Low"}},
		"deviceAlerts": []any{obj{"id": "da1", "title": "Old alert", "status": "resolved", "severity": "low", "serviceSource": "microsoftDefenderForEndpoint",
			"evidence": []any{obj{"@odata.type": "#microsoft.graph.security.deviceEvidence", "mdeDeviceId": "m1", "deviceDnsName": "lt-adele-01.contoso.test"}}}},
		"secureScores": []any{obj{"id": "s1", "controlScores": []any{
			obj{"controlName": "scid_2010", "controlCategory": "Device", "score": 9.0},
			obj{"controlName": "AdminMFAV2", "controlCategory": "Identity", "score": 1.0}}}},
		"secureScoreControlProfiles": []any{obj{"id": "scid_2010", "title": "Turn on real-time protection", "maxScore": 9.0},
			obj{"id": "AdminMFAV2", "title": "Admin MFA", "maxScore": 10.0}},
	}
}

func inventory(t testing.TB, data map[string]any) *posture.Inventory {
	t.Helper()
	inv := &posture.Inventory{SchemaVersion: posture.InventorySchemaVersion, Tenant: posture.Tenant{ID: "t1"}, CollectedAt: fixtureNow}
	for _, k := range slices.Sorted(maps.Keys(data)) {
		if err := inv.SetSource(k, data[k]); err != nil {
			t.Fatal(err)
		}
	}
	return inv
}

// clone deep-copies a fixture through JSON, so a case can change it.
func clone(t testing.TB, m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func dev(f map[string]any, i int) obj      { return f["managedDevices"].([]any)[i].(obj) }
func prot(f map[string]any) obj            { return dev(f, 0)["windowsProtectionState"].(obj) }
func machine(f map[string]any) obj         { return f["defenderMachines"].([]any)[0].(obj) }
func set(m obj, k string, v any) func(obj) { return func(obj) { m[k] = v } }

func evaluate(t *testing.T, data map[string]any) *posture.Report {
	t.Helper()
	eng, err := NewEngine(t.Context(), func() time.Time { return fixtureNow })
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Scan(t.Context(), eng, inventory(t, data))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func resultOf(rep *posture.Report, id string) posture.Result {
	for _, r := range rep.Results {
		if r.Rule.ID == id {
			return r
		}
	}
	return posture.Result{}
}

// TestRulesClean: every rule passes the clean fixture, and the pack has
// the seventeen rules D1–D17.
func TestRulesClean(t *testing.T) {
	rep := evaluate(t, cleanFixture())
	if len(rep.Results) != 17 {
		t.Fatalf("%d rules, want 17", len(rep.Results))
	}
	for i, r := range rep.Results {
		if want := "D" + itoa(i+1); r.Rule.ID != want {
			t.Errorf("rule %d is %s, want %s", i, r.Rule.ID, want)
		}
		if r.Status != posture.StatusPass {
			t.Errorf("%s: %s: %s %s", r.Rule.ID, r.Status, r.Summary, r.Reason)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestRulesFail: each rule fails (or warns, for SHOULD rules) on a
// fixture with its weakness, naming the right object, and only that rule
// does.
func TestRulesFail(t *testing.T) {
	for _, tc := range []struct {
		rule   string
		change func(f map[string]any)
		id     string // evidence id
	}{
		{"D1", func(f map[string]any) {
			d := dev(f, 1)
			d["complianceState"] = "noncompliant"
			d["deviceCompliancePolicyStates"] = []any{obj{"state": "nonCompliant", "settingStates": []any{obj{"settingName": "PasscodeRequired", "state": "nonCompliant"}}}}
		}, "dev-ios"},
		{"D2", func(f map[string]any) { dev(f, 1)["deviceCompliancePolicyStates"] = []any{obj{"state": "notAssigned"}} }, "dev-ios"},
		{"D3", func(f map[string]any) { dev(f, 1)["isEncrypted"] = false }, "dev-ios"},
		{"D4", func(f map[string]any) { dev(f, 1)["jailBroken"] = "True" }, "dev-ios"},
		{"D5", func(f map[string]any) { dev(f, 1)["lastSyncDateTime"] = "2025-04-01T00:00:00Z" }, "dev-ios"},
		{"D6", func(f map[string]any) { dev(f, 0)["osVersion"] = "10.0.19044.5011" }, "dev-win"},
		{"D7", func(f map[string]any) { prot(f)["realTimeProtectionEnabled"] = false }, "dev-win"},
		{"D8", func(f map[string]any) { prot(f)["signatureUpdateOverdue"] = true }, "dev-win"},
		{"D9", func(f map[string]any) { prot(f)["tamperProtectionEnabled"] = false }, "dev-win"},
		{"D10", func(f map[string]any) { prot(f)["deviceState"] = "fullScanPending" }, "dev-win"},
		{"D11", func(f map[string]any) { dev(f, 0)["deviceHealthAttestationState"].(obj)["secureBoot"] = "Disabled" }, "dev-win"},
		{"D12", func(f map[string]any) { machine(f)["healthStatus"] = "Inactive" }, "dev-win"},
		{"D13", func(f map[string]any) { machine(f)["riskScore"] = "High" }, "m1"},
		{"D14", func(f map[string]any) { f["deviceAlerts"].([]any)[0].(obj)["status"] = "new" }, "da1"},
		{"D15", func(f map[string]any) { dev(f, 1)["managedDeviceOwnerType"] = "personal" }, "dev-ios"},
		{"D16", func(f map[string]any) {
			dev(f, 0)["detectedApps"] = append(dev(f, 0)["detectedApps"].([]any), obj{"displayName": "AnyDesk", "version": "8.0"})
		}, "dev-win"},
		{"D17", func(f map[string]any) {
			f["secureScores"].([]any)[0].(obj)["controlScores"].([]any)[0].(obj)["score"] = 4.0
		}, "scid_2010"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			f := clone(t, cleanFixture())
			tc.change(f)
			rep := evaluate(t, f)
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

// TestRulesNotOnboarded: a Windows device without a Defender machine fails
// D12; without the MDE source, D12 and D13 report error, not pass.
func TestRulesNotOnboarded(t *testing.T) {
	f := clone(t, cleanFixture())
	f["defenderMachines"] = []any{}
	if r := resultOf(evaluate(t, f), "D12"); r.Status != posture.StatusFail || r.Evidence[0].Detail != "not onboarded to Defender for Endpoint" {
		t.Errorf("D12 without a machine: %s %+v", r.Status, r.Evidence)
	}
	delete(f, "defenderMachines")
	rep := evaluate(t, f)
	for _, id := range []string{"D12", "D13"} {
		if r := resultOf(rep, id); r.Status != posture.StatusError {
			t.Errorf("%s without defenderMachines: %s", id, r.Status)
		}
	}
}
