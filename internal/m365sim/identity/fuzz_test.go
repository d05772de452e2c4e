package identity

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// parseMessages is every description parseTokenRequest can produce. They are
// fixed texts, so no client-supplied value (a secret above all) can leak.
func parseMessages() []string {
	msgs := []string{
		"The request isn't properly formatted: the body must be application/x-www-form-urlencoded.",
		"The request isn't properly formatted: the body isn't valid form encoding.",
		"The request isn't properly formatted: the Authorization header isn't valid Basic client authentication.",
		"The authentication service request isn't valid: the client authenticated with more than one method.",
		"The authentication service request isn't valid: client_id doesn't match the Authorization header.",
		"The authentication service request isn't valid: send either client_secret or client_assertion, not both.",
	}
	for _, k := range singleValued {
		msgs = append(msgs, fmt.Sprintf("The request isn't properly formatted: parameter '%s' is repeated.", k))
	}
	return msgs
}

func FuzzParseTokenRequest(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", secretForm(appID, testSecret).Encode(), "")
	f.Add("application/x-www-form-urlencoded; charset=utf-8", "grant_type=client_credentials&scope=x", basic(appID, testSecret))
	f.Add("application/x-www-form-urlencoded", assertionForm("a.b.c").Encode(), "Basic Og==")
	f.Add("application/x-www-form-urlencoded", "scope=a&scope=b;c=%zz", "Bearer x")
	f.Add("text/plain", "", "Basic "+strings.Repeat("=", 7))
	msgs := parseMessages()
	f.Fuzz(func(t *testing.T, contentType, body, authorization string) {
		req, serr := parseTokenRequest(contentType, []byte(body), authorization)
		if serr != nil {
			if !slices.Contains(msgs, serr.desc) || serr.status != http.StatusBadRequest {
				t.Fatalf("unexpected error %d %q", serr.status, serr.desc)
			}
			return
		}
		if req.clientSecret != "" && req.assertion != "" {
			t.Fatal("accepted a request with two client credentials")
		}
		if req.viaBasic {
			id, secret, ok, _ := parseBasic(authorization)
			if !ok || id != req.clientID || secret != req.clientSecret {
				t.Fatal("Basic credentials do not round-trip")
			}
		} else if form, _ := url.ParseQuery(body); req.clientSecret != form.Get("client_secret") {
			t.Fatal("client_secret does not come from the form")
		}
	})
}

// FuzzTokenEndpoint drives the whole endpoint. Only the registered secret can
// yield a token: a fuzzer cannot forge a client assertion.
func FuzzTokenEndpoint(f *testing.F) {
	p, clk := newProvider(f)
	f.Add(secretForm(appID, testSecret).Encode(), "")
	f.Add(url.Values{"grant_type": {"client_credentials"}, "scope": {graphScope}}.Encode(), basic(appID, testSecret))
	f.Add(assertionForm(validAssertion(p, clk.Now()).sign(f)).Encode(), "")
	f.Add(withField(secretForm(appID, "nope"), "scope", "x/.default openid y/.default").Encode(), "")
	f.Add("grant_type=client_credentials&client_id="+otherAppID+"&client_secret=other-secret&scope="+GraphAppID+"/.default", "")
	f.Fuzz(func(t *testing.T, body, authorization string) {
		r := httptest.NewRequest(http.MethodPost, "http://login.test/"+tenantID+"/oauth2/v2.0/token", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		rec := do(p, r)
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("status %d, body is not JSON: %v", rec.Code, err)
		}
		switch rec.Code {
		case http.StatusOK:
			req, _ := parseTokenRequest("application/x-www-form-urlencoded", []byte(body), authorization)
			if req.clientSecret != testSecret && req.assertion == "" {
				t.Fatalf("issued a token without the secret: %q / %q", body, authorization)
			}
			if _, aerr := p.Authenticate(graphRequest("Bearer " + m["access_token"].(string))); aerr != nil {
				t.Fatalf("issued token fails validation: %v", aerr)
			}
		case http.StatusBadRequest, http.StatusUnauthorized:
			if _, ok := m["error_codes"]; !ok {
				t.Fatalf("error without error_codes: %v", m)
			}
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}

// FuzzAuthenticate checks that a bearer header is accepted only when it
// carries, byte for byte, a token the provider issued.
func FuzzAuthenticate(f *testing.F) {
	p, _ := newProvider(f, func(c *Config) { c.TokenLifetime = 0 })
	valid := []string{getToken(f, p), getToken(f, p)}
	tok, err := p.IssueToken(tenantID, certAppID)
	if err != nil {
		f.Fatal(err)
	}
	valid = append(valid, tok)
	for _, v := range valid {
		f.Add("Bearer " + v)
		parts := strings.Split(v, ".")
		f.Add("Bearer " + parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-2] + "AA")
		f.Add("Bearer " + parts[0] + "." + parts[1] + ".")
	}
	f.Add("")
	f.Add("Bearer")
	f.Add("Bearer a.b.c")
	f.Add("Basic abc")
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest(http.MethodGet, "http://login.test/v1.0/users", nil)
		r.Header.Set("Authorization", header)
		pr, aerr := p.Authenticate(r)
		if aerr != nil {
			if aerr.Status != http.StatusUnauthorized || aerr.Code != "InvalidAuthenticationToken" || aerr.Message == "" {
				t.Fatalf("malformed AuthError %+v", aerr)
			}
			return
		}
		if !slices.Contains(valid, bearerToken(header)) {
			t.Fatalf("accepted a token it did not issue: %q", header)
		}
		if pr.TenantID != tenantID {
			t.Fatalf("principal %+v", pr)
		}
	})
}

// FuzzClientAssertion checks that only an assertion signed by a registered
// certificate's key, byte for byte, authenticates the client.
func FuzzClientAssertion(f *testing.F) {
	p, clk := newProvider(f)
	good := validAssertion(p, clk.Now()).sign(f)
	f.Add(good)
	f.Add(good + "A")
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Add(insertNewline(good))
	f.Add(hs256Token(f, p.apps[certAppID].certs[0]))
	f.Add(unsignedToken(f, s256(p.apps[certAppID].certs[0])))
	t0 := p.lookupTenant(tenantID)
	a, _ := p.snapshotApp(certAppID)
	r := httptest.NewRequest(http.MethodPost, "http://login.test/"+tenantID+"/oauth2/v2.0/token", nil)
	f.Fuzz(func(t *testing.T, assertion string) {
		serr := p.verifyAssertion(r, t0, &a, assertion)
		if serr == nil && assertion != good {
			t.Fatalf("accepted an assertion nobody signed: %q", assertion)
		}
		if serr != nil && (serr.status != http.StatusUnauthorized || serr.oauth != "invalid_client") {
			t.Fatalf("assertion failure reported as %d %s", serr.status, serr.oauth)
		}
	})
}
