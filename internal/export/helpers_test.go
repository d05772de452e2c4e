package export

// Test wiring: an emulated tenant over HTTPS with real OAuth, the real
// Graph client, a real repository, and DataGuard backing up into it.

import (
	"context"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
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

func newEnv(tb testing.TB, opts m365sim.Options) *env {
	tb.Helper()
	l := m365sim.Start(tb, opts)
	c := simclient.TestClient(tb, l)
	return &env{tb: tb, l: l, c: c, r: repo.TestRepository(tb)}
}

func testCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(tb.Context(), 3*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

func (e *env) backup() dataguard.Summary {
	e.tb.Helper()
	sum, err := dataguard.Backup(testCtx(e.tb), e.c, e.r, dataguard.BackupOptions{TenantID: e.l.TenantID, Workers: 2})
	if err != nil {
		e.tb.Fatalf("backup: %v", err)
	}
	return sum
}

func (e *env) mutate(opts tenant.MutateOptions) {
	e.tb.Helper()
	var rep tenant.MutationReport
	if err := e.l.Control("POST", "mutate", opts, &rep); err != nil {
		e.tb.Fatal(err)
	}
}

// visibleFolders are the mail folders a backup sees: below the root of the
// folder tree, neither hidden nor below a hidden folder.
func visibleFolders(mb *tenant.Mailbox) map[string]bool {
	root := mb.WellKnown["msgfolderroot"]
	out := map[string]bool{}
	for _, f := range mb.FolderList {
		ok := !f.Deleted && f.ID != root
		for p := f; ok && p.ID != root; p = mb.Folders[p.ParentID] {
			if p.Hidden || p.Deleted || p.ParentID == "" {
				ok = false
			}
		}
		if ok {
			out[f.ID] = true
		}
	}
	return out
}
