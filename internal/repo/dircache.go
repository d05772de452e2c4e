package repo

import (
	"container/list"
	"context"
	"sync"

	"github.com/kopia/kopia/snapshot"
)

// dirCache keeps recently parsed directory manifests for path lookups.
// Opening items one by one (restore, export, the catalog) walks the same
// directories again and again, and parsing a directory costs time in
// proportion to its size: without the cache, reading every message of a
// 100,000-message folder would parse that folder 100,000 times. Stored
// directories never change (they are named by the hash of their content),
// so entries never go stale; the cache is bounded by the number of entries
// it holds, least recently used first out.
type dirCache struct {
	mu      sync.Mutex
	max     int // entries
	entries int
	lru     *list.List // of *cachedDir, most recent first
	byID    map[string]*list.Element
}

// cachedDir is a parsed directory: its entries in stored order and an
// index by name. Both are shared and must not be modified.
type cachedDir struct {
	id     string
	ents   []*snapshot.DirEntry
	byName map[string]int
}

// dirCacheEntries bounds the cache: at a few hundred bytes per entry, some
// tens of MiB.
const dirCacheEntries = 100_000

func newDirCache(max int) *dirCache {
	return &dirCache{max: max, lru: list.New(), byID: map[string]*list.Element{}}
}

// dir returns the parsed directory de, from the cache or loaded and kept.
func (c *dirCache) dir(ctx context.Context, r *Repository, de *snapshot.DirEntry) (*cachedDir, error) {
	id := de.ObjectID.String()
	c.mu.Lock()
	if el, ok := c.byID[id]; ok {
		c.lru.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*cachedDir), nil
	}
	c.mu.Unlock()

	ents, err := loadDir(ctx, r.kr, de)
	if err != nil {
		return nil, err
	}
	d := &cachedDir{id: id, ents: ents, byName: make(map[string]int, len(ents))}
	for i, e := range ents {
		d.byName[e.Name] = i
	}
	if len(ents) > c.max {
		return d, nil // larger than the whole cache: use once
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byID[id]; ok { // loaded meanwhile by another caller
		return el.Value.(*cachedDir), nil
	}
	c.byID[id] = c.lru.PushFront(d)
	c.entries += len(ents)
	for c.entries > c.max {
		old := c.lru.Remove(c.lru.Back()).(*cachedDir)
		delete(c.byID, old.id)
		c.entries -= len(old.ents)
	}
	return d, nil
}
