package catalog

import (
	"context"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
)

// eventJSON is what the catalog reads of an event's Graph JSON.
type eventJSON struct {
	Subject   string            `json:"subject"`
	Start     *dateTimeTimeZone `json:"start"`
	Organizer *recipient        `json:"organizer"`
	Attendees []recipient       `json:"attendees"`
	Modified  string            `json:"lastModifiedDateTime"`
}

// dateTimeTimeZone is Graph's local date and time with a zone name.
type dateTimeTimeZone struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

// Time interprets the local time in its zone: an IANA name, else UTC
// (Graph's default; Windows zone names are not mapped here).
func (d *dateTimeTimeZone) Time() time.Time {
	if d == nil || d.DateTime == "" {
		return time.Time{}
	}
	loc := time.UTC
	if d.TimeZone != "" && !strings.EqualFold(d.TimeZone, "UTC") {
		if l, err := time.LoadLocation(d.TimeZone); err == nil {
			loc = l
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, d.DateTime, loc); err == nil {
			return t.UTC()
		}
	}
	return parseGraphTime(d.DateTime)
}

// listEvents lists a calendar snapshot's events (single instances and
// series masters), dated by their start. Events change under their id, and
// the listing shows no change marker, so each one is read and compared with
// its indexed version.
func listEvents(ctx context.Context, v *dataguard.View, _ Options, emit func(entry) error) error {
	for _, cal := range v.Calendars() {
		evs, err := v.Events(ctx, cal.ID)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			e := entry{Item: Item{Kind: KindEvent, ID: ev.ID, Folder: strings.ReplaceAll(cal.Name, "/", "∕")}}
			e.same = func(*Item) bool { return false }
			jsPath := ev.JSON
			e.load = func(ctx context.Context, it *Item) error {
				var js eventJSON
				if err := v.ReadJSON(ctx, jsPath, &js); err != nil {
					return err
				}
				it.Name = js.Subject
				it.From = js.Organizer.String()
				it.To = joinRecipients(js.Attendees)
				it.Date = js.Start.Time()
				it.Modified = parseGraphTime(js.Modified)
				return nil
			}
			if err := emit(e); err != nil {
				return err
			}
		}
	}
	return nil
}
