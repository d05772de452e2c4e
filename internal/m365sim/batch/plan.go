package batch

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Get returns the request with the given id (compared without regard to
// case), or nil.
func (b *Batch) Get(id string) *Request {
	if i, ok := b.index[strings.ToLower(id)]; ok {
		return b.Requests[i]
	}
	return nil
}

// Order returns the execution plan as waves. Requests in one wave do not
// depend on each other and may run concurrently; every request's
// dependencies sit in earlier waves. Requests without dependsOn are all in
// the first wave, and each wave keeps the batch's order. The returned
// slices are the caller's to keep; the Requests are shared.
func (b *Batch) Order() [][]*Request {
	out := make([][]*Request, len(b.waves))
	for i, w := range b.waves {
		out[i] = append([]*Request(nil), w...)
	}
	return out
}

// Dependents returns the requests that depend on id directly or through
// other requests, in batch order: the ones that answer 424 Failed
// Dependency when id fails. An unknown id has none.
func (b *Batch) Dependents(id string) []*Request {
	start, ok := b.index[strings.ToLower(id)]
	if !ok {
		return nil
	}
	affected := make([]bool, len(b.Requests))
	affected[start] = true
	// Waves are in dependency order, so one pass over them reaches every
	// transitive dependent.
	for _, w := range b.waves {
		for _, r := range w {
			i := b.index[strings.ToLower(r.ID)]
			for _, j := range b.deps[i] {
				if affected[j] {
					affected[i] = true
				}
			}
		}
	}
	var out []*Request
	for i, r := range b.Requests {
		if affected[i] && i != start {
			out = append(out, r)
		}
	}
	return out
}

// Shape classifies a batch against Graph's tip that "Batch should be
// either fully sequential or fully parallel".
type Shape int

const (
	// Parallel: no request has dependsOn.
	Parallel Shape = iota
	// Sequential: the dependencies order every request, one after another.
	Sequential
	// Mixed: anything else. A third-party report quotes Graph rejecting
	// such a batch with "Batch should be either fully sequential or fully
	// parallel"; the docs only advise against it.
	Mixed
)

// Shape reports whether the batch is parallel, sequential or mixed.
func (b *Batch) Shape() Shape {
	if len(b.waves) <= 1 {
		return Parallel
	}
	for _, w := range b.waves {
		if len(w) != 1 {
			return Mixed
		}
	}
	return Sequential
}

// Succeeded reports whether a sub-response lets its dependents run: OData
// JSON batching runs a dependent "only if those requests were executed
// successfully, i.e. with a 2xx response code".
// https://docs.oasis-open.org/odata/odata-json-format/v4.01/odata-json-format-v4.01.html#sec_BatchRequest
func Succeeded(status int) bool { return status >= 200 && status <= 299 }

// Run executes the batch: wave by wave, up to limit requests at a time
// (0: no limit; Outlook runs at most 4 sub-requests of a batch at once).
// do runs one sub-request and must be safe for concurrent use; the ID of
// its Response is set by Run. do receives ctx unchanged and should answer
// promptly once it is cancelled; Run itself does not stop early. do must
// not panic: it runs on its own goroutine, where a panic ends the process.
// A request whose dependency did not succeed is not run and gets a 424
// response instead. Responses come back in batch order. Run returns when
// every started request has finished.
func (b *Batch) Run(ctx context.Context, limit int, do func(context.Context, *Request) Response) []Response {
	out := make([]Response, len(b.Requests))
	ok := make([]bool, len(b.Requests))
	for _, w := range b.waves {
		var g errgroup.Group
		if limit > 0 {
			g.SetLimit(limit)
		}
		for _, r := range w {
			i := b.index[strings.ToLower(r.ID)]
			if failed := b.failedDependency(i, ok); failed != nil {
				out[i] = FailedDependency(r.ID, failed.ID)
				continue
			}
			g.Go(func() error {
				resp := do(ctx, r)
				resp.ID = r.ID
				out[i] = resp
				return nil
			})
		}
		_ = g.Wait() // the functions never return an error
		for _, r := range w {
			i := b.index[strings.ToLower(r.ID)]
			ok[i] = Succeeded(out[i].Status)
		}
	}
	return out
}

// failedDependency returns the first dependency of request i that did not
// succeed, or nil.
func (b *Batch) failedDependency(i int, ok []bool) *Request {
	for _, j := range b.deps[i] {
		if !ok[j] {
			return b.Requests[j]
		}
	}
	return nil
}

// FailedDependency is the response for a request skipped because the
// request it depends on failed. Graph documents only the status, 424; the
// error body here is ours.
func FailedDependency(id, failedID string) Response {
	body, _ := json.Marshal(map[string]any{"error": map[string]string{
		"code":    "FailedDependency",
		"message": "The request depends on request '" + failedID + "', which failed.",
	}})
	return Response{
		ID:      id,
		Status:  http.StatusFailedDependency,
		Headers: map[string]string{"Content-Type": "application/json"},
		Body:    body,
	}
}
