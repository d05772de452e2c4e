package dataguard

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// containerSet is where a workload keeps its containers (mail folders,
// calendars, contact folders): their map in a state, and their directory
// in a snapshot.
type containerSet struct {
	states func(s *state) *map[string]*folderState
	dir    func(id string) string
}

var (
	mailFolderSet    = containerSet{func(s *state) *map[string]*folderState { return &s.Folders }, MailFolderDir}
	calendarSet      = containerSet{func(s *state) *map[string]*folderState { return &s.Calendars }, CalendarDir}
	contactFolderSet = containerSet{func(s *state) *map[string]*folderState { return &s.ContactFolders }, ContactFolderDir}
)

// backupContainers backs up the containers cs a workload listed,
// FolderWorkers at a time, calling backup with each one's previous state
// (nil when the previous snapshot does not have it). First it removes
// from the snapshot the containers of the set the previous snapshot has
// and the listing does not, with their items. It returns the first error
// backup returns, or ctx's.
func backupContainers[C any](ctx context.Context, rr *resourceRun, set containerSet, cs []C, id func(c C) string,
	backup func(ctx context.Context, c C, prev *folderState) error) error {
	*set.states(rr.next) = make(map[string]*folderState, len(cs))
	rr.containers = len(cs)

	// Containers that are gone take their items with them.
	live := make(map[string]bool, len(cs))
	for _, c := range cs {
		live[id(c)] = true
	}
	var prev map[string]*folderState
	if rr.prev != nil {
		prev = *set.states(rr.prev)
	}
	for cid, fs := range prev {
		if live[cid] {
			continue
		}
		if _, err := rr.w.Remove(ctx, set.dir(cid)); err != nil {
			return err
		}
		rr.dropFailures(cid)
		rr.addCounts(Counts{Deleted: int64(fs.Items)})
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(rr.opts.FolderWorkers)
	for _, c := range cs {
		if gctx.Err() != nil {
			break
		}
		p := prev[id(c)]
		g.Go(func() error { return backup(gctx, c, p) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// closeContainer ends the backup of a container: its directory is written
// now, freeing its memory, and fs goes into the next state.
func (rr *resourceRun) closeContainer(ctx context.Context, set containerSet, id string, fs *folderState) error {
	if err := rr.w.CloseDir(ctx, set.dir(id)); err != nil {
		return err
	}
	rr.maybeFlush(ctx)
	rr.mu.Lock()
	(*set.states(rr.next))[id] = fs
	rr.mu.Unlock()
	return nil
}

// syncDelta runs a container's delta round from link, or a full round
// ("") instead when the link expired or the previous index is missing,
// and records the outcome with containerResult (what names the container).
// round returns the new delta link. syncDelta returns the link to keep (the
// new one after a complete round, otherwise start) and start, the link
// the last round started from.
func (rr *resourceRun) syncDelta(ctx context.Context, id, what, link string,
	round func(ctx context.Context, link string) (string, error)) (keep, start string, err error) {
	keep, err = round(ctx, link)
	if (graph.IsResyncRequired(err) || errors.Is(err, errIndexMissing)) && link != "" {
		// The token expired: enumerate the container again and reconcile.
		rr.mu.Lock()
		rr.resyncs++
		rr.mu.Unlock()
		link = ""
		keep, err = round(ctx, "")
	}
	if err != nil {
		// Keep what the previous snapshot has and try again next run.
		keep = link
	}
	return keep, link, rr.containerResult(ctx, id, what, err)
}

// containerResult records how listing a container ended: success clears
// its failure from earlier runs, and any other failure than the
// repository's is recorded as what: err. Repository failures and
// cancellation are returned.
func (rr *resourceRun) containerResult(ctx context.Context, id, what string, err error) error {
	switch {
	case err == nil:
		rr.itemOK(id, "")
		return nil
	case errors.As(err, new(repoError)) || ctx.Err() != nil:
		return err
	}
	return rr.itemFailed(ctx, id, "", fmt.Errorf("%s: %w", what, err))
}

// itemResult records how storing an item ended: success clears its
// failure from earlier runs, a repository failure is returned, and any
// other is recorded (itemFailed returns only cancellation).
func (rr *resourceRun) itemResult(ctx context.Context, container, id string, err error) error {
	if err == nil {
		rr.itemOK(container, id)
		return nil
	}
	if errors.As(err, new(repoError)) {
		return err
	}
	return rr.itemFailed(ctx, container, id, err)
}

// removeItem removes a stored item's files and reports it deleted.
func (rr *resourceRun) removeItem(ctx context.Context, container, id string, paths ...string) error {
	for _, p := range paths {
		if _, err := rr.w.Remove(ctx, p); err != nil {
			return repoError{err}
		}
	}
	rr.itemDone(container, id, ChangeDeleted, 0)
	return nil
}

// itemIndex is a container's index of marks M as a run changes it: the
// previous snapshot's (old, read-only once loaded) and the one this
// snapshot gets (cur), with the ids rewritten this run. Its methods are
// safe for concurrent use; the job that owns it loads it.
type itemIndex[M any] struct {
	mu      sync.Mutex
	loaded  bool
	old     map[string]M
	cur     map[string]M
	written map[string]bool
	dirty   bool // cur differs from old
}

// set loads the previous snapshot's index old.
func (ix *itemIndex[M]) set(old map[string]M) {
	ix.old, ix.cur, ix.written, ix.loaded = old, maps.Clone(old), map[string]bool{}, true
}

// get returns an item's current mark.
func (ix *itemIndex[M]) get(id string) (M, bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	m, ok := ix.cur[id]
	return m, ok
}

// put records a rewritten item's mark.
func (ix *itemIndex[M]) put(id string, m M) {
	ix.mu.Lock()
	ix.cur[id] = m
	ix.written[id] = true
	ix.dirty = true
	ix.mu.Unlock()
}

// drop forgets an item and reports whether the index had it.
func (ix *itemIndex[M]) drop(id string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	_, had := ix.cur[id]
	delete(ix.cur, id)
	if had {
		ix.dirty = true
	}
	return had
}

// endRound ends a delta round that read all its changes: a full round
// then removes the stored items it did not report (seen has those it
// did), after load has read the index.
func (ix *itemIndex[M]) endRound(ctx context.Context, full bool, seen map[string]bool,
	load func(ctx context.Context, full bool) error, remove func(ctx context.Context, id string) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !full {
		return nil
	}
	if err := load(ctx, true); err != nil {
		return err
	}
	for id := range ix.cur {
		if !seen[id] {
			if err := remove(ctx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// finish writes the index at p when it changed, and counts the container's
// items into fs and rr. An index that was never loaded (nothing was
// reported) counts the previous snapshot's items as unchanged.
func (ix *itemIndex[M]) finish(ctx context.Context, rr *resourceRun, p string, fs *folderState) error {
	if !ix.loaded {
		rr.addCounts(Counts{Unchanged: int64(fs.Items)})
		return nil
	}
	if ix.dirty {
		if err := writeIndex(ctx, rr.w, p, ix.cur, rr.opts.Now()); err != nil {
			return err
		}
	}
	fs.Items = len(ix.cur)
	rr.addCounts(setCounts(ix.old, ix.cur, ix.written))
	return nil
}
