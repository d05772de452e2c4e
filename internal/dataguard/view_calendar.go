package dataguard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// CalendarRef is a calendar of a snapshot.
type CalendarRef struct {
	ID   string
	Name string
	// Default marks the user's default calendar.
	Default bool
	// Items is the number of events stored: single instances and series
	// masters (a series' occurrences are not stored; see the package
	// documentation).
	Items int
	// JSON is where the calendar's Graph JSON is stored.
	JSON string
}

// EventRef is an event of a snapshot: where its Graph JSON is stored
// (read it with View.ReadJSON) and its attachments.
type EventRef struct {
	CalendarID string
	ID         string
	Type       string // singleInstance or seriesMaster; "" if not known
	// ChangeKey is the event's changeKey at backup time ("" when the
	// calendar was stored without an index).
	ChangeKey   string
	JSON        string
	Attachments []AttachmentRef
	// Series is where a series master's exceptions and cancelled
	// occurrences are stored (read it with View.ReadSeries); "" for other
	// events and for series backed up before they were.
	Series string
}

// AttachmentRef is an event attachment: its Graph JSON (without
// contentBytes) and its raw content, as GET …/attachments/{id}/$value
// returned it (a file's bytes, an item attachment's MIME). Content is ""
// for a reference attachment, which has no content.
type AttachmentRef struct {
	ID      string
	Name    string
	JSON    string
	Content string
	Size    int64
}

// Calendars lists the snapshot's calendars, the default one first, then by
// name. It is empty for other workloads.
func (v *View) Calendars() []CalendarRef {
	out := make([]CalendarRef, 0, len(v.st.Calendars))
	for id, c := range v.st.Calendars {
		out = append(out, CalendarRef{ID: id, Name: c.Name, Default: c.Default, Items: c.Items, JSON: CalendarMetaPath(id)})
	}
	slices.SortFunc(out, func(a, b CalendarRef) int {
		if a.Default != b.Default {
			if a.Default {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Events lists the events stored for a calendar with their attachments,
// sorted by id.
func (v *View) Events(ctx context.Context, calendarID string) ([]EventRef, error) {
	items, ok, err := loadIndex[eventMark](ctx, v.r, v.info.ID, calendarIndexPath(calendarID))
	if err != nil {
		return nil, fmt.Errorf("list events of calendar %s: %w", calendarID, err)
	}
	if !ok {
		// An empty calendar has no index; otherwise the directory says.
		if items, err = v.scanEvents(ctx, calendarID); err != nil {
			return nil, fmt.Errorf("list events of calendar %s: %w", calendarID, err)
		}
	}
	out := make([]EventRef, 0, len(items))
	for id, mk := range items {
		js, _ := EventPaths(calendarID, id)
		ev := EventRef{CalendarID: calendarID, ID: id, Type: mk.Type, ChangeKey: mk.CK, JSON: js}
		if mk.Series {
			ev.Series = EventSeriesPath(calendarID, id)
		}
		for aid, am := range mk.Att {
			content, meta := EventAttachmentPaths(calendarID, id, aid)
			if am.Ref {
				content = ""
			}
			ev.Attachments = append(ev.Attachments, AttachmentRef{ID: aid, Name: am.Name, JSON: meta, Content: content, Size: am.Size})
		}
		slices.SortFunc(ev.Attachments, func(a, b AttachmentRef) int { return cmp.Compare(a.ID, b.ID) })
		out = append(out, ev)
	}
	slices.SortFunc(out, func(a, b EventRef) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// scanEvents rebuilds a calendar's marks from its directory when it has no
// index, reading the attachments' JSON for their names and sizes.
func (v *View) scanEvents(ctx context.Context, calendarID string) (map[string]eventMark, error) {
	ids, err := scanItemIDs(ctx, v.r, v.info.ID, CalendarDir(calendarID), jsonExt)
	if err != nil {
		return nil, err
	}
	series, err := scanItemIDs(ctx, v.r, v.info.ID, CalendarDir(calendarID), seriesExt)
	if err != nil {
		return nil, err
	}
	out := make(map[string]eventMark, len(ids))
	for _, id := range ids {
		mk := eventMark{Series: slices.Contains(series, id)}
		_, attDir := EventPaths(calendarID, id)
		aids, err := scanItemIDs(ctx, v.r, v.info.ID, attDir, jsonExt)
		if err != nil {
			return nil, err
		}
		for _, aid := range aids {
			_, meta := EventAttachmentPaths(calendarID, id, aid)
			var a struct {
				Type string `json:"@odata.type"`
				Name string `json:"name"`
				Size int64  `json:"size"`
			}
			if err := readJSON(ctx, v.r, v.info.ID, meta, &a); err != nil {
				return nil, err
			}
			if mk.Att == nil {
				mk.Att = map[string]attMark{}
			}
			mk.Att[aid] = attMark{Name: a.Name, Size: a.Size, Ref: strings.HasSuffix(a.Type, "referenceAttachment")}
		}
		out[id] = mk
	}
	return out, nil
}
