package repo

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Policy is a grandfather-father-son retention policy, applied to each Source
// separately. The semantics are restic's: snapshots are taken newest first,
// and each Keep* bucket keeps the newest snapshot of each of its most recent
// periods that have one, until it has kept that many. A snapshot kept by
// several buckets counts in each. A negative count keeps every period.
//
// Periods are calendar periods in ForgetOptions.Location: hour, day, ISO week
// (Monday to Sunday), month, year. The zero Policy keeps everything.
type Policy struct {
	KeepLast    int // the n newest snapshots
	KeepHourly  int
	KeepDaily   int
	KeepWeekly  int
	KeepMonthly int
	KeepYearly  int
	// KeepWithin keeps every snapshot that started less than this long before
	// ForgetOptions.Now. (restic measures it from the newest snapshot instead;
	// from now is what "keep everything from the last week" means to admins.)
	KeepWithin time.Duration
}

func (p Policy) empty() bool { return p == Policy{} }

// bucket is one Keep* rule while a source's snapshots are walked.
type bucket struct {
	name  string
	left  int                      // snapshots still to keep; negative: unlimited
	key   func(t time.Time) string // the period a time falls in, also shown in reasons
	last  string                   // period of the last snapshot this bucket kept
	label bool                     // whether the reason shows the period
}

func (p Policy) buckets() []bucket {
	return []bucket{
		{name: "last", left: p.KeepLast, key: nil},
		{name: "hourly", left: p.KeepHourly, key: func(t time.Time) string { return t.Format("2006-01-02 15h") }, label: true},
		{name: "daily", left: p.KeepDaily, key: func(t time.Time) string { return t.Format("2006-01-02") }, label: true},
		{name: "weekly", left: p.KeepWeekly, key: isoWeek, label: true},
		{name: "monthly", left: p.KeepMonthly, key: func(t time.Time) string { return t.Format("2006-01") }, label: true},
		{name: "yearly", left: p.KeepYearly, key: func(t time.Time) string { return t.Format("2006") }, label: true},
	}
}

func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// applyPolicy splits the snapshots of one source into those p keeps and those
// it removes, with the reasons for each kept one. Both lists are newest first.
func applyPolicy(snaps []SnapshotInfo, p Policy, now time.Time, loc *time.Location) (keep, remove []SnapshotInfo, reasons map[SnapshotID][]string) {
	snaps = slices.Clone(snaps)
	slices.SortFunc(snaps, func(a, b SnapshotInfo) int {
		return cmp.Or(b.StartTime.Compare(a.StartTime), cmp.Compare(b.ID, a.ID))
	})

	reasons = map[SnapshotID][]string{}

	if p.empty() {
		for _, s := range snaps {
			reasons[s.ID] = []string{"no retention policy"}
		}

		return snaps, nil, reasons
	}

	bs := p.buckets()

	for _, s := range snaps {
		t := s.StartTime.In(loc)

		var why []string
		if p.KeepWithin > 0 && t.After(now.Add(-p.KeepWithin)) {
			why = append(why, "within "+p.KeepWithin.String())
		}

		for i := range bs {
			b := &bs[i]
			if b.left == 0 {
				continue
			}

			k := string(s.ID) // "last": every snapshot is its own period
			if b.key != nil {
				k = b.key(t)
			}

			if k == b.last {
				continue
			}

			b.last = k
			if b.left > 0 {
				b.left--
			}

			if b.label {
				why = append(why, b.name+" "+k)
			} else {
				why = append(why, b.name)
			}
		}

		if len(why) == 0 {
			remove = append(remove, s)
			continue
		}

		keep = append(keep, s)
		reasons[s.ID] = why
	}

	return keep, remove, reasons
}
