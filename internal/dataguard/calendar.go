package dataguard

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// calendarWorkload backs up a user's calendars, all of them, one job per
// calendar, FolderWorkers at a time. Graph v1.0 has no delta of a
// calendar's events as they are stored (see the package documentation), so
// each run lists every calendar's events with only id, changeKey, type and
// hasAttachments selected, compares the listing with the calendar's index
// and reads in full only the events that are new or whose changeKey
// changed.
type calendarWorkload struct{}

// Page sizes ($top) of event listings: a listing of marks is a few hundred
// bytes per event; a listing of whole events (a calendar without stored
// events) carries their bodies.
const (
	eventMarkPage = 250
	eventFullPage = 50
)

// eventMarkSelect is what an incremental listing of a calendar asks for.
var eventMarkSelect = []string{"id", "changeKey", "type", "hasAttachments"}

// attachmentSelect is what an event's attachment listing asks for: the
// properties of the attachment base type, without contentBytes, which would
// put the whole content in the listing's JSON. The content is streamed from
// …/$value instead.
var attachmentSelect = []string{"id", "name", "contentType", "size", "isInline", "lastModifiedDateTime"}

func (calendarWorkload) run(ctx context.Context, rr *resourceRun) error {
	var cals []graph.Calendar
	for c, err := range rr.c.Calendars(ctx, rr.res.ID) {
		if graph.IsNotFound(err) {
			return fmt.Errorf("%w: no mailbox", errSkipped)
		}
		if err != nil {
			return fmt.Errorf("list calendars: %w", err)
		}
		cals = append(cals, c)
	}
	return backupContainers(ctx, rr, calendarSet, cals, func(c graph.Calendar) string { return c.ID },
		func(ctx context.Context, c graph.Calendar, prev *folderState) error {
			return (&calendarJob{rr: rr, cal: c, prev: prev}).run(ctx)
		})
}

// calendarJob is the backup of one calendar.
type calendarJob struct {
	rr   *resourceRun
	cal  graph.Calendar
	prev *folderState // nil for a calendar the previous snapshot does not have

	idx itemIndex[eventMark] // loaded by load, before anything else
}

func (j *calendarJob) run(ctx context.Context) error {
	rr, c := j.rr, j.cal
	fs := &folderState{Name: c.Name, Meta: hashBytes(c.Raw), Default: c.IsDefaultCalendar}
	if j.prev == nil || j.prev.Meta != fs.Meta {
		if err := rr.w.WriteFile(ctx, CalendarMetaPath(c.ID), bytesReader(c.Raw), rr.opts.Now()); err != nil {
			return err
		}
	}
	if err := j.load(ctx); err != nil {
		return err
	}
	// A listing that broke off is recorded: what was stored stays, nothing
	// is removed, and the next run lists the calendar again.
	if err := rr.containerResult(ctx, c.ID, fmt.Sprintf("list events of calendar %q", c.Name), j.sync(ctx)); err != nil {
		return err
	}
	if err := j.idx.finish(ctx, rr, calendarIndexPath(c.ID), fs); err != nil {
		return err
	}
	return rr.closeContainer(ctx, calendarSet, c.ID, fs)
}

// load reads the calendar's index from the previous snapshot. A calendar
// that had events but lost its index is rebuilt from its directory with
// empty marks, so that every event is read again.
func (j *calendarJob) load(ctx context.Context) error {
	old := map[string]eventMark{}
	if j.prev != nil && j.prev.Items > 0 {
		rr := j.rr
		m, ok, err := loadIndex[eventMark](ctx, rr.r, rr.prevID, calendarIndexPath(j.cal.ID))
		if err != nil {
			return repoError{err}
		}
		if ok {
			old = m
		} else {
			ids, err := scanItemIDs(ctx, rr.r, rr.prevID, CalendarDir(j.cal.ID), jsonExt)
			if err != nil {
				return repoError{err}
			}
			for _, id := range ids {
				old[id] = eventMark{}
			}
		}
	}
	j.idx.set(old)
	return nil
}

// sync lists the calendar and applies the differences to the stored
// events, up to itemWorkers at once. A calendar without stored events is
// listed with whole events, which are stored as listed; otherwise the
// listing has marks only, and new or changed events are read one by one.
// Only a complete listing removes the stored events it did not report.
func (j *calendarJob) sync(ctx context.Context) error {
	rr := j.rr
	full := len(j.idx.old) == 0
	opts := &graph.ListOptions{Select: eventMarkSelect, Top: eventMarkPage}
	if full {
		opts = &graph.ListOptions{Top: eventFullPage}
	}
	seen := map[string]bool{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(itemWorkers)
	var lerr error
	for ev, err := range rr.c.CalendarEvents(gctx, rr.res.ID, j.cal.ID, opts) {
		if err == nil {
			err = gctx.Err()
		}
		if err != nil {
			lerr = err
			break
		}
		if ev.ID == "" || seen[ev.ID] {
			continue // offset paging can repeat an event that moved up a page
		}
		seen[ev.ID] = true
		if old, had := j.idx.old[ev.ID]; had && ev.ChangeKey != "" && old.CK == ev.ChangeKey {
			continue
		}
		g.Go(func() error { return j.apply(gctx, ev, full) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if lerr != nil {
		return lerr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for id := range j.idx.old {
		if !seen[id] {
			if err := j.remove(ctx, id); err != nil {
				return err
			}
		}
	}
	rr.dropFailuresNotIn(j.cal.ID, seen)
	return nil
}

// apply stores one new or changed event. Item failures are recorded and
// return nil; the event keeps its stored version and its old mark, so the
// next run's listing finds it changed again and retries it.
func (j *calendarJob) apply(ctx context.Context, ev graph.Event, listed bool) error {
	return j.rr.itemResult(ctx, j.cal.ID, ev.ID, j.store(ctx, ev, listed))
}

// store writes an event's JSON and its attachments. listed says ev came
// from a listing of whole events; otherwise it is read first.
func (j *calendarJob) store(ctx context.Context, ev graph.Event, listed bool) error {
	rr := j.rr
	if !listed {
		e, err := rr.c.Event(ctx, rr.res.ID, ev.ID, nil)
		if err != nil {
			return err
		}
		ev = *e
	}
	old, had := j.idx.old[ev.ID]
	// The series is read before anything is written, so that a failure
	// leaves the event as stored before.
	var series *EventSeries
	if ev.Type == "seriesMaster" {
		s, err := j.readSeries(ctx, ev)
		if err != nil {
			return err
		}
		series = s
	}
	atts, n, err := j.storeAttachments(ctx, &ev, old.Att)
	if err != nil {
		return err
	}
	mtime := timeOr(ev.LastModifiedDateTime, rr.opts.Now())
	jsonPath, _ := EventPaths(j.cal.ID, ev.ID)
	if err := rr.w.WriteFile(ctx, jsonPath, bytesReader(ev.Raw), mtime); err != nil {
		return repoError{err}
	}
	switch {
	case series != nil:
		if err := j.storeSeries(ctx, ev.ID, series, mtime); err != nil {
			return err
		}
	case old.Series:
		if _, err := rr.w.Remove(ctx, EventSeriesPath(j.cal.ID, ev.ID)); err != nil {
			return repoError{err}
		}
	}
	j.idx.put(ev.ID, eventMark{CK: ev.ChangeKey, Type: ev.Type, Att: atts, Series: series != nil})
	change := ChangeMetadata
	switch {
	case !had:
		change = ChangeNew
	case n > 0:
		change = ChangeContent
	}
	rr.itemDone(j.cal.ID, ev.ID, change, n)
	return nil
}

// storeAttachments brings an event's stored attachments up to date: new
// and changed ones (by a hash of their JSON) are downloaded, unchanged ones
// stay as carried over, and those the event no longer has are removed. It
// returns the attachments' marks and the content bytes read. When a
// download fails, the attachments it added are removed again, so that the
// event stays as stored before.
func (j *calendarJob) storeAttachments(ctx context.Context, ev *graph.Event, old map[string]attMark) (map[string]attMark, int64, error) {
	if !ev.HasAttachments && len(old) == 0 {
		return nil, 0, nil
	}
	rr := j.rr
	var list []graph.Attachment
	if ev.HasAttachments {
		for a, err := range rr.c.EventAttachments(ctx, rr.res.ID, ev.ID, &graph.ListOptions{Select: attachmentSelect}) {
			if err != nil {
				return nil, 0, err
			}
			list = append(list, a)
		}
	}
	cur := make(map[string]attMark, len(list))
	var added []string
	var total int64
	fail := func(err error) (map[string]attMark, int64, error) {
		for _, id := range added {
			if rerr := j.removeAttachment(ctx, ev.ID, id); rerr != nil {
				return nil, 0, rerr
			}
		}
		return nil, 0, err
	}
	for _, a := range list {
		ref := a.ODataType == "#microsoft.graph.referenceAttachment"
		mk := attMark{Hash: hashBytes(a.Raw), Name: a.Name, Size: a.Size, Ref: ref}
		prev, had := old[a.ID]
		if had && prev.Hash == mk.Hash {
			cur[a.ID] = prev
			continue // carried over with the tree
		}
		if !had {
			added = append(added, a.ID)
		}
		content, meta := EventAttachmentPaths(j.cal.ID, ev.ID, a.ID)
		mtime := timeOr(a.LastModifiedDateTime, ev.LastModifiedDateTime, rr.opts.Now())
		if !ref {
			body, err := rr.c.EventAttachmentContent(ctx, rr.res.ID, ev.ID, a.ID)
			if err != nil {
				return fail(fmt.Errorf("attachment %s: %w", a.ID, err))
			}
			n, err := rr.writeContent(ctx, content, body, mtime)
			if err != nil {
				if errors.As(err, new(repoError)) {
					return nil, 0, err
				}
				return fail(fmt.Errorf("attachment %s: %w", a.ID, err))
			}
			total += n
			mk.Size = n
		}
		if err := rr.w.WriteFile(ctx, meta, bytesReader(a.Raw), mtime); err != nil {
			return nil, 0, repoError{err}
		}
		cur[a.ID] = mk
	}
	for id := range old {
		if _, ok := cur[id]; !ok {
			if err := j.removeAttachment(ctx, ev.ID, id); err != nil {
				return nil, 0, err
			}
		}
	}
	if len(cur) == 0 {
		cur = nil
	}
	return cur, total, nil
}

func (j *calendarJob) removeAttachment(ctx context.Context, eventID, id string) error {
	content, meta := EventAttachmentPaths(j.cal.ID, eventID, id)
	for _, p := range []string{content, meta} {
		if _, err := j.rr.w.Remove(ctx, p); err != nil {
			return repoError{err}
		}
	}
	return nil
}

// remove drops an event and its attachments from the snapshot.
func (j *calendarJob) remove(ctx context.Context, id string) error {
	if !j.idx.drop(id) {
		return nil
	}
	jsonPath, attDir := EventPaths(j.cal.ID, id)
	if err := j.rr.removeItem(ctx, j.cal.ID, id, jsonPath, attDir, EventSeriesPath(j.cal.ID, id)); err != nil {
		return err
	}
	j.rr.itemOK(j.cal.ID, id)
	return nil
}

// dropFailuresNotIn forgets the item failures of a container whose items
// a complete listing no longer reports: they were deleted meanwhile.
func (rr *resourceRun) dropFailuresNotIn(container string, live map[string]bool) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	for k := range rr.failures {
		if k.container == container && k.id != "" && !live[k.id] {
			delete(rr.failures, k)
		}
	}
}

// scanItemIDs lists the ids of the items a container directory of
// snapshot id stores as <id><ext>, leaving out .folder.json and
// .index.json. A missing directory has none.
func scanItemIDs(ctx context.Context, r *repo.Repository, id repo.SnapshotID, dir, ext string) ([]string, error) {
	ents, err := r.ReadDir(ctx, id, dir)
	if errors.Is(err, repo.ErrPathNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name, ext)
		if !ok || e.Type != repo.TypeFile || e.Name == folderMeta || e.Name == indexName {
			continue
		}
		item, err := url.PathUnescape(name)
		if err != nil {
			return nil, fmt.Errorf("item file %q in %s: %w", e.Name, dir, err)
		}
		ids = append(ids, item)
	}
	return ids, nil
}
