package graph_test

import (
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// TestEmulatorEventInstances lists a generated series' instances in small
// pages: every occurrence that is not cancelled comes back once, with its
// originalStart, and exceptions are typed as such; a PATCH through
// UpdateEvent makes an occurrence an exception.
func TestEmulatorEventInstances(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 4, Seed: 9, MessagesPerUser: 1, FilesPerUser: -1})
	c := newEmulatorClient(t, l, graph.Options{})
	ctx := testCtx(t, 30*time.Second)
	var user string
	var master *tenant.Event
	for _, u := range l.Server.Tenant().Users {
		for _, e := range mailboxEvents(u) {
			if len(e.Cancelled) > 0 && len(e.Exceptions) > 0 {
				user, master = u.ID, e
			}
		}
	}
	if master == nil {
		t.Fatal("no generated series with exceptions")
	}
	first, _, _ := tenant.SeriesSpan(master.Props)
	from, to := first.Add(-time.Hour), first.AddDate(1, 0, 0)
	want := 0
	tenant.SeriesStarts(master.Props, to, func(s time.Time) bool {
		if !master.Cancelled[tenant.OccurrenceKey(s)] {
			want++
		}
		return true
	})
	seen := map[string]bool{}
	exc := 0
	for ev, err := range c.EventInstances(ctx, user, master.ID, from, to, &graph.ListOptions{Top: 3,
		Select: []string{"id", "type", "start", "end", "originalStart", "seriesMasterId"}}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[ev.ID] || ev.SeriesMasterID != master.ID || ev.OriginalStart.IsZero() {
			t.Fatalf("instance %s: repeated %v, master %q, originalStart %v", ev.ID, seen[ev.ID], ev.SeriesMasterID, ev.OriginalStart)
		}
		seen[ev.ID] = true
		if master.Cancelled[tenant.OccurrenceKey(ev.OriginalStart)] {
			t.Errorf("cancelled occurrence %v listed", ev.OriginalStart)
		}
		if ev.Type == "exception" {
			exc++
		}
	}
	if len(seen) != want || exc != len(master.Exceptions) {
		t.Fatalf("listed %d instances (%d exceptions), want %d (%d)", len(seen), exc, want, len(master.Exceptions))
	}
	var occ string
	for id := range seen {
		if _, orig, _ := tenant.ParseOccurrenceID(id); master.Exceptions[tenant.OccurrenceKey(orig)] == nil {
			occ = id
			break
		}
	}
	ev, err := c.UpdateEvent(ctx, user, occ, map[string]any{"subject": "Changed once"})
	if err != nil || ev.Type != "exception" || ev.Subject != "Changed once" {
		t.Fatalf("UpdateEvent on an occurrence: %v, %+v", err, ev)
	}
}

func mailboxEvents(u *tenant.User) []*tenant.Event {
	if u.Mailbox == nil {
		return nil
	}
	var out []*tenant.Event
	for _, e := range u.Mailbox.Events {
		out = append(out, e)
	}
	return out
}
