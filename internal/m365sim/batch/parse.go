package batch

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// MaxRequests is Graph's limit: "JSON batch requests are currently limited
// to 20 individual requests."
// https://learn.microsoft.com/en-us/graph/json-batching#batch-size-limitations
const MaxRequests = 20

// methods are the sub-request methods the emulator accepts.
var methods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true}

// Batch is a parsed, validated batch request. Requests keep the client's
// order. A Batch is not modified after Parse and is safe for concurrent
// reads.
type Batch struct {
	Requests []*Request

	index map[string]int // lower-cased id -> position
	deps  [][]int        // positions each request depends on
	waves [][]*Request
}

// wireRequest keeps every field raw so that type errors can name the field.
type wireRequest struct {
	ID        json.RawMessage `json:"id"`
	Method    json.RawMessage `json:"method"`
	URL       json.RawMessage `json:"url"`
	Headers   json.RawMessage `json:"headers"`
	Body      json.RawMessage `json:"body"`
	DependsOn json.RawMessage `json:"dependsOn"`
}

// Parse reads and validates a JSON batch. Any violation of the rules in
// the package comment is an *Error with status 400; the whole batch fails,
// as Graph fails it.
func Parse(r io.Reader) (*Batch, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err // the caller's reader failed; not the client's payload
	}
	var top struct {
		Requests json.RawMessage `json:"requests"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, payloadError("The body is not a JSON object: %v.", err)
	}
	if isNull(top.Requests) {
		return nil, payloadError("The required property 'requests' is missing.")
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(top.Requests, &raws); err != nil {
		return nil, payloadError("'requests' must be an array.")
	}
	if len(raws) > MaxRequests {
		// Graph's text for this case is not documented; this is ours.
		return nil, &Error{Status: http.StatusBadRequest, Code: "BadRequest",
			Message: "Maximum number of requests in a batch is 20."}
	}
	b := &Batch{index: make(map[string]int, len(raws))}
	for i, raw := range raws {
		req, err := parseRequest(i, raw)
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(req.ID)
		if j, dup := b.index[key]; dup {
			return nil, payloadError("The id '%s' of requests[%d] is already used by requests[%d]; ids must be unique, ignoring case.",
				req.ID, i, j)
		}
		b.index[key] = i
		b.Requests = append(b.Requests, req)
	}
	if err := b.link(); err != nil {
		return nil, err
	}
	return b, nil
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// parseRequest validates one element of "requests".
func parseRequest(i int, raw json.RawMessage) (*Request, error) {
	var w wireRequest
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, payloadError("requests[%d] must be a JSON object.", i)
	}
	req := &Request{}
	var err error
	if req.ID, err = requiredString(i, "id", w.ID); err != nil {
		return nil, err
	}
	method, err := requiredString(i, "method", w.Method)
	if err != nil {
		return nil, err
	}
	req.Method = strings.ToUpper(method)
	if !methods[req.Method] {
		return nil, payloadError("requests[%d] (id '%s') has method '%s'; expected GET, POST, PUT, PATCH or DELETE.", i, req.ID, method)
	}
	if req.URL, err = requiredString(i, "url", w.URL); err != nil {
		return nil, err
	}
	if err := checkRelativeURL(i, req); err != nil {
		return nil, err
	}
	if !isNull(w.Headers) {
		if err := json.Unmarshal(w.Headers, &req.Headers); err != nil {
			return nil, payloadError("requests[%d] (id '%s'): 'headers' must be an object of string values.", i, req.ID)
		}
	}
	if !isNull(w.Body) {
		req.Body = w.Body
		// "When a body is included with the request, the headers object
		// must contain a value for Content-Type."
		if !req.hasHeader("Content-Type") {
			return nil, payloadError("requests[%d] (id '%s') has a body but no Content-Type in 'headers'.", i, req.ID)
		}
		if _, err := req.BodyBytes(); err != nil {
			return nil, payloadError("requests[%d]: %v.", i, err)
		}
	}
	if !isNull(w.DependsOn) {
		var deps []string
		if err := json.Unmarshal(w.DependsOn, &deps); err != nil {
			return nil, payloadError("requests[%d] (id '%s'): 'dependsOn' must be an array of request ids.", i, req.ID)
		}
		seen := map[string]bool{}
		for _, d := range deps {
			if !seen[strings.ToLower(d)] {
				seen[strings.ToLower(d)] = true
				req.DependsOn = append(req.DependsOn, d)
			}
		}
	}
	return req, nil
}

func requiredString(i int, field string, raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", payloadError("requests[%d] is missing the required property '%s'.", i, field)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", payloadError("requests[%d]: '%s' must be a string.", i, field)
	}
	if strings.TrimSpace(s) == "" {
		return "", payloadError("requests[%d]: '%s' must not be empty.", i, field)
	}
	return s, nil
}

// checkRelativeURL enforces "The relative resource URL for the individual
// request": no scheme, no host.
func checkRelativeURL(i int, req *Request) error {
	u, err := url.Parse(req.URL)
	if err != nil {
		return payloadError("requests[%d] (id '%s') has an invalid url: %v.", i, req.ID, err)
	}
	if u.Scheme != "" || u.Host != "" || strings.HasPrefix(req.URL, "//") {
		return payloadError("requests[%d] (id '%s') has the absolute url '%s'; use a url relative to the version root, such as '/users'.",
			i, req.ID, req.URL)
	}
	return nil
}

// link resolves dependsOn into positions, rejects unknown ids and cycles,
// and computes the waves.
func (b *Batch) link() error {
	n := len(b.Requests)
	b.deps = make([][]int, n)
	for i, r := range b.Requests {
		for _, d := range r.DependsOn {
			j, ok := b.index[strings.ToLower(d)]
			switch {
			case !ok:
				return payloadError("Request '%s' depends on '%s', which is not in the batch.", r.ID, d)
			case j == i:
				return payloadError("Request '%s' depends on itself.", r.ID)
			}
			b.deps[i] = append(b.deps[i], j)
		}
	}
	// Depth-first search assigns each request its wave: one more than its
	// deepest dependency. A grey node met again closes a cycle.
	const (
		white = iota
		grey
		black
	)
	color := make([]int, n)
	wave := make([]int, n)
	var visit func(i int) error
	visit = func(i int) error {
		color[i] = grey
		for _, j := range b.deps[i] {
			switch color[j] {
			case grey:
				return payloadError("The dependsOn references form a cycle through request '%s'.", b.Requests[j].ID)
			case white:
				if err := visit(j); err != nil {
					return err
				}
			}
			wave[i] = max(wave[i], wave[j]+1)
		}
		color[i] = black
		return nil
	}
	for i := range b.Requests {
		if color[i] == white {
			if err := visit(i); err != nil {
				return err
			}
		}
	}
	for i, r := range b.Requests {
		for len(b.waves) <= wave[i] {
			b.waves = append(b.waves, nil)
		}
		b.waves[wave[i]] = append(b.waves[wave[i]], r)
	}
	return nil
}
