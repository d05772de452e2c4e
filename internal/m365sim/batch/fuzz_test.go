package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		docsExample,
		`{"requests":[]}`,
		`{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"2","method":"GET","url":"/me","dependsOn":["1"]}]}`,
		`{"requests":[{"id":"a","method":"GET","url":"/me","dependsOn":["c"]},{"id":"b","method":"GET","url":"/me","dependsOn":["a"]},{"id":"c","method":"GET","url":"/me","dependsOn":["b"]}]}`,
		`{"requests":[{"id":"a","method":"GET","url":"/me"},{"id":"A","method":"GET","url":"/me"}]}`,
		`{"requests":[{"id":"m","method":"POST","url":"me/messages","headers":{"Content-Type":"text/plain"},"body":"RnJvbTogYQ=="}]}`,
		`{"requests":[{"id":"x","method":"PUT","url":"/x","headers":{"Content-Type":"image/png"},"body":{}}]}`,
		`{"requests":[{"id":"x","method":"GET","url":"https://graph.microsoft.com/v1.0/me"}]}`,
		`{"requests":[{"id":"x","method":"POST","url":"/me","body":{"a":1}}]}`,
		`{"requests":[{"id":"x","method":"TRACE","url":"/me"}]}`,
		`{"requests":[{"id":1}]}`,
		`{"requests":`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse(bytes.NewReader(data))
		if err != nil {
			var be *Error
			if !errors.As(err, &be) || be.Status != 400 || be.Message == "" {
				t.Fatalf("Parse error %v is not a 400 *Error", err)
			}
			return
		}
		checkBatchInvariants(t, b)
	})
}

// checkBatchInvariants asserts everything Parse promises about a batch it
// accepted.
func checkBatchInvariants(t *testing.T, b *Batch) {
	t.Helper()
	if len(b.Requests) > MaxRequests {
		t.Fatalf("%d requests accepted", len(b.Requests))
	}
	wave := map[string]int{}
	for w, rs := range b.Order() {
		for _, r := range rs {
			key := strings.ToLower(r.ID)
			if _, dup := wave[key]; dup {
				t.Fatalf("request %q planned twice", r.ID)
			}
			wave[key] = w
		}
	}
	if len(wave) != len(b.Requests) {
		t.Fatalf("plan covers %d of %d requests", len(wave), len(b.Requests))
	}
	for _, r := range b.Requests {
		if strings.TrimSpace(r.ID) == "" || b.Get(r.ID) != r || b.Get(strings.ToUpper(r.ID)) != r {
			t.Fatalf("id %q missing, duplicated or not found case-insensitively", r.ID)
		}
		if !methods[r.Method] {
			t.Fatalf("method %q accepted", r.Method)
		}
		u, err := url.Parse(r.URL)
		if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(r.URL, "//") || !strings.HasPrefix(r.Path(), "/") {
			t.Fatalf("url %q accepted", r.URL)
		}
		if r.Body != nil {
			if r.Header("Content-Type") == "" && !r.hasHeader("Content-Type") {
				t.Fatalf("request %q has a body without Content-Type", r.ID)
			}
			if _, err := r.BodyBytes(); err != nil {
				t.Fatalf("BodyBytes of an accepted request: %v", err)
			}
		}
		for _, d := range r.DependsOn {
			dep := b.Get(d)
			if dep == nil || dep == r {
				t.Fatalf("request %q depends on %q", r.ID, d)
			}
			if wave[strings.ToLower(dep.ID)] >= wave[strings.ToLower(r.ID)] {
				t.Fatalf("request %q runs no later than its dependency %q", r.ID, dep.ID)
			}
		}
		for _, dep := range b.Dependents(r.ID) {
			if dep == r || wave[strings.ToLower(dep.ID)] <= wave[strings.ToLower(r.ID)] {
				t.Fatalf("Dependents(%q) lists %q", r.ID, dep.ID)
			}
		}
	}
	// Failing the first request fails exactly its dependents.
	if len(b.Requests) == 0 {
		return
	}
	first := b.Requests[0]
	resps := b.Run(context.Background(), 4, func(_ context.Context, r *Request) Response {
		if r == first {
			return Response{Status: 500}
		}
		return Response{Status: 200, Body: json.RawMessage(`{}`), Headers: map[string]string{"Content-Type": "application/json"}}
	})
	skipped := map[string]bool{}
	for _, d := range b.Dependents(first.ID) {
		skipped[d.ID] = true
	}
	for i, resp := range resps {
		r := b.Requests[i]
		switch {
		case resp.ID != r.ID:
			t.Fatalf("response %d has id %q, want %q", i, resp.ID, r.ID)
		case r == first && resp.Status != 500,
			skipped[r.ID] && resp.Status != 424,
			r != first && !skipped[r.ID] && resp.Status != 200:
			t.Fatalf("request %q answered %d", r.ID, resp.Status)
		}
	}
	var buf bytes.Buffer
	if err := WriteResponses(&buf, resps); err != nil {
		t.Fatalf("WriteResponses: %v", err)
	}
	if !json.Valid(buf.Bytes()) {
		t.Fatalf("WriteResponses wrote invalid JSON: %s", buf.String())
	}
}
