package catalog

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/safeguard365/safeguard365/internal/repo"
)

// ErrEmpty is returned by Find when the catalog has no indexed snapshot.
var ErrEmpty = errors.New("the catalog is empty: run 'sg365 catalog rebuild'")

// Options configure Open. The zero value selects the documented defaults.
type Options struct {
	// Workers is how many items are read from the repository at once while
	// indexing. Default 4: reads are CPU-bound (decryption,
	// decompression) and the database writer is a fifth goroutine.
	Workers int
	// HashMail computes the SHA-256 of every new message's MIME, which
	// reads the whole message. Default (false) stores no hash for
	// messages: the size only. Drive items always carry the drive's hash.
	HashMail bool
	// Reporter receives a report per indexed snapshot. Default: none.
	Reporter Reporter
	// Now stamps indexing times. Default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Reporter == nil {
		o.Reporter = NopReporter{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Catalog is an open catalog database. It is safe for concurrent use, also
// by several processes (SQLite locks; writers wait up to a minute for each
// other). Close it when done.
type Catalog struct {
	db   *sql.DB
	path string
	opts Options
}

// Open opens the catalog database at path, creating it (mode 0600, parent
// directories 0700) if needed. A database of another schema version is
// emptied (see Rebuild).
func Open(ctx context.Context, path string, opts Options) (*Catalog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open catalog: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open catalog: %w", err)
	}
	f.Close()
	// WAL lets find read while an index runs; writers take the lock at
	// BEGIN (immediate) so that two indexers queue instead of failing
	// half-way; NORMAL sync is safe with WAL (a crash loses at most the
	// last transactions, which Index redoes).
	q := url.Values{}
	for _, p := range []string{"busy_timeout(60000)", "journal_mode(WAL)", "synchronous(NORMAL)",
		"foreign_keys(OFF)", "temp_store(MEMORY)", "cache_size(-32000)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	// One connection: SQLite has one writer anyway, and a single
	// connection keeps prepared statements and the page cache warm.
	db.SetMaxOpenConns(1)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	return &Catalog{db: db, path: path, opts: opts.withDefaults()}, nil
}

// Close closes the database.
func (c *Catalog) Close() error { return c.db.Close() }

// Path is the database file.
func (c *Catalog) Path() string { return c.path }

// DefaultPath is where the catalog of the repository at repoURL lives
// under dataDir: dataDir/catalog/<id>.db, where id is a hash of the
// canonical repository URL (the repository has no id of its own that
// could be read without its password).
func DefaultPath(dataDir, repoURL string) (string, error) {
	loc, err := repo.ParseURL(repoURL)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(loc.String()))
	return filepath.Join(dataDir, "catalog", hex.EncodeToString(sum[:12])+".db"), nil
}

// Stats describe the catalog's content.
type Stats struct {
	Path      string `json:"path"`
	Sources   int64  `json:"sources"`
	Snapshots int64  `json:"snapshots"`
	Rows      int64  `json:"rows"`  // item versions
	Items     int64  `json:"items"` // distinct items
	Bytes     int64  `json:"bytes"` // database size, WAL included
}

// Stats counts the catalog's rows.
func (c *Catalog) Stats(ctx context.Context) (Stats, error) {
	s := Stats{Path: c.path}
	err := c.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM sources), (SELECT count(*) FROM snapshots), (SELECT count(*) FROM items),
		(SELECT count(*) FROM (SELECT DISTINCT source_id, item_id FROM items))`).
		Scan(&s.Sources, &s.Snapshots, &s.Rows, &s.Items)
	if err != nil {
		return s, fmt.Errorf("catalog stats: %w", err)
	}
	for _, p := range []string{c.path, c.path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			s.Bytes += fi.Size()
		}
	}
	return s, nil
}

// Checkpoint folds the write-ahead log into the database file and shrinks
// the file to its content, so that its size is what the data needs.
func (c *Catalog) Checkpoint(ctx context.Context) error {
	for _, q := range []string{`PRAGMA wal_checkpoint(TRUNCATE)`, `VACUUM`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
		if _, err := c.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("catalog checkpoint: %w", err)
		}
	}
	return nil
}
