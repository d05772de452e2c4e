package tenant

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// events adds events to organizers' default calendars (attendees get no
// copies), reschedules or relocates events, and deletes some.
func (m *mutator) events() error {
	if len(m.g.members) == 0 {
		return nil
	}
	var live []*Event
	owner := map[*Event]*User{}
	for _, u := range m.g.members {
		var evs []*Event
		for _, e := range u.Mailbox.Events {
			if !e.Deleted {
				evs = append(evs, e)
				owner[e] = u
			}
		}
		slices.SortFunc(evs, func(a, b *Event) int { return strings.Compare(a.ID, b.ID) })
		live = append(live, evs...)
	}
	for k := 0; k < m.o.NewEvents; k++ {
		i := m.r.intn(len(m.g.members))
		at := m.at()
		seed := SeedOf(m.t.Seed, "mutate-event", m.o.Seed, k)
		base, atts, _ := m.g.eventBase(newRand(seed), i, seed, at)
		e := m.g.addEvent(i, base, "organizer", at, atts, true)
		m.touched[e] = true
		u := m.g.members[i]
		m.record(Change{Kind: KindEvent, Op: OpAdd, User: u.ID, Container: e.CalendarID, ID: e.ID})
	}
	for k := 0; k < m.o.ChangedEvents; k++ {
		e, ok := pickUntouched(m, live)
		if !ok {
			break
		}
		u := owner[e]
		props := Props{"lastModifiedDateTime": Timestamp(m.at())}
		if m.r.chance(0.5) {
			props["location"] = locationProps(pick(m.r, locations), SeedOf(e.ID))
		} else {
			props["start"] = shiftDateTime(e.Props["start"], 24*time.Hour)
			props["end"] = shiftDateTime(e.Props["end"], 24*time.Hour)
			if rec := shiftRange(e.Props["recurrence"]); rec != nil {
				// A series moves with its range: recurrenceRange's startDate
				// "Must be the same value as the start property of the
				// recurring event".
				props["recurrence"] = rec
			}
		}
		m.touched[e] = true
		m.t.UpdateEvent(u.Mailbox, e, props)
		m.record(Change{Kind: KindEvent, Op: OpUpdate, User: u.ID, Container: e.CalendarID, ID: e.ID})
	}
	for k := 0; k < m.o.DeletedEvents; k++ {
		e, ok := pickUntouched(m, live)
		if !ok {
			break
		}
		u := owner[e]
		m.touched[e] = true
		m.record(Change{Kind: KindEvent, Op: OpDelete, User: u.ID, Container: e.CalendarID, ID: e.ID})
		m.t.DeleteEvent(u.Mailbox, e)
		m.at()
	}
	m.occurrences(live, owner)
	return nil
}

// occurrences moves, retitles or cancels one occurrence of each of
// ChangedOccurrences series. The series master records it (see
// series.go), so it is reported as an update of the master.
func (m *mutator) occurrences(live []*Event, owner map[*Event]*User) {
	var series []*Event
	for _, e := range live {
		if e.Props["type"] == "seriesMaster" && !e.Deleted {
			series = append(series, e)
		}
	}
	for k := 0; k < m.o.ChangedOccurrences; k++ {
		e, ok := pickUntouched(m, series)
		if !ok {
			break
		}
		m.touched[e] = true
		var starts []time.Time
		SeriesStarts(e.Props, m.o.Now.AddDate(1, 0, 0), func(t time.Time) bool {
			if !e.Cancelled[OccurrenceKey(t)] {
				starts = append(starts, t)
			}
			return len(starts) < 20
		})
		if len(starts) < 2 {
			continue
		}
		orig := starts[1+m.r.intn(len(starts)-1)] // the first stays as the series starts
		u := owner[e]
		at := Timestamp(m.at())
		switch m.r.intn(3) {
		case 0:
			_, dur, _ := SeriesSpan(e.Props)
			m.t.UpdateOccurrence(u.Mailbox, e, orig, Props{"start": dateTimeTimeZone(orig.Add(30 * time.Minute)),
				"end": dateTimeTimeZone(orig.Add(30*time.Minute + dur)), "lastModifiedDateTime": at})
		case 1:
			subj, _ := e.Props["subject"].(string)
			m.t.UpdateOccurrence(u.Mailbox, e, orig, Props{"subject": subj + " (moved online)",
				"location": locationProps("Microsoft Teams Meeting", SeedOf(e.ID, orig.Unix())), "lastModifiedDateTime": at})
		default:
			m.t.CancelOccurrence(u.Mailbox, e, orig, at)
		}
		m.record(Change{Kind: KindEvent, Op: OpUpdate, User: u.ID, Container: e.CalendarID, ID: e.ID})
	}
}

// shiftDateTime moves a dateTimeTimeZone value by d; other values come
// back unchanged.
func shiftDateTime(v any, d time.Duration) any {
	dtz, _ := v.(map[string]any)
	s, _ := dtz["dateTime"].(string)
	t, err := time.Parse("2006-01-02T15:04:05.0000000", s)
	if err != nil {
		return v
	}
	out := dateTimeTimeZone(t.Add(d))
	if tz, ok := dtz["timeZone"].(string); ok {
		out["timeZone"] = tz
	}
	return out
}

// contacts adds contacts (some to a sub-folder), changes phone numbers
// and titles, and deletes some.
func (m *mutator) contacts() error {
	if len(m.g.members) == 0 {
		return nil
	}
	var live []*Contact
	owner := map[*Contact]*User{}
	for _, u := range m.g.members {
		var cs []*Contact
		for _, c := range u.Mailbox.Contacts {
			if !c.Deleted {
				cs = append(cs, c)
				owner[c] = u
			}
		}
		slices.SortFunc(cs, func(a, b *Contact) int { return strings.Compare(a.ID, b.ID) })
		live = append(live, cs...)
	}
	for k := 0; k < m.o.NewContacts; k++ {
		u := pick(m.r, m.g.members)
		mb := u.Mailbox
		f := mb.DefaultContactFolder()
		if len(mb.ContactFolderList) > 1 && m.r.chance(0.3) {
			f = mb.ContactFolderList[1]
		}
		p := m.g.contactProps(m.r, k)
		ts := Timestamp(m.at())
		p["createdDateTime"], p["lastModifiedDateTime"] = ts, ts
		c := &Contact{Props: p}
		m.t.AddContact(mb, f, c)
		m.touched[c] = true
		m.record(Change{Kind: KindContact, Op: OpAdd, User: u.ID, Container: f.ID, ID: c.ID})
	}
	for k := 0; k < m.o.ChangedContacts; k++ {
		c, ok := pickUntouched(m, live)
		if !ok {
			break
		}
		u := owner[c]
		props := Props{
			"mobilePhone":          fmt.Sprintf("+33 6 %02d %02d %02d %02d", m.r.intn(100), m.r.intn(100), m.r.intn(100), m.r.intn(100)),
			"jobTitle":             pick(m.r, pick(m.r, departments).titles),
			"lastModifiedDateTime": Timestamp(m.at()),
		}
		m.touched[c] = true
		m.t.UpdateContact(u.Mailbox, c, props)
		m.record(Change{Kind: KindContact, Op: OpUpdate, User: u.ID, Container: c.FolderID, ID: c.ID})
	}
	for k := 0; k < m.o.DeletedContacts; k++ {
		c, ok := pickUntouched(m, live)
		if !ok {
			break
		}
		u := owner[c]
		m.touched[c] = true
		m.record(Change{Kind: KindContact, Op: OpDelete, User: u.ID, Container: c.FolderID, ID: c.ID})
		m.t.DeleteContact(u.Mailbox, c)
		m.at()
	}
	return nil
}

// shiftRange returns a copy of a patternedRecurrence whose range starts
// and ends a day later; nil for no recurrence.
func shiftRange(v any) any {
	rec := asMap(v)
	rng := asMap(rec["range"])
	if rng == nil {
		return nil
	}
	out, nr := Props{}, Props{}
	for k, x := range rec {
		out[k] = x
	}
	for k, x := range rng {
		nr[k] = x
	}
	for _, k := range []string{"startDate", "endDate"} {
		if d, err := time.Parse("2006-01-02", anyStr(nr[k])); err == nil && d.Year() > 1 {
			nr[k] = d.AddDate(0, 0, 1).Format("2006-01-02")
		}
	}
	out["range"] = nr
	return out
}
