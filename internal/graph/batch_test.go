package graph

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBatchIDsAndGroups(t *testing.T) {
	items := []BatchItem{{ID: "2"}, {}, {}, {ID: "a", DependsOn: []string{"2"}}, {DependsOn: []string{"A"}}}
	got, err := assignBatchIDs(items)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, it := range got {
		if it.ID == "" || ids[it.ID] {
			t.Fatalf("ids %v not unique", got)
		}
		ids[it.ID] = true
	}
	if items[1].ID != "" {
		t.Error("assignBatchIDs modified the caller's slice")
	}
	groups, err := batchGroups(got)
	if err != nil {
		t.Fatal(err)
	}
	// {2, a, last} are linked by dependsOn (case-insensitively); the other two stand alone.
	if len(groups) != 3 || len(groups[0]) != 3 {
		t.Errorf("groups = %v", groups)
	}
	for _, bad := range [][]BatchItem{
		{{ID: "x"}, {ID: "X"}},
		{{ID: "x", DependsOn: []string{"nope"}}},
	} {
		if _, err := assignBatchIDs(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	chain := make([]BatchItem, 21)
	for i := range chain {
		chain[i].ID = fmt.Sprint(i)
		if i > 0 {
			chain[i].DependsOn = []string{fmt.Sprint(i - 1)}
		}
	}
	if _, err := batchGroups(chain); err == nil {
		t.Error("a dependsOn chain of 21 was accepted")
	}
}

func TestPackBatches(t *testing.T) {
	var items []BatchItem
	for i := range 45 {
		items = append(items, BatchItem{ID: fmt.Sprint(i), Class: ClassMail, Resource: fmt.Sprintf("user%d", i%3)})
	}
	items[10].DependsOn = []string{"7"} // same mailbox (i%3 == 1), must share a batch
	items, _ = assignBatchIDs(items)
	groups, _ := batchGroups(items)
	batches := packBatches(items, groups)
	total := 0
	for _, b := range batches {
		if len(b) > maxBatch {
			t.Errorf("batch of %d", len(b))
		}
		total += len(b)
		in := map[int]bool{}
		for _, i := range b {
			in[i] = true
		}
		if in[10] != in[7] {
			t.Error("dependent items split across batches")
		}
	}
	if total != 45 || len(batches) != 3 {
		t.Errorf("%d items in %d batches, want 3 batches of one mailbox each", total, len(batches))
	}
	for _, b := range batches {
		for _, i := range b {
			if items[i].Resource != items[b[0]].Resource {
				t.Errorf("batch mixes %s and %s", items[b[0]].Resource, items[i].Resource)
				break
			}
		}
	}
}

// batchServer answers $batch requests; throttle says which ids get a 429
// on their first appearance.
type batchServer struct {
	mu       sync.Mutex
	throttle map[string]string // id -> Retry-After
	batches  [][]batchWireRequest
	times    []time.Time
}

func (s *batchServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1.0/$batch" || r.Method != "POST" {
		graphError(w, 404, "NotFound", r.URL.Path)
		return
	}
	var req struct {
		Requests []batchWireRequest `json:"requests"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Requests) > 20 {
		graphError(w, 400, "BadRequest", "bad batch")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, req.Requests)
	s.times = append(s.times, time.Now())
	failed := map[string]bool{}
	var out []string
	for _, q := range req.Requests {
		dep := false
		for _, d := range q.DependsOn {
			dep = dep || failed[strings.ToLower(d)]
		}
		switch ra, ok := s.throttle[q.ID]; {
		case ok:
			delete(s.throttle, q.ID)
			failed[strings.ToLower(q.ID)] = true
			out = append(out, fmt.Sprintf(`{"id":%q,"status":429,"headers":{"Retry-After":%q},"body":{"error":{"code":"ApplicationThrottled","message":"over limit"}}}`, q.ID, ra))
		case dep:
			failed[strings.ToLower(q.ID)] = true
			out = append(out, fmt.Sprintf(`{"id":%q,"status":424,"body":{"error":{"code":"FailedDependency"}}}`, q.ID))
		case strings.Contains(q.URL, "missing"):
			out = append(out, fmt.Sprintf(`{"id":%q,"status":404,"body":{"error":{"code":"ErrorItemNotFound","message":"gone"}}}`, q.ID))
		default:
			out = append(out, fmt.Sprintf(`{"id":%q,"status":200,"headers":{"Content-Type":"application/json"},"body":{"url":%q}}`, q.ID, q.URL))
		}
	}
	// Answer in reverse order: Graph does not keep the order.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	writeJSON(w, 200, `{"responses":[`+strings.Join(out, ",")+`]}`)
}

func TestBatchRetriesThrottledItems(t *testing.T) {
	// Item "5" is throttled; "6" depends on it and fails with 424; both go
	// again after Retry-After, and only they do.
	srv := &batchServer{throttle: map[string]string{"5": "0.2"}}
	c, _, _ := testClient(t, srv, Options{})
	var items []BatchItem
	for i := range 25 {
		it := BatchItem{ID: fmt.Sprint(i), Path: Pathf("/users/%s/messages/%s", "u1", fmt.Sprint("m", i)), Class: ClassMail, Resource: "u1"}
		if i == 6 {
			it.DependsOn = []string{"5"}
		}
		if i == 7 {
			it.Path = "/users/u1/messages/missing"
		}
		items = append(items, it)
	}
	res, err := c.Batch(t.Context(), items)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 25 {
		t.Fatalf("%d results", len(res))
	}
	for i, r := range res {
		if r.ID != items[i].ID {
			t.Fatalf("result %d is for %q: results must follow item order", i, r.ID)
		}
		switch {
		case i == 7:
			if !IsNotFound(r.Err) || r.Status != 404 {
				t.Errorf("item 7: %d %v", r.Status, r.Err)
			}
		case r.Status != 200 || r.Err != nil || !strings.Contains(string(r.Body), items[i].Path):
			t.Errorf("item %d: %d %v %s", i, r.Status, r.Err, r.Body)
		}
	}
	if len(srv.batches) != 3 {
		t.Fatalf("%d batches sent, want 2 plus 1 retry", len(srv.batches))
	}
	retry := srv.batches[2]
	if len(retry) != 2 || retry[0].ID != "5" || retry[1].ID != "6" || len(retry[1].DependsOn) != 1 {
		t.Errorf("retry batch = %+v, want items 5 and 6 with their dependency", retry)
	}
	if gap := srv.times[2].Sub(srv.times[1]); gap < 200*time.Millisecond {
		t.Errorf("retry batch sent %v after the throttle, before its Retry-After", gap)
	}
	for _, b := range srv.batches {
		if len(b) > 20 {
			t.Errorf("batch of %d", len(b))
		}
	}
	if s := c.Stats(); s.Throttled != 1 {
		t.Errorf("Stats.Throttled = %d", s.Throttled)
	}
}

func TestBatchGivesUpWithinBudget(t *testing.T) {
	srv := &batchServer{throttle: map[string]string{"1": "60"}}
	c, _, _ := testClient(t, srv, Options{MaxRetryWait: time.Second})
	res, err := c.Batch(t.Context(), []BatchItem{{ID: "1", Path: "/users/u1"}, {ID: "2", Path: "/users/u2"}})
	if err != nil {
		t.Fatal(err)
	}
	if !IsThrottled(res[0].Err) || res[1].Err != nil || len(srv.batches) != 1 {
		t.Errorf("results %+v after %d batches", res, len(srv.batches))
	}
}
