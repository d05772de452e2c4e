package repo

import (
	"context"
	"fmt"
	"io"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kopia/kopia/fs"
	kopiarepo "github.com/kopia/kopia/repo"
	"github.com/kopia/kopia/repo/object"
	"github.com/kopia/kopia/snapshot"
)

// SnapshotOptions configure NewSnapshot.
type SnapshotOptions struct {
	// Tags are stored on the snapshot manifest (see the Tag* keys) and can be
	// matched by Filter. Keys must be non-empty.
	Tags map[string]string
	// Previous is the snapshot that CarryOver, CarryOverTree and
	// CarryOverFrom reuse entries from, usually Latest(src). It must belong
	// to the same Source, so data never crosses tenants. Nil: nothing to
	// carry over.
	Previous *SnapshotID
	// Description is free text shown in listings.
	Description string
}

// SnapshotWriter builds one snapshot of one Source as a tree of paths. Bytes
// are stored as they stream in; the tree itself is kept in memory and
// written by Commit. Each written file costs about 500 bytes until then
// (measured with 50,000 mail items; this includes kopia's index entries,
// which Flush releases); a carried-over subtree costs one entry, and
// CloseDir releases a finished folder.
//
// WriteFile, CarryOver, CarryOverTree, CarryOverFrom, Remove, CloseDir,
// Flush and Stats are safe for concurrent use. Commit and Abort end the writer: they wait for calls
// already running, and later calls return ErrWriterClosed. A writer that is
// never committed leaves no snapshot behind (see the package documentation
// on crash safety).
//
// When two calls name the same path, the later one wins, except that
// CarryOverTree merges into a directory that already has entries in this
// snapshot, keeping those entries.
type SnapshotWriter struct {
	r     *Repository
	src   Source
	tags  map[string]string // kopia labels, prefixed
	desc  string
	start time.Time
	kw    kopiarepo.RepositoryWriter
	prev  *previousTree // nil without Previous

	uploaded atomic.Int64 // bytes of pack blobs uploaded by this session

	mu       sync.Mutex
	root     *node
	closed   bool
	inflight sync.WaitGroup
	stats    WriterStats
}

// WriterStats counts a writer's work so far. Counts are of calls: a path
// written twice counts twice.
type WriterStats struct {
	Written      int64 // WriteFile calls that completed
	WrittenBytes int64 // bytes those calls streamed
	CarriedOver  int64 // entries reused by the CarryOver* methods
	// UploadedBytes is what reached storage: new, deduplicated, compressed
	// and encrypted data, including directory manifests.
	UploadedBytes int64
}

// NewSnapshot starts a snapshot of src. Close the returned writer with Commit
// or Abort.
func (r *Repository) NewSnapshot(ctx context.Context, src Source, opts SnapshotOptions) (*SnapshotWriter, error) {
	if err := src.validate(); err != nil {
		return nil, err
	}

	tags := maps.Clone(opts.Tags)
	if tags == nil {
		tags = map[string]string{}
	}

	for k, v := range map[string]string{TagTenant: src.Tenant, TagWorkload: src.Workload, TagResource: src.Resource} {
		if _, ok := tags[k]; !ok {
			tags[k] = v
		}
	}

	labels, err := tagsToKopia(tags)
	if err != nil {
		return nil, fmt.Errorf("new snapshot of %s: %w", src, err)
	}

	w := &SnapshotWriter{r: r, src: src, tags: labels, desc: opts.Description, start: r.now(), root: newDirNode()}

	if opts.Previous != nil {
		m, err := r.manifest(ctx, *opts.Previous)
		if err != nil {
			return nil, fmt.Errorf("new snapshot of %s: previous: %w", src, err)
		}

		if sourceFromKopia(m.Source) != src {
			return nil, fmt.Errorf("new snapshot of %s: previous snapshot %s belongs to %s", src, m.ID, sourceFromKopia(m.Source))
		}

		w.prev = newPreviousTree(m.RootEntry)
	}

	_, kw, err := r.kr.NewWriter(ctx, kopiarepo.WriteSessionOptions{
		Purpose:  "sg365 snapshot " + src.String(),
		OnUpload: func(n int64) { w.uploaded.Add(n) },
	})
	if err != nil {
		return nil, fmt.Errorf("new snapshot of %s: %w", src, err)
	}

	w.kw = kw

	return w, nil
}

// begin admits one call; done must be called when it returns.
func (w *SnapshotWriter) begin() (done func(), err error) {
	w.mu.Lock()
	defer w.mu.Unlock()

	if w.closed {
		return nil, ErrWriterClosed
	}

	w.inflight.Add(1)

	return w.inflight.Done, nil
}

// load reads stored directories through the write session, which also sees
// directories this session wrote (CloseDir) before they are flushed.
func (w *SnapshotWriter) load(ctx context.Context, de *snapshot.DirEntry) ([]*snapshot.DirEntry, error) {
	return loadDir(ctx, w.kw, de)
}

// WriteFile streams r into the repository and records it at path with
// modification time mtime. Memory use does not depend on the size of r: kopia
// splits the stream into chunks of at most a few MiB as it arrives. The
// caller keeps ownership of r. A path written before is replaced.
func (w *SnapshotWriter) WriteFile(ctx context.Context, path string, r io.Reader, mtime time.Time) error {
	names, err := splitPath(path)
	if err == nil && len(names) == 0 {
		err = fmt.Errorf("%w: a file needs a name", ErrInvalidPath)
	}

	if err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}

	done, err := w.begin()
	if err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	defer done()

	oid, size, err := w.stream(ctx, r)
	if err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}

	leaf := &node{entry: &snapshot.DirEntry{
		Name:        names[len(names)-1],
		Type:        snapshot.EntryTypeFile,
		Permissions: fileMode,
		FileSize:    size,
		ModTime:     fs.UTCTimestampFromTime(mtime),
		ObjectID:    oid,
	}}

	w.mu.Lock()
	defer w.mu.Unlock()

	if err := w.put(ctx, names, leaf); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}

	w.stats.Written++
	w.stats.WrittenBytes += size

	return nil
}

func (w *SnapshotWriter) stream(ctx context.Context, r io.Reader) (object.ID, int64, error) {
	ow := w.kw.NewObjectWriter(ctx, object.WriterOptions{
		Description:        "FILE",
		Compressor:         compressor,
		MetadataCompressor: compressor,
		AsyncWrites:        1, // compress and encrypt one chunk while reading the next
	})
	defer ow.Close() //nolint:errcheck // Result reports write errors

	n, err := io.Copy(ow, ctxReader{ctx, r})
	if err != nil {
		return object.EmptyID, 0, err
	}

	oid, err := ow.Result()
	if err != nil {
		return object.EmptyID, 0, fmt.Errorf("store: %w", err)
	}

	return oid, n, nil
}

// put places leaf at names. Callers hold w.mu.
func (w *SnapshotWriter) put(ctx context.Context, names []string, leaf *node) error {
	parent, err := w.root.dir(ctx, names[:len(names)-1], w.load)
	if err != nil {
		return err
	}

	name := names[len(names)-1]

	old := parent.children[name]
	if old != nil && old.isDir() != leaf.isDir() {
		return fmt.Errorf("%w: %q is a %s", ErrPathConflict, strings.Join(names, "/"), kindOf(old))
	}

	if old != nil && old.children != nil && leaf.entry != nil {
		// an open directory already has entries from this snapshot: merge
		return w.merge(ctx, old, leaf.entry)
	}

	parent.children[name] = leaf

	return nil
}

// merge adds the entries of the stored directory ref to the open directory n,
// keeping n's own entries and merging into its open subdirectories.
func (w *SnapshotWriter) merge(ctx context.Context, n *node, ref *snapshot.DirEntry) error {
	ents, err := w.load(ctx, ref)
	if err != nil {
		return err
	}

	for _, e := range ents {
		cur, ok := n.children[e.Name]
		switch {
		case !ok:
			n.children[e.Name] = &node{entry: e}
		case cur.children != nil && e.Type == snapshot.EntryTypeDirectory:
			if err := w.merge(ctx, cur, e); err != nil {
				return err
			}
		}
	}

	return nil
}

func kindOf(n *node) string {
	if n.isDir() {
		return "directory"
	}

	return "file"
}

// Remove deletes the entry at path (a file or a whole directory) from the
// snapshot being built, typically an item Graph reported as deleted after a
// CarryOverTree of its folder. It reports whether there was an entry. The
// context is needed because a carried-over directory on the way is read.
func (w *SnapshotWriter) Remove(ctx context.Context, path string) (bool, error) {
	names, err := splitPath(path)
	if err == nil && len(names) == 0 {
		err = fmt.Errorf("%w: cannot remove the root", ErrInvalidPath)
	}

	if err != nil {
		return false, fmt.Errorf("remove %q: %w", path, err)
	}

	done, err := w.begin()
	if err != nil {
		return false, fmt.Errorf("remove %q: %w", path, err)
	}
	defer done()

	w.mu.Lock()
	defer w.mu.Unlock()

	cur := w.root
	for _, name := range names[:len(names)-1] {
		next := cur.children[name]
		if next == nil || !next.isDir() {
			return false, nil
		}

		if err := next.expand(ctx, w.load); err != nil {
			return false, fmt.Errorf("remove %q: %w", path, err)
		}

		cur = next
	}

	last := names[len(names)-1]
	_, ok := cur.children[last]
	delete(cur.children, last)

	return ok, nil
}

// Flush makes everything streamed so far durable in the repository's index,
// without making a snapshot. After a crash, the next run's WriteFile of the
// same bytes then uploads nothing again. Flushing costs one small index blob,
// so call it every few minutes or few hundred MiB, not per file.
func (w *SnapshotWriter) Flush(ctx context.Context) error {
	done, err := w.begin()
	if err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	defer done()

	if err := w.kw.Flush(ctx); err != nil {
		return fmt.Errorf("flush snapshot of %s: %w", w.src, err)
	}

	return nil
}

// Stats returns the writer's counters. It is safe to call at any time.
func (w *SnapshotWriter) Stats() WriterStats {
	w.mu.Lock()
	defer w.mu.Unlock()

	s := w.stats
	s.UploadedBytes = w.uploaded.Load()

	return s
}

// Abort ends the writer without a snapshot. Data already uploaded stays as
// unreferenced blobs until maintenance removes them. Abort after Commit is a
// no-op, so `defer w.Abort()` is the usual pattern.
func (w *SnapshotWriter) Abort() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}

	w.closed = true
	w.mu.Unlock()
	w.inflight.Wait()

	// A closing writer discards unflushed packs; nothing can be returned.
	w.kw.Close(context.Background()) //nolint:errcheck,contextcheck // Abort has no caller context to honour
}

// ctxReader stops a long stream when its context ends.
type ctxReader struct {
	ctx context.Context //nolint:containedctx // adapts io.Reader to a context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}

	return c.r.Read(p)
}
