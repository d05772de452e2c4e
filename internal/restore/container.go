package restore

import (
	"context"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/dataguard"
)

// containerKind describes a workload whose snapshot holds containers C
// (mail folders, contact folders, calendars) of items I (messages,
// contacts, events). Its functions only read the snapshot.
type containerKind[C, I any] struct {
	name       string // a container in item failures: "folder", "calendar"
	containers func(v *dataguard.View) []C
	items      func(v *dataguard.View, ctx context.Context, containerID string) ([]I, error)
	ref        func(c C) (id, path string)
	itemID     func(it I) string
	// keepEmpty recreates a container selected itself (by path or id)
	// that has no selected items.
	keepEmpty bool
}

// paths lists the snapshot's container paths, for workload.paths.
func (k containerKind[C, I]) paths(_ context.Context, v *dataguard.View) ([]string, error) {
	var out []string
	for _, c := range k.containers(v) {
		_, p := k.ref(c)
		out = append(out, p)
	}
	return out, nil
}

// ids lists the snapshot's container and item ids, for workload.ids.
func (k containerKind[C, I]) ids(ctx context.Context, v *dataguard.View) (map[string]bool, error) {
	out := map[string]bool{}
	for _, c := range k.containers(v) {
		id, _ := k.ref(c)
		out[id] = true
		items, err := k.items(v, ctx, id)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			out[k.itemID(it)] = true
		}
	}
	return out, nil
}

// byID returns the snapshot's containers by id.
func (k containerKind[C, I]) byID(v *dataguard.View) map[string]C {
	out := map[string]C{}
	for _, c := range k.containers(v) {
		id, _ := k.ref(c)
		out[id] = c
	}
	return out
}

// folderSelection is the selection of a folder tree: a folder selected by
// id (among Request.Items) brings its items and sub-folders, as far as
// Request.Paths allow; anything else is selected as selectItem says.
func (k containerKind[C, I]) folderSelection(j *job) func(c C, id string) bool {
	var folderPaths []string
	for _, c := range k.containers(j.v) {
		if id, p := k.ref(c); slices.Contains(j.req.Items, id) {
			folderPaths = append(folderPaths, p)
		}
	}
	return func(c C, id string) bool {
		_, path := k.ref(c)
		if slices.ContainsFunc(folderPaths, func(p string) bool { return pathHasPrefix(path, p) }) {
			return j.selectPath(path)
		}
		return j.selectItem(id, path)
	}
}

// itemRestorer restores the items I of snapshot containers C into target
// containers N of the target user.
type itemRestorer[C, I, N any] interface {
	// target finds or creates the target of a snapshot container. It is
	// called from one goroutine at a time.
	target(ctx context.Context, c C) (N, error)
	// loadIndex reads what a target container holds, for collision checks.
	loadIndex(ctx context.Context, n N) error
	// restore restores one item into n, or counts it in a dry run, and
	// records its outcome in the job. It is called concurrently.
	restore(ctx context.Context, n N, c C, it I)
}

// restoreItems restores a snapshot's selected items with r: container by
// container, in the snapshot's order, each container's target found or
// created before its items are restored ItemWorkers at a time, so that
// later containers are prepared while earlier ones' items are restored.
// selected reports whether an item of c (or, with c's own id, c itself)
// is in the request's selection. Item and container failures are recorded
// in the job.
func restoreItems[C, I, N any](ctx context.Context, j *job, k containerKind[C, I], selected func(c C, id string) bool, r itemRestorer[C, I, N]) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(j.req.ItemWorkers)
	for _, c := range k.containers(j.v) {
		if gctx.Err() != nil {
			break
		}
		id, path := k.ref(c)
		items, err := k.items(j.v, gctx, id)
		if err != nil {
			j.fail(ctx, j.ref(id, path), err)
			continue
		}
		var sel []I
		for _, it := range items {
			if selected(c, k.itemID(it)) {
				sel = append(sel, it)
			}
		}
		if len(sel) == 0 && !(k.keepEmpty && selected(c, id)) {
			continue
		}
		j.selected(len(sel))
		node, err := r.target(gctx, c)
		if err == nil && len(sel) > 0 {
			err = r.loadIndex(gctx, node)
		}
		if err != nil {
			for _, it := range sel {
				j.fail(ctx, j.ref(k.itemID(it), path), fmt.Errorf("%s %q: %w", k.name, path, err))
			}
			continue
		}
		for _, it := range sel {
			g.Go(func() error {
				r.restore(gctx, node, c, it)
				return nil
			})
		}
	}
	return g.Wait()
}
