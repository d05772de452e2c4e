package dataguard

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// seriesPlan is a series master's recurrence ready to expand.
type seriesPlan struct {
	rec   graph.PatternedRecurrence
	from  time.Time // range.startDate, a date
	until time.Time // range.endDate (inclusive) for an endDate range; zero otherwise
	count int       // numberOfOccurrences of a numbered range; 0 otherwise
	// first is the master's start in UTC; shift is how many days its UTC
	// date lies after the first date of the pattern, which is a local
	// date of the series' time zone.
	first time.Time
	shift int
	days  map[time.Weekday]bool
}

// planSeries reads a series master's JSON; ok is false when its
// recurrence is absent or of a form the expansion does not know, in which
// case its cancelled occurrences cannot be worked out.
func planSeries(raw json.RawMessage) (*seriesPlan, bool) {
	var m struct {
		Start      *struct{ DateTime, TimeZone string } `json:"start"`
		Recurrence *graph.PatternedRecurrence           `json:"recurrence"`
	}
	if err := json.Unmarshal(raw, &m); err != nil || m.Start == nil || m.Recurrence == nil {
		return nil, false
	}
	first, ok := graphUTC(m.Start.DateTime, m.Start.TimeZone)
	if !ok {
		return nil, false
	}
	p := &seriesPlan{rec: *m.Recurrence, first: first, days: map[time.Weekday]bool{}}
	if p.rec.Pattern.Interval < 1 {
		p.rec.Pattern.Interval = 1
	}
	for _, d := range p.rec.Pattern.DaysOfWeek {
		wd, ok := parseWeekday(d)
		if !ok {
			return nil, false
		}
		p.days[wd] = true
	}
	var err error
	if p.from, err = time.Parse(time.DateOnly, p.rec.Range.StartDate); err != nil {
		return nil, false
	}
	switch p.rec.Range.Type {
	case "endDate":
		if p.until, err = time.Parse(time.DateOnly, p.rec.Range.EndDate); err != nil {
			return nil, false
		}
	case "numbered":
		if p.count = p.rec.Range.NumberOfOccurrences; p.count < 1 {
			return nil, false
		}
	case "noEnd":
	default:
		return nil, false
	}
	switch p.rec.Pattern.Type {
	case "daily":
	case "weekly", "relativeMonthly", "relativeYearly":
		if len(p.days) == 0 {
			return nil, false
		}
	case "absoluteMonthly", "absoluteYearly":
		if p.rec.Pattern.DayOfMonth < 1 || p.rec.Pattern.DayOfMonth > 31 {
			return nil, false
		}
	default:
		return nil, false
	}
	firstDate, ok := p.firstDate()
	if !ok {
		return nil, false
	}
	p.shift = int(p.first.Truncate(24*time.Hour).Sub(firstDate).Hours()) / 24
	if p.shift < -1 || p.shift > 1 {
		return nil, false // the master is not on its pattern's first date
	}
	return p, true
}

func (p *seriesPlan) firstDate() (time.Time, bool) {
	var out time.Time
	found := false
	p.dates(func(d time.Time) bool { out, found = d, true; return false })
	return out, found
}

// starts calls yield with the UTC start of each occurrence, cancelled ones
// included, in order, until the range ends, a start reaches end, or yield
// returns false. Starts are the master's UTC time of day on each date of
// the pattern, moved by shift; across a daylight saving change the real
// start differs by up to the change (an hour), which matchOccurrence
// allows for.
func (p *seriesPlan) starts(end time.Time, yield func(time.Time) bool) {
	tod := p.first.Sub(p.first.Truncate(24 * time.Hour))
	p.dates(func(d time.Time) bool {
		t := d.AddDate(0, 0, p.shift).Add(tod)
		return t.Before(end) && yield(t)
	})
}

// dates calls yield with the local dates of the pattern within the range.
func (p *seriesPlan) dates(yield func(time.Time) bool) {
	pat := p.rec.Pattern
	n := 0
	// take reports whether to go on after date d of the pattern.
	take := func(d time.Time) bool {
		if d.Before(p.from) {
			return true
		}
		if !p.until.IsZero() && d.After(p.until) {
			return false
		}
		n++
		return yield(d) && (p.count == 0 || n < p.count)
	}
	const maxPeriods = 100_000 // a pattern whose days never come ends here
	switch pat.Type {
	case "daily":
		for i := 0; i < maxPeriods; i++ {
			if !take(p.from.AddDate(0, 0, i*pat.Interval)) {
				return
			}
		}
	case "weekly":
		fdw, _ := parseWeekday(pat.FirstDayOfWeek)
		week := p.from.AddDate(0, 0, -((int(p.from.Weekday()) - int(fdw) + 7) % 7))
		for i := 0; i < maxPeriods; i++ {
			for k := range 7 {
				if d := week.AddDate(0, 0, k); p.days[d.Weekday()] && !take(d) {
					return
				}
			}
			week = week.AddDate(0, 0, 7*pat.Interval)
		}
	default:
		yearly := strings.HasSuffix(pat.Type, "Yearly")
		for i := 0; i < maxPeriods; i++ {
			y, m := p.from.Year(), p.from.Month()+time.Month(i*pat.Interval)
			if yearly {
				y, m = p.from.Year()+i*pat.Interval, time.Month(pat.Month)
				if m == 0 {
					m = p.from.Month()
				}
			}
			d, ok := p.monthDate(y, m)
			if ok && !take(d) {
				return
			}
		}
	}
}

// monthDate is the pattern's date in month m of year y: its dayOfMonth,
// or its index'th weekday of daysOfWeek; ok is false when the month has
// no such day (the 31st of April).
func (p *seriesPlan) monthDate(y int, m time.Month) (time.Time, bool) {
	start := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	pat := p.rec.Pattern
	if strings.HasPrefix(pat.Type, "absolute") {
		d := start.AddDate(0, 0, pat.DayOfMonth-1)
		return d, d.Month() == start.Month()
	}
	var hits []time.Time
	for d := start; d.Month() == start.Month(); d = d.AddDate(0, 0, 1) {
		if p.days[d.Weekday()] {
			hits = append(hits, d)
		}
	}
	if pat.Index == "last" {
		if len(hits) > 0 {
			return hits[len(hits)-1], true
		}
		return time.Time{}, false
	}
	// index defaults to first (recurrencePattern).
	k := map[string]int{"": 0, "first": 0, "second": 1, "third": 2, "fourth": 3}[pat.Index]
	if k < len(hits) {
		return hits[k], true
	}
	return time.Time{}, false
}

func parseWeekday(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String(), s) {
			return d, true
		}
	}
	return time.Sunday, s == ""
}

// graphUTC reads a dateTimeTimeZone value as a UTC instant. Graph gives
// times in UTC unless asked for another zone (Prefer: outlook.timezone);
// an IANA zone is applied, a Windows zone name is not known here.
func graphUTC(dt, tz string) (time.Time, bool) {
	var t time.Time
	var err error
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", time.RFC3339Nano} {
		if t, err = time.Parse(layout, dt); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, false
	}
	if tz = strings.TrimSpace(tz); tz != "" && !strings.EqualFold(tz, "UTC") && !strings.EqualFold(tz, "Etc/UTC") {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return time.Time{}, false
		}
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
	}
	return t.UTC(), true
}

// occurrenceSlack is how far an occurrence's real original start may lie
// from the start expanded in UTC: a daylight saving change moves it by an
// hour (half an hour in a few zones), and occurrences of a series are at
// least a day apart, so a few hours cannot match the wrong one.
const occurrenceSlack = 3 * time.Hour

// matchOccurrence reports whether sorted (ascending) holds a time within
// occurrenceSlack of t.
func matchOccurrence(sorted []time.Time, t time.Time) bool {
	lo, hi := 0, len(sorted)
	for lo < hi {
		mid := (lo + hi) / 2
		if sorted[mid].Before(t.Add(-occurrenceSlack)) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo < len(sorted) && !sorted[lo].After(t.Add(occurrenceSlack))
}
