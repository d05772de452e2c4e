package tenant

import (
	"reflect"
	"testing"
)

func entryIDs(es []Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func TestChangeLogSince(t *testing.T) {
	var l ChangeLog
	l.Record(1, "a", false, "")
	l.Record(2, "b", false, "")
	l.Record(3, "c", false, "")
	l.Record(4, "a", false, "")       // a changed: its entry at 1 is superseded
	l.Record(5, "b", true, "deleted") // b removed
	l.Record(6, "d", false, "")

	for _, tc := range []struct {
		name           string
		after, upto    int64
		limit          int
		includeRemoved bool
		want           []string
		more           bool
	}{
		{"first sync skips removals", 0, 6, 10, false, []string{"c", "a", "d"}, false},
		{"round bound hides later changes", 0, 3, 10, false, []string{"c"}, false},
		{"incremental includes removals", 3, 6, 10, true, []string{"a", "b", "d"}, false},
		{"paging", 0, 6, 2, true, []string{"c", "a"}, true},
		{"next page resumes after the cursor", 4, 6, 2, true, []string{"b", "d"}, false},
		{"nothing new", 6, 6, 10, true, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, more := l.Since(tc.after, tc.upto, tc.limit, tc.includeRemoved)
			if !reflect.DeepEqual(entryIDs(got), tc.want) || more != tc.more {
				t.Fatalf("Since(%d, %d, %d) = %v, %v; want %v, %v", tc.after, tc.upto, tc.limit, entryIDs(got), more, tc.want, tc.more)
			}
		})
	}
}

// An item changed while a round is paging must not be skipped: it leaves
// the round (its entry is superseded) and shows up in the next one.
func TestChangeLogChangeDuringRound(t *testing.T) {
	var l ChangeLog
	for i, id := range []string{"a", "b", "c"} {
		l.Record(int64(i+1), id, false, "")
	}
	page1, _ := l.Since(0, 3, 1, false)
	l.Record(4, "a", false, "") // a changes after it was returned
	l.Record(5, "b", false, "") // b changes before it was returned
	rest, _ := l.Since(page1[0].Seq, 3, 10, false)
	next, _ := l.Since(3, 5, 10, true)
	if got := append(entryIDs(page1), entryIDs(rest)...); !reflect.DeepEqual(got, []string{"a", "c"}) {
		t.Fatalf("round = %v, want [a c]", got)
	}
	if got := entryIDs(next); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("next round = %v, want [a b]", got)
	}
}

func TestChangeLogExpireAndCompact(t *testing.T) {
	var l ChangeLog
	l.Record(1, "a", false, "")
	l.Record(2, "b", false, "")
	l.Record(3, "b", true, "deleted")
	l.Record(4, "c", false, "")
	if !l.Valid(0) {
		t.Fatal("fresh log rejects token 0")
	}
	l.Compact(3)
	if l.Len() != 2 {
		t.Fatalf("after compact: %d entries, want 2 (a, c)", l.Len())
	}
	if l.Valid(2) || !l.Valid(3) {
		t.Fatal("compacting dropped removals: tokens before them must be invalid, later ones valid")
	}
	l.Expire(4)
	if l.Valid(4) || !l.Valid(5) {
		t.Fatal("Expire(4) must invalidate tokens up to 4")
	}
}
