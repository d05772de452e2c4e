package main

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/tenantguard"
)

// The emulator's generated configuration (m365sim/tenant/config_gen.go)
// plants these weaknesses; each line says which rule it fails.
var (
	emulatorFails = []string{
		"MS.AAD.1.1v1", // CA002 blocks legacy auth but excludes the break-glass account (no exclusions file)
		"MS.AAD.2.1v1", // CA006 blocks only when user risk AND sign-in risk are high: not high-risk users alone
		"MS.AAD.2.3v1", // the same policy, seen from sign-in risk
		"MS.AAD.3.1v1", // no policy requires phishing-resistant MFA for all users
		"MS.AAD.3.2v2", // CA003 (MFA for all) is report-only
		"MS.AAD.3.4v1", // authentication methods migration still "migrationInProgress"
		"MS.AAD.3.5v2", // SMS, voice and email OTP enabled
		"MS.AAD.3.6v1", // admins: MFA (CA001) or FIDO2-or-TAP (CA007), neither phishing-resistant for the roles
		"MS.AAD.5.1v1", // users may register applications
		"MS.AAD.5.3v1", // admin consent workflow off
		"MS.AAD.7.2v1", // three Global Administrators, fewer users in finer-grained privileged roles
		"MS.AAD.7.4v1", // permanent active Global Administrator assignments (an admin and the break-glass account)
		"MS.AAD.7.7v1", // PIM policies notify nobody of eligible or active assignments
		"MS.AAD.7.8v1", // Global Administrator activation notifies only default recipients
		"MS.AAD.9.1v1", // no policy blocks risky agent identities
	}
	emulatorWarnings = []string{
		"MS.AAD.3.7v1", // CA005 requires a compliant device for VPN users only
		"MS.AAD.3.8v1", // no policy for security info registration
		"MS.AAD.3.9v1", // device code flow not blocked
		"MS.AAD.5.5v1", // default app management policy disabled (the emulator serves Graph's default)
		"MS.AAD.5.6v1",
		"MS.AAD.5.7v1",
		"MS.AAD.7.9v1", // other privileged roles' activation notifies only default recipients
		"MS.AAD.8.2v1", // anyone may invite guests
	}
)

// statuses runs the JSON lines of an assessment into rule -> status, and
// returns the history line if any.
func statuses(t *testing.T, out string) (map[string]posture.Status, historyJSON) {
	t.Helper()
	got := map[string]posture.Status{}
	var hist historyJSON
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m struct {
			MessageType string         `json:"message_type"`
			RuleID      string         `json:"rule_id"`
			Status      posture.Status `json:"status"`
			Reason      string         `json:"reason"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		switch m.MessageType {
		case "result":
			got[m.RuleID] = m.Status
		case "history":
			json.Unmarshal([]byte(line), &hist)
		}
	}
	return got, hist
}

func withStatus(m map[string]posture.Status, st posture.Status) []string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(m)) {
		if m[id] == st {
			out = append(out, id)
		}
	}
	return out
}

// TestAssessLiveAndHistory assesses the emulated tenant live, fixes one
// weakness behind Graph's back, assesses again, and checks the report, the
// findings history, --history, and an assessment of a configuration
// snapshot taken before the fix.
func TestAssessLiveAndHistory(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 3, Seed: 9, MessagesPerUser: -1, FilesPerUser: -1})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	// A configuration snapshot before anything changes, assessed at the end.
	if err := runConfigSnapshot(t.Context(), ConfigSnapshotOptions{Repo: rf, Workers: 4}, g); err != nil {
		t.Fatalf("config snapshot: %v", err)
	}
	r, _, err := openRepo(t.Context(), rf, g)
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := tenantguard.Snapshots(t.Context(), r, l.TenantID)
	r.Close(t.Context())
	if err != nil || len(snaps) != 1 {
		t.Fatalf("config snapshots: %v %v", snaps, err)
	}
	before := string(snaps[0].ID[:8])

	// Run 1: live, --json, --save-inventory, --fail-on high.
	dir := t.TempDir()
	invPath := filepath.Join(dir, "inventory.json")
	gj, jout, _ := testGlobals(t, true)
	opts := AssessOptions{Repo: rf, Format: "table", Workers: 4, FailOn: "high", SaveInventory: invPath}
	err = runAssess(t.Context(), opts, gj)
	if !errors.Is(err, errFailOn) || exitCode(err) != exitFound {
		t.Fatalf("run 1: %v (exit %d), want --fail-on hit\n%s", err, exitCode(err), jout.String())
	}
	got, hist := statuses(t, jout.String())
	if f := withStatus(got, posture.StatusFail); !slices.Equal(f, emulatorFails) {
		t.Errorf("failing rules\n got %v\nwant %v", f, emulatorFails)
	}
	if w := withStatus(got, posture.StatusWarning); !slices.Equal(w, emulatorWarnings) {
		t.Errorf("warning rules\n got %v\nwant %v", w, emulatorWarnings)
	}
	if e := withStatus(got, posture.StatusError); len(e) > 0 {
		t.Errorf("rules in error on a fully readable tenant: %v", e)
	}
	if hist.New == 0 || hist.New != hist.Open || hist.Resolved != 0 || hist.SnapshotID == "" {
		t.Errorf("history after run 1: %+v", hist)
	}
	inv, err := posture.LoadInventory(invPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"conditionalAccessPolicies", "subscribedSkus", "users", "groups", "roleAssignmentScheduleInstances", "defaultAppManagementPolicy"} {
		if st := inv.SourceState(k); st.Status != posture.SourceOK {
			t.Errorf("saved inventory: source %s is %+v", k, st)
		}
	}
	if inv.Tenant.ID != l.TenantID || inv.Tenant.DefaultDomain == "" || !strings.Contains(inv.Collector, "live") {
		t.Errorf("saved inventory: tenant %+v, collector %q", inv.Tenant, inv.Collector)
	}

	// The fix: users may no longer register applications (MS.AAD.5.1v1).
	var res m365sim.DriftResult
	if err := l.Control("POST", "config-drift", m365sim.ConfigDrift{Changes: []m365sim.ConfigChange{{Op: "patch",
		Singleton: "authorizationPolicy", Props: map[string]any{"defaultUserRolePermissions": map[string]any{"allowedToCreateApps": false}}}}}, &res); err != nil {
		t.Fatal(err)
	}

	// Run 2: live, HTML report to a file.
	html := filepath.Join(dir, "report.html")
	stdout.b.Reset()
	err = runAssess(t.Context(), AssessOptions{Repo: rf, Format: "html", Out: html, Workers: 4}, g)
	if err != nil {
		t.Fatalf("run 2: %v\n%s", err, stdout.String())
	}
	if b, err := os.ReadFile(html); err != nil || !strings.Contains(string(b), "MS.AAD.5.1v1") {
		t.Errorf("HTML report: %v", err)
	}
	if out := stdout.String(); !strings.Contains(out, "wrote html report") || !strings.Contains(out, "findings history: 0 new, 1 resolved, 0 reopened") {
		t.Errorf("run 2 output:\n%s", out)
	}

	// The history: the 5.1 finding resolved, every other one still open,
	// first seen in run 1 and last seen in run 2.
	r, _, err = openRepo(t.Context(), rf, g)
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := posture.LoadHistory(t.Context(), r, l.TenantID)
	r.Close(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Findings) != hist.Total {
		t.Errorf("%d findings after run 2, want %d", len(h.Findings), hist.Total)
	}
	for _, f := range h.Findings {
		switch {
		case f.RuleID == "MS.AAD.5.1v1":
			if f.Status != posture.FindingResolved || f.ResolvedAt == nil || !f.ResolvedAt.After(f.LastSeen) {
				t.Errorf("5.1 finding: %+v", f)
			}
		case f.Status != posture.FindingOpen || !f.LastSeen.After(f.FirstSeen):
			t.Errorf("finding %s (%s): status %s, first seen %v, last seen %v", f.ID, f.RuleID, f.Status, f.FirstSeen, f.LastSeen)
		}
	}

	// --history --resolved lists the one resolved finding.
	stdout.b.Reset()
	if err := runAssessHistory(t.Context(), AssessOptions{Repo: rf, History: true, Resolved: true}, g); err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	t.Logf("assess --history --resolved:\n%s", out)
	if !strings.Contains(out, "MS.AAD.5.1v1") || strings.Count(out, "\n") != 3 || !strings.Contains(out, "open, 1 resolved findings") {
		t.Errorf("--history --resolved:\n%s", out)
	}
	gj, jout, _ = testGlobals(t, true)
	if err := runAssessHistory(t.Context(), AssessOptions{Repo: rf, History: true, Open: true}, gj); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(jout.String(), `"message_type":"finding"`); n != hist.Total-1 {
		t.Errorf("--history --open --json: %d findings, want %d", n, hist.Total-1)
	}

	// The snapshot taken before the fix: the same results as run 1 (the
	// same canonical data), context read live, and the history unchanged
	// because the data is older than run 2's.
	gj, jout, _ = testGlobals(t, true)
	invPath2 := filepath.Join(dir, "from-snapshot.json")
	err = runAssess(t.Context(), AssessOptions{Repo: rf, Snapshot: before, Format: "table", Workers: 4, SaveInventory: invPath2}, gj)
	if err != nil {
		t.Fatalf("assess --snapshot: %v\n%s", err, jout.String())
	}
	got2, hist2 := statuses(t, jout.String())
	if !maps.Equal(got, got2) {
		t.Errorf("--snapshot results differ from the live run:\n%v\n%v", got, got2)
	}
	if hist2.Skipped == "" || hist2.SnapshotID != "" {
		t.Errorf("history after assessing an older snapshot: %+v", hist2)
	}
	inv2, err := posture.LoadInventory(invPath2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(inv2.Collector, "read live: ") || !strings.Contains(inv2.SourceState("users").Endpoint, "read ") {
		t.Errorf("snapshot inventory: collector %q, users %+v", inv2.Collector, inv2.SourceState("users"))
	}
	if !slices.Equal(inv.Data["conditionalAccessPolicies"], inv2.Data["conditionalAccessPolicies"]) {
		t.Error("conditional access policies differ between the live and the snapshot inventory")
	}
}

// TestAssessLiveForbidden: without any Policy.* permission the rules that
// read policies report error naming the permission, never pass or fail,
// and the others are graded; the exit code is 3.
func TestAssessLiveForbidden(t *testing.T) {
	var roles []string
	for _, r := range m365sim.AllRoles() {
		if !strings.HasPrefix(r, "Policy.") {
			roles = append(roles, r)
		}
	}
	l := m365sim.Start(t, m365sim.Options{Users: 3, Seed: 9, MessagesPerUser: -1, FilesPerUser: -1, Roles: roles})
	tenantEnv(t, l)
	gj, jout, _ := testGlobals(t, true)
	err := runAssess(t.Context(), AssessOptions{NoHistory: true, Format: "table", Workers: 4}, gj)
	if !errors.Is(err, errPartial) || exitCode(err) != exitPartial {
		t.Fatalf("assess: %v (exit %d), want errPartial", err, exitCode(err))
	}
	t.Logf("assess without Policy.* permissions: %v", err)
	if !strings.Contains(err.Error(), "authorizationPolicy") {
		t.Errorf("error does not name the failed sources: %v", err)
	}
	got, _ := statuses(t, jout.String())
	for _, id := range []string{"MS.AAD.1.1v1", "MS.AAD.3.5v2", "MS.AAD.5.1v1", "MS.AAD.5.3v1", "MS.AAD.5.5v1", "MS.AAD.8.2v1"} {
		if got[id] != posture.StatusError {
			t.Errorf("%s: %s, want error", id, got[id])
		}
	}
	// Roles, PIM and domains need no Policy.* permission.
	for id, want := range map[string]posture.Status{"MS.AAD.6.1v1": posture.StatusPass, "MS.AAD.7.1v1": posture.StatusPass,
		"MS.AAD.7.4v1": posture.StatusFail, "MS.AAD.7.7v1": posture.StatusFail} {
		if got[id] != want {
			t.Errorf("%s: %s, want %s", id, got[id], want)
		}
	}
	for _, line := range strings.Split(jout.String(), "\n") {
		if strings.Contains(line, `"rule_id":"MS.AAD.5.1v1"`) && !strings.Contains(line, "forbidden: grant Policy.Read.All") {
			t.Errorf("5.1 does not name the permission: %s", line)
		}
	}
}
