package export

import (
	"context"
	"time"
)

// driveItemJSON is what export reads of a driveItem's JSON.
type driveItemJSON struct {
	Modified       string `json:"lastModifiedDateTime"`
	FileSystemInfo *struct {
		Modified string `json:"lastModifiedDateTime"`
	} `json:"fileSystemInfo"`
}

// mtime is the file's modification time as its owner's computer had it
// (fileSystemInfo), else OneDrive's.
func (d driveItemJSON) mtime() time.Time {
	if d.FileSystemInfo != nil {
		if t := parseTime(d.FileSystemInfo.Modified); !t.IsZero() {
			return t
		}
	}
	return parseTime(d.Modified)
}

// exportDrive writes the selected OneDrive files with their folders.
func exportDrive(ctx context.Context, j *job) error {
	items, err := j.v.DriveItems(ctx)
	if err != nil {
		return err
	}
	dirs := &folderDirs{j: j, top: dirOneDrive, dirs: map[string]string{}}
	for _, it := range items {
		if !j.related(it.Path) {
			continue
		}
		if it.Folder {
			d := dirs.add(it.ID, it.ParentID, it.Name, it.Path)
			if j.items == nil && j.underPath(it.Path) {
				if err := j.sink.Mkdir(d); err != nil {
					return err
				}
				j.sum.Folders++
			}
			continue
		}
		if !j.underPath(it.Path) || !j.want(it.ID) {
			continue
		}
		parent, ok := dirs.dirs[it.ParentID]
		if !ok {
			parent = dirOneDrive
			if pp := parentOf(it.Path); pp != "" {
				parent += "/" + sanitizePath(pp)
			}
		}
		var meta driveItemJSON
		if err := j.v.ReadJSON(ctx, it.Meta, &meta); err != nil {
			if err := j.failed(ctx, it.ID, err); err != nil {
				return err
			}
			continue
		}
		p := j.names.join(parent, it.Name, "")
		w, err := j.sink.Create(p, meta.mtime())
		if err != nil {
			return err
		}
		n, err := copyItem(ctx, j.v, it.Content, w)
		if cerr := w.Close(); cerr != nil {
			return cerr
		}
		if err != nil {
			if isSinkErr(err) {
				return err
			}
			if derr := j.sink.Discard(p); derr != nil {
				return derr
			}
			if err := j.failed(ctx, it.ID, err); err != nil {
				return err
			}
			continue
		}
		j.sum.Files++
		j.done(p, n)
	}
	return nil
}
