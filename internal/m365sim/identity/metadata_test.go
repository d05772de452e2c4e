package identity

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func getJSON(t *testing.T, p *Provider, target string, v any) int {
	t.Helper()
	rec := do(p, httptest.NewRequest(http.MethodGet, target, nil))
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("GET %s: %d %q: %v", target, rec.Code, rec.Body, err)
	}
	return rec.Code
}

func TestOpenIDConfiguration(t *testing.T) {
	for _, tc := range []struct {
		name, publicURL, target, wantBase, wantSeg, wantIssuer string
	}{
		{"by tenant id", "", "http://login.test/" + tenantID + "/v2.0/.well-known/openid-configuration",
			"http://login.test", tenantID, "http://login.test/" + tenantID + "/v2.0"},
		{"by domain names the tenant id", "", "https://login.test:8443/" + tenantDomain + "/v2.0/.well-known/openid-configuration",
			"https://login.test:8443", tenantID, "https://login.test:8443/" + tenantID + "/v2.0"},
		{"public url", "https://login.microsoftonline.com/", "http://127.0.0.1:9/" + tenantID + "/v2.0/.well-known/openid-configuration",
			"https://login.microsoftonline.com", tenantID, "https://login.microsoftonline.com/" + tenantID + "/v2.0"},
		{"common has placeholders", "", "http://login.test/common/v2.0/.well-known/openid-configuration",
			"http://login.test", "{tenant}", "http://login.test/{tenantid}/v2.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newProvider(t, func(c *Config) { c.PublicURL = tc.publicURL })
			var doc map[string]any
			if code := getJSON(t, p, tc.target, &doc); code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			authority := tc.wantBase + "/" + tc.wantSeg
			for k, want := range map[string]string{
				"issuer":                 tc.wantIssuer,
				"token_endpoint":         authority + "/oauth2/v2.0/token",
				"authorization_endpoint": authority + "/oauth2/v2.0/authorize",
				"jwks_uri":               authority + "/discovery/v2.0/keys",
				"msgraph_host":           "graph.microsoft.com",
			} {
				if doc[k] != want {
					t.Errorf("%s = %v, want %s", k, doc[k], want)
				}
			}
			methods, _ := doc["token_endpoint_auth_methods_supported"].([]any)
			if len(methods) != 3 || !slices.Contains(methods, any("private_key_jwt")) {
				t.Errorf("token_endpoint_auth_methods_supported %v", methods)
			}
		})
	}
}

func TestMetadataUnknownTenant(t *testing.T) {
	p, _ := newProvider(t)
	for _, path := range []string{"/v2.0/.well-known/openid-configuration", "/discovery/v2.0/keys"} {
		var e stsErrorBody
		code := getJSON(t, p, "http://login.test/nowhere.test"+path, &e)
		if code != http.StatusBadRequest || e.Error != "invalid_tenant" || !slices.Equal(e.ErrorCodes, []int{90002}) {
			t.Errorf("%s: %d %+v, want 400 invalid_tenant 90002", path, code, e)
		}
	}
}

// TestJWKSVerifiesIssuedTokens checks the published key with golang-jwt, as a
// resource server that knows only the JWKS would.
func TestJWKSVerifiesIssuedTokens(t *testing.T) {
	p, clk := newProvider(t)
	var set struct {
		Keys []struct {
			Kty, Use, Kid, X5t, N, E string
			X5c                      []string
		}
	}
	if code := getJSON(t, p, "http://login.test/"+tenantDomain+"/discovery/v2.0/keys", &set); code != http.StatusOK || len(set.Keys) != 1 {
		t.Fatalf("status %d keys %d", code, len(set.Keys))
	}
	k := set.Keys[0]
	n, _ := base64.RawURLEncoding.DecodeString(k.N)
	e, _ := base64.RawURLEncoding.DecodeString(k.E)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	der, err := base64.StdEncoding.DecodeString(k.X5c[0])
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil || !cert.PublicKey.(*rsa.PublicKey).Equal(pub) {
		t.Fatalf("x5c does not carry the published key (err %v)", err)
	}
	if k.Kty != "RSA" || k.Use != "sig" || k.Kid != k.X5t {
		t.Errorf("jwk %+v", k)
	}

	tok := getToken(t, p)
	parsed, err := jwt.Parse(tok, func(tk *jwt.Token) (any, error) {
		if tk.Header["kid"] != k.Kid {
			t.Errorf("token kid %v, jwks kid %s", tk.Header["kid"], k.Kid)
		}
		return pub, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(GraphResource),
		jwt.WithIssuer("https://sts.windows.net/"+tenantID+"/"), jwt.WithTimeFunc(clk.Now))
	if err != nil || !parsed.Valid {
		t.Fatalf("golang-jwt rejects an issued token: %v", err)
	}
}

func TestInstanceDiscovery(t *testing.T) {
	p, _ := newProvider(t)
	discover := func(host, ae string) (int, map[string]any) {
		q := url.Values{"api-version": {"1.1"}}
		if ae != "" {
			q.Set("authorization_endpoint", ae)
		}
		var m map[string]any
		code := getJSON(t, p, "https://"+host+"/common/discovery/instance?"+q.Encode(), &m)
		return code, m
	}

	code, m := discover("emu.test:8443", "https://emu.test:8443/"+tenantID+"/oauth2/v2.0/authorize")
	md, _ := m["metadata"].([]any)
	if code != http.StatusOK || m["api-version"] != "1.1" || len(md) != 1 ||
		m["tenant_discovery_endpoint"] != "https://emu.test:8443/"+tenantID+"/v2.0/.well-known/openid-configuration" {
		t.Fatalf("own host: %d %v", code, m)
	}
	entry := md[0].(map[string]any)
	if entry["preferred_network"] != "emu.test:8443" || entry["preferred_cache"] != "emu.test:8443" ||
		!slices.Equal(entry["aliases"].([]any), []any{"emu.test:8443"}) {
		t.Errorf("metadata %v", entry)
	}

	// Reached through a hosts entry as the public cloud.
	code, m = discover("login.microsoftonline.com", "https://login.microsoftonline.com/"+tenantDomain+"/oauth2/v2.0/authorize")
	entry = m["metadata"].([]any)[0].(map[string]any)
	if code != http.StatusOK || entry["preferred_network"] != "login.microsoftonline.com" || len(entry["aliases"].([]any)) != 4 {
		t.Errorf("public cloud: %d %v", code, m)
	}

	for _, tc := range []struct{ ae, oauth string }{
		{"https://evil.test/" + tenantID + "/oauth2/v2.0/authorize", "invalid_instance"},
		{"https://emu.test:8443/", "invalid_instance"},
		{"https://emu.test:8443/a%20b/oauth2/v2.0/authorize", "invalid_instance"},
		{"http://login.microsoftonline.com/" + tenantID + "/oauth2/v2.0/authorize", "invalid_instance"},
		{"", "invalid_request"},
	} {
		code, m := discover("emu.test:8443", tc.ae)
		if code != http.StatusBadRequest || m["error"] != tc.oauth {
			t.Errorf("authorization_endpoint %q: %d %v, want 400 %s", tc.ae, code, m, tc.oauth)
		}
	}
}

func TestRouting(t *testing.T) {
	p, _ := newProvider(t)
	for _, tc := range []struct {
		method, path string
		status       int
		handles      bool
	}{
		{"GET", "/" + tenantID + "/discovery/keys", 200, true},
		{"HEAD", "/" + tenantID + "/discovery/v2.0/keys", 200, true},
		{"POST", "/" + tenantID + "/discovery/v2.0/keys", 405, true},
		{"GET", "/v1.0/users", 404, false},
		{"GET", "/" + tenantID + "/oauth2/v2.0/authorize", 404, false},
		{"GET", "//discovery/instance", 404, false},
	} {
		rec := do(p, httptest.NewRequest(tc.method, "http://login.test"+tc.path, nil))
		if rec.Code != tc.status || Handles(tc.path) != tc.handles {
			t.Errorf("%s %s: %d handles=%v, want %d %v", tc.method, tc.path, rec.Code, Handles(tc.path), tc.status, tc.handles)
		}
	}
}
