package catalog

import (
	"context"
	"database/sql"
	"fmt"
)

// schemaVersion is stored as PRAGMA user_version. A database of another
// version is dropped and recreated empty on Open: the catalog is an index,
// so `sg365 catalog rebuild` restores it.
const schemaVersion = 2 // 2: snapshot times in nanoseconds, so that two runs in one second keep their order

// schema creates the tables; see the package documentation. Times are Unix
// seconds (UTC), NULL when unknown.
var schema = []string{
	`CREATE TABLE sources (
		id            INTEGER PRIMARY KEY,
		tenant        TEXT NOT NULL,
		workload      TEXT NOT NULL,
		resource      TEXT NOT NULL,
		resource_name TEXT NOT NULL DEFAULT '',
		label         TEXT NOT NULL DEFAULT '', -- DataGuard's workload name: mail, onedrive, …
		latest_seq    INTEGER NOT NULL DEFAULT 0,
		UNIQUE (tenant, workload, resource)
	)`,
	`CREATE TABLE snapshots (
		seq        INTEGER PRIMARY KEY,
		id         TEXT NOT NULL UNIQUE,
		source_id  INTEGER NOT NULL,
		start_time INTEGER NOT NULL, -- Unix nanoseconds
		end_time   INTEGER NOT NULL,
		items      INTEGER NOT NULL DEFAULT 0,
		indexed_at INTEGER NOT NULL
	)`,
	`CREATE INDEX snapshots_source ON snapshots (source_id, seq)`,
	`CREATE TABLE containers (
		id        INTEGER PRIMARY KEY,
		source_id INTEGER NOT NULL,
		path      TEXT NOT NULL,
		UNIQUE (source_id, path)
	)`,
	`CREATE TABLE items (
		id           INTEGER PRIMARY KEY,
		source_id    INTEGER NOT NULL,
		item_id      TEXT NOT NULL,
		kind         INTEGER NOT NULL,
		container_id INTEGER NOT NULL,
		name         TEXT NOT NULL DEFAULT '',
		sender       TEXT NOT NULL DEFAULT '',
		recipients   TEXT NOT NULL DEFAULT '',
		cc           TEXT NOT NULL DEFAULT '',
		date         INTEGER,
		sent         INTEGER,
		received     INTEGER,
		modified     INTEGER,
		size         INTEGER NOT NULL DEFAULT 0,
		hash         TEXT NOT NULL DEFAULT '',
		flags        INTEGER NOT NULL DEFAULT 0,
		first_seq    INTEGER NOT NULL,
		last_seq     INTEGER
	)`,
	// Versions of one item, in order: grouping for "latest", history.
	`CREATE INDEX items_item ON items (source_id, item_id, first_seq)`,
	// Rows present in one snapshot (--snapshot), pruning.
	`CREATE INDEX items_range ON items (source_id, first_seq, last_seq)`,
	`CREATE INDEX items_date ON items (date)`,
	// The rows Index compares a new snapshot with.
	`CREATE INDEX items_open ON items (source_id) WHERE last_seq IS NULL`,
	// Contentless: the text is in items already; contentless_delete lets
	// pruning delete by rowid.
	`CREATE VIRTUAL TABLE items_fts USING fts5 (name, sender, recipients,
		content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`,
	`CREATE TABLE skipped (id TEXT PRIMARY KEY, reason TEXT NOT NULL)`,
}

// tables in the order reset drops them.
var tables = []string{"items_fts", "items", "containers", "snapshots", "sources", "skipped"}

// migrate makes the database's schema current: it creates a new database's
// tables and drops and recreates those of another version.
func migrate(ctx context.Context, db *sql.DB) error {
	var v int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v == schemaVersion {
		return nil
	}
	return reset(ctx, db)
}

// reset drops every table and creates the current schema, empty.
func reset(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+t); err != nil {
			return fmt.Errorf("drop %s: %w", t, err)
		}
	}
	for _, s := range schema {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion)); err != nil {
		return err
	}
	return tx.Commit()
}
