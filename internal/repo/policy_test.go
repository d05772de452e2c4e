package repo

import (
	"slices"
	"testing"
	"time"
)

// snapsAt makes one snapshot per time (RFC 3339, or "2006-01-02" for 02:00
// UTC that day), each with its time string as ID.
func snapsAt(t *testing.T, times ...string) []SnapshotInfo {
	t.Helper()

	out := make([]SnapshotInfo, 0, len(times))
	for _, s := range times {
		ts, err := time.Parse(time.RFC3339, s)
		if err != nil {
			ts, err = time.Parse("2006-01-02", s)
			ts = ts.Add(2 * time.Hour)
		}

		if err != nil {
			t.Fatalf("bad time %q", s)
		}

		out = append(out, SnapshotInfo{ID: SnapshotID(s), Source: testSource, StartTime: ts})
	}

	return out
}

// everyDay returns one date per day from first to last inclusive.
func everyDay(first, last string) []string {
	a, _ := time.Parse("2006-01-02", first)
	b, _ := time.Parse("2006-01-02", last)

	var out []string
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format("2006-01-02"))
	}

	return out
}

func ids(snaps []SnapshotInfo) []SnapshotID {
	out := make([]SnapshotID, 0, len(snaps))
	for _, s := range snaps {
		out = append(out, s.ID)
	}

	return out
}

func TestApplyPolicy(t *testing.T) {
	t.Parallel()

	brisbane := time.FixedZone("UTC+10", 10*3600)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

	for _, tc := range []struct {
		name        string
		snaps       []string
		policy      Policy
		loc         *time.Location
		wantKeep    []SnapshotID // newest first
		wantReasons map[SnapshotID][]string
	}{
		{
			name:     "empty policy keeps all",
			snaps:    []string{"2026-11-01", "2026-11-02"},
			wantKeep: []SnapshotID{"2026-11-02", "2026-11-01"},
			wantReasons: map[SnapshotID][]string{
				"2026-11-01": {"no retention policy"}, "2026-11-02": {"no retention policy"},
			},
		},
		{
			name:     "last 3",
			snaps:    []string{"2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"},
			policy:   Policy{KeepLast: 3},
			wantKeep: []SnapshotID{"2026-11-05", "2026-11-04", "2026-11-03"},
			wantReasons: map[SnapshotID][]string{
				"2026-11-05": {"last"}, "2026-11-04": {"last"}, "2026-11-03": {"last"},
			},
		},
		{
			name: "daily keeps the newest of each day",
			snaps: []string{
				"2026-11-01T08:00:00Z", "2026-11-01T20:00:00Z", "2026-11-02T08:00:00Z", "2026-11-02T20:00:00Z",
				"2026-11-03T08:00:00Z", "2026-11-03T20:00:00Z", "2026-11-04T08:00:00Z",
			},
			policy:   Policy{KeepDaily: 3},
			wantKeep: []SnapshotID{"2026-11-04T08:00:00Z", "2026-11-03T20:00:00Z", "2026-11-02T20:00:00Z"},
			wantReasons: map[SnapshotID][]string{
				"2026-11-04T08:00:00Z": {"daily 2026-11-04"},
				"2026-11-03T20:00:00Z": {"daily 2026-11-03"},
				"2026-11-02T20:00:00Z": {"daily 2026-11-02"},
			},
		},
		{
			name:     "weekly uses ISO weeks (Monday to Sunday)",
			snaps:    []string{"2026-11-02", "2026-11-04", "2026-11-08", "2026-11-09", "2026-11-15", "2026-11-17"},
			policy:   Policy{KeepWeekly: 2},
			wantKeep: []SnapshotID{"2026-11-17", "2026-11-15"},
			wantReasons: map[SnapshotID][]string{
				"2026-11-17": {"weekly 2026-W47"}, "2026-11-15": {"weekly 2026-W46"},
			},
		},
		{
			name:   "grandfather-father-son over 14 months of dailies",
			snaps:  everyDay("2025-10-01", "2026-11-27"),
			policy: Policy{KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 6, KeepYearly: 2},
			wantKeep: []SnapshotID{
				"2026-11-27", "2026-11-26", "2026-11-25", "2026-11-24", "2026-11-23", "2026-11-22", "2026-11-21", // daily
				"2026-11-15", "2026-11-08", // weekly (Sundays; 11-22 and 11-27 already kept)
				"2026-10-31", "2026-09-30", "2026-08-31", "2026-07-31", "2026-06-30", // monthly
				"2025-12-31", // yearly
			},
			wantReasons: map[SnapshotID][]string{
				"2026-11-27": {"daily 2026-11-27", "weekly 2026-W48", "monthly 2026-11", "yearly 2026"},
				"2026-11-22": {"daily 2026-11-22", "weekly 2026-W47"},
				"2026-11-15": {"weekly 2026-W46"},
				"2026-06-30": {"monthly 2026-06"},
				"2025-12-31": {"yearly 2025"},
			},
		},
		{
			name:     "keep within is measured from now",
			snaps:    []string{"2026-11-24T10:00:00Z", "2026-11-25T13:00:00Z", "2026-11-26T11:00:00Z", "2026-11-27T10:00:00Z"},
			policy:   Policy{KeepWithin: 48 * time.Hour},
			wantKeep: []SnapshotID{"2026-11-27T10:00:00Z", "2026-11-26T11:00:00Z", "2026-11-25T13:00:00Z"},
			wantReasons: map[SnapshotID][]string{
				"2026-11-25T13:00:00Z": {"within 48h0m0s"},
			},
		},
		{
			name:     "negative count keeps every period",
			snaps:    []string{"2026-01-05", "2026-01-06", "2026-03-01", "2026-03-02", "2026-11-01"},
			policy:   Policy{KeepMonthly: -1},
			wantKeep: []SnapshotID{"2026-11-01", "2026-03-02", "2026-01-06"},
		},
		{
			name:     "hourly and last combine",
			snaps:    []string{"2026-11-27T09:10:00Z", "2026-11-27T09:50:00Z", "2026-11-27T10:05:00Z", "2026-11-27T10:40:00Z"},
			policy:   Policy{KeepLast: 1, KeepHourly: 2},
			wantKeep: []SnapshotID{"2026-11-27T10:40:00Z", "2026-11-27T09:50:00Z"},
			wantReasons: map[SnapshotID][]string{
				"2026-11-27T10:40:00Z": {"last", "hourly 2026-11-27 10h"},
			},
		},
		{
			name:     "days follow the configured time zone",
			snaps:    []string{"2026-11-27T01:00:00Z", "2026-11-27T08:00:00Z", "2026-11-27T23:30:00Z"},
			policy:   Policy{KeepDaily: 2},
			loc:      brisbane, // 23:30Z is already Nov 28 there
			wantKeep: []SnapshotID{"2026-11-27T23:30:00Z", "2026-11-27T08:00:00Z"},
		},
		{
			name:     "days in UTC",
			snaps:    []string{"2026-11-27T01:00:00Z", "2026-11-27T08:00:00Z", "2026-11-27T23:30:00Z"},
			policy:   Policy{KeepDaily: 2},
			wantKeep: []SnapshotID{"2026-11-27T23:30:00Z"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc := tc.loc
			if loc == nil {
				loc = time.UTC
			}

			snaps := snapsAt(t, tc.snaps...)
			keep, remove, reasons := applyPolicy(snaps, tc.policy, now, loc)

			if got := ids(keep); !slices.Equal(got, tc.wantKeep) {
				t.Errorf("keep = %v\nwant   %v", got, tc.wantKeep)
			}

			if len(keep)+len(remove) != len(snaps) {
				t.Errorf("%d kept + %d removed != %d snapshots", len(keep), len(remove), len(snaps))
			}

			for _, s := range remove {
				if _, ok := reasons[s.ID]; ok {
					t.Errorf("removed %s has reasons %v", s.ID, reasons[s.ID])
				}
			}

			for id, want := range tc.wantReasons {
				if !slices.Equal(reasons[id], want) {
					t.Errorf("reasons[%s] = %q, want %q", id, reasons[id], want)
				}
			}
		})
	}
}
