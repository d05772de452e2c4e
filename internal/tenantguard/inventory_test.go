package tenantguard

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/posture"
)

// TestInventoryFromState checks the mapping on a hand-made state: a
// singleton, a collection in key order, a forbidden kind, context filled in
// from a second state, and a kind nobody collected.
func TestInventoryFromState(t *testing.T) {
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	s := &State{ID: "snap1", TenantID: "t1", Finished: at,
		Kinds: map[string]KindResult{
			"authorizationPolicy":       {Status: StatusOK, Count: 1},
			"conditionalAccessPolicies": {Status: StatusOK, Count: 2},
			"roleAssignments":           {Status: StatusForbidden, Error: "403 Authorization_RequestDenied", Permission: "RoleManagement.Read.Directory"},
			"users":                     {Status: StatusOK}, // the snapshot wins over the context
		},
		Objects: map[string]map[string][]byte{
			"authorizationPolicy":       {"authorizationPolicy": []byte("{\n  \"id\": \"authorizationPolicy\"\n}\n")},
			"conditionalAccessPolicies": {"b": []byte(`{"id":"b"}`), "a": []byte(`{"id":"a"}`)},
			"users":                     {},
		},
	}
	live := &State{TenantID: "t1", Finished: at.Add(time.Hour),
		Kinds: map[string]KindResult{
			"users":   {Status: StatusOK, Count: 1},
			"domains": {Status: StatusOK, Count: 1},
			"groups":  {Status: StatusError, Error: "503 Service Unavailable"},
		},
		Objects: map[string]map[string][]byte{
			"users":   {"u1": []byte(`{"id":"u1"}`)},
			"domains": {"contoso.com": []byte(`{"id":"contoso.com","isDefault":true}`)},
		},
	}
	inv := InventoryFromState(s, live)
	if err := inv.Validate(); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"authorizationPolicy":       `{"id":"authorizationPolicy"}`,
		"conditionalAccessPolicies": `[{"id":"a"},{"id":"b"}]`,
		"users":                     `[]`,
		"domains":                   `[{"id":"contoso.com","isDefault":true}]`,
	} {
		var got, w any
		if err := json.Unmarshal(inv.Data[key], &got); err != nil {
			t.Fatalf("%s: %v: %s", key, err, inv.Data[key])
		}
		json.Unmarshal([]byte(want), &w)
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(w)
		if string(gb) != string(wb) || inv.SourceState(key).Status != posture.SourceOK {
			t.Errorf("%s: %s (%+v), want %s", key, gb, inv.SourceState(key), wb)
		}
	}
	if st := inv.SourceState("roleAssignments"); st.Status != posture.SourceError ||
		!strings.HasPrefix(st.Error, "forbidden: grant RoleManagement.Read.Directory") {
		t.Errorf("roleAssignments: %+v", st)
	}
	if st := inv.SourceState("groups"); st.Status != posture.SourceError || !strings.Contains(st.Endpoint, "read 2026-11-20T09:00:00Z") {
		t.Errorf("groups: %+v", st)
	}
	if st := inv.SourceState("subscribedSkus"); st.Status != posture.SourceNotCollected {
		t.Errorf("subscribedSkus: %+v", st)
	}
	if !strings.Contains(inv.Collector, "snapshot snap1; read live: domains, groups") || inv.Tenant.DefaultDomain != "contoso.com" ||
		!inv.CollectedAt.Equal(at) {
		t.Errorf("collector %q, tenant %+v, collected %v", inv.Collector, inv.Tenant, inv.CollectedAt)
	}
	if ep := inv.SourceState("conditionalAccessPolicies").Endpoint; ep != "GET /v1.0/identity/conditionalAccess/policies" {
		t.Errorf("endpoint %q", ep)
	}
}

// TestCollectInventory reads the emulated tenant: every source is collected,
// role-assignable groups carry their members, and a kind the app may not
// read is an error naming the permission.
func TestCollectInventory(t *testing.T) {
	var roles []string
	for _, r := range m365sim.AllRoles() {
		if !strings.HasPrefix(r, "RoleAssignmentSchedule.") && !strings.HasPrefix(r, "RoleManagement.") {
			roles = append(roles, r)
		}
	}
	e := newEnv(t, roles)
	inv, err := CollectInventory(t.Context(), e.c, InventoryOptions{Options: Options{TenantID: e.l.TenantID}, Collector: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := inv.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, k := range append(KindNames(), ContextKindNames()...) {
		st := inv.SourceState(k)
		switch k {
		case "roleAssignmentScheduleInstances":
			if st.Status != posture.SourceError || !strings.Contains(st.Error, "grant RoleAssignmentSchedule.Read.Directory") {
				t.Errorf("%s: %+v", k, st)
			}
		case "roleDefinitions", "roleAssignments":
			if st.Status != posture.SourceError || !strings.Contains(st.Error, "forbidden: grant ") {
				t.Errorf("%s: %+v", k, st)
			}
		default:
			if st.Status != posture.SourceOK {
				t.Errorf("%s: %+v", k, st)
			}
		}
	}
	var groups []struct {
		ID      string `json:"id"`
		Members []struct {
			Type string `json:"@odata.type"`
			ID   string `json:"id"`
		} `json:"members"`
	}
	if err := json.Unmarshal(inv.Data["groups"], &groups); err != nil || len(groups) != 1 || len(groups[0].Members) == 0 ||
		groups[0].Members[0].Type != "#microsoft.graph.user" {
		t.Errorf("groups: %v %s", err, inv.Data["groups"])
	}
	if inv.Tenant.DisplayName == "" || !strings.HasPrefix(inv.Collector, "test tenantguard (live)") {
		t.Errorf("tenant %+v collector %q", inv.Tenant, inv.Collector)
	}
}
