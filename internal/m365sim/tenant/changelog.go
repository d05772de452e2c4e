package tenant

import "sort"

// Entry is one change in a container's log.
type Entry struct {
	Seq     int64
	ID      string
	Removed bool   // the item left the container
	Reason  string // for removals: "deleted" (gone) or "changed" (moved, soft-deleted)
}

// ChangeLog records the changes of one container (a mail folder, a drive,
// the user list). The zero value is ready to use. It is not safe for
// concurrent use; the Tenant's lock guards it.
type ChangeLog struct {
	entries []Entry
	last    map[string]int64 // id -> seq of its newest entry
	floor   int64            // tokens below floor are expired
	gaps    []seqRange       // tokens inside a gap are expired (see Succeed)
}

// seqRange is an inclusive range of sequence numbers.
type seqRange struct{ From, To int64 }

// Record appends a change. seq must be greater than any recorded before.
func (l *ChangeLog) Record(seq int64, id string, removed bool, reason string) {
	if l.last == nil {
		l.last = make(map[string]int64)
	}
	l.entries = append(l.entries, Entry{Seq: seq, ID: id, Removed: removed, Reason: reason})
	l.last[id] = seq
}

// Since returns up to limit current entries with after < Seq <= upto, in
// sequence order. An entry is current when no newer entry for the same id
// exists. Removals are left out when includeRemoved is false (the first
// round of a sync returns only what exists). more reports whether entries
// remain after the returned ones.
func (l *ChangeLog) Since(after, upto int64, limit int, includeRemoved bool) (out []Entry, more bool) {
	i := sort.Search(len(l.entries), func(i int) bool { return l.entries[i].Seq > after })
	for ; i < len(l.entries); i++ {
		e := l.entries[i]
		if e.Seq > upto {
			break
		}
		if l.last[e.ID] != e.Seq || (e.Removed && !includeRemoved) {
			continue
		}
		if len(out) == limit {
			return out, true
		}
		out = append(out, e)
	}
	return out, false
}

// Valid reports whether a token at seq can still be used.
func (l *ChangeLog) Valid(seq int64) bool {
	if seq < l.floor {
		return false
	}
	for _, g := range l.gaps {
		if g.From <= seq && seq <= g.To {
			return false
		}
	}
	return true
}

// Expire makes every token issued so far invalid, as when Exchange evicts a
// sync state from its cache.
func (l *ChangeLog) Expire(now int64) { l.floor = now + 1 }

// Compact drops entries that are no longer current and removals older than
// keepAfter, raising the floor to keepAfter when removals were dropped.
func (l *ChangeLog) Compact(keepAfter int64) {
	kept := l.entries[:0]
	dropped := false
	for _, e := range l.entries {
		switch {
		case l.last[e.ID] != e.Seq:
			continue
		case e.Removed && e.Seq <= keepAfter:
			delete(l.last, e.ID)
			dropped = true
			continue
		}
		kept = append(kept, e)
	}
	l.entries = kept
	if dropped && keepAfter > l.floor {
		l.floor = keepAfter // a token at keepAfter saw every dropped removal
	}
}

// Len returns the number of stored entries.
func (l *ChangeLog) Len() int { return len(l.entries) }
