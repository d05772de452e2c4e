package posture_test

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkEvaluateLarge grades a tenant of 20,000 users, 200 conditional
// access policies and 1,000 role assignments with the built-in pack.
func BenchmarkEvaluateLarge(b *testing.B) {
	doc := fixture(b)
	data := doc["data"].(map[string]any)
	users := data["users"].([]any)
	for i := range 20000 {
		users = append(users, map[string]any{"id": fmt.Sprintf("99999999-0000-0000-0000-%012d", i),
			"displayName": fmt.Sprintf("User %d", i), "userPrincipalName": fmt.Sprintf("u%d@contoso.test", i)})
	}
	data["users"] = users
	cas := data["conditionalAccessPolicies"].([]any)
	for i := range 190 {
		cas = append(cas, map[string]any{"id": fmt.Sprintf("extra-%d", i), "displayName": "extra", "state": "enabled",
			"conditions": map[string]any{"users": map[string]any{"includeUsers": []any{"All"}},
				"applications": map[string]any{"includeApplications": []any{"All"}}, "clientAppTypes": []any{"all"}},
			"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"mfa"}}})
	}
	data["conditionalAccessPolicies"] = cas
	ras := data["roleAssignments"].([]any)
	for i := range 1000 {
		ras = append(ras, map[string]any{"id": fmt.Sprintf("rx%d", i), "roleDefinitionId": roleExchange,
			"principalId": fmt.Sprintf("99999999-0000-0000-0000-%012d", i), "directoryScopeId": "/"})
	}
	data["roleAssignments"] = ras
	inv := toInventory(b, doc)
	e := testEngine(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Evaluate(context.Background(), inv, fixtureExclusions(b)); err != nil {
			b.Fatal(err)
		}
	}
}
