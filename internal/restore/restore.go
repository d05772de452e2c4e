package restore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// workload restores one snapshot of a kind. Adding a workload is one file
// defining its restorer and its paths, registered here.
type workload struct {
	// paths lists the snapshot's restorable paths, for checking and
	// suggesting Request.Paths.
	paths func(ctx context.Context, v *dataguard.View) ([]string, error)
	// ids lists the snapshot's item and folder ids, for checking
	// Request.Items.
	ids func(ctx context.Context, v *dataguard.View) (map[string]bool, error)
	// dest, when set, is the destination folder path of a request (see
	// Request.Folder) instead of destination's.
	dest func(req Request, v *dataguard.View) []string
	// restore restores (or, in a dry run, plans) the job's selection. It
	// records item outcomes in the job and returns only errors that stop
	// the whole resource.
	restore func(ctx context.Context, j *job) error
}

var workloads = map[string]workload{
	dataguard.WorkloadMail:     {paths: mailFolders.paths, ids: mailFolders.ids, restore: restoreMail},
	dataguard.WorkloadOneDrive: {paths: drivePaths, ids: driveIDs, restore: restoreDrive},
	dataguard.WorkloadCalendar: {paths: calendars.paths, ids: calendars.ids, dest: calendarDest, restore: restoreCalendar},
	dataguard.WorkloadContacts: {paths: contactFolders.paths, ids: contactFolders.ids, dest: contactsDest, restore: restoreContacts},
}

// Plan reports what Run would do with req without writing anything: the
// target's folders and items are read to find what exists. It is Run with
// req.DryRun set.
func Plan(ctx context.Context, c *graph.Client, r *repo.Repository, req Request) (Summary, error) {
	req.DryRun = true
	return Run(ctx, c, r, req)
}

// Run restores the request's snapshots, Workers resources at once, and
// returns a summary of what it did. Item failures do not stop the run:
// they are retried a few times, recorded in the summary, and make Run
// return an error wrapping ErrPartial. Errors in the request itself (an
// unknown snapshot or target user, a path that no snapshot holds) are
// returned before anything is written.
//
// Restores are idempotent: running the same request again creates no
// duplicates (see the package documentation).
func Run(ctx context.Context, c *graph.Client, r *repo.Repository, req Request) (Summary, error) {
	req = req.withDefaults()
	sum := Summary{RunID: req.RunID, DryRun: req.DryRun, Target: req.Target.String(), Collision: req.Collision,
		Permissions: req.Permissions, Folder: req.Folder,
		Paths: req.Paths, Items: req.Items, Start: req.Now().UTC()}
	if err := req.validate(); err != nil {
		return sum, err
	}
	before := c.Stats()
	jobs, err := prepare(ctx, c, r, req)
	if err != nil {
		return sum, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(req.Workers)
	for _, j := range jobs {
		g.Go(func() error {
			j.run(gctx)
			return nil
		})
	}
	g.Wait()
	after := c.Stats()
	sum.Graph = GraphCounts{Requests: after.Requests - before.Requests, Retries: after.Retries - before.Retries,
		Throttled: after.Throttled - before.Throttled, BytesUp: after.BytesUp - before.BytesUp}
	partial := false
	for _, j := range jobs {
		sum.Resources = append(sum.Resources, j.sum)
		sum.Total.add(j.sum.Counts)
		partial = partial || j.sum.Status == StatusPartial || j.sum.Status == StatusFailed
	}
	sum.End = req.Now().UTC()
	sum.Seconds = sum.End.Sub(sum.Start).Seconds()
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	if partial {
		return sum, fmt.Errorf("%d items and %d resources failed: %w", sum.Total.Failed, countFailed(sum), ErrPartial)
	}
	return sum, nil
}

func countFailed(s Summary) int {
	n := 0
	for _, r := range s.Resources {
		if r.Status == StatusFailed {
			n++
		}
	}
	return n
}

// prepare opens the snapshots, checks the request against them and
// resolves the target user.
func prepare(ctx context.Context, c *graph.Client, r *repo.Repository, req Request) ([]*job, error) {
	var jobs []*job
	var allPaths []string
	seen := map[string]bool{}
	for _, id := range req.Snapshots {
		v, err := dataguard.OpenView(ctx, r, id)
		if err != nil {
			return nil, err
		}
		w, ok := workloads[v.Workload()]
		if !ok {
			return nil, fmt.Errorf("snapshot %s: restoring %s is not supported yet", id, v.Workload())
		}
		key := v.Workload() + "/" + v.ResourceID()
		if seen[key] {
			return nil, fmt.Errorf("snapshot %s: another snapshot of %s %s is in the request; restore one at a time", id, v.Workload(), v.ResourceName())
		}
		seen[key] = true
		paths, err := w.paths(ctx, v)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", id, err)
		}
		allPaths = append(allPaths, paths...)
		info := v.Info()
		j := &job{c: c, v: v, w: w, req: req, paths: paths}
		j.sum = ResourceSummary{
			Resource:     Resource{Workload: v.Workload(), Snapshot: string(info.ID), UserID: v.ResourceID(), UserName: v.ResourceName()},
			SnapshotTime: info.StartTime.UTC(),
		}
		for _, f := range v.Failures() {
			if f.ID != "" {
				j.sum.NotInSnapshot++
			}
		}
		jobs = append(jobs, j)
	}
	for _, p := range req.Paths {
		if !slices.ContainsFunc(allPaths, func(q string) bool { return pathHasPrefix(q, p) }) {
			return nil, pathNotFound(p, allPaths)
		}
	}
	if len(req.Items) > 0 {
		known := map[string]bool{}
		for _, j := range jobs {
			ids, err := j.w.ids(ctx, j.v)
			if err != nil {
				return nil, fmt.Errorf("snapshot %s: %w", j.v.Info().ID, err)
			}
			maps.Copy(known, ids)
		}
		for _, id := range req.Items {
			if !known[id] {
				return nil, fmt.Errorf("item %q is not in the snapshot (give a message, file or folder id as 'sg365 ls' shows it)", id)
			}
		}
	}
	target := struct{ id, name string }{}
	if !req.Target.Original() {
		u, err := c.User(ctx, req.Target.User, &graph.GetOptions{Select: []string{"id", "userPrincipalName"}})
		if graph.IsNotFound(err) {
			return nil, fmt.Errorf("unknown target user %q: no such user in the tenant", req.Target.User)
		}
		if err != nil {
			return nil, fmt.Errorf("look up target user %q: %w", req.Target.User, err)
		}
		target.id, target.name = u.ID, u.UserPrincipalName
	}
	for _, j := range jobs {
		j.sum.TargetID, j.sum.TargetName = j.v.ResourceID(), j.v.ResourceName()
		if !req.Target.Original() {
			j.sum.TargetID, j.sum.TargetName = target.id, target.name
		}
		j.dest = destination(req, j.v)
		if j.w.dest != nil {
			j.dest = j.w.dest(req, j.v)
		}
		j.sum.Destination = strings.Join(j.dest, "/")
	}
	return jobs, nil
}

// destination is the folder path (names) the snapshot's tree is
// recreated under.
func destination(req Request, v *dataguard.View) []string {
	folder := req.Folder
	if folder == "" && !req.Target.Original() {
		folder = fmt.Sprintf("Restored from %s %s", v.ResourceName(), v.Info().StartTime.UTC().Format("2006-01-02 15.04.05 UTC"))
	}
	return splitPath(folder)
}

// splitPath splits a slash-separated path into its non-empty names.
func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// pathHasPrefix reports whether p is prefix or lies below it, comparing
// names case-insensitively as Exchange and OneDrive do; "" matches all.
func pathHasPrefix(p, prefix string) bool {
	prefix = strings.Join(splitPath(prefix), "/")
	if prefix == "" {
		return true
	}
	p, prefix = strings.ToLower(p), strings.ToLower(prefix)
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// pathNotFound explains a requested path no snapshot holds, with the
// closest paths that exist.
func pathNotFound(p string, all []string) error {
	want := strings.ToLower(strings.Join(splitPath(p), "/"))
	last := want[strings.LastIndex(want, "/")+1:]
	type cand struct {
		path string
		d    int
	}
	var cands []cand
	for _, q := range all {
		lq := strings.ToLower(q)
		d := editDistance(want, lq)
		if strings.Contains(lq, last) && last != "" {
			d = min(d, 2)
		}
		if d <= max(3, len(want)/3) {
			cands = append(cands, cand{q, d})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int { return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.path, b.path)) })
	var names []string
	for i := 0; i < len(cands) && i < 5; i++ {
		names = append(names, fmt.Sprintf("%q", cands[i].path))
	}
	if len(names) == 0 {
		return fmt.Errorf("path %q is not in the snapshot", p)
	}
	return fmt.Errorf("path %q is not in the snapshot; did you mean %s?", p, strings.Join(names, ", "))
}

// editDistance is the Levenshtein distance of a and b, by bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// job is the restore of one snapshot.
type job struct {
	c     *graph.Client
	v     *dataguard.View
	w     workload
	req   Request
	paths []string
	dest  []string // destination folder names under the root

	mu  sync.Mutex
	sum ResourceSummary
}

func (j *job) run(ctx context.Context) {
	start := j.req.Now()
	j.sum.Start = start.UTC()
	j.req.Reporter.ResourceStarted(j.sum.Resource)
	err := j.w.restore(ctx, j)
	j.mu.Lock()
	switch {
	case ctx.Err() != nil:
		j.sum.Status = StatusCancelled
	case err != nil:
		j.sum.Status, j.sum.Error = StatusFailed, err.Error()
	case j.sum.Failed > 0:
		j.sum.Status = StatusPartial
	default:
		j.sum.Status = StatusOK
	}
	j.sum.Seconds = j.req.Now().Sub(start).Seconds()
	sum := j.sum
	j.mu.Unlock()
	j.req.Reporter.ResourceDone(sum)
}

func (j *job) ref(id, path string) ItemRef {
	return ItemRef{Resource: j.sum.Resource, ID: id, Path: path}
}

// selectItem reports whether an item with this id and snapshot path is
// in the request's selection.
func (j *job) selectItem(id, path string) bool {
	if len(j.req.Items) > 0 && !slices.Contains(j.req.Items, id) {
		return false
	}
	return j.selectPath(path)
}

// selectPath reports whether a snapshot path is in the request's paths.
func (j *job) selectPath(path string) bool {
	if len(j.req.Paths) == 0 {
		return true
	}
	return slices.ContainsFunc(j.req.Paths, func(p string) bool { return pathHasPrefix(path, p) })
}

func (j *job) selected(n int) {
	j.mu.Lock()
	j.sum.Selected += int64(n)
	j.mu.Unlock()
}

func (j *job) folderCreated() {
	j.mu.Lock()
	j.sum.FoldersCreated++
	j.mu.Unlock()
}

// done records an item's outcome.
func (j *job) done(ref ItemRef, a Action, bytes int64) {
	j.mu.Lock()
	j.sum.count(a, bytes)
	j.mu.Unlock()
	j.req.Reporter.ItemDone(ref, a, bytes)
}

// fail records a failed item; cancellation is not a failure.
func (j *job) fail(ctx context.Context, ref ItemRef, err error) {
	if ctx.Err() != nil {
		return
	}
	j.mu.Lock()
	j.sum.Failed++
	if len(j.sum.Failures) < maxFailures {
		j.sum.Failures = append(j.sum.Failures, ItemFailure{Path: ref.Path, ID: ref.ID, Error: err.Error()})
	}
	j.mu.Unlock()
	j.req.Reporter.ItemFailed(ref, err)
}

// retry calls fn until it succeeds, fails for good, or itemAttempts
// attempts were made, pausing between attempts. fn gets the attempt
// number (0 first) and keeps its own state between attempts, so that an
// attempt can check what an ambiguous failure of the previous one left.
func retry(ctx context.Context, fn func(attempt int) error) error {
	for a := 0; ; a++ {
		err := fn(a)
		if err == nil || ctx.Err() != nil || a+1 >= itemAttempts || !retriable(err) {
			return err
		}
		d := min(retryBase<<a, 10*time.Second)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
}

// permanentError marks a failure another attempt cannot cure (a corrupt
// stored item).
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return permanentError{err} }

// retriable reports whether another attempt may succeed: the graph client
// gave up on a throttled or failing call, or the outcome is unknown.
func retriable(err error) bool {
	var pe permanentError
	if errors.As(err, &pe) {
		return false
	}
	return graph.IsThrottled(err) || maybeApplied(err)
}

// maybeApplied reports whether a failed write may nevertheless have taken
// effect: the connection broke or the response was cut off, or the server
// failed (5xx) after possibly doing the work. Graph's 4xx answers, 429
// included, mean the request was refused.
func maybeApplied(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe permanentError
	if errors.As(err, &pe) {
		return false
	}
	var ae *graph.APIError
	if errors.As(err, &ae) {
		return ae.Status >= 500 || ae.Status == 0
	}
	return true
}
