package identity

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// basic encodes HTTP Basic client credentials per RFC 6749 §2.3.1: each part
// form-encoded, then base64.
func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func TestTokenGrantSucceeds(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tenant  string
		form    url.Values
		header  map[string]string
		wantAud string
	}{
		{name: "secret in form", tenant: tenantID, form: secretForm(appID, testSecret), wantAud: GraphResource},
		{name: "tenant by domain, any case", tenant: "Contoso.OnMicrosoft.com", form: secretForm(appID, testSecret), wantAud: GraphResource},
		{name: "upper-case client id", tenant: tenantID, form: secretForm(strings.ToUpper(appID), testSecret), wantAud: GraphResource},
		{
			name: "secret in HTTP Basic", tenant: tenantID,
			form:   url.Values{"grant_type": {"client_credentials"}, "scope": {graphScope}},
			header: map[string]string{"Authorization": basic(appID, testSecret)}, wantAud: GraphResource,
		},
		{
			name: "Basic with matching client_id in form", tenant: tenantID,
			form:   url.Values{"grant_type": {"client_credentials"}, "client_id": {appID}, "scope": {graphScope}},
			header: map[string]string{"Authorization": basic(appID, testSecret)}, wantAud: GraphResource,
		},
		{name: "scope by Graph app id", tenant: tenantID, wantAud: GraphAppID,
			form: withField(secretForm(appID, testSecret), "scope", GraphAppID+"/.default")},
		{name: "double slash scope", tenant: tenantID, wantAud: GraphResource,
			form: withField(secretForm(appID, testSecret), "scope", "https://graph.microsoft.com//.default")},
		{name: "OpenID scopes MSAL adds are ignored", tenant: tenantID, wantAud: GraphResource,
			form: withField(secretForm(appID, testSecret), "scope", graphScope+" openid offline_access profile")},
		{name: "claims field from azidentity is ignored", tenant: tenantID, wantAud: GraphResource,
			form: withField(secretForm(appID, testSecret), "claims", `{"access_token":{"xms_cc":{"values":["CP1"]}}}`)},
		{name: "content type with charset", tenant: tenantID, form: secretForm(appID, testSecret), wantAud: GraphResource,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newProvider(t)
			r := tokenRequestFor(tc.tenant, tc.form)
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			rec := do(p, r)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("Cache-Control %q, want no-store (RFC 6749 §5.1)", cc)
			}
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if body["token_type"] != "Bearer" || body["expires_in"] != 120.0 || body["ext_expires_in"] != 120.0 {
				t.Errorf("response %v, want Bearer with expires_in=ext_expires_in=120", body)
			}
			tok, _ := body["access_token"].(string)
			if aud := claimsOf(t, tok)["aud"]; aud != tc.wantAud {
				t.Errorf("aud %v, want %s", aud, tc.wantAud)
			}
			pr, aerr := p.Authenticate(graphRequest("Bearer " + tok))
			if aerr != nil {
				t.Fatalf("issued token rejected: %v", aerr)
			}
			want := Principal{TenantID: tenantID, AppID: appID, AppName: "SafeGuard365 Backup",
				ObjectID: ServicePrincipalID(tenantID, appID), Roles: []string{"Mail.Read", "User.Read.All"}}
			if fmt.Sprint(*pr) != fmt.Sprint(want) {
				t.Errorf("principal %+v, want %+v", *pr, want)
			}
		})
	}
}

func withField(v url.Values, k, val string) url.Values {
	c := url.Values{}
	for kk, vv := range v {
		c[kk] = slices.Clone(vv)
	}
	if val == "" {
		c.Del(k)
	} else {
		c.Set(k, val)
	}
	return c
}

var descRE = regexp.MustCompile(`^AADSTS(\d+): (.+)\r\nTrace ID: ([0-9a-f-]{36})\r\nCorrelation ID: ([0-9a-f-]{36})\r\nTimestamp: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ)$`)

func TestTokenErrors(t *testing.T) {
	const canary = "leak-canary-7f3a9c" // a wrong secret that must never be echoed
	base := secretForm(appID, testSecret)
	for _, tc := range []struct {
		name    string
		method  string
		tenant  string
		form    url.Values
		body    string // overrides form
		header  map[string]string
		prepare func(*Provider)
		status  int
		oauth   string
		code    int
	}{
		{name: "wrong secret", form: withField(base, "client_secret", canary), status: 401, oauth: "invalid_client", code: 7000215},
		{name: "wrong secret in Basic", form: withField(withField(base, "client_secret", ""), "client_id", ""),
			header: map[string]string{"Authorization": basic(appID, canary)}, status: 401, oauth: "invalid_client", code: 7000215},
		{name: "expired secret", form: withField(base, "client_secret", "expired-secret-value"), status: 401, oauth: "invalid_client", code: 7000222},
		{name: "no credential", form: withField(base, "client_secret", ""), status: 401, oauth: "invalid_client", code: 7000218},
		{name: "unknown app", form: withField(base, "client_id", "00000000-0000-4000-8000-000000000001"), status: 400, oauth: "unauthorized_client", code: 700016},
		{name: "app not in this tenant", form: secretForm(otherAppID, "other-secret"), status: 400, oauth: "unauthorized_client", code: 700016},
		{name: "unknown tenant", tenant: "nowhere.onmicrosoft.com", status: 400, oauth: "invalid_request", code: 90002},
		{name: "common authority", tenant: "common", status: 400, oauth: "invalid_request", code: 9001023},
		{name: "organizations authority", tenant: "organizations", status: 400, oauth: "invalid_request", code: 50059},
		{name: "other resource", form: withField(base, "scope", "https://outlook.office.com/.default"), status: 400, oauth: "invalid_scope", code: 70011},
		{name: "delegated scope", form: withField(base, "scope", "https://graph.microsoft.com/Mail.Read"), status: 400, oauth: "invalid_scope", code: 70011},
		{name: "two resources", form: withField(base, "scope", graphScope+" https://outlook.office.com/.default"), status: 400, oauth: "invalid_scope", code: 700022},
		{name: "missing scope", form: withField(base, "scope", ""), status: 400, oauth: "invalid_request", code: 900144},
		{name: "only OpenID scopes", form: withField(base, "scope", "openid profile"), status: 400, oauth: "invalid_scope", code: 70011},
		{name: "blank scope", form: withField(base, "scope", "   "), status: 400, oauth: "invalid_request", code: 900144},
		{name: "missing grant type", form: withField(base, "grant_type", ""), status: 400, oauth: "invalid_request", code: 900144},
		{name: "password grant", form: withField(base, "grant_type", "password"), status: 400, oauth: "unsupported_grant_type", code: 70003},
		{name: "missing client id", form: withField(base, "client_id", ""), status: 400, oauth: "invalid_request", code: 900144},
		{name: "v1 resource parameter", form: withField(base, "resource", GraphResource), status: 400, oauth: "invalid_request", code: 901002},
		{name: "GET", method: http.MethodGet, status: 400, oauth: "invalid_request", code: 900561},
		{name: "JSON body", header: map[string]string{"Content-Type": "application/json"}, body: `{"grant_type":"client_credentials"}`,
			status: 400, oauth: "invalid_request", code: 90004},
		{name: "bad form encoding", body: "grant_type=%zz", status: 400, oauth: "invalid_request", code: 90004},
		{name: "repeated parameter", body: base.Encode() + "&scope=" + url.QueryEscape(graphScope), status: 400, oauth: "invalid_request", code: 90004},
		{name: "Basic and form secret", form: base, header: map[string]string{"Authorization": basic(appID, testSecret)},
			status: 400, oauth: "invalid_request", code: 90023},
		{name: "Basic for another client id", form: withField(base, "client_secret", ""),
			header: map[string]string{"Authorization": basic(otherAppID, testSecret)}, status: 400, oauth: "invalid_request", code: 90023},
		{name: "malformed Basic", form: withField(base, "client_secret", ""),
			header: map[string]string{"Authorization": "Basic !!!"}, status: 400, oauth: "invalid_request", code: 90004},
		{name: "secret and assertion", form: withField(withField(base, "client_assertion", "a.b.c"), "client_assertion_type", assertionTypeJWTBearer),
			status: 400, oauth: "invalid_request", code: 90023},
		{name: "disabled app", form: base, prepare: func(p *Provider) { _ = p.RevokeApp(appID) },
			status: 400, oauth: "unauthorized_client", code: 7000112},
		{name: "oversized body", body: "scope=" + strings.Repeat("a", maxTokenBody), status: 400, oauth: "invalid_request", code: 90004},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, clk := newProvider(t)
			if tc.prepare != nil {
				tc.prepare(p)
			}
			tenant, form, method := tc.tenant, tc.form, tc.method
			if tenant == "" {
				tenant = tenantID
			}
			if form == nil {
				form = base
			}
			body := form.Encode()
			if tc.body != "" {
				body = tc.body
			}
			if method == "" {
				method = http.MethodPost
			}
			r := httptest.NewRequest(method, "http://login.test/"+tenant+"/oauth2/v2.0/token", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			const requestID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
			r.Header.Set("client-request-id", requestID)
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			rec := do(p, r)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if strings.Contains(rec.Body.String(), canary) || strings.Contains(rec.Body.String(), testSecret) {
				t.Fatalf("response echoes a secret: %s", rec.Body)
			}
			var e stsErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatalf("decode %s: %v", rec.Body, err)
			}
			if e.Error != tc.oauth || !slices.Equal(e.ErrorCodes, []int{tc.code}) {
				t.Errorf("error %q codes %v, want %q [%d]", e.Error, e.ErrorCodes, tc.oauth, tc.code)
			}
			m := descRE.FindStringSubmatch(e.ErrorDescription)
			if m == nil {
				t.Fatalf("error_description %q does not have the documented shape", e.ErrorDescription)
			}
			ts := clk.Now().UTC().Format("2006-01-02 15:04:05Z")
			if m[1] != fmt.Sprint(tc.code) || m[3] != e.TraceID || m[4] != e.CorrelationID || m[5] != ts || e.Timestamp != ts {
				t.Errorf("description %q disagrees with trace_id %s correlation_id %s timestamp %s",
					e.ErrorDescription, e.TraceID, e.CorrelationID, e.Timestamp)
			}
			if e.CorrelationID != requestID {
				t.Errorf("correlation_id %s, want the client-request-id %s", e.CorrelationID, requestID)
			}
			if !isGUID(e.TraceID) || rec.Header().Get("x-ms-request-id") != e.TraceID {
				t.Errorf("trace_id %q / x-ms-request-id %q", e.TraceID, rec.Header().Get("x-ms-request-id"))
			}
			if got := rec.Header().Get("WWW-Authenticate"); (tc.status == 401 && tc.header["Authorization"] != "") != (got != "") {
				t.Errorf("WWW-Authenticate %q: want a Basic challenge exactly when a Basic client got 401", got)
			}
		})
	}
}

func TestTokenLifetime(t *testing.T) {
	lifetimes := func(seed uint64, n int) []int64 {
		p, _ := newProvider(t, func(c *Config) { c.TokenLifetime = 0; c.Seed = seed })
		var out []int64
		for range n {
			c := claimsOf(t, getToken(t, p))
			out = append(out, int64(c["exp"].(float64)-c["iat"].(float64)))
		}
		return out
	}
	a := lifetimes(7, 12)
	for _, l := range a {
		if l < 3600 || l > 5400 {
			t.Fatalf("default lifetime %ds outside 60-90 minutes", l)
		}
	}
	if slices.Min(a) == slices.Max(a) {
		t.Errorf("default lifetimes %v are not random", a)
	}
	if b := lifetimes(7, 12); !slices.Equal(a, b) {
		t.Errorf("same seed gave %v then %v", a, b)
	}
	if c := lifetimes(8, 12); slices.Equal(a, c) {
		t.Errorf("seeds 7 and 8 gave the same lifetimes %v", a)
	}

	p, clk := newProvider(t)
	p.SetTokenLifetime(90 * time.Second)
	rec := do(p, tokenRequestFor(tenantID, secretForm(appID, testSecret)))
	var tr tokenResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &tr); err != nil {
		t.Fatal(err)
	}
	c := claimsOf(t, tr.AccessToken)
	if tr.ExpiresIn != 90 || int64(c["exp"].(float64)) != clk.Now().Unix()+90 {
		t.Errorf("expires_in %d exp %v, want 90 s from now", tr.ExpiresIn, c["exp"])
	}
	p.SetTokenLifetime(0)
	c = claimsOf(t, getToken(t, p))
	if l := c["exp"].(float64) - c["iat"].(float64); l < 3600 || l > 5400 {
		t.Errorf("SetTokenLifetime(0) gave %vs, want the 60-90 minute default", l)
	}
}

func TestAccessTokenClaims(t *testing.T) {
	p, clk := newProvider(t)
	tok := getToken(t, p)
	c := claimsOf(t, tok)
	now := float64(clk.Now().Unix())
	oid := ServicePrincipalID(tenantID, appID)
	for k, want := range map[string]any{
		"aud": GraphResource, "iss": "https://sts.windows.net/" + tenantID + "/", "idp": "https://sts.windows.net/" + tenantID + "/",
		"tid": tenantID, "appid": appID, "app_displayname": "SafeGuard365 Backup", "appidacr": "1", "idtyp": "app",
		"oid": oid, "sub": oid, "ver": "1.0", "iat": now, "nbf": now, "exp": now + 120,
	} {
		if c[k] != want {
			t.Errorf("claim %s = %v, want %v", k, c[k], want)
		}
	}
	if fmt.Sprint(c["roles"]) != "[Mail.Read User.Read.All]" {
		t.Errorf("roles %v", c["roles"])
	}
	for _, k := range []string{"uti", "aio", "rh"} {
		if s, _ := c[k].(string); s == "" {
			t.Errorf("claim %s missing", k)
		}
	}
	hdr, _ := b64.DecodeString(strings.Split(tok, ".")[0])
	var h map[string]string
	if err := json.Unmarshal(hdr, &h); err != nil {
		t.Fatal(err)
	}
	if h["alg"] != "RS256" || h["typ"] != "JWT" || h["kid"] == "" || h["kid"] != h["x5t"] {
		t.Errorf("header %v, want RS256 JWT with kid = x5t", h)
	}
	if p2 := getToken(t, p); claimsOf(t, p2)["uti"] == c["uti"] {
		t.Error("two tokens share a uti")
	}
}

func TestRolesChangeReachNextToken(t *testing.T) {
	p, _ := newProvider(t)
	before := getToken(t, p)
	if err := p.GrantRoles(appID, "Files.Read.All", "Mail.Read"); err != nil {
		t.Fatal(err)
	}
	if err := p.RevokeRoles(appID, "User.Read.All"); err != nil {
		t.Fatal(err)
	}
	after := getToken(t, p)
	old, _ := p.Authenticate(graphRequest("Bearer " + before))
	cur, _ := p.Authenticate(graphRequest("Bearer " + after))
	if !old.Has("User.Read.All") || old.Has("Files.Read.All") {
		t.Errorf("old token roles %v changed after issue", old.Roles)
	}
	if !slices.Equal(cur.Roles, []string{"Mail.Read", "Files.Read.All"}) {
		t.Errorf("new token roles %v, want [Mail.Read Files.Read.All]", cur.Roles)
	}
	if !cur.HasAny("Sites.Read.All", "Files.Read.All") || cur.HasAny("Sites.Read.All") {
		t.Error("HasAny")
	}
	if err := p.GrantRoles("00000000-0000-4000-8000-000000000009", "Mail.Read"); err == nil {
		t.Error("GrantRoles on an unknown app succeeded")
	}

	if err := p.RevokeApp(appID); err != nil {
		t.Fatal(err)
	}
	if _, aerr := p.Authenticate(graphRequest("Bearer " + after)); aerr != nil {
		t.Errorf("disabling the app cut off an unexpired token: %v", aerr)
	}
	if rec := do(p, tokenRequestFor(tenantID, secretForm(appID, testSecret))); rec.Code != http.StatusBadRequest {
		t.Errorf("token for disabled app: %d", rec.Code)
	}
	if err := p.RestoreApp(appID); err != nil {
		t.Fatal(err)
	}
	getToken(t, p)
}

func TestIssueToken(t *testing.T) {
	p, _ := newProvider(t)
	tok, err := p.IssueToken(tenantDomain, certAppID)
	if err != nil {
		t.Fatal(err)
	}
	pr, aerr := p.Authenticate(graphRequest("Bearer " + tok))
	if aerr != nil || pr.AppID != certAppID || !pr.Has("Files.Read.All") {
		t.Fatalf("principal %+v, err %v", pr, aerr)
	}
	if _, err := p.IssueToken(otherTenantID, certAppID); err == nil {
		t.Error("issued a token in a tenant the app is not in")
	}
	if _, err := p.IssueToken("nowhere.test", appID); err == nil {
		t.Error("issued a token in an unknown tenant")
	}
}
