package repo

import (
	"context"
	"fmt"
	"strings"

	"github.com/kopia/kopia/snapshot"
)

// node is one entry of the tree a SnapshotWriter builds. It is one of:
//   - a file: entry is a file DirEntry, children is nil;
//   - a reference to a stored directory (carried over, or closed with
//     CloseDir): entry is a directory DirEntry, children is nil;
//   - an open directory: entry is nil, children is non-nil.
//
// A reference becomes an open directory (expand) only when something below
// it changes, so an untouched carried-over subtree costs one DirEntry.
type node struct {
	entry    *snapshot.DirEntry
	children map[string]*node
}

func newDirNode() *node { return &node{children: map[string]*node{}} }

func (n *node) isDir() bool {
	return n.children != nil || n.entry.Type == snapshot.EntryTypeDirectory
}

// dirLoader reads the entries of a stored directory.
type dirLoader func(ctx context.Context, de *snapshot.DirEntry) ([]*snapshot.DirEntry, error)

// expand turns a directory reference into an open directory whose children
// are references to the stored entries.
func (n *node) expand(ctx context.Context, load dirLoader) error {
	if n.children != nil {
		return nil
	}

	ents, err := load(ctx, n.entry)
	if err != nil {
		return err
	}

	n.children = make(map[string]*node, len(ents))
	for _, e := range ents {
		n.children[e.Name] = &node{entry: e}
	}

	n.entry = nil

	return nil
}

// dir walks to the open directory at names, creating missing directories and
// expanding references on the way. It fails with ErrPathConflict when a name
// on the way is a file.
func (n *node) dir(ctx context.Context, names []string, load dirLoader) (*node, error) {
	cur := n
	for i, name := range names {
		child := cur.children[name]
		switch {
		case child == nil:
			child = newDirNode()
			cur.children[name] = child
		case !child.isDir():
			return nil, fmt.Errorf("%w: %q is a file", ErrPathConflict, strings.Join(names[:i+1], "/"))
		}

		if err := child.expand(ctx, load); err != nil {
			return nil, err
		}

		cur = child
	}

	return cur, nil
}

// lookup returns the node at names without changing the tree, expanding
// nothing; ok is false when a name is missing or the path passes through a
// file or an unexpanded reference (in which case the caller expands).
func (n *node) lookup(names []string) (*node, bool) {
	cur := n
	for _, name := range names {
		if cur.children == nil {
			return nil, false
		}

		next, ok := cur.children[name]
		if !ok {
			return nil, false
		}

		cur = next
	}

	return cur, true
}
