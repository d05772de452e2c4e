package posture_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/posture"
)

// goodUserRule is a valid rule a customer might add.
const goodUserRule = `# METADATA
# title: The tenant has a display name
# related_resources:
#   - ref: https://example.test/org-naming
# custom:
#   id: ORG.1
#   severity: info
#   level: SHOULD
#   rationale: Reports are easier to read.
#   remediation: Set the organisation name.
#   sources: [organization]
package acme.org_name

import rego.v1

result := {"status": "pass", "summary": "named"} if input.data.organization[0].displayName != ""

else := {"status": "fail", "summary": "unnamed", "evidence": [{"type": "organization", "id": input.data.organization[0].id}]}
`

func writeRules(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestUserRuleDir(t *testing.T) {
	dir := writeRules(t, map[string]string{"org.rego": goodUserRule, "org_test.rego": "not rego at all"})
	e, err := posture.New(t.Context(), posture.Options{RuleDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.Rules()); n != 35 {
		t.Errorf("%d rules, want 34 built-in + 1", n)
	}
	doc := fixture(t)
	rep, err := e.Evaluate(t.Context(), toInventory(t, doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res := result(t, rep, "ORG.1"); res.Status != posture.StatusPass || res.Rule.Pack != dir {
		t.Errorf("ORG.1: %s from %s", res.Status, res.Rule.Pack)
	}
	apply(t, doc, edit{"data.organization[0].displayName", ""})
	rep, _ = e.Evaluate(t.Context(), toInventory(t, doc), nil)
	if res := result(t, rep, "ORG.1"); res.Status != posture.StatusWarning {
		t.Errorf("ORG.1 unnamed: %s, want warning (a SHOULD rule)", res.Status)
	}
}

// TestBadRules: each broken rule file fails New with an error that names
// the file and, when known, the rule.
func TestBadRules(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(goodUserRule, old, new, 1) }
	for _, tc := range []struct {
		name, src string
		want      []string
		sentinel  error
	}{
		{"no severity", replace("#   severity: info\n", ""), []string{"bad.rego", "ORG.1", "severity"}, posture.ErrRuleMetadata},
		{"bad severity", replace("severity: info", "severity: urgent"), []string{"bad.rego", "ORG.1", "urgent"}, posture.ErrRuleMetadata},
		{"bad level", replace("level: SHOULD", "level: MAY"), []string{"ORG.1", "MAY"}, posture.ErrRuleMetadata},
		{"no id", replace("#   id: ORG.1\n", ""), []string{"bad.rego", "custom.id"}, posture.ErrRuleMetadata},
		{"no title", replace("# title: The tenant has a display name\n", ""), []string{"ORG.1", "title"}, posture.ErrRuleMetadata},
		{"no rationale", replace("#   rationale: Reports are easier to read.\n", ""), []string{"ORG.1", "rationale"}, posture.ErrRuleMetadata},
		{"no sources", replace("#   sources: [organization]\n", ""), []string{"ORG.1", "sources"}, posture.ErrRuleMetadata},
		{"unknown key", replace("#   level: SHOULD\n", "#   level: SHOULD\n#   sevrity: low\n"), []string{"ORG.1", "sevrity"}, posture.ErrRuleMetadata},
		{"bad exclusions", replace("#   level: SHOULD\n", "#   level: SHOULD\n#   exclusions: everything\n"), []string{"ORG.1", "everything"}, posture.ErrRuleMetadata},
		{"wrong type", replace("sources: [organization]", "sources: organization"), []string{"ORG.1", "custom"}, posture.ErrRuleMetadata},
		{"no custom", "# METADATA\n# title: x\npackage acme.x\n\nresult := 1\n", []string{"bad.rego", "custom"}, posture.ErrRuleMetadata},
		{"no result", replace("result :=", "outcome :="), []string{"bad.rego", "ORG.1", "no result"}, posture.ErrRule},
		{"syntax", goodUserRule + "\nresult := {\n", []string{"bad.rego"}, posture.ErrRule},
		{"unsafe builtin", goodUserRule + "\nleak := http.send({\"method\": \"get\", \"url\": \"https://example.test\"})\n", []string{"bad.rego", "http.send"}, posture.ErrRule},
		{"duplicate id", replace("id: ORG.1", "id: MS.AAD.1.1v1"), []string{"bad.rego", "MS.AAD.1.1v1", "already defined"}, posture.ErrRule},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeRules(t, map[string]string{"bad.rego": tc.src})
			_, err := posture.New(t.Context(), posture.Options{RuleDirs: []string{dir}})
			if err == nil {
				t.Fatal("New accepted a bad rule")
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("error %v does not wrap %v", err, tc.sentinel)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	t.Run("empty dir", func(t *testing.T) {
		if _, err := posture.New(t.Context(), posture.Options{RuleDirs: []string{t.TempDir()}}); !errors.Is(err, posture.ErrRule) {
			t.Errorf("empty rule dir: %v", err)
		}
	})
}

// TestRuleRuntimeErrors: a rule that misbehaves at evaluation time yields
// an error result, not a failed Evaluate.
func TestRuleRuntimeErrors(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"undefined", `result := {"status": "pass", "summary": "x"} if false`, "no result"},
		{"bad status", `result := {"status": "ok", "summary": "x"}`, "status"},
		{"no summary", `result := {"status": "pass"}`, "summary"},
		{"evidence without id", `result := {"status": "fail", "summary": "x", "evidence": [{"type": "user"}]}`, "evidence"},
		{"builtin error", `result := {"status": "pass", "summary": sprintf("%d", [to_number("nope")])}`, "failed to run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := goodUserRule[:strings.Index(goodUserRule, "result :=")] + tc.body + "\n"
			dir := writeRules(t, map[string]string{"r.rego": src})
			e, err := posture.New(t.Context(), posture.Options{RuleDirs: []string{dir}, NoBuiltin: true})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := e.Evaluate(t.Context(), toInventory(t, fixture(t)), nil)
			if err != nil {
				t.Fatal(err)
			}
			if res := result(t, rep, "ORG.1"); res.Status != posture.StatusError || !strings.Contains(res.Reason, tc.want) {
				t.Errorf("%s %q, want error mentioning %q", res.Status, res.Reason, tc.want)
			}
		})
	}
}

func TestRuleMetadata(t *testing.T) {
	for _, r := range testEngine(t).Rules() {
		if r.Title == "" || r.Rationale == "" || r.Remediation == "" || len(r.References) == 0 {
			t.Errorf("%s: incomplete metadata", r.ID)
		}
		if got := r.Frameworks["scuba"]; len(got) != 1 || got[0] != r.ID {
			t.Errorf("%s: scuba mapping %v", r.ID, got)
		}
		if r.Severity.Rank() < 0 || (r.Level != posture.LevelMust && r.Level != posture.LevelShould) {
			t.Errorf("%s: severity %q level %q", r.ID, r.Severity, r.Level)
		}
		for _, u := range r.References {
			if !strings.HasPrefix(u, "https://") {
				t.Errorf("%s: reference %q", r.ID, u)
			}
		}
	}
}

func TestExclusionsValidation(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"rule without exclusions", "rules:\n  MS.AAD.5.1v1:\n    users: [u1]\n", "does not accept exclusions"},
		{"roles on a role rule", "rules:\n  MS.AAD.7.4v1:\n    roles: [r1]\n", "not roles"},
		{"unknown rule", "rules:\n  MS.AAD.99.1v1:\n    users: [u1]\n", "no rule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex, err := posture.ParseExclusions([]byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			_, err = testEngine(t).Evaluate(t.Context(), toInventory(t, fixture(t)), ex)
			if !errors.Is(err, posture.ErrExclusions) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want ErrExclusions mentioning %q", err, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, yaml string }{
		{"misspelt key", "rules:\n  MS.AAD.1.1v1:\n    user: [u1]\n"},
		{"blank id", "rules:\n  MS.AAD.1.1v1:\n    users: ['']\n"},
		{"bad rule id", "rules:\n  'MS AAD':\n    users: [u1]\n"},
		{"not a map", "rules: [1, 2]\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := posture.ParseExclusions([]byte(tc.yaml)); !errors.Is(err, posture.ErrExclusions) {
				t.Errorf("got %v, want ErrExclusions", err)
			}
		})
	}
}

// TestExclusionsRecorded: the report carries the exclusions file and each
// result the exclusions it was evaluated with; ids match case-insensitively.
func TestExclusionsRecorded(t *testing.T) {
	ex, err := posture.ParseExclusions([]byte("rules:\n  MS.AAD.1.1v1:\n    users: [" + strings.ToUpper(userBreakGlass) + "]\n    note: break glass\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep := evaluate(t, fixture(t), ex)
	res := result(t, rep, "MS.AAD.1.1v1")
	if res.Status != posture.StatusPass {
		t.Errorf("1.1 with the break-glass exclusion: %s %v", res.Status, res.Evidence)
	}
	if res.Exclusions == nil || res.Exclusions.Note != "break glass" || rep.Exclusions == nil {
		t.Errorf("exclusions not recorded: %+v / %+v", res.Exclusions, rep.Exclusions)
	}
	if res := result(t, rep, "MS.AAD.3.2v2"); res.Status != posture.StatusFail || res.Exclusions != nil {
		t.Errorf("3.2 without exclusions: %s %+v", res.Status, res.Exclusions)
	}
}

// TestFailedSourceDataIgnored: data left behind for a failed source is not
// read, so a stale copy cannot produce a pass.
func TestFailedSourceDataIgnored(t *testing.T) {
	doc := fixture(t)
	apply(t, doc, edit{"sources.domains", map[string]any{"status": "error", "error": "403"}})
	inv := toInventory(t, doc)
	if len(inv.Data["domains"]) == 0 {
		t.Fatal("fixture lost the domains data")
	}
	rep, err := testEngine(t).Evaluate(context.Background(), inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res := result(t, rep, "MS.AAD.6.1v1"); res.Status != posture.StatusError {
		t.Errorf("6.1 with failed domains: %s", res.Status)
	}
}

func TestParseInventory(t *testing.T) {
	for _, tc := range []struct{ name, doc string }{
		{"version", `{"schemaVersion":2,"tenant":{"id":"t"},"sources":{},"data":{}}`},
		{"unknown field", `{"schemaVersion":1,"tenant":{"id":"t"},"source":{},"data":{}}`},
		{"bad status", `{"schemaVersion":1,"tenant":{"id":"t"},"sources":{"users":{"status":"fine"}},"data":{}}`},
		{"error without message", `{"schemaVersion":1,"tenant":{"id":"t"},"sources":{"users":{"status":"error"}},"data":{}}`},
		{"scalar data", `{"schemaVersion":1,"tenant":{"id":"t"},"sources":{},"data":{"users":3}}`},
		{"trailing", `{"schemaVersion":1,"tenant":{"id":"t"},"sources":{},"data":{}} {}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := posture.ParseInventory([]byte(tc.doc)); !errors.Is(err, posture.ErrInventory) {
				t.Errorf("got %v, want ErrInventory", err)
			}
		})
	}
	inv := &posture.Inventory{SchemaVersion: posture.InventorySchemaVersion, Tenant: posture.Tenant{ID: "t"}}
	if err := inv.SetSource("domains", []map[string]any{{"id": "x.test"}}); err != nil {
		t.Fatal(err)
	}
	inv.SetSourceError("users", errors.New("403 forbidden"))
	if err := inv.Validate(); err != nil {
		t.Fatal(err)
	}
	if inv.SourceState("users").Status != posture.SourceError || inv.SourceState("groups").Status != posture.SourceNotCollected {
		t.Errorf("source states: %+v", inv.Sources)
	}
}

func TestFailOn(t *testing.T) {
	doc := fixture(t)
	apply(t, doc,
		edit{"data.authorizationPolicy.defaultUserRolePermissions.allowedToCreateApps", true}, // 5.1 medium MUST
		edit{"data.authorizationPolicy.allowInvitesFrom", "everyone"},                         // 8.2 low SHOULD: warning
		sourceError("conditionalAccessPolicies"))                                              // errors never count
	rep := evaluate(t, doc, nil)
	for _, tc := range []struct {
		min  posture.Severity
		want int
	}{{posture.SeverityCritical, 0}, {posture.SeverityHigh, 0}, {posture.SeverityMedium, 1}, {posture.SeverityInfo, 1}} {
		if got := rep.FailOn(tc.min); len(got) != tc.want {
			t.Errorf("FailOn(%s): %d results, want %d", tc.min, len(got), tc.want)
		}
	}
}

func TestEvaluateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := testEngine(t).Evaluate(ctx, toInventory(t, fixture(t)), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// TestEvaluateConcurrent: one Engine serves several evaluations at once
// (run with -race to check).
func TestEvaluateConcurrent(t *testing.T) {
	e := testEngine(t)
	inv := toInventory(t, fixture(t))
	ex := fixtureExclusions(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			rep, err := e.Evaluate(context.Background(), inv, ex)
			if err == nil && rep.Summary.Score != 100 {
				err = errors.New("score " + strconv.Itoa(rep.Summary.Score))
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
