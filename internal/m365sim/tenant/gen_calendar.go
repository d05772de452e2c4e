package tenant

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

var eventSubjects = []string{
	"Weekly sync", "1:1", "Sprint planning", "Budget review %s", "Kundentermin %s",
	"Déjeuner d'équipe", "定例会議", "All hands", "Interview – candidate %s", "Dentist (private)",
}

var locations = []string{
	"Conference Room Ærø (4.12)", "Salle Rivoli", "会議室 A", "Microsoft Teams Meeting", "Café downstairs", "",
}

// calendars creates events in each member's default calendar. A meeting
// with colleagues is also placed in each attendee's calendar with the
// same iCalUId, as Exchange does when invitations are accepted.
func (g *generator) calendars() error {
	r := newRand(g.t.Seed, "calendar")
	counts := make([]int, len(g.members))
	n := 0
	for i := range g.members {
		target := r.countAround(g.o.EventsPerUser)
		for counts[i] < target {
			g.event(i, n, counts)
			n++
		}
	}
	return nil
}

// event creates one event organized by member org.
func (g *generator) event(org, n int, counts []int) {
	er := newRand(g.t.Seed, "event", n)
	base, atts, attendees := g.eventBase(er, org, SeedOf(g.t.Seed, "event", n), time.Time{})
	created, _ := time.Parse(time.RFC3339, base["createdDateTime"].(string))
	copies := []*Event{g.addEvent(org, base, "organizer", created, atts, true)}
	counts[org]++
	for _, a := range attendees {
		if a.user == nil {
			continue
		}
		i := g.memberIndex(a.user)
		resp := pick(er, []string{"accepted", "accepted", "tentativelyAccepted", "none"})
		copies = append(copies, g.addEvent(i, base, resp, created.Add(time.Minute), atts, false))
		counts[i]++
	}
	g.seriesExceptions(n, copies)
}

// seriesExceptions gives half the series a moved, a retitled and a
// cancelled occurrence, the same in every attendee's copy (an organizer's
// change reaches the attendees' calendars). It draws from a random source
// of its own, so that the rest of the tenant is what it was without it.
func (g *generator) seriesExceptions(n int, copies []*Event) {
	master := copies[0]
	if master.Props["type"] != "seriesMaster" {
		return
	}
	r := newRand(g.t.Seed, "series-exceptions", n)
	if !r.chance(0.5) {
		return
	}
	var starts []time.Time
	SeriesStarts(master.Props, g.o.Now.AddDate(2, 0, 0), func(t time.Time) bool {
		starts = append(starts, t)
		return len(starts) < 10
	})
	if len(starts) < 4 {
		return
	}
	// Three distinct occurrences after the first, which stays as the
	// series starts.
	idx := r.r.Perm(len(starts) - 1)[:3]
	moved, retitled, cancelled := starts[idx[0]+1], starts[idx[1]+1], starts[idx[2]+1]
	_, dur, _ := SeriesSpan(master.Props)
	subj, _ := master.Props["subject"].(string)
	mod := master.Props["lastModifiedDateTime"]
	for _, e := range copies {
		e.Exceptions = map[string]*Exception{
			OccurrenceKey(moved): {Version: e.Version, Props: Props{"start": dateTimeTimeZone(moved.Add(time.Hour)),
				"end": dateTimeTimeZone(moved.Add(time.Hour + dur)), "lastModifiedDateTime": mod}},
			OccurrenceKey(retitled): {Version: e.Version, Props: Props{"subject": subj + " (agenda changed)",
				"location": locationProps(pick(r, locations), SeedOf(e.ID, "exception")), "lastModifiedDateTime": mod}},
		}
		e.Cancelled = map[string]bool{OccurrenceKey(cancelled): true}
	}
}

// eventBase returns the properties, attachments and attendees of an event
// organized by member org, created at created (zero: some time before it
// starts).
func (g *generator) eventBase(er *genRand, org int, seed uint64, created time.Time) (Props, []attSpec, []*person) {
	me := g.people[org]
	subj := pick(er, eventSubjects)
	if strings.Contains(subj, "%s") {
		subj = fmt.Sprintf(subj, pick(er, projects))
	}
	start := g.o.Now.Add(time.Duration(er.between(-365*48, 60*48)) * 30 * time.Minute).Truncate(30 * time.Minute)
	if h := start.Hour(); h < 7 || h > 17 {
		start = start.Add(time.Duration(9-h) * time.Hour)
	}
	end := start.Add(time.Duration(er.between(1, 4)) * 30 * time.Minute)
	allDay := er.chance(0.05)
	if allDay {
		start = start.Truncate(24 * time.Hour)
		end = start.Add(24 * time.Hour)
	}
	var attendees []*person
	for k := er.intn(5); k > 0; k-- {
		p := pick(er, g.people)
		if er.chance(0.3) {
			p = pick(er, g.extern)
		}
		if p != me && !slices.Contains(attendees, p) {
			attendees = append(attendees, p)
		}
	}
	if created.IsZero() {
		created = minTime(start, g.o.Now).Add(-time.Duration(er.between(1, 30*24)) * time.Hour)
	}
	loc := pick(er, locations)
	online := loc == "Microsoft Teams Meeting" || er.chance(0.3)
	base := Props{
		"subject":                    subj,
		"importance":                 "normal",
		"sensitivity":                "normal",
		"start":                      dateTimeTimeZone(start),
		"end":                        dateTimeTimeZone(end),
		"originalStartTimeZone":      "UTC",
		"originalEndTimeZone":        "UTC",
		"isAllDay":                   allDay,
		"isCancelled":                false,
		"isDraft":                    false,
		"isReminderOn":               !allDay,
		"reminderMinutesBeforeStart": float64(15),
		"responseRequested":          true,
		"showAs":                     "busy",
		"type":                       "singleInstance",
		"seriesMasterId":             nil,
		"recurrence":                 nil,
		"location":                   locationProps(loc, seed),
		"locations":                  []any{},
		"attendees":                  attendeeProps(er, attendees, created),
		"organizer":                  emailAddress(me),
		"iCalUId":                    NewICalUID(seed),
		"createdDateTime":            Timestamp(created),
		"lastModifiedDateTime":       Timestamp(created),
		"categories":                 []any{},
		"allowNewTimeProposals":      true,
		"hideAttendees":              false,
		"isOnlineMeeting":            online,
		"onlineMeetingProvider":      "unknown",
		"onlineMeeting":              nil,
		"transactionId":              nil,
	}
	if loc != "" {
		base["locations"] = []any{locationProps(loc, seed)}
	}
	if online {
		base["onlineMeetingProvider"] = "teamsForBusiness"
		base["onlineMeeting"] = Props{"joinUrl": fmt.Sprintf("https://teams.microsoft.com/l/meetup-join/19%%3ameeting_%016x%%40thread.v2/0", seed)}
	}
	if strings.Contains(subj, "private") {
		base["sensitivity"] = "private"
	}
	if er.chance(0.2) && !allDay {
		base["type"] = "seriesMaster"
		base["recurrence"] = recurrenceProps(er, start)
	}
	paras := paragraphs(er, er.between(40, 600))
	html := htmlBody("", paras, me.name, "", nil)
	base["body"] = Props{"contentType": "html", "content": html}
	base["bodyPreview"] = bodyPreview(htmlToText(html))
	var atts []attSpec
	if er.chance(0.1) {
		if er.chance(0.5) {
			s := pick(er, g.shared)
			atts = append(atts, attSpec{name: s.name, mime: s.ft.mime, blob: s.blob})
		} else {
			ft := fileTypeByExt("docx")
			atts = append(atts, attSpec{name: "Agenda – " + subj + ".docx", mime: ft.mime,
				blob: contentFor(SeedOf(seed, "agenda"), ft, er.lognormal(30e3, 0.6, 8e3, 400e3))})
		}
	}
	base["hasAttachments"] = len(atts) > 0
	return base, atts, attendees
}

// addEvent stores a copy of base in member i's default calendar.
func (g *generator) addEvent(i int, base Props, response string, at time.Time, atts []attSpec, organizer bool) *Event {
	p := cloneProps(base) // each calendar's copy changes independently
	p["isOrganizer"] = organizer
	respTime := "0001-01-01T00:00:00Z"
	if response != "none" {
		respTime = Timestamp(at)
	}
	p["responseStatus"] = Props{"response": response, "time": respTime}
	if response == "tentativelyAccepted" {
		p["showAs"] = "tentative"
	}
	e := &Event{Props: p}
	for _, a := range atts {
		e.Attachments = append(e.Attachments, &Attachment{ID: g.t.NewOutlookID("AAMkAGI2AAABEgAQA"), Kind: "file",
			Content: a.blob, Props: attachmentProps(a.name, a.mime, a.blob.Size(), false, "", at)})
	}
	mb := g.members[i].Mailbox
	g.t.AddEvent(mb, mb.DefaultCalendar(), e)
	return e
}

// locationProps returns a Graph location.
// https://learn.microsoft.com/graph/api/resources/location
func locationProps(name string, seed uint64) Props {
	p := Props{"displayName": name, "locationType": "default", "uniqueIdType": "unknown"}
	if name != "" {
		p["uniqueId"] = fmt.Sprintf("%x", SeedOf(name, seed))
		p["uniqueIdType"] = "private"
	}
	return p
}

// attendeeProps returns Graph attendees with their responses.
// https://learn.microsoft.com/graph/api/resources/attendee
func attendeeProps(r *genRand, ps []*person, at time.Time) []any {
	out := make([]any, 0, len(ps))
	for _, p := range ps {
		resp, tm := "none", "0001-01-01T00:00:00Z"
		if r.chance(0.7) {
			resp, tm = pick(r, []string{"accepted", "tentativelyAccepted", "declined"}), Timestamp(at.Add(time.Hour))
		}
		typ := "required"
		if r.chance(0.25) {
			typ = "optional"
		}
		out = append(out, Props{"type": typ, "status": Props{"response": resp, "time": tm},
			"emailAddress": Props{"name": p.name, "address": p.address}})
	}
	return out
}

// recurrenceProps returns a patternedRecurrence starting on start's date.
// https://learn.microsoft.com/graph/api/resources/patternedrecurrence
func recurrenceProps(r *genRand, start time.Time) Props {
	day := strings.ToLower(start.Weekday().String())
	pattern := Props{"type": "weekly", "interval": float64(1), "month": float64(0), "dayOfMonth": float64(0),
		"daysOfWeek": []any{day}, "firstDayOfWeek": "sunday", "index": "first"}
	switch r.intn(4) {
	case 0:
		pattern["type"], pattern["daysOfWeek"] = "daily", []any{}
	case 1:
		pattern["type"], pattern["daysOfWeek"], pattern["dayOfMonth"] = "absoluteMonthly", []any{}, float64(start.Day())
	case 2:
		pattern["interval"] = float64(2)
	}
	rng := Props{"type": "noEnd", "startDate": start.Format("2006-01-02"), "endDate": "0001-01-01",
		"recurrenceTimeZone": "UTC", "numberOfOccurrences": float64(0)}
	switch r.intn(3) {
	case 0:
		rng["type"], rng["endDate"] = "endDate", start.AddDate(0, 6, 0).Format("2006-01-02")
	case 1:
		rng["type"], rng["numberOfOccurrences"] = "numbered", float64(10)
	}
	return Props{"pattern": pattern, "range": rng}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
