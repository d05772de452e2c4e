package identity

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// stsError is a failure of the security token service, rendered in the JSON
// shape of https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
// ("Handling error codes in your application"). desc must never contain a
// secret or an assertion: it goes to the client verbatim.
type stsError struct {
	status int    // HTTP status
	oauth  string // OAuth 2.0 error, e.g. "invalid_client" (RFC 6749 §5.2)
	code   int    // AADSTS number
	desc   string // text after "AADSTSnnnnn: "
}

func (e *stsError) Error() string { return fmt.Sprintf("%s: AADSTS%d: %s", e.oauth, e.code, e.desc) }

// newSTSError picks the HTTP status from the OAuth error: invalid_client is
// 401, as RFC 6749 §5.2 allows and Entra ID answers; everything else is 400.
func newSTSError(oauth string, code int, format string, args ...any) *stsError {
	status := http.StatusBadRequest
	if oauth == "invalid_client" {
		status = http.StatusUnauthorized
	}
	return &stsError{status: status, oauth: oauth, code: code, desc: fmt.Sprintf(format, args...)}
}

// stsErrorBody keeps the field order of the documented sample.
type stsErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	Timestamp        string `json:"timestamp"`
	TraceID          string `json:"trace_id"`
	CorrelationID    string `json:"correlation_id"`
	ErrorURI         string `json:"error_uri"`
}

// stsTimestamp is the documented "2016-01-09 02:02:12Z" layout.
const stsTimestamp = "2006-01-02 15:04:05Z"

func (p *Provider) writeSTSError(w http.ResponseWriter, r *http.Request, e *stsError) {
	traceID, correlationID := p.requestIDs(r)
	ts := p.now().UTC().Format(stsTimestamp)
	body := stsErrorBody{
		Error: e.oauth,
		ErrorDescription: fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			e.code, e.desc, traceID, correlationID, ts),
		ErrorCodes:    []int{e.code},
		Timestamp:     ts,
		TraceID:       traceID,
		CorrelationID: correlationID,
		ErrorURI:      fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", e.code),
	}
	h := w.Header()
	if e.status == http.StatusUnauthorized && hasBasicAuth(r) {
		// RFC 6749 §5.2: a 401 to a client that used the Authorization
		// header must name the scheme it used.
		h.Set("WWW-Authenticate", `Basic realm="`+stripScheme(p.baseURL(r))+`"`)
	}
	p.writeJSON(w, r, e.status, traceID, body)
}

// requestIDs returns a fresh trace ID and the correlation ID: the caller's
// client-request-id when it is a GUID (MSAL sends one, and Entra ID echoes it
// as the correlation ID), otherwise a fresh one.
func (p *Provider) requestIDs(r *http.Request) (traceID, correlationID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	traceID = randomGUID(p.rng)
	correlationID = r.Header.Get("client-request-id")
	if !isGUID(correlationID) {
		correlationID = randomGUID(p.rng)
	}
	return traceID, correlationID
}

// writeJSON writes a no-store JSON response (RFC 6749 §5.1 forbids caching
// token responses; errors get the same headers).
func (p *Provider) writeJSON(w http.ResponseWriter, r *http.Request, status int, traceID string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode response", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	h.Set("x-ms-request-id", traceID)
	if id := r.Header.Get("client-request-id"); isGUID(id) {
		h.Set("client-request-id", id)
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// stripScheme turns a base URL from baseURL into its host[:port].
func stripScheme(u string) string {
	if rest, ok := strings.CutPrefix(u, "https://"); ok {
		return rest
	}
	return strings.TrimPrefix(u, "http://")
}
