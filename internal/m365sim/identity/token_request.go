package identity

import (
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Form field values this package acts on.
const (
	grantClientCredentials = "client_credentials"
	assertionTypeJWTBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// maxTokenBody bounds the token request body. A client assertion carrying an
// x5c chain of three certificates is under 10 KiB.
const maxTokenBody = 64 << 10

// tokenRequest is a parsed token request. Secret and assertion are
// credentials: never put them in an error, a log or a response.
type tokenRequest struct {
	grantType     string
	clientID      string
	clientSecret  string
	viaBasic      bool // clientID and clientSecret came from HTTP Basic
	assertionType string
	assertion     string
	scope         string
	resource      string
}

// singleValued are the parameters RFC 6749 §3.1 forbids repeating.
var singleValued = []string{
	"grant_type", "client_id", "client_secret", "client_assertion_type",
	"client_assertion", "scope", "resource",
}

// parseTokenRequest reads a token request from its Content-Type, body and
// Authorization header. It checks syntax only; the token endpoint checks
// meaning. Parameters sent with an empty value count as omitted
// (RFC 6749 §3.1). Other parameters, such as the "claims" that azidentity
// sends to declare client capability CP1, are ignored.
func parseTokenRequest(contentType string, body []byte, authorization string) (tokenRequest, *stsError) {
	var req tokenRequest
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		// AADSTS90004 InvalidRequestFormat (reference-error-codes).
		return req, newSTSError("invalid_request", 90004,
			"The request isn't properly formatted: the body must be application/x-www-form-urlencoded.")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return req, newSTSError("invalid_request", 90004,
			"The request isn't properly formatted: the body isn't valid form encoding.")
	}
	for _, k := range singleValued {
		if len(form[k]) > 1 {
			return req, newSTSError("invalid_request", 90004,
				"The request isn't properly formatted: parameter '%s' is repeated.", k)
		}
	}
	req.grantType = form.Get("grant_type")
	req.clientID = form.Get("client_id")
	req.clientSecret = form.Get("client_secret")
	req.assertionType = form.Get("client_assertion_type")
	req.assertion = form.Get("client_assertion")
	req.scope = form.Get("scope")
	req.resource = form.Get("resource")

	if id, secret, ok, bad := parseBasic(authorization); bad {
		return req, newSTSError("invalid_request", 90004,
			"The request isn't properly formatted: the Authorization header isn't valid Basic client authentication.")
	} else if ok {
		// RFC 6749 §2.3: a client must not use more than one
		// authentication method in a request.
		if req.clientSecret != "" || req.assertion != "" {
			return req, newSTSError("invalid_request", 90023,
				"The authentication service request isn't valid: the client authenticated with more than one method.")
		}
		if req.clientID != "" && !strings.EqualFold(req.clientID, id) {
			return req, newSTSError("invalid_request", 90023,
				"The authentication service request isn't valid: client_id doesn't match the Authorization header.")
		}
		req.clientID, req.clientSecret, req.viaBasic = id, secret, true
	}
	if req.clientSecret != "" && req.assertion != "" {
		return req, newSTSError("invalid_request", 90023,
			"The authentication service request isn't valid: send either client_secret or client_assertion, not both.")
	}
	return req, nil
}

// parseBasic decodes "Basic base64(urlencode(id):urlencode(secret))"
// (RFC 6749 §2.3.1, which form-encodes both parts before Basic encoding).
// ok is false when the header uses another scheme or is absent; bad reports
// a Basic header that does not decode.
func parseBasic(h string) (id, secret string, ok, bad bool) {
	scheme, rest, found := strings.Cut(strings.TrimSpace(h), " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false, false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return "", "", false, true
	}
	encID, encSecret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", false, true
	}
	id, err1 := url.QueryUnescape(encID)
	secret, err2 := url.QueryUnescape(encSecret)
	if err1 != nil || err2 != nil || id == "" {
		return "", "", false, true
	}
	return id, secret, true, false
}

func hasBasicAuth(r *http.Request) bool {
	_, _, ok, _ := parseBasic(r.Header.Get("Authorization"))
	return ok
}
