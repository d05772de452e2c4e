package graph

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTranslate(t *testing.T) {
	now := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	body := func(code, inner string) []byte {
		return []byte(`{"error":{"code":"` + code + `","message":"m","innerError":{"code":"` + inner + `","request-id":"rid","client-request-id":"crid"}}}`)
	}
	for _, tc := range []struct {
		name   string
		status int
		body   []byte
		header http.Header
		want   error
	}{
		{"bad request", 400, body("BadRequest", ""), nil, ErrBadRequest},
		{"expired token", 401, body("InvalidAuthenticationToken", ""), nil, ErrUnauthorized},
		{"forbidden", 403, body("Authorization_RequestDenied", ""), nil, ErrForbidden},
		{"not found", 404, body("ErrorItemNotFound", ""), nil, ErrNotFound},
		{"conflict", 409, body("nameAlreadyExists", ""), nil, ErrConflict},
		{"precondition", 412, body("resourceModified", ""), nil, ErrConflict},
		{"gone", 410, body("", ""), nil, ErrResyncRequired},
		{"outlook resync as 400", 400, body("SyncStateNotFound", ""), nil, ErrResyncRequired},
		{"outlook invalid state", 400, body("SyncStateInvalid", ""), nil, ErrResyncRequired},
		{"directory resync", 400, body("resyncRequired", ""), nil, ErrResyncRequired},
		{"drive resync inner", 410, body("invalidRequest", "resyncChangesApplyDifferences"), nil, ErrResyncRequired},
		{"drive resync inner 400", 400, body("invalidRequest", "resyncChangesUploadDifferences"), nil, ErrResyncRequired},
		{"throttled", 429, body("TooManyRequests", "429"), nil, ErrThrottled},
		{"sharepoint busy", 503, body("serviceNotAvailable", ""), nil, ErrThrottled},
		{"gateway timeout", 504, nil, nil, nil},
		{"server error", 500, []byte("<html>oops</html>"), nil, nil},
		{"no body 404", 404, nil, nil, ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := translate("GET /x", tc.status, tc.header, tc.body, now)
			if e.Status != tc.status {
				t.Errorf("Status = %d", e.Status)
			}
			if tc.want == nil {
				if e.Err != nil {
					t.Errorf("Err = %v, want nil", e.Err)
				}
				return
			}
			if !errors.Is(e, tc.want) {
				t.Errorf("errors.Is(%v, %v) = false", e, tc.want)
			}
			for _, other := range []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrConflict, ErrThrottled, ErrResyncRequired} {
				if other != tc.want && errors.Is(e, other) {
					t.Errorf("also matches %v", other)
				}
			}
		})
	}
}

func TestTranslateFields(t *testing.T) {
	now := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	h := http.Header{"Retry-After": {"2.5"}, "Location": {"https://graph.example/v1.0/me/delta"}, "Request-Id": {"hdr-rid"}}
	b := []byte(`{"error":{"code":"invalidRequest","message":"Invalid range","innererror":{"code":"invalidRange","innererror":{"code":"fragmentOverlap"}}}}`)
	e := translate("PUT upload", 416, h, b, now)
	if e.Code != "invalidRequest" || e.InnerCode != "fragmentOverlap" || e.Message != "Invalid range" {
		t.Errorf("codes = %q/%q/%q", e.Code, e.InnerCode, e.Message)
	}
	if e.RetryAfter != 2500*time.Millisecond {
		t.Errorf("RetryAfter = %v", e.RetryAfter)
	}
	if e.Location != "https://graph.example/v1.0/me/delta" {
		t.Errorf("Location = %q", e.Location)
	}
	if e.RequestID != "hdr-rid" {
		t.Errorf("RequestID = %q, want the header's when the body has none", e.RequestID)
	}
	msg := e.Error()
	for _, want := range []string{"PUT upload", "416", "invalidRequest/fragmentOverlap", "Invalid range", "hdr-rid"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Error() = %q, missing %q", msg, want)
		}
	}
	if !strings.HasPrefix(msg, "graph: ") {
		t.Errorf("Error() = %q, want the graph: prefix", msg)
	}
}

func TestHelpers(t *testing.T) {
	now := time.Now()
	wrapped := func(status int, code string) error {
		return errors.Join(errors.New("context"), translate("op", status, nil, []byte(`{"error":{"code":"`+code+`"}}`), now))
	}
	if !IsThrottled(wrapped(429, "")) || IsThrottled(wrapped(500, "")) {
		t.Error("IsThrottled")
	}
	if !IsNotFound(wrapped(404, "")) || IsNotFound(wrapped(403, "")) {
		t.Error("IsNotFound")
	}
	if !IsResyncRequired(wrapped(410, "")) || !IsResyncRequired(wrapped(400, "SyncStateNotFound")) || IsResyncRequired(wrapped(400, "BadRequest")) {
		t.Error("IsResyncRequired")
	}
	if !IsAuth(wrapped(401, "")) || !IsAuth(&tokenError{err: errors.New("AADSTS7000215: invalid secret")}) || IsAuth(wrapped(403, "")) {
		t.Error("IsAuth")
	}
	if !IsPermission(wrapped(403, "")) || IsPermission(wrapped(401, "")) {
		t.Error("IsPermission")
	}
}

func FuzzTranslate(f *testing.F) {
	f.Add(429, []byte(`{"error":{"code":"TooManyRequests","innerError":{"code":"429","request-id":"x"}}}`), "2.128")
	f.Add(410, []byte(`{"error":{"code":"resyncRequired"}}`), "")
	f.Add(400, []byte(`{"error":{"innererror":{"innererror":{"innererror":{"code":"SyncStateInvalid"}}}}}`), "")
	f.Add(500, []byte(`not json`), "Wed, 21 Oct 2015 07:28:00 GMT")
	now := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		e := translate("op", status, http.Header{"Retry-After": {retryAfter}}, body, now)
		if e.Status != status {
			t.Fatalf("Status = %d, want %d", e.Status, status)
		}
		if e.RetryAfter < 0 {
			t.Fatalf("negative RetryAfter %v", e.RetryAfter)
		}
		if want := statusErrs[status]; want != nil && e.Err != want && e.Err != ErrResyncRequired &&
			e.Err != ErrUnauthorized && e.Err != ErrThrottled {
			t.Fatalf("status %d gave %v", status, e.Err)
		}
		_ = e.Error()
	})
}
