package restore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// drivePaths lists a OneDrive snapshot's item paths.
func drivePaths(ctx context.Context, v *dataguard.View) ([]string, error) {
	items, err := v.DriveItems(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Path)
	}
	return out, nil
}

// driveIDs lists a OneDrive snapshot's item ids.
func driveIDs(ctx context.Context, v *dataguard.View) (map[string]bool, error) {
	items, err := v.DriveItems(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(items))
	for _, it := range items {
		out[it.ID] = true
	}
	return out, nil
}

// restoreDrive restores a OneDrive snapshot: folders are found or created
// by name under the destination in path order (so parents first), and
// files are uploaded ItemWorkers at a time.
func restoreDrive(ctx context.Context, j *job) error {
	items, err := j.v.DriveItems(ctx)
	if err != nil {
		return fmt.Errorf("list snapshot: %w", err)
	}
	driveID, err := targetDrive(ctx, j)
	if err != nil {
		return err
	}
	rootItem, err := j.c.DriveItem(ctx, driveID, "root", &graph.GetOptions{Select: []string{"id"}})
	if err != nil {
		return fmt.Errorf("get the target OneDrive's root: %w", err)
	}
	dr := &driveRestorer{job: j, driveID: driveID}
	dest, err := dr.ensure(ctx, &driveNode{id: rootItem.ID}, j.dest, nil)
	if err != nil {
		return fmt.Errorf("destination folder %q: %w", strings.Join(j.dest, "/"), err)
	}
	byID := make(map[string]dataguard.DriveItemRef, len(items))
	for _, it := range items {
		byID[it.ID] = it
	}
	// A folder selected by id brings its subtree.
	var folderPaths []string
	for _, id := range j.req.Items {
		if it, ok := byID[id]; ok && it.Folder {
			folderPaths = append(folderPaths, it.Path)
		}
	}
	inSelectedFolder := func(it dataguard.DriveItemRef) bool {
		return slices.ContainsFunc(folderPaths, func(p string) bool { return pathHasPrefix(it.Path, p) })
	}
	selected := func(it dataguard.DriveItemRef) bool {
		if inSelectedFolder(it) {
			return j.selectPath(it.Path)
		}
		return j.selectItem(it.ID, it.Path)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(j.req.ItemWorkers)
	for _, it := range items {
		if gctx.Err() != nil {
			break
		}
		if it.Folder && len(j.req.Items) > 0 && !inSelectedFolder(it) {
			continue // folders on the way to selected files are made by ensure
		}
		if !selected(it) {
			continue
		}
		names := driveNames(it, byID)
		if it.Folder {
			var fsi *graph.FileSystemInfo
			var meta graph.DriveItem
			if j.v.ReadJSON(gctx, it.Meta, &meta) == nil {
				fsi = restorableFSI(meta.FileSystemInfo)
			}
			n, err := dr.ensure(gctx, dest, names, fsi)
			if err != nil {
				j.fail(ctx, j.ref(it.ID, it.Path), err)
				continue
			}
			dr.restoreSharing(gctx, it, n.id)
			continue
		}
		j.selected(1)
		parent, err := dr.ensure(gctx, dest, names[:len(names)-1], nil)
		if err == nil {
			err = dr.list(gctx, parent)
		}
		if err != nil {
			j.fail(ctx, j.ref(it.ID, it.Path), fmt.Errorf("folder %q: %w", path.Dir(it.Path), err))
			continue
		}
		g.Go(func() error {
			dr.restoreFile(gctx, parent, it, names[len(names)-1])
			return nil
		})
	}
	return g.Wait()
}

// targetDrive is the id of the drive to restore into: the snapshot's own
// drive when restoring to the original user (the snapshot knows its id),
// else the target user's OneDrive.
func targetDrive(ctx context.Context, j *job) (string, error) {
	if j.req.Target.Original() {
		id, err := j.v.DriveID(ctx)
		if err != nil {
			return "", err
		}
		if id != "" {
			return id, nil
		}
	}
	drive, err := j.c.UserDrive(ctx, j.sum.TargetID)
	if graph.IsNotFound(err) {
		return "", fmt.Errorf("user %s has no OneDrive", j.sum.TargetName)
	}
	if err != nil {
		return "", fmt.Errorf("get the target OneDrive: %w", err)
	}
	return drive.ID, nil
}

// driveNames is the chain of names from the drive root to it.
func driveNames(it dataguard.DriveItemRef, byID map[string]dataguard.DriveItemRef) []string {
	var names []string
	seen := map[string]bool{}
	for cur, ok := it, true; ok && !seen[cur.ID]; cur, ok = byID[cur.ParentID] {
		seen[cur.ID] = true
		names = append(names, cur.Name)
	}
	slices.Reverse(names)
	return names
}

// restorableFSI keeps the timestamps Graph lets a client set.
func restorableFSI(f *graph.FileSystemInfo) *graph.FileSystemInfo {
	if f == nil || (f.CreatedDateTime.IsZero() && f.LastModifiedDateTime.IsZero()) {
		return nil
	}
	return &graph.FileSystemInfo{CreatedDateTime: f.CreatedDateTime.UTC(), LastModifiedDateTime: f.LastModifiedDateTime.UTC()}
}

type driveRestorer struct {
	job     *job
	driveID string
}

// driveNode is a folder of the target drive. Its maps are filled by list
// (from the producer goroutine) before any file of the folder is
// restored; afterwards mu guards them, as workers add the files they
// upload and the producer the folders it creates.
type driveNode struct {
	id      string
	virtual bool // a folder a dry run would create
	mu      sync.Mutex
	listed  bool
	folders map[string]*driveNode // by lower-case name
	entries map[string]graph.DriveItem
}

func (n *driveNode) entry(name string) (graph.DriveItem, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	it, ok := n.entries[strings.ToLower(name)]
	return it, ok
}

func (n *driveNode) put(it graph.DriveItem) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.entries[strings.ToLower(it.Name)] = it
}

// list reads a folder's children once.
func (dr *driveRestorer) list(ctx context.Context, n *driveNode) error {
	if n.listed {
		return nil
	}
	n.folders, n.entries = map[string]*driveNode{}, map[string]graph.DriveItem{}
	if !n.virtual {
		for it, err := range dr.job.c.Children(ctx, dr.driveID, n.id, &graph.ListOptions{Top: 999}) {
			if err != nil {
				return fmt.Errorf("list folder: %w", err)
			}
			n.entries[strings.ToLower(it.Name)] = it
			if it.Folder != nil {
				n.folders[strings.ToLower(it.Name)] = &driveNode{id: it.ID}
			}
		}
	}
	n.listed = true
	return nil
}

// ensure finds or creates the folder path names below n, giving a created
// last folder the timestamps fsi. It is called from one goroutine only.
func (dr *driveRestorer) ensure(ctx context.Context, n *driveNode, names []string, fsi *graph.FileSystemInfo) (*driveNode, error) {
	for i, name := range names {
		if err := dr.list(ctx, n); err != nil {
			return nil, err
		}
		key := strings.ToLower(name)
		n.mu.Lock() // workers add the files they upload to entries
		c, isFolder := n.folders[key]
		it, isEntry := n.entries[key]
		n.mu.Unlock()
		if isFolder {
			n = c
			continue
		}
		if isEntry && it.Folder == nil {
			return nil, fmt.Errorf("a file named %q is where the folder should be", name)
		}
		c = &driveNode{virtual: true}
		if !dr.job.req.DryRun && !n.virtual {
			var f *graph.FileSystemInfo
			if i == len(names)-1 {
				f = fsi
			}
			var created *graph.DriveItem
			fresh := true
			err := retry(ctx, func(int) error {
				var err error
				created, err = dr.job.c.CreateDriveFolder(graph.RetrySafe(ctx), dr.driveID, n.id, name, graph.ConflictFail, f)
				if errors.Is(err, graph.ErrConflict) {
					fresh = false // may hold items: list it
					// Made by an earlier attempt or meanwhile: use it.
					created, err = dr.job.c.DriveItemByPath(ctx, dr.driveID, dr.pathOf(ctx, n, name))
					if err == nil && created.Folder == nil {
						err = permanent(fmt.Errorf("a file named %q is where the folder should be", name))
					}
				}
				return err
			})
			if err != nil {
				return nil, fmt.Errorf("create folder %q: %w", name, err)
			}
			c = &driveNode{id: created.ID}
			if fresh {
				c.listed, c.folders, c.entries = true, map[string]*driveNode{}, map[string]graph.DriveItem{}
			}
		}
		dr.job.folderCreated()
		n.mu.Lock()
		n.folders[key] = c
		n.entries[key] = graph.DriveItem{Name: name, ID: c.id, Folder: &graph.FolderFacet{}}
		n.mu.Unlock()
		n = c
	}
	return n, nil
}

// pathOf is the drive path of name in folder n, asked of Graph (only
// needed after a conflict).
func (dr *driveRestorer) pathOf(ctx context.Context, n *driveNode, name string) string {
	it, err := dr.job.c.DriveItem(ctx, dr.driveID, n.id, &graph.GetOptions{Select: []string{"id", "name", "parentReference", "root"}})
	if err != nil || it.Root != nil || it.ParentReference == nil {
		return name
	}
	_, p, _ := strings.Cut(it.ParentReference.Path, ":")
	return strings.TrimPrefix(p+"/"+it.Name+"/"+name, "/")
}

// sameContent reports whether a drive item holds the snapshot's bytes, by
// size and the hashes both have.
func sameContent(have graph.DriveItem, want graph.DriveItem, size int64) bool {
	if have.File == nil || have.Size != size || have.File.Hashes == nil || want.File == nil || want.File.Hashes == nil {
		return false
	}
	h, w := have.File.Hashes, want.File.Hashes
	switch {
	case h.QuickXorHash != "" && w.QuickXorHash != "":
		return strings.EqualFold(h.QuickXorHash, w.QuickXorHash)
	case h.SHA256Hash != "" && w.SHA256Hash != "":
		return strings.EqualFold(h.SHA256Hash, w.SHA256Hash)
	case h.SHA1Hash != "" && w.SHA1Hash != "":
		return strings.EqualFold(h.SHA1Hash, w.SHA1Hash)
	}
	return false
}

// restoreFile restores one file into folder parent under name.
func (dr *driveRestorer) restoreFile(ctx context.Context, parent *driveNode, it dataguard.DriveItemRef, name string) {
	j := dr.job
	ref := j.ref(it.ID, it.Path)
	var meta graph.DriveItem
	if err := j.v.ReadJSON(ctx, it.Meta, &meta); err != nil {
		j.fail(ctx, ref, fmt.Errorf("read stored metadata: %w", err))
		return
	}
	fsi := restorableFSI(meta.FileSystemInfo)
	var action Action
	var bytes int64
	var target string
	err := retry(ctx, func(int) error {
		var err error
		action, bytes, target, err = dr.restoreFileOnce(ctx, parent, it, name, meta, it.Size, fsi)
		return err
	})
	if err != nil {
		j.fail(ctx, ref, err)
		return
	}
	j.done(ref, action, bytes)
	dr.restoreSharing(ctx, it, target)
}

// restoreFileOnce is one attempt at restoring a file. It returns what it
// did (or, in a dry run, would do), the content bytes written and the id
// of the file at the destination ("" when a dry run would create it).
func (dr *driveRestorer) restoreFileOnce(ctx context.Context, parent *driveNode, it dataguard.DriveItemRef, name string,
	meta graph.DriveItem, size int64, fsi *graph.FileSystemInfo) (Action, int64, string, error) {
	j := dr.job
	dry := j.req.DryRun || parent.virtual
	// Back to its own place: the file may still exist under its id,
	// renamed, moved or with other content (ransomware encrypts in place
	// and renames). Replacing it there keeps its id, sharing and version
	// history, and leaves no encrypted copy behind.
	if j.req.Target.Original() && j.req.Collision == CollisionReplace && !parent.virtual {
		cur, err := j.c.DriveItem(ctx, dr.driveID, it.ID, nil)
		switch {
		case err == nil && cur.File != nil && cur.Deleted == nil:
			a, n, err := dr.replaceByID(ctx, parent, it, name, meta, size, fsi, cur, dry)
			return a, n, cur.ID, err
		case err != nil && !graph.IsNotFound(err):
			return "", 0, "", fmt.Errorf("look up the file: %w", err)
		}
	}
	existing, exists := parent.entry(name)
	if exists && existing.Folder != nil {
		return "", 0, "", permanent(fmt.Errorf("a folder named %q is where the file should be", name))
	}
	conflict, action := graph.ConflictFail, ActionCreated
	if exists {
		switch j.req.Collision {
		case CollisionSkip:
			return ActionSkipped, 0, existing.ID, nil
		case CollisionCopy:
			conflict, action = graph.ConflictRename, ActionCopied
		case CollisionReplace:
			if sameContent(existing, meta, size) {
				if !dry {
					if err := dr.setFSI(ctx, existing.ID, fsi); err != nil {
						return "", 0, "", err
					}
				}
				return ActionUnchanged, 0, existing.ID, nil
			}
			conflict, action = graph.ConflictReplace, ActionReplaced
		}
	}
	if dry {
		id := ""
		if exists && action != ActionCopied {
			id = existing.ID
		}
		return action, size, id, nil
	}
	created, err := dr.upload(ctx, parent.id, name, it, size, conflict, fsi)
	if errors.Is(err, graph.ErrConflict) && conflict == graph.ConflictFail {
		// Someone (or an earlier attempt whose answer was lost) put a
		// file there: look at it and apply the collision mode.
		cur, gerr := j.c.DriveItemByPath(ctx, dr.driveID, dr.pathOf(ctx, parent, name))
		if gerr != nil {
			return "", 0, "", fmt.Errorf("%w (then: %v)", err, gerr)
		}
		parent.put(*cur)
		if sameContent(*cur, meta, size) {
			if err := dr.setFSI(ctx, cur.ID, fsi); err != nil {
				return "", 0, "", err
			}
			return ActionCreated, size, cur.ID, nil
		}
		return "", 0, "", fmt.Errorf("%w: created meanwhile by someone else", err) // the next attempt sees it in the listing
	}
	if err != nil {
		return "", 0, "", err
	}
	parent.put(*created)
	return action, size, created.ID, nil
}

// replaceByID restores a file that still exists under its id: new content
// if it differs, then its name, folder and timestamps.
func (dr *driveRestorer) replaceByID(ctx context.Context, parent *driveNode, it dataguard.DriveItemRef, name string,
	meta graph.DriveItem, size int64, fsi *graph.FileSystemInfo, cur *graph.DriveItem, dry bool) (Action, int64, error) {
	j := dr.job
	same := sameContent(*cur, meta, size)
	u := graph.DriveItemUpdate{FileSystemInfo: fsi}
	if cur.Name != name {
		u.Name = name
	}
	if cur.ParentReference == nil || cur.ParentReference.ID != parent.id {
		u.ParentID = parent.id
	}
	moved := u.Name != "" || u.ParentID != ""
	action, bytes := ActionUnchanged, int64(0)
	if !same {
		action, bytes = ActionReplaced, size
	} else if moved {
		action = ActionReplaced
	}
	if dry {
		return action, bytes, nil
	}
	if !same {
		f, err := j.v.Open(ctx, it.Content)
		if err != nil {
			return "", 0, fmt.Errorf("open stored content: %w", err)
		}
		defer f.Close()
		if _, err := j.c.ReplaceContent(ctx, dr.driveID, cur.ID, f, size, smallUploadMax, fsi); err != nil {
			return "", 0, fmt.Errorf("replace content: %w", err)
		}
	}
	if !moved && fsi == nil {
		return action, bytes, nil
	}
	updated, err := j.c.UpdateDriveItem(graph.RetrySafe(ctx), dr.driveID, cur.ID, u)
	if errors.Is(err, graph.ErrConflict) {
		// Another item took the name: replace that one at the path
		// instead; the file under its id keeps the right content.
		created, uerr := dr.upload(ctx, parent.id, name, it, size, graph.ConflictReplace, fsi)
		if uerr != nil {
			return "", 0, uerr
		}
		parent.put(*created)
		return ActionReplaced, bytes + size, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("restore name and timestamps: %w", err)
	}
	parent.put(*updated)
	return action, bytes, nil
}

// upload uploads a file's stored content into folder parentID, streamed
// from the repository: one PUT up to smallUploadMax, an upload session
// above.
func (dr *driveRestorer) upload(ctx context.Context, parentID, name string, it dataguard.DriveItemRef, size int64,
	conflict string, fsi *graph.FileSystemInfo) (*graph.DriveItem, error) {
	j := dr.job
	f, err := j.v.Open(ctx, it.Content)
	if err != nil {
		return nil, fmt.Errorf("open stored content: %w", err)
	}
	defer f.Close()
	if n, err := f.Seek(0, io.SeekEnd); err == nil {
		size = n
		_, err = f.Seek(0, io.SeekStart)
		if err != nil {
			return nil, fmt.Errorf("read stored content: %w", err)
		}
	}
	opts := &graph.UploadOptions{ConflictBehavior: conflict}
	if size > smallUploadMax {
		opts.FileSystemInfo = fsi
		return j.c.UploadLarge(ctx, dr.driveID, parentID, name, f, size, opts)
	}
	created, err := j.c.UploadSmall(ctx, dr.driveID, parentID, name, f, size, opts)
	if err != nil {
		return nil, err
	}
	// A PUT cannot carry fileSystemInfo: set it afterwards.
	if err := dr.setFSI(ctx, created.ID, fsi); err != nil {
		return nil, err
	}
	return created, nil
}

// setFSI sets a drive item's fileSystemInfo; absolute values, so safe to
// repeat.
func (dr *driveRestorer) setFSI(ctx context.Context, id string, fsi *graph.FileSystemInfo) error {
	if fsi == nil {
		return nil
	}
	_, err := dr.job.c.UpdateDriveItem(graph.RetrySafe(ctx), dr.driveID, id, graph.DriveItemUpdate{FileSystemInfo: fsi})
	if err != nil {
		return fmt.Errorf("set timestamps: %w", err)
	}
	return nil
}
