package posturetest

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
)

// recorder is a testing.TB that records failures instead of reporting them.
type recorder struct {
	testing.TB
	msgs []string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Errorf(f string, a ...any) { r.msgs = append(r.msgs, fmt.Sprintf(f, a...)) }
func (r *recorder) Fatalf(f string, a ...any) { r.Errorf(f, a...); runtime.Goexit() }
func (r *recorder) Fatal(a ...any)            { r.Fatalf("%s", fmt.Sprint(a...)) }

// failures runs check on a recorder, in a goroutine of its own so that
// Fatalf can end it, and returns what it reported.
func failures(t *testing.T, check func(tb testing.TB)) []string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(r)
	}()
	<-done
	return r.msgs
}

// report builds a report with one result per rule, each with one evidence
// item naming the rule.
func report(results ...posture.Result) *posture.Report {
	for i := range results {
		results[i].Evidence = []posture.Evidence{{Type: "user", ID: "u-" + results[i].Rule.ID, DisplayName: "name-" + results[i].Rule.ID}}
	}
	return &posture.Report{Results: results}
}

var (
	ruleA  = &posture.Rule{ID: "A"}
	ruleB  = &posture.Rule{ID: "B"}
	manual = &posture.Rule{ID: "M", Manual: "look at it"}
)

// TestChecks: each check passes on what it wants and otherwise reports a
// message naming the rule.
func TestChecks(t *testing.T) {
	pass := posture.Result{Rule: ruleA, Status: posture.StatusPass, Summary: "all good"}
	fail := posture.Result{Rule: ruleB, Status: posture.StatusFail, Summary: "bad", FindingIDs: []string{"f1"}}
	na := posture.Result{Rule: manual, Status: posture.StatusNA, Reason: "manual check"}
	for _, tc := range []struct {
		name  string
		check func(tb testing.TB)
		want  []string // substrings of the messages, one a message; nil: none
	}{
		{"result ok", func(tb testing.TB) { CheckResult(tb, report(pass), "A", posture.StatusPass, "all good") }, nil},
		{"result evidence", func(tb testing.TB) { CheckResult(tb, report(pass), "A", posture.StatusPass, "name-A") }, nil},
		{"result status", func(tb testing.TB) { CheckResult(tb, report(pass), "A", posture.StatusFail, "") }, []string{"A: status pass, want fail"}},
		{"result text", func(tb testing.TB) { CheckResult(tb, report(pass), "A", posture.StatusPass, "elsewhere") }, []string{`A: evidence/reason lacks "elsewhere"`}},
		{"result no finding", func(tb testing.TB) {
			CheckResult(tb, report(posture.Result{Rule: ruleB, Status: posture.StatusWarning}), "B", posture.StatusWarning, "")
		}, []string{"B: a failed result raised no finding"}},
		{"result missing", func(tb testing.TB) { CheckResult(tb, report(pass), "B", posture.StatusPass, "") }, []string{"no result for B"}},
		{"all pass", func(tb testing.TB) { CheckAllPass(tb, report(pass, na)) }, nil},
		{"all pass fails", func(tb testing.TB) { CheckAllPass(tb, report(pass, fail)) }, []string{"B: fail, want pass"}},
		{"rules", func(tb testing.TB) { CheckRules(tb, report(pass, fail), []string{"A", "B"}) }, nil},
		{"rules order", func(tb testing.TB) { CheckRules(tb, report(fail, pass), []string{"A", "B"}) }, []string{"rule 0 is B, want A", "rule 1 is A, want B"}},
		{"rules count", func(tb testing.TB) { CheckRules(tb, report(pass), Numbered("I", 2)) }, []string{"1 rules, want 2 (I1 to I2)"}},
		{"coverage", func(tb testing.TB) {
			CheckCoverage(tb, []*posture.Rule{ruleA, manual}, map[string][]posture.Status{"A": {posture.StatusPass, posture.StatusWarning}, "M": {posture.StatusNA}})
		}, nil},
		{"coverage gaps", func(tb testing.TB) {
			CheckCoverage(tb, []*posture.Rule{ruleA, ruleB, manual}, map[string][]posture.Status{"A": {posture.StatusFail}, "B": {posture.StatusPass}, "X": {posture.StatusPass}})
		}, []string{"A: no passing case", "B: no failing case", "M: no na case", "cases for unknown rule X"}},
		{"failing", func(tb testing.TB) { CheckFailing(tb, Failing(report(pass, fail)), map[string]int{"B": 1}) }, nil},
		{"failing other", func(tb testing.TB) { CheckFailing(tb, Failing(report(pass, fail)), map[string]int{"A": 1, "B": 1}) }, []string{"failing rules map[B:[name-B]]", "A: [], want 1"}},
		{"collected", func(tb testing.TB) {
			inv := Inventory(tb, time.Time{}, map[string]any{"users": []any{}})
			inv.SetSourceError("groups", fmt.Errorf("403"))
			CheckCollected(tb, inv)
		}, []string{"source groups: error 403"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := failures(t, tc.check)
			if len(got) != len(tc.want) {
				t.Fatalf("reported %q, want %d message(s) with %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("message %q lacks %q", got[i], w)
				}
			}
		})
	}
}

// TestFixtures: Inventory holds the data as collected sources, and Clone
// copies deeply.
func TestFixtures(t *testing.T) {
	now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	data := map[string]any{"users": []any{map[string]any{"id": "u1"}}}
	inv := Inventory(t, now, data)
	if !inv.CollectedAt.Equal(now) || inv.SourceState("users").Status != posture.SourceOK || string(inv.Data["users"]) != `[{"id":"u1"}]` {
		t.Errorf("inventory %+v", inv)
	}
	c := Clone(t, data)
	c["users"].([]any)[0].(map[string]any)["id"] = "changed"
	if data["users"].([]any)[0].(map[string]any)["id"] != "u1" {
		t.Error("Clone shares its input's values")
	}
	if got := Numbered("D", 3); !slices.Equal(got, []string{"D1", "D2", "D3"}) {
		t.Errorf("Numbered: %v", got)
	}
}
