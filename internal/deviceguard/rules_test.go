package deviceguard

import (
	"context"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/posture/posturetest"
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

func dev(f map[string]any, i int) obj      { return f["managedDevices"].([]any)[i].(obj) }
func prot(f map[string]any) obj            { return dev(f, 0)["windowsProtectionState"].(obj) }
func machine(f map[string]any) obj         { return f["defenderMachines"].([]any)[0].(obj) }
func set(m obj, k string, v any) func(obj) { return func(obj) { m[k] = v } }

// testEngine compiles the device pack once per test binary.
var testEngine = posturetest.Engine(func(ctx context.Context) (*posture.Engine, error) {
	return NewEngine(ctx, func() time.Time { return fixtureNow })
})

func evaluate(tb testing.TB, data map[string]any) *posture.Report {
	tb.Helper()
	rep, err := Scan(tb.Context(), testEngine(tb), posturetest.Inventory(tb, fixtureNow, data))
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// TestRulesClean: every rule passes the clean fixture, and the pack has
// the seventeen rules D1–D17.
func TestRulesClean(t *testing.T) {
	rep := evaluate(t, cleanFixture())
	posturetest.CheckRules(t, rep, posturetest.Numbered("D", 17))
	posturetest.CheckAllPass(t, rep)
}

// TestRulesFail: each rule fails (or warns, for SHOULD rules) on a
// fixture with its weakness, naming the right object, and only that rule
// does.
func TestRulesFail(t *testing.T) {
	posturetest.RunWeaknesses(t, cleanFixture, evaluate, []posturetest.Weakness{
		{Rule: "D1", Change: func(f map[string]any) {
			d := dev(f, 1)
			d["complianceState"] = "noncompliant"
			d["deviceCompliancePolicyStates"] = []any{obj{"state": "nonCompliant", "settingStates": []any{obj{"settingName": "PasscodeRequired", "state": "nonCompliant"}}}}
		}, ID: "dev-ios"},
		{Rule: "D2", Change: func(f map[string]any) { dev(f, 1)["deviceCompliancePolicyStates"] = []any{obj{"state": "notAssigned"}} }, ID: "dev-ios"},
		{Rule: "D3", Change: func(f map[string]any) { dev(f, 1)["isEncrypted"] = false }, ID: "dev-ios"},
		{Rule: "D4", Change: func(f map[string]any) { dev(f, 1)["jailBroken"] = "True" }, ID: "dev-ios"},
		{Rule: "D5", Change: func(f map[string]any) { dev(f, 1)["lastSyncDateTime"] = "2025-04-01T00:00:00Z" }, ID: "dev-ios"},
		{Rule: "D6", Change: func(f map[string]any) { dev(f, 0)["osVersion"] = "10.0.19044.5011" }, ID: "dev-win"},
		{Rule: "D7", Change: func(f map[string]any) { prot(f)["realTimeProtectionEnabled"] = false }, ID: "dev-win"},
		{Rule: "D8", Change: func(f map[string]any) { prot(f)["signatureUpdateOverdue"] = true }, ID: "dev-win"},
		{Rule: "D9", Change: func(f map[string]any) { prot(f)["tamperProtectionEnabled"] = false }, ID: "dev-win"},
		{Rule: "D10", Change: func(f map[string]any) { prot(f)["deviceState"] = "fullScanPending" }, ID: "dev-win"},
		{Rule: "D11", Change: func(f map[string]any) { dev(f, 0)["deviceHealthAttestationState"].(obj)["secureBoot"] = "Disabled" }, ID: "dev-win"},
		{Rule: "D12", Change: func(f map[string]any) { machine(f)["healthStatus"] = "Inactive" }, ID: "dev-win"},
		{Rule: "D13", Change: func(f map[string]any) { machine(f)["riskScore"] = "High" }, ID: "m1"},
		{Rule: "D14", Change: func(f map[string]any) { f["deviceAlerts"].([]any)[0].(obj)["status"] = "new" }, ID: "da1"},
		{Rule: "D15", Change: func(f map[string]any) { dev(f, 1)["managedDeviceOwnerType"] = "personal" }, ID: "dev-ios"},
		{Rule: "D16", Change: func(f map[string]any) {
			dev(f, 0)["detectedApps"] = append(dev(f, 0)["detectedApps"].([]any), obj{"displayName": "AnyDesk", "version": "8.0"})
		}, ID: "dev-win"},
		{Rule: "D17", Change: func(f map[string]any) {
			f["secureScores"].([]any)[0].(obj)["controlScores"].([]any)[0].(obj)["score"] = 4.0
		}, ID: "scid_2010"},
	})
}

// TestRulesNotOnboarded: a Windows device without a Defender machine fails
// D12; without the MDE source, D12 and D13 report error, not pass.
func TestRulesNotOnboarded(t *testing.T) {
	f := posturetest.Clone(t, cleanFixture())
	f["defenderMachines"] = []any{}
	if r := posturetest.Result(t, evaluate(t, f), "D12"); r.Status != posture.StatusFail || r.Evidence[0].Detail != "not onboarded to Defender for Endpoint" {
		t.Errorf("D12 without a machine: %s %+v", r.Status, r.Evidence)
	}
	delete(f, "defenderMachines")
	rep := evaluate(t, f)
	for _, id := range []string{"D12", "D13"} {
		if r := posturetest.Result(t, rep, id); r.Status != posture.StatusError {
			t.Errorf("%s without defenderMachines: %s", id, r.Status)
		}
	}
}
