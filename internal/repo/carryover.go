package repo

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/kopia/kopia/snapshot"
)

// prevCacheDirs bounds how many directories of the previous snapshot are kept
// decoded. The engine carries items over folder by folder, so a handful
// suffices; when full the cache is simply dropped.
const prevCacheDirs = 64

// previousTree looks entries up in the previous snapshot, caching decoded
// directories. It is safe for concurrent use.
type previousTree struct {
	root *snapshot.DirEntry

	mu   sync.Mutex
	dirs map[string]map[string]*snapshot.DirEntry // by slash path; nil value: no such directory
}

func newPreviousTree(root *snapshot.DirEntry) *previousTree {
	return &previousTree{root: root, dirs: map[string]map[string]*snapshot.DirEntry{}}
}

// entry returns the previous snapshot's entry at names, or nil.
func (p *previousTree) entry(ctx context.Context, names []string, load dirLoader) (*snapshot.DirEntry, error) {
	if len(names) == 0 {
		return p.root, nil
	}

	p.mu.Lock()
	defer p.mu.Unlock()

	dir, err := p.dir(ctx, names[:len(names)-1], load)
	if err != nil || dir == nil {
		return nil, err
	}

	return dir[names[len(names)-1]], nil
}

// dir returns the entries of the previous directory at names, or nil if there
// is none. Callers hold p.mu.
func (p *previousTree) dir(ctx context.Context, names []string, load dirLoader) (map[string]*snapshot.DirEntry, error) {
	key := strings.Join(names, "/")
	if d, ok := p.dirs[key]; ok {
		return d, nil
	}

	de := p.root
	if len(names) > 0 {
		parent, err := p.dir(ctx, names[:len(names)-1], load)
		if err != nil {
			return nil, err
		}

		de = parent[names[len(names)-1]]
	}

	var d map[string]*snapshot.DirEntry

	if de != nil && de.Type == snapshot.EntryTypeDirectory {
		ents, err := load(ctx, de)
		if err != nil {
			return nil, err
		}

		d = make(map[string]*snapshot.DirEntry, len(ents))
		for _, e := range ents {
			d[e.Name] = e
		}
	}

	if len(p.dirs) >= prevCacheDirs {
		clear(p.dirs)
	}

	p.dirs[key] = d

	return d, nil
}

// CarryOver records at path the file the previous snapshot has at the same
// path, by reference: its bytes are neither read nor uploaded again, the new
// snapshot points at the same object. It reports false, and changes nothing,
// when there is no previous snapshot or it has no file at path. A directory
// at path is an error; use CarryOverTree.
func (w *SnapshotWriter) CarryOver(ctx context.Context, path string) (bool, error) {
	return w.carry(ctx, path, path, snapshot.EntryTypeFile)
}

// CarryOverTree records at dir the whole directory the previous snapshot has
// there, by reference, in constant time and memory however large it is. "" is
// the root: CarryOverTree(ctx, "") followed by WriteFile for changed items and
// Remove for deleted ones is an incremental backup. If dir already has entries
// in this snapshot they are kept and the previous entries are merged around
// them. It reports false when the previous snapshot has no directory at dir.
func (w *SnapshotWriter) CarryOverTree(ctx context.Context, dir string) (bool, error) {
	return w.carry(ctx, dir, dir, snapshot.EntryTypeDirectory)
}

// CarryOverFrom records at path the entry, file or directory, that the
// previous snapshot has at from, by reference. It is how a renamed or moved
// folder keeps its items without downloading them again. It reports false
// when the previous snapshot has nothing at from.
func (w *SnapshotWriter) CarryOverFrom(ctx context.Context, from, path string) (bool, error) {
	return w.carry(ctx, from, path, snapshot.EntryTypeUnknown)
}

// carry copies the previous entry at from to to; want is the entry type
// required there, or EntryTypeUnknown for any.
func (w *SnapshotWriter) carry(ctx context.Context, from, to string, want snapshot.EntryType) (bool, error) {
	src, err := splitPath(from)
	if err != nil {
		return false, fmt.Errorf("carry over %q: %w", from, err)
	}

	dst, err := splitPath(to)
	if err == nil && len(dst) == 0 && (want == snapshot.EntryTypeFile || len(src) > 0) {
		err = fmt.Errorf("%w: only a directory carried from the root can go to the root", ErrInvalidPath)
	}

	if err != nil {
		return false, fmt.Errorf("carry over %q to %q: %w", from, to, err)
	}

	done, err := w.begin()
	if err != nil {
		return false, fmt.Errorf("carry over %q: %w", from, err)
	}
	defer done()

	if w.prev == nil {
		return false, nil
	}

	de, err := w.prev.entry(ctx, src, w.load)
	if err != nil {
		return false, fmt.Errorf("carry over %q: %w", from, err)
	}

	if de == nil {
		return false, nil
	}

	if want != snapshot.EntryTypeUnknown && de.Type != want {
		return false, fmt.Errorf("carry over %q: %w: previous snapshot has a %s there", from, ErrPathConflict, typeName(de.Type))
	}

	w.mu.Lock()
	defer w.mu.Unlock()

	if len(dst) == 0 {
		err = w.merge(ctx, w.root, de)
	} else {
		c := de.Clone()
		c.Name = dst[len(dst)-1]
		err = w.put(ctx, dst, &node{entry: c})
	}

	if err != nil {
		return false, fmt.Errorf("carry over %q to %q: %w", from, to, err)
	}

	w.stats.CarriedOver++

	return true, nil
}

func typeName(t snapshot.EntryType) string {
	if t == snapshot.EntryTypeDirectory {
		return "directory"
	}

	return "file"
}
