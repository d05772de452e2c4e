package graph

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"time"
)

// Calendar is a user's calendar.
type Calendar struct {
	ID                string          `json:"id"`
	Name              string          `json:"name"`
	ChangeKey         string          `json:"changeKey"`
	CanEdit           bool            `json:"canEdit"`
	IsDefaultCalendar bool            `json:"isDefaultCalendar"`
	Owner             *EmailAddress   `json:"owner"`
	Raw               json.RawMessage `json:"-"`
}

// Event is a calendar event.
type Event struct {
	ID                   string            `json:"id"`
	ChangeKey            string            `json:"changeKey"`
	Subject              string            `json:"subject"`
	Type                 string            `json:"type"` // singleInstance, occurrence, exception, seriesMaster
	SeriesMasterID       string            `json:"seriesMasterId"`
	Start                *DateTimeTimeZone `json:"start"`
	End                  *DateTimeTimeZone `json:"end"`
	IsAllDay             bool              `json:"isAllDay"`
	IsCancelled          bool              `json:"isCancelled"`
	Organizer            *Recipient        `json:"organizer"`
	HasAttachments       bool              `json:"hasAttachments"`
	LastModifiedDateTime time.Time         `json:"lastModifiedDateTime"`
	Raw                  json.RawMessage   `json:"-"`
}

// DateTimeTimeZone is Graph's local time plus zone name; DateTime has no
// offset ("2024-03-04T10:00:00.0000000"), so it stays a string.
type DateTimeTimeZone struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

func (m *Calendar) setRaw(r json.RawMessage) { m.Raw = r }
func (m *Event) setRaw(r json.RawMessage)    { m.Raw = r }

// Calendars lists a user's calendars.
func (c *Client) Calendars(ctx context.Context, user string) iter.Seq2[Calendar, error] {
	return listRequest[Calendar](ctx, c, Request{Path: userPath(user) + "/calendars", Class: ClassCalendar, Resource: user})
}

// CalendarViewDelta starts a delta round over the events of a user's
// default calendar between start and end (event-delta, v1.0). The window is
// encoded in the token, so it is ignored when deltaLink is set. The v1.0
// calendarView delta accepts no $select or $filter; only opts.PageSize
// applies. Events that changed outside the window come back as removed.
func (c *Client) CalendarViewDelta(ctx context.Context, user string, start, end time.Time, deltaLink string, opts *DeltaOptions) *DeltaRound[Event] {
	return Delta[Event](ctx, c, userPath(user)+"/calendarView/delta", deltaLink, func(r *Request) {
		r.Class, r.Resource = ClassCalendar, user
		if deltaLink == "" {
			r.Query = url.Values{
				"startDateTime": {start.UTC().Format(time.RFC3339)},
				"endDateTime":   {end.UTC().Format(time.RFC3339)},
			}
		}
		if opts != nil {
			DeltaOptions{PageSize: opts.PageSize}.applyPrefer(r)
		}
	})
}

// Event gets one event.
func (c *Client) Event(ctx context.Context, user, id string, opts *GetOptions) (*Event, error) {
	req := Request{Path: userPath(user) + Pathf("/events/%s", id), Class: ClassCalendar, Resource: user}
	opts.apply(&req)
	var e Event
	if err := c.doJSON(ctx, &req, &e); err != nil {
		return nil, err
	}
	return &e, nil
}
