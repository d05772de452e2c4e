package tenant

import (
	"encoding/json"
	"testing"
)

// TestConfigGenerated checks the generated configuration: deterministic,
// every reference resolvable, for tenants from no users to several.
func TestConfigGenerated(t *testing.T) {
	for _, users := range []int{-1, 1, 2, 6} {
		opts := GenOptions{Seed: 5, Users: users, MessagesPerUser: -1, EventsPerUser: -1, ContactsPerUser: -1, FilesPerUser: -1}
		a, err := Generate(opts)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Generate(opts)
		ja, _ := json.Marshal(a.Config)
		jb, _ := json.Marshal(b.Config)
		if string(ja) != string(jb) {
			t.Errorf("users %d: configuration differs between runs", users)
		}
		cfg := a.Config
		if n := len(cfg.List(SetConditionalAccess)); n < 5 || n > 8 {
			t.Errorf("users %d: %d CA policies", users, n)
		}
		for _, p := range cfg.List(SetConditionalAccess) {
			u := p["conditions"].(map[string]any)["users"].(map[string]any)
			for _, k := range []string{"includeUsers", "excludeUsers"} {
				for _, id := range u[k].([]any) {
					if id != "All" && a.User(id.(string)) == nil {
						t.Errorf("users %d: %v %s names unknown user %q", users, p["displayName"], k, id)
					}
				}
			}
			for _, k := range []string{"includeGroups", "excludeGroups"} {
				for _, id := range u[k].([]any) {
					if a.GroupsByID[id.(string)] == nil {
						t.Errorf("users %d: %v %s names unknown group %q", users, p["displayName"], k, id)
					}
				}
			}
		}
		for _, set := range []string{SetRoleAssignments, SetRoleEligibilities} {
			for _, ra := range cfg.List(set) {
				if a.User(ra["principalId"].(string)) == nil || cfg.Find(SetRoleDefinitions, ra["roleDefinitionId"].(string)) == nil {
					t.Errorf("users %d: dangling %s %v", users, set, ra)
				}
			}
		}
		if users > 0 {
			ga := 0
			for _, set := range []string{SetRoleAssignments, SetRoleEligibilities} {
				for _, ra := range cfg.List(set) {
					if ra["roleDefinitionId"] == RoleGlobalAdmin {
						ga++
					}
				}
			}
			if want := min(users, 4); ga < min(want, 3) || ga > 5 {
				t.Errorf("users %d: %d Global Administrators", users, ga)
			}
		}
	}
}
