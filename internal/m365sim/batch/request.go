package batch

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"strings"
)

// Request is one sub-request of a batch, as the client sent it.
type Request struct {
	ID        string            // unique in the batch, compared without regard to case
	Method    string            // GET, POST, PUT, PATCH or DELETE, upper case
	URL       string            // relative to the version root, as given ("/me", "users?$top=1")
	Headers   map[string]string // nil when absent
	Body      json.RawMessage   // nil when absent or null
	DependsOn []string          // ids of this batch, as given, duplicates removed
}

// Header returns the value of the named header, matched case-insensitively,
// or "".
func (r *Request) Header(name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// hasHeader reports whether the named header is present.
func (r *Request) hasHeader(name string) bool {
	for k := range r.Headers {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// Path returns URL with a leading '/', the form a router expects; Graph
// accepts both "/users" and "users".
func (r *Request) Path() string {
	if strings.HasPrefix(r.URL, "/") {
		return r.URL
	}
	return "/" + r.URL
}

// BodyBytes returns the body the sub-request carries: the JSON text itself
// when Content-Type is JSON, the decoded bytes of the base64 string
// otherwise. A request without a body returns nil. Parse has already
// checked that this succeeds for every request it accepts.
func (r *Request) BodyBytes() ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	ct := r.Header("Content-Type")
	if IsJSON(ct) {
		return []byte(r.Body), nil
	}
	var s string
	if err := json.Unmarshal(r.Body, &s); err != nil {
		return nil, fmt.Errorf("request %q: a body with Content-Type %q must be a base64 string", r.ID, ct)
	}
	b, err := decodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("request %q: body is not valid base64: %w", r.ID, err)
	}
	return b, nil
}

// decodeBase64 accepts standard and URL-safe base64, padded or not: the
// docs call the body "a base64 URL-encoded value" while clients send
// standard base64.
func decodeBase64(s string) ([]byte, error) {
	var firstErr error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err == nil {
			return b, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// IsJSON reports whether a Content-Type value denotes JSON
// (application/json with any parameters, or a +json suffix).
func IsJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}
