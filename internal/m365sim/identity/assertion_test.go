package identity

import (
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is a SHA-1 thumbprint by definition
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// assertion builds a client assertion with golang-jwt, an implementation
// independent of this package's own JWS code.
type assertion struct {
	method  jwt.SigningMethod
	key     *rsa.PrivateKey
	header  map[string]any
	claims  jwt.MapClaims
	rawText string // if set, used verbatim
}

func (a assertion) sign(t testing.TB) string {
	t.Helper()
	if a.rawText != "" {
		return a.rawText
	}
	tok := jwt.NewWithClaims(a.method, a.claims)
	tok.Header = a.header
	s, err := tok.SignedString(a.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func s256(c *x509.Certificate) string {
	s := sha256.Sum256(c.Raw)
	return base64.RawURLEncoding.EncodeToString(s[:])
}

// validAssertion is what MSAL sends: PS256, x5t#S256, aud = token endpoint.
func validAssertion(p *Provider, now time.Time) assertion {
	cert := p.apps[certAppID].certs[0]
	return assertion{
		method: jwt.SigningMethodPS256,
		key:    clientKey(),
		header: map[string]any{"alg": "PS256", "typ": "JWT", "x5t#S256": s256(cert)},
		claims: jwt.MapClaims{
			"aud": "http://login.test/" + tenantID + "/oauth2/v2.0/token",
			"iss": certAppID, "sub": certAppID, "jti": "5d0c3c2e-1111-4222-8333-444455556666",
			"nbf": now.Unix(), "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
		},
	}
}

func assertionForm(a string) url.Values {
	return url.Values{
		"grant_type": {"client_credentials"}, "client_id": {certAppID}, "scope": {graphScope},
		"client_assertion_type": {assertionTypeJWTBearer}, "client_assertion": {a},
	}
}

func TestClientAssertion(t *testing.T) {
	p, clk := newProvider(t)
	now := clk.Now()
	cert := p.apps[certAppID].certs[0]
	expiredCert := p.apps[certAppID].certs[1]
	sha1Sum := sha1.Sum(cert.Raw) //nolint:gosec
	mod := func(f func(a *assertion)) assertion {
		a := validAssertion(p, now)
		a.header = cloneMap(a.header)
		a.claims = jwt.MapClaims(cloneMap(a.claims))
		f(&a)
		return a
	}
	for _, tc := range []struct {
		name string
		a    assertion
		form func(url.Values) // adjusts the request
		code int              // 0: success
	}{
		{name: "PS256 with x5t#S256 (MSAL)", a: mod(func(*assertion) {})},
		{name: "thumbprint in standard base64 as MSAL for Go sends it", a: mod(func(a *assertion) {
			s := sha256.Sum256(cert.Raw)
			a.header["x5t#S256"] = base64.StdEncoding.EncodeToString(s[:])
		})},
		{name: "RS256 with x5t", a: mod(func(a *assertion) {
			a.method = jwt.SigningMethodRS256
			a.header = map[string]any{"alg": "RS256", "typ": "JWT", "x5t": base64.RawURLEncoding.EncodeToString(sha1Sum[:])}
		})},
		{name: "aud names tenant by domain", a: mod(func(a *assertion) {
			a.claims["aud"] = "http://login.test/" + tenantDomain + "/oauth2/v2.0/token"
		})},
		{name: "aud is the authority", a: mod(func(a *assertion) { a.claims["aud"] = "http://login.test/" + tenantID })},
		{name: "aud as an array", a: mod(func(a *assertion) {
			a.claims["aud"] = []string{"urn:other", "http://login.test/" + tenantID + "/oauth2/v2.0/token"}
		})},
		{name: "expired within skew", a: mod(func(a *assertion) { a.claims["exp"] = now.Add(-time.Minute).Unix() })},
		{name: "no nbf", a: mod(func(a *assertion) { delete(a.claims, "nbf") })},

		{name: "certificate not registered", a: mod(func(a *assertion) {
			a.key = strayKey()
			a.header["x5t#S256"] = s256(newCert(t, strayKey(), now.Add(-time.Hour), now.Add(time.Hour)))
		}), code: 700027},
		{name: "signed by another key", a: mod(func(a *assertion) { a.key = strayKey() }), code: 700027},
		{name: "registered certificate expired", a: mod(func(a *assertion) {
			a.key = strayKey()
			a.header["x5t#S256"] = s256(expiredCert)
		}), code: 700027},
		{name: "no thumbprint", a: mod(func(a *assertion) { delete(a.header, "x5t#S256") }), code: 700027},
		{name: "HS256", a: assertion{rawText: hs256Token(t, cert)}, code: 700027},
		{name: "alg none", a: assertion{rawText: unsignedToken(t, s256(cert))}, code: 700027},
		{name: "wrong audience", a: mod(func(a *assertion) {
			a.claims["aud"] = "https://login.microsoftonline.com/" + otherTenantID + "/oauth2/v2.0/token"
		}), code: 700023},
		{name: "audience of another host", a: mod(func(a *assertion) {
			a.claims["aud"] = "https://evil.test/" + tenantID + "/oauth2/v2.0/token"
		}), code: 700023},
		{name: "iss is not the client", a: mod(func(a *assertion) { a.claims["iss"] = appID; a.claims["sub"] = appID }), code: 700021},
		{name: "sub differs from iss", a: mod(func(a *assertion) { a.claims["sub"] = appID }), code: 50048},
		{name: "no jti", a: mod(func(a *assertion) { delete(a.claims, "jti") }), code: 50027},
		{name: "no exp", a: mod(func(a *assertion) { delete(a.claims, "exp") }), code: 50027},
		{name: "expired", a: mod(func(a *assertion) { a.claims["exp"] = now.Add(-6 * time.Minute).Unix() }), code: 700024},
		{name: "not yet valid", a: mod(func(a *assertion) { a.claims["nbf"] = now.Add(6 * time.Minute).Unix() }), code: 700024},
		{name: "exp is a string", a: mod(func(a *assertion) { a.claims["exp"] = "tomorrow" }), code: 50027},
		{name: "not a JWT", a: assertion{rawText: "not-a-jwt"}, code: 50027},
		{name: "line break in signature", a: assertion{rawText: insertNewline(validAssertion(p, now).sign(t))}, code: 50027},
		{name: "wrong assertion type", a: mod(func(*assertion) {}), code: 9002313, form: func(v url.Values) {
			v.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
		}},
		{name: "assertion without type", a: mod(func(*assertion) {}), code: 900144, form: func(v url.Values) {
			v.Del("client_assertion_type")
		}},
		{name: "neither secret nor assertion", a: mod(func(*assertion) {}), code: 7000218, form: func(v url.Values) {
			v.Set("client_id", appID)
			v.Del("client_assertion")
			v.Del("client_assertion_type")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signed := tc.a.sign(t)
			form := assertionForm(signed)
			if tc.form != nil {
				tc.form(form)
			}
			rec := do(p, tokenRequestFor(tenantID, form))
			if tc.code == 0 {
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				var tr tokenResponse
				_ = json.Unmarshal(rec.Body.Bytes(), &tr)
				if c := claimsOf(t, tr.AccessToken); c["appidacr"] != "2" || c["appid"] != certAppID {
					t.Errorf("claims %v, want appid %s with appidacr 2 (certificate)", c, certAppID)
				}
				return
			}
			var e stsErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(e.ErrorCodes, []int{tc.code}) {
				t.Fatalf("codes %v, want [%d]: %s", e.ErrorCodes, tc.code, e.ErrorDescription)
			}
			if tc.code != 9002313 && tc.code != 900144 && (rec.Code != http.StatusUnauthorized || e.Error != "invalid_client") {
				t.Errorf("status %d error %q, want 401 invalid_client", rec.Code, e.Error)
			}
			if len(signed) > 20 && strings.Contains(rec.Body.String(), signed[len(signed)-20:]) {
				t.Error("response echoes the assertion")
			}
		})
	}
}

func cloneMap[M ~map[string]any](m M) map[string]any {
	c := map[string]any{}
	for k, v := range m {
		c[k] = v
	}
	return c
}

// hs256Token signs with HMAC keyed by the certificate's DER, the classic
// algorithm-confusion attack on verifiers that trust the header's alg.
func hs256Token(t testing.TB, cert *x509.Certificate) string {
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": certAppID, "sub": certAppID})
	tok.Header["x5t#S256"] = s256(cert)
	s, err := tok.SignedString(cert.Raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func unsignedToken(t testing.TB, thumb string) string {
	h, _ := json.Marshal(map[string]string{"alg": "none", "x5t#S256": thumb})
	c, _ := json.Marshal(map[string]any{"iss": certAppID, "sub": certAppID, "jti": "x", "exp": time.Now().Add(time.Hour).Unix()})
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + "."
}

// insertNewline puts a line break inside the signature, which base64
// decoders skip; accepting it would accept a string nobody signed.
func insertNewline(tok string) string {
	i := strings.LastIndex(tok, ".") + 5
	return tok[:i] + "\n" + tok[i:]
}
