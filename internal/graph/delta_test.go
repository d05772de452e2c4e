package graph

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestDeltaRound(t *testing.T) {
	srv := &pagedServer{pages: []string{
		`{"value":[{"@odata.type":"#microsoft.graph.message","id":"m1","subject":"hi"},` +
			`{"id":"m2","@removed":{"reason":"changed"}}],` +
			`"@odata.nextLink":"%s/v1.0/users/u1/mailFolders('inbox')/messages/delta?$skiptoken=p2"}`,
		`{"value":[],"@odata.nextLink":"%s/v1.0/users/u1/mailFolders('inbox')/messages/delta?$skiptoken=p3"}`,
		`{"value":[{"id":"m3","@removed":{"reason":"deleted"}},{"id":"m1","subject":"edited"}],` +
			`"@odata.deltaLink":"%s/v1.0/users/u1/mailFolders('inbox')/messages/delta?$deltatoken=NEXT"}`,
	}}
	c, _, _ := testClient(t, srv, Options{})
	round := c.MessagesDelta(t.Context(), "u1", "inbox", "", &DeltaOptions{PageSize: 50, Select: []string{"subject"}})
	var got []DeltaItem[Message]
	for it, err := range round.All() {
		if err != nil {
			t.Fatal(err)
		}
		if round.DeltaLink() != "" {
			t.Fatal("DeltaLink set before the round completed")
		}
		got = append(got, it)
	}
	want := []struct {
		id      string
		removed bool
		reason  string
	}{{"m1", false, ""}, {"m2", true, RemovedChanged}, {"m3", true, RemovedDeleted}, {"m1", false, ""}}
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].ID != w.id || got[i].Removed != w.removed || got[i].Reason != w.reason {
			t.Errorf("item %d = %+v, want %+v", i, got[i], w)
		}
	}
	if got[3].Item.Subject != "edited" || got[0].Item.Raw == nil {
		t.Errorf("items not decoded: %+v", got)
	}
	if !strings.HasSuffix(round.DeltaLink(), "$deltatoken=NEXT") {
		t.Errorf("DeltaLink = %q", round.DeltaLink())
	}
	for i, r := range srv.requests {
		if p := r.Header.Get("Prefer"); !strings.Contains(p, "odata.maxpagesize=50") || !strings.Contains(p, "ImmutableId") {
			t.Errorf("page %d Prefer = %q", i, p)
		}
	}
	if q := srv.requests[0].URL.Query(); q.Get("$select") != "subject" {
		t.Errorf("first round query = %v", q)
	}

	// The next round starts from the link verbatim, without re-sending
	// $select (it is encoded in the token).
	srv.requests, srv.pages = nil, []string{`{"value":[],"@odata.deltaLink":"%s/v1.0/next"}`}
	next := c.MessagesDelta(t.Context(), "u1", "inbox", round.DeltaLink(), &DeltaOptions{Select: []string{"subject"}})
	for _, err := range next.All() {
		if err != nil {
			t.Fatal(err)
		}
	}
	if r := srv.requests[0]; r.URL.RawQuery != "$deltatoken=NEXT" || !strings.Contains(r.URL.Path, "mailFolders('inbox')") {
		t.Errorf("second round requested %s?%s", r.URL.Path, r.URL.RawQuery)
	}
	if !strings.HasSuffix(next.DeltaLink(), "/v1.0/next") {
		t.Errorf("empty round DeltaLink = %q", next.DeltaLink())
	}
}

func TestDriveDeltaDeletedFacet(t *testing.T) {
	srv := &pagedServer{pages: []string{
		`{"value":[{"id":"root","root":{},"folder":{"childCount":2}},` +
			`{"id":"f1","name":"a.txt","file":{"mimeType":"text/plain"},"size":5,"@microsoft.graph.downloadUrl":"https://dl.test/x",` +
			`"parentReference":{"driveId":"d1","id":"root"},"eTag":"\"{E},1\"","cTag":"\"c:{E},1\""},` +
			`{"id":"f2","deleted":{"state":"deleted"}},{"id":"f3","deleted":{}}],` +
			`"@odata.deltaLink":"%s/v1.0/drives/d1/root/delta?token=abc"}`,
	}}
	c, _, _ := testClient(t, srv, Options{})
	round := c.DriveDelta(t.Context(), "d1", "", &DriveDeltaOptions{Latest: true})
	var items []DeltaItem[DriveItem]
	for it, err := range round.All() {
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	if got := srv.requests[0].URL.Query().Get("token"); got != "latest" {
		t.Errorf("token = %q, want latest", got)
	}
	if len(items) != 4 || items[0].Removed || items[1].Removed || !items[2].Removed || !items[3].Removed {
		t.Fatalf("items = %+v", items)
	}
	f := items[1].Item
	if f.DownloadURL != "https://dl.test/x" || f.File == nil || f.ParentReference.ID != "root" || f.CTag == "" {
		t.Errorf("file = %+v", f)
	}
	if items[3].Reason != RemovedDeleted || items[2].Item.Deleted.State != "deleted" {
		t.Errorf("deleted = %+v / %+v", items[2], items[3])
	}
	if round.DeltaLink() == "" {
		t.Error("no DeltaLink")
	}
}

func TestDeltaResync(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   int
		code     string
		location string
	}{
		{"410 with Location", 410, "resyncRequired", "https://graph.test/v1.0/users/u1/mailFolders/inbox/messages/delta"},
		{"outlook 400 SyncStateNotFound", 400, "SyncStateNotFound", ""},
		{"drive inner code", 410, "resyncChangesApplyDifferences", "https://graph.test/v1.0/drives/d1/root/delta"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.location != "" {
					w.Header().Set("Location", tc.location)
				}
				graphError(w, tc.status, tc.code, "The delta token is no longer valid")
			})
			c, _, _ := testClient(t, h, Options{})
			round := c.MessagesDelta(t.Context(), "u1", "inbox", c.BaseURL()+"/users/u1/mailFolders/inbox/messages/delta?$deltatoken=OLD", nil)
			var err error
			for _, e := range round.All() {
				err = e
			}
			if !IsResyncRequired(err) || !errors.Is(err, ErrResyncRequired) {
				t.Fatalf("err = %v, want ErrResyncRequired", err)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Location != tc.location {
				t.Errorf("Location = %q, want %q", apiErr.Location, tc.location)
			}
			if round.DeltaLink() != "" {
				t.Error("a failed round has a DeltaLink")
			}
		})
	}
}

func TestDeltaRequiresDeltaLinkAtEnd(t *testing.T) {
	srv := &pagedServer{pages: []string{`{"value":[{"id":"1"}]}`}}
	c, _, _ := testClient(t, srv, Options{})
	var err error
	for _, e := range c.ContactsDelta(t.Context(), "u1", "f1", "", nil).All() {
		err = e
	}
	if err == nil || !strings.Contains(err.Error(), "neither nextLink nor deltaLink") {
		t.Errorf("err = %v", err)
	}
}

func FuzzDecodeDeltaItem(f *testing.F) {
	f.Add([]byte(`{"id":"1","@removed":{"reason":"changed"}}`))
	f.Add([]byte(`{"id":"2","deleted":{"state":"deleted"},"name":"x"}`))
	f.Add([]byte(`{"id":"3","deleted":null}`))
	f.Add([]byte(`{"id":"4","@removed":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		it, err := decodeDeltaItem[DriveItem](data)
		if err != nil {
			return
		}
		if it.Removed != (it.Reason != "") {
			t.Fatalf("Removed %v with Reason %q", it.Removed, it.Reason)
		}
		if it.ID != it.Item.ID {
			t.Fatalf("ID %q but item id %q", it.ID, it.Item.ID)
		}
	})
}
