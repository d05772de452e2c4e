package catalog

// Test wiring: an emulated tenant over HTTPS with real OAuth, the real
// Graph client, a real repository, and DataGuard backing up into it.

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/dataguard/dataguardtest"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/simclient"
)

// env is a backup environment; its fields and methods are dataguardtest's.
type env struct{ *dataguardtest.Env }

func newEnv(tb testing.TB, opts m365sim.Options) *env {
	tb.Helper()
	return &env{dataguardtest.Start(tb, opts)}
}

var testCtx = dataguardtest.Context

// openCatalog opens a catalog in a temporary directory.
func openCatalog(tb testing.TB, path string) *Catalog {
	tb.Helper()
	if path == "" {
		path = filepath.Join(tb.TempDir(), "catalog.db")
	}
	c, err := Open(testCtx(tb), path, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// truthItem is an item as the emulator holds it.
type truthItem struct {
	user, kind, name, from, folderID string
}

// truth lists the items a backup of the tenant must hold now, by Graph id:
// messages of visible folders and drive items except the root.
func (e *env) truth() map[string]truthItem {
	e.TB.Helper()
	out := map[string]truthItem{}
	t := e.L.Server.Tenant()
	err := t.Read(func() error {
		for _, u := range t.Users {
			if u.Deleted {
				continue
			}
			if mb := u.Mailbox; mb != nil {
				visible := simclient.VisibleFolders(mb)
				for key, m := range mb.Messages {
					if key != m.ImmutableID || m.Deleted || !visible[m.FolderID] {
						continue
					}
					subject, _ := m.Props["subject"].(string)
					out[m.ImmutableID] = truthItem{user: u.UPN, kind: "message", name: subject,
						from: addressOf(m.Props["from"]), folderID: m.FolderID}
				}
				for id, ev := range mb.Events {
					if !ev.Deleted {
						subject, _ := ev.Props["subject"].(string)
						out[id] = truthItem{user: u.UPN, kind: "event", name: subject, from: addressOf(ev.Props["organizer"])}
					}
				}
				for id, ct := range mb.Contacts {
					if !ct.Deleted {
						name, _ := ct.Props["displayName"].(string)
						out[id] = truthItem{user: u.UPN, kind: "contact", name: name}
					}
				}
			}
			if d := u.Drive; d != nil {
				for id, it := range d.Items {
					if it.Deleted || id == d.RootID {
						continue
					}
					kind := "file"
					if it.Folder {
						kind = "folder"
					}
					out[id] = truthItem{user: u.UPN, kind: kind, name: it.Name}
				}
			}
		}
		return nil
	})
	if err != nil {
		e.TB.Fatal(err)
	}
	return out
}

func addressOf(v any) string {
	p, _ := v.(tenant.Props)
	if p == nil {
		m, _ := v.(map[string]any)
		p = m
	}
	ea, _ := p["emailAddress"].(tenant.Props)
	if ea == nil {
		m, _ := p["emailAddress"].(map[string]any)
		ea = m
	}
	a, _ := ea["address"].(string)
	return a
}

// find runs a query that must succeed.
func find(tb testing.TB, c *Catalog, q Query) []Result {
	tb.Helper()
	res, err := c.Find(testCtx(tb), q)
	if err != nil {
		tb.Fatalf("find %+v: %v", q, err)
	}
	return res
}

// byID indexes results by item id; an id found twice fails the test.
func byID(tb testing.TB, res []Result) map[string]Result {
	tb.Helper()
	out := map[string]Result{}
	for _, r := range res {
		if _, dup := out[r.ID]; dup {
			tb.Fatalf("item %s found twice", r.ID)
		}
		out[r.ID] = r
	}
	return out
}

func mustIndex(tb testing.TB, c *Catalog, r *repo.Repository, ids ...repo.SnapshotID) IndexResult {
	tb.Helper()
	res, err := c.Index(testCtx(tb), r, ids...)
	if err != nil {
		tb.Fatalf("index: %v", err)
	}
	for _, s := range res.Snapshot {
		if s.ItemErrors > 0 {
			tb.Fatalf("index %s: %d item errors, first: %s", s.ID, s.ItemErrors, s.FirstError)
		}
	}
	return res
}

func firstWord(s string) string {
	for _, w := range words(s) {
		if len(w) >= 4 {
			return w
		}
	}
	return strings.Join(words(s), " ")
}
