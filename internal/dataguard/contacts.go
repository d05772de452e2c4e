package dataguard

import (
	"context"
	"fmt"

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
	return backupContainers(ctx, rr, contactFolderSet, folders, func(f contactFolder) string { return f.ID },
		func(ctx context.Context, f contactFolder, prev *folderState) error {
			return (&contactFolderJob{rr: rr, f: f.ContactFolder, isDefault: f.isDefault, prev: prev}).run(ctx)
		})
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

	idx itemIndex[contactMark] // loaded by load
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
	var err error
	fs.DeltaLink, _, err = rr.syncDelta(ctx, f.ID, fmt.Sprintf("delta of contact folder %q", f.DisplayName), link, j.round)
	if err != nil {
		return err
	}
	if err := j.idx.finish(ctx, rr, contactIndexPath(f.ID), fs); err != nil {
		return err
	}
	return rr.closeContainer(ctx, contactFolderSet, f.ID, fs)
}

// round runs one delta round from link ("" for a full round) and applies
// its changes in order. A full round ends by removing the stored contacts
// it did not report. It returns the round's delta link once the round
// completes.
func (j *contactFolderJob) round(ctx context.Context, link string) (string, error) {
	rr, f := j.rr, j.f
	full := link == ""
	seen := map[string]bool{}
	d := rr.c.ContactsDelta(ctx, rr.res.ID, f.ID, link, &graph.DeltaOptions{PageSize: contactPageSize})
	for it, err := range d.All() {
		if err != nil {
			return "", err
		}
		if err := j.load(ctx, full); err != nil {
			return "", err
		}
		if it.Removed {
			delete(seen, it.ID)
			if err := j.remove(ctx, it.ID); err != nil {
				return "", err
			}
			continue
		}
		seen[it.ID] = true
		if err := j.store(ctx, &it.Item); err != nil {
			return "", err
		}
	}
	if err := j.idx.endRound(ctx, full, seen, j.load, j.remove); err != nil {
		return "", err
	}
	return d.DeltaLink(), nil
}

// load reads the folder's index from the previous snapshot, once. As for
// mail folders, a missing index of a non-empty folder returns
// errIndexMissing outside a full round and is rebuilt from the directory in
// one.
func (j *contactFolderJob) load(ctx context.Context, full bool) error {
	j.idx.mu.Lock()
	defer j.idx.mu.Unlock()
	if j.idx.loaded {
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
	j.idx.set(old)
	return nil
}

// store writes a new or changed contact; one reported again unchanged is
// skipped by its changeKey.
func (j *contactFolderJob) store(ctx context.Context, c *graph.Contact) error {
	rr := j.rr
	old, had := j.idx.get(c.ID)
	if had && c.ChangeKey != "" && old.CK == c.ChangeKey {
		return nil
	}
	mtime := timeOr(c.LastModifiedDateTime, rr.opts.Now())
	if err := rr.w.WriteFile(ctx, ContactPath(j.f.ID, c.ID), bytesReader(c.Raw), mtime); err != nil {
		return repoError{err}
	}
	j.idx.put(c.ID, contactMark{CK: c.ChangeKey})
	change := ChangeMetadata
	if !had {
		change = ChangeNew
	}
	rr.itemDone(j.f.ID, c.ID, change, 0)
	return nil
}

// remove drops a contact from the snapshot, if it has it.
func (j *contactFolderJob) remove(ctx context.Context, id string) error {
	if !j.idx.drop(id) {
		return nil
	}
	return j.rr.removeItem(ctx, j.f.ID, id, ContactPath(j.f.ID, id))
}
