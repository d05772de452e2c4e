package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	tenantID      = "8b6c3d2e-1f4a-4e5b-9c7d-0a1b2c3d4e5f"
	tenantDomain  = "contoso.onmicrosoft.com"
	otherTenantID = "2f3e4d5c-6b7a-4980-a1b2-c3d4e5f60718"
	appID         = "11111111-2222-4333-8444-555555555555" // secret app, both tenants
	certAppID     = "66666666-7777-4888-9999-aaaaaaaaaaaa" // certificate app, first tenant only
	otherAppID    = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff" // only in the other tenant
	// testSecret needs form encoding in every position, to exercise
	// RFC 6749 §2.3.1 decoding of Basic credentials.
	testSecret = "Sg3~+/=%:é sec"
	graphScope = "https://graph.microsoft.com/.default"
)

// testStart is the fixed time unit tests run at.
var testStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// RSA key generation dominates test time, so tests share keys.
var (
	signingKey = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
	clientKey  = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
	strayKey   = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
)

func mustRSA(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newCert self-signs a certificate for key valid from notBefore to notAfter.
func newCert(t testing.TB, key *rsa.PrivateKey, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "sg365 test client"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testConfig has two tenants, a secret app in both, a certificate app in the
// first and an app only in the second.
func testConfig(t testing.TB, clk *clock) Config {
	now := clk.Now()
	return Config{
		Tenants: []Tenant{
			{ID: tenantID, Domains: []string{tenantDomain, "contoso.test"}},
			{ID: otherTenantID, Domains: []string{"fabrikam.onmicrosoft.com"}},
		},
		Apps: []App{
			{
				ClientID: appID, DisplayName: "SafeGuard365 Backup",
				Secrets: []ClientSecret{
					{Value: NewSecret("expired-secret-value"), Expires: now.Add(-time.Hour)},
					{Value: NewSecret(testSecret)},
				},
				Roles: []string{"Mail.Read", "User.Read.All"},
			},
			{
				ClientID: certAppID, DisplayName: "SafeGuard365 Cert",
				Certificates: []*x509.Certificate{
					newCert(t, clientKey(), now.Add(-time.Hour), now.Add(365*24*time.Hour)),
					newCert(t, strayKey(), now.Add(-48*time.Hour), now.Add(-24*time.Hour)), // expired
				},
				Roles:   []string{"Files.Read.All"},
				Tenants: []string{tenantID},
			},
			{ClientID: otherAppID, DisplayName: "Other", Secrets: []ClientSecret{{Value: NewSecret("other-secret")}},
				Tenants: []string{otherTenantID}},
		},
		TokenLifetime: 2 * time.Minute,
		Seed:          365,
		Now:           clk.Now,
		SigningKey:    signingKey(),
	}
}

// newProvider builds a provider at testStart; mutate adjusts the config.
func newProvider(t testing.TB, mutate ...func(*Config)) (*Provider, *clock) {
	t.Helper()
	clk := &clock{t: testStart}
	cfg := testConfig(t, clk)
	for _, m := range mutate {
		m(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, clk
}

// do sends r to the provider's handler.
func do(p *Provider, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	p.Handler().ServeHTTP(rec, r)
	return rec
}

// tokenRequestFor builds a form POST to /{tenant}/oauth2/v2.0/token on
// http://login.test.
func tokenRequestFor(tenant string, form url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://login.test/"+tenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func secretForm(clientID, secret string) url.Values {
	return url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {clientID},
		"client_secret": {secret},
		"scope":         {graphScope},
	}
}

// getToken runs a secret grant and returns the access token.
func getToken(t testing.TB, p *Provider) string {
	t.Helper()
	rec := do(p, tokenRequestFor(tenantID, secretForm(appID, testSecret)))
	if rec.Code != http.StatusOK {
		t.Fatalf("token request: %d %s", rec.Code, rec.Body)
	}
	var tr tokenResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &tr); err != nil {
		t.Fatal(err)
	}
	return tr.AccessToken
}

// graphRequest is a Graph call carrying authorization as its header.
func graphRequest(authorization string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://login.test/v1.0/users", nil)
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	return r
}

// claimsOf decodes a token's payload without verifying it.
func claimsOf(t testing.TB, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	b, err := b64.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
