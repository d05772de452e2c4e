package userguard

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/posture/posturetest"
)

// testADEngine compiles the ad pack once per test binary.
var testADEngine = posturetest.Engine(func(ctx context.Context) (*posture.Engine, error) {
	return NewADEngine(ctx, func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC) })
})

func loadFixture(tb testing.TB, name string) *posture.Inventory {
	tb.Helper()
	inv, err := posture.LoadInventory("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return inv
}

func evaluateAD(tb testing.TB, inv *posture.Inventory) *posture.Report {
	tb.Helper()
	rep, err := testADEngine(tb).Evaluate(context.Background(), inv, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// names returns the sorted display names of a result's evidence.
func names(res posture.Result) []string {
	var out []string
	for _, e := range res.Evidence {
		out = append(out, e.DisplayName)
	}
	slices.Sort(out)
	return out
}

// ruleWant is what a rule must report: its status and the display names
// of its evidence, exactly.
type ruleWant struct {
	status posture.Status
	names  []string
}

// checkNames asserts that rep holds a result for exactly the rules in
// want, each with the wanted status and evidence names.
func checkNames(tb testing.TB, rep *posture.Report, want map[string]ruleWant) {
	tb.Helper()
	if len(rep.Results) != len(want) {
		tb.Fatalf("%d results, want %d", len(rep.Results), len(want))
	}
	for _, res := range rep.Results {
		w, ok := want[res.Rule.ID]
		if !ok {
			tb.Errorf("%s: no expectation", res.Rule.ID)
			continue
		}
		if res.Status != w.status || !slices.Equal(names(res), w.names) {
			tb.Errorf("%s: %s %v, want %s %v\n%s", res.Rule.ID, res.Status, names(res), w.status, w.names, res.Summary)
		}
	}
}

func TestADPackRules(t *testing.T) {
	rules := testADEngine(t).Rules()
	if len(rules) != 22 {
		t.Fatalf("ad pack has %d rules, want 22 (AD1 to AD22)", len(rules))
	}
	for i, r := range rules {
		if want := "SG.AD." + strconv.Itoa(i+1); r.ID != want {
			t.Errorf("rule %d is %s, want %s", i, r.ID, want)
		}
		if r.Pack != ADPack || len(r.References) == 0 || r.Rationale == "" || r.Remediation == "" {
			t.Errorf("%s: incomplete metadata", r.ID)
		}
		if got := r.Frameworks["sg365_ad"]; len(got) != 1 || got[0] != "AD"+strconv.Itoa(i+1) {
			t.Errorf("%s: sg365_ad mapping %v", r.ID, got)
		}
		if !slices.Equal(r.Sources, []string{ADSourceKey}) {
			t.Errorf("%s: sources %v", r.ID, r.Sources)
		}
	}
}

// TestADCleanFixture: testdata/ad_clean.json passes every rule.
func TestADCleanFixture(t *testing.T) {
	posturetest.CheckAllPass(t, evaluateAD(t, loadFixture(t, "ad_clean.json")))
}

// weakWant is what each rule finds in testdata/ad_weak.json: the status
// and the evidence display names, exactly.
var weakWant = map[string]ruleWant{
	"SG.AD.1":  {posture.StatusFail, []string{"krbtgt"}},
	"SG.AD.2":  {posture.StatusFail, []string{"bob"}},
	"SG.AD.3":  {posture.StatusFail, []string{"svc_admin", "svc_sql"}},
	"SG.AD.4":  {posture.StatusFail, []string{"APP01$"}},
	"SG.AD.5":  {posture.StatusFail, []string{"APP01$", "WS01$"}},
	"SG.AD.6":  {posture.StatusFail, []string{"Administrator", "mallory", "printer", "svc_admin"}},
	"SG.AD.7":  {posture.StatusWarning, []string{"Administrator", "mallory", "printer", "svc_admin"}},
	"SG.AD.8":  {posture.StatusFail, []string{"Print Operators"}},
	"SG.AD.9":  {posture.StatusFail, []string{"Administrator"}},
	"SG.AD.10": {posture.StatusWarning, []string{"orphan"}},
	"SG.AD.11": {posture.StatusFail, []string{"Guest", "carol"}}, // Guest: PASSWD_NOTREQD, DONT_EXPIRE_PASSWORD
	"SG.AD.12": {posture.StatusFail, []string{"Administrator", "Guest", "olduser"}},
	"SG.AD.13": {posture.StatusFail, []string{"alice"}},
	"SG.AD.14": {posture.StatusFail, []string{"corp.example"}},
	"SG.AD.15": {posture.StatusFail, []string{"Admins PSO", "corp.example"}},
	"SG.AD.16": {posture.StatusFail, []string{"corp.example"}},
	"SG.AD.17": {posture.StatusFail, []string{"Guest"}},
	"SG.AD.18": {posture.StatusFail, []string{"mallory"}},
	"SG.AD.19": {posture.StatusFail, []string{"WS01$", "corp.example"}},
	"SG.AD.20": {posture.StatusFail, []string{"syncer"}},
	"SG.AD.21": {posture.StatusFail, []string{"legacy.local"}},
	"SG.AD.22": {posture.StatusWarning, []string{"corp.example"}},
}

// TestADWeakFixture: testdata/ad_weak.json fails every rule with exactly
// the planted objects as evidence, each named by DN and sAMAccountName.
func TestADWeakFixture(t *testing.T) {
	rep := evaluateAD(t, loadFixture(t, "ad_weak.json"))
	checkNames(t, rep, weakWant)
	for _, res := range rep.Results {
		for _, e := range res.Evidence {
			if e.ID == "" || e.DisplayName == "" || e.Detail == "" {
				t.Errorf("%s: incomplete evidence %+v", res.Rule.ID, e)
			}
		}
	}
}

// TestADRuleEdges covers the cases between the two fixtures.
func TestADRuleEdges(t *testing.T) {
	for _, tc := range []struct {
		name, rule string
		edit       func(ad *ADInventory)
		want       posture.Status
		evidence   string // substring of summary, reason or evidence
	}{
		{"krbtgt missing", "SG.AD.1", func(ad *ADInventory) { ad.Users = ad.Users[1:] }, posture.StatusError, "no krbtgt"},
		{"krbtgt never set", "SG.AD.1", func(ad *ADInventory) { ad.Users[0].PwdLastSet = nil }, posture.StatusFail, "never set"},
		{"recycle bin unknown", "SG.AD.22", func(ad *ADInventory) { ad.Domain.RecycleBinEnabled = nil }, posture.StatusNA, "not applicable"},
		{"laps installed, computer not covered", "SG.AD.14", func(ad *ADInventory) { ad.Computers[1].LAPSManaged = false }, posture.StatusFail, "WS100$"},
		{"laps legacy schema", "SG.AD.14", func(ad *ADInventory) { ad.Domain.LAPSLegacySchema, ad.Domain.LAPSWindowsSchema = true, false }, posture.StatusPass, ""},
		{"disabled AS-REP user ignored", "SG.AD.2", func(ad *ADInventory) {
			ad.Users[3].UserAccountControl, ad.Users[3].Enabled = 2|0x400000, false
		}, posture.StatusPass, ""},
		{"dc unconstrained delegation is expected", "SG.AD.4", nil, posture.StatusPass, ""},
		{"sensitive admin not delegatable", "SG.AD.6", nil, posture.StatusPass, ""},
		{"sid history of this domain", "SG.AD.13", func(ad *ADInventory) { ad.Users[3].SIDHistory = []string{ad.Domain.SID + "-519"} }, posture.StatusFail, "SID of this domain"},
		{"forest trust with sid history", "SG.AD.21", func(ad *ADInventory) { ad.Trusts[0].TrustAttributes = 8 | 64 }, posture.StatusFail, "TREAT_AS_EXTERNAL"},
		{"external trust not quarantined", "SG.AD.21", func(ad *ADInventory) { ad.Trusts[0].TrustAttributes = 0 }, posture.StatusFail, "SID filtering disabled"},
		{"inbound external trust", "SG.AD.21", func(ad *ADInventory) { ad.Trusts[0].TrustAttributes, ad.Trusts[0].TrustDirection = 0, 1 }, posture.StatusPass, ""},
		{"full control is dcsync", "SG.AD.20", func(ad *ADInventory) {
			ad.Domain.ReplicationRights = append(ad.Domain.ReplicationRights, ADRight{SID: "S-1-5-11", Name: "Authenticated Users", FullControl: true})
		}, posture.StatusFail, "Authenticated Users"},
		{"get-changes alone is not dcsync", "SG.AD.20", func(ad *ADInventory) {
			ad.Domain.ReplicationRights = append(ad.Domain.ReplicationRights, ADRight{SID: "S-1-5-11", GetChanges: true})
		}, posture.StatusPass, ""},
		{"descriptor not read", "SG.AD.20", func(ad *ADInventory) { ad.Domain.ReplicationRights = nil }, posture.StatusError, "nTSecurityDescriptor"},
		{"reversible encryption policy", "SG.AD.15", func(ad *ADInventory) { ad.Domain.PwdProperties = 0x11 }, posture.StatusFail, "reversible"},
		{"obsolete server", "SG.AD.19", func(ad *ADInventory) { ad.Computers[1].OperatingSystem = "Windows Server 2008 R2 Standard" }, posture.StatusFail, "2008"},
		{"never logged on but new", "SG.AD.12", func(ad *ADInventory) {
			now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			ad.Users[3].LastLogonTimestamp, ad.Users[3].PwdLastSet, ad.Users[3].WhenCreated = nil, nil, &now
		}, posture.StatusPass, ""},
		{"domain admins too large", "SG.AD.8", func(ad *ADInventory) {
			for i := range 11 {
				ad.Groups[0].Members = append(ad.Groups[0].Members, "CN=a"+strconv.Itoa(i)+",DC=corp,DC=example")
			}
		}, posture.StatusFail, "12 members"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := loadFixture(t, "ad_clean.json")
			if tc.edit != nil {
				ad := fixtureAD(t, inv)
				tc.edit(ad)
				if err := inv.SetSource(ADSourceKey, ad); err != nil {
					t.Fatal(err)
				}
			}
			res, _ := evaluateAD(t, inv).Result(tc.rule)
			text := res.Summary + "\n" + res.Reason
			for _, e := range res.Evidence {
				text += "\n" + e.DisplayName + ": " + e.Detail
			}
			if res.Status != tc.want || !strings.Contains(text, tc.evidence) {
				t.Errorf("%s: %s, want %s with %q:\n%s", tc.rule, res.Status, tc.want, tc.evidence, text)
			}
		})
	}
}

// TestADSourceError: an inventory without the AD source makes every rule
// report error, never pass.
func TestADSourceError(t *testing.T) {
	inv := loadFixture(t, "ad_clean.json")
	inv.SetSourceError(ADSourceKey, os.ErrPermission)
	for _, res := range evaluateAD(t, inv).Results {
		if res.Status != posture.StatusError || !strings.Contains(res.Reason, ADSourceKey) {
			t.Errorf("%s: %s %q", res.Rule.ID, res.Status, res.Reason)
		}
	}
}
