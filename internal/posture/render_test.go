package posture_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/posture"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// mixedReport has every status: failures, a warning, an error, passes and
// manual na rules.
func mixedReport(t *testing.T) *posture.Report {
	t.Helper()
	doc := fixture(t)
	apply(t, doc,
		edit{"data.users[id=" + userAdele + "].displayName", "=HYPERLINK(\"x\") <b>Adele</b>"},
		edit{"data.users[id=" + userAdele + "].onPremisesImmutableId", "aGVsbG8="},
		edit{ca + "[id=ca-legacy].state", "enabledForReportingButNotEnforced"},
		edit{"data.authorizationPolicy.allowInvitesFrom", "everyone"},
		sourceError("domains"))
	return evaluate(t, doc, fixtureExclusions(t))
}

func TestJSONRoundTrip(t *testing.T) {
	rep := mixedReport(t)
	var buf bytes.Buffer
	if err := posture.WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	back, err := posture.ReadReport(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := posture.WriteJSON(&again, back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("JSON report changes after a round trip")
	}
	if len(back.Results) != 34 || back.Summary.ByStatus[posture.StatusFail] == 0 {
		t.Errorf("decoded report: %d results, summary %+v", len(back.Results), back.Summary)
	}
	golden(t, "report.golden.json", buf.Bytes())
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the output; review and run go test -update", path)
	}
}

func TestCSV(t *testing.T) {
	rep := mixedReport(t)
	var buf bytes.Buffer
	if err := posture.WriteCSV(&buf, rep); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 35 {
		t.Fatalf("%d rows, want header + 34", len(rows))
	}
	if got := strings.Join(rows[0], ","); got != "rule_id,title,severity,level,result,summary,reason,evidence,frameworks,finding_ids,remediation" {
		t.Errorf("header %s", got)
	}
	var row73 []string
	for _, r := range rows[1:] {
		if r[0] == "MS.AAD.7.3v1" {
			row73 = r
		}
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q could run as a spreadsheet formula", cell)
			}
		}
	}
	if row73 == nil || row73[4] != "fail" || !strings.Contains(row73[7], userAdele) || row73[9] == "" {
		t.Errorf("7.3 row: %q", row73)
	}
}

func TestHTML(t *testing.T) {
	rep := mixedReport(t)
	var buf bytes.Buffer
	if err := posture.WriteHTML(&buf, rep); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{`id="by-severity"`, "critical", "By result", "By framework", "cis_m365",
		"MS.AAD.7.3v1", "Rationale", "Remediation", "References", "Exclusions applied", "&lt;b&gt;Adele&lt;/b&gt;", "Not collected", "503 Service Unavailable"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// Self-contained: no scripts, stylesheets, fonts or images from
	// elsewhere (links to references are fine).
	external := regexp.MustCompile(`(?i)<script|<link|<img|<iframe|@import|url\(|src=`)
	if m := external.FindString(html); m != "" {
		t.Errorf("HTML loads an external resource: %q", m)
	}
	if strings.Contains(html, "<b>Adele</b>") || strings.Contains(html, "ZgotmplZ") {
		t.Error("HTML did not escape tenant data, or rejected a value")
	}
}

func TestTable(t *testing.T) {
	rep := mixedReport(t)
	var buf bytes.Buffer
	if err := posture.WriteTable(&buf, rep); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"RULE", "MS.AAD.1.1v1", "critical", "fail", "source domains: error", "manual check", "34 rules:"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestSummary(t *testing.T) {
	rep := mixedReport(t)
	s := rep.Summary
	total := 0
	for _, n := range s.ByStatus {
		total += n
	}
	if total != 34 || s.Total != 34 {
		t.Errorf("summary counts %d of %d", total, s.Total)
	}
	if s.BySeverity[posture.SeverityCritical][posture.StatusFail] != 1 { // 1.1 is critical
		t.Errorf("by severity: %v", s.BySeverity)
	}
	if s.ByFramework["scuba"][posture.StatusNA] != 3 {
		t.Errorf("scuba na count %d, want 3 manual rules", s.ByFramework["scuba"][posture.StatusNA])
	}
	b, _ := json.Marshal(s)
	if !strings.Contains(string(b), `"byStatus"`) {
		t.Errorf("summary JSON %s", b)
	}
}
