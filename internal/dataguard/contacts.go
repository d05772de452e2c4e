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

// contactsWorkload backs up a user's personal contacts: one contact delta
// round per contact folder, the default Contacts folder and every folder
// below it, FolderWorkers folders at a time. A delta round carries every
// property of a contact, so a contact costs no request of its own.
type contactsWorkload struct{}

// contactPageSize is the delta page size: a contact is 1-2 KB of JSON.
const contactPageSize = 100

func (contactsWorkload) run(ctx context.Context, rr *resourceRun) error {
	folders, err := listContactFolders(ctx, rr)
	if err != nil {
		return err
	}
	rr.next.ContactFolders = make(map[string]*folderState, len(folders))
	rr.containers = len(folders)

	live := make(map[string]bool, len(folders))
	for _, f := range folders {
		live[f.ID] = true
	}
	if rr.prev != nil {
		for id, fs := range rr.prev.ContactFolders {
			if live[id] {
				continue
			}
			if _, err := rr.w.Remove(ctx, ContactFolderDir(id)); err != nil {
				return err
			}
			rr.dropFailures(id)
			rr.addCounts(Counts{Deleted: int64(fs.Items)})
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(rr.opts.FolderWorkers)
	for _, f := range folders {
		if gctx.Err() != nil {
			break
		}
		j := &contactFolderJob{rr: rr, f: f.ContactFolder, isDefault: f.isDefault, written: map[string]bool{}}
		if rr.prev != nil {
			j.prev = rr.prev.ContactFolders[f.ID]
		}
		g.Go(func() error { return j.run(gctx) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// contactFolder is a folder to back up. The default folder's JSON is read
// only when the previous snapshot does not have it (Raw is nil otherwise).
type contactFolder struct {
	graph.ContactFolder
	isDefault bool
}

// listContactFolders finds the default Contacts folder and the folders
// below it. Graph lists the default folder's sub-folders
// (user-list-contactfolders) but not the default folder itself, which
// holds most contacts; its id is their parentFolderId, or that of its
// contacts (graph.DefaultContactFolderID), and the previous snapshot
// remembers it.
func listContactFolders(ctx context.Context, rr *resourceRun) ([]contactFolder, error) {
	var folders []contactFolder
	for f, err := range rr.c.AllContactFolders(ctx, rr.res.ID) {
		if graph.IsNotFound(err) {
			return nil, fmt.Errorf("%w: no mailbox", errSkipped)
		}
		if err != nil {
			return nil, fmt.Errorf("list contact folders: %w", err)
		}
		folders = append(folders, contactFolder{ContactFolder: f})
	}
	var known *folderState
	knownID := ""
	if rr.prev != nil {
		for id, fs := range rr.prev.ContactFolders {
			if fs.Default {
				known, knownID = fs, id
			}
		}
	}
	defID := ""
	if len(folders) > 0 {
		// The first folders listed are the default folder's children.
		defID = folders[0].ParentFolderID
	}
	switch {
	case defID != "":
	case known != nil:
		defID = knownID
	default:
		id, ok, err := rr.c.DefaultContactFolderID(ctx, rr.res.ID, nil)
		if graph.IsNotFound(err) {
			return nil, fmt.Errorf("%w: no mailbox", errSkipped)
		}
		if err != nil {
			return nil, fmt.Errorf("find the default contact folder: %w", err)
		}
		if !ok {
			return folders, nil // no contacts and no folders at all
		}
		defID = id
	}
	def := contactFolder{ContactFolder: graph.ContactFolder{ID: defID}, isDefault: true}
	if known != nil && knownID == defID {
		def.DisplayName, def.ParentFolderID = known.Name, known.Parent
	} else {
		f, err := rr.c.ContactFolder(ctx, rr.res.ID, defID)
		if err != nil {
			return nil, fmt.Errorf("get the default contact folder: %w", err)
		}
		def.ContactFolder = *f
	}
	return append([]contactFolder{def}, folders...), nil
}

// contactFolderJob is the backup of one contact folder.
type contactFolderJob struct {
	rr        *resourceRun
	f         graph.ContactFolder
	isDefault bool
	prev      *folderState // nil for a folder the previous snapshot does not have

	mu      sync.Mutex
	loaded  bool
	old     map[string]contactMark // the previous snapshot's index
	cur     map[string]contactMark // becomes this snapshot's index
	written map[string]bool        // ids rewritten this run
	dirty   bool
	link    string // the delta link of the last completed round
}

func (j *contactFolderJob) run(ctx context.Context) error {
	rr, f := j.rr, j.f
	fs := &folderState{Name: f.DisplayName, Parent: f.ParentFolderID, Default: j.isDefault}
	link := ""
	if j.prev != nil {
		link, fs.Items, fs.Meta = j.prev.DeltaLink, j.prev.Items, j.prev.Meta
	}
	if f.Raw != nil {
		fs.Meta = hashBytes(f.Raw)
		if j.prev == nil || j.prev.Meta != fs.Meta {
			if err := rr.w.WriteFile(ctx, ContactFolderMetaPath(f.ID), bytesReader(f.Raw), rr.opts.Now()); err != nil {
				return err
			}
		}
	}

	startLink := link
	err := j.round(ctx, link)
	if (graph.IsResyncRequired(err) || errors.Is(err, errIndexMissing)) && link != "" {
		// The token expired: enumerate this folder again and reconcile.
		rr.mu.Lock()
		rr.resyncs++
		rr.mu.Unlock()
		startLink = ""
		err = j.round(ctx, "")
	}
	newLink := startLink
	switch {
	case err == nil:
		newLink = j.link
		rr.itemOK(f.ID, "")
	case errors.As(err, new(repoError)) || ctx.Err() != nil:
		return err
	default:
		if ferr := rr.itemFailed(ctx, f.ID, "", fmt.Errorf("delta of contact folder %q: %w", f.DisplayName, err)); ferr != nil {
			return ferr
		}
	}
	fs.DeltaLink = newLink

	if j.loaded {
		if j.dirty {
			if err := writeIndex(ctx, rr.w, contactIndexPath(f.ID), j.cur, rr.opts.Now()); err != nil {
				return err
			}
		}
		fs.Items = len(j.cur)
		rr.addCounts(setCounts(j.old, j.cur, j.written))
	} else {
		rr.addCounts(Counts{Unchanged: int64(fs.Items)})
	}
	if err := rr.w.CloseDir(ctx, ContactFolderDir(f.ID)); err != nil {
		return err
	}
	rr.maybeFlush(ctx)
	rr.mu.Lock()
	rr.next.ContactFolders[f.ID] = fs
	rr.mu.Unlock()
	return nil
}

// round runs one delta round from link ("" for a full round) and applies
// its changes in order. A full round ends by removing the stored contacts
// it did not report. j.link is set when the round completes.
func (j *contactFolderJob) round(ctx context.Context, link string) error {
	rr, f := j.rr, j.f
	full := link == ""
	seen := map[string]bool{}
	d := rr.c.ContactsDelta(ctx, rr.res.ID, f.ID, link, &graph.DeltaOptions{PageSize: contactPageSize})
	for it, err := range d.All() {
		if err != nil {
			return err
		}
		if err := j.load(ctx, full); err != nil {
			return err
		}
		if it.Removed {
			delete(seen, it.ID)
			if err := j.remove(ctx, it.ID); err != nil {
				return err
			}
			continue
		}
		seen[it.ID] = true
		if err := j.store(ctx, &it.Item); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if full {
		if err := j.load(ctx, true); err != nil {
			return err
		}
		for id := range j.cur {
			if !seen[id] {
				if err := j.remove(ctx, id); err != nil {
					return err
				}
			}
		}
	}
	j.link = d.DeltaLink()
	return nil
}

// load reads the folder's index from the previous snapshot, once. As for
// mail folders, a missing index of a non-empty folder returns
// errIndexMissing outside a full round and is rebuilt from the directory in
// one.
func (j *contactFolderJob) load(ctx context.Context, full bool) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.loaded {
		return nil
	}
	old := map[string]contactMark{}
	if j.prev != nil && j.prev.Items > 0 {
		rr := j.rr
		m, ok, err := loadIndex[contactMark](ctx, rr.r, rr.prevID, contactIndexPath(j.f.ID))
		switch {
		case err != nil:
			return repoError{err}
		case ok:
			old = m
		case !full:
			return errIndexMissing
		default:
			ids, err := scanItemIDs(ctx, rr.r, rr.prevID, ContactFolderDir(j.f.ID), jsonExt)
			if err != nil {
				return repoError{err}
			}
			for _, id := range ids {
				old[id] = contactMark{}
			}
		}
	}
	j.old, j.cur, j.loaded = old, maps.Clone(old), true
	return nil
}

// store writes a new or changed contact; one reported again unchanged is
// skipped by its changeKey.
func (j *contactFolderJob) store(ctx context.Context, c *graph.Contact) error {
	rr := j.rr
	j.mu.Lock()
	old, had := j.cur[c.ID]
	j.mu.Unlock()
	if had && c.ChangeKey != "" && old.CK == c.ChangeKey {
		return nil
	}
	mtime := timeOr(c.LastModifiedDateTime, rr.opts.Now())
	if err := rr.w.WriteFile(ctx, ContactPath(j.f.ID, c.ID), bytesReader(c.Raw), mtime); err != nil {
		return repoError{err}
	}
	j.mu.Lock()
	j.cur[c.ID] = contactMark{CK: c.ChangeKey}
	j.written[c.ID] = true
	j.dirty = true
	j.mu.Unlock()
	change := ChangeMetadata
	if !had {
		change = ChangeNew
	}
	rr.itemDone(j.f.ID, c.ID, change, 0)
	return nil
}

// remove drops a contact from the snapshot, if it has it.
func (j *contactFolderJob) remove(ctx context.Context, id string) error {
	j.mu.Lock()
	_, had := j.cur[id]
	delete(j.cur, id)
	if had {
		j.dirty = true
	}
	j.mu.Unlock()
	if !had {
		return nil
	}
	if _, err := j.rr.w.Remove(ctx, ContactPath(j.f.ID, id)); err != nil {
		return repoError{err}
	}
	j.rr.itemDone(j.f.ID, id, ChangeDeleted, 0)
	return nil
}
