package graph_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// TestEmulatorBatchThrottledSubRequest sends a $batch of mailbox reads in
// which the emulator throttles one sub-request (429 with Retry-After) while
// the batch itself succeeds. Batch must send that item again after the
// Retry-After and return every result as 200.
func TestEmulatorBatchThrottledSubRequest(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 2, Seed: 10, MessagesPerUser: 20, FilesPerUser: -1,
		Limits: scaledLimits(60)})
	c := newEmulatorClient(t, l, graph.Options{})
	ctx := testCtx(t, 30*time.Second)
	user := mailboxUsers(t, l)[0]

	items := []graph.BatchItem{
		{ID: "folders", Path: graph.Pathf("/users/%s/mailFolders", user)},
		{ID: "inbox", Path: graph.Pathf("/users/%s/mailFolders/inbox", user)},
		{ID: "messages", Path: graph.Pathf("/users/%s/messages", user) + "?$top=5&$select=id,subject"},
		{ID: "contacts", Path: graph.Pathf("/users/%s/contactFolders", user), Class: graph.ClassContacts},
		{ID: "calendars", Path: graph.Pathf("/users/%s/calendars", user)},
	}
	for i := range items {
		if items[i].Class == "" {
			items[i].Class = graph.ClassMail
		}
		items[i].Resource = user
	}
	// The next sub-request under …/mailFolders (the folder list or the
	// inbox, whichever runs first) is answered 429.
	err := l.Control(http.MethodPost, "faults/fail-next", map[string]any{
		"path": "/v1.0/users/" + user + "/mailFolders", "status": http.StatusTooManyRequests, "count": 1}, nil)
	if err != nil {
		t.Fatal(err)
	}

	res, err := c.Batch(ctx, items)
	if err != nil {
		t.Fatalf("Batch: %v", err)
	}
	if len(res) != len(items) {
		t.Fatalf("%d results for %d items", len(res), len(items))
	}
	for i, r := range res {
		if r.ID != items[i].ID || r.Status != http.StatusOK || r.Err != nil || len(r.Body) == 0 {
			t.Errorf("result %d: id %q status %d err %v body %d bytes; want %q 200", i, r.ID, r.Status, r.Err, len(r.Body), items[i].ID)
		}
	}
	es, cs := l.Stats(), c.Stats()
	if n := es.Status[http.StatusTooManyRequests]; n != 1 {
		t.Errorf("emulator answered 429 %d times, want 1", n)
	}
	if cs.Retries < 1 || cs.Throttled != 1 || cs.Failed != 0 {
		t.Errorf("client stats %+v: want one throttle, retried, nothing failed", cs)
	}
	// One batch, then the throttled item alone: the emulator counts two
	// $batch requests and six sub-requests, one of them the 429.
	if es.Requests != 8 {
		t.Errorf("emulator counted %d requests, want 8 (2 batches, 5 sub-requests and the throttled one)", es.Requests)
	}
}
