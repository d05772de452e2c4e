package m365sim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// instancesPath is …/events/{id}/instances over [start, end).
func instancesPath(uid, id string, start, end time.Time) string {
	return "/users/" + uid + "/events/" + url.PathEscape(id) + "/instances?" + url.Values{
		"startDateTime": {start.UTC().Format(time.RFC3339)}, "endDateTime": {end.UTC().Format(time.RFC3339)}}.Encode()
}

// TestEventInstances checks event-list-instances and updates and deletes of
// occurrences: the window is required, occurrences and exceptions are
// listed with seriesMasterId, a PATCH makes an exception, a DELETE cancels
// the occurrence (left out of the list, 404 by its id), and both change
// the master's changeKey and lastModifiedDateTime.
func TestEventInstances(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 5, Now: func() time.Time { return time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC) }})
	c := newClient(t, l)
	uid := firstUser(t, c)
	r := c.do("POST", "/users/"+uid+"/events", map[string]any{"subject": "Stand-up",
		"start": map[string]any{"dateTime": "2026-03-02T09:00:00", "timeZone": "UTC"},
		"end":   map[string]any{"dateTime": "2026-03-02T09:15:00", "timeZone": "UTC"},
		"recurrence": map[string]any{
			"pattern": map[string]any{"type": "weekly", "interval": 1, "daysOfWeek": []any{"monday", "wednesday"}, "firstDayOfWeek": "sunday"},
			"range":   map[string]any{"type": "numbered", "startDate": "2026-03-02", "numberOfOccurrences": 6, "recurrenceTimeZone": "UTC"},
		}, "type": "seriesMaster"})
	if r.status != http.StatusCreated {
		t.Fatalf("create series: %d %s", r.status, r.body)
	}
	master := r.json(t)
	mid := master["id"].(string)
	from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

	for _, q := range []string{"", "?startDateTime=2026-03-01T00:00:00Z", "?startDateTime=2020-01-01T00:00:00Z&endDateTime=2026-01-01T00:00:00Z"} {
		r := c.do("GET", "/users/"+uid+"/events/"+mid+"/instances"+q, nil)
		if r.status != http.StatusBadRequest {
			t.Errorf("instances%s: %d, want 400", q, r.status)
		}
	}
	insts, _ := c.all(instancesPath(uid, mid, from, to))
	wantStarts := []string{"2026-03-02T09:00:00.0000000", "2026-03-04T09:00:00.0000000", "2026-03-09T09:00:00.0000000",
		"2026-03-11T09:00:00.0000000", "2026-03-16T09:00:00.0000000", "2026-03-18T09:00:00.0000000"}
	if len(insts) != len(wantStarts) {
		t.Fatalf("instances: %d, want %d", len(insts), len(wantStarts))
	}
	for i, in := range insts {
		st := in["start"].(map[string]any)["dateTime"]
		if st != wantStarts[i] || in["type"] != "occurrence" || in["seriesMasterId"] != mid || in["recurrence"] != nil {
			t.Errorf("instance %d: start %v type %v master %v", i, st, in["type"], in["seriesMasterId"])
		}
	}
	// A narrower window lists only what it overlaps.
	if part, _ := c.all(instancesPath(uid, mid, time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC))); len(part) != 2 {
		t.Errorf("window of a week: %d instances, want 2", len(part))
	}

	ck := func() (string, string) {
		m := c.get("/users/" + uid + "/events/" + mid)
		return m["changeKey"].(string), m["lastModifiedDateTime"].(string)
	}
	ck0, _ := ck()
	moved := insts[2]["id"].(string)
	r = c.do("PATCH", "/users/"+uid+"/events/"+url.PathEscape(moved), map[string]any{"subject": "Stand-up (moved)",
		"start": map[string]any{"dateTime": "2026-03-10T10:00:00", "timeZone": "UTC"},
		"end":   map[string]any{"dateTime": "2026-03-10T10:15:00", "timeZone": "UTC"}})
	if r.status != http.StatusOK {
		t.Fatalf("PATCH occurrence: %d %s", r.status, r.body)
	}
	if ex := r.json(t); ex["type"] != "exception" || ex["id"] != moved || ex["subject"] != "Stand-up (moved)" {
		t.Errorf("PATCH answered %v %v %v", ex["type"], ex["id"], ex["subject"])
	}
	ck1, mod1 := ck()
	if ck1 == ck0 {
		t.Error("master changeKey unchanged after an occurrence became an exception")
	}
	if got := c.get("/users/" + uid + "/events/" + url.PathEscape(moved)); got["type"] != "exception" || got["seriesMasterId"] != mid {
		t.Errorf("GET exception: %v", got)
	}

	cancelled := insts[4]["id"].(string)
	if r := c.do("DELETE", "/users/"+uid+"/events/"+url.PathEscape(cancelled), nil); r.status != http.StatusNoContent {
		t.Fatalf("DELETE occurrence: %d %s", r.status, r.body)
	}
	if r := c.do("GET", "/users/"+uid+"/events/"+url.PathEscape(cancelled), nil); r.status != http.StatusNotFound {
		t.Errorf("GET cancelled occurrence: %d, want 404", r.status)
	}
	if r := c.do("PATCH", "/users/"+uid+"/events/"+url.PathEscape(cancelled), map[string]any{"subject": "x"}); r.status != http.StatusNotFound {
		t.Errorf("PATCH cancelled occurrence: %d, want 404", r.status)
	}
	ck2, mod2 := ck()
	if ck2 == ck1 || mod2 < mod1 {
		t.Errorf("master after cancelling: changeKey %s→%s, lastModified %s→%s", ck1, ck2, mod1, mod2)
	}
	after, _ := c.all(instancesPath(uid, mid, from, to))
	byID := ids(after)
	if len(after) != 5 || byID[cancelled] != nil {
		t.Fatalf("instances after cancel: %d, cancelled listed %v", len(after), byID[cancelled] != nil)
	}
	if ex := byID[moved]; ex == nil || ex["type"] != "exception" || !strings.HasPrefix(ex["start"].(map[string]any)["dateTime"].(string), "2026-03-10T10:00:00") {
		t.Errorf("moved exception listed as %v", ex)
	}
	// The master listing still has the master only.
	evs, _ := c.all("/users/" + uid + "/events?$select=id,type")
	for _, e := range evs {
		if e["type"] == "occurrence" || e["type"] == "exception" {
			t.Errorf("events lists an instance: %v", e)
		}
	}
	// Changing the series' times drops its exceptions, as Outlook does.
	c.do("PATCH", "/users/"+uid+"/events/"+mid, map[string]any{
		"start": map[string]any{"dateTime": "2026-03-02T11:00:00", "timeZone": "UTC"},
		"end":   map[string]any{"dateTime": "2026-03-02T11:15:00", "timeZone": "UTC"}})
	if again, _ := c.all(instancesPath(uid, mid, from, to)); len(again) != 6 {
		t.Errorf("after moving the series: %d instances, want 6", len(again))
	}
}

// TestGeneratedSeriesExceptions checks that the generator gives some
// series exceptions and cancellations, the same for the same seed, and
// that instances show them.
func TestGeneratedSeriesExceptions(t *testing.T) {
	summary := func(seed uint64) map[string]int {
		s, err := New(Options{Users: 4, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, u := range s.Tenant().Users {
			if u.Mailbox == nil {
				continue
			}
			for _, e := range u.Mailbox.Events {
				for k := range e.Exceptions {
					out[e.ID+"/x/"+k]++
				}
				for k := range e.Cancelled {
					out[e.ID+"/c/"+k]++
				}
			}
		}
		return out
	}
	a, b := summary(9), summary(9)
	if len(a) == 0 {
		t.Fatal("seed 9 gave no series exceptions")
	}
	if len(a) != len(b) {
		t.Fatalf("same seed: %d and %d exceptions", len(a), len(b))
	}
	for k := range a {
		if b[k] == 0 {
			t.Fatalf("same seed: %s only once", k)
		}
	}

	l := Start(t, Options{Users: 4, Seed: 9})
	c := newClient(t, l)
	for _, u := range l.Server.Tenant().Users {
		if u.Mailbox == nil {
			continue
		}
		for _, e := range u.Mailbox.Events {
			if len(e.Cancelled) == 0 {
				continue
			}
			first, _, _ := tenant.SeriesSpan(e.Props)
			insts, _ := c.all(instancesPath(u.ID, e.ID, first.Add(-time.Hour), first.AddDate(4, 0, 0)))
			var exc int
			for _, in := range insts {
				if in["type"] == "exception" {
					exc++
				}
				if _, orig, _ := tenant.ParseOccurrenceID(in["id"].(string)); e.Cancelled[tenant.OccurrenceKey(orig)] {
					t.Errorf("cancelled occurrence %v listed", orig)
				}
			}
			if exc != len(e.Exceptions) {
				t.Errorf("series %s: %d exceptions listed, has %d", e.ID, exc, len(e.Exceptions))
			}
			return
		}
	}
	t.Fatal("no series with a cancelled occurrence")
}
