package dataguard

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// apply stores or removes one drive item. Item failures are recorded and
// return nil; only cancellation and repository failures are returned.
func (j *driveJob) apply(ctx context.Context, sh *driveShard, it graph.DeltaItem[graph.DriveItem]) error {
	if it.Removed {
		j.rr.itemOK(j.drive.ID, it.ID)
		return j.remove(ctx, sh, it.ID)
	}
	err := j.store(ctx, sh, &it.Item)
	if err == nil {
		j.rr.itemOK(j.drive.ID, it.ID)
		return nil
	}
	if errors.As(err, new(repoError)) {
		return err
	}
	return j.rr.itemFailed(ctx, j.drive.ID, it.ID, err)
}

// store writes a new or changed item. A file's content is downloaded only
// when it is new or its content changed: the cTag changes with the content
// only (on OneDrive; the eTag changes with any property), and an equal
// content hash and size also count as unchanged content, which keeps
// renames and moves free where a service bumps the cTag for them too.
func (j *driveJob) store(ctx context.Context, sh *driveShard, item *graph.DriveItem) error {
	rr := j.rr
	id := item.ID
	mark := driveMark{ETag: item.ETag, CTag: item.CTag, Hash: contentHash(item), Size: item.Size, Folder: item.File == nil,
		Name: item.Name}
	if item.ParentReference != nil {
		mark.Parent = item.ParentReference.ID
	}
	j.mu.Lock()
	old, had := sh.cur[id]
	j.mu.Unlock()
	// A shared item in an incremental round is there for a reason, and a
	// sharing change need neither change its eTag nor, on folders, carry
	// sharedChanged (microsoftgraph/msgraph-sdk-java#2548): list its
	// permissions again. A full round reports everything, so there an
	// unchanged eTag is trusted.
	shared := item.Shared != nil || item.SharedChanged != ""
	recheck := item.SharedChanged != "" || (shared && !j.full) || shared != (old.Perms > 0)
	if had && item.ETag != "" && old.ETag == item.ETag && old.Parent == mark.Parent && !recheck {
		return nil // reported again, unchanged
	}
	meta, err := stripKeys(item.Raw, append(downloadURLKeys[:len(downloadURLKeys):len(downloadURLKeys)], roundKeys...))
	if err != nil {
		return err
	}
	contentPath, metaPath := DriveItemPaths(id)
	mtime := timeOr(item.LastModifiedDateTime, item.CreatedDateTime, rr.opts.Now())
	change, n := ChangeMetadata, int64(0)
	switch {
	case item.File != nil:
		same := had && !old.Folder && ((old.CTag != "" && old.CTag == mark.CTag) ||
			(mark.Hash != "" && old.Hash == mark.Hash && old.Size == mark.Size))
		if !same {
			body, err := rr.c.Download(ctx, j.drive.ID, id, &graph.DownloadOptions{URL: item.DownloadURL})
			if err != nil {
				return err
			}
			if n, err = rr.writeContent(ctx, contentPath, body, mtime); err != nil {
				return err
			}
			change = ChangeContent
		}
	case had && !old.Folder:
		// A file became a folder or a package: its old content goes.
		if _, err := rr.w.Remove(ctx, contentPath); err != nil {
			return repoError{err}
		}
	}
	if err := rr.w.WriteFile(ctx, metaPath, bytesReader(meta), mtime); err != nil {
		return repoError{err}
	}
	if mark.Perms, err = j.storePermissions(ctx, id, shared, old.Perms > 0, mtime); err != nil {
		return err
	}
	j.mu.Lock()
	sh.cur[id] = mark
	sh.written[id] = true
	sh.dirty = true
	j.mu.Unlock()
	if !had {
		change = ChangeNew
	}
	rr.itemDone(j.drive.ID, id, change, n)
	return nil
}

// remove drops an item from the snapshot, if it has it.
func (j *driveJob) remove(ctx context.Context, sh *driveShard, id string) error {
	j.mu.Lock()
	old, had := sh.cur[id]
	delete(sh.cur, id)
	if had {
		sh.dirty = true
		if old.Folder {
			j.removed[id] = true
		}
	}
	j.mu.Unlock()
	if !had {
		return nil
	}
	contentPath, metaPath := DriveItemPaths(id)
	paths := []string{metaPath}
	if !old.Folder {
		paths = append(paths, contentPath)
	}
	if old.Perms > 0 {
		paths = append(paths, DriveItemPermissionsPath(id))
	}
	for _, p := range paths {
		if _, err := j.rr.w.Remove(ctx, p); err != nil {
			return repoError{err}
		}
	}
	j.rr.itemDone(j.drive.ID, id, ChangeDeleted, 0)
	return nil
}

// removeOrphans removes the items below folders removed this run that the
// delta did not report removed themselves. OneDrive may report only the
// deleted folder; its descendants must not stay in the snapshot.
func (j *driveJob) removeOrphans(ctx context.Context) error {
	if err := j.loadAll(ctx); err != nil {
		return err
	}
	where := map[string]*driveShard{}
	parent := map[string]string{}
	for _, sh := range j.shards {
		for id, m := range sh.cur {
			where[id], parent[id] = sh, m.Parent
		}
	}
	orphan := map[string]bool{}
	var under func(id string, depth int) bool
	under = func(id string, depth int) bool {
		p := parent[id]
		switch {
		case p == "" || depth > 1000:
			return false
		case j.removed[p] || orphan[p]:
			return true
		case where[p] == nil:
			return false
		}
		return under(p, depth+1)
	}
	for id := range parent {
		if under(id, 0) {
			orphan[id] = true
		}
	}
	for id := range orphan {
		if err := j.remove(ctx, where[id], id); err != nil {
			return err
		}
	}
	return nil
}

// contentHash is the file's content hash with its algorithm, or "".
func contentHash(it *graph.DriveItem) string {
	if it.File == nil || it.File.Hashes == nil {
		return ""
	}
	h := it.File.Hashes
	switch {
	case h.QuickXorHash != "":
		return "quickXor:" + h.QuickXorHash
	case h.SHA256Hash != "":
		return "sha256:" + h.SHA256Hash
	case h.SHA1Hash != "":
		return "sha1:" + h.SHA1Hash
	}
	return ""
}

// stripKeys returns raw without the given top-level keys. Keys come out
// sorted; values are kept as Graph sent them.
func stripKeys(raw json.RawMessage, keys []string) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	found := false
	for _, k := range keys {
		if _, ok := m[k]; ok {
			delete(m, k)
			found = true
		}
	}
	if !found {
		return raw, nil
	}
	return json.Marshal(m)
}
