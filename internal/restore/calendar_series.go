package restore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// A restored series is created from its master, which gives it every
// occurrence of the pattern; its exceptions and cancellations are then
// applied to the new series' occurrences, found by their original start
// over the window the backup read: an occurrence that was an exception
// gets the exception's properties (event-update: updating an occurrence
// makes it an exception), one that was cancelled is deleted
// (event-delete). Both are idempotent: the PATCH sets the same values
// again, and a cancelled occurrence is no longer listed.

// instanceSpan is the longest window one instances request may span (see
// dataguard: Exchange refuses more than 1825 days).
const instanceSpan = 1825 * 24 * time.Hour

// occurrenceSlack is how far an occurrence's original start may lie from
// the stored one; see dataguard.EventSeries.Cancelled.
const occurrenceSlack = 3 * time.Hour

// exceptionProps are the properties an exception is restored with: what
// a series' occurrence can have of its own (subject, times, location,
// body, …), the event's writable properties less the series-wide ones.
var exceptionProps = []string{"subject", "body", "start", "end", "isAllDay", "location", "locations", "importance",
	"sensitivity", "showAs", "categories", "isReminderOn", "reminderMinutesBeforeStart"}

// seriesTarget is a stored exception or cancellation and the occurrence
// of the new series it applies to.
type seriesTarget struct {
	orig  time.Time
	patch map[string]any // nil for a cancellation
	id    string         // the new series' occurrence; "" until found
}

// applySeries applies a stored series' exceptions and cancellations to
// the new series masterID.
func (cr *calendarRestorer) applySeries(ctx context.Context, masterID string, s *dataguard.EventSeries) error {
	if s == nil || len(s.Exceptions)+len(s.Cancelled) == 0 {
		return nil
	}
	var targets []*seriesTarget
	for _, x := range s.Exceptions {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(x.Event, &raw); err != nil {
			return permanent(fmt.Errorf("decode stored exception: %w", err))
		}
		patch := map[string]any{}
		for _, k := range exceptionProps {
			if v, ok := raw[k]; ok && string(v) != "null" {
				patch[k] = v
			}
		}
		targets = append(targets, &seriesTarget{orig: x.OriginalStart, patch: patch})
	}
	for _, c := range s.Cancelled {
		targets = append(targets, &seriesTarget{orig: c})
	}
	// Find the targets first and change them after: a delete during the
	// listing would shift the pages that follow.
	opts := &graph.ListOptions{Select: []string{"id", "type", "originalStart", "start"}, Top: 500}
	for lo := s.WindowStart; lo.Before(s.WindowEnd); lo = lo.Add(instanceSpan) {
		hi := lo.Add(instanceSpan)
		if hi.After(s.WindowEnd) {
			hi = s.WindowEnd
		}
		for in, err := range cr.job.c.EventInstances(ctx, cr.user, masterID, lo, hi, opts) {
			if err != nil {
				return fmt.Errorf("list instances of the restored series: %w", err)
			}
			orig := in.OriginalStart
			if orig.IsZero() && in.Start != nil {
				orig, _ = time.Parse("2006-01-02T15:04:05.9999999", in.Start.DateTime)
			}
			for _, t := range targets {
				if t.id == "" && absDuration(orig.Sub(t.orig)) <= occurrenceSlack {
					t.id = in.ID
				}
			}
		}
	}
	for _, t := range targets {
		switch {
		case t.patch == nil && t.id == "":
			// Cancelled already (an earlier attempt), or outside the
			// restored series.
		case t.patch == nil:
			if err := cr.job.c.DeleteEvent(ctx, cr.user, t.id); err != nil && !graph.IsNotFound(err) {
				return fmt.Errorf("cancel the occurrence of %s: %w", t.orig.Format(time.RFC3339), err)
			}
		case t.id == "":
			return permanent(fmt.Errorf("the restored series has no occurrence starting %s for its exception", t.orig.Format(time.RFC3339)))
		default:
			if _, err := cr.job.c.UpdateEvent(ctx, cr.user, t.id, t.patch); err != nil {
				return fmt.Errorf("restore the exception of %s: %w", t.orig.Format(time.RFC3339), err)
			}
		}
	}
	return nil
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
