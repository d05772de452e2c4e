package restore

// Ground truth for the calendar and contacts tests, read from the
// emulator's tenant under its read lock.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// pimTenant is a small tenant with enough events for series masters,
// attendees and attachments to occur.
func pimTenant(seed uint64, users int) tenant.GenOptions {
	g := smallTenant(seed, users)
	g.MessagesPerUser, g.FilesPerUser, g.EventsPerUser, g.ContactsPerUser = 1, 1, 12, 10
	return g
}

// calEvent is what a restored event must keep.
type calEvent struct {
	Subject, Body, Start, End, Location, Locations, Importance, Sensitivity, ShowAs, Categories string
	AllDay, ReminderOn, Reminder, Recurrence, People                                            string
	Attachments                                                                                 []string // name sha256=…, sorted
}

func (c calEvent) key() string { return c.Subject + "|" + c.Start }

// toCalEvent renders an event of the tenant. restored reads the organizer
// and attendees from the restore's extended property instead of the event
// (a restored event has no attendees: nobody is invited).
func toCalEvent(e *tenant.Event, restored bool) calEvent {
	p := e.Props
	c := calEvent{Subject: str(p["subject"]), Body: normBody(p), Start: str(p["start"]), End: str(p["end"]),
		Location: str(p["location"]), Locations: str(p["locations"]), Importance: str(p["importance"]),
		Sensitivity: str(p["sensitivity"]), ShowAs: str(p["showAs"]), Categories: str(p["categories"]),
		AllDay: str(p["isAllDay"]), ReminderOn: str(p["isReminderOn"]), Reminder: str(p["reminderMinutesBeforeStart"]),
		Recurrence: "null"}
	if t, _ := p["type"].(string); t == "seriesMaster" || restored {
		c.Recurrence = str(p["recurrence"])
	}
	people := map[string]any{}
	if restored {
		props, _ := p["singleValueExtendedProperties"].([]any)
		for _, sp := range props {
			m, _ := sp.(map[string]any)
			if m["id"] == propAttendees {
				s, _ := m["value"].(string)
				json.Unmarshal([]byte(s), &people)
			}
		}
	} else {
		for _, k := range []string{"organizer", "attendees"} {
			if v, ok := p[k]; ok && v != nil {
				people[k] = v
			}
		}
	}
	c.People = str(people)
	for _, a := range e.Attachments {
		name, _ := a.Props["name"].(string)
		h := ""
		if a.Content != nil {
			h = blobSHA(a.Content)
		}
		c.Attachments = append(c.Attachments, fmt.Sprintf("%s sha256=%s", name, h))
	}
	slices.Sort(c.Attachments)
	return c
}

// calendarEvents returns the events of a user's calendar (by name; "" for
// the default one) by id.
func (e *env) calendarEvents(user, calendar string) map[string]*tenant.Event {
	out := map[string]*tenant.Event{}
	t := e.tenant()
	t.Read(func() error {
		mb := t.User(user).Mailbox
		cal := mb.DefaultCalendar()
		if calendar != "" {
			cal = nil
			for _, c := range mb.CalendarList {
				if c.Props["name"] == calendar {
					cal = c
				}
			}
		}
		if cal == nil {
			return nil
		}
		for id, ev := range mb.Events {
			if ev.CalendarID == cal.ID && !ev.Deleted {
				cp := *ev
				cp.Props = cloneJSON(ev.Props)
				out[id] = &cp
			}
		}
		return nil
	})
	return out
}

func cloneJSON(p tenant.Props) tenant.Props {
	b, _ := json.Marshal(p)
	var out tenant.Props
	json.Unmarshal(b, &out)
	return out
}

// addRichEvent puts a weekly series with attendees and two file
// attachments (one of attSize bytes) into user's default calendar.
func (e *env) addRichEvent(user, subject string, attSize int) string {
	var id string
	t := e.tenant()
	t.Write(func() error {
		mb := t.User(user).Mailbox
		big := make([]byte, attSize)
		for i := range big {
			big[i] = byte(i*11 + i/257)
		}
		att := func(name, ct string, data []byte) *tenant.Attachment {
			return &tenant.Attachment{ID: t.NewOutlookID("AAMkAGI2AAABEgAQA"), Kind: "file", Content: tenant.Bytes(data),
				Props: tenant.Props{"@odata.type": "#microsoft.graph.fileAttachment", "name": name, "contentType": ct,
					"isInline": false, "size": float64(len(data)), "lastModifiedDateTime": "2025-01-02T03:04:05Z"}}
		}
		ev := &tenant.Event{Props: tenant.Props{
			"subject": subject, "type": "seriesMaster", "importance": "high", "sensitivity": "private", "showAs": "oof",
			"start":    tenant.Props{"dateTime": "2025-03-03T08:30:00.0000000", "timeZone": "UTC"},
			"end":      tenant.Props{"dateTime": "2025-03-03T09:15:00.0000000", "timeZone": "UTC"},
			"isAllDay": false, "isReminderOn": true, "reminderMinutesBeforeStart": float64(30),
			"categories": []any{"Blue category"}, "iCalUId": "040000008200E00074C5B7101A82E008000000001234",
			"body":      tenant.Props{"contentType": "html", "content": "<html><body><p>Stand-up – agenda attached.</p></body></html>"},
			"location":  tenant.Props{"displayName": "Room 1", "locationType": "default"},
			"locations": []any{tenant.Props{"displayName": "Room 1", "locationType": "default"}},
			"organizer": tenant.Props{"emailAddress": tenant.Props{"name": "Org", "address": t.User(user).UPN}},
			"attendees": []any{
				tenant.Props{"type": "required", "status": tenant.Props{"response": "accepted", "time": "2025-01-01T00:00:00Z"},
					"emailAddress": tenant.Props{"name": "Ext One", "address": "one@example.org"}},
				tenant.Props{"type": "optional", "status": tenant.Props{"response": "none", "time": "0001-01-01T00:00:00Z"},
					"emailAddress": tenant.Props{"name": "Ext Two", "address": "two@example.org"}}},
			"recurrence": tenant.Props{
				"pattern": tenant.Props{"type": "weekly", "interval": float64(1), "daysOfWeek": []any{"monday"}, "firstDayOfWeek": "sunday"},
				"range":   tenant.Props{"type": "numbered", "startDate": "2025-03-03", "numberOfOccurrences": float64(20), "recurrenceTimeZone": "UTC"}},
		}, Attachments: []*tenant.Attachment{att("slides.pptx", "application/octet-stream", big), att("notes.txt", "text/plain", []byte("notes\n"))}}
		t.AddEvent(mb, mb.DefaultCalendar(), ev)
		id = ev.ID
		return nil
	})
	return id
}

// conContact is what a restored contact must keep.
type conContact struct {
	Folder string
	Props  map[string]string // every restorable property, as JSON
}

func (c conContact) key() string {
	return c.Folder + "|" + c.Props["displayName"] + "|" + c.Props["emailAddresses"]
}

// contactsOf returns a user's contacts by id with their folder paths below
// the default Contacts folder ("" for the default folder itself).
func (e *env) contactsOf(user string) map[string]conContact {
	out := map[string]conContact{}
	t := e.tenant()
	t.Read(func() error {
		mb := t.User(user).Mailbox
		var pathOf func(id string) string
		pathOf = func(id string) string {
			f := mb.ContactFolders[id]
			if f == nil || f.Default {
				return ""
			}
			name, _ := f.Props["displayName"].(string)
			return strings.TrimPrefix(pathOf(f.ParentID)+"/"+name, "/")
		}
		for id, c := range mb.Contacts {
			if c.Deleted {
				continue
			}
			cc := conContact{Folder: pathOf(c.FolderID), Props: map[string]string{}}
			for _, k := range contactProps {
				cc.Props[k] = str(c.Props[k])
			}
			out[id] = cc
		}
		return nil
	})
	return out
}

// addSubContacts puts two contacts with most properties set into the
// sub-folder every generated user has below the default Contacts folder.
func (e *env) addSubContacts(user string) {
	t := e.tenant()
	t.Write(func() error {
		mb := t.User(user).Mailbox
		var sub *tenant.ContactFolder
		for _, f := range mb.ContactFolderList {
			if !f.Default {
				sub = f
			}
		}
		for i, name := range []string{"Zoë Ångström", "Ravi O'Neil"} {
			t.AddContact(mb, sub, &tenant.Contact{Props: tenant.Props{
				"displayName": name, "givenName": strings.Fields(name)[0], "surname": strings.Fields(name)[1],
				"fileAs": name, "nickName": "nick", "title": "Dr.", "middleName": "M",
				"emailAddresses": []any{tenant.Props{"name": name, "address": fmt.Sprintf("c%d@example.org", i)},
					tenant.Props{"name": name + " (home)", "address": fmt.Sprintf("home%d@example.net", i)}},
				"imAddresses": []any{"sip:z@example.org"}, "businessPhones": []any{"+1 555 0100"}, "homePhones": []any{"+1 555 0101"},
				"mobilePhone": "+1 555 0102", "companyName": "Example Ltd", "jobTitle": "CTO", "department": "R&D",
				"officeLocation": "HQ 3", "profession": "Engineer", "manager": "Boss", "assistantName": "Assist",
				"spouseName": "Sam", "children": []any{"Kim"}, "birthday": "1980-02-29T11:59:00Z",
				"personalNotes": "Prefers phone – ☎", "categories": []any{"Green category"},
				"businessHomePage": "https://example.org", "yomiGivenName": "ゾーイ",
				"businessAddress": tenant.Props{"street": "1 Main St", "city": "Springfield", "state": "IL", "countryOrRegion": "US", "postalCode": "62701"},
				"homeAddress":     tenant.Props{"street": "2 Elm St", "city": "Springfield"}, "otherAddress": tenant.Props{},
			}})
		}
		return nil
	})
}

// addContactFolder creates the last folder of path (below the default
// Contacts folder; the others must exist) in user's mailbox, if missing,
// and puts a contact called name into it.
func (e *env) addContactFolder(user, path, name string) {
	t := e.tenant()
	err := t.Write(func() error {
		mb := t.User(user).Mailbox
		f := mb.DefaultContactFolder()
		names := strings.Split(path, "/")
		for i, n := range names {
			next := mb.ContactChild(f, n)
			if next == nil {
				if i < len(names)-1 {
					return fmt.Errorf("no contact folder %q", n)
				}
				next = t.AddContactFolder(mb, f, n)
			}
			f = next
		}
		addr := strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.org"
		t.AddContact(mb, f, &tenant.Contact{Props: tenant.Props{"displayName": name, "givenName": strings.Fields(name)[0],
			"emailAddresses": []any{tenant.Props{"name": name, "address": addr}}}})
		return nil
	})
	if err != nil {
		e.TB.Fatal(err)
	}
}

// endpoint counts the requests the emulator served on one route (its
// pattern, e.g. "POST /users/{user}/calendars") since the last stats
// reset; unlike endpointRequests it does not count longer routes.
func (e *env) endpoint(pattern string) int64 {
	var n int64
	for _, ep := range e.L.Stats().Endpoints {
		if ep.Endpoint == pattern {
			n += ep.Requests
		}
	}
	return n
}
