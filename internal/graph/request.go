package graph

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Class names the Graph workload a request belongs to. It labels metrics and
// tells the governor which limits apply.
type Class string

// Classes. Mail, calendar and contacts share Outlook's per-mailbox limits.
const (
	ClassDirectory Class = "directory"
	ClassMail      Class = "mail"
	ClassCalendar  Class = "calendar"
	ClassContacts  Class = "contacts"
	ClassDrive     Class = "drive"
	ClassBatch     Class = "batch"
)

// service is the Graph service whose limits a class is subject to.
type service string

const (
	serviceOutlook   service = "outlook"
	serviceFiles     service = "files"
	serviceDirectory service = "directory"
)

func (c Class) service() service {
	switch c {
	case ClassMail, ClassCalendar, ClassContacts:
		return serviceOutlook
	case ClassDrive:
		return serviceFiles
	}
	return serviceDirectory
}

// Request is one Graph call for Client.Do. The zero Method is GET.
//
// Path is relative to the Graph base URL (including its version), already
// escaped: build it with Pathf. URL, when set, is an absolute URL used
// verbatim (an @odata.nextLink or deltaLink) and overrides Path and Query.
//
// Body is sent as is. A retry must resend it, so the Client rewinds it to
// where it stood at the first attempt when it is an io.Seeker
// (bytes.Reader, strings.Reader, *os.File); any other reader makes the
// request non-retriable once it has been sent. Do records that position in
// the Request, so a Request must not be shared by concurrent calls.
type Request struct {
	Op       string // names the call in errors and logs; default "METHOD /path"
	Method   string
	Path     string
	URL      string
	Query    url.Values
	Header   http.Header
	Body     io.Reader
	Class    Class  // default ClassDirectory
	Resource string // mailbox (user id or UPN) or drive id; "" for tenant-wide calls

	// RetrySafe marks a write whose repetition is harmless, so dropped
	// connections and 503/504 are retried as for GET.
	RetrySafe bool

	// noAuth marks a pre-authenticated URL (download or upload session):
	// it never gets an Authorization header.
	noAuth bool
	// cost is how many pacing tokens the request takes (a $batch takes one
	// per sub-request); 0 means 1.
	cost int
	// slots is how many resource concurrency slots the request holds
	// (a $batch runs up to four sub-requests at once); 0 means 1.
	slots int
	// bodyStart is the body's position before the first attempt, where
	// retries rewind it to; -1 when unknown.
	bodyStart int64
}

// RequestOption adjusts a Request built by Get, Send, List or Delta.
type RequestOption func(*Request)

// WithResource states the request's class and resource key (mailbox or drive
// id), so the governor can apply that resource's limits.
func WithResource(class Class, key string) RequestOption {
	return func(r *Request) { r.Class, r.Resource = class, key }
}

// WithQuery adds query parameters.
func WithQuery(q url.Values) RequestOption {
	return func(r *Request) {
		if r.Query == nil {
			r.Query = url.Values{}
		}
		for k, vs := range q {
			r.Query[k] = append(r.Query[k], vs...)
		}
	}
}

// WithHeader sets a request header, resent on every page of a listing.
func WithHeader(key, value string) RequestOption {
	return func(r *Request) {
		if r.Header == nil {
			r.Header = http.Header{}
		}
		r.Header.Set(key, value)
	}
}

// WithRetrySafe marks a write as safe to repeat (see Request.RetrySafe).
func WithRetrySafe() RequestOption { return func(r *Request) { r.RetrySafe = true } }

// WithOp names the call in errors and logs.
func WithOp(op string) RequestOption { return func(r *Request) { r.Op = op } }

type retrySafeKey struct{}

// RetrySafe returns a context under which writes are treated as safe to
// repeat, for callers that make their writes idempotent themselves (for
// example by checking for the item before re-creating it).
func RetrySafe(ctx context.Context) context.Context {
	return context.WithValue(ctx, retrySafeKey{}, true)
}

func isRetrySafe(ctx context.Context) bool {
	v, _ := ctx.Value(retrySafeKey{}).(bool)
	return v
}

// Pathf builds a Graph path from a format whose verbs are all %s, escaping
// each argument as one path segment: Pathf("/users/%s/messages/%s", upn, id).
// A "/" in an id becomes %2F, and "#", "?" and "%" are escaped, so an id or a
// guest UPN ("a_b.com#EXT#@t.onmicrosoft.com") can never change the path's
// shape.
func Pathf(format string, ids ...string) string {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = url.PathEscape(id)
	}
	return fmt.Sprintf(format, args...)
}

// userPath returns the path of a user: "/users/{id}". A UPN that starts
// with "$" must be addressed as /users('$upn') instead, or Graph parses it as
// a system query option (user-get documentation).
func userPath(user string) string {
	if strings.HasPrefix(user, "$") {
		return "/users('" + url.PathEscape(strings.ReplaceAll(user, "'", "''")) + "')"
	}
	return "/users/" + url.PathEscape(user)
}

func (r *Request) method() string {
	if r.Method == "" {
		return http.MethodGet
	}
	return r.Method
}

func (r *Request) class() Class {
	if r.Class == "" {
		return ClassDirectory
	}
	return r.Class
}

// op names the request without its query string, which may hold data we
// should not log, and without the path of a pre-authenticated URL, which is
// itself a credential.
func (r *Request) op() string {
	if r.Op != "" {
		return r.Op
	}
	if r.noAuth {
		return r.method() + " " + redactURL(r.URL)
	}
	if r.URL != "" {
		if u, err := url.Parse(r.URL); err == nil {
			return r.method() + " " + u.EscapedPath()
		}
		return r.method()
	}
	return r.method() + " " + r.Path
}

// target returns the absolute URL of the request.
func (r *Request) target(base string) string {
	if r.URL != "" {
		return r.URL
	}
	u := base + r.Path
	if len(r.Query) > 0 {
		u += "?" + encodeQuery(r.Query)
	}
	return u
}

// encodeQuery encodes q like url.Values.Encode, except that spaces become
// %20 rather than "+" (OData parsers differ on "+"), and "$", "," and "@"
// stay literal, as Graph's documentation and links spell them ($select=a,b,
// @microsoft.graph.conflictBehavior=rename).
func encodeQuery(q url.Values) string {
	return queryUnescaper.Replace(q.Encode()) // Encode sorts keys: URLs are deterministic
}

// queryUnescaper undoes Encode's escaping of characters that are legal in a
// query; a literal "+" was encoded as %2B, so "+" can only be a space.
var queryUnescaper = strings.NewReplacer("+", "%20", "%24", "$", "%2C", ",", "%40", "@")

// markBody records where the body starts, for rewind.
func (r *Request) markBody() {
	r.bodyStart = -1
	if s, ok := r.Body.(io.Seeker); ok {
		if pos, err := s.Seek(0, io.SeekCurrent); err == nil {
			r.bodyStart = pos
		}
	}
}

// rewind prepares the body for another attempt. It reports false when the
// body cannot be sent again.
func (r *Request) rewind() bool {
	if r.Body == nil {
		return true
	}
	s, ok := r.Body.(io.Seeker)
	if !ok || r.bodyStart < 0 {
		return false
	}
	_, err := s.Seek(r.bodyStart, io.SeekStart)
	return err == nil
}

// contentLength returns the number of bytes left in body when it can be
// known without reading it, or -1.
func contentLength(body io.Reader) int64 {
	switch b := body.(type) {
	case nil:
		return 0
	case *bytes.Reader:
		return int64(b.Len())
	case *strings.Reader:
		return int64(b.Len())
	case *bytes.Buffer:
		return int64(b.Len())
	case io.Seeker:
		cur, err := b.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		end, err := b.Seek(0, io.SeekEnd)
		if _, err2 := b.Seek(cur, io.SeekStart); err != nil || err2 != nil {
			return -1
		}
		return end - cur
	}
	return -1
}

// redactURL keeps only the scheme and host of a URL: pre-authenticated
// download and upload URLs carry their credential in the path or query.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "[url]"
	}
	return u.Scheme + "://" + u.Host + "/[redacted]"
}
