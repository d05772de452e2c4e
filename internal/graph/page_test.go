package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestDecodePage(t *testing.T) {
	for _, tc := range []struct {
		name, body  string
		n           int
		next, delta string
		count       int64
		wantErr     bool
	}{
		{"items and next", `{"@odata.context":"x","value":[{"id":"1"},{"id":"2"}],"@odata.nextLink":"https://g/v1.0/users?$skiptoken=a"}`, 2, "https://g/v1.0/users?$skiptoken=a", "", -1, false},
		{"empty page with next", `{"value":[],"@odata.nextLink":"https://g/n"}`, 0, "https://g/n", "", -1, false},
		{"last delta page", `{"value":[{"id":"1","@removed":{"reason":"deleted"}}],"@odata.deltaLink":"https://g/d?$deltatoken=z"}`, 1, "", "https://g/d?$deltatoken=z", -1, false},
		{"count on first page", `{"@odata.count":1234,"value":[{"id":"1"}]}`, 1, "", "", 1234, false},
		{"single item, not a collection", `{"id":"1","displayName":"x"}`, 0, "", "", -1, true},
		{"null value", `{"value":null}`, 0, "", "", -1, true},
		{"value not an array", `{"value":{"id":"1"}}`, 0, "", "", -1, true},
		{"not json", `<html>`, 0, "", "", -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := decodePage([]byte(tc.body))
			if tc.wantErr {
				if err == nil {
					t.Fatalf("decodePage = %+v, want an error", p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Value) != tc.n || p.NextLink != tc.next || p.DeltaLink != tc.delta {
				t.Errorf("page = %d items, next %q, delta %q", len(p.Value), p.NextLink, p.DeltaLink)
			}
			if (tc.count >= 0) != (p.Count != nil) || (p.Count != nil && *p.Count != tc.count) {
				t.Errorf("count = %v, want %d", p.Count, tc.count)
			}
		})
	}
}

func FuzzDecodePage(f *testing.F) {
	f.Add([]byte(`{"value":[{"id":"1"}],"@odata.nextLink":"https://g/n?$skiptoken=1"}`))
	f.Add([]byte(`{"value":[],"@odata.deltaLink":"https://g/d"}`))
	f.Add([]byte(`{"value":[{"id":"1","@removed":{"reason":"changed"}},{"id":"2","deleted":{}}]}`))
	f.Add([]byte(`{"@odata.count":5,"value":[null,1,"x"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodePage(data)
		if err != nil {
			return
		}
		// Re-encoding the envelope and decoding it again is stable.
		again, err := json.Marshal(map[string]any{"value": p.Value, "@odata.nextLink": p.NextLink, "@odata.deltaLink": p.DeltaLink})
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		q, err := decodePage(again)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", again, err)
		}
		if len(q.Value) != len(p.Value) || q.NextLink != p.NextLink || q.DeltaLink != p.DeltaLink {
			t.Fatalf("round trip changed the page: %+v vs %+v", p, q)
		}
		// Every element must decode as a delta entry or fail cleanly.
		for _, raw := range p.Value {
			_, _ = decodeDeltaItem[DriveItem](raw)
			_, _ = decodeItem[Message](raw)
		}
	})
}

// pagedServer serves /v1.0/users in pages whose nextLinks carry odd but
// valid query strings, and records each request.
type pagedServer struct {
	mu       sync.Mutex
	requests []*http.Request
	pages    []string // bodies; "%s" is replaced by the server's URL
}

func (s *pagedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r)
	i := len(s.requests) - 1
	s.mu.Unlock()
	if i >= len(s.pages) {
		graphError(w, 400, "BadRequest", "too many pages")
		return
	}
	writeJSON(w, 200, strings.ReplaceAll(s.pages[i], "%s", "http://"+r.Host))
}

func TestListFollowsNextLinkVerbatim(t *testing.T) {
	srv := &pagedServer{pages: []string{
		`{"@odata.count":3,"value":[{"id":"1","displayName":"A"}],"@odata.nextLink":"%s/v1.0/users?$count=true&$skiptoken=RFNwdAIAAQAAAB0%3d%2b%2f&$select=id"}`,
		`{"value":[],"@odata.nextLink":"%s/v1.0/users?$skiptoken=page3"}`,
		`{"value":[{"id":"2"},{"id":"3","displayName":"Ünïcode"}]}`,
	}}
	c, _, _ := testClient(t, srv, Options{})
	var got []User
	for u, err := range c.Users(t.Context(), &ListOptions{Count: true, Select: []string{"id", "displayName"}, Filter: "endsWith(mail,'@contoso.test')"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u)
	}
	if len(got) != 3 || got[2].DisplayName != "Ünïcode" || string(got[0].Raw) != `{"id":"1","displayName":"A"}` {
		t.Fatalf("users = %+v", got)
	}
	if len(srv.requests) != 3 {
		t.Fatalf("%d requests, want 3", len(srv.requests))
	}
	for i, r := range srv.requests {
		if r.Header.Get("ConsistencyLevel") != "eventual" {
			t.Errorf("page %d sent without ConsistencyLevel: eventual", i)
		}
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			t.Errorf("page %d sent without a token", i)
		}
	}
	if q := srv.requests[0].URL.Query(); q.Get("$count") != "true" || q.Get("$filter") != "endsWith(mail,'@contoso.test')" || q.Get("$select") != "id,displayName" {
		t.Errorf("first request query = %v", q)
	}
	if raw := srv.requests[1].URL.RawQuery; raw != "$count=true&$skiptoken=RFNwdAIAAQAAAB0%3d%2b%2f&$select=id" {
		t.Errorf("second request query %q: the nextLink must be used byte for byte", raw)
	}
}

func TestListStopsOnBreakAndErrors(t *testing.T) {
	page1 := `{"value":[{"id":"1"},{"id":"2"}],"@odata.nextLink":"%s/v1.0/users?$skiptoken=2"}`
	srv := &pagedServer{pages: []string{page1, page1}} // the third request gets a 400
	c, _, _ := testClient(t, srv, Options{})
	for range c.Users(t.Context(), nil) {
		break
	}
	if len(srv.requests) != 1 {
		t.Errorf("breaking after the first item sent %d requests", len(srv.requests))
	}
	// The second page is an error: one error is yielded, then iteration ends.
	n, errs := 0, 0
	for _, err := range c.Users(t.Context(), nil) {
		if err != nil {
			errs++
			if !errors.Is(err, ErrBadRequest) {
				t.Errorf("err = %v", err)
			}
			continue
		}
		n++
	}
	if n != 2 || errs != 1 {
		t.Errorf("got %d items and %d errors, want 2 and 1", n, errs)
	}
}

func TestListDetectsLoop(t *testing.T) {
	var self string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		self = "http://" + r.Host + r.URL.RequestURI()
		writeJSON(w, 200, fmt.Sprintf(`{"value":[],"@odata.nextLink":%q}`, self))
	})
	c, _, _ := testClient(t, h, Options{})
	var err error
	calls := 0
	for _, e := range List[User](t.Context(), c, "/users", WithQuery(map[string][]string{"$skiptoken": {"x"}})) {
		calls++
		err = e
		if calls > 5 {
			break
		}
	}
	if err == nil || !strings.Contains(err.Error(), "repeats") {
		t.Errorf("err = %v, want loop detection", err)
	}
}
