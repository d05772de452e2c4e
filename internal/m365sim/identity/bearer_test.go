package identity

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// forge signs claims with the provider's own key, to build tokens the token
// endpoint would never issue.
func forge(t testing.TB, p *Provider, edit func(*accessClaims)) string {
	t.Helper()
	now := p.now().Unix()
	c := accessClaims{
		Aud: GraphResource, Iss: v1Issuer(tenantID), Iat: now, Nbf: now, Exp: now + 600,
		AppID: appID, Idtyp: "app", Tid: tenantID, Ver: "1.0",
		Uti: b64.EncodeToString(append([]byte{0, 0, 0, 0, 0, 0, 0xff, 0xff}, make([]byte, 8)...)), // serial 65535
	}
	edit(&c)
	tok, err := signRS256(p.key, jwsHeader{Typ: "JWT", X5t: p.keyID, Kid: p.keyID}, c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestAuthenticate(t *testing.T) {
	p, clk := newProvider(t)
	good := getToken(t, p)
	stranger, _ := newProvider(t, func(c *Config) { c.SigningKey = strayKey() })
	foreign := getToken(t, stranger) // same tenants and apps, other key

	parts := strings.Split(good, ".")
	for _, tc := range []struct {
		name    string
		header  string
		advance time.Duration
		want    string // "" means accepted
	}{
		{name: "valid", header: "Bearer " + good},
		{name: "scheme is case-insensitive", header: "bearer  " + good + " "},
		{name: "valid just before exp", header: "Bearer " + good, advance: 119 * time.Second},
		{name: "no header", want: msgEmpty},
		{name: "empty bearer", header: "Bearer ", want: msgEmpty},
		{name: "Basic scheme", header: "Basic " + good, want: msgEmpty},
		{name: "no dots", header: "Bearer abcdef", want: msgNoDots},
		{name: "two parts", header: "Bearer " + parts[0] + "." + parts[1], want: msgInvalid},
		{name: "other key", header: "Bearer " + foreign, want: msgInvalid},
		{name: "tampered payload", header: "Bearer " + parts[0] + "." + b64.EncodeToString([]byte(`{"aud":"https://graph.microsoft.com"}`)) + "." + parts[2], want: msgInvalid},
		{name: "signature stripped", header: "Bearer " + parts[0] + "." + parts[1] + ".", want: msgInvalid},
		{name: "line break in signature", header: "Bearer " + insertNewline(good), want: msgInvalid},
		{name: "oversized", header: "Bearer " + strings.Repeat("a.", maxBearer), want: msgInvalid},
		{name: "expired at exp", header: "Bearer " + good, advance: 120 * time.Second, want: msgExpired},
		{name: "expired long ago", header: "Bearer " + good, advance: 24 * time.Hour, want: msgExpired},
		{name: "wrong audience", header: "Bearer " + forge(t, p, func(c *accessClaims) { c.Aud = "https://outlook.office.com" }), want: msgAudience},
		{name: "audience as Graph app id", header: "Bearer " + forge(t, p, func(c *accessClaims) { c.Aud = GraphAppID })},
		{name: "unknown tenant", header: "Bearer " + forge(t, p, func(c *accessClaims) {
			c.Tid = "99999999-9999-4999-8999-999999999999"
			c.Iss = v1Issuer(c.Tid)
		}), want: msgIssuer},
		{name: "tenant by domain", header: "Bearer " + forge(t, p, func(c *accessClaims) { c.Tid = tenantDomain; c.Iss = v1Issuer(c.Tid) }), want: msgIssuer},
		{name: "v2 issuer", header: "Bearer " + forge(t, p, func(c *accessClaims) { c.Iss = "https://login.microsoftonline.com/" + tenantID + "/v2.0" }), want: msgIssuer},
		{name: "not yet valid", header: "Bearer " + forge(t, p, func(c *accessClaims) { c.Nbf += 60 }), want: msgNotYetValid},
		{name: "no uti", header: "Bearer " + forge(t, p, func(c *accessClaims) { c.Uti = "" }), want: msgInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk.mu.Lock()
			clk.t = testStart.Add(tc.advance)
			clk.mu.Unlock()
			pr, aerr := p.Authenticate(graphRequest(tc.header))
			if tc.want == "" {
				if aerr != nil {
					t.Fatalf("rejected: %v", aerr)
				}
				if pr.TenantID != tenantID || pr.AppID != appID {
					t.Errorf("principal %+v", pr)
				}
				return
			}
			if aerr == nil {
				t.Fatalf("accepted, want %q", tc.want)
			}
			if aerr.Status != http.StatusUnauthorized || aerr.Code != "InvalidAuthenticationToken" || aerr.Message != tc.want {
				t.Errorf("got %d %s %q, want 401 InvalidAuthenticationToken %q", aerr.Status, aerr.Code, aerr.Message, tc.want)
			}
		})
	}
}

func TestAuthErrorHeaders(t *testing.T) {
	for _, tc := range []struct {
		name      string
		publicURL string
		tls       bool
		want      string
	}{
		{"from request", "", false, "http://login.test/common/oauth2/authorize"},
		{"from TLS request", "", true, "https://login.test/common/oauth2/authorize"},
		{"public url", "https://login.microsoftonline.com", false, "https://login.microsoftonline.com/common/oauth2/authorize"},
		{"graph host name maps to login", "", true, "https://login.microsoftonline.com/common/oauth2/authorize"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newProvider(t, func(c *Config) { c.PublicURL = tc.publicURL })
			r := graphRequest("")
			if tc.tls {
				host := "login.test"
				if strings.HasPrefix(tc.name, "graph") {
					host = "graph.microsoft.com"
				}
				r = httptest.NewRequest(http.MethodGet, "https://"+host+"/v1.0/me", nil)
			}
			_, aerr := p.Authenticate(r)
			if aerr == nil {
				t.Fatal("accepted a request without a token")
			}
			h := http.Header{}
			aerr.SetHeaders(h)
			want := `Bearer realm="", authorization_uri="` + tc.want + `", client_id="00000003-0000-0000-c000-000000000000"`
			if got := h.Get("WWW-Authenticate"); got != want {
				t.Errorf("WWW-Authenticate\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestExpireTokens(t *testing.T) {
	p, _ := newProvider(t, func(c *Config) { c.TokenLifetime = time.Hour })
	first, second := getToken(t, p), getToken(t, p)
	p.ExpireTokens()
	for _, tok := range []string{first, second} {
		if _, aerr := p.Authenticate(graphRequest("Bearer " + tok)); aerr == nil || aerr.Message != msgExpired {
			t.Fatalf("token issued before ExpireTokens: %v, want %q", aerr, msgExpired)
		}
	}
	fresh := getToken(t, p) // same instant on the fixed clock
	if _, aerr := p.Authenticate(graphRequest("Bearer " + fresh)); aerr != nil {
		t.Fatalf("token issued after ExpireTokens rejected: %v", aerr)
	}
	p.ExpireTokens()
	if _, aerr := p.Authenticate(graphRequest("Bearer " + fresh)); aerr == nil {
		t.Fatal("second ExpireTokens missed a token")
	}
}

func TestTestingHelpers(t *testing.T) {
	p := TestProvider(t, "Mail.Read")
	r := httptest.NewRequest(http.MethodGet, "http://graph.test/v1.0/users", nil)
	TestBearer(t, p, r)
	pr, aerr := p.Authenticate(r)
	if aerr != nil || pr.TenantID != TestTenantID || pr.AppID != TestClientID || !pr.Has("Mail.Read") {
		t.Fatalf("principal %+v, err %v", pr, aerr)
	}
}
