package identity

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// assertionSkew is the clock skew tolerated on a client assertion's exp and
// nbf. Entra ID does not document a figure; five minutes is the common
// default of Microsoft's token validation libraries (inference).
const assertionSkew = 5 * time.Minute

// assertionClaims are the claims of a client assertion
// (https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials).
type assertionClaims struct {
	Aud audience     `json:"aud"`
	Iss string       `json:"iss"`
	Sub string       `json:"sub"`
	Jti string       `json:"jti"`
	Exp *numericDate `json:"exp"`
	Nbf *numericDate `json:"nbf"`
}

// verifyAssertion authenticates app a with a JWT client assertion signed by
// one of its registered certificates. Error codes: AADSTS50027 for a
// malformed JWT, AADSTS700027 for signature and key failures, AADSTS700021
// when iss is not the client, AADSTS50048 when sub differs from iss,
// AADSTS700023 for a wrong audience, AADSTS700024 outside the validity
// window. 50027, 50048 and 700027 are in reference-error-codes; 700021 and
// 700023 in https://learn.microsoft.com/en-us/azure/developer/java/sdk/troubleshooting-authentication-service-principal;
// 700024 "Client assertion is not within its valid time range" is observed.
func (p *Provider) verifyAssertion(r *http.Request, t *tenant, a *app, assertion string) *stsError {
	j, err := parseJWS(assertion)
	if err != nil {
		return newSTSError("invalid_client", 50027, "Invalid JWT token. The client assertion is not a well-formed JWS.")
	}
	cert, serr := p.assertionCert(a, j.header)
	if serr != nil {
		return serr
	}
	if err := j.verifyRSA(cert.PublicKey.(*rsa.PublicKey)); err != nil {
		return newSTSError("invalid_client", 700027,
			"Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '%s']",
			strings.ToUpper(hex.EncodeToString(certSHA1(cert))))
	}
	var c assertionClaims
	dec := json.NewDecoder(bytes.NewReader(j.payload))
	if err := dec.Decode(&c); err != nil {
		return newSTSError("invalid_client", 50027, "Invalid JWT token. The client assertion claims could not be read.")
	}
	switch {
	case c.Iss == "" || c.Sub == "":
		return newSTSError("invalid_client", 50027, "Invalid JWT token. The client assertion must contain the 'iss' and 'sub' claims.")
	case !strings.EqualFold(c.Iss, a.clientID):
		return newSTSError("invalid_client", 700021,
			"Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.")
	case c.Sub != c.Iss:
		return newSTSError("invalid_client", 50048, "Subject mismatches Issuer claim in the client assertion.")
	case c.Jti == "":
		return newSTSError("invalid_client", 50027, "Invalid JWT token. The client assertion must contain the 'jti' claim.")
	case c.Exp == nil:
		return newSTSError("invalid_client", 50027, "Invalid JWT token. The client assertion must contain the 'exp' claim.")
	case !p.assertionAudienceOK(r, t, c.Aud):
		return newSTSError("invalid_client", 700023,
			"Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.")
	}
	now := p.now()
	if exp := time.Unix(c.Exp.unix, 0); !now.Before(exp.Add(assertionSkew)) {
		return newSTSError("invalid_client", 700024,
			"Client assertion is not within its valid time range. Current time: %s, expiry time of assertion %s.",
			now.UTC().Format(time.RFC3339), exp.UTC().Format(time.RFC3339))
	}
	if c.Nbf != nil {
		if nbf := time.Unix(c.Nbf.unix, 0); now.Add(assertionSkew).Before(nbf) {
			return newSTSError("invalid_client", 700024,
				"Client assertion is not within its valid time range. Current time: %s, assertion valid from %s.",
				now.UTC().Format(time.RFC3339), nbf.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// assertionCert finds the registered certificate the assertion header names
// by x5t#S256 (preferred, documented) or x5t, and checks it is in date.
func (p *Provider) assertionCert(a *app, h jwsHeader) (*x509.Certificate, *stsError) {
	var want []byte
	var sum func(*x509.Certificate) []byte
	switch {
	case h.X5tS256 != "":
		want, sum = decodeThumbprint(h.X5tS256), certSHA256
	case h.X5t != "":
		want, sum = decodeThumbprint(h.X5t), certSHA1
	default:
		return nil, newSTSError("invalid_client", 700027,
			"Client assertion failed signature validation. [Reason - The assertion header has neither 'x5t#S256' nor 'x5t'.]")
	}
	for _, c := range a.certs {
		if want == nil || !bytes.Equal(sum(c), want) {
			continue
		}
		now := p.now()
		if now.After(c.NotAfter) || now.Before(c.NotBefore) {
			return nil, newSTSError("invalid_client", 700027,
				"The certificate with identifier used to sign the client assertion is not valid at this time (valid %s to %s) on application %s.",
				c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), a.clientID)
		}
		return c, nil
	}
	return nil, newSTSError("invalid_client", 700027,
		"Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '%s']. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.",
		clip(strings.ToUpper(hex.EncodeToString(want))))
}

// decodeThumbprint returns nil for a value that is not base64.
func decodeThumbprint(s string) []byte {
	b, err := decodeBase64Any(s)
	if err != nil {
		return nil
	}
	return b
}

// assertionAudienceOK accepts the token endpoint, the v1.0 token endpoint or
// the bare authority, at this provider's advertised host, with the tenant
// named by ID or any domain. The documented value is the v2.0 token
// endpoint; MSAL uses the token_endpoint from the OpenID metadata.
func (p *Provider) assertionAudienceOK(r *http.Request, t *tenant, aud audience) bool {
	base := strings.ToLower(p.baseURL(r))
	for _, got := range aud {
		got = strings.ToLower(got)
		for _, name := range t.names() {
			authority := base + "/" + name
			switch got {
			case authority + "/oauth2/v2.0/token", authority + "/oauth2/token", authority, authority + "/":
				return true
			}
		}
	}
	return false
}

// thumbprints of a registered certificate, as sent in a client assertion's
// x5t (SHA-1) and x5t#S256 (SHA-256) headers.
func certSHA1(c *x509.Certificate) []byte {
	s := sha1.Sum(c.Raw)
	return s[:]
}

func certSHA256(c *x509.Certificate) []byte {
	s := sha256.Sum256(c.Raw)
	return s[:]
}
