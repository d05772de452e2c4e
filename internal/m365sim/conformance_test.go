package m365sim

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
)

func firstUser(t *testing.T, c *client) string {
	t.Helper()
	users, _ := c.all("/users?$select=id,userPrincipalName")
	if len(users) == 0 {
		t.Fatal("no users")
	}
	return users[0]["id"].(string)
}

func TestAuthentication(t *testing.T) {
	l := Start(t, Options{Users: 2, Seed: 1})
	c := newClient(t, l)
	if r := c.do("GET", "/users", nil); r.status != 200 {
		t.Fatalf("with token: %d %s", r.status, r.body)
	}
	anon := *c
	anon.token = ""
	r := anon.do("GET", "/users", nil)
	if r.status != 401 || r.errorCode(t) != "InvalidAuthenticationToken" {
		t.Fatalf("without token: %d %s", r.status, r.body)
	}
	l.ExpireTokens()
	r = c.do("GET", "/users", nil)
	if r.status != 401 || r.errorCode(t) != "InvalidAuthenticationToken" {
		t.Fatalf("expired token: %d %s", r.status, r.body)
	}
	if msg := r.json(t)["error"].(map[string]any)["message"]; msg != "Lifetime validation failed, the token is expired." {
		t.Errorf("expired message = %q", msg)
	}
	if wa := r.header.Get("WWW-Authenticate"); !strings.Contains(wa, `client_id="00000003-0000-0000-c000-000000000000"`) {
		t.Errorf("WWW-Authenticate = %q", wa)
	}
	if r.header.Get("request-id") == "" {
		t.Error("no request-id header")
	}
	c.token = c.fetchToken(l.ClientID, l.ClientSecret)
	if r := c.do("GET", "/users", nil); r.status != 200 {
		t.Fatalf("fresh token: %d", r.status)
	}
}

func TestPermissions(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 1, Roles: []string{"User.Read.All"}})
	c := newClient(t, l)
	uid := firstUser(t, c)
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/users/" + uid, 200, ""},
		{"/users/" + uid + "/messages", 403, "ErrorAccessDenied"},
		{"/users/" + uid + "/drive/root/children", 403, "accessDenied"},
		{"/groups", 403, "Authorization_RequestDenied"},
	} {
		r := c.do("GET", tc.path, nil)
		if r.status != tc.status || (tc.code != "" && r.errorCode(t) != tc.code) {
			t.Errorf("GET %s: %d %.200s, want %d %s", tc.path, r.status, r.body, tc.status, tc.code)
		}
	}
}

func TestUsersPaging(t *testing.T) {
	l := Start(t, Options{Users: 7, Seed: 3})
	c := newClient(t, l)
	first := c.get("/users?$top=2")
	next, _ := first["@odata.nextLink"].(string)
	if !strings.HasPrefix(next, l.GraphURL+"/users?") || !strings.Contains(next, "$skiptoken=") || !strings.Contains(next, "$top=2") {
		t.Fatalf("nextLink = %q", next)
	}
	users, last := c.all("/users?$top=2")
	want := len(l.Server.Summary().Users) // 7 members and the generator's guest
	if len(users) != want || len(ids(users)) != want || want < 7 {
		t.Fatalf("got %d users (%d distinct), want %d", len(users), len(ids(users)), want)
	}
	if _, ok := last["@odata.nextLink"]; ok {
		t.Fatal("last page has a nextLink")
	}
	if _, ok := users[0]["department"]; ok {
		t.Error("department returned without $select; Graph returns only the default set")
	}
	r := c.do("GET", "/users?$top=1000", nil)
	if r.status != 400 || !strings.Contains(string(r.body), "Must be between 1 and 999 inclusive") {
		t.Errorf("$top=1000: %d %s", r.status, r.body)
	}
	counted := c.get("/users?$count=true&$top=1", "ConsistencyLevel", "eventual")
	if n, _ := counted["@odata.count"].(float64); int(n) != want {
		t.Errorf("@odata.count = %v, want 7", counted["@odata.count"])
	}
	if plain := c.get("/users?$count=true&$top=1"); plain["@odata.count"] != nil {
		t.Error("@odata.count without ConsistencyLevel: Graph ignores $count then")
	}
}

func TestMessagesDeltaRounds(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 5, MessagesPerUser: 40})
	c := newClient(t, l)
	uid := firstUser(t, c)
	base := "/users/" + uid + "/mailFolders/inbox/messages/delta"
	first, last := c.all(base, "Prefer", "odata.maxpagesize=3")
	link, _ := last["@odata.deltaLink"].(string)
	if len(first) == 0 || link == "" {
		t.Fatalf("first round: %d items, deltaLink %q", len(first), link)
	}
	for _, it := range first {
		if _, gone := it["@removed"]; gone {
			t.Fatal("first round contains @removed")
		}
	}
	if got := c.get("/users/" + uid + "/mailFolders/inbox")["totalItemCount"].(float64); int(got) != len(first) {
		t.Fatalf("first round has %d messages, folder says %v", len(first), got)
	}
	ids0 := make([]string, 0, len(first))
	for _, it := range first {
		ids0 = append(ids0, it["id"].(string))
	}
	// Change, move and delete one message each; create one.
	if r := c.do("PATCH", "/users/"+uid+"/messages/"+ids0[0], map[string]any{"isRead": true, "categories": []string{"Red"}}); r.status != 200 {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	moved := c.do("POST", "/users/"+uid+"/messages/"+ids0[1]+"/move", map[string]any{"destinationId": "archive"})
	if moved.status != 201 {
		t.Fatalf("move: %d %s", moved.status, moved.body)
	}
	if newID := moved.json(t)["id"]; newID == ids0[1] {
		t.Error("moved message kept its REST id; Exchange gives it a new one")
	}
	if r := c.do("DELETE", "/users/"+uid+"/messages/"+ids0[2], nil); r.status != 204 {
		t.Fatalf("DELETE: %d", r.status)
	}
	created := c.do("POST", "/users/"+uid+"/mailFolders/inbox/messages", map[string]any{"subject": "new one"})
	if created.status != 201 {
		t.Fatalf("create: %d %s", created.status, created.body)
	}
	second, last2 := c.all(link)
	got := ids(second)
	if len(second) != 4 || len(got) != 4 {
		t.Fatalf("second round: %d items %v, want 4", len(second), got)
	}
	if it := got[ids0[0]]; it == nil || it["isRead"] != true || it["@removed"] != nil {
		t.Errorf("changed message: %v", it)
	}
	for _, id := range ids0[1:3] {
		if it := got[id]; it == nil || it["@removed"] == nil {
			t.Errorf("moved/deleted message %s not @removed: %v", id, it)
		}
	}
	if it := got[created.json(t)["id"].(string)]; it == nil || it["subject"] != "new one" {
		t.Errorf("created message missing: %v", it)
	}
	// A third round with no changes is empty and gives a fresh link.
	third, last3 := c.all(last2["@odata.deltaLink"].(string))
	if len(third) != 0 || last3["@odata.deltaLink"] == nil {
		t.Errorf("idle round: %d items, link %v", len(third), last3["@odata.deltaLink"])
	}
}

func TestDeltaTokenExpiry(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 5})
	c := newClient(t, l)
	uid := firstUser(t, c)
	inbox := c.get("/users/" + uid + "/mailFolders/inbox")["id"].(string)
	_, last := c.all("/users/" + uid + "/mailFolders/inbox/messages/delta")
	if err := l.ExpireDelta(inbox); err != nil {
		t.Fatal(err)
	}
	r := c.do("GET", last["@odata.deltaLink"].(string), nil)
	if r.status != 410 || r.errorCode(t) != "SyncStateNotFound" || r.header.Get("Location") == "" {
		t.Fatalf("expired delta: %d %s (Location %q)", r.status, r.body, r.header.Get("Location"))
	}
	// Restarting from Location works.
	if items, _ := c.all(r.header.Get("Location")); len(items) == 0 {
		t.Error("restart returned no items")
	}
}

func TestMailboxConcurrencyLimit(t *testing.T) {
	l := Start(t, Options{Users: 2, Seed: 1})
	c := newClient(t, l)
	users, _ := c.all("/users?$select=id")
	a, b := users[0]["id"].(string), users[1]["id"].(string)
	if err := l.SetFaults(limits.FaultConfig{Seed: 1, SlowRate: 1, SlowDelay: 400 * time.Millisecond, Paths: []string{"/v1.0/users/" + a + "/"}}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	statuses := map[int]int{}
	var retry string
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 20 * time.Millisecond) // the 5th arrives last
			r := c.do("GET", "/users/"+a+"/mailFolders", nil)
			mu.Lock()
			defer mu.Unlock()
			statuses[r.status]++
			if r.status == 429 {
				retry = r.header.Get("Retry-After")
				if r.errorCode(t) != "ApplicationThrottled" {
					t.Errorf("429 code %q", r.errorCode(t))
				}
			}
		}()
	}
	time.Sleep(150 * time.Millisecond)
	other := c.do("GET", "/users/"+b+"/mailFolders", nil) // another mailbox is unaffected
	wg.Wait()
	if statuses[200] != 4 || statuses[429] != 1 || retry == "" {
		t.Fatalf("statuses %v, Retry-After %q; want four 200 and one 429 with Retry-After", statuses, retry)
	}
	if other.status != 200 {
		t.Errorf("other mailbox: %d", other.status)
	}
}

// findFile walks a drive breadth-first and returns the first file of at
// least minSize bytes.
func findFile(t *testing.T, c *client, uid string, minSize float64) map[string]any {
	t.Helper()
	queue := []string{"/users/" + uid + "/drive/root/children"}
	for len(queue) > 0 {
		items, _ := c.all(queue[0])
		queue = queue[1:]
		for _, it := range items {
			if _, isFolder := it["folder"]; isFolder {
				queue = append(queue, "/users/"+uid+"/drive/items/"+it["id"].(string)+"/children")
			} else if it["size"].(float64) >= minSize {
				return it
			}
		}
	}
	t.Fatal("no file found")
	return nil
}

func TestDownloadRedirectAndRange(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 2})
	c := newClient(t, l)
	uid := firstUser(t, c)
	f := findFile(t, c, uid, 100)
	r := c.do("GET", "/users/"+uid+"/drive/items/"+f["id"].(string)+"/content", nil)
	loc := r.header.Get("Location")
	if r.status != 302 || loc == "" {
		t.Fatalf("content: %d, Location %q", r.status, loc)
	}
	anon := *c
	anon.token = "" // the download URL is pre-authenticated
	full := anon.do("GET", loc, nil)
	if full.status != 200 || float64(len(full.body)) != f["size"].(float64) {
		t.Fatalf("download: %d, %d bytes, want %v", full.status, len(full.body), f["size"])
	}
	part := anon.do("GET", loc, nil, "Range", "bytes=10-49")
	if part.status != 206 || !bytes.Equal(part.body, full.body[10:50]) || part.header.Get("Content-Range") == "" {
		t.Fatalf("range: %d, %d bytes, Content-Range %q", part.status, len(part.body), part.header.Get("Content-Range"))
	}
	if r := anon.do("GET", loc+"x", nil); r.status != 401 {
		t.Errorf("tampered download URL: %d", r.status)
	}
}

func TestUploadSessionRules(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 2})
	c := newClient(t, l)
	uid := firstUser(t, c)
	data := make([]byte, 2*fragmentUnit+1000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	open := func() string {
		r := c.do("POST", "/users/"+uid+"/drive/root:/uploads/big.bin:/createUploadSession",
			map[string]any{"item": map[string]any{"@microsoft.graph.conflictBehavior": "fail"}})
		if r.status == 404 {
			// the parent folder must exist first
			c.do("POST", "/users/"+uid+"/drive/root/children", map[string]any{"name": "uploads", "folder": map[string]any{}})
			r = c.do("POST", "/users/"+uid+"/drive/root:/uploads/big.bin:/createUploadSession",
				map[string]any{"item": map[string]any{"@microsoft.graph.conflictBehavior": "fail"}})
		}
		if r.status != 200 {
			t.Fatalf("createUploadSession: %d %s", r.status, r.body)
		}
		return r.json(t)["uploadUrl"].(string)
	}
	put := func(u string, from, to int, auth bool) response {
		cc := *c
		if !auth {
			cc.token = ""
		}
		return cc.do("PUT", u, data[from:to], "Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, to-1, len(data)))
	}
	u := open()
	if r := put(u, 0, fragmentUnit, true); r.status != 401 {
		t.Errorf("fragment with Authorization: %d, want 401", r.status)
	}
	if r := put(u, 0, 1000, false); r.status != 400 {
		t.Errorf("fragment not a multiple of 320 KiB: %d, want 400", r.status)
	}
	r := put(u, 0, fragmentUnit, false)
	if r.status != 202 || !strings.Contains(string(r.body), fmt.Sprintf(`"%d-"`, fragmentUnit)) {
		t.Fatalf("first fragment: %d %s", r.status, r.body)
	}
	if r := put(u, 0, fragmentUnit, false); r.status != 416 {
		t.Errorf("resent fragment: %d, want 416", r.status)
	}
	if r := c.do("GET", u, nil); r.status != 401 { // status needs no token either; with one it is refused
		t.Errorf("status with Authorization: %d", r.status)
	}
	put(u, fragmentUnit, 2*fragmentUnit, false)
	done := put(u, 2*fragmentUnit, len(data), false)
	if done.status != 201 {
		t.Fatalf("last fragment: %d %s", done.status, done.body)
	}
	item := done.json(t)
	got := c.do("GET", "/users/"+uid+"/drive/items/"+item["id"].(string)+"/content", nil)
	dl := *c
	dl.token = ""
	body := dl.do("GET", got.header.Get("Location"), nil).body
	if !bytes.Equal(body, data) {
		t.Fatalf("downloaded %d bytes differ from the %d uploaded", len(body), len(data))
	}
	// Same name again with conflictBehavior fail: 409 at the last fragment.
	u2 := open()
	put(u2, 0, fragmentUnit, false)
	put(u2, fragmentUnit, 2*fragmentUnit, false)
	if r := put(u2, 2*fragmentUnit, len(data), false); r.status != 409 {
		t.Errorf("name conflict: %d %s, want 409", r.status, r.body)
	}
}

const testMIME = "From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: =?UTF-8?B?SGVsbG8g4pyI?=\r\n" +
	"Date: Mon, 04 Mar 2024 10:00:00 +0000\r\nMessage-ID: <abc@example.com>\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n\r\nBody line one.\r\nBody line two.\r\n"

func TestMIMERoundTrip(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 2})
	c := newClient(t, l)
	uid := firstUser(t, c)
	r := c.do("POST", "/users/"+uid+"/mailFolders/inbox/messages", base64.StdEncoding.EncodeToString([]byte(testMIME)))
	if r.status != 201 {
		t.Fatalf("create from MIME: %d %s", r.status, r.body)
	}
	m := r.json(t)
	if m["isDraft"] != true || m["subject"] != "Hello ✈" {
		t.Errorf("created: isDraft=%v subject=%q", m["isDraft"], m["subject"])
	}
	v := c.do("GET", "/users/"+uid+"/messages/"+m["id"].(string)+"/$value", nil)
	if v.status != 200 || string(v.body) != testMIME {
		t.Fatalf("$value: %d, byte-identical=%v", v.status, string(v.body) == testMIME)
	}
	if bad := c.do("POST", "/users/"+uid+"/mailFolders/inbox/messages", "not base64 !!"); bad.status != 400 {
		t.Errorf("bad MIME: %d, want 400", bad.status)
	}
}

func TestExtendedPropertiesMakeNonDraft(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 2})
	c := newClient(t, l)
	uid := firstUser(t, c)
	r := c.do("POST", "/users/"+uid+"/mailFolders/inbox/messages", map[string]any{
		"subject": "restored",
		"singleValueExtendedProperties": []map[string]any{
			{"id": "Integer 0x0E07", "value": "1"},
			{"id": "SystemTime 0x0039", "value": "2021-05-06T07:08:09Z"},
			{"id": "SystemTime 0x0E06", "value": "2021-05-06T07:09:00Z"},
		}})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	m := r.json(t)
	if m["isDraft"] != false || m["sentDateTime"] != "2021-05-06T07:08:09Z" || m["receivedDateTime"] != "2021-05-06T07:09:00Z" || m["isRead"] != true {
		t.Errorf("message: isDraft=%v sent=%v received=%v isRead=%v", m["isDraft"], m["sentDateTime"], m["receivedDateTime"], m["isRead"])
	}
	plain := c.do("POST", "/users/"+uid+"/mailFolders/inbox/messages", map[string]any{"subject": "plain"}).json(t)
	if plain["isDraft"] != true {
		t.Error("a message created without PidTagMessageFlags must be a draft")
	}
	got := c.get("/users/" + uid + "/messages/" + m["id"].(string) + "?$expand=singleValueExtendedProperties($filter=id%20eq%20'Integer%200x0E07')")
	if props, _ := got["singleValueExtendedProperties"].([]any); len(props) != 1 {
		t.Errorf("expanded extended properties: %v", got["singleValueExtendedProperties"])
	}
}

func TestBatch(t *testing.T) {
	l := Start(t, Options{Users: 2, Seed: 2})
	c := newClient(t, l)
	uid := firstUser(t, c)
	r := c.do("POST", "/$batch", map[string]any{"requests": []map[string]any{
		{"id": "1", "method": "GET", "url": "/users/" + uid},
		{"id": "2", "method": "GET", "url": "/users/nobody@nowhere.test"},
		{"id": "3", "method": "GET", "url": "/users/" + uid + "/mailFolders", "dependsOn": []string{"2"}},
		{"id": "4", "method": "GET", "url": "/users/" + uid + "/mailFolders", "dependsOn": []string{"1"}},
	}})
	if r.status != 200 {
		t.Fatalf("batch: %d %s", r.status, r.body)
	}
	got := map[string]float64{}
	for _, v := range r.json(t)["responses"].([]any) {
		m := v.(map[string]any)
		got[m["id"].(string)] = m["status"].(float64)
	}
	want := map[string]float64{"1": 200, "2": 404, "3": 424, "4": 200}
	for id, st := range want {
		if got[id] != st {
			t.Errorf("request %s: status %v, want %v (all: %v)", id, got[id], st, got)
		}
	}
	reqs := make([]map[string]any, 21)
	for i := range reqs {
		reqs[i] = map[string]any{"id": fmt.Sprint(i), "method": "GET", "url": "/users"}
	}
	if r := c.do("POST", "/$batch", map[string]any{"requests": reqs}); r.status != 400 {
		t.Errorf("21 requests: %d, want 400", r.status)
	}
	dup := []map[string]any{{"id": "a", "method": "GET", "url": "/users"}, {"id": "A", "method": "GET", "url": "/users"}}
	if r := c.do("POST", "/$batch", map[string]any{"requests": dup}); r.status != 400 {
		t.Errorf("duplicate ids: %d, want 400", r.status)
	}
}

func TestThrottledBatchSubRequest(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 2})
	c := newClient(t, l)
	uid := firstUser(t, c)
	l.Server.faults.FailNext("/v1.0/users/"+uid+"/mailFolders", 429, 1)
	r := c.do("POST", "/$batch", map[string]any{"requests": []map[string]any{
		{"id": "1", "method": "GET", "url": "/users/" + uid + "/mailFolders"},
		{"id": "2", "method": "GET", "url": "/users/" + uid},
	}})
	var throttledSub map[string]any
	for _, v := range r.json(t)["responses"].([]any) {
		if m := v.(map[string]any); m["status"].(float64) == 429 {
			throttledSub = m
		}
	}
	if throttledSub == nil {
		t.Fatalf("no throttled sub-request: %s", r.body)
	}
	h, _ := throttledSub["headers"].(map[string]any)
	if h["Retry-After"] == nil && h["retry-after"] == nil {
		t.Errorf("throttled sub-request without its own Retry-After: %v", h)
	}
}

func TestGzipBodyAndBetaPaths(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 2})
	c := newClient(t, l)
	uid := firstUser(t, c)
	if r := c.do("GET", l.URL+"/beta/users/"+uid+"/mailFolders", nil); r.status != 200 {
		t.Errorf("beta path: %d", r.status)
	}
	var buf bytes.Buffer
	zw := gzipWriter(&buf)
	io.WriteString(zw, `{"subject":"zipped"}`)
	zw.Close()
	req, _ := http.NewRequest("POST", l.GraphURL+"/users/"+uid+"/messages", &buf)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Errorf("gzip body: %d", resp.StatusCode)
	}
}

func TestControlMutateShowsInDelta(t *testing.T) {
	l := Start(t, Options{Users: 2, Seed: 9})
	c := newClient(t, l)
	uid := firstUser(t, c)
	drive := c.get("/users/" + uid + "/drive")["id"].(string)
	_, last := c.all("/drives/" + drive + "/root/delta")
	link := last["@odata.deltaLink"].(string)
	var n map[string]any
	if err := l.Control("POST", "ransomware", map[string]any{"user": uid, "Max": 5, "Seed": 1}, &n); err != nil {
		t.Fatal(err)
	}
	if n["files"].(float64) < 1 {
		t.Fatalf("ransomware touched %v files", n["files"])
	}
	changed, _ := c.all(link)
	locked := 0
	for _, it := range changed {
		if name, _ := it["name"].(string); strings.HasSuffix(name, ".locked") {
			locked++
		}
	}
	if locked != int(n["files"].(float64)) {
		t.Errorf("delta shows %d .locked files, ransomware reported %v", locked, n["files"])
	}
	var rep struct{ Changes []map[string]any }
	if err := l.Control("POST", "mutate", map[string]any{"Seed": 3}, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Changes) < 10 {
		t.Errorf("mutate with only a seed made %d changes; want a typical day's activity", len(rep.Changes))
	}
	if err := l.Control("POST", "nope", nil, nil); err == nil {
		t.Error("unknown control endpoint accepted")
	}
}

func TestFaultsOnDownloads(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 2})
	c := newClient(t, l)
	uid := firstUser(t, c)
	f := findFile(t, c, uid, 4096)
	loc := c.do("GET", "/users/"+uid+"/drive/items/"+f["id"].(string)+"/content", nil).header.Get("Location")
	if err := l.SetFaults(limits.FaultConfig{Seed: 1, TruncateRate: 1, Paths: []string{"/_download/"}}); err != nil {
		t.Fatal(err)
	}
	resp, err := c.http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || int64(len(body)) >= resp.ContentLength || len(body) == 0 {
		t.Fatalf("truncated download: read %d of %d bytes, err %v; want a cut body and an error", len(body), resp.ContentLength, err)
	}
	if err := l.SetFaults(limits.FaultConfig{Seed: 1, Rate503: 1, Paths: []string{"/_download/"}}); err != nil {
		t.Fatal(err)
	}
	if r := c.do("GET", loc, nil); r.status != 503 || r.header.Get("Retry-After") == "" {
		t.Fatalf("503 fault on download: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	l.SetFaults(limits.FaultConfig{})
	if r := c.do("GET", loc, nil); r.status != 200 {
		t.Fatalf("after clearing faults: %d", r.status)
	}
}

func TestDirectoryDelta(t *testing.T) {
	l := Start(t, Options{Users: 3, Seed: 6})
	c := newClient(t, l)
	users, last := c.all("/users/delta?$select=displayName,jobTitle")
	if len(users) != len(l.Server.Summary().Users) {
		t.Fatalf("users delta: %d users, want %d", len(users), len(l.Server.Summary().Users))
	}
	if _, ok := users[0]["mail"]; ok {
		t.Error("users delta ignored $select")
	}
	tn := l.Server.Tenant()
	var changed string
	tn.Write(func() error {
		u := tn.Users[1]
		tn.UpdateUser(u, map[string]any{"jobTitle": "Chief Restore Officer"})
		changed = u.ID
		return nil
	})
	next, _ := c.all(last["@odata.deltaLink"].(string))
	if len(next) != 1 || next[0]["id"] != changed || next[0]["jobTitle"] != "Chief Restore Officer" {
		t.Fatalf("second round: %v", next)
	}
	if _, ok := next[0]["mail"]; ok {
		t.Error("$select from the first request not kept in the delta token")
	}
	groups, glast := c.all("/groups/delta")
	var want int
	tn.Read(func() error { want = len(tn.Groups); return nil })
	if len(groups) != want || want == 0 || glast["@odata.deltaLink"] == nil {
		t.Fatalf("groups delta: %d groups (want %d), link %v", len(groups), want, glast["@odata.deltaLink"])
	}
	latest := c.get("/users/delta?$deltatoken=latest")
	if v := latest["value"].([]any); len(v) != 0 || latest["@odata.deltaLink"] == nil {
		t.Fatalf("$deltatoken=latest: %v", latest)
	}
}

func TestAttachmentsStreamAndCTag(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 2})
	c := newClient(t, l)
	uid := firstUser(t, c)
	m := c.do("POST", "/users/"+uid+"/mailFolders/inbox/messages", map[string]any{"subject": "with attachment"}).json(t)
	content := bytes.Repeat([]byte("attachment bytes ✈ "), 5000)
	r := c.do("POST", "/users/"+uid+"/messages/"+m["id"].(string)+"/attachments", map[string]any{
		"@odata.type": "#microsoft.graph.fileAttachment", "name": "a.txt", "contentType": "text/plain",
		"contentBytes": base64.StdEncoding.EncodeToString(content)})
	if r.status != 201 {
		t.Fatalf("add attachment: %d %s", r.status, r.body)
	}
	list := c.get("/users/" + uid + "/messages/" + m["id"].(string) + "/attachments")
	atts := list["value"].([]any)
	got, _ := base64.StdEncoding.DecodeString(atts[0].(map[string]any)["contentBytes"].(string))
	if len(atts) != 1 || !bytes.Equal(got, content) {
		t.Fatalf("listed attachment: %d attachments, content equal %v", len(atts), bytes.Equal(got, content))
	}
	one := c.get("/users/" + uid + "/messages/" + m["id"].(string) + "/attachments/" + atts[0].(map[string]any)["id"].(string))
	if one["contentBytes"] != atts[0].(map[string]any)["contentBytes"] || one["name"] != "a.txt" {
		t.Fatal("single attachment differs from the listed one")
	}
	// cTag follows content, eTag any change.
	f := findFile(t, c, uid, 1)
	id := f["id"].(string)
	renamed := c.do("PATCH", "/users/"+uid+"/drive/items/"+id, map[string]any{"name": "renamed-" + f["name"].(string)}).json(t)
	if renamed["cTag"] != f["cTag"] || renamed["eTag"] == f["eTag"] {
		t.Errorf("rename: cTag %v -> %v (must stay), eTag %v -> %v (must change)", f["cTag"], renamed["cTag"], f["eTag"], renamed["eTag"])
	}
	rewritten := c.do("PUT", "/users/"+uid+"/drive/items/"+id+"/content", []byte("new content")).json(t)
	if rewritten["cTag"] == renamed["cTag"] {
		t.Errorf("new content kept cTag %v", rewritten["cTag"])
	}
}
