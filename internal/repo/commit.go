package repo

import (
	"context"
	"fmt"
	"math"
	"path"

	"github.com/kopia/kopia/fs"
	"github.com/kopia/kopia/snapshot"
	"github.com/kopia/kopia/snapshot/snapshotfs"
)

// CloseDir writes the directory manifests of dir and everything below it now
// and keeps only a reference in memory. Call it when the engine has finished
// a folder, so that a snapshot of millions of items holds only the open
// folders in memory. Writing below dir later still works (the directory is
// read back), it is just slower. Closing a directory that does not exist or is
// already closed does nothing.
func (w *SnapshotWriter) CloseDir(ctx context.Context, dir string) error {
	names, err := splitPath(dir)
	if err != nil {
		return fmt.Errorf("close directory %q: %w", dir, err)
	}

	if len(names) == 0 {
		return nil // the root is written by Commit
	}

	done, err := w.begin()
	if err != nil {
		return fmt.Errorf("close directory %q: %w", dir, err)
	}
	defer done()

	// Holding mu while writing keeps the subtree still; other writers wait
	// only for the directory manifests, not for any file data.
	w.mu.Lock()
	defer w.mu.Unlock()

	parent, ok := w.root.lookup(names[:len(names)-1])
	if !ok || parent.children == nil {
		return nil
	}

	n := parent.children[names[len(names)-1]]
	if n == nil || n.children == nil {
		return nil
	}

	de, err := w.writeTree(ctx, path.Join(names...), n)
	if err != nil {
		return fmt.Errorf("close directory %q: %w", dir, err)
	}

	parent.children[names[len(names)-1]] = &node{entry: de}

	return nil
}

// writeTree writes the manifests of the open directories in n's subtree,
// bottom up, and returns n's entry. References are reused as they are, which
// is what makes carry-over free. Directory manifests are kopia's own format
// (snapshotfs builds, sorts and writes them) so kopia's GC, verify and
// restore understand our snapshots.
func (w *SnapshotWriter) writeTree(ctx context.Context, rel string, n *node) (*snapshot.DirEntry, error) {
	if n.children == nil {
		return n.entry, nil
	}

	b := &snapshotfs.DirManifestBuilder{}

	for name, c := range n.children {
		de, err := w.writeTree(ctx, path.Join(rel, name), c)
		if err != nil {
			return nil, err
		}

		de = de.Clone()
		de.Name = name
		b.AddEntry(de)
	}

	// An empty directory gets the snapshot's start time; otherwise the
	// newest entry's time, so equal directories serialise identically and
	// deduplicate.
	man := b.Build(fs.UTCTimestampFromTime(w.start), "")

	oid, err := snapshotfs.WriteDirManifest(ctx, w.kw, rel, man, compressor)
	if err != nil {
		return nil, fmt.Errorf("write directory %q: %w", rel, err)
	}

	// FileSize and ModTime are what kopia's directory reader reports for a
	// directory (its summary's totals), so an entry read back and carried
	// over serialises exactly as it was written.
	return &snapshot.DirEntry{
		Type:        snapshot.EntryTypeDirectory,
		Permissions: dirMode,
		FileSize:    man.Summary.TotalFileSize,
		ModTime:     man.Summary.MaxModTime,
		ObjectID:    oid,
		DirSummary:  man.Summary,
	}, nil
}

// Commit writes the directory manifests and the snapshot manifest and ends
// the writer. It waits for calls already running; calls made after it starts
// return ErrWriterClosed. On error no snapshot exists and the writer is
// closed as if aborted.
//
// The order is what makes it crash safe: file data and directory manifests
// are flushed (packs, then the index that names them) before the snapshot
// manifest is written and flushed, so a snapshot is never visible before
// everything it refers to.
func (w *SnapshotWriter) Commit(ctx context.Context) (SnapshotInfo, error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return SnapshotInfo{}, fmt.Errorf("commit: %w", ErrWriterClosed)
	}

	w.closed = true
	w.mu.Unlock()
	w.inflight.Wait()

	defer w.kw.Close(ctx) //nolint:errcheck // after Flush nothing is pending; before it, nothing should be kept

	info, err := w.commit(ctx)
	if err != nil {
		return SnapshotInfo{}, fmt.Errorf("commit snapshot of %s: %w", w.src, err)
	}

	return info, nil
}

func (w *SnapshotWriter) commit(ctx context.Context) (SnapshotInfo, error) {
	root, err := w.writeTree(ctx, "", w.root)
	if err != nil {
		return SnapshotInfo{}, err
	}

	root = root.Clone()
	root.Name = w.src.Resource

	if err := w.kw.Flush(ctx); err != nil {
		return SnapshotInfo{}, fmt.Errorf("flush data: %w", err)
	}

	sum := root.DirSummary
	man := &snapshot.Manifest{
		Source:      w.src.kopia(),
		Description: w.desc,
		StartTime:   fs.UTCTimestampFromTime(w.start),
		EndTime:     fs.UTCTimestampFromTime(w.r.now()),
		RootEntry:   root,
		Tags:        w.tags,
		Stats: snapshot.Stats{
			TotalFileSize:       sum.TotalFileSize,
			TotalFileCount:      clamp32(sum.TotalFileCount),
			TotalDirectoryCount: clamp32(sum.TotalDirCount),
			CachedFiles:         clamp32(w.stats.CarriedOver),
			NonCachedFiles:      clamp32(w.stats.Written),
		},
	}

	if _, err := snapshot.SaveSnapshot(ctx, w.kw, man); err != nil {
		return SnapshotInfo{}, fmt.Errorf("save manifest: %w", err)
	}

	if err := w.kw.Flush(ctx); err != nil {
		return SnapshotInfo{}, fmt.Errorf("flush manifest: %w", err)
	}

	return infoFromManifest(man), nil
}

// clamp32 fits a count into kopia's int32 statistics; the exact int64 totals
// live in the root directory summary, which SnapshotInfo reads.
func clamp32(v int64) int32 {
	return int32(min(v, math.MaxInt32)) //nolint:gosec // clamped
}
