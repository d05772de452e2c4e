package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/posture"
)

// The posture package's fixture tenant passes every automated rule with its
// exclusions file.
const (
	assessFixture    = "../../internal/posture/testdata/compliant.json"
	assessExclusions = "../../internal/posture/testdata/exclusions.yaml"
)

// failingInventory writes a copy of the fixture where legacy authentication
// is only in report-only mode (MS.AAD.1.1v1, critical) and guests can be
// invited by anyone (MS.AAD.8.2v1, a SHOULD: warning).
func failingInventory(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(assessFixture)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	data := doc["data"].(map[string]any)
	for _, p := range data["conditionalAccessPolicies"].([]any) {
		if p := p.(map[string]any); p["id"] == "ca-legacy" {
			p["state"] = "enabledForReportingButNotEnforced"
		}
	}
	data["authorizationPolicy"].(map[string]any)["allowInvitesFrom"] = "everyone"
	s, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "inventory.json")
	if err := os.WriteFile(p, s, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAssessEndToEnd runs the whole command line and checks output and
// exit codes.
func TestAssessEndToEnd(t *testing.T) {
	bad := failingInventory(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  []string // substrings of stdout
		err  string   // substring of stderr
	}{
		{"compliant table", []string{"assess", "--inventory", assessFixture, "--exclusions", assessExclusions, "--fail-on", "low"},
			exitOK, []string{"MS.AAD.1.1v1", "critical", "pass", "manual check", "34 rules: 31 pass, 0 fail, 0 warning, 3 n/a, 0 error; score 100%"}, ""},
		{"failing without fail-on", []string{"assess", "--inventory", bad, "--exclusions", assessExclusions},
			exitOK, []string{"no enforced conditional access policy blocks legacy", "warning"}, ""},
		{"fail-on critical", []string{"assess", "--inventory", bad, "--exclusions", assessExclusions, "--fail-on", "critical"},
			exitFailOn, []string{"fail"}, "MS.AAD.1.1v1"},
		{"empty rules dir", []string{"assess", "--inventory", bad, "--exclusions", assessExclusions, "--fail-on", "critical",
			"--rules", t.TempDir()}, exitFatal, nil, "no .rego files"},
		{"no exclusions", []string{"assess", "--inventory", assessFixture, "--fail-on", "high"},
			exitFailOn, nil, "MS.AAD.3.2v2"},
		{"csv", []string{"assess", "--inventory", assessFixture, "--format", "csv"},
			exitOK, []string{"rule_id,title,severity"}, ""},
		{"inventory and snapshot", []string{"assess", "--inventory", assessFixture, "--snapshot", "abcd"}, exitUsage, nil, "exclude each other"},
		{"open without history", []string{"assess", "--inventory", assessFixture, "--open"}, exitUsage, nil, "need --history"},
		{"history with fail-on", []string{"assess", "--history", "--fail-on", "high"}, exitUsage, nil, "--history lists"},
		{"bad format", []string{"assess", "--inventory", assessFixture, "--format", "pdf"}, exitUsage, nil, "--format"},
		{"bad fail-on", []string{"assess", "--inventory", assessFixture, "--fail-on", "info"}, exitUsage, nil, "--fail-on"},
		{"unreadable inventory", []string{"assess", "--inventory", "does-not-exist.json"}, exitFatal, nil, "load inventory"},
		{"bad exclusions", []string{"assess", "--inventory", assessFixture, "--exclusions", assessFixture}, exitFatal, nil, "invalid exclusions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			for _, w := range tc.out {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tc.err) {
				t.Errorf("stderr lacks %q:\n%s", tc.err, stderr.String())
			}
		})
	}
}

func TestAssessOutFiles(t *testing.T) {
	dir := t.TempDir()
	for _, format := range []string{"json", "html"} {
		out := filepath.Join(dir, "report."+format)
		var stdout, stderr bytes.Buffer
		code := run([]string{"assess", "--inventory", failingInventory(t), "--format", format, "--out", out}, &stdout, &stderr)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", format, code, stderr.String())
		}
		if !strings.Contains(stdout.String(), "wrote "+format+" report to "+out) {
			t.Errorf("%s: stdout %q", format, stdout.String())
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		switch format {
		case "json":
			rep, err := posture.ReadReport(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if res, _ := rep.Result("MS.AAD.1.1v1"); res.Status != posture.StatusFail {
				t.Errorf("1.1 in the JSON report: %s", res.Status)
			}
		case "html":
			if !bytes.Contains(b, []byte(`id="by-severity"`)) || bytes.Contains(b, []byte("<script")) {
				t.Error("HTML report lacks the summary or has a script")
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d files in the output directory, want 2 (no temporary files left)", len(entries))
	}
}

// TestAssessJSONLines: with --json each rule is one line, then a summary.
func TestAssessJSONLines(t *testing.T) {
	g, stdout, _ := testGlobals(t, true)
	opts := AssessOptions{Inventory: failingInventory(t), Exclusions: assessExclusions, Format: "table", FailOn: "critical"}
	err := runAssess(t.Context(), opts, g)
	if !errors.Is(err, errFailOn) || exitCode(err) != exitFailOn {
		t.Fatalf("runAssess: %v (exit %d), want errFailOn", err, exitCode(err))
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 35 {
		t.Fatalf("%d lines, want 34 results + summary", len(lines))
	}
	var last assessSummaryJSON
	if err := json.Unmarshal([]byte(lines[34]), &last); err != nil || last.MessageType != "summary" || last.FailOnHit != 1 {
		t.Errorf("summary line %s: %v %+v", lines[34], err, last)
	}
	var first assessResultJSON
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.MessageType != "result" || first.RuleID != "MS.AAD.1.1v1" || first.Status != posture.StatusFail {
		t.Errorf("first line %s: %v %+v", lines[0], err, first)
	}
}

func TestAssessHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"assess", "--help"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, w := range []string{"--snapshot ID", "--inventory FILE", "--history", "--fail-on", "Exit codes", "4    a rule at or above", "3    some rules report error"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("help lacks %q", w)
		}
	}
}

// The CIS fixture passes every cis_m365 rule with its exclusions file.
const (
	cisFixture    = "../../internal/posture/testdata/cis/compliant.json"
	cisExclusions = "../../internal/posture/testdata/cis/exclusions.yaml"
)

// TestAssessPacks: --pack selects the embedded packs; an unknown name is a
// usage error listing the known ones.
func TestAssessPacks(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  []string
		err  string
	}{
		{"cis only", []string{"assess", "--pack", "cis_m365", "--inventory", cisFixture, "--exclusions", cisExclusions, "--fail-on", "low"},
			exitOK, []string{"CIS.1.1.3", "CIS.5.3.5", "7 rules: 7 pass, 0 fail"}, ""},
		{"both packs", []string{"assess", "--pack", "scuba_aad,cis_m365", "--inventory", cisFixture, "--exclusions", cisExclusions},
			exitOK, []string{"MS.AAD.7.1v1", "CIS.1.1.3", "41 rules:"}, ""},
		{"repeated and duplicated", []string{"assess", "--pack", "cis_m365", "--pack", " scuba_aad ,cis_m365", "--inventory", cisFixture, "--format", "csv"},
			exitOK, []string{"MS.AAD.1.1v1", "CIS.5.2.2.1"}, ""},
		{"default is scuba only", []string{"assess", "--inventory", assessFixture, "--exclusions", assessExclusions},
			exitOK, []string{"34 rules: 31 pass"}, ""},
		// The SCuBA fixture does not carry allowedToCreateTenants: that
		// CIS rule cannot tell, so the run is partial.
		{"cis on the scuba fixture", []string{"assess", "--pack", "cis_m365", "--inventory", assessFixture},
			exitPartial, []string{"CIS.5.1.2.3", "error", "lacks defaultUserRolePermissions.allowedToCreateTenants"}, "could not be evaluated"},
		{"cis exclusions need the cis pack", []string{"assess", "--inventory", cisFixture, "--exclusions", cisExclusions},
			exitFatal, nil, "no rule CIS.5.2.2.1 is loaded"},
		{"unknown pack", []string{"assess", "--pack", "scuba_aad,cis", "--inventory", assessFixture},
			exitUsage, nil, `unknown pack "cis" (known packs: scuba_aad, cis_m365)`},
		{"other collectors' pack", []string{"assess", "--pack", "identity", "--inventory", assessFixture},
			exitUsage, nil, "known packs: scuba_aad, cis_m365"},
		{"empty pack", []string{"assess", "--pack", "", "--inventory", assessFixture},
			exitUsage, nil, "name at least one pack"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			for _, w := range tc.out {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tc.err) {
				t.Errorf("stderr lacks %q:\n%s", tc.err, stderr.String())
			}
		})
	}
}

// TestAssessPacksExist: every name --pack accepts is an embedded pack with
// rules, so the list cannot drift from internal/posture/packs.
func TestAssessPacksExist(t *testing.T) {
	for _, p := range assessPacks {
		eng, err := posture.New(t.Context(), posture.Options{Packs: []string{p}})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(eng.Rules()) == 0 {
			t.Errorf("pack %s has no rules", p)
		}
	}
}

// TestAssessCISEmulator grades the emulator's generated tenant with both
// packs, live, and checks what the CIS pack finds there (the weaknesses
// m365sim/tenant/config_gen.go plants).
func TestAssessCISEmulator(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 3, Seed: 9, MessagesPerUser: -1, FilesPerUser: -1})
	tenantEnv(t, l)
	g, out, _ := testGlobals(t, true)
	opts := AssessOptions{Packs: []string{"scuba_aad", "cis_m365"}, Format: "table", Workers: 4, NoHistory: true}
	if err := runAssess(t.Context(), opts, g); err != nil {
		t.Fatalf("assess: %v\n%s", err, out.String())
	}
	got, _ := statuses(t, out.String())
	cis := map[string]posture.Status{}
	for id, st := range got {
		if strings.HasPrefix(id, "CIS.") {
			cis[id] = st
		}
	}
	wantFail := []string{
		"CIS.5.1.2.3",  // users may create tenants
		"CIS.5.2.2.1",  // CA001 covers SCuBA's eight roles, not the CIS fifteen, and excludes the break-glass account; CA003 is report-only
		"CIS.5.2.2.11", // no policy asks for sign-in every time at Intune enrollment
		"CIS.5.2.2.4",  // CA007 sets 4-hour sign-in and no persistent browser, but for a group, not the admin roles
		"CIS.5.3.5",    // only Global Administrator activation needs approval
	}
	wantWarn := []string{
		"CIS.5.2.2.8", // CA006 blocks only high sign-in risk, and only together with high user risk
	}
	if f := withStatus(cis, posture.StatusFail); !slices.Equal(f, wantFail) {
		t.Errorf("failing CIS rules\n got %v\nwant %v", f, wantFail)
	}
	if w := withStatus(cis, posture.StatusWarning); !slices.Equal(w, wantWarn) {
		t.Errorf("warning CIS rules\n got %v\nwant %v", w, wantWarn)
	}
	if p := withStatus(cis, posture.StatusPass); !slices.Equal(p, []string{"CIS.1.1.3"}) { // three Global Administrators
		t.Errorf("passing CIS rules: %v", p)
	}
	if len(got)-len(cis) != 34 {
		t.Errorf("%d SCuBA results, want 34", len(got)-len(cis))
	}
}
