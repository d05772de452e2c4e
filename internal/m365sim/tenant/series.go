package tenant

import (
	"encoding/base64"
	"strings"
	"time"
)

// A series master keeps its changed and cancelled occurrences, as Exchange
// does: "To create a new exception that replaces an instance of the
// recurring series, the client modifies the value of the
// PidLidAppointmentRecur property" of the series' Calendar object and adds
// an Exception Attachment object to it (MS-OXOCAL 3.1.4.6.2); a deleted
// instance is recorded in the same property's DeletedInstanceDates. Both
// are changes of the master item, so they give it a new version (and
// changeKey, "Every time the event is changed, ChangeKey changes as well").
// https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxocal/07152e08-a172-4dbf-8cd7-379f60ad9385
// https://learn.microsoft.com/en-us/graph/api/resources/event
//
// The emulator keys both by the occurrence's original start in UTC
// (OccurrenceKey) and expands recurrence patterns in UTC: time zones other
// than UTC are read as UTC, as eventTime does elsewhere.

// Exception is an occurrence of a series changed on its own: Props
// override the master's properties for that occurrence.
type Exception struct {
	Props   Props
	Version int64
}

const occurrenceKeyLayout = "20060102T150405Z"

// OccurrenceKey is the key of the occurrence originally starting at t.
func OccurrenceKey(t time.Time) string { return t.UTC().Format(occurrenceKeyLayout) }

// occurrencePrefix starts every occurrence id. Real occurrence ids are
// opaque strings derived from the master's; the emulator's decode to the
// master id and the occurrence's original start.
const occurrencePrefix = "AAMkAGOC"

// OccurrenceID is the id of the occurrence of master originally starting
// at orig.
func OccurrenceID(masterID string, orig time.Time) string {
	return occurrencePrefix + base64.RawURLEncoding.EncodeToString([]byte(masterID+"\x00"+OccurrenceKey(orig)))
}

// ParseOccurrenceID splits an occurrence id into its master id and original
// start; ok is false for any other id.
func ParseOccurrenceID(id string) (masterID string, orig time.Time, ok bool) {
	rest, found := strings.CutPrefix(id, occurrencePrefix)
	if !found {
		return "", time.Time{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return "", time.Time{}, false
	}
	m, k, found := strings.Cut(string(raw), "\x00")
	if !found {
		return "", time.Time{}, false
	}
	t, err := time.Parse(occurrenceKeyLayout, k)
	if err != nil {
		return "", time.Time{}, false
	}
	return m, t, true
}

// SeriesSpan returns a series master's first start and the duration of
// its occurrences; ok is false when props has no usable start and end.
func SeriesSpan(props Props) (start time.Time, dur time.Duration, ok bool) {
	st, ok1 := propTime(props["start"])
	en, ok2 := propTime(props["end"])
	if !ok1 || !ok2 {
		return time.Time{}, 0, false
	}
	return st, en.Sub(st), true
}

func propTime(v any) (time.Time, bool) {
	m, _ := v.(map[string]any)
	s, _ := m["dateTime"].(string)
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// maxSeriesSteps bounds the expansion of one pattern, so that a malformed
// one (interval 0 is refused, but days that never match are not) ends.
const maxSeriesSteps = 200_000

// SeriesStarts calls yield with the original start of each occurrence of
// a series master, in order, cancelled ones included, until the range ends,
// a start is not before until, or yield returns false. The pattern is
// applied to dates from range.startDate at the master start's time of day
// (patternedRecurrence, recurrencePattern and recurrenceRange resources).
// https://learn.microsoft.com/en-us/graph/api/resources/patternedrecurrence
// https://learn.microsoft.com/en-us/graph/api/resources/recurrencepattern
// https://learn.microsoft.com/en-us/graph/api/resources/recurrencerange
func SeriesStarts(props Props, until time.Time, yield func(time.Time) bool) {
	first, _, ok := SeriesSpan(props)
	rec := asMap(props["recurrence"])
	pat, rng := asMap(rec["pattern"]), asMap(rec["range"])
	if !ok || pat == nil || rng == nil {
		return
	}
	day := func(s string) (time.Time, bool) {
		t, err := time.Parse("2006-01-02", s)
		return t, err == nil
	}
	from, ok := day(anyStr(rng["startDate"]))
	if !ok {
		from = first.Truncate(24 * time.Hour)
	}
	tod := first.Sub(first.Truncate(24 * time.Hour))
	var last time.Time // zero: no end date
	count := 0
	switch anyStr(rng["type"]) {
	case "endDate":
		if last, ok = day(anyStr(rng["endDate"])); !ok {
			return
		}
	case "numbered":
		if count = int(num(rng["numberOfOccurrences"])); count <= 0 {
			return
		}
	}
	interval := max(1, int(num(pat["interval"])))
	n := 0
	emit := func(d time.Time) bool {
		if d.Before(from) {
			return true
		}
		if !last.IsZero() && d.After(last) {
			return false
		}
		t := d.Add(tod)
		if !t.Before(until) || !yield(t) {
			return false
		}
		n++
		return count == 0 || n < count
	}
	days := weekdays(pat["daysOfWeek"])
	month := time.Month(num(pat["month"]))
	if month == 0 {
		month = from.Month()
	}
	dom := int(num(pat["dayOfMonth"]))
	if dom == 0 {
		dom = from.Day()
	}
	index := anyStr(pat["index"])
	for step := 0; step < maxSeriesSteps; step++ {
		switch anyStr(pat["type"]) {
		case "daily":
			if !emit(from.AddDate(0, 0, step*interval)) {
				return
			}
		case "weekly":
			wk := startOfWeek(from, weekday(anyStr(pat["firstDayOfWeek"]))).AddDate(0, 0, 7*step*interval)
			for i := 0; i < 7; i++ {
				d := wk.AddDate(0, 0, i)
				if days[d.Weekday()] && !emit(d) {
					return
				}
			}
		case "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly":
			typ := anyStr(pat["type"])
			y, m := from.Year(), from.Month()
			if strings.HasSuffix(typ, "Yearly") {
				y, m = from.Year()+step*interval, month
			} else {
				m += time.Month(step * interval)
			}
			var d time.Time
			var ok bool
			if strings.HasPrefix(typ, "absolute") {
				d, ok = dayOfMonth(y, m, dom)
			} else {
				d, ok = nthWeekday(y, m, days, index)
			}
			if ok && !emit(d) {
				return
			}
		default:
			return
		}
	}
}

func startOfWeek(d time.Time, first time.Weekday) time.Time {
	back := (int(d.Weekday()) - int(first) + 7) % 7
	return d.AddDate(0, 0, -back)
}

// dayOfMonth is day dom of the month; ok is false when the month is
// shorter.
func dayOfMonth(y int, m time.Month, dom int) (time.Time, bool) {
	d := time.Date(y, m, dom, 0, 0, 0, 0, time.UTC)
	return d, dom >= 1 && d.Month() == time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Month()
}

// nthWeekday is the index'th (first … fourth, last) day of the month that
// is one of days.
func nthWeekday(y int, m time.Month, days map[time.Weekday]bool, index string) (time.Time, bool) {
	var hits []time.Time
	for d := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC); d.Month() == time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Month(); d = d.AddDate(0, 0, 1) {
		if days[d.Weekday()] {
			hits = append(hits, d)
		}
	}
	i := map[string]int{"first": 0, "second": 1, "third": 2, "fourth": 3}[index]
	if index == "last" {
		i = len(hits) - 1
	}
	if i < 0 || i >= len(hits) {
		return time.Time{}, false
	}
	return hits[i], true
}

func weekdays(v any) map[time.Weekday]bool {
	out := map[time.Weekday]bool{}
	list, _ := v.([]any)
	for _, x := range list {
		if s, ok := x.(string); ok {
			out[weekday(s)] = true
		}
	}
	return out
}

func weekday(s string) time.Weekday {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String(), s) {
			return d
		}
	}
	return time.Sunday
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func anyStr(v any) string { s, _ := v.(string); return s }

func num(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case int:
		return float64(n)
	case int64:
		return float64(n)
	}
	return 0
}

// HasOccurrence reports whether master has an occurrence originally
// starting at orig, cancelled or not.
func HasOccurrence(master *Event, orig time.Time) bool {
	found := false
	SeriesStarts(master.Props, orig.Add(time.Second), func(t time.Time) bool {
		found = t.Equal(orig)
		return !found
	})
	return found
}

// UpdateOccurrence makes the occurrence of master originally starting at
// orig an exception, or changes the exception it is, merging props; the
// master gets a new version. Hold the write lock.
func (t *Tenant) UpdateOccurrence(mb *Mailbox, master *Event, orig time.Time, props Props) *Exception {
	k := OccurrenceKey(orig)
	if master.Exceptions == nil {
		master.Exceptions = map[string]*Exception{}
	}
	x := master.Exceptions[k]
	if x == nil {
		x = &Exception{Props: Props{}}
		master.Exceptions[k] = x
	}
	for key, v := range props {
		x.Props[key] = v
	}
	t.touchSeries(mb, master, props["lastModifiedDateTime"])
	x.Version = master.Version
	return x
}

// CancelOccurrence cancels the occurrence of master originally starting at
// orig, dropping its exception if it was one; the master gets a new
// version. Hold the write lock.
func (t *Tenant) CancelOccurrence(mb *Mailbox, master *Event, orig time.Time, at any) {
	k := OccurrenceKey(orig)
	delete(master.Exceptions, k)
	if master.Cancelled == nil {
		master.Cancelled = map[string]bool{}
	}
	master.Cancelled[k] = true
	t.touchSeries(mb, master, at)
}

// touchSeries records a change of a series' occurrences as a change of its
// master (see the comment at the top of this file).
func (t *Tenant) touchSeries(mb *Mailbox, master *Event, at any) {
	p := Props{}
	if at != nil {
		p["lastModifiedDateTime"] = at
	}
	t.UpdateEvent(mb, master, p)
}
