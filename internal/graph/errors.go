package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors that callers branch on with errors.Is. An *APIError wraps
// at most one of them in its Err field.
var (
	ErrBadRequest     = errors.New("bad request")
	ErrUnauthorized   = errors.New("unauthorized")
	ErrForbidden      = errors.New("forbidden")
	ErrNotFound       = errors.New("not found")
	ErrConflict       = errors.New("conflict")
	ErrThrottled      = errors.New("throttled")
	ErrResyncRequired = errors.New("delta token expired: resync required")
)

// APIError is a failed Graph call. Op names the call ("GET /users/{id}" or a
// method name); Code, InnerCode and Message come from Graph's error body;
// RetryAfter is the server's Retry-After, if any; Location is the Location
// header, which on a 410 for a delta query is the URL to restart from. Err is
// one of the sentinels above, or nil for statuses callers do not branch on.
//
// An APIError never holds a bearer token or a pre-authenticated URL.
type APIError struct {
	Op              string
	Status          int
	Code            string
	InnerCode       string
	Message         string
	RequestID       string
	ClientRequestID string
	RetryAfter      time.Duration
	Location        string
	Err             error
}

// Error describes the failure: op, status, codes, message and request id.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("graph: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if e.InnerCode != "" && e.InnerCode != e.Code {
		b.WriteString("/")
		b.WriteString(e.InnerCode)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request-id ")
		b.WriteString(e.RequestID)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the sentinel, so errors.Is(err, ErrNotFound) works.
func (e *APIError) Unwrap() error { return e.Err }

var statusErrs = map[int]error{
	http.StatusBadRequest:         ErrBadRequest,
	http.StatusUnauthorized:       ErrUnauthorized,
	http.StatusForbidden:          ErrForbidden,
	http.StatusNotFound:           ErrNotFound,
	http.StatusConflict:           ErrConflict,
	http.StatusPreconditionFailed: ErrConflict, // eTag mismatch on if-match
	http.StatusGone:               ErrResyncRequired,
	http.StatusTooManyRequests:    ErrThrottled,
	http.StatusServiceUnavailable: ErrThrottled,
}

// resyncCodes are the error codes that mean "the delta token is no longer
// valid": directory and docs spell them camelCase, Outlook answers in
// PascalCase, drives and lists use the resyncChanges* pair
// (https://learn.microsoft.com/en-us/graph/errors, delta-query-overview,
// driveitem-delta). Compared case-sensitively on purpose: these are the
// spellings Graph uses.
var resyncCodes = map[string]bool{
	"resyncRequired":                 true,
	"syncStateNotFound":              true,
	"SyncStateNotFound":              true,
	"SyncStateInvalid":               true,
	"ResyncRequired":                 true,
	"resyncChangesApplyDifferences":  true,
	"resyncChangesUploadDifferences": true,
	"resyncApplyDifferences":         true,
	"resyncUploadDifferences":        true,
}

// errorBody is Graph's error envelope (https://learn.microsoft.com/en-us/graph/errors).
// OneDrive spells "innererror" in lower case; encoding/json matches keys
// case-insensitively, so one field covers both.
type errorBody struct {
	Error struct {
		Code       string     `json:"code"`
		Message    string     `json:"message"`
		InnerError innerError `json:"innerError"`
	} `json:"error"`
}

type innerError struct {
	Code            string      `json:"code"`
	RequestID       string      `json:"request-id"`
	ClientRequestID string      `json:"client-request-id"`
	InnerError      *innerError `json:"innerError"`
}

// maxErrorBody bounds how much of an error response is read; Graph error
// bodies are a few hundred bytes, and a misbehaving proxy must not make us
// buffer megabytes.
const maxErrorBody = 64 << 10

// translate is the only place a Graph response status becomes an error. It
// reads the error body (already read into body) and the response headers.
func translate(op string, status int, h http.Header, body []byte, now time.Time) *APIError {
	e := &APIError{Op: op, Status: status, Err: statusErrs[status]}
	var eb errorBody
	if len(body) > 0 && json.Unmarshal(body, &eb) == nil {
		e.Code = eb.Error.Code
		e.Message = eb.Error.Message
		e.RequestID = eb.Error.InnerError.RequestID
		e.ClientRequestID = eb.Error.InnerError.ClientRequestID
		// The innermost code is the most specific (drive errors nest
		// "fragmentOverlap" under "invalidRange", and so on).
		depth := 0
		for in := &eb.Error.InnerError; in != nil && depth < 16; in, depth = in.InnerError, depth+1 {
			if in.Code != "" {
				e.InnerCode = in.Code
			}
			if resyncCodes[in.Code] {
				e.Err = ErrResyncRequired
			}
		}
	}
	if h != nil {
		if e.RequestID == "" {
			e.RequestID = h.Get("request-id")
		}
		if e.ClientRequestID == "" {
			e.ClientRequestID = h.Get("client-request-id")
		}
		if d, ok := parseRetryAfter(h.Get("Retry-After"), now); ok {
			e.RetryAfter = d
		}
		e.Location = h.Get("Location")
	}
	switch {
	case resyncCodes[e.Code]:
		// Outlook reports an evicted delta token as a 4xx with one of
		// these codes rather than a 410.
		e.Err = ErrResyncRequired
	case e.Code == "InvalidAuthenticationToken":
		e.Err = ErrUnauthorized
	case e.Code == "ApplicationThrottled" || e.Code == "activityLimitReached" || e.Code == "TooManyRequests":
		e.Err = ErrThrottled
	}
	return e
}

// IsThrottled reports whether err is a throttling answer (429, or 503 which
// SharePoint uses for the same purpose).
func IsThrottled(err error) bool { return errors.Is(err, ErrThrottled) }

// IsNotFound reports whether err means the item or resource does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsResyncRequired reports whether a delta token has expired and the caller
// must enumerate from scratch. A 410 also carries the restart URL in
// APIError.Location.
func IsResyncRequired(err error) bool { return errors.Is(err, ErrResyncRequired) }

// IsAuth reports whether err is an authentication failure: a 401 from Graph
// or a failure to obtain a token.
func IsAuth(err error) bool { return errors.Is(err, ErrUnauthorized) }

// IsPermission reports whether the app lacks a permission or consent (403).
func IsPermission(err error) bool { return errors.Is(err, ErrForbidden) }

// tokenError wraps a credential failure so that IsAuth finds it without
// losing the credential's own error (which explains the AADSTS code).
type tokenError struct{ err error }

func (e *tokenError) Error() string   { return "graph: acquire token: " + e.err.Error() }
func (e *tokenError) Unwrap() []error { return []error{ErrUnauthorized, e.err} }
