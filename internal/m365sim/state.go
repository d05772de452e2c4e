package m365sim

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// ErrNoSnapshot is returned by RestoreSnapshot before any Snapshot.
var ErrNoSnapshot = errors.New("no snapshot has been taken")

// stateKeeper holds what snapshots, resets and saves need.
type stateKeeper struct {
	mu     sync.Mutex        // serialises Snapshot, RestoreSnapshot, Reset and SaveState
	gen    tenant.GenOptions // what Reset generates
	app    savedApp          // credentials, saved with the tenant
	snap   *tenant.Tenant    // the latest snapshot; nil before the first
	loaded bool              // the tenant came from Options.StateDir
}

// genOptions returns the generator options New uses for opts.
func genOptions(opts Options) tenant.GenOptions {
	return tenant.GenOptions{Seed: opts.Seed, Users: opts.Users,
		MessagesPerUser: opts.MessagesPerUser, FilesPerUser: opts.FilesPerUser}
}

// StateLoaded reports whether New loaded the tenant from Options.StateDir
// rather than generating it.
func (s *Server) StateLoaded() bool { return s.state.loaded }

// Snapshot keeps an in-memory copy of the tenant, replacing the previous
// snapshot, and returns the tenant's sequence number at that moment. The
// copy shares file content with the tenant (content never changes in
// place), so it costs memory for properties and change logs only.
func (s *Server) Snapshot() (int64, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	c, err := s.cur.Load().Clone()
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	s.state.snap = c
	return seqOf(c), nil
}

// RestoreSnapshot replaces the tenant with a copy of the latest snapshot
// (which stays available) and returns the snapshot's sequence number.
// Delta links issued up to that number keep working; later ones get 410
// Gone. Ids and sequence numbers continue after the replaced tenant's, so
// nothing issued before is issued again. It returns ErrNoSnapshot before
// the first Snapshot.
func (s *Server) RestoreSnapshot() (int64, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if s.state.snap == nil {
		return 0, ErrNoSnapshot
	}
	next, err := s.state.snap.Clone()
	if err != nil {
		return 0, fmt.Errorf("restore snapshot: %w", err)
	}
	keep := seqOf(next)
	s.replaceTenant(next, keep)
	return keep, nil
}

// Reset replaces the tenant with one generated afresh from the seed and
// generator options (for a loaded state, those it was generated with).
// Every delta link issued before gets 410 Gone. The app registration and
// the latest snapshot are kept.
func (s *Server) Reset() error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	next, err := tenant.Generate(s.state.gen)
	if err != nil {
		return fmt.Errorf("reset: generate tenant: %w", err)
	}
	s.replaceTenant(next, -1)
	return nil
}

// replaceTenant makes next, which nobody uses yet, the current tenant.
// The old tenant retires under its write lock, and next is published
// before the lock is released: a request that already holds the old
// tenant finishes on it, and whatever it records lands in the retired
// range that next treats as expired. Hold s.state.mu.
func (s *Server) replaceTenant(next *tenant.Tenant, keep int64) {
	s.cur.Load().Retire(func(seq int64, ids uint64) {
		next.Succeed(keep, seq, ids)
		s.cur.Store(next)
	})
}

func seqOf(t *tenant.Tenant) int64 {
	var n int64
	t.Read(func() error { n = t.Seq(); return nil })
	return n
}

// spoolState puts uploaded content from a state file in a temporary file,
// as an upload would have, so that loading a tenant with large uploads does
// not hold them in memory.
func (s *Server) spoolState(r io.Reader, size int64) (tenant.Blob, error) {
	f, err := s.tempFile()
	if err != nil {
		return nil, err
	}
	n, err := io.Copy(f, io.LimitReader(r, size))
	if err != nil {
		return nil, err
	}
	return fileBlob{f: f, n: n}, nil
}
