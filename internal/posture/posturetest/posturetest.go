package posturetest

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
)

// Engine returns a function that compiles an engine with newEngine when a
// test first asks for it and hands the same engine to every later caller,
// so a test binary compiles each pack once. A compile error fails every
// caller. The returned function is safe for concurrent use.
func Engine(newEngine func(context.Context) (*posture.Engine, error)) func(testing.TB) *posture.Engine {
	compile := sync.OnceValues(func() (*posture.Engine, error) { return newEngine(context.Background()) })
	return func(tb testing.TB) *posture.Engine {
		tb.Helper()
		eng, err := compile()
		if err != nil {
			tb.Fatal(err)
		}
		return eng
	}
}

// Inventory returns an inventory of tenant "t1" collected at now that holds
// each entry of data as a source collected without error.
func Inventory(tb testing.TB, now time.Time, data map[string]any) *posture.Inventory {
	tb.Helper()
	inv := &posture.Inventory{SchemaVersion: posture.InventorySchemaVersion, Tenant: posture.Tenant{ID: "t1"}, CollectedAt: now}
	for _, k := range slices.Sorted(maps.Keys(data)) {
		if err := inv.SetSource(k, data[k]); err != nil {
			tb.Fatalf("source %s: %v", k, err)
		}
	}
	return inv
}

// Clone deep-copies a fixture through JSON, so that a case can change it.
func Clone(tb testing.TB, m map[string]any) map[string]any {
	tb.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// Result returns rule id's result in rep and fails the test if there is none.
func Result(tb testing.TB, rep *posture.Report, id string) posture.Result {
	tb.Helper()
	res, ok := rep.Result(id)
	if !ok {
		tb.Fatalf("no result for %s", id)
	}
	return res
}

// EvidenceText flattens a result's evidence, one item a line, for
// substring checks and messages.
func EvidenceText(res posture.Result) string {
	var b strings.Builder
	for _, e := range res.Evidence {
		b.WriteString(e.Type + " " + e.ID + " " + e.DisplayName + " " + e.Detail + "\n")
	}
	return b.String()
}

// failed says whether a status raises findings.
func failed(s posture.Status) bool { return s == posture.StatusFail || s == posture.StatusWarning }

// CheckResult asserts that rule reports want in rep, that evidence is a
// substring of its evidence, reason or summary, and that a fail or warning
// raised findings. A wrong status stops the test.
func CheckResult(tb testing.TB, rep *posture.Report, rule string, want posture.Status, evidence string) {
	tb.Helper()
	res := Result(tb, rep, rule)
	if res.Status != want {
		tb.Fatalf("%s: status %s, want %s\nsummary: %s\nreason: %s\nevidence:\n%s", rule, res.Status, want, res.Summary, res.Reason, EvidenceText(res))
	}
	if got := EvidenceText(res) + res.Reason + "\n" + res.Summary; !strings.Contains(got, evidence) {
		tb.Errorf("%s: evidence/reason lacks %q:\n%s", rule, evidence, got)
	}
	if failed(res.Status) && len(res.FindingIDs) == 0 {
		tb.Errorf("%s: a failed result raised no finding", rule)
	}
}

// CheckAllPass asserts that every result in rep passes, or is na for a
// manual rule: what a pack's clean fixture must yield.
func CheckAllPass(tb testing.TB, rep *posture.Report) {
	tb.Helper()
	for _, res := range rep.Results {
		want := posture.StatusPass
		if res.Rule.Manual != "" {
			want = posture.StatusNA
		}
		if res.Status != want {
			tb.Errorf("%s: %s, want %s\nsummary: %s\nreason: %s\nevidence:\n%s", res.Rule.ID, res.Status, want, res.Summary, res.Reason, EvidenceText(res))
		}
	}
}

// CheckRules asserts that rep has a result for exactly the rules ids, in
// that order. A wrong count stops the test.
func CheckRules(tb testing.TB, rep *posture.Report, ids []string) {
	tb.Helper()
	if len(rep.Results) != len(ids) {
		tb.Fatalf("%d rules, want %d (%s to %s)", len(rep.Results), len(ids), ids[0], ids[len(ids)-1])
	}
	for i, r := range rep.Results {
		if r.Rule.ID != ids[i] {
			tb.Errorf("rule %d is %s, want %s", i, r.Rule.ID, ids[i])
		}
	}
}

// CheckCoverage asserts that the cases, given as the statuses they expect
// per rule id, test every rule: an automated rule needs a passing and a
// failing (or warning) case, a manual rule an na case. Cases for a rule
// that is not among rules are reported too.
func CheckCoverage(tb testing.TB, rules []*posture.Rule, cases map[string][]posture.Status) {
	tb.Helper()
	for _, r := range rules {
		s := cases[r.ID]
		switch {
		case r.Manual != "":
			if !slices.Contains(s, posture.StatusNA) {
				tb.Errorf("%s: no na case", r.ID)
			}
		case !slices.Contains(s, posture.StatusPass):
			tb.Errorf("%s: no passing case", r.ID)
		case !slices.ContainsFunc(s, failed):
			tb.Errorf("%s: no failing case", r.ID)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(cases)) {
		if !slices.ContainsFunc(rules, func(r *posture.Rule) bool { return r.ID == id }) {
			tb.Errorf("cases for unknown rule %s", id)
		}
	}
}

// Weakness is one failing fixture of a pack: Change plants Rule's weakness
// in a copy of the clean fixture, after which Rule must fail (or warn, for
// a SHOULD rule) with one evidence item, ID, and every other rule must
// still pass.
type Weakness struct {
	Rule   string
	Change func(f map[string]any)
	ID     string // the evidence id the failure must name
}

// RunWeaknesses runs each weakness as a subtest named after its rule,
// grading a changed copy of clean() with evaluate. It then checks that
// the clean fixture passes every rule and that each rule has a weakness.
func RunWeaknesses(t *testing.T, clean func() map[string]any, evaluate func(testing.TB, map[string]any) *posture.Report, cases []Weakness) {
	t.Helper()
	covered := map[string][]posture.Status{}
	for _, tc := range cases {
		covered[tc.Rule] = append(covered[tc.Rule], posture.StatusFail)
		t.Run(tc.Rule, func(t *testing.T) {
			t.Helper() // report failures at the caller's case table
			f := Clone(t, clean())
			tc.Change(f)
			rep := evaluate(t, f)
			if r := Result(t, rep, tc.Rule); !failed(r.Status) || len(r.Evidence) != 1 || r.Evidence[0].ID != tc.ID {
				t.Errorf("%s: %s %q evidence %+v, want a failure naming %s", tc.Rule, r.Status, r.Summary, r.Evidence, tc.ID)
			}
			for _, r := range rep.Results {
				if r.Rule.ID != tc.Rule && r.Status != posture.StatusPass {
					t.Errorf("%s also %s: %s", r.Rule.ID, r.Status, r.Summary)
				}
			}
		})
	}
	rep := evaluate(t, clean())
	rules := make([]*posture.Rule, len(rep.Results))
	for i, r := range rep.Results {
		rules[i] = r.Rule
		covered[r.Rule.ID] = append(covered[r.Rule.ID], r.Status)
	}
	CheckCoverage(t, rules, covered)
}

// Numbered returns the ids prefix+"1" to prefix+n of a numbered pack.
func Numbered(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = prefix + strconv.Itoa(i+1)
	}
	return ids
}

// CheckCollected stops the test unless every source of inv was collected.
func CheckCollected(tb testing.TB, inv *posture.Inventory) {
	tb.Helper()
	for _, k := range slices.Sorted(maps.Keys(inv.Sources)) {
		if st := inv.Sources[k]; st.Status != posture.SourceOK {
			tb.Fatalf("source %s: %s %s", k, st.Status, st.Error)
		}
	}
}

// Failing returns, by rule id, the sorted evidence display names of each
// result in rep that failed or warned.
func Failing(rep *posture.Report) map[string][]string {
	got := map[string][]string{}
	for _, r := range rep.Results {
		if failed(r.Status) {
			for _, e := range r.Evidence {
				got[r.Rule.ID] = append(got[r.Rule.ID], e.DisplayName)
			}
			slices.Sort(got[r.Rule.ID])
		}
	}
	return got
}

// CheckFailing asserts that exactly the rules in want failed or warned in
// got (as Failing returns it), each naming want[id] objects.
func CheckFailing(tb testing.TB, got map[string][]string, want map[string]int) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Errorf("failing rules %v, want %v", got, want)
	}
	for _, id := range slices.Sorted(maps.Keys(want)) {
		if len(got[id]) != want[id] {
			tb.Errorf("%s: %v, want %d", id, got[id], want[id])
		}
	}
}
