package catalog

import (
	"context"

	"github.com/safeguard365/safeguard365/internal/dataguard"
)

// driveItemJSON is what the catalog reads of a driveItem's JSON.
type driveItemJSON struct {
	Modified       string `json:"lastModifiedDateTime"`
	FileSystemInfo *struct {
		Modified string `json:"lastModifiedDateTime"`
	} `json:"fileSystemInfo"`
}

// modified is the time the user sees: the file system's (set by the
// client that uploaded it), else OneDrive's.
func (j driveItemJSON) modified() string {
	if j.FileSystemInfo != nil && j.FileSystemInfo.Modified != "" {
		return j.FileSystemInfo.Modified
	}
	return j.Modified
}

// listDrive lists a OneDrive snapshot's files and folders. The listing
// knows names, sizes and content hashes; the modification time comes from
// the item's .meta.json, read only for new or changed items.
func listDrive(ctx context.Context, v *dataguard.View, _ Options, emit func(entry) error) error {
	items, err := v.DriveItems(ctx)
	if err != nil {
		return err
	}
	for _, d := range items {
		e := entry{Item: Item{Kind: KindFile, ID: d.ID, Folder: parentPath(d.Path), Name: d.Name, Size: d.Size, Hash: d.Hash}}
		if d.Folder {
			e.Kind, e.Size, e.Hash = KindFolder, 0, ""
		}
		e.same = func(old *Item) bool {
			return old.Kind == e.Kind && old.Name == e.Name && old.Size == e.Size && old.Hash == e.Hash
		}
		meta := d.Meta
		e.load = func(ctx context.Context, it *Item) error {
			var js driveItemJSON
			if err := v.ReadJSON(ctx, meta, &js); err != nil {
				return err
			}
			it.Modified = parseGraphTime(js.modified())
			it.Date = it.Modified
			return nil
		}
		if err := emit(e); err != nil {
			return err
		}
	}
	return nil
}
