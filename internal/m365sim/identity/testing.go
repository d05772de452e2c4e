package identity

import (
	"net/http"
	"testing"
	"time"
)

// IDs of the tenant and app TestProvider registers.
const (
	TestTenantID = "0d7c2b9e-3f51-4a68-9c2d-5e8f1a4b7c30"
	TestDomain   = "sg365test.onmicrosoft.com"
	TestClientID = "4f1e8a2c-9b3d-4c75-8e60-2a1d7b9c3e54"
	TestSecret   = "sg365-test-secret"
)

// TestProvider returns a Provider with one tenant (TestTenantID,
// TestDomain) and one app (TestClientID, secret TestSecret) granted roles,
// on the real clock. Tests of the emulated Graph use it with IssueToken and
// TestBearer.
func TestProvider(tb testing.TB, roles ...string) *Provider {
	tb.Helper()
	p, err := New(Config{
		Tenants: []Tenant{{ID: TestTenantID, Domains: []string{TestDomain}}},
		Apps: []App{{
			ClientID: TestClientID, DisplayName: "SafeGuard365 test app",
			Secrets: []ClientSecret{{Value: NewSecret(TestSecret)}}, Roles: roles,
		}},
		TokenLifetime: time.Hour,
	})
	if err != nil {
		tb.Fatalf("identity test provider: %v", err)
	}
	return p
}

// TestBearer sets r's Authorization header to a fresh token for the
// TestProvider app.
func TestBearer(tb testing.TB, p *Provider, r *http.Request) {
	tb.Helper()
	tok, err := p.IssueToken(TestTenantID, TestClientID)
	if err != nil {
		tb.Fatalf("identity test token: %v", err)
	}
	r.Header.Set("Authorization", "Bearer "+tok)
}
