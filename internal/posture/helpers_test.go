package posture_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
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

var (
	engineOnce sync.Once
	engine     *posture.Engine
	engineErr  error
)

// testEngine returns the built-in engine, compiled once for the package.
func testEngine(tb testing.TB) *posture.Engine {
	tb.Helper()
	engineOnce.Do(func() {
		engine, engineErr = posture.New(context.Background(), posture.Options{Now: func() time.Time { return fixedNow }})
	})
	if engineErr != nil {
		tb.Fatal(engineErr)
	}
	return engine
}

// fixture returns the compliant inventory as generic JSON, for editing.
func fixture(tb testing.TB) map[string]any {
	tb.Helper()
	b, err := os.ReadFile("testdata/compliant.json")
	if err != nil {
		tb.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		tb.Fatal(err)
	}
	return doc
}

func fixtureExclusions(tb testing.TB) *posture.Exclusions {
	tb.Helper()
	ex, err := posture.LoadExclusions("testdata/exclusions.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return ex
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

// evaluate grades doc with the built-in engine.
func evaluate(tb testing.TB, doc map[string]any, ex *posture.Exclusions) *posture.Report {
	tb.Helper()
	rep, err := testEngine(tb).Evaluate(context.Background(), toInventory(tb, doc), ex)
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

func result(tb testing.TB, rep *posture.Report, id string) posture.Result {
	tb.Helper()
	res, ok := rep.Result(id)
	if !ok {
		tb.Fatalf("no result for %s", id)
	}
	return res
}

// evidenceText flattens a result's evidence for substring checks.
func evidenceText(res posture.Result) string {
	var b strings.Builder
	for _, e := range res.Evidence {
		b.WriteString(e.Type + " " + e.ID + " " + e.DisplayName + " " + e.Detail + "\n")
	}
	return b.String()
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
