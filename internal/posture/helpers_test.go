package posture_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/posture/posturetest"
)

// The fixture tenant: testdata/compliant.json passes every automated rule
// when evaluated with testdata/exclusions.yaml, which allows the
// break-glass account bg1 in conditional access policies.
const (
	userAdele      = "11111111-0000-0000-0000-000000000001" // Global Administrator
	userBreakGlass = "11111111-0000-0000-0000-000000000002" // Global Administrator, excluded from CA
	groupSPAdmins  = "22222222-0000-0000-0000-000000000001" // holds SharePoint Administrator
	roleGlobal     = "62e90394-69f5-4237-9190-012177145e10"
	roleExchange   = "29232cdf-9323-42fd-ade2-1d097af3e4de"
	roleUserAdmin  = "fe930be7-5e62-47db-91af-98c3a49a38b1"
)

var fixedNow = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// fixturePack is a rule pack under test with its fixture tenant: the
// compliant inventory passes every automated rule of the pack when
// evaluated with the exclusions file.
type fixturePack struct {
	engine     func(testing.TB) *posture.Engine
	compliant  string // inventory, as JSON
	exclusions string // exclusions file the compliant inventory needs
}

// scuba is the built-in engine (the scuba_aad pack) and its fixture.
var scuba = fixturePack{
	engine: posturetest.Engine(func(ctx context.Context) (*posture.Engine, error) {
		return posture.New(ctx, posture.Options{Now: func() time.Time { return fixedNow }})
	}),
	compliant:  "testdata/compliant.json",
	exclusions: "testdata/exclusions.yaml",
}

// doc returns the compliant inventory as generic JSON, for editing.
func (p fixturePack) doc(tb testing.TB) map[string]any {
	tb.Helper()
	b, err := os.ReadFile(p.compliant)
	if err != nil {
		tb.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		tb.Fatal(err)
	}
	return doc
}

// loadExclusions loads the exclusions the compliant inventory needs.
func (p fixturePack) loadExclusions(tb testing.TB) *posture.Exclusions {
	tb.Helper()
	ex, err := posture.LoadExclusions(p.exclusions)
	if err != nil {
		tb.Fatal(err)
	}
	return ex
}

// evaluate grades doc with the pack's engine.
func (p fixturePack) evaluate(tb testing.TB, doc map[string]any, ex *posture.Exclusions) *posture.Report {
	tb.Helper()
	rep, err := p.engine(tb).Evaluate(context.Background(), toInventory(tb, doc), ex)
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// ruleCase is one fixture case of a pack: edits to the compliant
// inventory, and the status rule must then report.
type ruleCase struct {
	rule, name string
	edits      []edit
	noEx       bool           // evaluate without the pack's exclusions file
	want       posture.Status // expected status
	evidence   string         // substring expected in the evidence (or reason)
}

// runCases runs each case as a subtest named rule/name.
func (p fixturePack) runCases(t *testing.T, cases []ruleCase) {
	ex := p.loadExclusions(t)
	for _, tc := range cases {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			doc := p.doc(t)
			apply(t, doc, tc.edits...)
			useEx := ex
			if tc.noEx {
				useEx = nil
			}
			posturetest.CheckResult(t, p.evaluate(t, doc, useEx), tc.rule, tc.want, tc.evidence)
		})
	}
}

// checkCoverage checks that cases test every rule of the pack with a
// passing and a failing case (manual rules: an na case), and returns the
// rules.
func (p fixturePack) checkCoverage(t *testing.T, cases []ruleCase) []*posture.Rule {
	t.Helper()
	want := map[string][]posture.Status{}
	for _, tc := range cases {
		want[tc.rule] = append(want[tc.rule], tc.want)
	}
	rules := p.engine(t).Rules()
	posturetest.CheckCoverage(t, rules, want)
	return rules
}

// checkSourceErrors marks each source a rule needs as failed, then as
// missing, and expects error naming the source, never pass or fail.
func (p fixturePack) checkSourceErrors(t *testing.T) {
	for _, r := range p.engine(t).Rules() {
		for _, src := range r.Sources {
			for _, mode := range []string{"error", "missing"} {
				t.Run(r.ID+"/"+src+"/"+mode, func(t *testing.T) {
					doc := p.doc(t)
					if mode == "error" {
						apply(t, doc, sourceError(src))
					} else {
						apply(t, doc, edit{"sources." + src, del}, edit{"data." + src, del})
					}
					res := result(t, p.evaluate(t, doc, p.loadExclusions(t)), r.ID)
					if res.Status != posture.StatusError || !strings.Contains(res.Reason, src) {
						t.Fatalf("%s: status %s reason %q, want error naming %s", r.ID, res.Status, res.Reason, src)
					}
				})
			}
		}
	}
}

// checkLicenceGating: without its service plan a gated automated rule is
// na; when the licences could not be collected it is error. The pack must
// have a gated rule.
func (p fixturePack) checkLicenceGating(t *testing.T) {
	gated := 0
	for _, r := range p.engine(t).Rules() {
		if len(r.ServicePlans) == 0 || r.Manual != "" {
			continue
		}
		gated++
		t.Run(r.ID, func(t *testing.T) {
			doc := p.doc(t)
			apply(t, doc, edit{"data.subscribedSkus", skusE3})
			if res := result(t, p.evaluate(t, doc, p.loadExclusions(t)), r.ID); res.Status != posture.StatusNA || !strings.Contains(res.Reason, "not licensed") {
				t.Errorf("%s unlicensed: %s %q, want na", r.ID, res.Status, res.Reason)
			}
			doc = p.doc(t)
			apply(t, doc, sourceError("subscribedSkus"))
			if res := result(t, p.evaluate(t, doc, p.loadExclusions(t)), r.ID); res.Status != posture.StatusError || !strings.Contains(res.Reason, "subscribedSkus") {
				t.Errorf("%s licences unknown: %s %q, want error", r.ID, res.Status, res.Reason)
			}
		})
	}
	if gated == 0 {
		t.Error("no licence-gated rule")
	}
}

// testEngine returns the built-in engine, compiled once for the package.
func testEngine(tb testing.TB) *posture.Engine { return scuba.engine(tb) }

// fixture returns the compliant inventory as generic JSON, for editing.
func fixture(tb testing.TB) map[string]any { return scuba.doc(tb) }

func fixtureExclusions(tb testing.TB) *posture.Exclusions { return scuba.loadExclusions(tb) }

// evaluate grades doc with the built-in engine.
func evaluate(tb testing.TB, doc map[string]any, ex *posture.Exclusions) *posture.Report {
	tb.Helper()
	return scuba.evaluate(tb, doc, ex)
}

// del as an edit value removes the key or array element.
type deleteMarker struct{}

var del = deleteMarker{}

// edit is one change to the fixture: path segments are separated by dots;
// "name[key=value]" picks the array element whose key equals value, and
// "name[3]" picks by index.
type edit struct {
	path  string
	value any
}

var segPattern = regexp.MustCompile(`^([^\[\]]*)(?:\[([^\]]+)\])?$`)

// apply performs edits on doc in order.
func apply(tb testing.TB, doc map[string]any, edits ...edit) {
	tb.Helper()
	for _, e := range edits {
		if err := setPath(doc, strings.Split(e.path, "."), e.value); err != nil {
			tb.Fatalf("edit %s: %v", e.path, err)
		}
	}
}

func setPath(cur any, segs []string, value any) error {
	m := segPattern.FindStringSubmatch(segs[0])
	if m == nil {
		return fmt.Errorf("bad segment %q", segs[0])
	}
	key, sel := m[1], m[2]
	obj, ok := cur.(map[string]any)
	if !ok {
		return fmt.Errorf("%q: not an object", segs[0])
	}
	last := len(segs) == 1
	if sel == "" {
		if last {
			if value == del {
				delete(obj, key)
			} else {
				obj[key] = value
			}
			return nil
		}
		next, ok := obj[key]
		if !ok || next == nil {
			next = map[string]any{}
			obj[key] = next
		}
		return setPath(next, segs[1:], value)
	}
	arr, ok := obj[key].([]any)
	if !ok {
		return fmt.Errorf("%q: not an array", key)
	}
	idx := -1
	if n, err := strconv.Atoi(sel); err == nil {
		idx = n
	} else if k, v, ok := strings.Cut(sel, "="); ok {
		for i, el := range arr {
			if em, ok := el.(map[string]any); ok && em[k] == v {
				idx = i
			}
		}
	}
	if idx < 0 || idx >= len(arr) {
		return fmt.Errorf("%q: no element %s", key, sel)
	}
	if last {
		if value == del {
			obj[key] = append(arr[:idx:idx], arr[idx+1:]...)
		} else {
			arr[idx] = value
		}
		return nil
	}
	return setPath(arr[idx], segs[1:], value)
}

// toInventory encodes doc and parses it as an inventory.
func toInventory(tb testing.TB, doc map[string]any) *posture.Inventory {
	tb.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	inv, err := posture.ParseInventory(b)
	if err != nil {
		tb.Fatal(err)
	}
	return inv
}

func result(tb testing.TB, rep *posture.Report, id string) posture.Result {
	tb.Helper()
	return posturetest.Result(tb, rep, id)
}

// Plans without Entra ID P2 or Intune.
var skusE3 = []any{map[string]any{
	"skuId": "sku-e3", "skuPartNumber": "SPE_E3", "capabilityStatus": "Enabled",
	"servicePlans": []any{
		map[string]any{"servicePlanName": "AAD_PREMIUM", "provisioningStatus": "Success"},
		map[string]any{"servicePlanName": "AAD_PREMIUM_P2", "provisioningStatus": "Disabled"},
	},
}}

func sourceError(key string) edit {
	return edit{"sources." + key, map[string]any{"status": "error", "error": "GET /" + key + ": 503 Service Unavailable"}}
}
