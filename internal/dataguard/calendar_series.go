package dataguard

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// Exceptions and cancelled occurrences of a series. Graph v1.0 has them
// only through GET /events/{masterId}/instances?startDateTime&endDateTime
// (event-list-instances), which lists "the occurrences and exceptions of
// the event in the specified time range"; exceptions have type
// "exception", and a cancelled occurrence is simply not listed (beta's
// cancelledOccurrences and exceptionOccurrences are not used: beta is not
// supported in production). So a series is read over a window: its
// exceptions are the listed instances of type exception, each then read
// in full; its cancelled occurrences are the starts the recurrence
// pattern yields in the window that no listed instance has as its
// originalStart.
//
// Exchange keeps exceptions and the dates of deleted occurrences in the
// series master item itself (MS-OXOCAL 3.1.4.6.2: creating an exception
// modifies the master's PidLidAppointmentRecur and adds an Exception
// Attachment object to it; a deleted instance goes to its
// DeletedInstanceDates), and an event's changeKey changes "every time the
// event is changed". An edited or cancelled occurrence therefore moves the
// master's changeKey, the calendar listing reports the master changed, and
// it is read again with its series: an unchanged series costs no request.

// Bounds of the window a series is read over: its recurrence range, but
// at most seriesPast before the master's last change and seriesFuture
// after it. The anchor is the last change, not the time of the backup, so
// the same series state gives the same window and the same stored bytes
// whenever it is read (a rerun after a crash stores what an uninterrupted
// run would, and deduplicates); every exception edit or cancellation
// moves the master's lastModifiedDateTime, so the window follows them. A series
// without an end would otherwise have no bound at all. Exchange refuses
// an expansion window of more than 1825 days ("Maximum number of days:
// 1825", microsoftgraph/microsoft-graph-docs-contrib#6321, seen on
// calendarView; the instances page documents no limit and is assumed to
// share it), so three years back and two ahead make every series one
// listing (more pages for a daily one), while keeping the exceptions a
// restore is likely to matter for: past occurrences are history, and
// edits of occurrences years ahead are rare. Exceptions and cancellations
// outside the window are not backed up (see the package documentation).
const (
	seriesPast    = 3 * 365 * 24 * time.Hour
	seriesFuture  = 2 * 365 * 24 * time.Hour
	instanceSpan  = 1825 * 24 * time.Hour // the longest window one request may ask for
	instancesPage = 500
)

// instanceSelect is what the instances listing asks for: enough to tell
// exceptions and to match occurrences with the pattern.
var instanceSelect = []string{"id", "type", "originalStart", "start"}

// EventSeries is what a snapshot keeps of a series beside its master:
// the window it was read over, its exceptions as Graph returned them, and
// the original starts of its cancelled occurrences.
type EventSeries struct {
	WindowStart time.Time         `json:"windowStart"`
	WindowEnd   time.Time         `json:"windowEnd"`
	Exceptions  []SeriesException `json:"exceptions,omitempty"`
	// Cancelled are the UTC starts the pattern gives the cancelled
	// occurrences. Across a daylight saving change the real original start
	// may differ by up to an hour; match within a few hours (occurrences
	// are a day or more apart).
	Cancelled []time.Time `json:"cancelled,omitempty"`
	// CancelledUnknown says the recurrence could not be expanded, so
	// cancelled occurrences could not be told (Cancelled is empty).
	CancelledUnknown bool `json:"cancelledUnknown,omitempty"`
}

// SeriesException is one exception: the original start of the occurrence
// it replaces and its Graph JSON as GET /events/{id} returned it.
type SeriesException struct {
	OriginalStart time.Time       `json:"originalStart"`
	Event         json.RawMessage `json:"event"`
}

// seriesWindow is the window a series master is read over, around anchor
// (its last change); ok is false when it is empty (a series that ended
// more than seriesPast before it).
func seriesWindow(plan *seriesPlan, first time.Time, anchor time.Time) (start, end time.Time, ok bool) {
	start, end = first.Add(-24*time.Hour), anchor.Add(seriesFuture)
	if lo := anchor.Add(-seriesPast); start.Before(lo) {
		start = lo
	}
	if plan != nil && (plan.count > 0 || !plan.until.IsZero()) {
		var last time.Time
		plan.starts(end, func(t time.Time) bool { last = t; return true })
		// An exception may move its occurrence past the last start: a day
		// beyond covers moves within the series' usual spacing.
		if e := last.Add(24 * time.Hour); !last.IsZero() && e.Before(end) {
			end = e
		}
	}
	return start, end, end.After(start)
}

// readSeries reads the exceptions and cancellations of series master ev.
// Memory: the exceptions' JSON and one time per occurrence in the window
// (a few thousand for a daily series), never the occurrences themselves.
func (j *calendarJob) readSeries(ctx context.Context, ev graph.Event) (*EventSeries, error) {
	rr := j.rr
	plan, planned := planSeries(ev.Raw)
	var first time.Time
	if ev.Start != nil {
		var ok bool
		if first, ok = graphUTC(ev.Start.DateTime, ev.Start.TimeZone); !ok {
			// A zone not known here (a Windows name, when Graph was asked
			// for local times): the start is hours off at most, which the
			// window's margin takes; the pattern cannot be placed.
			first, _ = graphUTC(ev.Start.DateTime, "UTC")
			plan, planned = nil, false
		}
	}
	if first.IsZero() {
		return nil, fmt.Errorf("series %s: no start", ev.ID)
	}
	out := &EventSeries{CancelledUnknown: !planned}
	anchor := ev.LastModifiedDateTime.UTC()
	if anchor.IsZero() {
		anchor = rr.opts.Now().UTC() // Graph always sends it; a fallback only
	}
	start, end, ok := seriesWindow(plan, first, anchor)
	out.WindowStart, out.WindowEnd = start, end
	if !ok {
		return out, nil
	}
	var seen []time.Time
	for lo := start; lo.Before(end); lo = lo.Add(instanceSpan) {
		hi := lo.Add(instanceSpan)
		if hi.After(end) {
			hi = end
		}
		opts := &graph.ListOptions{Select: instanceSelect, Top: instancesPage}
		for in, err := range rr.c.EventInstances(ctx, rr.res.ID, ev.ID, lo, hi, opts) {
			if err != nil {
				return nil, fmt.Errorf("list instances of series %s: %w", ev.ID, err)
			}
			orig := in.OriginalStart
			if orig.IsZero() && in.Start != nil {
				orig, _ = graphUTC(in.Start.DateTime, in.Start.TimeZone)
			}
			if in.Type == "exception" {
				if slices.ContainsFunc(out.Exceptions, func(x SeriesException) bool { return x.OriginalStart.Equal(orig) }) {
					continue // listed by both chunks of the window
				}
				full, err := rr.c.Event(ctx, rr.res.ID, in.ID, nil)
				if err != nil {
					return nil, fmt.Errorf("read exception %s of series %s: %w", in.ID, ev.ID, err)
				}
				out.Exceptions = append(out.Exceptions, SeriesException{OriginalStart: orig, Event: full.Raw})
			}
			if !orig.IsZero() {
				seen = append(seen, orig)
			}
		}
	}
	if planned {
		// Within a day of the window's edges an exception may have moved
		// its occurrence out of the window: such a start is not taken
		// for cancelled. The window has a day's margin around the range.
		lo, hi := start.Add(24*time.Hour), end.Add(-24*time.Hour)
		slices.SortFunc(seen, func(a, b time.Time) int { return a.Compare(b) })
		plan.starts(end, func(t time.Time) bool {
			if !t.Before(lo) && !t.After(hi) && !matchOccurrence(seen, t) {
				out.Cancelled = append(out.Cancelled, t)
			}
			return true
		})
	}
	slices.SortFunc(out.Exceptions, func(a, b SeriesException) int { return a.OriginalStart.Compare(b.OriginalStart) })
	return out, nil
}

// storeSeries writes a series' exceptions and cancellations beside its
// master.
func (j *calendarJob) storeSeries(ctx context.Context, eventID string, s *EventSeries, mtime time.Time) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode series %s: %w", eventID, err)
	}
	if err := j.rr.w.WriteFile(ctx, EventSeriesPath(j.cal.ID, eventID), bytesReader(b), mtime); err != nil {
		return repoError{err}
	}
	return nil
}

// ReadSeries reads what the snapshot keeps of a series beside its master
// (EventRef.Series); nil for an event without it, such as a series master
// backed up before exceptions were.
func (v *View) ReadSeries(ctx context.Context, e EventRef) (*EventSeries, error) {
	if e.Series == "" {
		return nil, nil
	}
	var s EventSeries
	if err := v.ReadJSON(ctx, e.Series, &s); err != nil {
		return nil, fmt.Errorf("read series of event %s: %w", e.ID, err)
	}
	return &s, nil
}
