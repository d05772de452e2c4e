package dataguard

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// driveWorkload backs up a user's OneDrive: one delta round over the whole
// drive, 2×FolderWorkers items at a time.
type driveWorkload struct{}

// drivePageSize is the drive delta page size. driveItems are small (about
// 1.5 KB of JSON) and OneDrive allows large pages.
const drivePageSize = 500

// driveMetaPath holds the drive's own JSON (name, owner, quota).
const driveMetaPath = driveDir + "/.drive.json"

// downloadURLKeys are the pre-authenticated content URLs a driveItem
// carries. They are removed before the JSON is stored: anyone holding one
// can read the file until it expires, and it changes on every listing.
var downloadURLKeys = []string{"@microsoft.graph.downloadUrl", "@content.downloadUrl"}

// roundKeys are annotations that describe a delta round, not the item:
// sharedChanged says why the item is in this round. Stored, they would
// make the same item differ between an incremental and a full backup.
var roundKeys = []string{"@microsoft.graph.sharedChanged"}

// driveJob is the backup of one drive.
type driveJob struct {
	rr    *resourceRun
	drive *graph.Drive
	prev  *driveState
	full  bool // the current round enumerates everything
	link  string

	mu      sync.Mutex
	shards  map[string]*driveShard
	removed map[string]bool // folders removed this run, for orphan cleanup
	order   ordering
}

// driveShard is one shard directory: its index before and after the run.
type driveShard struct {
	old, cur map[string]driveMark
	written  map[string]bool
	dirty    bool
}

func (driveWorkload) run(ctx context.Context, rr *resourceRun) error {
	d, err := rr.c.UserDrive(ctx, rr.res.ID)
	if graph.IsNotFound(err) {
		return fmt.Errorf("%w: no OneDrive", errSkipped)
	}
	if err != nil {
		return fmt.Errorf("get OneDrive: %w", err)
	}
	rr.containers = 1
	j := &driveJob{rr: rr, drive: d, shards: map[string]*driveShard{}, removed: map[string]bool{}}
	if rr.prev != nil && rr.prev.Drive != nil {
		j.prev = rr.prev.Drive
		if j.prev.ID != d.ID {
			// The user has another drive now: start over.
			if _, err := rr.w.Remove(ctx, driveDir); err != nil {
				return err
			}
			rr.dropFailures(j.prev.ID)
			rr.addCounts(Counts{Deleted: int64(j.prev.Items)})
			j.prev = nil
		}
	}
	ds := &driveState{ID: d.ID, Meta: hashBytes(d.Raw)}
	if j.prev == nil || j.prev.Meta != ds.Meta {
		if err := rr.w.WriteFile(ctx, driveMetaPath, bytesReader(d.Raw), rr.opts.Now()); err != nil {
			return err
		}
	}
	link := ""
	if j.prev != nil {
		link = j.prev.DeltaLink
	}
	startLink := link
	err = j.round(ctx, link)
	if (graph.IsResyncRequired(err) || errors.Is(err, errIndexMissing)) && link != "" {
		rr.mu.Lock()
		rr.resyncs++
		rr.mu.Unlock()
		startLink = ""
		err = j.round(ctx, "")
	}
	switch {
	case err == nil:
		ds.DeltaLink = j.link
		rr.itemOK(d.ID, "")
	case errors.As(err, new(repoError)) || ctx.Err() != nil:
		return err
	default:
		if ferr := rr.itemFailed(ctx, d.ID, "", fmt.Errorf("delta of OneDrive: %w", err)); ferr != nil {
			return ferr
		}
		ds.DeltaLink = startLink
	}
	if rr.hasFailures(d.ID) {
		ds.DeltaLink = startLink
	}
	if len(j.removed) > 0 {
		if err := j.removeOrphans(ctx); err != nil {
			return err
		}
	}
	return j.finish(ctx, ds)
}

// finish writes the changed shard indexes and counts.
func (j *driveJob) finish(ctx context.Context, ds *driveState) error {
	rr := j.rr
	items, oldLoaded := 0, 0
	if j.prev != nil {
		items = j.prev.Items
	}
	var c Counts
	for name, sh := range j.shards {
		if sh.dirty {
			if err := writeIndex(ctx, rr.w, driveIndexPath(name), sh.cur, rr.opts.Now()); err != nil {
				return err
			}
		}
		c.add(setCounts(sh.old, sh.cur, sh.written))
		oldLoaded += len(sh.old)
		items += len(sh.cur) - len(sh.old)
	}
	c.Unchanged += int64(max(0, j.prevItems()-oldLoaded))
	rr.addCounts(c)
	ds.Items = items
	rr.mu.Lock()
	rr.next.Drive = ds
	rr.mu.Unlock()
	return nil
}

func (j *driveJob) prevItems() int {
	if j.prev == nil {
		return 0
	}
	return j.prev.Items
}

// shard returns a shard with its index loaded from the previous snapshot.
// A shard directory without an index makes a delta round fail with
// errIndexMissing, so that the drive is enumerated again; a full round
// rebuilds the index from the directory.
func (j *driveJob) shard(ctx context.Context, name string) (*driveShard, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if sh := j.shards[name]; sh != nil {
		return sh, nil
	}
	old := map[string]driveMark{}
	if j.prev != nil {
		rr := j.rr
		m, ok, err := loadIndex[driveMark](ctx, rr.r, rr.prevID, driveIndexPath(name))
		if err != nil {
			return nil, err
		}
		if ok {
			old = m
		} else {
			ents, err := rr.r.ReadDir(ctx, rr.prevID, driveShardDir(name))
			switch {
			case errors.Is(err, repo.ErrPathNotFound):
			case err != nil:
				return nil, err
			case !j.full:
				return nil, errIndexMissing
			default:
				for _, e := range ents {
					if n, ok := strings.CutSuffix(e.Name, driveMetaExt); ok {
						if id, err := url.PathUnescape(n); err == nil {
							old[id] = driveMark{}
						}
					}
				}
			}
		}
	}
	sh := &driveShard{old: old, cur: maps.Clone(old), written: map[string]bool{}}
	j.shards[name] = sh
	return sh, nil
}

// loadAll loads every shard the previous snapshot has.
func (j *driveJob) loadAll(ctx context.Context) error {
	if j.prev == nil {
		return nil
	}
	ents, err := j.rr.r.ReadDir(ctx, j.rr.prevID, driveDir)
	if errors.Is(err, repo.ErrPathNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.Type == repo.TypeDir {
			if _, err := j.shard(ctx, e.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// round runs one delta round from link ("" for a full round). A full round
// ends by removing the stored items it did not report.
func (j *driveJob) round(ctx context.Context, link string) error {
	rr := j.rr
	j.full = link == ""
	var seen map[string]bool
	if j.full {
		seen = map[string]bool{}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2 * rr.opts.FolderWorkers)
	d := rr.c.DriveDelta(gctx, j.drive.ID, link, &graph.DriveDeltaOptions{PageSize: drivePageSize, Sharing: true})
	var rerr error
	for it, err := range d.All() {
		if err == nil {
			err = gctx.Err() // a change failed: stop reading the round
		}
		if err != nil {
			rerr = err
			break
		}
		sh, err := j.shard(gctx, shardOf(it.ID))
		if err != nil {
			rerr = err
			break
		}
		if j.full && !it.Removed {
			seen[it.ID] = true
		}
		g.Go(j.order.run(gctx, it.ID, func(ctx context.Context) error { return j.apply(ctx, sh, it) }))
	}
	if werr := g.Wait(); werr != nil {
		return werr
	}
	if rerr != nil {
		return rerr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if j.full {
		if err := j.loadAll(ctx); err != nil {
			return err
		}
		for _, sh := range j.shards {
			for id := range sh.cur {
				if !seen[id] {
					if err := j.remove(ctx, sh, id); err != nil {
						return err
					}
				}
			}
		}
	}
	j.link = d.DeltaLink()
	return nil
}
