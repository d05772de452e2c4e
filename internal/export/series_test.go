package export

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
)

// TestSeriesLines checks the .ics of a series with an exception and a
// cancelled occurrence: EXDATE on the master, and the exception as a
// VEVENT of the same UID with a RECURRENCE-ID; both on the RRULE's own
// instants even when the stored original start is an hour off (daylight
// saving), and neither for a floating-time series.
func TestSeriesLines(t *testing.T) {
	const master = `{"id":"M","iCalUId":"UID-1","subject":"Weekly",
	 "start":{"dateTime":"2025-01-06T09:00:00.0000000","timeZone":"UTC"},
	 "end":{"dateTime":"2025-01-06T09:30:00.0000000","timeZone":"UTC"},
	 "recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday"],"firstDayOfWeek":"sunday"},
	   "range":{"type":"noEnd","startDate":"2025-01-06"}}}`
	exc := json.RawMessage(`{"id":"X","iCalUId":"other","subject":"Weekly (moved)","type":"exception",
	 "start":{"dateTime":"2025-04-08T10:00:00.0000000","timeZone":"UTC"},
	 "end":{"dateTime":"2025-04-08T10:30:00.0000000","timeZone":"UTC"}}`)
	s := &dataguard.EventSeries{
		Exceptions: []dataguard.SeriesException{{OriginalStart: time.Date(2025, 4, 7, 8, 0, 0, 0, time.UTC), Event: exc}},
		Cancelled:  []time.Time{time.Date(2025, 1, 20, 9, 0, 0, 0, time.UTC)},
	}
	var ev eventJSON
	if err := json.Unmarshal([]byte(master), &ev); err != nil {
		t.Fatal(err)
	}
	lines, overrides := seriesLines(&ev, s)
	var b bytes.Buffer
	l := &lineWriter{w: &b}
	writeEvent(l, &ev, time.Now(), lines)
	for _, o := range overrides {
		var x eventJSON
		json.Unmarshal(o.raw, &x)
		writeEvent(l, &x, time.Now(), o.lines)
	}
	out := strings.ReplaceAll(b.String(), "\r\n ", "")
	for _, want := range []string{
		"UID:UID-1\r\nDTSTAMP", "EXDATE:20250120T090000Z\r\n",
		"UID:UID-1\r\nRECURRENCE-ID:20250407T090000Z\r\n", "DTSTART:20250408T100000Z\r\n", "SUMMARY:Weekly (moved)\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "UID:other") || strings.Count(out, "BEGIN:VEVENT") != 2 || strings.Count(out, "RRULE") != 1 {
		t.Errorf("exception VEVENT wrong:\n%s", out)
	}

	ev.Start.TimeZone, ev.End.TimeZone = "W. Europe Standard Time", "W. Europe Standard Time"
	if lines, overrides := seriesLines(&ev, s); lines != nil || overrides != nil {
		t.Error("floating-time series got EXDATE or RECURRENCE-ID")
	}
}
