package dataguard

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// DriveItemRef is a file or folder of a OneDrive snapshot.
type DriveItemRef struct {
	ID       string
	Name     string
	ParentID string
	// Path is the item's path from the drive root by names, e.g.
	// "Documents/report.docx"; the root itself is not part of it.
	Path   string
	Folder bool
	Size   int64
	Hash   string // quickXorHash, sha256 or sha1, as the drive gave it
	// Content is where a file's bytes are stored ("" for folders), Meta
	// where its driveItem JSON is.
	Content string
	Meta    string
	// Permissions is where the item's sharing permissions are stored ("" when
	// none are: see View.ReadPermissions), Shared how many there are.
	Permissions string
	Shared      int
}

// DriveItems lists every item of a OneDrive snapshot except the root,
// sorted by path (so folders come before their contents). It reads the
// drive's shard indexes, and the .meta.json of items whose index entry
// predates names in the index.
func (v *View) DriveItems(ctx context.Context) ([]DriveItemRef, error) {
	if v.workload != WorkloadOneDrive {
		return nil, nil
	}
	ents, err := v.r.ReadDir(ctx, v.info.ID, driveDir)
	if errors.Is(err, repo.ErrPathNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list drive items: %w", err)
	}
	marks := map[string]driveMark{}
	for _, e := range ents {
		if e.Type != repo.TypeDir {
			continue
		}
		items, _, err := loadIndex[driveMark](ctx, v.r, v.info.ID, driveIndexPath(e.Name))
		if err != nil {
			return nil, fmt.Errorf("list drive items: %w", err)
		}
		for id, m := range items {
			marks[id] = m
		}
	}
	var root string
	for id, m := range marks {
		if m.Name == "" {
			_, metaPath := DriveItemPaths(id)
			var it graph.DriveItem
			if err := v.ReadJSON(ctx, metaPath, &it); err != nil {
				return nil, fmt.Errorf("list drive items: item %s: %w", id, err)
			}
			m.Name = it.Name
			if it.Root != nil {
				m.Name, root = "", id
			}
			marks[id] = m
		}
		if m.Parent == "" && m.Folder {
			root = id
		}
	}
	node := func(id string) (string, string, bool) {
		m, ok := marks[id]
		if !ok || id == root {
			return "", "", false
		}
		return m.Name, m.Parent, true
	}
	out := make([]DriveItemRef, 0, len(marks))
	for id, m := range marks {
		if id == root {
			continue
		}
		ref := DriveItemRef{ID: id, Name: m.Name, ParentID: m.Parent, Path: joinPath(id, node),
			Folder: m.Folder, Size: m.Size, Hash: m.Hash}
		content, meta := DriveItemPaths(id)
		ref.Meta = meta
		if m.Perms > 0 {
			ref.Permissions, ref.Shared = DriveItemPermissionsPath(id), m.Perms
		}
		if !m.Folder {
			ref.Content = content
		}
		out = append(out, ref)
	}
	slices.SortFunc(out, func(a, b DriveItemRef) int { return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// DriveItemsUnder lists the items at or below the drive path prefix.
func (v *View) DriveItemsUnder(ctx context.Context, prefix string) ([]DriveItemRef, error) {
	all, err := v.DriveItems(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(it DriveItemRef) bool { return !pathHasPrefix(it.Path, prefix) }), nil
}

// DriveID is the id of the OneDrive a OneDrive snapshot holds ("" for
// other workloads), as the backup's state recorded it, else from the
// stored drive JSON (drive/.drive.json). A restore to the snapshot's own
// user writes to it without asking Graph for the user's drive.
func (v *View) DriveID(ctx context.Context) (string, error) {
	if v.workload != WorkloadOneDrive {
		return "", nil
	}
	if v.st.Drive != nil && v.st.Drive.ID != "" {
		return v.st.Drive.ID, nil
	}
	var d struct {
		ID string `json:"id"`
	}
	if err := v.ReadJSON(ctx, driveMetaPath, &d); err != nil {
		return "", fmt.Errorf("read the drive's id: %w", err)
	}
	return d.ID, nil
}
