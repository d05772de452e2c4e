package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxBatch is Graph's limit of sub-requests per JSON batch (json-batching).
const maxBatch = 20

// BatchItem is one sub-request of a JSON batch.
type BatchItem struct {
	// ID identifies the item in DependsOn and in the results. Unique per
	// Batch call, compared case-insensitively as Graph does; assigned when
	// empty.
	ID        string
	Method    string // default GET
	Path      string // relative to the Graph base URL, query included (Pathf)
	Header    http.Header
	Body      json.RawMessage // JSON body; Content-Type defaults to application/json
	DependsOn []string        // IDs that must succeed first; they share this item's batch
	Class     Class
	Resource  string // mailbox or drive the item touches
	RetrySafe bool   // the write may be repeated (see Request.RetrySafe)
}

// BatchResult is the outcome of one BatchItem, in the order of the items.
type BatchResult struct {
	ID     string
	Status int
	Header http.Header
	Body   json.RawMessage // JSON, or a base64 JSON string for non-JSON content
	Err    error           // *APIError when Status is not 2xx or 3xx
}

type batchWireRequest struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      json.RawMessage   `json:"body,omitempty"`
	DependsOn []string          `json:"dependsOn,omitempty"`
}

type batchWireResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// Batch sends items through POST /$batch, at most 20 per batch, and returns
// one result per item in item order. Items joined by DependsOn travel in the
// same batch (Graph resolves dependsOn within a batch only), so such a group
// may hold at most 20 items. Sub-requests answered 429, or 503/504 when
// retry-safe, are sent again in a later batch after the longest of their own
// Retry-After values (or backoff), within Options.MaxAttempts and
// MaxRetryWait; an item that failed with 424 because its dependency was
// throttled travels again with it. Batches are sent one after another.
//
// Failures are per item, in BatchResult.Err, including a batch request that
// failed as a whole. The error is non-nil only for invalid items (duplicate
// ids, unknown or oversized dependsOn groups) or a cancelled ctx.
func (c *Client) Batch(ctx context.Context, items []BatchItem) ([]BatchResult, error) {
	items, err := assignBatchIDs(items)
	if err != nil {
		return nil, err
	}
	groups, err := batchGroups(items)
	if err != nil {
		return nil, err
	}
	results := make([]BatchResult, len(items))
	attempts := make([]int, len(items))
	pending := groups
	var waited time.Duration
	for round := 1; len(pending) > 0; round++ {
		var retry [][]int
		var delay time.Duration
		for _, batch := range packBatches(items, pending) {
			started := time.Now()
			resps, err := c.sendBatch(ctx, items, batch)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				// The batch request itself failed (after the retry
				// layer): its items fail, the others go on.
				for _, i := range batch {
					results[i] = BatchResult{ID: items[i].ID, Err: err}
				}
				continue
			}
			r, d := c.collectBatch(items, batch, resps, results, attempts, started, round)
			retry = append(retry, r...)
			delay = max(delay, d)
		}
		if len(retry) == 0 {
			break
		}
		if waited+delay > c.opts.MaxRetryWait {
			break // the throttled items keep their 429 results
		}
		waited += delay
		c.m.retry(ClassBatch, "batch-item", delay)
		if err := sleep(ctx, delay); err != nil {
			return nil, err
		}
		pending = retry
	}
	return results, nil
}

// assignBatchIDs fills in missing IDs and checks uniqueness and references.
func assignBatchIDs(in []BatchItem) ([]BatchItem, error) {
	items := append([]BatchItem(nil), in...)
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		if it.ID == "" {
			continue
		}
		k := strings.ToLower(it.ID)
		if seen[k] {
			return nil, fmt.Errorf("graph: batch: duplicate id %q", it.ID)
		}
		seen[k] = true
	}
	next := 1
	for i := range items {
		if items[i].ID != "" {
			continue
		}
		for seen[strconv.Itoa(next)] {
			next++
		}
		items[i].ID = strconv.Itoa(next)
		seen[items[i].ID] = true
	}
	for _, it := range items {
		for _, d := range it.DependsOn {
			if !seen[strings.ToLower(d)] {
				return nil, fmt.Errorf("graph: batch: item %q depends on unknown id %q", it.ID, d)
			}
		}
	}
	return items, nil
}

// batchGroups splits items into groups connected by DependsOn (union-find),
// each in item order.
func batchGroups(items []BatchItem) ([][]int, error) {
	idx := make(map[string]int, len(items))
	for i, it := range items {
		idx[strings.ToLower(it.ID)] = i
	}
	parent := make([]int, len(items))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i, it := range items {
		for _, d := range it.DependsOn {
			a, b := find(i), find(idx[strings.ToLower(d)])
			if a != b {
				parent[a] = b
			}
		}
	}
	byRoot := map[int][]int{}
	var order []int
	for i := range items {
		r := find(i)
		if _, ok := byRoot[r]; !ok {
			order = append(order, r)
		}
		byRoot[r] = append(byRoot[r], i)
	}
	groups := make([][]int, 0, len(order))
	for _, r := range order {
		g := byRoot[r]
		if len(g) > maxBatch {
			return nil, fmt.Errorf("graph: batch: %d items linked by dependsOn exceed the batch limit of %d", len(g), maxBatch)
		}
		groups = append(groups, g)
	}
	return groups, nil
}

// packBatches packs groups into batches of at most maxBatch items, keeping
// each group whole and each batch to one resource (mailbox or drive), so the
// governor can gate a batch on its mailbox's limits like any other request.
func packBatches(items []BatchItem, groups [][]int) [][]int {
	sorted := append([][]int(nil), groups...)
	key := func(g []int) string { return items[g[0]].laneKey() }
	sort.SliceStable(sorted, func(a, b int) bool { return key(sorted[a]) < key(sorted[b]) })
	var batches [][]int
	var cur []int
	for _, g := range sorted {
		if len(cur) > 0 && (len(cur)+len(g) > maxBatch || key(g) != items[cur[0]].laneKey()) {
			batches = append(batches, cur)
			cur = nil
		}
		cur = append(cur, g...)
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches
}

func (it BatchItem) laneKey() string {
	return string(it.Class.service()) + ":" + strings.ToLower(it.Resource)
}

func (it BatchItem) method() string {
	if it.Method == "" {
		return http.MethodGet
	}
	return it.Method
}

// outlookBatchConcurrency is how many sub-requests of one batch Graph runs
// against Outlook at a time (throttling-limits, Outlook service limits).
const outlookBatchConcurrency = 4

// sendBatch posts one batch and returns its responses by id (lower case).
func (c *Client) sendBatch(ctx context.Context, items []BatchItem, batch []int) (map[string]batchWireResponse, error) {
	wire := struct {
		Requests []batchWireRequest `json:"requests"`
	}{}
	inBatch := make(map[string]bool, len(batch))
	for _, i := range batch {
		inBatch[strings.ToLower(items[i].ID)] = true
	}
	safe := true
	for _, i := range batch {
		it := items[i]
		w := batchWireRequest{ID: it.ID, Method: it.method(), URL: it.Path, Body: it.Body}
		if len(it.Header) > 0 || len(it.Body) > 0 {
			w.Headers = map[string]string{}
			for k := range it.Header {
				w.Headers[k] = it.Header.Get(k)
			}
			if len(it.Body) > 0 && it.Header.Get("Content-Type") == "" {
				w.Headers["Content-Type"] = "application/json"
			}
		}
		for _, d := range it.DependsOn {
			// A dependency that already succeeded in an earlier round is
			// not in this batch; Graph would reject a dangling reference.
			if inBatch[strings.ToLower(d)] {
				w.DependsOn = append(w.DependsOn, d)
			}
		}
		wire.Requests = append(wire.Requests, w)
		safe = safe && (idempotent(it.method()) || it.RetrySafe)
	}
	body, err := json.Marshal(wire)
	if err != nil {
		return nil, fmt.Errorf("graph: batch: encode: %w", err)
	}
	req := &Request{
		Op: "POST /$batch", Method: http.MethodPost, Path: "/$batch",
		Header:    http.Header{"Content-Type": {"application/json"}},
		Body:      bytes.NewReader(body),
		Class:     ClassBatch,
		RetrySafe: safe,
		cost:      len(batch),
	}
	first := items[batch[0]]
	same := true
	for _, i := range batch[1:] {
		same = same && items[i].laneKey() == first.laneKey()
	}
	if same && first.Resource != "" {
		req.Class, req.Resource = first.Class, first.Resource
		req.slots = min(len(batch), outlookBatchConcurrency)
	}
	var out struct {
		Responses []batchWireResponse `json:"responses"`
	}
	if err := c.doJSON(ctx, req, &out); err != nil {
		return nil, err
	}
	byID := make(map[string]batchWireResponse, len(out.Responses))
	for _, r := range out.Responses {
		byID[strings.ToLower(r.ID)] = r
	}
	return byID, nil
}

// collectBatch stores the batch's results and returns the groups to send
// again with the delay to wait first.
func (c *Client) collectBatch(items []BatchItem, batch []int, resps map[string]batchWireResponse,
	results []BatchResult, attempts []int, started time.Time, round int) ([][]int, time.Duration) {
	now := c.opts.Now()
	retrying := map[string]bool{}
	var delay time.Duration
	for _, i := range batch {
		it := items[i]
		attempts[i]++
		r, ok := resps[strings.ToLower(it.ID)]
		if !ok {
			results[i] = BatchResult{ID: it.ID, Err: fmt.Errorf("graph: batch: no response for item %q", it.ID)}
			continue
		}
		h := http.Header{}
		for k, v := range r.Headers {
			h.Set(k, v)
		}
		res := BatchResult{ID: it.ID, Status: r.Status, Header: h, Body: r.Body}
		op := it.method() + " " + it.Path
		if i := strings.IndexByte(op, '?'); i >= 0 {
			op = op[:i]
		}
		if r.Status >= 400 {
			apiErr := translate(op, r.Status, h, r.Body, now)
			res.Err = apiErr
			c.gov.feedback(it.Class, it.Resource, started, r.Status, apiErr.RetryAfter)
			c.m.request(it.Class, r.Status)
			safe := idempotent(it.method()) || it.RetrySafe
			if retryableStatus(r.Status, safe) && attempts[i] < c.opts.MaxAttempts {
				retrying[strings.ToLower(it.ID)] = true
				d := apiErr.RetryAfter
				if d <= 0 {
					d = backoff(round, c.opts.RetryBaseDelay, c.opts.RetryMaxDelay, c.jitter())
				}
				delay = max(delay, d)
			}
		} else {
			c.m.request(it.Class, r.Status)
		}
		results[i] = res
	}
	// Items that failed only because a dependency was throttled (424) go
	// again with it; so does anything depending on a retried item.
	var again []int
	changed := true
	for changed {
		changed = false
		for _, i := range batch {
			k := strings.ToLower(items[i].ID)
			if retrying[k] || results[i].Status != http.StatusFailedDependency {
				continue
			}
			for _, d := range items[i].DependsOn {
				if retrying[strings.ToLower(d)] {
					retrying[k], changed = true, true
					break
				}
			}
		}
	}
	for _, i := range batch {
		if retrying[strings.ToLower(items[i].ID)] {
			again = append(again, i)
		}
	}
	if len(again) == 0 {
		return nil, 0
	}
	// Resend as one group: they may depend on each other.
	groups, err := batchGroups(subset(items, again))
	if err != nil {
		return [][]int{again}, delay
	}
	out := make([][]int, len(groups))
	for gi, g := range groups {
		for _, j := range g {
			out[gi] = append(out[gi], again[j])
		}
	}
	return out, delay
}

// subset returns the items at idx, with DependsOn trimmed to ids in the subset.
func subset(items []BatchItem, idx []int) []BatchItem {
	in := map[string]bool{}
	for _, i := range idx {
		in[strings.ToLower(items[i].ID)] = true
	}
	out := make([]BatchItem, len(idx))
	for j, i := range idx {
		it := items[i]
		it.DependsOn = nil
		for _, d := range items[i].DependsOn {
			if in[strings.ToLower(d)] {
				it.DependsOn = append(it.DependsOn, d)
			}
		}
		out[j] = it
	}
	return out
}
