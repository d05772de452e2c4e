package dataguard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/safeguard365/safeguard365/internal/repo"
)

// errSkipped is returned by a workload when the user has nothing of that
// kind (no mailbox, no OneDrive).
var errSkipped = errors.New("nothing to back up")

// workload backs up one kind of resource into a snapshot writer. run
// returns errSkipped when there is nothing to back up, a context error when
// cancelled, and any other error when the resource as a whole failed; item
// and container failures are recorded in rr and do not make it fail.
type workload interface {
	run(ctx context.Context, rr *resourceRun) error
}

// failKey names a failed item, or a failed container when id is "".
type failKey struct{ container, id string }

// resourceRun is the backup of one resource: its writer, the previous
// snapshot's state, the next state and the counters. Workloads call its
// methods from many goroutines.
type resourceRun struct {
	*run
	res    Resource
	w      *repo.SnapshotWriter
	prevID repo.SnapshotID
	prev   *state // nil: no usable previous snapshot, a full backup
	next   *state

	mu         sync.Mutex
	failures   map[failKey]*ItemFailure // from earlier runs, updated by this one
	failedNow  map[failKey]bool
	counts     Counts
	containers int
	resyncs    int

	flushMu      sync.Mutex
	lastFlush    time.Time
	flushedBytes int64
}

// Flush thresholds: make uploaded data durable every so often, so that a
// run that is killed does not upload it again (see repo.SnapshotWriter.Flush).
const (
	flushEvery = 2 * time.Minute
	flushBytes = 256 << 20
)

// backupResource backs up one resource and commits its snapshot. Only a
// cancelled context is returned as an error; everything else ends up in
// the summary.
func (b *run) backupResource(ctx context.Context, res Resource) (sum ResourceSummary, err error) {
	start := b.opts.Now()
	sum = ResourceSummary{Resource: res, Start: start}
	b.opts.Reporter.ResourceStarted(res)
	defer func() {
		sum.Seconds = b.opts.Now().Sub(start).Seconds()
		b.opts.Reporter.ResourceDone(sum)
	}()
	fail := func(err error) (ResourceSummary, error) {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		sum.Status, sum.Error = StatusFailed, err.Error()
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			sum.Status = StatusCancelled
			return sum, err
		}
		return sum, nil
	}

	wl, src := b.workloadOf(res)
	rr := &resourceRun{run: b, res: res, failures: map[failKey]*ItemFailure{}, failedNow: map[failKey]bool{},
		lastFlush: start}
	prevInfo, ok, err := b.r.Latest(ctx, src)
	if err != nil {
		return fail(fmt.Errorf("find previous snapshot: %w", err))
	}
	if ok {
		sum.Previous = string(prevInfo.ID)
		st, usable, err := loadState(ctx, b.r, prevInfo.ID)
		if err != nil {
			return fail(fmt.Errorf("read state of snapshot %s: %w", prevInfo.ID, err))
		}
		if usable {
			rr.prev, rr.prevID = st, prevInfo.ID
			for i := range st.Failures {
				f := st.Failures[i]
				rr.failures[failKey{f.Container, f.ID}] = &f
			}
		}
	}
	sum.Full = rr.prev == nil
	rr.next = &state{Version: stateVersion, RunID: b.opts.RunID, Workload: src.Workload, Resource: res.ID, Name: res.Name}

	opts := repo.SnapshotOptions{
		Tags: map[string]string{
			repo.TagTenant: b.opts.TenantID, repo.TagWorkload: src.Workload, repo.TagResource: res.ID,
			repo.TagResourceName: res.Name, repo.TagRunID: b.opts.RunID,
		},
		Description: "sg365 backup of " + res.Workload + " of " + res.Name,
	}
	if rr.prev != nil {
		opts.Previous = &rr.prevID
	}
	w, err := b.r.NewSnapshot(ctx, src, opts)
	if err != nil {
		return fail(err)
	}
	defer w.Abort()
	rr.w = w
	if rr.prev != nil {
		// Everything starts as carried over; the workload rewrites what
		// changed and removes what is gone.
		if _, err := w.CarryOverTree(ctx, ""); err != nil {
			return fail(fmt.Errorf("carry over snapshot %s: %w", rr.prevID, err))
		}
	}

	err = wl.run(ctx, rr)
	switch {
	case errors.Is(err, errSkipped):
		sum.Status, sum.Error = StatusSkipped, err.Error()
		return sum, nil
	case err != nil:
		return fail(err)
	}

	rr.finishState()
	if err := writeJSON(ctx, w, StatePath, rr.next, b.opts.Now()); err != nil {
		return fail(fmt.Errorf("write state: %w", err))
	}
	info, err := w.Commit(ctx)
	if err != nil {
		return fail(fmt.Errorf("commit: %w", err))
	}
	sum.Snapshot = string(info.ID)
	rr.fillSummary(&sum)
	return sum, nil
}

// workloadOf returns the workload that backs up res and its snapshot source.
func (b *run) workloadOf(res Resource) (workload, repo.Source) {
	src := repo.Source{Tenant: b.opts.TenantID, Resource: res.ID}
	switch res.Workload {
	case WorkloadOneDrive:
		src.Workload = sourceOneDrive
		return driveWorkload{}, src
	case WorkloadCalendar:
		src.Workload = sourceCalendar
		return calendarWorkload{}, src
	case WorkloadContacts:
		src.Workload = sourceContacts
		return contactsWorkload{}, src
	default:
		src.Workload = sourceMail
		return mailWorkload{}, src
	}
}

// finishState moves the failures into the next state.
func (rr *resourceRun) finishState() {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	rr.next.Time = rr.opts.Now().UTC()
	rr.next.Failures = rr.next.Failures[:0]
	for _, f := range rr.failures {
		rr.next.Failures = append(rr.next.Failures, *f)
	}
	sortFailures(rr.next.Failures)
}

// fillSummary copies the counters into sum.
func (rr *resourceRun) fillSummary(sum *ResourceSummary) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	ws := rr.w.Stats()
	sum.Counts = rr.counts
	sum.BytesWritten, sum.BytesStored = ws.WrittenBytes, ws.UploadedBytes
	sum.Containers, sum.Resyncs = rr.containers, rr.resyncs
	for _, f := range rr.next.Failures {
		if rr.failedNow[failKey{f.Container, f.ID}] && len(sum.Failures) < maxSummaryFailures {
			sum.Failures = append(sum.Failures, f)
		}
	}
	sum.Status = StatusOK
	if len(rr.failedNow) > 0 {
		sum.Status = StatusPartial
	}
}

// addCounts adds a container's item counts.
func (rr *resourceRun) addCounts(c Counts) {
	rr.mu.Lock()
	rr.counts.add(c)
	rr.mu.Unlock()
}

// downloaded counts one item whose content was read from Graph.
func (rr *resourceRun) downloaded(n int64) {
	rr.mu.Lock()
	rr.counts.Downloaded++
	rr.counts.BytesRead += n
	rr.mu.Unlock()
}

// source wraps an item's content stream for WriteFile.
func (rr *resourceRun) source(r io.Reader) *sourceReader {
	return &sourceReader{r: r, report: func(n int64) { rr.opts.Reporter.BytesRead(rr.res, n) }}
}

// itemOK clears an item's failure from earlier runs.
func (rr *resourceRun) itemOK(container, id string) {
	rr.mu.Lock()
	delete(rr.failures, failKey{container, id})
	rr.mu.Unlock()
}

// itemFailed records an item (or, with id "", a container) that could not
// be backed up this run and reports it. It returns err itself when err is
// a cancellation, which is not an item failure, and nil otherwise.
func (rr *resourceRun) itemFailed(ctx context.Context, container, id string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	now := rr.opts.Now().UTC()
	k := failKey{container, id}
	rr.mu.Lock()
	f := rr.failures[k]
	if f == nil {
		f = &ItemFailure{Container: container, ID: id, First: now}
		rr.failures[k] = f
	}
	if !rr.failedNow[k] {
		f.Attempts++
		rr.failedNow[k] = true
		if id != "" {
			rr.counts.Failed++
		}
	}
	f.Error, f.Last = err.Error(), now
	rr.mu.Unlock()
	rr.opts.Reporter.ItemFailed(ItemRef{Resource: rr.res, Container: container, ID: id}, err)
	return nil
}

// hasFailures reports whether container has failed items (from this run or
// earlier ones not retried yet). Such a container keeps its old delta link,
// so that the next round reports those items again.
func (rr *resourceRun) hasFailures(container string) bool {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	for k := range rr.failures {
		if k.container == container {
			return true
		}
	}
	return false
}

// dropFailures forgets the failures of a container that no longer exists.
func (rr *resourceRun) dropFailures(container string) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	for k := range rr.failures {
		if k.container == container {
			delete(rr.failures, k)
		}
	}
}

// itemDone reports a stored or removed item.
func (rr *resourceRun) itemDone(container, id string, c Change, n int64) {
	rr.opts.Reporter.ItemDone(ItemRef{Resource: rr.res, Container: container, ID: id}, c, n)
}

// writeContent streams an item's content from Graph into the snapshot at p.
// A broken Graph stream is an item failure (handled by the caller, like
// errors opening the stream); a repository failure is returned wrapped in
// repoError, which fails the resource.
func (rr *resourceRun) writeContent(ctx context.Context, p string, body io.ReadCloser, mtime time.Time) (int64, error) {
	defer body.Close()
	src := rr.source(body)
	err := rr.w.WriteFile(ctx, p, src, mtime)
	if err == nil {
		rr.downloaded(src.n)
		rr.maybeFlush(ctx)
		return src.n, nil
	}
	if src.err != nil || ctx.Err() != nil {
		return 0, err
	}
	return 0, repoError{err}
}

// repoError marks a failure of the repository rather than of Graph.
type repoError struct{ err error }

func (e repoError) Error() string { return e.err.Error() }
func (e repoError) Unwrap() error { return e.err }

// maybeFlush makes uploaded data durable when enough has accumulated. One
// flush runs at a time; callers that find one running go on.
func (rr *resourceRun) maybeFlush(ctx context.Context) {
	if !rr.flushMu.TryLock() {
		return
	}
	defer rr.flushMu.Unlock()
	written := rr.w.Stats().WrittenBytes
	if written-rr.flushedBytes < flushBytes && rr.opts.Now().Sub(rr.lastFlush) < flushEvery {
		return
	}
	// A failed flush is retried at the next threshold and by Commit,
	// which fails the resource if the repository is really broken.
	if rr.w.Flush(ctx) == nil {
		rr.flushedBytes, rr.lastFlush = written, rr.opts.Now()
	}
}
