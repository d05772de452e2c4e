package restore

import (
	"encoding/json"
	"fmt"
	"testing"
	_ "time/tzdata" // Europe/Berlin below, wherever the test runs

	"github.com/safeguard365/safeguard365/internal/graph"
)

func TestNormStart(t *testing.T) {
	for _, tc := range []struct {
		in   graph.DateTimeTimeZone
		want string
	}{
		{graph.DateTimeTimeZone{DateTime: "2025-03-03T08:30:00.0000000", TimeZone: "UTC"}, "2025-03-03T08:30Z"},
		{graph.DateTimeTimeZone{DateTime: "2025-03-03T08:30:00", TimeZone: ""}, "2025-03-03T08:30Z"},
		{graph.DateTimeTimeZone{DateTime: "2025-03-03T09:30:00.0000000", TimeZone: "Europe/Berlin"}, "2025-03-03T08:30Z"},
		{graph.DateTimeTimeZone{DateTime: "2025-03-03T09:30:00.0000000", TimeZone: "W. Europe Standard Time"}, "2025-03-03T09:30@W. Europe Standard Time"},
	} {
		if got := normStart(&tc.in); got != tc.want {
			t.Errorf("normStart(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestBuildEvent checks the create request: writable properties only, no
// attendees (nobody is invited), recurrence for series masters only, the
// people kept in the extended property, and a stable transactionId.
func TestBuildEvent(t *testing.T) {
	var att []map[string]any
	for i := range 2000 {
		att = append(att, map[string]any{"type": "required", "emailAddress": map[string]any{"address": fmt.Sprintf("person%04d@example.org", i)}})
	}
	raw := map[string]json.RawMessage{}
	for k, v := range map[string]any{"subject": "S", "iCalUId": "U", "isOrganizer": true, "type": "singleInstance",
		"recurrence": map[string]any{"pattern": map[string]any{"type": "daily"}}, "attendees": att,
		"organizer": map[string]any{"emailAddress": map[string]any{"address": "o@example.org"}}, "isOnlineMeeting": true,
		"start": map[string]any{"dateTime": "2025-01-01T00:00:00", "timeZone": "UTC"}} {
		raw[k], _ = json.Marshal(v)
	}
	ev := buildEvent(raw, eventMeta{Type: "singleInstance"}, "k")
	for _, k := range []string{"attendees", "organizer", "iCalUId", "isOrganizer", "type", "recurrence", "isOnlineMeeting"} {
		if _, ok := ev[k]; ok {
			t.Errorf("create request has %s", k)
		}
	}
	props := ev["singleValueExtendedProperties"].([]map[string]string)
	if v := props[0]["value"]; len(v) > maxAttendeesProp || props[0]["id"] != propAttendees {
		t.Errorf("attendee property of %d bytes", len(v))
	} else {
		var p struct {
			Attendees []any `json:"attendees"`
			Count     int   `json:"attendeeCount"`
		}
		json.Unmarshal([]byte(v), &p)
		if p.Count != 2000 || len(p.Attendees) == 0 {
			t.Errorf("attendee property keeps %d of %d", len(p.Attendees), p.Count)
		}
	}
	if ev["transactionId"] != buildEvent(raw, eventMeta{}, "k")["transactionId"] || ev["transactionId"] == buildEvent(raw, eventMeta{}, "k2")["transactionId"] {
		t.Error("transactionId not derived from the key")
	}
	if m := buildEvent(raw, eventMeta{Type: "seriesMaster"}, "k"); m["recurrence"] == nil {
		t.Error("series master without recurrence")
	}
}
