package graph_test

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// TestEmulatorCalendarEvents lists a calendar's events with only their
// marks selected, across pages, and streams an event attachment's bytes.
func TestEmulatorCalendarEvents(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 3, Seed: 12, MessagesPerUser: 1, FilesPerUser: 1})
	c := newEmulatorClient(t, l, graph.Options{})
	ctx := testCtx(t, 30*time.Second)

	type att struct {
		user, event, id, name string
		content               []byte
	}
	var found *att
	want := map[string]map[string]bool{} // user -> event ids
	tt := l.Server.Tenant()
	tt.Read(func() error {
		for _, u := range tt.Users {
			if u.Deleted || u.Mailbox == nil {
				continue
			}
			want[u.ID] = map[string]bool{}
			for _, ev := range u.Mailbox.Events {
				want[u.ID][ev.ID] = true
				for _, a := range ev.Attachments {
					if found == nil && a.Kind == "file" {
						var b bytes.Buffer
						io.Copy(&b, tenant.Reader(a.Content))
						found = &att{u.ID, ev.ID, a.ID, a.Props["name"].(string), b.Bytes()}
					}
				}
			}
		}
		return nil
	})
	if found == nil {
		t.Fatal("no event attachment in the tenant")
	}
	for user, evs := range want {
		var cals []graph.Calendar
		for cal, err := range c.Calendars(ctx, user) {
			if err != nil {
				t.Fatal(err)
			}
			cals = append(cals, cal)
		}
		if len(cals) != 1 || !cals[0].IsDefaultCalendar {
			t.Fatalf("%s: calendars %+v", user, cals)
		}
		got := map[string]bool{}
		for ev, err := range c.CalendarEvents(ctx, user, cals[0].ID, &graph.ListOptions{Select: []string{"id", "changeKey", "type"}, Top: 7}) {
			if err != nil {
				t.Fatal(err)
			}
			if ev.ChangeKey == "" || ev.Type == "" || strings.Contains(string(ev.Raw), `"subject"`) {
				t.Errorf("event %s: selected listing carries %s", ev.ID, ev.Raw)
			}
			got[ev.ID] = true
		}
		if len(got) != len(evs) {
			t.Errorf("%s: listed %d events, tenant has %d", user, len(got), len(evs))
		}
	}

	var atts []graph.Attachment
	for a, err := range c.EventAttachments(ctx, found.user, found.event, &graph.ListOptions{Select: []string{"id", "name", "size"}}) {
		if err != nil {
			t.Fatal(err)
		}
		atts = append(atts, a)
	}
	if len(atts) == 0 || atts[0].ID != found.id || atts[0].Name != found.name || atts[0].ContentBytes != nil ||
		atts[0].ODataType != "#microsoft.graph.fileAttachment" {
		t.Fatalf("attachments %+v", atts)
	}
	rc, err := c.EventAttachmentContent(ctx, found.user, found.event, found.id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(b, found.content) {
		t.Errorf("attachment content: %d bytes (%v), want %d", len(b), err, len(found.content))
	}
}
