package batch

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Response is one sub-response. Body holds the bytes the sub-request
// produced: JSON text when Headers["Content-Type"] is JSON (or absent and
// the bytes are valid JSON), any bytes otherwise. WriteResponses encodes
// the non-JSON kind as a base64 string, as Graph does for binary content.
type Response struct {
	ID      string
	Status  int
	Headers map[string]string
	Body    json.RawMessage
}

// NewResponse builds a Response from what an http.Handler wrote (for
// example through httptest.ResponseRecorder). Multi-valued headers are
// joined with ", ".
func NewResponse(id string, status int, h http.Header, body []byte) Response {
	r := Response{ID: id, Status: status, Body: body}
	if len(h) > 0 {
		r.Headers = make(map[string]string, len(h))
		for k, vs := range h {
			r.Headers[k] = strings.Join(vs, ", ")
		}
	}
	return r
}

// contentType finds Content-Type in a header map without regard to case.
func contentType(h map[string]string) (string, bool) {
	for k, v := range h {
		if http.CanonicalHeaderKey(k) == "Content-Type" {
			return v, true
		}
	}
	return "", false
}

// wireResponse is the JSON shape of one entry of "responses".
type wireResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// WriteResponses writes {"responses":[…]} to w. A body whose Content-Type
// is not JSON is written as a base64 string; a JSON body must be valid
// JSON. A response without an id or with a status outside 100–599 is an
// error, and nothing is written.
func WriteResponses(w io.Writer, rs []Response) error {
	out := struct {
		Responses []wireResponse `json:"responses"`
	}{Responses: make([]wireResponse, 0, len(rs))}
	for _, r := range rs {
		if r.ID == "" {
			return fmt.Errorf("batch: response without an id")
		}
		if r.Status < 100 || r.Status > 599 {
			return fmt.Errorf("batch: response %q has status %d", r.ID, r.Status)
		}
		wr := wireResponse{ID: r.ID, Status: r.Status, Headers: r.Headers}
		if len(r.Body) > 0 {
			body, err := encodeBody(r)
			if err != nil {
				return err
			}
			wr.Body = body
		}
		out.Responses = append(out.Responses, wr)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// encodeBody decides between inline JSON and a base64 string.
func encodeBody(r Response) (json.RawMessage, error) {
	ct, hasCT := contentType(r.Headers)
	inline := IsJSON(ct) || (!hasCT && json.Valid(r.Body))
	if inline {
		if !json.Valid(r.Body) {
			return nil, fmt.Errorf("batch: response %q has Content-Type %q but its body is not valid JSON", r.ID, ct)
		}
		return r.Body, nil
	}
	return json.Marshal(base64.StdEncoding.EncodeToString(r.Body))
}
