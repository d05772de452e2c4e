package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// idKey keys an item id in memory: 16 bytes instead of Graph's 150-odd
// characters, which matters for the open rows of a million-item source.
type idKey [16]byte

func keyOf(id string) idKey {
	h := fnv.New128a()
	h.Write([]byte(id))
	var k idKey
	h.Sum(k[:0])
	return k
}

// openRow is an indexed item version present in the source's latest
// indexed snapshot.
type openRow struct {
	row       int64
	container int64
	item      Item   // Kind, Name, Size, Hash and flags; Name only for non-messages
	fp        uint64 // fingerprint of every stored field but the container
	seen      bool
}

// fingerprint hashes the fields of it that are stored, except its folder,
// so that an item read again can be compared with its open row.
func fingerprint(it *Item) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%s\x00%d\x00%d\x00%d\x00%d\x00%d\x00%s\x00%d", it.Kind, it.Name, it.From, it.To, it.Cc,
		unixOr0(it.Date), unixOr0(it.Sent), unixOr0(it.Received), unixOr0(it.Modified), it.Size, it.Hash, it.flags)
	return h.Sum64()
}

func unixOr0(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// job is one item on its way to the database writer.
type job struct {
	e      entry
	old    *openRow // the open row it replaces, if any
	moveOf int64    // copy this row into e.Folder instead of inserting e
	err    error    // reading the item failed
}

// indexSnapshot indexes one snapshot in one transaction.
func (c *Catalog) indexSnapshot(ctx context.Context, r *repo.Repository, info repo.SnapshotInfo) (st SnapshotStat, err error) {
	start := time.Now()
	st = SnapshotStat{ID: info.ID, Workload: info.Source.Workload, User: info.Tags[repo.TagResourceName]}
	defer func() { st.Duration = time.Since(start) }()
	v, err := dataguard.OpenView(ctx, r, info.ID)
	if errors.Is(err, dataguard.ErrNotDataGuard) {
		st.Skipped = err.Error()
		_, err = c.db.ExecContext(ctx, `INSERT OR IGNORE INTO skipped (id, reason) VALUES (?, ?)`, string(info.ID), st.Skipped)
		return st, err
	}
	if err != nil {
		return st, err
	}
	st.Workload, st.User = v.Workload(), v.ResourceName()
	list := func(ctx context.Context, emit func(entry) error) error {
		for _, l := range listers {
			if err := l(ctx, v, c.opts, emit); err != nil {
				return err
			}
		}
		return nil
	}
	if err := c.store(ctx, info, v.ResourceName(), v.Workload(), list, &st); err != nil {
		return st, fmt.Errorf("index snapshot %s: %w", info.ID, err)
	}
	return st, nil
}

// store indexes the entries list gives as snapshot info of user's
// workload, in one transaction.
func (c *Catalog) store(ctx context.Context, info repo.SnapshotInfo, user, workload string,
	list func(context.Context, func(entry) error) error, st *SnapshotStat) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	var dup int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM snapshots WHERE id = ?`, string(info.ID)).Scan(&dup); err != nil {
		return err
	}
	if dup > 0 {
		return nil // another process indexed it meanwhile
	}
	w := &writer{tx: tx, stat: st}
	if err := w.begin(ctx, info, user, workload, c.opts.Now()); err != nil {
		return err
	}
	if err := c.fill(ctx, w, list); err != nil {
		return err
	}
	if err := w.finish(ctx); err != nil {
		return err
	}
	return tx.Commit()
}

// fill lists the snapshot, reads new and changed items with Workers
// goroutines and writes rows from this goroutine.
func (c *Catalog) fill(ctx context.Context, w *writer, list func(context.Context, func(entry) error) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	var unchanged int64 // counted by the lister goroutine, added after Wait
	toLoad := make(chan job)
	toWrite := make(chan job, c.opts.Workers)
	send := func(ch chan<- job, j job) error {
		select {
		case ch <- j:
			return nil
		case <-gctx.Done():
			return gctx.Err()
		}
	}
	g.Go(func() error {
		defer close(toLoad)
		emit := func(e entry) error {
			j := job{e: e}
			if old, ok := w.open[keyOf(e.ID)]; ok {
				old.seen = true
				j.old = old
				if old.item.flags&(flagDraft|flagIncomplete) == 0 && old.item.Kind == e.Kind && e.same(&old.item) {
					if w.containerIs(old.container, e.Folder) {
						unchanged++
						return nil
					}
					j.moveOf = old.row
					return send(toWrite, j)
				}
			}
			if e.load == nil {
				return send(toWrite, j)
			}
			return send(toLoad, j)
		}
		return list(gctx, emit)
	})
	var loaders errgroup.Group
	for range c.opts.Workers {
		loaders.Go(func() error {
			for j := range toLoad {
				if err := j.e.load(gctx, &j.e.Item); err != nil {
					if gctx.Err() != nil {
						return gctx.Err()
					}
					j.err = err
				}
				if err := send(toWrite, j); err != nil {
					return err
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(toWrite)
		return loaders.Wait()
	})
	var werr error
	for j := range toWrite {
		if werr != nil {
			continue // drain, so that senders finish
		}
		if werr = w.write(ctx, j); werr != nil {
			cancel()
		}
	}
	err := errors.Join(werr, g.Wait())
	w.stat.Reused += unchanged
	w.stat.Items += unchanged
	return err
}

// writer writes one snapshot's rows inside its transaction. Only the
// goroutine running fill calls its methods; the lister goroutine reads
// open (and sets seen) and containerPaths, which are not written after
// begin.
type writer struct {
	tx   *sql.Tx
	stat *SnapshotStat

	source, seq, prev int64
	open              map[idKey]*openRow
	// containerPaths maps container ids of the source to paths as loaded
	// at begin; read by the lister. containerIDs is the writer's own.
	containerPaths map[int64]string
	containerIDs   map[string]int64

	insert, insertFTS, closeRow, move, moveFTS, addContainer *sql.Stmt
}

func (w *writer) containerIs(id int64, path string) bool { return w.containerPaths[id] == path }

// begin registers the source and the snapshot and loads the open rows.
func (w *writer) begin(ctx context.Context, info repo.SnapshotInfo, user, workload string, now time.Time) error {
	src := info.Source
	_, err := w.tx.ExecContext(ctx, `INSERT INTO sources (tenant, workload, resource, resource_name, label) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (tenant, workload, resource) DO UPDATE SET resource_name = excluded.resource_name, label = excluded.label`,
		src.Tenant, src.Workload, src.Resource, user, workload)
	if err != nil {
		return err
	}
	if err := w.tx.QueryRowContext(ctx, `SELECT id, latest_seq FROM sources WHERE tenant = ? AND workload = ? AND resource = ?`,
		src.Tenant, src.Workload, src.Resource).Scan(&w.source, &w.prev); err != nil {
		return err
	}
	res, err := w.tx.ExecContext(ctx, `INSERT INTO snapshots (id, source_id, start_time, end_time, indexed_at) VALUES (?, ?, ?, ?, ?)`,
		string(info.ID), w.source, info.StartTime.UnixNano(), info.EndTime.UnixNano(), now.Unix())
	if err != nil {
		return err
	}
	if w.seq, err = res.LastInsertId(); err != nil {
		return err
	}
	w.containerPaths, w.containerIDs = map[int64]string{}, map[string]int64{}
	rows, err := w.tx.QueryContext(ctx, `SELECT id, path FROM containers WHERE source_id = ?`, w.source)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			rows.Close()
			return err
		}
		w.containerPaths[id], w.containerIDs[p] = p, id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := w.loadOpen(ctx); err != nil {
		return err
	}
	return w.prepare(ctx)
}

func (w *writer) loadOpen(ctx context.Context) error {
	w.open = map[idKey]*openRow{}
	if w.prev == 0 {
		return nil
	}
	rows, err := w.tx.QueryContext(ctx, `SELECT id, item_id, kind, container_id, name, sender, recipients, cc,
		coalesce(date, 0), coalesce(sent, 0), coalesce(received, 0), coalesce(modified, 0), size, hash, flags
		FROM items WHERE source_id = ? AND last_seq IS NULL`, w.source)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var o openRow
		var id string
		var it Item
		var date, sent, recv, mod int64
		if err := rows.Scan(&o.row, &id, &it.Kind, &o.container, &it.Name, &it.From, &it.To, &it.Cc,
			&date, &sent, &recv, &mod, &it.Size, &it.Hash, &it.flags); err != nil {
			return err
		}
		it.Date, it.Sent, it.Received, it.Modified = fromUnix(date), fromUnix(sent), fromUnix(recv), fromUnix(mod)
		o.fp = fingerprint(&it)
		// Keep in memory only what listings compare (same): a message's
		// listing knows no name.
		o.item = Item{Kind: it.Kind, Name: it.Name, Size: it.Size, Hash: it.Hash, flags: it.flags}
		if it.Kind == KindMessage {
			o.item.Name = ""
		}
		w.open[keyOf(id)] = &o
	}
	return rows.Err()
}

func (w *writer) prepare(ctx context.Context) error {
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = w.tx.PrepareContext(ctx, q)
		return s
	}
	w.insert = prep(`INSERT INTO items (source_id, item_id, kind, container_id, name, sender, recipients, cc,
		date, sent, received, modified, size, hash, flags, first_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	w.insertFTS = prep(`INSERT INTO items_fts (rowid, name, sender, recipients) VALUES (?, ?, ?, ?)`)
	w.closeRow = prep(`UPDATE items SET last_seq = ? WHERE id = ?`)
	w.move = prep(`INSERT INTO items (source_id, item_id, kind, container_id, name, sender, recipients, cc,
		date, sent, received, modified, size, hash, flags, first_seq)
		SELECT source_id, item_id, kind, ?, name, sender, recipients, cc, date, sent, received, modified, size, hash, flags, ?
		FROM items WHERE id = ?`)
	w.moveFTS = prep(`INSERT INTO items_fts (rowid, name, sender, recipients)
		SELECT id, name, sender, trim(recipients || ' ' || cc) FROM items WHERE id = ?`)
	w.addContainer = prep(`INSERT INTO containers (source_id, path) VALUES (?, ?)`)
	return err
}

func (w *writer) container(ctx context.Context, path string) (int64, error) {
	if id, ok := w.containerIDs[path]; ok {
		return id, nil
	}
	res, err := w.addContainer.ExecContext(ctx, w.source, path)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	w.containerIDs[path] = id
	return id, err
}

// write stores one new, changed or moved item and closes the row it
// replaces.
func (w *writer) write(ctx context.Context, j job) error {
	w.stat.Items++
	cont, err := w.container(ctx, j.e.Folder)
	if err != nil {
		return err
	}
	if j.err != nil && j.old != nil && j.moveOf == 0 {
		// Keep the indexed version rather than replace it with a stub;
		// a backup that fails to read an item keeps its previous version
		// in the snapshot too.
		w.noteError(j)
		if j.old.container == cont {
			w.stat.Reused++
			return nil
		}
		j.moveOf, j.err = j.old.row, nil
	}
	if j.old != nil && j.moveOf == 0 && j.err == nil && j.old.container == cont && j.old.fp == fingerprint(&j.e.Item) {
		w.stat.Reused++ // read again (a listing cannot tell), found unchanged
		w.stat.Read++
		return nil
	}
	if j.moveOf != 0 {
		w.stat.Reused++
		res, err := w.move.ExecContext(ctx, cont, w.seq, j.moveOf)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := w.moveFTS.ExecContext(ctx, id); err != nil {
			return err
		}
	} else {
		it := j.e.Item
		if j.e.load != nil {
			w.stat.Read++
		}
		if j.err != nil {
			it.flags |= flagIncomplete
			w.noteError(j)
		}
		res, err := w.insert.ExecContext(ctx, w.source, it.ID, int(it.Kind), cont, it.Name, it.From, it.To, it.Cc,
			unix(it.Date), unix(it.Sent), unix(it.Received), unix(it.Modified), it.Size, it.Hash, it.flags, w.seq)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		rcpt := it.To
		if it.Cc != "" {
			rcpt += " " + it.Cc
		}
		if _, err := w.insertFTS.ExecContext(ctx, id, it.Name, it.From, rcpt); err != nil {
			return err
		}
	}
	if j.old != nil {
		_, err := w.closeRow.ExecContext(ctx, w.prev, j.old.row)
		return err
	}
	return nil
}

// noteError counts an item that could not be read.
func (w *writer) noteError(j job) {
	w.stat.ItemErrors++
	if w.stat.FirstError == "" {
		w.stat.FirstError = fmt.Sprintf("%s %s: %v", j.e.Kind, j.e.ID, j.err)
	}
}

// finish closes the rows of items the snapshot no longer has and makes it
// the source's latest.
func (w *writer) finish(ctx context.Context) error {
	for _, o := range w.open {
		if !o.seen {
			if _, err := w.closeRow.ExecContext(ctx, w.prev, o.row); err != nil {
				return err
			}
		}
	}
	if _, err := w.tx.ExecContext(ctx, `UPDATE sources SET latest_seq = ? WHERE id = ?`, w.seq, w.source); err != nil {
		return err
	}
	_, err := w.tx.ExecContext(ctx, `UPDATE snapshots SET items = ? WHERE seq = ?`, w.stat.Items, w.seq)
	return err
}

func fromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// unix is t in Unix seconds, or NULL for the zero time.
func unix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}
