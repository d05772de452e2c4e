package batch

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestWriteResponses(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', 0, 1, 2}
	var buf bytes.Buffer
	err := WriteResponses(&buf, []Response{
		{ID: "1", Status: 200, Headers: map[string]string{
			"Content-Type": "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
		}, Body: json.RawMessage(`{"value":[{"id":"a<b>"}]}`)},
		{ID: "2", Status: 200, Headers: map[string]string{"content-type": "image/png"}, Body: png},
		{ID: "3", Status: 204},
		{ID: "4", Status: 429, Headers: map[string]string{"Retry-After": "7"}, Body: json.RawMessage(`{"error":{"code":"TooManyRequests"}}`)},
		{ID: "5", Status: 200, Body: []byte("plain text, no content type")},
	})
	if err != nil {
		t.Fatalf("WriteResponses: %v", err)
	}
	var got struct {
		Responses []struct {
			ID      string            `json:"id"`
			Status  int               `json:"status"`
			Headers map[string]string `json:"headers"`
			Body    json.RawMessage   `json:"body"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, buf.String())
	}
	if len(got.Responses) != 5 {
		t.Fatalf("%d responses, want 5", len(got.Responses))
	}
	r := got.Responses
	if r[0].ID != "1" || string(r[0].Body) != `{"value":[{"id":"a<b>"}]}` {
		t.Errorf("JSON body not inline: %s", r[0].Body)
	}
	var b64 string
	if err := json.Unmarshal(r[1].Body, &b64); err != nil {
		t.Fatalf("binary body is not a JSON string: %s", r[1].Body)
	}
	if dec, _ := base64.StdEncoding.DecodeString(b64); !bytes.Equal(dec, png) {
		t.Errorf("binary body decodes to %q, want %q", dec, png)
	}
	if r[2].Status != 204 || r[2].Body != nil || strings.Contains(buf.String(), `"id":"3","status":204,"headers"`) {
		t.Errorf("204 response = %+v; want no body and no headers", r[2])
	}
	if r[3].Headers["Retry-After"] != "7" || r[3].Status != 429 {
		t.Errorf("429 response = %+v", r[3])
	}
	if err := json.Unmarshal(r[4].Body, &b64); err != nil {
		t.Errorf("non-JSON body without Content-Type must be base64: %s", r[4].Body)
	}
	if !strings.HasPrefix(buf.String(), `{"responses":[{"id":"1","status":200,`) {
		t.Errorf("unexpected layout: %s", buf.String())
	}
}

func TestWriteResponsesErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		rs   []Response
		want string
	}{
		{"no id", []Response{{Status: 200}}, "without an id"},
		{"bad status", []Response{{ID: "1", Status: 42}}, "status 42"},
		{"invalid json", []Response{{ID: "1", Status: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: []byte("{")}}, "not valid JSON"},
	} {
		var buf bytes.Buffer
		err := WriteResponses(&buf, tc.rs)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: wrote %q before failing", tc.name, buf.String())
		}
	}
	var buf bytes.Buffer
	if err := WriteResponses(&buf, nil); err != nil || buf.String() != "{\"responses\":[]}\n" {
		t.Errorf("empty: %q, %v", buf.String(), err)
	}
}

func TestNewResponse(t *testing.T) {
	h := http.Header{}
	h.Add("Content-Type", "text/plain")
	h.Add("Vary", "Accept")
	h.Add("Vary", "Prefer")
	r := NewResponse("7", 200, h, []byte("MIME-Version: 1.0"))
	if r.ID != "7" || r.Status != 200 || r.Headers["Vary"] != "Accept, Prefer" || r.Headers["Content-Type"] != "text/plain" {
		t.Fatalf("NewResponse = %+v", r)
	}
	if r := NewResponse("8", 204, nil, nil); r.Headers != nil || r.Body != nil {
		t.Fatalf("NewResponse without headers = %+v", r)
	}
}

func TestIsJSON(t *testing.T) {
	for ct, want := range map[string]bool{
		"application/json":                     true,
		"Application/JSON; charset=utf-8":      true,
		"application/json;odata.metadata=full": true,
		"application/problem+json":             true,
		"text/plain":                           false,
		"application/octet-stream":             false,
		"":                                     false,
		"application/json;;broken":             true,
	} {
		if got := IsJSON(ct); got != want {
			t.Errorf("IsJSON(%q) = %v, want %v", ct, got, want)
		}
	}
}
