package identity

import (
	"errors"
	"io"
	"net/http"
	"strings"
)

// Graph's resource identifiers: its application ID URI and its app ID. A
// client may name either in the scope; the token's aud echoes the form used,
// as v1.0 tokens do (access-token-claims-reference, "aud").
const (
	GraphResource = "https://graph.microsoft.com"
	GraphAppID    = "00000003-0000-0000-c000-000000000000"
)

// tokenResponse is the documented success body plus ext_expires_in, which
// real responses carry and MSAL parses.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	ExtExpiresIn int64  `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
}

func (p *Provider) serveToken(w http.ResponseWriter, r *http.Request, tenantName string) {
	if r.Method != http.MethodPost {
		// AADSTS900561 BadResourceRequestInvalidRequest.
		p.writeSTSError(w, r, newSTSError("invalid_request", 900561,
			"The endpoint only accepts POST requests. Received a %s request.", r.Method))
		return
	}
	t, serr := p.tokenTenant(tenantName)
	if serr != nil {
		p.writeSTSError(w, r, serr)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTokenBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			p.writeSTSError(w, r, newSTSError("invalid_request", 90004,
				"The request isn't properly formatted: the body exceeds %d bytes.", maxTokenBody))
			return
		}
		http.Error(w, "read request body", http.StatusBadRequest)
		return
	}
	req, serr := parseTokenRequest(r.Header.Get("Content-Type"), body, r.Header.Get("Authorization"))
	if serr != nil {
		p.writeSTSError(w, r, serr)
		return
	}
	resp, serr := p.grant(r, t, req)
	if serr != nil {
		p.writeSTSError(w, r, serr)
		return
	}
	traceID, _ := p.requestIDs(r)
	p.writeJSON(w, r, http.StatusOK, traceID, resp)
}

// tokenTenant resolves the {tenant} of a token request.
func (p *Provider) tokenTenant(name string) (*tenant, *stsError) {
	switch strings.ToLower(name) {
	case "common", "consumers":
		// AADSTS9001023 (reference-error-codes).
		return nil, newSTSError("invalid_request", 9001023,
			"The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.")
	case "organizations":
		// AADSTS50059 MissingTenantRealmAndNoUserInformationProvided: the
		// client credentials grant has no user to infer the tenant from.
		return nil, newSTSError("invalid_request", 50059,
			"No tenant-identifying information found in either the request or implied by any provided credentials.")
	}
	t := p.lookupTenant(name)
	if t == nil {
		// AADSTS90002 InvalidTenantName.
		return nil, newSTSError("invalid_request", 90002,
			"Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", clip(name))
	}
	return t, nil
}

// grant runs the client credentials grant. The order of checks follows the
// request: grant type and parameters, then the client, then its credential,
// then the scope.
func (p *Provider) grant(r *http.Request, t *tenant, req tokenRequest) (*tokenResponse, *stsError) {
	switch {
	case req.grantType == "":
		return nil, missingParam("grant_type")
	case req.grantType != grantClientCredentials:
		return nil, newSTSError("unsupported_grant_type", 70003,
			"The app requested an unsupported grant type '%s'.", clip(req.grantType))
	case req.resource != "":
		// The v2.0 endpoint takes scope, not the v1.0 resource parameter.
		return nil, newSTSError("invalid_request", 901002, "The 'resource' request parameter isn't supported.")
	case req.clientID == "":
		return nil, missingParam("client_id")
	case req.scope == "":
		return nil, missingParam("scope")
	}
	a, ok := p.snapshotApp(req.clientID)
	if !ok || !a.installedIn(t) {
		// AADSTS700016 UnauthorizedClient_DoesNotMatchRequest.
		return nil, newSTSError("unauthorized_client", 700016,
			"Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
			clip(req.clientID), t.id)
	}
	if a.disabled {
		// AADSTS7000112 UnauthorizedClientApplicationDisabled.
		return nil, newSTSError("unauthorized_client", 7000112,
			"Application '%s'(%s) is disabled.", a.clientID, a.displayName)
	}
	acr, serr := p.authenticateClient(r, t, &a, req)
	if serr != nil {
		return nil, serr
	}
	aud, serr := graphAudience(req.scope)
	if serr != nil {
		return nil, serr
	}
	tok, lifetime, err := p.issue(t, &a, aud, acr)
	if err != nil {
		e := newSTSError("temporarily_unavailable", 50000, "There was an error issuing a token.")
		e.status = http.StatusServiceUnavailable
		return nil, e
	}
	secs := int64(lifetime.Seconds())
	return &tokenResponse{TokenType: "Bearer", ExpiresIn: secs, ExtExpiresIn: secs, AccessToken: tok}, nil
}

// missingParam is AADSTS900144, "The request body must contain the following
// parameter: '{name}'".
func missingParam(name string) *stsError {
	return newSTSError("invalid_request", 900144, "The request body must contain the following parameter: '%s'.", name)
}

// authenticateClient checks the secret or assertion and returns the
// appidacr claim value: "1" for a secret, "2" for a certificate
// (access-token-claims-reference).
func (p *Provider) authenticateClient(r *http.Request, t *tenant, a *app, req tokenRequest) (string, *stsError) {
	switch {
	case req.assertion != "" || req.assertionType != "":
		if req.assertionType != assertionTypeJWTBearer {
			if req.assertionType == "" {
				return "", missingParam("client_assertion_type")
			}
			return "", newSTSError("invalid_request", 9002313,
				"Request is malformed or invalid: client_assertion_type must be '%s'.", assertionTypeJWTBearer)
		}
		if req.assertion == "" {
			return "", missingParam("client_assertion")
		}
		if serr := p.verifyAssertion(r, t, a, req.assertion); serr != nil {
			return "", serr
		}
		return "2", nil
	case req.clientSecret != "" || req.viaBasic:
		return "1", p.checkSecret(a, req.clientSecret)
	default:
		// AADSTS7000218.
		return "", newSTSError("invalid_client", 7000218,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
	}
}

// checkSecret compares against every secret of the app, so a rotated pair
// both work. A match on an expired secret is AADSTS7000222; no match at all
// is AADSTS7000215 (reference-error-codes).
func (p *Provider) checkSecret(a *app, got string) *stsError {
	now := p.now()
	expired := false
	for _, s := range a.secrets {
		if !s.Value.matches(got) {
			continue
		}
		if s.Expires.IsZero() || now.Before(s.Expires) {
			return nil
		}
		expired = true
	}
	if expired {
		return newSTSError("invalid_client", 7000222,
			"The provided client secret keys for app '%s' are expired. Create new keys for your app, or consider using certificate credentials for added security.", a.clientID)
	}
	return newSTSError("invalid_client", 7000215,
		"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", a.clientID)
}

// graphAudience validates a client credentials scope: exactly one resource,
// as "{resource}/.default", and that resource must be Graph or
// Defender for Endpoint (resources.go)
// (v2-oauth2-client-creds-grant-flow: "All scopes included must be for a
// single resource"). It returns the aud for the token.
func graphAudience(scope string) (string, *stsError) {
	var aud string
	resources := map[string]bool{}
	for _, s := range strings.Fields(scope) {
		if oidcScopes[strings.ToLower(s)] {
			continue
		}
		resource, ok := cutSuffixFold(s, "/.default")
		if !ok {
			// AADSTS70011 InvalidScope.
			return "", newSTSError("invalid_scope", 70011,
				"The provided value for the input parameter 'scope' is not valid. The scope %s is not valid. Client credential flows must use a scope of the form {resource}/.default.", clip(scope))
		}
		if form, key, ok := resourceForm(resource); ok {
			resource = key // all forms of a resource name one resource
			if aud == "" {
				aud = form
			}
		}
		resources[strings.ToLower(resource)] = true
	}
	switch {
	case len(strings.Fields(scope)) == 0:
		return "", missingParam("scope")
	case len(resources) == 0:
		return "", newSTSError("invalid_scope", 70011,
			"The provided value for the input parameter 'scope' is not valid. The scope %s is not valid. Client credential flows must name a resource.", clip(scope))
	case len(resources) > 1:
		// AADSTS700022 InvalidMultipleResourcesScope.
		return "", newSTSError("invalid_scope", 700022,
			"The provided value for the input parameter scope is not valid because it contains more than one resource. Scope %s is not valid.", clip(scope))
	case aud == "":
		return "", newSTSError("invalid_scope", 70011,
			"The provided value for the input parameter 'scope' is not valid. The scope %s is not valid.", clip(scope))
	}
	return aud, nil
}

// oidcScopes are the OpenID Connect scopes of the identity platform
// (https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc#openid-connect-scopes).
// MSAL adds "openid offline_access profile" to every request, including
// client credentials ones, which Entra ID grants (observed), so they name
// no resource and are skipped.
var oidcScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true, "email": true}

func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) < len(suffix) || !strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s, false
	}
	return s[:len(s)-len(suffix)], true
}

// clip shortens a client-supplied value echoed in an error description.
func clip(s string) string {
	const limit = 256
	if len(s) <= limit {
		return s
	}
	return strings.ToValidUTF8(s[:limit], "") + "…"
}
