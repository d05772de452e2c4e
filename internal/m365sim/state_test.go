package m365sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// listenState starts a server over plain HTTP; the returned stop closes it
// once (saving its state when it has a StateDir).
func listenState(tb testing.TB, opts Options) (*Listener, func()) {
	tb.Helper()
	s, err := New(opts)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	l, err := Listen(s, ListenOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			if err := l.Close(); err != nil {
				tb.Errorf("Close: %v", err)
			}
		})
	}
	tb.Cleanup(stop)
	return l, stop
}

// rebase points a link of one emulator run at another run's URL.
func rebase(link string, from, to *Listener) string {
	return strings.Replace(link, from.URL, to.URL, 1)
}

// deltaIDs follows a delta link to the end of its round and returns the
// ids it reported (removed ones with a "-" prefix) and the next link.
func deltaIDs(c *client, link string) ([]string, string) {
	c.tb.Helper()
	items, last := c.all(link)
	var out []string
	for _, it := range items {
		id := it["id"].(string)
		if it["@removed"] != nil {
			id = "-" + id
		}
		out = append(out, id)
	}
	slices.Sort(out)
	next, _ := last["@odata.deltaLink"].(string)
	return out, next
}

func createMessage(c *client, uid, subject string) string {
	c.tb.Helper()
	r := c.do("POST", "/users/"+uid+"/mailFolders/inbox/messages", map[string]any{"subject": subject})
	if r.status != 201 {
		c.tb.Fatalf("create message: %d %s", r.status, r.body)
	}
	return r.json(c.tb)["id"].(string)
}

// A client's delta link and token survive a restart with --state: the link
// returns exactly the changes made after it, before and after the restart.
func TestStateDirRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	opts := Options{Users: 2, Seed: 3, MessagesPerUser: 40, FilesPerUser: 4, StateDir: dir}
	l1, stop1 := listenState(t, opts)
	if l1.Server.StateLoaded() {
		t.Fatal("a new state dir reports a loaded tenant")
	}
	c1 := newClient(t, l1)
	uid := firstUser(t, c1)
	inbox := "/users/" + uid + "/mailFolders/inbox/messages/delta"
	existing, link := deltaIDs(c1, inbox)
	if len(existing) < 2 || link == "" {
		t.Fatalf("first round: %d messages, link %q", len(existing), link)
	}
	_, driveLink := c1.all("/users/" + uid + "/drive/root/delta")

	// Before the restart: create one message, change another, upload a file.
	before := createMessage(c1, uid, "before restart")
	if r := c1.do("PATCH", "/users/"+uid+"/messages/"+existing[0], map[string]any{"isRead": true}); r.status != 200 {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	content := bytes.Repeat([]byte("kept across restarts\n"), 50000) // 1 MB, spooled on load
	up := c1.do("PUT", "/users/"+uid+"/drive/root:/kept.txt:/content", content)
	if up.status != 201 {
		t.Fatalf("upload: %d %s", up.status, up.body)
	}
	fileID := up.json(t)["id"].(string)
	stop1()

	for name, mode := range map[string]os.FileMode{".": 0o700, stateFile: 0o600, appFile: 0o600} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v, mode %v, want %v", name, err, fi.Mode().Perm(), mode)
		}
	}

	// Restart five minutes later, so that nothing depends on the restart
	// falling within the same second.
	opts.Now = func() time.Time { return time.Now().Add(5 * time.Minute) }
	l2, _ := listenState(t, opts)
	if !l2.Server.StateLoaded() {
		t.Fatal("restart did not load the saved tenant")
	}
	if l2.ClientID != l1.ClientID || l2.ClientSecret != l1.ClientSecret || l2.TenantID != l1.TenantID {
		t.Fatalf("identity changed: client %s -> %s, tenant %s -> %s", l1.ClientID, l2.ClientID, l1.TenantID, l2.TenantID)
	}
	c2 := &client{tb: t, l: l2, http: l2.HTTPClient(), token: c1.token} // a token issued before the restart
	c2.http.CheckRedirect = c1.http.CheckRedirect
	if r := c2.do("GET", "/users/"+uid, nil); r.status != 200 {
		t.Fatalf("token from before the restart: %d %s", r.status, r.body)
	}
	c2.token = c2.fetchToken(l1.ClientID, l1.ClientSecret) // and the saved secret still signs in

	// After the restart: delete a message and create one.
	if r := c2.do("DELETE", "/users/"+uid+"/messages/"+existing[1], nil); r.status != 204 {
		t.Fatalf("DELETE: %d", r.status)
	}
	after := createMessage(c2, uid, "after restart")
	got, _ := deltaIDs(c2, rebase(link, l1, l2))
	want := []string{before, after, existing[0], "-" + existing[1]}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("delta link from before the restart returned %v, want %v", got, want)
	}
	drive, _ := c2.all(rebase(driveLink["@odata.deltaLink"].(string), l1, l2))
	if len(drive) == 0 || !slices.ContainsFunc(drive, func(it map[string]any) bool { return it["id"] == fileID }) {
		t.Errorf("drive delta link from before the restart lacks the uploaded file: %d items", len(drive))
	}
	r := c2.do("GET", "/users/"+uid+"/drive/items/"+fileID+"/content", nil)
	anon := *c2
	anon.token = ""
	if dl := anon.do("GET", r.header.Get("Location"), nil); dl.status != 200 || !bytes.Equal(dl.body, content) {
		t.Errorf("uploaded file after restart: %d, %d bytes, want %d", dl.status, len(dl.body), len(content))
	}
}

// Ids continue deterministically across a restart: the same requests give
// the same ids with and without one.
func TestStateDirIDsContinue(t *testing.T) {
	opts := Options{Users: 1, Seed: 8, MessagesPerUser: 3, FilesPerUser: 1}
	run := func(restart bool) []string {
		o := opts
		o.StateDir = filepath.Join(t.TempDir(), "state")
		l, stop := listenState(t, o)
		c := newClient(t, l)
		uid := firstUser(t, c)
		ids := []string{createMessage(c, uid, "one")}
		if restart {
			stop()
			l, _ = listenState(t, o)
			c = newClient(t, l)
		}
		ids = append(ids, createMessage(c, uid, "two"))
		f := c.do("POST", "/users/"+uid+"/mailFolders", map[string]any{"displayName": "Folder"})
		if f.status != 201 {
			t.Fatalf("create folder: %d %s", f.status, f.body)
		}
		return append(ids, f.json(t)["id"].(string))
	}
	if a, b := run(false), run(true); !slices.Equal(a, b) {
		t.Errorf("ids without restart %v, with restart %v", a, b)
	}
}

func TestStateDirInvalid(t *testing.T) {
	good := filepath.Join(t.TempDir(), "good")
	_, stop := listenState(t, Options{Users: 1, Seed: 2, MessagesPerUser: 2, FilesPerUser: 1, StateDir: good})
	stop()
	state, err := os.ReadFile(filepath.Join(good, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{
		"truncated": state[:len(state)*2/3],
		"garbage":   []byte("PK\x03\x04 not a state file"),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, stateFile), content, 0o600)
			_, err := New(Options{StateDir: dir})
			if !errors.Is(err, tenant.ErrInvalidState) || !strings.Contains(err.Error(), filepath.Join(dir, stateFile)) {
				t.Errorf("New: %v, want ErrInvalidState naming the file", err)
			}
		})
	}
}

// Snapshot, change, restore: the data comes back, a delta link from before
// the snapshot keeps working and one from after it gets 410 Gone.
func TestSnapshotRestore(t *testing.T) {
	l := Start(t, Options{Users: 2, Seed: 6, MessagesPerUser: 12, FilesPerUser: 4})
	c := newClient(t, l)
	uid := firstUser(t, c)
	inbox := "/users/" + uid + "/mailFolders/inbox/messages/delta"
	msgs, early := deltaIDs(c, inbox)
	_, earlyUsers := c.all("/users/delta")
	var before Summary
	if err := l.Control("GET", "tenant", nil, &before); err != nil {
		t.Fatal(err)
	}
	if err := l.Control("POST", "restore-snapshot", nil, nil); err == nil || !strings.Contains(err.Error(), "409") {
		t.Errorf("restore before any snapshot: %v, want 409", err)
	}
	var snap struct{ Sequence int64 }
	if err := l.Control("POST", "snapshot", nil, &snap); err != nil || snap.Sequence != before.Sequence {
		t.Fatalf("snapshot: %v, sequence %d, want %d", err, snap.Sequence, before.Sequence)
	}

	if r := c.do("DELETE", "/users/"+uid+"/messages/"+msgs[0], nil); r.status != 204 {
		t.Fatalf("DELETE: %d", r.status)
	}
	if err := l.Control("POST", "mutate", tenant.DefaultMutateOptions(1, 2), nil); err != nil {
		t.Fatal(err)
	}
	changed, late := deltaIDs(c, early)
	if !slices.Contains(changed, "-"+msgs[0]) {
		t.Fatalf("delta after the snapshot lacks the deletion: %v", changed)
	}
	_, lateDrive := c.all("/users/" + uid + "/drive/root/delta")
	_, lateUsers := c.all(earlyUsers["@odata.deltaLink"].(string))

	var restored struct{ Sequence int64 }
	if err := l.Control("POST", "restore-snapshot", nil, &restored); err != nil || restored.Sequence != snap.Sequence {
		t.Fatalf("restore: %v, sequence %d, want %d", err, restored.Sequence, snap.Sequence)
	}
	var after Summary
	l.Control("GET", "tenant", nil, &after)
	after.Sequence = before.Sequence // moves on, so that no token is issued twice
	if !equalJSON(t, before, after) {
		t.Errorf("tenant after restore differs:\nbefore %+v\nafter  %+v", before, after)
	}
	if r := c.do("GET", "/users/"+uid+"/messages/"+msgs[0], nil); r.status != 200 {
		t.Errorf("deleted message after restore: %d", r.status)
	}

	for name, link := range map[string]string{
		"messages": late,
		"drive":    lateDrive["@odata.deltaLink"].(string),
		"users":    lateUsers["@odata.deltaLink"].(string),
	} {
		if r := c.do("GET", link, nil); r.status != 410 || r.header.Get("Location") == "" {
			t.Errorf("%s delta link from after the snapshot: %d %.200s, want 410 with Location", name, r.status, r.body)
		}
	}
	// The link from before the snapshot sees nothing since then, and then
	// what happens next.
	if got, next := deltaIDs(c, early); len(got) != 0 {
		t.Errorf("delta link from before the snapshot after restore: %v, want nothing", got)
	} else {
		id := createMessage(c, uid, "after restore")
		if got, _ := deltaIDs(c, next); !slices.Equal(got, []string{id}) {
			t.Errorf("next round: %v, want [%s]", got, id)
		}
		if slices.Contains(changed, id) {
			t.Errorf("new message got id %s, issued before the restore", id)
		}
	}
}

func equalJSON(tb testing.TB, a, b any) bool {
	tb.Helper()
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		tb.Fatal(err1, err2)
	}
	return bytes.Equal(ja, jb)
}

// Reset returns the generated tenant; the app keeps working and earlier
// delta links get 410 Gone.
func TestReset(t *testing.T) {
	opts := Options{Users: 2, Seed: 12, MessagesPerUser: 8, FilesPerUser: 3}
	l := Start(t, opts)
	c := newClient(t, l)
	uid := firstUser(t, c)
	inbox := "/users/" + uid + "/mailFolders/inbox/messages/delta"
	generated, link := deltaIDs(c, inbox)
	if err := l.Control("POST", "mutate", tenant.DefaultMutateOptions(2, 2), nil); err != nil {
		t.Fatal(err)
	}
	createMessage(c, uid, "gone after reset")
	var sum Summary
	if err := l.Control("POST", "reset", nil, &sum); err != nil {
		t.Fatal(err)
	}
	fresh, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	want := fresh.Summary()
	want.Sequence = sum.Sequence
	if !equalJSON(t, sum, want) {
		t.Errorf("after reset:\n%+v\nfreshly generated:\n%+v", sum, want)
	}
	if got, _ := deltaIDs(c, inbox); !slices.Equal(got, generated) {
		t.Errorf("inbox after reset: %d messages, generated %d", len(got), len(generated))
	}
	if r := c.do("GET", link, nil); r.status != 410 {
		t.Errorf("delta link from before the reset: %d, want 410", r.status)
	}
}

// Requests running while the tenant is replaced finish normally on the
// tenant they started with.
func TestReplaceTenantUnderLoad(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 4, MessagesPerUser: 6, FilesPerUser: 2})
	c := newClient(t, l)
	uid := firstUser(t, c)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan string, 100)
	for i := range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				var r response
				switch i {
				case 0:
					r = c.do("POST", "/users/"+uid+"/mailFolders/inbox/messages", map[string]any{"subject": "load"})
				case 1:
					r = c.do("GET", "/users/"+uid+"/mailFolders/inbox/messages/delta", nil)
				default:
					r = c.do("GET", "/users/"+uid+"/drive/root/children", nil)
				}
				if r.status >= 300 && r.status != 410 {
					select {
					case errs <- fmt.Sprintf("%d %.200s", r.status, r.body):
					default:
					}
				}
			}
		})
	}
	for i := range 6 {
		path := "snapshot"
		switch i % 3 {
		case 1:
			path = "restore-snapshot"
		case 2:
			path = "reset"
		}
		if err := l.Control("POST", path, nil, nil); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("request during replacement: %s", e)
	}
}
