package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Query selects items. Empty fields match everything; the filters given
// must all match.
type Query struct {
	Subject string // words of a message's or event's subject (implies those kinds)
	Name    string // words of a file's, folder's or contact's name (implies those kinds)
	From    string // words of the sender, as a phrase
	To      string // words of a recipient (To or Cc), as a phrase
	After   time.Time
	Before  time.Time // items dated before, not at
	User    string    // user principal name or id
	Kinds   []Kind
	// Snapshot restricts to the items of one snapshot, given by id or by
	// a unique prefix of at least four characters.
	Snapshot string
	// AllSnapshots returns an item once per snapshot that holds a
	// matching version of it, instead of once in its latest such snapshot.
	AllSnapshots bool
	Limit        int // at most this many results; 0 for all
}

// Result is one found item in one snapshot.
type Result struct {
	Snapshot     string    `json:"snapshot"`
	SnapshotTime time.Time `json:"snapshotTime"`
	Tenant       string    `json:"tenant"`
	Workload     string    `json:"workload"` // DataGuard's: mail, onedrive, …
	UserID       string    `json:"userId"`
	User         string    `json:"user"` // principal name
	Kind         Kind      `json:"kind"`
	ID           string    `json:"id"`
	Folder       string    `json:"folder"` // container path by names
	Name         string    `json:"name"`
	From         string    `json:"from,omitempty"`
	To           string    `json:"to,omitempty"`
	Cc           string    `json:"cc,omitempty"`
	Date         time.Time `json:"date,omitzero"`
	Sent         time.Time `json:"sent,omitzero"`
	Received     time.Time `json:"received,omitzero"`
	Modified     time.Time `json:"modified,omitzero"`
	Size         int64     `json:"size"`
	Hash         string    `json:"hash,omitempty"`
}

// Path is the item's path by names: its folder and its name.
func (r Result) Path() string {
	if r.Folder == "" {
		return r.Name
	}
	return r.Folder + "/" + r.Name
}

// kindsFor returns the kinds q may match: its own, narrowed by what
// --subject and --name imply.
func (q Query) kindsFor() ([]Kind, error) {
	if q.Subject != "" && q.Name != "" {
		return nil, fmt.Errorf("%w: give --subject (messages, events) or --name (files, folders, contacts), not both", ErrBadQuery)
	}
	if len(q.Kinds) > 0 {
		return q.Kinds, nil
	}
	switch {
	case q.Subject != "":
		return []Kind{KindMessage, KindEvent}, nil
	case q.Name != "":
		return []Kind{KindFile, KindFolder, KindContact}, nil
	}
	return nil, nil
}

// resultColumns are scanned by scanResult, after the snapshot id and time.
const resultColumns = `s.tenant, s.label, s.resource, s.resource_name, i.kind, i.item_id, c.path, i.name,
	i.sender, i.recipients, i.cc, i.date, i.sent, i.received, i.modified, i.size, i.hash`

// Find returns the items matching q, newest first (by item date). By
// default each item appears once, in the latest snapshot that holds a
// matching version of it. It returns ErrEmpty when nothing was indexed,
// and errors wrapping ErrBadQuery for unusable filters.
func (c *Catalog) Find(ctx context.Context, q Query) ([]Result, error) {
	var n int
	if err := c.db.QueryRowContext(ctx, `SELECT count(*) FROM snapshots`).Scan(&n); err != nil {
		return nil, fmt.Errorf("find: %w", err)
	}
	if n == 0 {
		return nil, ErrEmpty
	}
	where, args, err := c.conditions(ctx, q)
	if err != nil {
		return nil, err
	}
	const from = ` FROM items i JOIN sources s ON s.id = i.source_id `
	var query string
	switch {
	case q.Snapshot != "" || q.AllSnapshots:
		query = `SELECT sn.id, sn.start_time, ` + resultColumns + from +
			`JOIN snapshots sn ON sn.source_id = i.source_id AND sn.seq BETWEEN i.first_seq AND coalesce(i.last_seq, s.latest_seq)
			JOIN containers c ON c.id = i.container_id` + where + ` ORDER BY i.date DESC, i.item_id, sn.seq DESC`
	default:
		// SQLite takes the bare column i.id from the row holding the max.
		query = `SELECT sn.id, sn.start_time, ` + resultColumns + ` FROM (
			SELECT i.id, max(coalesce(i.last_seq, s.latest_seq)) AS eff` + from + where + `
			GROUP BY i.source_id, i.item_id) m
			JOIN items i ON i.id = m.id JOIN sources s ON s.id = i.source_id
			JOIN containers c ON c.id = i.container_id JOIN snapshots sn ON sn.seq = m.eff
			ORDER BY i.date DESC, i.item_id`
	}
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := c.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find: %w", err)
	}
	defer rows.Close()
	var out []Result
	for rows.Next() {
		r, err := scanResult(rows)
		if err != nil {
			return nil, fmt.Errorf("find: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find: %w", err)
	}
	return out, nil
}

// conditions builds the WHERE clause of q over items i and sources s.
func (c *Catalog) conditions(ctx context.Context, q Query) (string, []any, error) {
	var conds []string
	var args []any
	match, err := q.matchExpr()
	if err != nil {
		return "", nil, err
	}
	if match != "" {
		conds = append(conds, `i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)`)
		args = append(args, match)
	}
	kinds, err := q.kindsFor()
	if err != nil {
		return "", nil, err
	}
	if len(kinds) > 0 {
		marks := make([]string, len(kinds))
		for i, k := range kinds {
			marks[i] = "?"
			args = append(args, int(k))
		}
		conds = append(conds, `i.kind IN (`+strings.Join(marks, ", ")+`)`)
	}
	if !q.After.IsZero() {
		conds, args = append(conds, `i.date >= ?`), append(args, q.After.Unix())
	}
	if !q.Before.IsZero() {
		conds, args = append(conds, `i.date < ?`), append(args, q.Before.Unix())
	}
	if !q.After.IsZero() && !q.Before.IsZero() && !q.Before.After(q.After) {
		return "", nil, fmt.Errorf("%w: --before %s is not after --after %s", ErrBadQuery,
			q.Before.Format(time.RFC3339), q.After.Format(time.RFC3339))
	}
	if q.User != "" {
		conds = append(conds, `(s.resource_name = ? COLLATE NOCASE OR s.resource = ?)`)
		args = append(args, q.User, q.User)
	}
	if q.Snapshot != "" {
		seq, err := c.snapshotSeq(ctx, q.Snapshot)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, `sn.seq = ?`)
		args = append(args, seq)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// snapshotSeq resolves a snapshot id or unique prefix.
func (c *Catalog) snapshotSeq(ctx context.Context, prefix string) (int64, error) {
	if len(prefix) < 4 {
		return 0, fmt.Errorf("%w: snapshot %q: give at least 4 characters of an id", ErrBadQuery, prefix)
	}
	rows, err := c.db.QueryContext(ctx, `SELECT seq FROM snapshots WHERE substr(id, 1, ?) = ? LIMIT 2`, len(prefix), prefix)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var seqs []int64
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			return 0, err
		}
		seqs = append(seqs, s)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	switch len(seqs) {
	case 0:
		return 0, fmt.Errorf("%w: no snapshot %q in the catalog (run 'sg365 catalog update' if it is new)", ErrBadQuery, prefix)
	case 1:
		return seqs[0], nil
	}
	return 0, fmt.Errorf("%w: snapshot id %q is ambiguous; give more characters", ErrBadQuery, prefix)
}

func scanResult(rows *sql.Rows) (Result, error) {
	var r Result
	var snapTime int64
	var date, sent, recv, mod sql.NullInt64
	err := rows.Scan(&r.Snapshot, &snapTime, &r.Tenant, &r.Workload, &r.UserID, &r.User, &r.Kind, &r.ID, &r.Folder,
		&r.Name, &r.From, &r.To, &r.Cc, &date, &sent, &recv, &mod, &r.Size, &r.Hash)
	if err != nil {
		return r, err
	}
	r.SnapshotTime = time.Unix(0, snapTime).UTC()
	for _, p := range []struct {
		v *sql.NullInt64
		t *time.Time
	}{{&date, &r.Date}, {&sent, &r.Sent}, {&recv, &r.Received}, {&mod, &r.Modified}} {
		if p.v.Valid {
			*p.t = time.Unix(p.v.Int64, 0).UTC()
		}
	}
	return r, nil
}
