package catalog

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/safeguard365/safeguard365/internal/repo"
)

// ErrIncomplete is returned (wrapped) by Index and Rebuild when some
// snapshots could not be indexed; the others were.
var ErrIncomplete = errors.New("some snapshots could not be indexed")

// IndexResult sums up an Index or Rebuild call.
type IndexResult struct {
	Indexed  int            `json:"indexed"`  // snapshots indexed by this call
	Skipped  int            `json:"skipped"`  // snapshots that are not DataGuard's
	Failed   int            `json:"failed"`   // snapshots that could not be indexed
	Pruned   int            `json:"pruned"`   // snapshots removed because the repository no longer has them
	Items    int64          `json:"items"`    // items in the indexed snapshots
	Read     int64          `json:"read"`     // items read from the repository
	Snapshot []SnapshotStat `json:"-"`        // one per snapshot indexed, skipped or failed
	Duration time.Duration  `json:"duration"` // wall time
}

// Index brings the catalog up to date with r: it prunes the snapshots r
// no longer has, then indexes the given snapshots, or with no ids every
// snapshot not indexed yet. Snapshots indexed already are skipped, so
// calling it again adds nothing. Each snapshot is indexed in one
// transaction; one that fails is reported (SnapshotStat.Error) and the
// others are still indexed, and Index then returns an error wrapping
// ErrIncomplete. Cancelling ctx stops after the current snapshot's
// transaction is rolled back.
func (c *Catalog) Index(ctx context.Context, r *repo.Repository, ids ...repo.SnapshotID) (IndexResult, error) {
	start := time.Now()
	res := IndexResult{}
	all, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil {
		return res, fmt.Errorf("index: %w", err)
	}
	if res.Pruned, err = c.prune(ctx, all); err != nil {
		return res, fmt.Errorf("index: %w", err)
	}
	todo, err := c.pending(ctx, all, ids)
	if err != nil {
		return res, fmt.Errorf("index: %w", err)
	}
	for _, info := range todo {
		st, err := c.indexSnapshot(ctx, r, info)
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if err != nil {
			st.Error = err.Error()
		}
		switch {
		case st.Error != "":
			res.Failed++
		case st.Skipped != "":
			res.Skipped++
		default:
			res.Indexed++
			res.Items += st.Items
			res.Read += st.Read
		}
		res.Snapshot = append(res.Snapshot, st)
		c.opts.Reporter.SnapshotDone(st)
	}
	res.Duration = time.Since(start)
	if res.Failed > 0 {
		return res, fmt.Errorf("index: %d of %d snapshots failed: %w", res.Failed, len(todo), ErrIncomplete)
	}
	return res, nil
}

// Rebuild empties the catalog and indexes every snapshot of r.
func (c *Catalog) Rebuild(ctx context.Context, r *repo.Repository) (IndexResult, error) {
	if err := reset(ctx, c.db); err != nil {
		return IndexResult{}, fmt.Errorf("rebuild: %w", err)
	}
	return c.Index(ctx, r)
}

// pending picks the snapshots to index, in order: oldest first within a
// source. A source that would receive a snapshot older than its latest
// indexed one is dropped and all its snapshots are returned.
func (c *Catalog) pending(ctx context.Context, all []repo.SnapshotInfo, ids []repo.SnapshotID) ([]repo.SnapshotInfo, error) {
	done := map[repo.SnapshotID]bool{}
	latest := map[repo.Source]time.Time{} // start time of each source's latest indexed snapshot
	rows, err := c.db.QueryContext(ctx, `SELECT sn.id, sn.start_time, s.tenant, s.workload, s.resource
		FROM snapshots sn JOIN sources s ON s.id = sn.source_id
		UNION ALL SELECT id, 0, '', '', '' FROM skipped`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var t int64
		var src repo.Source
		if err := rows.Scan(&id, &t, &src.Tenant, &src.Workload, &src.Resource); err != nil {
			rows.Close()
			return nil, err
		}
		done[repo.SnapshotID(id)] = true
		if tt := time.Unix(0, t); src.Tenant != "" && tt.After(latest[src]) {
			latest[src] = tt
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	var todo []repo.SnapshotInfo
	if len(ids) == 0 {
		for _, s := range all {
			if !done[s.ID] {
				todo = append(todo, s)
			}
		}
	} else {
		for _, id := range ids {
			i := slices.IndexFunc(all, func(s repo.SnapshotInfo) bool { return s.ID == id })
			if i < 0 {
				return nil, fmt.Errorf("snapshot %s: %w", id, repo.ErrSnapshotNotFound)
			}
			if !done[id] && !slices.ContainsFunc(todo, func(s repo.SnapshotInfo) bool { return s.ID == id }) {
				todo = append(todo, all[i])
			}
		}
	}
	// Late arrivals: re-index their whole source.
	redo := map[repo.Source]bool{}
	for _, s := range todo {
		if l, ok := latest[s.Source]; ok && s.StartTime.Before(l) {
			redo[s.Source] = true
		}
	}
	for src := range redo {
		if err := c.dropSource(ctx, src); err != nil {
			return nil, err
		}
		todo = slices.DeleteFunc(todo, func(s repo.SnapshotInfo) bool { return s.Source == src })
		for _, s := range all {
			if s.Source == src {
				todo = append(todo, s)
			}
		}
	}
	slices.SortStableFunc(todo, func(a, b repo.SnapshotInfo) int {
		return cmp.Or(a.StartTime.Compare(b.StartTime), cmp.Compare(a.ID, b.ID))
	})
	return todo, nil
}

// dropSource deletes everything indexed of one source.
func (c *Catalog) dropSource(ctx context.Context, src repo.Source) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM sources WHERE tenant = ? AND workload = ? AND resource = ?`,
		src.Tenant, src.Workload, src.Resource).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM items_fts WHERE rowid IN (SELECT id FROM items WHERE source_id = ?1)`,
		`DELETE FROM items WHERE source_id = ?1`,
		`DELETE FROM containers WHERE source_id = ?1`,
		`DELETE FROM snapshots WHERE source_id = ?1`,
		`DELETE FROM sources WHERE id = ?1`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("drop source %s: %w", src, err)
		}
	}
	return tx.Commit()
}

// prune removes the snapshots that all (the repository's list) no longer
// has, and returns how many.
func (c *Catalog) prune(ctx context.Context, all []repo.SnapshotInfo) (int, error) {
	present := map[string]bool{}
	for _, s := range all {
		present[string(s.ID)] = true
	}
	type gone struct {
		seq, source int64
		id          string
	}
	var goneList []gone
	rows, err := c.db.QueryContext(ctx, `SELECT seq, source_id, id FROM snapshots UNION ALL SELECT 0, 0, id FROM skipped`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var g gone
		if err := rows.Scan(&g.seq, &g.source, &g.id); err != nil {
			rows.Close()
			return 0, err
		}
		if !present[g.id] {
			goneList = append(goneList, g)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(goneList) == 0 {
		return 0, err
	}

	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	sources := map[int64]bool{}
	n := 0
	for _, g := range goneList {
		if g.seq == 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM skipped WHERE id = ?`, g.id); err != nil {
				return 0, err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM snapshots WHERE seq = ?`, g.seq); err != nil {
			return 0, err
		}
		sources[g.source] = true
		n++
	}
	for src := range sources {
		if err := pruneSource(ctx, tx, src); err != nil {
			return 0, fmt.Errorf("prune: %w", err)
		}
	}
	return n, tx.Commit()
}

// pruneSource fits a source's rows to the snapshots it has left: rows
// whose range holds no remaining snapshot are deleted, the others' ends
// are moved to remaining snapshots.
func pruneSource(ctx context.Context, tx *sql.Tx, src int64) error {
	var latest sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(seq) FROM snapshots WHERE source_id = ?`, src).Scan(&latest); err != nil {
		return err
	}
	if !latest.Valid {
		for _, q := range []string{
			`DELETE FROM items_fts WHERE rowid IN (SELECT id FROM items WHERE source_id = ?1)`,
			`DELETE FROM items WHERE source_id = ?1`,
			`DELETE FROM containers WHERE source_id = ?1`,
			`DELETE FROM sources WHERE id = ?1`,
		} {
			if _, err := tx.ExecContext(ctx, q, src); err != nil {
				return err
			}
		}
		return nil
	}
	const empty = `source_id = ?1 AND NOT EXISTS (SELECT 1 FROM snapshots sn WHERE sn.source_id = ?1
		AND sn.seq >= items.first_seq AND sn.seq <= coalesce(items.last_seq, ?2))`
	for _, q := range []string{
		`DELETE FROM items_fts WHERE rowid IN (SELECT id FROM items WHERE ` + empty + `)`,
		`DELETE FROM items WHERE ` + empty,
		`UPDATE items SET last_seq = (SELECT max(seq) FROM snapshots sn WHERE sn.source_id = ?1 AND sn.seq <= items.last_seq)
			WHERE source_id = ?1 AND last_seq IS NOT NULL AND last_seq NOT IN (SELECT seq FROM snapshots WHERE source_id = ?1)`,
		`UPDATE items SET first_seq = (SELECT min(seq) FROM snapshots sn WHERE sn.source_id = ?1 AND sn.seq >= items.first_seq)
			WHERE source_id = ?1 AND first_seq NOT IN (SELECT seq FROM snapshots WHERE source_id = ?1)`,
		`DELETE FROM containers WHERE source_id = ?1 AND id NOT IN (SELECT container_id FROM items WHERE source_id = ?1)`,
		`UPDATE sources SET latest_seq = ?2 WHERE id = ?1`,
	} {
		if _, err := tx.ExecContext(ctx, q, src, latest.Int64); err != nil {
			return err
		}
	}
	return nil
}
