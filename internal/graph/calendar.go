package graph

import (
	"context"
	"encoding/json"
	"io"
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
	// OriginalStart is, for an occurrence or exception of a series, "the
	// start time of an event when it is initially created as an
	// occurrence or exception in a recurring series" (UTC); zero
	// otherwise.
	OriginalStart time.Time       `json:"originalStart"`
	Raw           json.RawMessage `json:"-"`
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

// CalendarEvents lists the events of one calendar (GET
// /users/{id}/calendars/{id}/events, calendar-list-events, v1.0): single
// instances and series masters, not the occurrences of a series, which
// only calendarView and …/instances expand. opts may $select a few
// properties (id, changeKey, type) to compare a calendar with what is
// stored, and set $top, the page size.
func (c *Client) CalendarEvents(ctx context.Context, user, calendarID string, opts *ListOptions) iter.Seq2[Event, error] {
	req := Request{Path: userPath(user) + Pathf("/calendars/%s/events", calendarID), Class: ClassCalendar, Resource: user}
	opts.apply(&req)
	return listRequest[Event](ctx, c, req)
}

// EventAttachments lists an event's attachments. A file attachment's
// listing entry carries its bytes as base64 contentBytes unless opts
// $select leaves them out; stream them with EventAttachmentContent instead.
func (c *Client) EventAttachments(ctx context.Context, user, eventID string, opts *ListOptions) iter.Seq2[Attachment, error] {
	req := Request{Path: userPath(user) + Pathf("/events/%s/attachments", eventID), Class: ClassCalendar, Resource: user}
	opts.apply(&req)
	return listRequest[Attachment](ctx, c, req)
}

// EventAttachmentContent streams an event attachment's raw content (GET
// …/attachments/{id}/$value, attachment-get): a file attachment's bytes, an
// item attachment's MIME. Reference attachments have none (405).
func (c *Client) EventAttachmentContent(ctx context.Context, user, eventID, attachmentID string) (io.ReadCloser, error) {
	req := Request{Path: userPath(user) + Pathf("/events/%s/attachments/%s/$value", eventID, attachmentID),
		Class: ClassCalendar, Resource: user}
	return c.stream(ctx, &req)
}

// EventInstances lists the occurrences and exceptions of series master
// eventID that overlap [start, end) (GET /users/{id}/events/{id}/instances,
// event-list-instances, v1.0): "If the event is a seriesMaster type, this
// returns the occurrences and exceptions of the event in the specified
// time range". Cancelled occurrences are not instances and are not
// listed. startDateTime and endDateTime are required; Exchange refuses a
// window of more than 1825 days (as it does for calendarView), so callers
// split longer ranges. opts may $select properties and set $top.
func (c *Client) EventInstances(ctx context.Context, user, eventID string, start, end time.Time, opts *ListOptions) iter.Seq2[Event, error] {
	req := Request{Path: userPath(user) + Pathf("/events/%s/instances", eventID), Class: ClassCalendar, Resource: user,
		Query: url.Values{
			"startDateTime": {start.UTC().Format(time.RFC3339)},
			"endDateTime":   {end.UTC().Format(time.RFC3339)},
		}}
	opts.apply(&req)
	return listRequest[Event](ctx, c, req)
}
