package tenant

import (
	"testing"
	"time"
)

// TestSeriesStarts checks the expansion of each pattern type against
// dates worked out by hand.
func TestSeriesStarts(t *testing.T) {
	at := func(s string) time.Time { d, _ := time.Parse("2006-01-02T15:04", s); return d }
	for _, tc := range []struct {
		name    string
		pattern map[string]any
		rng     map[string]any
		want    []string
	}{
		{"daily every 2", map[string]any{"type": "daily", "interval": 2.0},
			map[string]any{"type": "numbered", "startDate": "2026-01-30", "numberOfOccurrences": 3.0},
			[]string{"2026-01-30T10:00", "2026-02-01T10:00", "2026-02-03T10:00"}},
		{"weekly two days", map[string]any{"type": "weekly", "interval": 1.0, "daysOfWeek": []any{"tuesday", "friday"}, "firstDayOfWeek": "monday"},
			map[string]any{"type": "endDate", "startDate": "2026-01-30", "endDate": "2026-02-06"},
			[]string{"2026-01-30T10:00", "2026-02-03T10:00", "2026-02-06T10:00"}},
		{"absolute monthly skips short months", map[string]any{"type": "absoluteMonthly", "interval": 1.0, "dayOfMonth": 30.0},
			map[string]any{"type": "numbered", "startDate": "2026-01-30", "numberOfOccurrences": 3.0},
			[]string{"2026-01-30T10:00", "2026-03-30T10:00", "2026-04-30T10:00"}},
		{"relative monthly last friday", map[string]any{"type": "relativeMonthly", "interval": 1.0, "daysOfWeek": []any{"friday"}, "index": "last"},
			map[string]any{"type": "numbered", "startDate": "2026-01-30", "numberOfOccurrences": 2.0},
			[]string{"2026-01-30T10:00", "2026-02-27T10:00"}},
		{"absolute yearly", map[string]any{"type": "absoluteYearly", "interval": 1.0, "month": 1.0, "dayOfMonth": 30.0},
			map[string]any{"type": "numbered", "startDate": "2026-01-30", "numberOfOccurrences": 2.0},
			[]string{"2026-01-30T10:00", "2027-01-30T10:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Props{"start": dateTimeTimeZone(at("2026-01-30T10:00")), "end": dateTimeTimeZone(at("2026-01-30T10:30")),
				"recurrence": map[string]any{"pattern": tc.pattern, "range": tc.rng}}
			var got []string
			SeriesStarts(p, at("2030-01-01T00:00"), func(s time.Time) bool {
				got = append(got, s.Format("2006-01-02T15:04"))
				return len(got) < 10
			})
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// TestMutateOccurrences checks that the mutator edits or cancels
// occurrences, each as an update of its series master with a new version.
func TestMutateOccurrences(t *testing.T) {
	tn := mustGenerate(t, GenOptions{Seed: 11, Users: 4, MessagesPerUser: 1, EventsPerUser: 20, ContactsPerUser: -1, FilesPerUser: 1})
	before := map[*Event]int64{}
	for _, u := range tn.Users {
		if u.Mailbox != nil {
			for _, e := range u.Mailbox.Events {
				before[e] = e.Version
			}
		}
	}
	rep, err := Mutate(tn, MutateOptions{Seed: 3, ChangedOccurrences: 4})
	if err != nil {
		t.Fatal(err)
	}
	if n := rep.Count(KindEvent, OpUpdate); n != 4 {
		t.Fatalf("%d event updates reported, want 4", n)
	}
	changed := 0
	for e, v := range before {
		if e.Version != v {
			changed++
			if e.Props["type"] != "seriesMaster" || e.Version <= rep.Start || len(e.Exceptions)+len(e.Cancelled) == 0 {
				t.Errorf("changed event %s: type %v, version %d, %d exceptions", e.ID, e.Props["type"], e.Version, len(e.Exceptions))
			}
		}
	}
	if changed != 4 {
		t.Errorf("%d events changed, want 4", changed)
	}
}
