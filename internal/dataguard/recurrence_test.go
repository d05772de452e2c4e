package dataguard

import (
	"encoding/json"
	"testing"
	"time"
)

// TestPlanSeries expands patterns of each type and checks the day shift
// between a master's UTC start and its local pattern dates.
func TestPlanSeries(t *testing.T) {
	for _, tc := range []struct {
		name, start, pattern, rng string
		want                      []string
	}{
		{"weekly two days", "2026-01-05T09:00:00.0000000",
			`{"type":"weekly","interval":1,"daysOfWeek":["monday","thursday"],"firstDayOfWeek":"sunday"}`,
			`{"type":"numbered","startDate":"2026-01-05","numberOfOccurrences":3}`,
			[]string{"2026-01-05T09:00", "2026-01-08T09:00", "2026-01-12T09:00"}},
		// 00:30 local on Monday in UTC+2 is Sunday 22:30 UTC: dates move
		// back a day.
		{"local date after UTC date", "2026-01-04T22:30:00.0000000",
			`{"type":"weekly","interval":2,"daysOfWeek":["monday"],"firstDayOfWeek":"monday"}`,
			`{"type":"endDate","startDate":"2026-01-05","endDate":"2026-02-02"}`,
			[]string{"2026-01-04T22:30", "2026-01-18T22:30", "2026-02-01T22:30"}},
		{"relative monthly", "2026-01-30T12:00:00.0000000",
			`{"type":"relativeMonthly","interval":1,"daysOfWeek":["friday"],"index":"last"}`,
			`{"type":"numbered","startDate":"2026-01-30","numberOfOccurrences":3}`,
			[]string{"2026-01-30T12:00", "2026-02-27T12:00", "2026-03-27T12:00"}},
		{"absolute yearly", "2024-02-29T08:00:00.0000000",
			`{"type":"absoluteYearly","interval":1,"month":2,"dayOfMonth":29}`,
			`{"type":"numbered","startDate":"2024-02-29","numberOfOccurrences":2}`,
			[]string{"2024-02-29T08:00", "2028-02-29T08:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := json.RawMessage(`{"start":{"dateTime":"` + tc.start + `","timeZone":"UTC"},"recurrence":{"pattern":` +
				tc.pattern + `,"range":` + tc.rng + `}}`)
			p, ok := planSeries(raw)
			if !ok {
				t.Fatal("not planned")
			}
			var got []string
			p.starts(time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC), func(s time.Time) bool {
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
	if _, ok := planSeries(json.RawMessage(`{"start":{"dateTime":"2026-01-05T09:00:00","timeZone":"UTC"},
		"recurrence":{"pattern":{"type":"hourly"},"range":{"type":"noEnd","startDate":"2026-01-05"}}}`)); ok {
		t.Error("unknown pattern type planned")
	}
}

// TestMatchOccurrence allows a daylight saving hour and no more than the
// slack.
func TestMatchOccurrence(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 3, 30, h, m, 0, 0, time.UTC) }
	seen := []time.Time{at(8, 0), at(8, 0).AddDate(0, 0, 1)}
	for _, tc := range []struct {
		t    time.Time
		want bool
	}{{at(9, 0), true}, {at(7, 0), true}, {at(12, 0), false}, {at(8, 0).AddDate(0, 0, 2), false}} {
		if got := matchOccurrence(seen, tc.t); got != tc.want {
			t.Errorf("match %v: %v, want %v", tc.t, got, tc.want)
		}
	}
}
