package repo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/kopia/kopia/repo/manifest"
	"github.com/kopia/kopia/snapshot"
)

// EntryType tells files from directories.
type EntryType int

// Entry types.
const (
	TypeFile EntryType = iota + 1
	TypeDir
)

func (t EntryType) String() string {
	switch t {
	case TypeFile:
		return "file"
	case TypeDir:
		return "dir"
	default:
		return "unknown"
	}
}

// Entry is one file or directory in a snapshot.
type Entry struct {
	Path    string // slash-separated, relative to the snapshot root
	Name    string
	Type    EntryType
	Size    int64 // file size; for directories the total size of the files below
	ModTime time.Time
	// ObjectID is kopia's object ID: equal IDs mean equal bytes, and a
	// carried-over entry keeps its ID.
	ObjectID string
	Files    int64 // directories only: files below, recursively
}

func entryFromKopia(dir string, de *snapshot.DirEntry) Entry {
	e := Entry{
		Path:     path.Join(dir, de.Name),
		Name:     de.Name,
		Type:     TypeFile,
		Size:     de.FileSize,
		ModTime:  de.ModTime.ToTime(),
		ObjectID: de.ObjectID.String(),
	}

	if de.Type == snapshot.EntryTypeDirectory {
		e.Type = TypeDir
		if s := de.DirSummary; s != nil {
			e.Size, e.Files = s.TotalFileSize, s.TotalFileCount
		}
	}

	return e
}

// manifest loads a snapshot manifest. It returns ErrSnapshotNotFound for IDs
// that are not snapshots.
func (r *Repository) manifest(ctx context.Context, id SnapshotID) (*snapshot.Manifest, error) {
	m, err := snapshot.LoadSnapshot(ctx, r.kr, manifest.ID(id))
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", id, translate(err))
	}

	if m.RootEntry == nil {
		return nil, fmt.Errorf("snapshot %s: %w: no root directory", id, ErrDamaged)
	}

	return m, nil
}

// Snapshots lists the snapshots matching f, oldest first.
func (r *Repository) Snapshots(ctx context.Context, f Filter) ([]SnapshotInfo, error) {
	mans, err := r.manifests(ctx, f)
	if err != nil {
		return nil, err
	}

	out := make([]SnapshotInfo, 0, len(mans))
	for _, m := range mans {
		out = append(out, infoFromManifest(m))
	}

	slices.SortFunc(out, func(a, b SnapshotInfo) int {
		return cmp.Or(a.StartTime.Compare(b.StartTime), a.EndTime.Compare(b.EndTime), cmp.Compare(a.ID, b.ID))
	})

	return out, nil
}

func (r *Repository) manifests(ctx context.Context, f Filter) ([]*snapshot.Manifest, error) {
	labels, err := f.labels()
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}

	// See snapshots other processes committed since we opened: the engine
	// picks Previous from this list, and other workers write to the same
	// repository. One index listing; cheap next to loading manifests.
	if err := r.kr.Refresh(ctx); err != nil {
		return nil, fmt.Errorf("list snapshots: refresh index: %w", err)
	}

	md, err := r.kr.FindManifests(ctx, labels)
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}

	ids := make([]manifest.ID, 0, len(md))
	for _, m := range md {
		ids = append(ids, m.ID)
	}

	// LoadSnapshots skips manifests it cannot decode rather than failing
	// the whole listing; Verify reports those.
	mans, err := snapshot.LoadSnapshots(ctx, r.kr, ids)
	if err != nil {
		return nil, fmt.Errorf("load snapshots: %w", err)
	}

	return mans, nil
}

// Latest returns the newest snapshot of src; ok is false when there is none.
// The engine passes its ID as SnapshotOptions.Previous.
func (r *Repository) Latest(ctx context.Context, src Source) (info SnapshotInfo, ok bool, err error) {
	all, err := r.Snapshots(ctx, Filter{Tenant: src.Tenant, Workload: src.Workload, Resource: src.Resource})
	if err != nil || len(all) == 0 {
		return SnapshotInfo{}, false, err
	}

	return all[len(all)-1], true, nil
}

// find returns the entry at p in snapshot id (the root for "" or "/").
func (r *Repository) find(ctx context.Context, id SnapshotID, p string) (*snapshot.DirEntry, []string, error) {
	names, err := splitPath(p)
	if err != nil {
		return nil, nil, err
	}

	m, err := r.manifest(ctx, id)
	if err != nil {
		return nil, nil, err
	}

	de := m.RootEntry
	for i, name := range names {
		if de.Type != snapshot.EntryTypeDirectory {
			return nil, nil, fmt.Errorf("%w: %q is a file", ErrPathNotFound, strings.Join(names[:i], "/"))
		}

		d, err := r.dirs.dir(ctx, r, de)
		if err != nil {
			return nil, nil, err
		}

		idx, ok := d.byName[name]
		if !ok {
			return nil, nil, ErrPathNotFound
		}

		de = d.ents[idx]
	}

	return de, names, nil
}

// ReadDir lists the directory dir of snapshot id ("" is the root),
// directories first, then by name.
func (r *Repository) ReadDir(ctx context.Context, id SnapshotID, dir string) ([]Entry, error) {
	de, names, err := r.find(ctx, id, dir)
	if err != nil {
		return nil, fmt.Errorf("read directory %q of %s: %w", dir, id, err)
	}

	if de.Type != snapshot.EntryTypeDirectory {
		return nil, fmt.Errorf("read directory %q of %s: %w: not a directory", dir, id, ErrPathNotFound)
	}

	ents, err := loadDir(ctx, r.kr, de)
	if err != nil {
		return nil, fmt.Errorf("read directory %q of %s: %w", dir, id, err)
	}

	out := make([]Entry, 0, len(ents))
	for _, e := range ents {
		out = append(out, entryFromKopia(path.Join(names...), e))
	}

	return out, nil
}

// OpenFile opens the file at p in snapshot id. The reader seeks and reads
// lazily, fetching and decrypting only the chunks it needs; the caller closes
// it. Corrupt data surfaces as a read error wrapping ErrDamaged.
func (r *Repository) OpenFile(ctx context.Context, id SnapshotID, p string) (io.ReadSeekCloser, error) {
	de, _, err := r.find(ctx, id, p)
	if err != nil {
		return nil, fmt.Errorf("open %q in %s: %w", p, id, err)
	}

	if de.Type != snapshot.EntryTypeFile {
		return nil, fmt.Errorf("open %q in %s: %w: not a file", p, id, ErrPathNotFound)
	}

	or, err := r.kr.OpenObject(ctx, de.ObjectID)
	if err != nil {
		return nil, fmt.Errorf("open %q in %s: %w", p, id, translate(err))
	}

	return or, nil
}

// WalkFunc is called by Walk for each entry. As with io/fs.WalkDirFunc,
// returning fs.SkipDir for a directory skips its contents, for a file skips
// the rest of its directory, and fs.SkipAll ends the walk without error; any
// other error stops the walk and is returned by Walk.
type WalkFunc func(e Entry) error

// Walk calls fn for every entry of snapshot id in depth-first order,
// directories before their contents, siblings in ReadDir order. The root
// itself is not passed to fn. Memory holds one directory per level.
func (r *Repository) Walk(ctx context.Context, id SnapshotID, fn WalkFunc) error {
	m, err := r.manifest(ctx, id)
	if err != nil {
		return fmt.Errorf("walk %s: %w", id, err)
	}

	if err := r.walk(ctx, "", m.RootEntry, fn); err != nil && !errors.Is(err, iofs.SkipAll) {
		return fmt.Errorf("walk %s: %w", id, err)
	}

	return nil
}

func (r *Repository) walk(ctx context.Context, dir string, de *snapshot.DirEntry, fn WalkFunc) error {
	ents, err := loadDir(ctx, r.kr, de)
	if err != nil {
		return fmt.Errorf("%q: %w", dir, err)
	}

	for _, c := range ents {
		if err := ctx.Err(); err != nil {
			return err
		}

		e := entryFromKopia(dir, c)

		err := fn(e)
		switch {
		case errors.Is(err, iofs.SkipDir) && e.Type == TypeDir:
			continue
		case errors.Is(err, iofs.SkipDir):
			return nil // as in io/fs: SkipDir on a file skips its siblings
		case err != nil:
			return err
		}

		if e.Type == TypeDir {
			if err := r.walk(ctx, e.Path, c, fn); err != nil {
				return err
			}
		}
	}

	return nil
}
