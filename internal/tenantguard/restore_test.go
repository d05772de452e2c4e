package tenantguard

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/secret"
)

// writeCounter counts the Graph requests that are not GETs.
type writeCounter struct {
	next   http.RoundTripper
	writes atomic.Int32
}

func (w *writeCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet && (strings.HasPrefix(r.URL.Path, "/v1.0/") || strings.HasPrefix(r.URL.Path, "/beta/")) {
		w.writes.Add(1)
	}
	return w.next.RoundTrip(r)
}

// countingClient returns a client of the env's tenant that counts writes.
func (e *env) countingClient(tb testing.TB) (*graph.Client, *writeCounter) {
	tb.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: e.l.CAPool(), MinVersion: tls.VersionTLS12}
	tb.Cleanup(tr.CloseIdleConnections)
	wc := &writeCounter{next: tr}
	c, err := graph.New(graph.Config{TenantID: e.l.TenantID, ClientID: e.l.ClientID, Secret: secret.New(e.l.ClientSecret),
		AuthorityHost: e.l.AuthorityHost, GraphURL: e.l.GraphURL},
		graph.Options{Transport: wc, RetryBaseDelay: 20 * time.Millisecond, RetryMaxDelay: 300 * time.Millisecond})
	if err != nil {
		tb.Fatal(err)
	}
	return c, wc
}

func (e *env) plan(tb testing.TB, snap *State, opts RestoreOptions) *RestorePlan {
	tb.Helper()
	p, err := Plan(tb.Context(), e.c, snap, nil, opts)
	if err != nil {
		tb.Fatalf("Plan: %v", err)
	}
	return p
}

func (e *env) apply(tb testing.TB, p *RestorePlan) *ApplyResult {
	tb.Helper()
	res, err := Apply(tb.Context(), e.c, p)
	if err != nil {
		tb.Fatalf("Apply: %v", err)
	}
	for _, st := range res.Steps {
		if st.Result == "failed" {
			tb.Logf("failed: %s %s %q: %s", st.Kind, st.Action, st.DisplayName, st.Error)
		}
	}
	return res
}

// actions returns "kind action displayName" of the steps that do
// something, sorted.
func actions(p *RestorePlan) []string {
	var out []string
	for _, st := range p.Steps {
		if st.Action != ActionUnchanged {
			out = append(out, st.Kind+" "+string(st.Action)+" "+st.DisplayName)
		}
	}
	slices.Sort(out)
	return out
}

func nameOf(t *testing.T, s *State, kind, key string) string {
	t.Helper()
	return displayName(s.Objects[kind][key])
}

// TestRestoreInvertsDrift: snapshot, the default drift (a CA policy
// disabled, a location added, an unused one deleted), then the plan is
// exactly the inverse, planning writes nothing, and applying it leaves a
// tenant whose snapshot equals the first.
func TestRestoreInvertsDrift(t *testing.T) {
	e := newEnv(t, nil)
	before := e.snapshot(t)
	res := e.drift(t, m365sim.ConfigDrift{})
	disabled, added, deleted := res.Changes[0].ID, res.Changes[1].ID, res.Changes[2].ID

	c, wc := e.countingClient(t)
	p, err := Plan(t.Context(), c, before, nil, RestoreOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := wc.writes.Load(); n != 0 {
		t.Fatalf("Plan made %d write calls", n)
	}
	want := []string{
		"conditionalAccessPolicies update " + nameOf(t, before, "conditionalAccessPolicies", disabled),
		"namedLocations create " + nameOf(t, before, "namedLocations", deleted),
		"namedLocations delete-extra Temporary contractor range",
	}
	if got := actions(p); !slices.Equal(got, want) {
		t.Fatalf("plan = %q\nwant %q", got, want)
	}
	for _, st := range p.Steps {
		if st.Action == ActionUpdate && !slices.Equal(st.Paths(), []string{"state"}) {
			t.Errorf("update paths = %v", st.Paths())
		}
		if st.Action == ActionDelete && st.Key != added {
			t.Errorf("delete-extra of %s, want %s", st.Key, added)
		}
	}
	// Without --prune the extra location is not touched.
	if got := actions(e.plan(t, before, RestoreOptions{})); len(got) != 2 {
		t.Errorf("plan without prune = %q", got)
	}

	ar := e.apply(t, p)
	if ar.Failed != 0 || ar.Applied != 3 || len(ar.Calls) != 3 {
		t.Fatalf("apply: %d applied, %d failed, calls %+v", ar.Applied, ar.Failed, ar.Calls)
	}
	after := e.snapshot(t)
	d := Diff(before, after)
	if d.Changed() != 0 || len(d.Unknown()) != 0 {
		t.Fatalf("diff after restore: %+v", d)
	}
	if len(d.Matched) != 1 || d.Matched[0].OldKey != deleted {
		t.Errorf("matched = %+v", d.Matched)
	}
	// A second plan has nothing to do.
	if got := actions(e.plan(t, before, RestoreOptions{Prune: true})); len(got) != 0 {
		t.Errorf("plan after restore = %q", got)
	}
}

// TestRestoreRemapsRecreatedLocation: a CA policy and the named location
// it excludes are both deleted; the restore recreates the location under
// a new id and the policy names the new id.
func TestRestoreRemapsRecreatedLocation(t *testing.T) {
	e := newEnv(t, nil)
	before := e.snapshot(t)
	const policy = "CA005: VPN users need a compliant device off the office network"
	oldLoc := keyByName(t, before, "namedLocations", "Head office")
	e.drift(t, m365sim.ConfigDrift{Changes: []m365sim.ConfigChange{
		{Op: "delete", Set: tenant.SetConditionalAccess, ID: policy},
		{Op: "delete", Set: tenant.SetNamedLocations, ID: oldLoc},
	}})
	p := e.plan(t, before, RestoreOptions{})
	want := []string{"conditionalAccessPolicies create " + policy, "namedLocations create Head office"}
	if got := actions(p); !slices.Equal(got, want) {
		t.Fatalf("plan = %q", got)
	}
	ar := e.apply(t, p)
	if ar.Failed != 0 {
		t.Fatalf("apply failed: %+v", ar.Steps)
	}
	var newLoc string
	for _, st := range ar.Steps {
		if st.Kind == "namedLocations" {
			newLoc = st.NewKey
		}
	}
	if newLoc == "" || newLoc == oldLoc {
		t.Fatalf("new location id %q", newLoc)
	}
	after := e.snapshot(t)
	got := mustField(t, after, "conditionalAccessPolicies", policy, "conditions", "locations", "excludeLocations")
	if string(got) != `["`+newLoc+`"]` {
		t.Errorf("excludeLocations = %s, want the new id %s", got, newLoc)
	}
	if d := Diff(before, after); d.Changed() != 0 || len(d.Matched) != 2 {
		t.Errorf("diff after restore: %+v", d)
	}
}

// TestRestoreDanglingReference: the location alone is deleted behind
// Graph's back, leaving the policy naming a missing id; the restore
// recreates it and rewrites the policy, which looked unchanged.
func TestRestoreDanglingReference(t *testing.T) {
	e := newEnv(t, nil)
	before := e.snapshot(t)
	const policy = "CA005: VPN users need a compliant device off the office network"
	e.drift(t, m365sim.ConfigDrift{Changes: []m365sim.ConfigChange{{Op: "delete", Set: tenant.SetNamedLocations, ID: "Head office"}}})
	p := e.plan(t, before, RestoreOptions{Kinds: []string{"namedLocations", "conditionalAccessPolicies"}})
	want := []string{"conditionalAccessPolicies update " + policy, "namedLocations create Head office"}
	if got := actions(p); !slices.Equal(got, want) {
		t.Fatalf("plan = %q", got)
	}
	if ar := e.apply(t, p); ar.Failed != 0 {
		t.Fatalf("apply: %+v", ar.Steps)
	}
	if d := Diff(before, e.snapshot(t)); d.Changed() != 0 {
		t.Errorf("diff after restore: %+v", d)
	}
}

// TestRestoreScope: drift in four kinds, restore one: only it changes,
// every other kind stays byte-identical.
func TestRestoreScope(t *testing.T) {
	e := newEnv(t, nil)
	before := e.snapshot(t)
	e.drift(t, m365sim.ConfigDrift{Changes: []m365sim.ConfigChange{
		{Op: "patch", Set: tenant.SetAuthMethodConfigs, ID: "Sms", Props: map[string]any{"state": "disabled"}},
		{Op: "patch", Set: tenant.SetConditionalAccess, ID: "CA001: Require MFA for administrators", Props: map[string]any{"state": "disabled"}},
		{Op: "patch", Singleton: tenant.SingleAuthorization, Props: map[string]any{"allowInvitesFrom": "none"}},
		{Op: "patch", Singleton: tenant.SingleAdminConsent, Props: map[string]any{"isEnabled": true}},
	}})
	drifted := e.snapshot(t)
	p := e.plan(t, before, RestoreOptions{Kinds: []string{"authenticationMethodConfigurations"}})
	if got := actions(p); !slices.Equal(got, []string{"authenticationMethodConfigurations update "}) {
		t.Fatalf("plan = %q", got)
	}
	if ar := e.apply(t, p); ar.Failed != 0 || len(ar.Calls) != 1 || ar.Calls[0].Method != "PATCH" {
		t.Fatalf("apply: %+v", ar)
	}
	after := e.snapshot(t)
	for kind, objs := range drifted.Objects {
		if kind == "authenticationMethodConfigurations" {
			if !bytes.Equal(after.Objects[kind]["Sms"], before.Objects[kind]["Sms"]) {
				t.Errorf("Sms not restored:\n%s", after.Objects[kind]["Sms"])
			}
			continue
		}
		for key, b := range objs {
			if !bytes.Equal(after.Objects[kind][key], b) {
				t.Errorf("%s/%s changed outside the scope", kind, key)
			}
		}
		if len(after.Objects[kind]) != len(objs) {
			t.Errorf("%s: %d objects, were %d", kind, len(after.Objects[kind]), len(objs))
		}
	}

	// --id picks one object by display name; then the singletons (the
	// consent policy through PUT) are restored.
	p = e.plan(t, before, RestoreOptions{IDs: []string{"CA001: Require MFA for administrators"}})
	if got := actions(p); !slices.Equal(got, []string{"conditionalAccessPolicies update CA001: Require MFA for administrators"}) {
		t.Fatalf("plan --id = %q", got)
	}
	e.apply(t, p)
	p = e.plan(t, before, RestoreOptions{})
	if got := actions(p); len(got) != 2 {
		t.Fatalf("plan = %q", got)
	}
	ar := e.apply(t, p)
	if ar.Failed != 0 || !slices.ContainsFunc(ar.Calls, func(c Call) bool { return c.Method == "PUT" }) {
		t.Fatalf("apply: %+v", ar.Calls)
	}
	if d := Diff(before, e.snapshot(t)); d.Changed() != 0 {
		t.Errorf("diff after restore: %+v", d)
	}
}

// TestRestorePrivileged: a removed role assignment is planned as skipped
// without AllowPrivileged, and recreated with it.
func TestRestorePrivileged(t *testing.T) {
	e := newEnv(t, nil)
	before := e.snapshot(t)
	var assignment string
	for key := range before.Objects["roleAssignments"] {
		assignment = key
		break
	}
	e.drift(t, m365sim.ConfigDrift{Changes: []m365sim.ConfigChange{{Op: "delete", Set: tenant.SetRoleAssignments, ID: assignment}}})
	p := e.plan(t, before, RestoreOptions{})
	var skipped []Step
	for _, st := range p.Steps {
		if st.Action != ActionUnchanged {
			skipped = append(skipped, st)
		}
	}
	if len(skipped) != 1 || skipped[0].Action != ActionSkip || skipped[0].Key != assignment || !strings.Contains(skipped[0].Reason, "--allow-privileged") {
		t.Fatalf("plan = %+v", skipped)
	}
	if p.Writes() {
		t.Error("plan writes")
	}
	p = e.plan(t, before, RestoreOptions{AllowPrivileged: true, Kinds: []string{"roleAssignments"}})
	if got := actions(p); len(got) != 1 || !strings.HasPrefix(got[0], "roleAssignments create") {
		t.Fatalf("plan = %q", got)
	}
	if ar := e.apply(t, p); ar.Failed != 0 {
		t.Fatal("apply failed")
	}
	want, _ := decodeJSON(before.Objects["roleAssignments"][assignment])
	found := false
	for _, b := range e.snapshot(t).Objects["roleAssignments"] {
		got, _ := decodeJSON(b)
		found = found || (got["principalId"] == want["principalId"] && got["roleDefinitionId"] == want["roleDefinitionId"])
	}
	if !found {
		t.Error("assignment not recreated")
	}
}

// withPolicy returns a copy of s whose CA policy of that name is changed
// by fn, with refs added.
func withPolicy(t *testing.T, s *State, name string, refs map[string]Ref, fn func(users map[string]any)) *State {
	t.Helper()
	cp := *s
	cp.Objects = map[string]map[string][]byte{}
	for k, v := range s.Objects {
		cp.Objects[k] = map[string][]byte{}
		for key, b := range v {
			cp.Objects[k][key] = b
		}
	}
	cp.Refs = map[string]Ref{}
	for k, v := range s.Refs {
		cp.Refs[k] = v
	}
	for k, v := range refs {
		cp.Refs[k] = v
	}
	key := keyByName(t, s, "conditionalAccessPolicies", name)
	m, _ := decodeJSON(s.Objects["conditionalAccessPolicies"][key])
	fn(sub(sub(m, "conditions"), "users"))
	b, err := Canonical(Lookup("conditionalAccessPolicies"), m)
	if err != nil {
		t.Fatal(err)
	}
	cp.Objects["conditionalAccessPolicies"][key] = b
	return &cp
}

// TestRestoreDirectoryReferences: a group id the tenant lacks maps by the
// display name the snapshot recorded; one that no group has fails only
// its policy, naming the group, and the others are restored.
func TestRestoreDirectoryReferences(t *testing.T) {
	e := newEnv(t, nil)
	before := e.snapshot(t)
	const ghost, renamed = "6f1c2a34-0000-4000-8000-00000000dead", "6f1c2a34-0000-4000-8000-00000000beef"
	const ca3, ca5, ca1 = "CA003: Require MFA for all users", "CA005: VPN users need a compliant device off the office network", "CA001: Require MFA for administrators"
	vpn := keyByName(t, before, "conditionalAccessPolicies", ca5)
	var groups []string
	if err := json.Unmarshal(mustField(t, before, "conditionalAccessPolicies", ca5, "conditions", "users", "includeGroups"), &groups); err != nil || len(groups) != 1 {
		t.Fatalf("CA005 groups %v %v", groups, err)
	}
	vpnGroup := groups[0]
	snap := withPolicy(t, before, ca3, map[string]Ref{ghost: {Type: "group", DisplayName: "Former contractors"}},
		func(u map[string]any) { u["excludeGroups"] = []any{ghost} })
	snap = withPolicy(t, snap, ca5, map[string]Ref{renamed: {Type: "group", DisplayName: before.Refs[vpnGroup].DisplayName}},
		func(u map[string]any) { u["includeGroups"] = []any{renamed} })
	e.drift(t, m365sim.ConfigDrift{Changes: []m365sim.ConfigChange{
		{Op: "patch", Set: tenant.SetConditionalAccess, ID: ca1, Props: map[string]any{"state": "disabled"}},
		{Op: "patch", Set: tenant.SetConditionalAccess, ID: ca3, Props: map[string]any{"state": "disabled"}},
	}})
	p := e.plan(t, snap, RestoreOptions{})
	if !slices.Contains(p.Mappings, Mapping{Old: renamed, New: vpnGroup, Type: "group", By: "displayName"}) {
		t.Errorf("mappings = %+v", p.Mappings)
	}
	for _, st := range p.Steps {
		switch st.DisplayName {
		case ca5:
			if st.Action != ActionUnchanged {
				t.Errorf("%s: %s %+v", ca5, st.Action, st.Changes) // the mapped group is the same
			}
		case ca3:
			if st.Action != ActionUpdate || !strings.Contains(st.Error, `"Former contractors"`) || !strings.Contains(st.Error, ghost) {
				t.Errorf("%s: %s, error %q", ca3, st.Action, st.Error)
			}
		}
	}
	ar := e.apply(t, p)
	if ar.Failed != 1 || ar.Applied != 1 {
		t.Fatalf("apply: %d applied, %d failed", ar.Applied, ar.Failed)
	}
	after := e.snapshot(t)
	if s := mustField(t, after, "conditionalAccessPolicies", ca1, "state"); string(s) != `"enabled"` {
		t.Errorf("CA001 state %s", s)
	}
	if s := mustField(t, after, "conditionalAccessPolicies", ca3, "state"); string(s) != `"disabled"` {
		t.Errorf("CA003 state %s: the failed policy was written", s)
	}
	if !bytes.Equal(after.Objects["conditionalAccessPolicies"][vpn], before.Objects["conditionalAccessPolicies"][vpn]) {
		t.Error("CA005 changed")
	}
}

// TestRestoreUnknownKind: a kind the snapshot failed to read is skipped,
// and --prune deletes nothing in it.
func TestRestoreUnknownKind(t *testing.T) {
	e := newEnv(t, nil)
	before := e.snapshot(t)
	cp := *before
	cp.Kinds = map[string]KindResult{}
	for k, v := range before.Kinds {
		cp.Kinds[k] = v
	}
	cp.Kinds["namedLocations"] = KindResult{Status: StatusError, Error: "503"}
	cp.Objects = map[string]map[string][]byte{}
	for k, v := range before.Objects {
		if k != "namedLocations" {
			cp.Objects[k] = v
		}
	}
	p := e.plan(t, &cp, RestoreOptions{Prune: true})
	if got := actions(p); len(got) != 1 || got[0] != "namedLocations skip " {
		t.Fatalf("plan = %q", got)
	}
	if p.Writes() {
		t.Error("plan writes")
	}
}

// TestRestorePIMAndIntune: a PIM rule and an Intune compliance policy
// (a property and its assignments) drift; the restore PATCHes the one
// rule, PATCHes the policy with its @odata.type and reassigns it.
func TestRestorePIMAndIntune(t *testing.T) {
	e := newEnv(t, nil)
	before := e.snapshot(t)
	var pid string
	var rules []any
	for key, b := range before.Objects["roleManagementPolicies"] {
		m, _ := decodeJSON(b)
		for _, r := range list(m, "rules") {
			rm := r.(map[string]any)
			if rm["id"] == "Approval_EndUser_Assignment" && sub(rm, "setting")["isApprovalRequired"] == true {
				pid, rules = key, list(m, "rules")
			}
		}
	}
	if pid == "" {
		t.Fatal("no PIM policy requires approval")
	}
	for _, r := range rules {
		if rm := r.(map[string]any); rm["id"] == "Approval_EndUser_Assignment" {
			sub(rm, "setting")["isApprovalRequired"] = false
		}
	}
	const win = "Windows 10/11 baseline compliance"
	e.drift(t, m365sim.ConfigDrift{Changes: []m365sim.ConfigChange{
		{Op: "patch", Set: tenant.SetRoleManagementPolicies, ID: pid, Props: map[string]any{"rules": rules}},
		{Op: "patch", Set: tenant.SetCompliancePolicies, ID: win, Props: map[string]any{"passwordMinimumLength": 4, "assignments": []any{}}},
	}})
	p := e.plan(t, before, RestoreOptions{AllowPrivileged: true, Kinds: []string{"roleManagementPolicies", "deviceCompliancePolicies"}})
	if got := actions(p); len(got) != 2 {
		t.Fatalf("plan = %q", got)
	}
	for _, st := range p.Steps {
		if st.Action == ActionUpdate && st.Kind == "roleManagementPolicies" &&
			!slices.Equal(st.Paths(), []string{"rules[Approval_EndUser_Assignment].setting.isApprovalRequired"}) {
			t.Errorf("PIM paths = %v", st.Paths())
		}
	}
	ar := e.apply(t, p)
	var calls []string
	for _, c := range ar.Calls {
		calls = append(calls, c.Method+" "+c.Path[strings.LastIndex(c.Path, "/"):])
	}
	want := []string{"PATCH /Approval_EndUser_Assignment", "PATCH /" + keyByName(t, before, "deviceCompliancePolicies", win), "POST /assign"}
	slices.Sort(calls)
	slices.Sort(want)
	if ar.Failed != 0 || !slices.Equal(calls, want) {
		t.Fatalf("apply: %d failed, calls %q", ar.Failed, calls)
	}
	if d := Diff(before, e.snapshot(t)); d.Changed() != 0 {
		t.Errorf("diff after restore: %+v", d)
	}
}
