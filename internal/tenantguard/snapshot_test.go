package tenantguard

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

func TestSnapshotCollectsEveryKind(t *testing.T) {
	e := newEnv(t, nil)
	s := e.snapshot(t)
	for _, k := range Registry {
		res, ok := s.Kinds[k.Name]
		if !ok || res.Status != StatusOK {
			t.Errorf("%s: %+v", k.Name, res)
			continue
		}
		if res.Count != len(s.Objects[k.Name]) {
			t.Errorf("%s: count %d, %d objects", k.Name, res.Count, len(s.Objects[k.Name]))
		}
	}
	for kind, min := range map[string]int{"namedLocations": 3, "conditionalAccessPolicies": 5, "authenticationMethodConfigurations": 8,
		"roleDefinitions": 1, "roleAssignments": 3, "deviceCompliancePolicies": 2, "authorizationPolicy": 1} {
		if n := len(s.Objects[kind]); n < min {
			t.Errorf("%s: %d objects, want at least %d", kind, n, min)
		}
	}
	// Built-in role definitions are Microsoft's and not stored.
	for _, b := range s.Objects["roleDefinitions"] {
		if bytes.Contains(b, []byte(`"isBuiltIn": true`)) {
			t.Errorf("built-in role stored: %s", b)
		}
	}
	// Volatile properties and annotations are stripped at every depth.
	for kind, objs := range s.Objects {
		for key, b := range objs {
			for _, v := range []string{"createdDateTime", "modifiedDateTime", "@odata.context"} {
				if bytes.Contains(b, []byte(`"`+v+`"`)) {
					t.Errorf("%s/%s keeps %s", kind, key, v)
				}
			}
		}
	}
	// Compliance policies keep their expanded assignments and actions.
	for key, b := range s.Objects["deviceCompliancePolicies"] {
		if !bytes.Contains(b, []byte(`"assignments"`)) || !bytes.Contains(b, []byte(`"scheduledActionConfigurations"`)) {
			t.Errorf("compliance policy %s lacks its expansions: %s", key, b)
		}
	}
	// References carry display names: the Global Administrator role, the
	// CA policies' groups and the excluded break-glass user.
	if ref := s.Refs[tenant.RoleGlobalAdmin]; ref.Type != "role" || ref.DisplayName != "Global Administrator" {
		t.Errorf("Global Administrator ref = %+v", ref)
	}
	types := map[string]int{}
	for _, ref := range s.Refs {
		types[ref.Type]++
		if ref.DisplayName == "" {
			t.Errorf("unresolved ref %+v", ref)
		}
	}
	if types["user"] == 0 || types["group"] == 0 || types["role"] == 0 {
		t.Errorf("ref types = %v", types)
	}

	// What Load reads back equals what was collected.
	got, err := Load(t.Context(), e.r, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(Diff(s, got).Kinds) != 0 {
		t.Errorf("loaded snapshot differs: %+v", Diff(s, got))
	}
	if !equalObjects(s, got) || len(got.Refs) != len(s.Refs) || got.Kinds["namedLocations"].Count != s.Kinds["namedLocations"].Count {
		t.Error("loaded snapshot is not the saved one")
	}
	list, err := Snapshots(t.Context(), e.r, e.l.TenantID)
	if err != nil || len(list) != 1 || list[0].ID != s.ID {
		t.Errorf("Snapshots = %v, %v", list, err)
	}
}

func equalObjects(a, b *State) bool {
	if len(a.Objects) != len(b.Objects) {
		return false
	}
	for kind, objs := range a.Objects {
		if len(objs) != len(b.Objects[kind]) {
			return false
		}
		for key, v := range objs {
			if !bytes.Equal(v, b.Objects[kind][key]) {
				return false
			}
		}
	}
	return true
}

// TestSnapshotStable: two snapshots of an unchanged tenant hold the same
// bytes, and the second stores no new content.
func TestSnapshotStable(t *testing.T) {
	e := newEnv(t, nil)
	a, b := e.snapshot(t), e.snapshot(t)
	if !equalObjects(a, b) {
		t.Fatal("canonical JSON differs between runs")
	}
	if d := Diff(a, b); len(d.Kinds) != 0 {
		t.Errorf("diff of unchanged tenant: %+v", d)
	}
	ra, _ := json.Marshal(a.Refs)
	rb, _ := json.Marshal(b.Refs)
	if !bytes.Equal(ra, rb) {
		t.Error("refs differ between runs")
	}
}

// TestSnapshotDrift: snapshot, drift through the control API, snapshot:
// the diff shows exactly the drift.
func TestSnapshotDrift(t *testing.T) {
	e := newEnv(t, nil)
	before := e.snapshot(t)
	res := e.drift(t, m365sim.ConfigDrift{})
	sms := m365sim.ConfigChange{Op: "patch", Set: tenant.SetAuthMethodConfigs, ID: "Sms", Props: map[string]any{"state": "disabled"}}
	var user string
	e.l.Server.Tenant().Read(func() error { user = e.l.Server.Tenant().Users[1].ID; return nil })
	addUser := m365sim.ConfigChange{Op: "patch", Set: tenant.SetConditionalAccess, ID: "CA002: Block legacy authentication",
		Props: map[string]any{"conditions": map[string]any{"users": map[string]any{"excludeUsers": nil}}}}
	e.drift(t, m365sim.ConfigDrift{Changes: []m365sim.ConfigChange{sms, addUser}})
	// Set the exclusions to the old ones plus a user, in another order.
	var old []any
	json.Unmarshal(mustField(t, before, "conditionalAccessPolicies", "CA002: Block legacy authentication", "conditions", "users", "excludeUsers"), &old)
	addUser.Props = map[string]any{"conditions": map[string]any{"users": map[string]any{"excludeUsers": append([]any{user}, old...)}}}
	e.drift(t, m365sim.ConfigDrift{Changes: []m365sim.ConfigChange{addUser}})
	after := e.snapshot(t)

	d := Diff(before, after)
	got := map[string]string{} // kind/op -> key
	for _, kd := range d.Kinds {
		if kd.Unknown {
			t.Errorf("%s unknown: %s", kd.Kind, kd.Reason)
		}
		for _, oc := range kd.Objects {
			got[kd.Kind+"/"+oc.Key] = oc.Op
		}
	}
	disabled, added, deleted := res.Changes[0].ID, res.Changes[1].ID, res.Changes[2].ID
	ca002 := keyByName(t, before, "conditionalAccessPolicies", "CA002: Block legacy authentication")
	want := map[string]string{
		"conditionalAccessPolicies/" + disabled:  "changed",
		"conditionalAccessPolicies/" + ca002:     "changed",
		"namedLocations/" + added:                "added",
		"namedLocations/" + deleted:              "removed",
		"authenticationMethodConfigurations/Sms": "changed",
	}
	if len(got) != len(want) {
		t.Errorf("diff = %v, want %v", got, want)
	}
	for k, op := range want {
		if got[k] != op {
			t.Errorf("%s: %q, want %q", k, got[k], op)
		}
	}
	for _, kd := range d.Kinds {
		for _, oc := range kd.Objects {
			switch kd.Kind + "/" + oc.Key {
			case "conditionalAccessPolicies/" + disabled:
				if len(oc.Changes) != 1 || oc.Changes[0].Path != "state" || string(oc.Changes[0].New) != `"disabled"` {
					t.Errorf("disabled policy changes = %+v", oc.Changes)
				}
			case "conditionalAccessPolicies/" + ca002:
				// A set: only the added user, whatever the order.
				if len(oc.Changes) != 1 || oc.Changes[0].Path != "conditions.users.excludeUsers" ||
					len(oc.Changes[0].Added) != 1 || oc.Changes[0].Added[0] != user || len(oc.Changes[0].Removed) != 0 {
					t.Errorf("CA002 changes = %+v", oc.Changes)
				}
			}
		}
	}
}

func keyByName(t *testing.T, s *State, kind, name string) string {
	t.Helper()
	for key, b := range s.Objects[kind] {
		if displayName(b) == name {
			return key
		}
	}
	t.Fatalf("%s: no %q", kind, name)
	return ""
}

func mustField(t *testing.T, s *State, kind, name string, path ...string) []byte {
	t.Helper()
	m, err := decodeJSON(s.Objects[kind][keyByName(t, s, kind, name)])
	if err != nil {
		t.Fatal(err)
	}
	var v any = m
	for _, p := range path {
		v = v.(map[string]any)[p]
	}
	b, _ := json.Marshal(v)
	return b
}

// TestSnapshotForbiddenIsUnknown: a kind Graph refuses (403) is recorded as
// forbidden with the permission to grant, and a diff against a complete
// snapshot reports it as unknown, never its objects as removed.
func TestSnapshotForbiddenIsUnknown(t *testing.T) {
	var roles []string
	for _, r := range m365sim.AllRoles() {
		if !strings.HasPrefix(r, "DeviceManagementConfiguration.") {
			roles = append(roles, r)
		}
	}
	full := newEnv(t, nil)
	complete := full.snapshot(t)

	e := newEnv(t, roles)
	part, err := Snapshot(t.Context(), e.c, e.r, Options{TenantID: e.l.TenantID})
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"deviceCompliancePolicies", "deviceConfigurations"} {
		res := part.Kinds[kind]
		if res.Status != StatusForbidden || res.Permission != "DeviceManagementConfiguration.Read.All" || res.Error == "" {
			t.Errorf("%s: %+v", kind, res)
		}
		if len(part.Objects[kind]) != 0 {
			t.Errorf("%s: objects stored for a forbidden kind", kind)
		}
	}
	if part.Kinds["namedLocations"].Status != StatusOK {
		t.Errorf("namedLocations: %+v", part.Kinds["namedLocations"])
	}
	// Both tenants have the same seed, hence the same configuration.
	for _, d := range []Result{Diff(complete, part), Diff(part, complete)} {
		if d.Changed() != 0 {
			t.Errorf("diff reports %d changed objects: %+v", d.Changed(), d)
		}
		if u := d.Unknown(); !slices.Equal(u, []string{"deviceCompliancePolicies", "deviceConfigurations"}) {
			t.Errorf("unknown = %v", u)
		}
	}
	loaded, err := Load(t.Context(), e.r, part.ID)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Kinds["deviceConfigurations"].Status != StatusForbidden {
		t.Errorf("loaded status = %+v", loaded.Kinds["deviceConfigurations"])
	}
}

// TestSnapshotServerErrorIsUnknown: a kind that keeps failing with 503
// is recorded as an error and diffs as unknown.
func TestSnapshotServerErrorIsUnknown(t *testing.T) {
	e := newEnv(t, nil)
	before := e.snapshot(t)
	if err := e.l.Control("POST", "faults/fail-next", map[string]any{"path": "/v1.0/identity/conditionalAccess/namedLocations", "status": 500, "count": 20}, nil); err != nil {
		t.Fatal(err)
	}
	after := e.snapshot(t)
	if res := after.Kinds["namedLocations"]; res.Status != StatusError || res.Error == "" {
		t.Fatalf("namedLocations: %+v", res)
	}
	d := Diff(before, after)
	if d.Changed() != 0 || !slices.Equal(d.Unknown(), []string{"namedLocations"}) {
		t.Errorf("diff = %+v", d)
	}
}

// TestSnapshotRecreatedLocation: a named location in use is deleted and
// recreated with the same settings under a new id, and the policy that
// used it is pointed at the new one, as a restore does: the diff reports
// the match and no change.
func TestSnapshotRecreatedLocation(t *testing.T) {
	e := newEnv(t, nil)
	before := e.snapshot(t)
	oldID := keyByName(t, before, "namedLocations", "Head office")
	var loc map[string]any
	if err := json.Unmarshal(before.Objects["namedLocations"][oldID], &loc); err != nil {
		t.Fatal(err)
	}
	delete(loc, "id")
	res := e.drift(t, m365sim.ConfigDrift{Changes: []m365sim.ConfigChange{
		{Op: "add", Set: tenant.SetNamedLocations, Props: loc},
		{Op: "delete", Set: tenant.SetNamedLocations, ID: oldID},
	}})
	newID := res.Changes[0].ID
	repoint := m365sim.ConfigChange{Op: "patch", Set: tenant.SetConditionalAccess, ID: "CA005: VPN users need a compliant device off the office network",
		Props: map[string]any{"conditions": map[string]any{"locations": map[string]any{"excludeLocations": []any{newID}}}}}
	e.drift(t, m365sim.ConfigDrift{Changes: []m365sim.ConfigChange{repoint}})
	d := Diff(before, e.snapshot(t))
	if d.Changed() != 0 || len(d.Matched) != 1 || d.Matched[0].OldKey != oldID || d.Matched[0].NewKey != newID {
		t.Errorf("diff = %+v", d)
	}
}
