package restore

// Emulator test wiring (as in internal/dataguard's tests): a generated
// tenant served over HTTPS with real OAuth, the real Graph client and a
// real kopia repository. Ground truth is read from the emulator's tenant
// under its read lock.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/dataguard/dataguardtest"
	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/simclient"
)

// env is a backup environment; its fields and methods are dataguardtest's.
type env struct{ *dataguardtest.Env }

func smallTenant(seed uint64, users int) tenant.GenOptions {
	return tenant.GenOptions{Seed: seed, Users: users, MessagesPerUser: 20, EventsPerUser: 1, ContactsPerUser: 1,
		FilesPerUser: 12, MaxFileSize: 512 << 10, MaxMessageSize: 512 << 10}
}

func newEnv(tb testing.TB, gen tenant.GenOptions, opts m365sim.Options, tune ...func(*graph.Options)) *env {
	tb.Helper()
	return &env{dataguardtest.New(tb, simclient.StartTenant(tb, gen, opts), tune...)}
}

var testCtx = dataguardtest.Context

func (e *env) tenant() *tenant.Tenant { return e.L.Server.Tenant() }

// users returns the member users with a mailbox, in creation order.
func (e *env) users() []*tenant.User {
	var out []*tenant.User
	t := e.tenant()
	t.Read(func() error {
		for _, u := range t.Users {
			if !u.Deleted && u.Mailbox != nil && u.Drive != nil {
				out = append(out, u)
			}
		}
		return nil
	})
	return out
}

// backup backs up users' workloads and returns the new snapshots.
func (e *env) backup(workload string, users ...string) []repo.SnapshotID {
	e.TB.Helper()
	sum := e.Backup(dataguard.BackupOptions{Workloads: []string{workload}, Users: users})
	var ids []repo.SnapshotID
	for _, rs := range sum.Resources {
		ids = append(ids, repo.SnapshotID(rs.Snapshot))
	}
	return ids
}

// mutate runs a day of simulated activity for users users.
func (e *env) mutate(users int) {
	e.TB.Helper()
	e.Mutate(tenant.DefaultMutateOptions(3, users))
}

func (e *env) restore(req Request) Summary {
	e.TB.Helper()
	sum, err := Run(testCtx(e.TB), e.C, e.R, req)
	if err != nil {
		b, _ := json.MarshalIndent(sum, "", "  ")
		e.TB.Fatalf("restore: %v\n%s", err, b)
	}
	return sum
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func blobSHA(b tenant.Blob) string {
	h := sha256.New()
	io.Copy(h, tenant.Reader(b))
	return hex.EncodeToString(h.Sum(nil))
}

// mailMsg is what a restored message must keep.
type mailMsg struct {
	Subject, From, To, Cc, Sent, Received, Importance, Flag, Categories, MessageID, Body string
	IsRead, IsDraft                                                                      bool
	Attachments                                                                          []string // name=sha256, sorted
}

func str(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func addrs(v any) string {
	list, _ := v.([]any)
	var out []string
	for _, r := range list {
		m, _ := r.(map[string]any)
		ea, _ := m["emailAddress"].(map[string]any)
		a, _ := ea["address"].(string)
		out = append(out, strings.ToLower(a))
	}
	return strings.Join(out, ",")
}

func normBody(p tenant.Props) string {
	b, _ := p["body"].(map[string]any)
	s, _ := b["content"].(string)
	return strings.TrimSpace(strings.ReplaceAll(s, "\r", ""))
}

func toMailMsg(m *tenant.Message) mailMsg {
	p := m.Props
	from, _ := p["from"].(map[string]any)
	isRead, _ := p["isRead"].(bool)
	isDraft, _ := p["isDraft"].(bool)
	flag, _ := p["flag"].(map[string]any)
	out := mailMsg{Subject: str(p["subject"]), From: addrs([]any{from}), To: addrs(p["toRecipients"]), Cc: addrs(p["ccRecipients"]),
		Sent: str(p["sentDateTime"]), Received: str(p["receivedDateTime"]), Importance: str(p["importance"]),
		Flag: str(flag["flagStatus"]), Categories: str(p["categories"]), MessageID: str(p["internetMessageId"]),
		Body: normBody(p), IsRead: isRead, IsDraft: isDraft}
	if out.Categories == "null" {
		out.Categories = "[]"
	}
	for _, a := range m.Attachments {
		name, _ := a.Props["name"].(string)
		inline, _ := a.Props["isInline"].(bool)
		cid, _ := a.Props["contentId"].(string)
		h := ""
		if a.Content != nil {
			h = blobSHA(a.Content)
		}
		out.Attachments = append(out.Attachments, fmt.Sprintf("%s inline=%v cid=%s sha256=%s", name, inline, cid, h))
	}
	slices.Sort(out.Attachments)
	return out
}

// mailTree returns a user's messages by folder path (names below the
// folder path under, which is "" for the top of the mailbox).
func (e *env) mailTree(user string, under []string) map[string][]mailMsg {
	e.TB.Helper()
	out := map[string][]mailMsg{}
	t := e.tenant()
	t.Read(func() error {
		mb := t.User(user).Mailbox
		root := mb.WellKnown["msgfolderroot"]
		paths := map[string]string{}
		var pathOf func(id string) (string, bool)
		pathOf = func(id string) (string, bool) {
			if id == root {
				return "", true
			}
			f := mb.Folders[id]
			if f == nil || f.Deleted || f.Hidden || f.ParentID == "" {
				return "", false
			}
			pp, ok := pathOf(f.ParentID)
			if !ok {
				return "", false
			}
			name, _ := f.Props["displayName"].(string)
			return strings.TrimPrefix(pp+"/"+name, "/"), true
		}
		prefix := strings.Join(under, "/")
		for _, f := range mb.FolderList {
			p, ok := pathOf(f.ID)
			if !ok || f.ID == root {
				continue
			}
			if prefix != "" {
				rest, ok := strings.CutPrefix(p, prefix+"/")
				if !ok {
					continue
				}
				p = rest
			}
			paths[f.ID] = p
			out[p] = out[p][:0:0]
		}
		for key, m := range mb.Messages {
			if key != m.ImmutableID || m.Deleted {
				continue
			}
			p, ok := paths[m.FolderID]
			if !ok {
				continue
			}
			out[p] = append(out[p], toMailMsg(m))
		}
		for p := range out {
			slices.SortFunc(out[p], func(a, b mailMsg) int { return strings.Compare(a.MessageID+a.Subject, b.MessageID+b.Subject) })
		}
		return nil
	})
	return out
}

// compareMail checks that got holds exactly want, message by message.
func compareMail(tb testing.TB, want, got map[string][]mailMsg) {
	tb.Helper()
	for p, ws := range want {
		gs, ok := got[p]
		if !ok {
			tb.Errorf("folder %q missing", p)
			continue
		}
		if len(gs) != len(ws) {
			tb.Errorf("folder %q: %d messages, want %d", p, len(gs), len(ws))
			continue
		}
		for i := range ws {
			w, g := ws[i], gs[i]
			if w.IsDraft && w.Sent == "null" {
				g.Sent = w.Sent // a draft was never sent; the service stamps a new one
			}
			if g.IsDraft != w.IsDraft {
				tb.Errorf("folder %q: message %s draft %v, want %v", p, w.Subject, g.IsDraft, w.IsDraft)
			}
			if !jsonEqual(w, g) {
				wb, _ := json.MarshalIndent(w, "", " ")
				gb, _ := json.MarshalIndent(g, "", " ")
				tb.Errorf("folder %q: message differs:\nwant %s\ngot  %s", p, trunc(wb), trunc(gb))
			}
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			tb.Errorf("extra folder %q", p)
		}
	}
}

func trunc(b []byte) string {
	if len(b) > 1500 {
		return string(b[:1500]) + "…"
	}
	return string(b)
}

func jsonEqual(a, b any) bool { return str(a) == str(b) }

// driveFile is what a restored file must keep.
type driveFile struct {
	SHA, Created, Modified string
}

// driveTree returns a user's files by path below under.
func (e *env) driveTree(user string, under []string) map[string]driveFile {
	out := map[string]driveFile{}
	t := e.tenant()
	t.Read(func() error {
		d := t.User(user).Drive
		prefix := strings.Join(under, "/")
		for _, it := range d.Items {
			if it.Deleted || it.Folder {
				continue
			}
			p := strings.TrimPrefix(d.Path(it), "/")
			if prefix != "" {
				rest, ok := strings.CutPrefix(p, prefix+"/")
				if !ok {
					continue
				}
				p = rest
			}
			fsi, _ := it.Props["fileSystemInfo"].(map[string]any)
			out[p] = driveFile{SHA: blobSHA(it.Content), Created: normTime(fsi["createdDateTime"]), Modified: normTime(fsi["lastModifiedDateTime"])}
		}
		return nil
	})
	return out
}

func normTime(v any) string {
	s, _ := v.(string)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.UTC().Format(time.RFC3339)
}

// writes counts the write requests the emulator served since the last
// stats reset.
func (e *env) writes() int64 {
	var n int64
	for _, ep := range e.L.Stats().Endpoints {
		m, _, _ := strings.Cut(ep.Endpoint, " ")
		if m == "POST" || m == "PATCH" || m == "PUT" || m == "DELETE" || ep.Endpoint == "upload" {
			n += ep.Requests
		}
	}
	return n
}

func (e *env) endpointRequests(substr string) int64 {
	var n int64
	for _, ep := range e.L.Stats().Endpoints {
		if strings.Contains(ep.Endpoint, substr) {
			n += ep.Requests
		}
	}
	return n
}

// resetStats zeroes the emulator's counters. The emulator records a
// request after its answer has gone out, so it first waits until the
// counts of earlier requests have settled.
func (e *env) resetStats() {
	for prev := int64(-1); ; {
		n := e.L.Stats().Requests
		if n == prev {
			break
		}
		prev = n
		time.Sleep(30 * time.Millisecond)
	}
	if err := e.L.Control("POST", "stats/reset", nil, nil); err != nil {
		e.TB.Fatal(err)
	}
}

// addBigMessage puts a message with a large (upload-session) attachment,
// a small one and an inline image into user's Inbox; noID leaves out its
// internetMessageId.
func (e *env) addBigMessage(user, subject string, attSize int, noID bool) {
	t := e.tenant()
	t.Write(func() error {
		mb := t.User(user).Mailbox
		inbox := mb.Folder("inbox")
		big := make([]byte, attSize)
		for i := range big {
			big[i] = byte(i*7 + i/251)
		}
		props := tenant.Props{
			"subject": subject, "body": map[string]any{"contentType": "html", "content": "<html><body><p>Quarterly numbers, see attached.</p><img src=\"cid:logo@x\"></body></html>"},
			"from":          map[string]any{"emailAddress": map[string]any{"name": "Ext Sender", "address": "sender@example.org"}},
			"sender":        map[string]any{"emailAddress": map[string]any{"name": "Ext Sender", "address": "sender@example.org"}},
			"toRecipients":  []any{map[string]any{"emailAddress": map[string]any{"name": "U", "address": t.User(user).UPN}}},
			"ccRecipients":  []any{map[string]any{"emailAddress": map[string]any{"name": "C", "address": "cc@example.org"}}},
			"bccRecipients": []any{}, "replyTo": []any{},
			"sentDateTime": "2024-03-04T10:00:00Z", "receivedDateTime": "2024-03-04T10:05:00Z",
			"isRead": false, "isDraft": false, "importance": "high",
			"flag":       map[string]any{"flagStatus": "flagged"},
			"categories": []any{"Red category", "Finance"},
		}
		if !noID {
			props["internetMessageId"] = "<" + strings.ReplaceAll(subject, " ", ".") + "@example.org>"
		}
		att := func(name, ct string, data []byte, inline bool, cid string) *tenant.Attachment {
			p := tenant.Props{"name": name, "contentType": ct, "isInline": inline, "size": float64(len(data))}
			if cid != "" {
				p["contentId"] = cid
			}
			return &tenant.Attachment{ID: t.NewOutlookID("AAMkADAT"), Kind: "file", Content: tenant.Bytes(data), Props: p}
		}
		m := &tenant.Message{Props: props, Attachments: []*tenant.Attachment{
			att("numbers.xlsx", "application/octet-stream", big, false, ""),
			att("notes.txt", "text/plain", []byte("small notes\n"), false, ""),
			att("logo.png", "image/png", []byte("\x89PNG fake logo bytes"), true, "logo@x"),
		}}
		t.AddMessage(mb, inbox, m)
		return nil
	})
}

// addFile puts a file of size bytes at dir/name of user's OneDrive,
// creating the folders.
func (e *env) addFile(user, dir, name string, size int) {
	t := e.tenant()
	t.Write(func() error {
		d := t.User(user).Drive
		parent := d.Item("root")
		for _, n := range strings.Split(dir, "/") {
			if n == "" {
				continue
			}
			c := d.Child(parent, n)
			if c == nil {
				ts := tenant.Timestamp(time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC))
				c = &tenant.DriveItem{Name: n, Folder: true, Props: tenant.Props{"createdDateTime": ts, "lastModifiedDateTime": ts,
					"fileSystemInfo": map[string]any{"createdDateTime": ts, "lastModifiedDateTime": ts}}}
				t.AddItem(d, parent, c)
			}
			parent = c
		}
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i*13 + i/509)
		}
		blob := tenant.Bytes(data)
		h, _ := tenant.QuickXorHashBlob(blob)
		created := time.Date(2022, 5, 6, 7, 8, 9, 0, time.UTC)
		modified := time.Date(2023, 6, 7, 8, 9, 10, 0, time.UTC)
		it := &tenant.DriveItem{Name: name, Props: tenant.Props{
			"createdDateTime": tenant.Timestamp(created), "lastModifiedDateTime": tenant.Timestamp(modified),
			"fileSystemInfo": map[string]any{"createdDateTime": tenant.Timestamp(created), "lastModifiedDateTime": tenant.Timestamp(modified)},
			"file":           map[string]any{"mimeType": "application/octet-stream", "hashes": map[string]any{"quickXorHash": h}}}}
		t.AddItem(d, parent, it)
		t.SetContent(d, it, blob, modified)
		return nil
	})
}
