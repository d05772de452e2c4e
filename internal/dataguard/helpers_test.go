package dataguard

// Helpers for the emulator tests: a generated tenant served over HTTPS with
// real OAuth (internal/m365sim), the real Graph client, and a real kopia
// repository in a temporary directory. Ground truth is read from the
// emulator's tenant under its read lock.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/simclient"
)

type env struct {
	tb testing.TB
	l  *m365sim.Listener
	c  *graph.Client
	r  *repo.Repository
}

// smallTenant is a tenant with a few dozen messages and files per user
// and files of at most 1 MiB, so that a backup takes a second or two.
func smallTenant(seed uint64, users int) tenant.GenOptions {
	return tenant.GenOptions{Seed: seed, Users: users, MessagesPerUser: 30, EventsPerUser: 2, ContactsPerUser: 2,
		FilesPerUser: 20, MaxFileSize: 1 << 20, MaxMessageSize: 1 << 20}
}

// newEnv starts an emulator holding a tenant generated from gen, a Graph
// client for it and an empty repository.
func newEnv(tb testing.TB, gen tenant.GenOptions, opts m365sim.Options, tune ...func(*graph.Options)) *env {
	tb.Helper()
	l := simclient.StartTenant(tb, gen, opts)
	return &env{tb: tb, l: l, c: simclient.TestClient(tb, l, tune...), r: repo.TestRepository(tb)}
}

func (e *env) tenant() *tenant.Tenant { return e.l.Server.Tenant() }

// backup runs Backup. Without Workloads it backs up mail and OneDrive
// only: the tests written for those two count requests, resources and
// downloads of a run; the calendar and contacts tests name their workloads
// (and TestDefaultWorkloads checks Backup's own default, all four).
func (e *env) backup(ctx context.Context, opts BackupOptions) (Summary, error) {
	opts.TenantID = e.l.TenantID
	if len(opts.Workloads) == 0 {
		opts.Workloads = []string{WorkloadMail, WorkloadOneDrive}
	}
	return Backup(ctx, e.c, e.r, opts)
}

// mustBackup runs a backup that must succeed completely.
func (e *env) mustBackup(opts BackupOptions) Summary {
	e.tb.Helper()
	sum, err := e.backup(testCtx(e.tb), opts)
	if err != nil {
		e.tb.Fatalf("backup: %v\n%s", err, dump(sum))
	}
	return sum
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func testCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(tb.Context(), 2*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

// members returns the ids of the users with a mailbox, in creation order.
func (e *env) members() []string {
	var ids []string
	t := e.tenant()
	t.Read(func() error {
		for _, u := range t.Users {
			if !u.Deleted && u.Mailbox != nil {
				ids = append(ids, u.ID)
			}
		}
		return nil
	})
	return ids
}

// mimeRequests and downloadRequests count the emulator's content requests
// since its counters were last reset.
func (e *env) endpointRequests(match func(endpoint string) bool) int64 {
	var n int64
	for _, ep := range e.l.Stats().Endpoints {
		if match(ep.Endpoint) {
			n += ep.Requests
		}
	}
	return n
}

func (e *env) mimeRequests() int64 {
	return e.endpointRequests(func(ep string) bool { return strings.HasSuffix(ep, "/$value") })
}

func (e *env) downloadRequests() int64 {
	return e.endpointRequests(func(ep string) bool { return ep == "download" || strings.HasSuffix(ep, "/content") })
}

func (e *env) resetStats() {
	if err := e.l.Control("POST", "stats/reset", nil, nil); err != nil {
		e.tb.Fatal(err)
	}
}

// expected is what a snapshot must hold: for each path, the SHA-256 of its
// bytes (content files) or a check of its JSON.
type expected struct {
	hash map[string]string
	json map[string]map[string]any // top-level JSON values that must match
}

// truth computes what the latest snapshots of user must hold, from the
// emulator's tenant.
func (e *env) truth(user, workload string) expected {
	e.tb.Helper()
	ex := expected{hash: map[string]string{}, json: map[string]map[string]any{}}
	t := e.tenant()
	err := t.Read(func() error {
		u := t.User(user)
		switch workload {
		case WorkloadMail:
			mb := u.Mailbox
			visible := simclient.VisibleFolders(mb)
			for id := range visible {
				f := mb.Folders[id]
				ex.json[MailFolderMetaPath(id)] = map[string]any{"id": id, "displayName": f.Props["displayName"], "parentFolderId": f.ParentID}
			}
			for key, m := range mb.Messages {
				if key != m.ImmutableID || m.Deleted || !visible[m.FolderID] {
					continue
				}
				var buf bytes.Buffer
				if err := tenant.RenderMIME(&buf, m); err != nil {
					return err
				}
				eml, js := MessagePaths(m.FolderID, m.ImmutableID)
				ex.hash[eml] = sha(buf.Bytes())
				isRead, _ := m.Props["isRead"].(bool)
				ex.json[js] = map[string]any{"id": m.ImmutableID, "changeKey": tenant.ChangeKey(m.ImmutableID, m.Version),
					"isRead": isRead, "parentFolderId": m.FolderID}
			}
		case WorkloadCalendar:
			return pimTruth(u.Mailbox, workload, ex)
		case WorkloadContacts:
			return pimTruth(u.Mailbox, workload, ex)
		case WorkloadOneDrive:
			d := u.Drive
			for _, it := range d.Items {
				if it.Deleted {
					continue
				}
				content, meta := DriveItemPaths(it.ID)
				want := map[string]any{"id": it.ID, "name": it.Name, "eTag": it.ETag()}
				if it.ID == d.RootID {
					want["name"] = "root"
				} else {
					want["parentReference.id"] = it.ParentID
				}
				ex.json[meta] = want
				if len(it.Permissions) > 0 || it.SharingSeq > 0 {
					// Shared items, and items whose sharing was removed
					// (an empty shared facet), have their permissions
					// listed beside them.
					ex.json[DriveItemPermissionsPath(it.ID)] = map[string]any{}
				}
				if !it.Folder {
					h := sha256.New()
					if _, err := io.Copy(h, tenant.Reader(it.Content)); err != nil {
						return err
					}
					ex.hash[content] = hex.EncodeToString(h.Sum(nil))
				}
			}
		}
		return nil
	})
	if err != nil {
		e.tb.Fatal(err)
	}
	return ex
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// latest returns the newest snapshot of user's workload.
func (e *env) latest(user, workload string) repo.SnapshotInfo {
	e.tb.Helper()
	src := repo.Source{Tenant: e.l.TenantID, Workload: sourceMail, Resource: user}
	switch workload {
	case WorkloadOneDrive:
		src.Workload = sourceOneDrive
	case WorkloadCalendar:
		src.Workload = sourceCalendar
	case WorkloadContacts:
		src.Workload = sourceContacts
	}
	info, ok, err := e.r.Latest(testCtx(e.tb), src)
	if err != nil || !ok {
		e.tb.Fatalf("latest snapshot of %s: %v %v", src, ok, err)
	}
	return info
}

// files lists the snapshot's files with their entries, leaving out the
// engine's own bookkeeping (.state.json, .index.json, drive/.drive.json).
func (e *env) files(id repo.SnapshotID) map[string]repo.Entry {
	e.tb.Helper()
	out := map[string]repo.Entry{}
	err := e.r.Walk(testCtx(e.tb), id, func(en repo.Entry) error {
		if en.Type == repo.TypeFile && en.Path != StatePath && en.Name != indexName && en.Path != driveMetaPath {
			out[en.Path] = en
		}
		return nil
	})
	if err != nil {
		e.tb.Fatal(err)
	}
	return out
}

// checkSnapshot compares the latest snapshot of user's workload with the
// tenant, file by file.
func (e *env) checkSnapshot(user, workload string) {
	e.tb.Helper()
	ex := e.truth(user, workload)
	info := e.latest(user, workload)
	got := e.files(info.ID)
	var missing, extra []string
	for p := range ex.hash {
		if _, ok := got[p]; !ok {
			missing = append(missing, p)
		}
	}
	for p := range ex.json {
		if _, ok := got[p]; !ok {
			missing = append(missing, p)
		}
	}
	for p := range got {
		_, h := ex.hash[p]
		_, j := ex.json[p]
		if !h && !j {
			extra = append(extra, p)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		e.tb.Fatalf("%s %s: snapshot %s: %d files missing %v, %d extra %v", workload, user, info.ID,
			len(missing), head(missing), len(extra), head(extra))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	sem := make(chan struct{}, 4)
	for p, want := range ex.hash {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if h := e.fileHash(info.ID, p); h != want {
				mu.Lock()
				bad = append(bad, p)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(bad) > 0 {
		e.tb.Fatalf("%s %s: %d of %d files differ from the tenant, e.g. %v", workload, user, len(bad), len(ex.hash), head(bad))
	}
	for p, want := range ex.json {
		got := e.readJSONFile(info.ID, p)
		for k, v := range want {
			if g := lookup(got, k); !jsonEqual(g, v) {
				e.tb.Fatalf("%s %s: %s: %s = %v, want %v", workload, user, p, k, g, v)
			}
		}
	}
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}

func (e *env) fileHash(id repo.SnapshotID, p string) string {
	f, err := e.r.OpenFile(testCtx(e.tb), id, p)
	if err != nil {
		return "open: " + err.Error()
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "read: " + err.Error()
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (e *env) readJSONFile(id repo.SnapshotID, p string) map[string]any {
	e.tb.Helper()
	f, err := e.r.OpenFile(testCtx(e.tb), id, p)
	if err != nil {
		e.tb.Fatal(err)
	}
	defer f.Close()
	var m map[string]any
	if err := json.NewDecoder(f).Decode(&m); err != nil {
		e.tb.Fatalf("%s: %v", p, err)
	}
	return m
}

// state reads .state.json of a snapshot.
func (e *env) state(id repo.SnapshotID) *state {
	e.tb.Helper()
	st, ok, err := loadState(testCtx(e.tb), e.r, id)
	if err != nil || !ok {
		e.tb.Fatalf("state of %s: %v %v", id, ok, err)
	}
	return st
}

// lookup follows a dotted path ("parentReference.id") into a JSON object.
func lookup(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// checkAll compares every member's snapshots with the tenant.
func (e *env) checkAll() {
	e.tb.Helper()
	for _, u := range e.members() {
		e.checkSnapshot(u, WorkloadMail)
		e.checkSnapshot(u, WorkloadOneDrive)
	}
}

// verify checks the whole repository, reading back every file.
func (e *env) verify() {
	e.tb.Helper()
	rep, err := e.r.Verify(testCtx(e.tb), repo.VerifyOptions{})
	if err != nil {
		e.tb.Fatal(err)
	}
	if !rep.OK() {
		e.tb.Fatalf("verify: %d problems, first: %v", len(rep.Errors), rep.Errors[0])
	}
}

// mutate runs the emulator's activity mutator through its control API.
func (e *env) mutate(opts tenant.MutateOptions) tenant.MutationReport {
	e.tb.Helper()
	return simclient.Mutate(e.tb, e.l, opts)
}

// resource returns the summary of one resource.
func resource(tb testing.TB, sum Summary, user, workload string) ResourceSummary {
	tb.Helper()
	for _, r := range sum.Resources {
		if r.ID == user && r.Workload == workload {
			return r
		}
	}
	tb.Fatalf("no %s resource for %s in the summary", workload, user)
	return ResourceSummary{}
}

// workloadTotals adds up the counts of one workload.
func workloadTotals(sum Summary, workload string) Counts {
	var c Counts
	for _, r := range sum.Resources {
		if r.Workload == workload {
			c.add(r.Counts)
		}
	}
	return c
}

// noFaults is a fault configuration that injects nothing.
var noFaults = limits.FaultConfig{}

// pimTruth adds what a calendar or contacts snapshot of mb must hold to
// ex: every calendar and event (attachments' bytes included), or every
// contact folder and contact. Hold the tenant's read lock.
func pimTruth(mb *tenant.Mailbox, workload string, ex expected) error {
	if workload == WorkloadContacts {
		for _, f := range mb.ContactFolderList {
			ex.json[ContactFolderMetaPath(f.ID)] = map[string]any{"id": f.ID, "displayName": f.Props["displayName"]}
		}
		for _, c := range mb.Contacts {
			if c.Deleted {
				continue
			}
			ex.json[ContactPath(c.FolderID, c.ID)] = map[string]any{"id": c.ID, "changeKey": tenant.ChangeKey(c.ID, c.Version),
				"displayName": c.Props["displayName"], "mobilePhone": c.Props["mobilePhone"], "parentFolderId": c.FolderID}
		}
		return nil
	}
	for _, c := range mb.CalendarList {
		ex.json[CalendarMetaPath(c.ID)] = map[string]any{"id": c.ID, "name": c.Props["name"]}
	}
	for _, ev := range mb.Events {
		if ev.Deleted {
			continue
		}
		js, _ := EventPaths(ev.CalendarID, ev.ID)
		ex.json[js] = map[string]any{"id": ev.ID, "changeKey": tenant.ChangeKey(ev.ID, ev.Version), "type": ev.Props["type"],
			"subject": ev.Props["subject"], "start": ev.Props["start"], "end": ev.Props["end"], "location": ev.Props["location"],
			"recurrence": ev.Props["recurrence"], "attendees": ev.Props["attendees"], "body": ev.Props["body"]}
		if ev.Props["type"] == "seriesMaster" {
			ex.json[EventSeriesPath(ev.CalendarID, ev.ID)] = seriesTruth(ev)
		}
		for _, a := range ev.Attachments {
			content, meta := EventAttachmentPaths(ev.CalendarID, ev.ID, a.ID)
			ex.json[meta] = map[string]any{"id": a.ID, "name": a.Props["name"]}
			if a.Kind != "reference" && a.Content != nil {
				h := sha256.New()
				if _, err := io.Copy(h, tenant.Reader(a.Content)); err != nil {
					return err
				}
				ex.hash[content] = hex.EncodeToString(h.Sum(nil))
			}
		}
	}
	return nil
}

// seriesTruth is what a series' .series file must say: its cancelled
// occurrences' starts, sorted (exceptions are checked by
// TestSeriesExceptionsBackup).
func seriesTruth(ev *tenant.Event) map[string]any {
	var cancelled []string
	for k := range ev.Cancelled {
		t, _ := time.Parse("20060102T150405Z", k)
		cancelled = append(cancelled, t.Format(time.RFC3339))
	}
	sort.Strings(cancelled)
	if len(cancelled) == 0 {
		return map[string]any{"cancelled": nil}
	}
	return map[string]any{"cancelled": cancelled}
}
