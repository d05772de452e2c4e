package export

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// eventJSON is the part of a Graph event that the .ics export writes.
type eventJSON struct {
	ID          string `json:"id"`
	ICalUID     string `json:"iCalUId"`
	Subject     string `json:"subject"`
	BodyPreview string `json:"bodyPreview"`
	Body        *struct{ ContentType, Content string }
	Start       *dateTimeTimeZone `json:"start"`
	End         *dateTimeTimeZone `json:"end"`
	IsAllDay    bool              `json:"isAllDay"`
	IsCancelled bool              `json:"isCancelled"`
	ShowAs      string            `json:"showAs"`
	Sensitivity string            `json:"sensitivity"`
	Categories  []string          `json:"categories"`
	Location    *struct {
		DisplayName string `json:"displayName"`
	} `json:"location"`
	Organizer *address `json:"organizer"`
	Attendees []struct {
		address
		Type   string `json:"type"` // required, optional, resource
		Status *struct {
			Response string `json:"response"`
		} `json:"status"`
	} `json:"attendees"`
	Recurrence *graph.PatternedRecurrence `json:"recurrence"`
	Created    string                     `json:"createdDateTime"`
	Modified   string                     `json:"lastModifiedDateTime"`
}

type address struct {
	EmailAddress struct {
		Name    string `json:"name"`
		Address string `json:"address"`
	} `json:"emailAddress"`
}

// calAddress writes an ORGANIZER or ATTENDEE value with its CN.
func (a address) calAddress(name string, params ...string) (string, string) {
	if n := a.EmailAddress.Name; n != "" {
		params = append([]string{"CN=" + paramValue(n)}, params...)
	}
	if len(params) > 0 {
		name += ";" + strings.Join(params, ";")
	}
	return name, "mailto:" + a.EmailAddress.Address
}

type dateTimeTimeZone struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

// value formats the time for DTSTART/DTEND: UTC ("…Z") when its zone is
// UTC or an IANA name, floating local time otherwise (Windows zone names
// are not mapped); a DATE for all-day events.
func (d *dateTimeTimeZone) value(allDay bool) (params, value string, ok bool) {
	if d == nil || d.DateTime == "" {
		return "", "", false
	}
	var t time.Time
	var err error
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err = time.Parse(layout, d.DateTime); err == nil {
			break
		}
	}
	if err != nil {
		return "", "", false
	}
	if allDay {
		return ";VALUE=DATE", t.Format("20060102"), true
	}
	if strings.EqualFold(d.TimeZone, "UTC") || d.TimeZone == "" {
		return "", t.Format("20060102T150405Z"), true
	}
	if loc, err := time.LoadLocation(d.TimeZone); err == nil {
		local := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
		return "", local.UTC().Format("20060102T150405Z"), true
	}
	return "", t.Format("20060102T150405"), true
}

var icalDays = map[string]string{"sunday": "SU", "monday": "MO", "tuesday": "TU", "wednesday": "WE",
	"thursday": "TH", "friday": "FR", "saturday": "SA"}

var icalIndex = map[string]string{"first": "1", "second": "2", "third": "3", "fourth": "4", "last": "-1"}

// rrule translates the recurrence to an RRULE value; "" if unknown.
func rrule(r *graph.PatternedRecurrence) string {
	p := r.Pattern
	days := func(prefix string) string {
		var ds []string
		for _, d := range p.DaysOfWeek {
			if s, ok := icalDays[strings.ToLower(d)]; ok {
				ds = append(ds, prefix+s)
			}
		}
		return strings.Join(ds, ",")
	}
	var parts []string
	switch p.Type {
	case "daily":
		parts = append(parts, "FREQ=DAILY")
	case "weekly":
		parts = append(parts, "FREQ=WEEKLY", "BYDAY="+days(""))
		if s, ok := icalDays[strings.ToLower(p.FirstDayOfWeek)]; ok {
			parts = append(parts, "WKST="+s)
		}
	case "absoluteMonthly":
		parts = append(parts, "FREQ=MONTHLY", fmt.Sprintf("BYMONTHDAY=%d", p.DayOfMonth))
	case "relativeMonthly":
		parts = append(parts, "FREQ=MONTHLY", "BYDAY="+days(icalIndex[p.Index]))
	case "absoluteYearly":
		parts = append(parts, "FREQ=YEARLY", fmt.Sprintf("BYMONTH=%d", p.Month), fmt.Sprintf("BYMONTHDAY=%d", p.DayOfMonth))
	case "relativeYearly":
		parts = append(parts, "FREQ=YEARLY", fmt.Sprintf("BYMONTH=%d", p.Month), "BYDAY="+days(icalIndex[p.Index]))
	default:
		return ""
	}
	if p.Interval > 1 {
		parts = append(parts, fmt.Sprintf("INTERVAL=%d", p.Interval))
	}
	switch r.Range.Type {
	case "endDate":
		if t, err := time.Parse("2006-01-02", r.Range.EndDate); err == nil {
			parts = append(parts, "UNTIL="+t.Format("20060102")+"T235959Z")
		}
	case "numbered":
		parts = append(parts, fmt.Sprintf("COUNT=%d", r.Range.NumberOfOccurrences))
	}
	return strings.Join(parts, ";")
}

// instanceLines is what ties a VEVENT to its series (RFC 5545 3.8.4.4,
// 3.8.5.1): the series' UID for an exception, with its RECURRENCE-ID, or
// the EXDATEs of a master's cancelled occurrences.
type instanceLines struct {
	uid          string
	recurrenceID string // "params:value" of RECURRENCE-ID
	exdates      []string
}

// writeEvent writes one VEVENT; in ties an exception to its master, or
// lists a master's cancelled occurrences (nil: neither).
func writeEvent(l *lineWriter, ev *eventJSON, now time.Time, in *instanceLines) {
	l.line("BEGIN", "VEVENT")
	uid := ev.ICalUID
	if uid == "" {
		uid = ev.ID
	}
	if in != nil && in.uid != "" {
		uid = in.uid
	}
	l.text("UID", uid)
	if in != nil && in.recurrenceID != "" {
		p, v, _ := strings.Cut(in.recurrenceID, ":")
		l.line("RECURRENCE-ID"+p, v)
	}
	stamp := now
	if t := parseTime(ev.Modified); !t.IsZero() {
		stamp = t
	}
	l.line("DTSTAMP", stamp.UTC().Format("20060102T150405Z"))
	if p, v, ok := ev.Start.value(ev.IsAllDay); ok {
		l.line("DTSTART"+p, v)
	}
	if p, v, ok := ev.End.value(ev.IsAllDay); ok {
		l.line("DTEND"+p, v)
	}
	if ev.Recurrence != nil {
		if rule := rrule(ev.Recurrence); rule != "" {
			l.line("RRULE", rule)
			if in != nil {
				for _, x := range in.exdates {
					p, v, _ := strings.Cut(x, ":")
					l.line("EXDATE"+p, v)
				}
			}
		}
	}
	l.text("SUMMARY", ev.Subject)
	desc := ev.BodyPreview
	if ev.Body != nil && strings.EqualFold(ev.Body.ContentType, "text") && ev.Body.Content != "" {
		desc = ev.Body.Content
	}
	l.text("DESCRIPTION", desc)
	if ev.Location != nil {
		l.text("LOCATION", ev.Location.DisplayName)
	}
	if ev.Organizer != nil && ev.Organizer.EmailAddress.Address != "" {
		l.line(ev.Organizer.calAddress("ORGANIZER"))
	}
	for _, a := range ev.Attendees {
		if a.EmailAddress.Address == "" {
			continue
		}
		role := "REQ-PARTICIPANT"
		switch a.Type {
		case "optional":
			role = "OPT-PARTICIPANT"
		case "resource":
			role = "NON-PARTICIPANT"
		}
		params := []string{"ROLE=" + role}
		if a.Status != nil {
			if ps, ok := map[string]string{"accepted": "ACCEPTED", "declined": "DECLINED",
				"tentativelyAccepted": "TENTATIVE", "notResponded": "NEEDS-ACTION", "none": "NEEDS-ACTION"}[a.Status.Response]; ok {
				params = append(params, "PARTSTAT="+ps)
			}
		}
		l.line(a.calAddress("ATTENDEE", params...))
	}
	if len(ev.Categories) > 0 {
		cats := make([]string, len(ev.Categories))
		for i, c := range ev.Categories {
			cats[i] = escapeText(c)
		}
		l.line("CATEGORIES", strings.Join(cats, ","))
	}
	switch ev.Sensitivity {
	case "private", "confidential":
		l.line("CLASS", strings.ToUpper(ev.Sensitivity))
	case "normal", "personal":
		l.line("CLASS", "PUBLIC")
	}
	if ev.ShowAs == "free" {
		l.line("TRANSP", "TRANSPARENT")
	} else {
		l.line("TRANSP", "OPAQUE")
	}
	if ev.IsCancelled {
		l.line("STATUS", "CANCELLED")
	}
	if t := parseTime(ev.Created); !t.IsZero() {
		l.line("CREATED", t.Format("20060102T150405Z"))
	}
	if t := parseTime(ev.Modified); !t.IsZero() {
		l.line("LAST-MODIFIED", t.Format("20060102T150405Z"))
	}
	l.line("END", "VEVENT")
}

// exportEvents writes each selected calendar as one .ics file holding its
// events (single instances and series masters with their RRULE, EXDATEs
// for cancelled occurrences and a VEVENT with RECURRENCE-ID per
// exception). Attachments are not exported.
func exportEvents(ctx context.Context, j *job) error {
	for _, cal := range j.v.Calendars() {
		name := strings.ReplaceAll(cal.Name, "/", "∕")
		if !j.underPath(name) {
			continue
		}
		evs, err := j.v.Events(ctx, cal.ID)
		if err != nil {
			if err := j.failed(ctx, cal.ID, err); err != nil {
				return err
			}
			continue
		}
		var w io.WriteCloser
		var l *lineWriter
		var p string
		for _, e := range evs {
			if !j.want(e.ID) {
				continue
			}
			var ev eventJSON
			if err := j.v.ReadJSON(ctx, e.JSON, &ev); err != nil {
				if err := j.failed(ctx, e.ID, err); err != nil {
					return err
				}
				continue
			}
			if w == nil {
				p = j.names.join(dirCalendar, cal.Name, ".ics")
				if w, err = j.sink.Create(p, time.Time{}); err != nil {
					return err
				}
				j.sum.Files++
				l = &lineWriter{w: w}
				l.line("BEGIN", "VCALENDAR")
				l.line("VERSION", "2.0")
				l.line("PRODID", "-//SafeGuard365//sg365 export//EN")
				l.text("X-WR-CALNAME", cal.Name)
			}
			var series *dataguard.EventSeries
			if e.Series != "" && ev.Recurrence != nil {
				if series, err = j.v.ReadSeries(ctx, e); err != nil {
					if err := j.failed(ctx, e.ID, err); err != nil {
						return err
					}
					continue
				}
			}
			master, overrides := seriesLines(&ev, series)
			var n countingWriter
			l.w = io.MultiWriter(w, &n)
			writeEvent(l, &ev, time.Now(), master)
			for _, o := range overrides {
				var x eventJSON
				if err := json.Unmarshal(o.raw, &x); err != nil {
					continue // stored by the backup from Graph's JSON; not expected
				}
				writeEvent(l, &x, time.Now(), o.lines)
			}
			j.done(p, int64(n))
		}
		if w != nil {
			l.line("END", "VCALENDAR")
			if err := l.err; err != nil {
				w.Close()
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
		}
	}
	return nil
}

// countingWriter counts bytes.
type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// override is an exception's VEVENT: its stored JSON and how it refers to
// its series.
type override struct {
	raw   json.RawMessage
	lines *instanceLines
}

// seriesLines works out a series' EXDATEs and its exceptions'
// RECURRENCE-IDs. Both must name an instance as the .ics's own RRULE
// expansion from DTSTART gives it, so each stored original start is moved
// to the nearest whole number of days from DTSTART (a daylight saving
// change shifts the real start by an hour; occurrences are a day or more
// apart). A series whose DTSTART is floating local time (a Windows zone
// name that is not mapped) gets neither: its UTC instants cannot be
// placed in that local time, so only the master is written.
func seriesLines(master *eventJSON, s *dataguard.EventSeries) (*instanceLines, []override) {
	if s == nil || master.Start == nil {
		return nil, nil
	}
	params, value, ok := master.Start.value(master.IsAllDay)
	if !ok {
		return nil, nil
	}
	var dtstart time.Time
	var err error
	switch {
	case master.IsAllDay:
		dtstart, err = time.Parse("20060102", value)
	case strings.HasSuffix(value, "Z"):
		dtstart, err = time.Parse("20060102T150405Z", value)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, nil
	}
	instance := func(orig time.Time) string {
		days := math.Round(orig.Sub(dtstart).Hours() / 24)
		t := dtstart.AddDate(0, 0, int(days))
		if master.IsAllDay {
			return params + ":" + t.Format("20060102")
		}
		return params + ":" + t.Format("20060102T150405Z")
	}
	uid := master.ICalUID
	if uid == "" {
		uid = master.ID
	}
	out := &instanceLines{uid: uid}
	for _, c := range s.Cancelled {
		out.exdates = append(out.exdates, instance(c))
	}
	var overrides []override
	for _, x := range s.Exceptions {
		overrides = append(overrides, override{raw: x.Event, lines: &instanceLines{uid: uid, recurrenceID: instance(x.OriginalStart)}})
	}
	return out, overrides
}
