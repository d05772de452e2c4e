package dataguardtest

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

// Env is an emulator, a Graph client for it and a repository, all closed
// when the test ends. Its methods fail the test TB on error.
type Env struct {
	TB testing.TB
	L  *m365sim.Listener
	C  *graph.Client
	R  *repo.Repository
}

// New returns an Env for the running emulator l with a client made by
// simclient.TestClient (tune adjusts its options) and an empty repository.
func New(tb testing.TB, l *m365sim.Listener, tune ...func(*graph.Options)) *Env {
	tb.Helper()
	return &Env{TB: tb, L: l, C: simclient.TestClient(tb, l, tune...), R: repo.TestRepository(tb)}
}

// Start starts an emulator with opts (see m365sim.Start) and returns an
// Env for it.
func Start(tb testing.TB, opts m365sim.Options) *Env {
	tb.Helper()
	return New(tb, m365sim.Start(tb, opts))
}

// Context returns a context that ends with the test or after three
// minutes, whichever is first.
func Context(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(tb.Context(), 3*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

// Backup backs up the emulator's tenant into the repository with opts,
// whose TenantID it sets, and returns the summary.
func (e *Env) Backup(opts dataguard.BackupOptions) dataguard.Summary {
	e.TB.Helper()
	opts.TenantID = e.L.TenantID
	sum, err := dataguard.Backup(Context(e.TB), e.C, e.R, opts)
	if err != nil {
		e.TB.Fatalf("backup: %v", err)
	}
	return sum
}

// BackupAll backs up every workload of every user with two workers.
func (e *Env) BackupAll() dataguard.Summary {
	e.TB.Helper()
	return e.Backup(dataguard.BackupOptions{Workers: 2})
}

// Mutate runs the emulator's activity mutator; see simclient.Mutate.
func (e *Env) Mutate(opts tenant.MutateOptions) tenant.MutationReport {
	e.TB.Helper()
	return simclient.Mutate(e.TB, e.L, opts)
}
