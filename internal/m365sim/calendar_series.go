package m365sim

import (
	"net/http"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// Occurrences and exceptions of event series. event-list-instances:
// "Get the instances (occurrences) of an event for a specified time range.
// If the event is a seriesMaster type, this returns the occurrences and
// exceptions of the event in the specified time range"; startDateTime and
// endDateTime are "required query parameters". A cancelled occurrence is
// not an instance: the list leaves it out (the v1.0 event resource has no
// property naming it; beta's cancelledOccurrences is the only place that
// lists them, on the master, and the emulator serves v1.0 only).
// https://learn.microsoft.com/en-us/graph/api/event-list-instances
//
// An occurrence is addressed by its id like any event: a PATCH turns it
// into an exception (MS-OXOCAL 3.1.4.6.2, "Creating an Exception") and a
// DELETE cancels it (its original start goes to the master's
// DeletedInstanceDates, MS-OXOCAL 2.2.1.44.1). Both change the master
// (tenant/series.go).

// maxInstanceDays is the longest window Exchange accepts for an expansion
// of occurrences: calendarView answers a longer one with 400
// ErrorInvalidRequest "The range between the start and end dates is
// greater than the allowed range. Maximum number of days: 1825"
// (microsoftgraph/microsoft-graph-docs-contrib#6321). The instances page
// documents no limit; the emulator assumes the same expansion limit.
const maxInstanceDays = 1825

// instanceWindow parses the instances window; the docs' example gives
// local times without an offset ("2019-04-08T09:00:00.0000000"), read as
// UTC here.
func instanceWindow(startS, endS string) (eventWindow, bool) {
	parse := func(s string) (time.Time, bool) {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true
			}
		}
		return time.Time{}, false
	}
	st, ok1 := parse(startS)
	en, ok2 := parse(endS)
	if !ok1 || !ok2 || !en.After(st) {
		return eventWindow{}, false
	}
	return eventWindow{st, en}, true
}

// listInstances serves GET …/events/{id}/instances.
func (s *Server) listInstances(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Events)
	if q == nil {
		return
	}
	qs := r.URL.Query()
	win, ok := instanceWindow(qs.Get("startDateTime"), qs.Get("endDateTime"))
	if !ok {
		badRequest(w, r, "ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.")
		return
	}
	if win.end.Sub(win.start) > maxInstanceDays*24*time.Hour {
		badRequest(w, r, "ErrorInvalidRequest", "Your request can't be completed. The range between the start and end dates is greater than the allowed range. Maximum number of days: 1825")
		return
	}
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		e := mb.Events[r.PathValue("event")]
		if e == nil || (r.PathValue("cal") != "" && e.CalendarID != r.PathValue("cal")) {
			return func() { notFoundItem(w, r) }
		}
		var items []map[string]any
		if e.Props["type"] == "seriesMaster" {
			_, dur, _ := tenant.SeriesSpan(e.Props)
			// An exception moved into the window from an occurrence
			// outside it is listed too: expand a day beyond each side.
			tenant.SeriesStarts(e.Props, win.end.Add(24*time.Hour), func(orig time.Time) bool {
				if orig.Add(dur).Before(win.start.Add(-24 * time.Hour)) {
					return true
				}
				k := tenant.OccurrenceKey(orig)
				if e.Cancelled[k] {
					return true
				}
				inst := instanceJSON(e, orig, dur)
				if win.containsTimes(inst["start"], inst["end"]) {
					items = append(items, inst)
				}
				return true
			})
		}
		return func() {
			writePage(w, r, q, odata.Events, items, listOpts{context: "users('" + u.ID + "')/events('" + e.ID + "')/instances", preferMax: true})
		}
	})
}

func (win eventWindow) containsTimes(startV, endV any) bool {
	st, ok1 := eventTime(startV)
	en, ok2 := eventTime(endV)
	return ok1 && ok2 && st.Before(win.end) && en.After(win.start)
}

// instanceJSON renders the occurrence of master originally starting at
// orig: the master's properties with the occurrence's own id, times and
// type, and an exception's changed properties over them. As on the docs'
// example, an instance has no recurrence and names its seriesMasterId;
// originalStart is the v1.0 property "the start time of an event when it
// is initially created as an occurrence or exception in a recurring
// series".
func instanceJSON(master *tenant.Event, orig time.Time, dur time.Duration) map[string]any {
	id := tenant.OccurrenceID(master.ID, orig)
	out := eventJSON(master)
	out["id"] = id
	out["type"] = "occurrence"
	out["seriesMasterId"] = master.ID
	out["recurrence"] = nil
	out["originalStart"] = tenant.Timestamp(orig)
	out["start"] = map[string]any{"dateTime": orig.UTC().Format("2006-01-02T15:04:05.0000000"), "timeZone": "UTC"}
	out["end"] = map[string]any{"dateTime": orig.Add(dur).UTC().Format("2006-01-02T15:04:05.0000000"), "timeZone": "UTC"}
	// The v1.0 event resource: iCalUId "is different for each instance in
	// a series".
	out["iCalUId"] = tenant.NewICalUID(tenant.SeedOf("iCalUId", id))
	ver := master.Version
	if x := master.Exceptions[tenant.OccurrenceKey(orig)]; x != nil {
		for k, v := range x.Props {
			out[k] = v
		}
		out["type"] = "exception"
		ver = x.Version
	}
	ck := tenant.ChangeKey(id, ver)
	out["@odata.etag"] = `W/"` + ck + `"`
	out["changeKey"] = ck
	return out
}

// occurrenceOf resolves an occurrence id to its master and original start;
// ok is false when id names no live occurrence of a series in mb.
func occurrenceOf(mb *tenant.Mailbox, id string) (master *tenant.Event, orig time.Time, ok bool) {
	mid, orig, ok := tenant.ParseOccurrenceID(id)
	if !ok {
		return nil, time.Time{}, false
	}
	master = mb.Events[mid]
	if master == nil || master.Props["type"] != "seriesMaster" || master.Cancelled[tenant.OccurrenceKey(orig)] ||
		!tenant.HasOccurrence(master, orig) {
		return nil, time.Time{}, false
	}
	return master, orig, true
}

// occurrenceProps are the properties an update of an occurrence may
// change: an exception cannot change the pattern or the series it belongs
// to (recurrence, type and seriesMasterId are the master's).
func occurrenceProps(in map[string]any) tenant.Props {
	out := tenant.Props{}
	for k, v := range in {
		switch k {
		case "recurrence", "type", "seriesMasterId", "originalStart", "attachments":
			continue
		}
		out[k] = v
	}
	return out
}

// getOccurrence, updateOccurrence and deleteOccurrence serve GET, PATCH
// and DELETE /events/{id} for an occurrence id; they report false when id
// is not one, for the event handlers to go on.
func (s *Server) getOccurrence(w http.ResponseWriter, r *http.Request, q *odata.Query) bool {
	if _, _, ok := tenant.ParseOccurrenceID(r.PathValue("event")); !ok {
		return false
	}
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		master, orig, ok := occurrenceOf(mb, r.PathValue("event"))
		if !ok {
			return func() { notFoundItem(w, r) }
		}
		_, dur, _ := tenant.SeriesSpan(master.Props)
		out := odata.Project(instanceJSON(master, orig, dur), q.Select, "@odata.etag")
		return func() { writeJSON(w, http.StatusOK, out) }
	})
	return true
}

func (s *Server) updateOccurrence(w http.ResponseWriter, r *http.Request, in map[string]any) bool {
	if _, _, ok := tenant.ParseOccurrenceID(r.PathValue("event")); !ok {
		return false
	}
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		master, orig, ok := occurrenceOf(mb, r.PathValue("event"))
		if !ok {
			return func() { notFoundItem(w, r) }
		}
		props := occurrenceProps(in)
		props["lastModifiedDateTime"] = tenant.Timestamp(s.opts.Now())
		s.t(r).UpdateOccurrence(mb, master, orig, props)
		_, dur, _ := tenant.SeriesSpan(master.Props)
		out := instanceJSON(master, orig, dur)
		return func() { writeJSON(w, http.StatusOK, out) }
	})
	return true
}

func (s *Server) deleteOccurrence(w http.ResponseWriter, r *http.Request) bool {
	if _, _, ok := tenant.ParseOccurrenceID(r.PathValue("event")); !ok {
		return false
	}
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		master, orig, ok := occurrenceOf(mb, r.PathValue("event"))
		if !ok {
			return func() { notFoundItem(w, r) }
		}
		s.t(r).CancelOccurrence(mb, master, orig, tenant.Timestamp(s.opts.Now()))
		return func() { w.WriteHeader(http.StatusNoContent) }
	})
	return true
}
