package simclient

import (
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// StartTenant starts an emulator over HTTPS holding a tenant generated from
// gen, and stops it when the test ends. It is m365sim.Start for tests that
// choose the generator's options themselves.
func StartTenant(tb testing.TB, gen tenant.GenOptions, opts m365sim.Options) *m365sim.Listener {
	tb.Helper()
	t, err := tenant.Generate(gen)
	if err != nil {
		tb.Fatalf("generate: %v", err)
	}
	s, err := m365sim.NewWithTenant(t, opts)
	if err != nil {
		tb.Fatalf("m365sim: %v", err)
	}
	l, err := m365sim.Listen(s, m365sim.ListenOptions{TLS: true})
	if err != nil {
		tb.Fatalf("m365sim listen: %v", err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// StartDirectory starts an emulator with the generator's smallest volume
// of mail and files (MessagesPerUser and FilesPerUser -1), for tests of
// directory, security and device calls, and returns it with a client that gives up after two attempts one millisecond apart,
// so that tests of failures stay fast. opts.Users is passed as given.
func StartDirectory(tb testing.TB, opts m365sim.Options) (*m365sim.Listener, *graph.Client) {
	tb.Helper()
	opts.MessagesPerUser, opts.FilesPerUser = -1, -1
	l := m365sim.Start(tb, opts)
	return l, TestClient(tb, l, func(o *graph.Options) { o.MaxAttempts, o.RetryBaseDelay = 2, time.Millisecond })
}

// Mutate runs the emulator's activity mutator through its control API and
// returns its report; an error fails the test.
func Mutate(tb testing.TB, l *m365sim.Listener, opts tenant.MutateOptions) tenant.MutationReport {
	tb.Helper()
	var rep tenant.MutationReport
	if err := l.Control("POST", "mutate", opts, &rep); err != nil {
		tb.Fatal(err)
	}
	return rep
}

// VisibleFolders are the ids of the mail folders a backup sees: below the
// root of the mailbox's folder tree, neither deleted nor hidden, nor below
// a hidden folder. The caller holds the tenant's read lock.
func VisibleFolders(mb *tenant.Mailbox) map[string]bool {
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
