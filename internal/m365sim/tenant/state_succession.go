package tenant

import (
	"encoding/json"
	"fmt"
	"math"
)

// retiredSeq is where a retired tenant's sequence and id counters jump:
// far beyond anything a live tenant reaches, so that whatever a request
// still running on it records can never pass for its successor's changes.
const retiredSeq = 1 << 62

// Clone returns a deep copy of t, for an in-memory snapshot. Properties,
// change logs and counters are copied; blobs are immutable and shared, so
// a clone costs no second copy of file content. The copy shares t's clock.
// Clone holds t's read lock.
func (t *Tenant) Clone() (*Tenant, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	b := newStateBuilder(t.Now)
	if err := walkState(t, cloneSink{b}); err != nil {
		return nil, err
	}
	return b.finish()
}

// Retire ends t's service when another tenant replaces it. Holding t's
// write lock, it calls handover with the sequence number and id counter t
// reached (pass them to the successor's Succeed, and publish the successor
// inside handover so no request can reach t after it retires unseen); then
// it moves t's counters to a range no live tenant reaches.
func (t *Tenant) Retire(handover func(seq int64, ids uint64)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	handover(t.seq, t.ids)
	t.seq, t.ids = max(t.seq, retiredSeq), max(t.ids, retiredSeq)
}

// Succeed prepares t, which nobody else uses yet (a restored snapshot or a
// regenerated tenant), to replace a tenant that retired at sequence seq
// with id counter ids. Delta tokens up to keep stay valid (keep is the
// snapshot's sequence: both tenants share that history); tokens after keep
// up to seq, and those a retired tenant issues, expire and get 410 Gone,
// as Graph answers a token it can no longer serve. Pass keep -1 to expire
// every earlier token. t's counters continue after seq and ids, so new
// tokens and ids never repeat ones issued before.
func (t *Tenant) Succeed(keep, seq int64, ids uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	gaps := []seqRange{{From: retiredSeq, To: math.MaxInt64}}
	if keep < seq {
		gaps = append(gaps, seqRange{From: keep + 1, To: seq})
		// A token at seq itself falls in the gap, so the next one issued
		// (the current sequence, for a round that finds no changes) must
		// be after it.
		t.seq = max(t.seq, seq+1)
	}
	t.ids = max(t.ids, ids)
	t.forEachLog(func(l *ChangeLog) {
		for _, g := range gaps {
			l.addGap(g)
		}
	})
}

// forEachLog calls fn with every change log of t. Hold the write lock.
func (t *Tenant) forEachLog(fn func(*ChangeLog)) {
	fn(&t.UsersLog)
	fn(&t.GroupsLog)
	for _, id := range stateKeys(t.Drives) {
		fn(&t.Drives[id].Log)
	}
	for _, u := range t.Users {
		mb := u.Mailbox
		if mb == nil {
			continue
		}
		fn(&mb.FoldersLog)
		for _, f := range mb.FolderList {
			fn(&f.Log)
		}
		for _, c := range mb.CalendarList {
			fn(&c.Log)
		}
		for _, f := range mb.ContactFolderList {
			fn(&f.Log)
		}
	}
}

// addGap expires the tokens in g, merging it with the gaps it overlaps.
func (l *ChangeLog) addGap(g seqRange) {
	kept := l.gaps[:0]
	for _, o := range l.gaps {
		if o.To < g.From-1 || g.To < o.From-1 { // disjoint and not adjacent
			kept = append(kept, o)
			continue
		}
		g.From, g.To = min(g.From, o.From), max(g.To, o.To)
	}
	l.gaps = append(kept, g)
}

// cloneSink builds a copy of a tenant while walkState walks it: records go
// through JSON, which copies their properties; blobs are immutable and
// shared.
type cloneSink struct{ b *stateBuilder }

func (c cloneSink) blob(id int, bl Blob) error { c.b.blobs[id] = bl; return nil }

func (c cloneSink) record(kind byte, rec any) error {
	p, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("copy %c record: %w", kind, err)
	}
	return c.b.add(kind, p)
}
