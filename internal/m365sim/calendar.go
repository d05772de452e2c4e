package m365sim

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

func calendarJSON(c *tenant.Calendar) map[string]any { return withID(c.ID, c.Props) }

func eventJSON(e *tenant.Event) map[string]any {
	out := withID(e.ID, e.Props)
	ck := tenant.ChangeKey(e.ID, e.Version)
	out["@odata.etag"] = `W/"` + ck + `"`
	out["changeKey"] = ck
	out["hasAttachments"] = len(e.Attachments) > 0
	return out
}

func (s *Server) listCalendars(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{DefaultTop: 10, MaxTop: 1000})
	if q == nil {
		return
	}
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		var items []map[string]any
		for _, c := range mb.CalendarList {
			items = append(items, calendarJSON(c))
		}
		return func() {
			writePage(w, r, q, odata.Rules{DefaultTop: 10}, items, listOpts{context: "users('" + u.ID + "')/calendars"})
		}
	})
}

func (s *Server) getDefaultCalendar(w http.ResponseWriter, r *http.Request) {
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		out := calendarJSON(mb.DefaultCalendar())
		return func() { writeJSON(w, http.StatusOK, out) }
	})
}

// createCalendar creates a calendar in the user's default calendar group:
// user-post-calendars documents "POST /users/{id | userPrincipalName}/
// calendars" with a calendar in the body, answered 201 Created with the
// calendar. Only name (required) and color are taken; the rest of the
// calendar resource is read-only or set by the service.
// https://learn.microsoft.com/en-us/graph/api/user-post-calendars
//
// The page documents no answer for a name the user's calendars already
// have. Exchange refuses to create a folder that exists, calendar folders
// included (MS-OXWSFOLD 3.1.4.2 CreateFolder, which "creates folders,
// Calendar folders, Contacts folders": "Trying to create a folder that
// already exists results in an error"); as createMailFolder
// does, the emulator answers 409 ErrorFolderExists, comparing names
// case-insensitively.
// https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxwsfold/f44f8b84-12d6-4dd6-994c-fd235b9cb886
func (s *Server) createCalendar(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name  *string `json:"name"`
		Color string  `json:"color"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		badRequest(w, r, "ErrorInvalidRequest", "The request body must contain a calendar name.")
		return
	}
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		if mb.CalendarByName(*in.Name) != nil {
			return func() {
				graphError(w, r, http.StatusConflict, "ErrorFolderExists", "A folder with the specified name already exists.")
			}
		}
		display, _ := u.Props["displayName"].(string)
		c := s.t(r).AddCalendar(mb, *in.Name, tenant.Props{"name": display, "address": u.UPN})
		if in.Color != "" {
			c.Props["color"] = in.Color
		}
		out := calendarJSON(c)
		out["@odata.context"] = contextURL(r, "users('"+u.ID+"')/calendars/$entity")
		return func() { writeJSON(w, http.StatusCreated, out) }
	})
}

// calendarOf resolves the {cal} segment, defaulting to the default calendar.
func calendarOf(r *http.Request, mb *tenant.Mailbox) *tenant.Calendar {
	id := r.PathValue("cal")
	if id == "" {
		return mb.DefaultCalendar()
	}
	return mb.Calendars[id]
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Events)
	if q == nil {
		return
	}
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		cal := calendarOf(r, mb)
		if cal == nil {
			return func() { notFoundItem(w, r) }
		}
		var items []map[string]any
		for _, e := range mb.Events {
			if e.CalendarID == cal.ID {
				items = append(items, eventJSON(e))
			}
		}
		if len(q.OrderBy) == 0 {
			odata.Sort(items, []odata.OrderTerm{{Path: []string{"createdDateTime"}}, {Path: []string{"id"}}})
		}
		return func() {
			writePage(w, r, q, odata.Events, items, listOpts{context: "users('" + u.ID + "')/events", countAny: true, preferMax: true})
		}
	})
}

func (s *Server) getEvent(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{})
	if q == nil || s.getOccurrence(w, r, q) {
		return
	}
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		e := mb.Events[r.PathValue("event")]
		if e == nil {
			return func() { notFoundItem(w, r) }
		}
		out := odata.Project(eventJSON(e), q.Select, "@odata.etag")
		return func() { writeJSON(w, http.StatusOK, out) }
	})
}

var readOnlyItemProps = []string{"id", "changeKey", "@odata.etag", "@odata.context", "createdDateTime",
	"lastModifiedDateTime", "hasAttachments", "webLink", "parentFolderId", "calendar@odata.navigationLink"}

func decodeProps(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in == nil {
		badRequest(w, r, "ErrorInvalidRequest", "Cannot read the request body as a JSON object.")
		return nil, false
	}
	for _, k := range readOnlyItemProps {
		delete(in, k)
	}
	return in, true
}

// eventServiceProps are event properties the service sets: the event
// resource marks iCalUId "Read-only" ("A unique identifier for an event
// across calendars"), so a value a client sends in a create or update is
// not taken, and a created event gets one of its own.
// https://learn.microsoft.com/en-us/graph/api/resources/event
var eventServiceProps = []string{"iCalUId"}

// createEvent creates an event (user-post-events) in the default calendar
// or the {cal} calendar.
// https://learn.microsoft.com/en-us/graph/api/user-post-events
func (s *Server) createEvent(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeProps(w, r)
	if !ok {
		return
	}
	for _, k := range eventServiceProps {
		delete(in, k)
	}
	atts, err := attachmentsFromJSON(in["attachments"])
	if err != nil {
		badRequest(w, r, "ErrorInvalidRequest", err.Error())
		return
	}
	delete(in, "attachments")
	if _, ok := in["start"].(map[string]any); !ok {
		badRequest(w, r, "ErrorInvalidRequest", "An event needs start and end ({\"dateTime\",\"timeZone\"}).")
		return
	}
	// type is read-only: "singleInstance", or "seriesMaster" for an event
	// created with a recurrence (event resource).
	in["type"] = "singleInstance"
	if rec, ok := in["recurrence"].(map[string]any); ok && rec != nil {
		in["type"] = "seriesMaster"
	}
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		cal := calendarOf(r, mb)
		if cal == nil {
			return func() { notFoundItem(w, r) }
		}
		now := tenant.Timestamp(s.opts.Now())
		in["createdDateTime"], in["lastModifiedDateTime"] = now, now
		e := &tenant.Event{Props: in, Attachments: atts}
		for _, a := range atts {
			a.ID = s.t(r).NewOutlookID("AAMkADAT")
		}
		s.t(r).AddEvent(mb, cal, e)
		in["iCalUId"] = tenant.NewICalUID(tenant.SeedOf("iCalUId", e.ID))
		out := eventJSON(e)
		return func() { writeJSON(w, http.StatusCreated, out) }
	})
}

func (s *Server) updateEvent(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeProps(w, r)
	if !ok {
		return
	}
	for _, k := range eventServiceProps {
		delete(in, k)
	}
	if s.updateOccurrence(w, r, in) {
		return
	}
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		e := mb.Events[r.PathValue("event")]
		if e == nil {
			return func() { notFoundItem(w, r) }
		}
		in["lastModifiedDateTime"] = tenant.Timestamp(s.opts.Now())
		s.t(r).UpdateEvent(mb, e, in)
		out := eventJSON(e)
		return func() { writeJSON(w, http.StatusOK, out) }
	})
}

func (s *Server) deleteEvent(w http.ResponseWriter, r *http.Request) {
	if s.deleteOccurrence(w, r) {
		return
	}
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		e := mb.Events[r.PathValue("event")]
		if e == nil {
			return func() { notFoundItem(w, r) }
		}
		s.t(r).DeleteEvent(mb, e)
		return func() { w.WriteHeader(http.StatusNoContent) }
	})
}

func (s *Server) listEventAttachments(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{DefaultTop: 1000, MaxTop: 1000})
	if q == nil {
		return
	}
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		e := mb.Events[r.PathValue("event")]
		if e == nil {
			return func() { notFoundItem(w, r) }
		}
		atts := append([]*tenant.Attachment(nil), e.Attachments...)
		return func() { writeAttachments(w, r, q, atts) }
	})
}

func (s *Server) addEventAttachment(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeProps(w, r)
	if !ok {
		return
	}
	a, err := attachmentFromJSON(in)
	if err != nil {
		badRequest(w, r, "ErrorInvalidRequest", err.Error())
		return
	}
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		e := mb.Events[r.PathValue("event")]
		if e == nil {
			return func() { notFoundItem(w, r) }
		}
		a.ID = s.t(r).NewOutlookID("AAMkADAT")
		e.Attachments = append(e.Attachments, a)
		s.t(r).UpdateEvent(mb, e, tenant.Props{})
		out := attachmentJSON(a, nil)
		return func() { writeJSON(w, http.StatusCreated, out) }
	})
}

// getEventAttachment and getEventAttachmentValue serve one event
// attachment and its raw content. attachment-get documents both for events
// as for messages: "GET /users/{id}/events/{id}/attachments/{id}" and the
// same with "/$value"; "Attempting to get the $value of a reference
// attachment returns HTTP 405."
// https://learn.microsoft.com/en-us/graph/api/attachment-get
func (s *Server) getEventAttachment(w http.ResponseWriter, r *http.Request) {
	s.withEventAttachment(w, r, func(a *tenant.Attachment) {
		var blobs []tenant.Blob
		writeJSONBlobs(w, http.StatusOK, attachmentJSON(a, &blobs), blobs)
	})
}

func (s *Server) getEventAttachmentValue(w http.ResponseWriter, r *http.Request) {
	s.withEventAttachment(w, r, func(a *tenant.Attachment) {
		if a.Kind == "reference" || a.Content == nil {
			graphError(w, r, http.StatusMethodNotAllowed, "ErrorInvalidRequest", "The attachment has no raw content.")
			return
		}
		ct, _ := a.Props["contentType"].(string)
		if ct == "" || a.Kind == "item" {
			ct = "text/plain"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", strconv.FormatInt(a.Content.Size(), 10))
		io.Copy(w, tenant.Reader(a.Content))
	})
}

func (s *Server) withEventAttachment(w http.ResponseWriter, r *http.Request, fn func(a *tenant.Attachment)) {
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		e := mb.Events[r.PathValue("event")]
		if e == nil {
			return func() { notFoundItem(w, r) }
		}
		a := findAttachment(e.Attachments, r.PathValue("att"))
		if a == nil {
			return func() { notFoundItem(w, r) }
		}
		return func() { fn(a) }
	})
}

// eventWindow is the calendarView window a delta round is bound to.
type eventWindow struct{ start, end time.Time }

func parseWindow(startS, endS string) (eventWindow, bool) {
	st, err1 := time.Parse(time.RFC3339, startS)
	en, err2 := time.Parse(time.RFC3339, endS)
	if err1 != nil || err2 != nil || !en.After(st) {
		return eventWindow{}, false
	}
	return eventWindow{st, en}, true
}

func (win eventWindow) contains(e *tenant.Event) bool {
	st, ok1 := eventTime(e.Props["start"])
	en, ok2 := eventTime(e.Props["end"])
	if !ok1 || !ok2 {
		return false
	}
	return st.Before(win.end) && en.After(win.start)
}

// eventTime reads a dateTimeTimeZone value. Only UTC is interpreted; other
// zones are read as if UTC (a documented gap of the emulator).
func eventTime(v any) (time.Time, bool) {
	m, _ := v.(map[string]any)
	s, _ := m["dateTime"].(string)
	for _, layout := range []string{"2006-01-02T15:04:05.0000000", time.RFC3339, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// calendarViewDelta serves /calendarView/delta: the window given on the
// first call is kept in the token; events that changed outside it come back
// as @removed, as the docs describe.
// https://learn.microsoft.com/en-us/graph/api/event-delta
func (s *Server) calendarViewDelta(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.CalendarViewDelta)
	if q == nil {
		return
	}
	c, ok := readDeltaCursor(w, r, deltaOutlook)
	if !ok {
		return
	}
	if c.tok.Initial {
		qs := r.URL.Query()
		win, ok := parseWindow(qs.Get("startDateTime"), qs.Get("endDateTime"))
		if !ok {
			badRequest(w, r, "ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.")
			return
		}
		c.tok.Extra = win.start.Format(time.RFC3339) + "|" + win.end.Format(time.RFC3339)
	}
	a, b, _ := strings.Cut(c.tok.Extra, "|")
	win, _ := parseWindow(a, b)
	size := outlookPageSize(w, r)
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		cal := mb.DefaultCalendar()
		path := "/users/" + u.ID + "/calendarView/delta"
		if s.faults.TakeDeltaExpiry(cal.ID) && !c.tok.Initial {
			return func() { deltaGone(w, r, deltaOutlook, selfLink(r, path, nil)) }
		}
		page, valid := computeDelta(&cal.Log, c, s.t(r).Seq(), size)
		if !valid {
			return func() { deltaGone(w, r, deltaOutlook, selfLink(r, path, nil)) }
		}
		var items []map[string]any
		for _, e := range page.entries {
			ev := mb.Events[e.ID]
			if e.Removed || ev == nil || !win.contains(ev) {
				if c.tok.Initial && ev != nil {
					continue // outside the window: not part of the first sync
				}
				items = append(items, removed("#microsoft.graph.event", e.ID, "deleted"))
				continue
			}
			item := eventJSON(ev)
			item["@odata.type"] = "#microsoft.graph.event"
			items = append(items, item)
		}
		return func() { writeDelta(w, r, deltaOutlook, path, nil, "Collection(event)", page, items) }
	})
}
