package identity

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
)

// Principal is the app a validated Graph access token speaks for.
type Principal struct {
	TenantID string   // the "tid" claim
	AppID    string   // the "appid" claim: the client ID
	AppName  string   // the "app_displayname" claim
	ObjectID string   // the "oid" claim: the app's service principal in TenantID
	Roles    []string // the "roles" claim: application permissions at issue time
}

// Has reports whether the token grants application permission role, such as
// "Mail.Read". Roles compare exactly, as Graph's permission names do.
func (p *Principal) Has(role string) bool { return slices.Contains(p.Roles, role) }

// HasAny reports whether the token grants at least one of roles. Graph
// documents each API with a list of permissions, any of which suffices.
func (p *Principal) HasAny(roles ...string) bool {
	return slices.ContainsFunc(roles, p.Has)
}

// AuthError is a rejected Graph bearer token, with the status, code and
// message Graph sends. The caller writes the Graph error body
// ({"error":{"code","message","innerError"}}) and calls SetHeaders.
type AuthError struct {
	Status  int    // always 401
	Code    string // always "InvalidAuthenticationToken"
	Message string // Graph's text, e.g. "Lifetime validation failed, the token is expired."

	authorizationURI string
}

// Error implements error.
func (e *AuthError) Error() string { return e.Code + ": " + e.Message }

// SetHeaders adds the WWW-Authenticate challenge Graph sends with a 401,
// pointing clients at this provider's authorize endpoint.
func (e *AuthError) SetHeaders(h http.Header) {
	h.Set("WWW-Authenticate", `Bearer realm="", authorization_uri="`+e.authorizationURI+
		`", client_id="`+GraphAppID+`"`)
}

// Messages Graph returns with InvalidAuthenticationToken. They are observed
// rather than documented (research/graph.md A1.3); clients match the code.
const (
	msgEmpty       = "Access token is empty."
	msgExpired     = "Lifetime validation failed, the token is expired."
	msgNotYetValid = "Access token has expired or is not yet valid."
	msgNoDots      = "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EncodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'."
	msgInvalid     = "Access token validation failure."
	msgAudience    = "Access token validation failure. Invalid audience."
	msgIssuer      = "Access token validation failure. Invalid issuer."
)

// maxBearer bounds the token length Authenticate reads; Entra ID tokens are
// a few KiB.
const maxBearer = 16 << 10

// Authenticate validates the Authorization: Bearer header of a Graph request:
// structure, RS256 signature by this provider's key, audience (Graph's URI or
// app ID), issuer and tenant, and lifetime against the provider clock and
// ExpireTokens. A token passes only if this provider signed it exactly as
// presented.
func (p *Provider) Authenticate(r *http.Request) (*Principal, *AuthError) {
	return p.authenticate(r, isGraphAudience)
}

// authenticate validates r's bearer token for the resource whose audiences
// accept allows (resources.go).
func (p *Provider) authenticate(r *http.Request, accept func(aud string) bool) (*Principal, *AuthError) {
	fail := func(msg string) (*Principal, *AuthError) {
		return nil, &AuthError{
			Status:           http.StatusUnauthorized,
			Code:             "InvalidAuthenticationToken",
			Message:          msg,
			authorizationURI: p.authorityBase(r) + "/common/oauth2/authorize",
		}
	}
	token := bearerToken(r.Header.Get("Authorization"))
	if token == "" {
		return fail(msgEmpty)
	}
	if len(token) > maxBearer {
		return fail(msgInvalid)
	}
	j, err := parseJWS(token)
	if errors.Is(err, errNoDots) {
		return fail(msgNoDots)
	}
	if err != nil || j.header.Alg != "RS256" || j.header.Kid != p.keyID || j.verifyRSA(&p.key.PublicKey) != nil {
		return fail(msgInvalid)
	}
	var c accessClaims
	dec := json.NewDecoder(bytes.NewReader(j.payload))
	dec.DisallowUnknownFields() // we wrote it; anything else is not ours
	if err := dec.Decode(&c); err != nil {
		return fail(msgInvalid)
	}
	if !accept(c.Aud) {
		return fail(msgAudience)
	}
	if t := p.lookupTenant(c.Tid); t == nil || t.id != c.Tid || c.Iss != v1Issuer(c.Tid) {
		return fail(msgIssuer)
	}
	serial, ok := utiSerial(c.Uti)
	if !ok || c.AppID == "" {
		return fail(msgInvalid)
	}
	now := p.now().Unix()
	p.mu.Lock()
	cutOff := serial <= p.expiredThrough
	p.mu.Unlock()
	switch {
	case now >= c.Exp || cutOff:
		return fail(msgExpired)
	case now < c.Nbf:
		return fail(msgNotYetValid)
	}
	return &Principal{
		TenantID: c.Tid,
		AppID:    c.AppID,
		AppName:  c.AppDisplayName,
		ObjectID: c.Oid,
		Roles:    slices.Clone(c.Roles),
	}, nil
}

// bearerToken returns the credentials of a Bearer Authorization header; the
// scheme is case-insensitive (RFC 7235 §2.1). Any other scheme yields "".
func bearerToken(h string) string {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(rest)
}

// authorityBase is the identity host to name in a challenge to Graph request
// r: PublicURL if set; login.microsoftonline.com when r came in as
// graph.microsoft.com, since a hosts-file setup maps both names to the
// emulator; otherwise r's own scheme and host, for one listener serving both.
func (p *Provider) authorityBase(r *http.Request) string {
	base := p.baseURL(r)
	if p.publicURL != nil {
		return base
	}
	scheme, host, _ := strings.Cut(base, "://")
	name, port, hasPort := strings.Cut(host, ":")
	if !strings.EqualFold(name, "graph.microsoft.com") {
		return base
	}
	if hasPort {
		return scheme + "://login.microsoftonline.com:" + port
	}
	return scheme + "://login.microsoftonline.com"
}
