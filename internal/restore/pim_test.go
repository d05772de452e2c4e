package restore

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// checkEvents checks a calendar restore to another user: every source
// event is in the target, either as one new event holding every
// restorable property (and no attendees, so nobody was invited) or, when
// the target had an event with the same subject and start already (its
// copy of a meeting both attend), left alone.
func checkEvents(t *testing.T, src, before, after map[string]*tenant.Event, r ResourceSummary) {
	t.Helper()
	had := map[string]bool{}
	for _, ev := range before {
		had[toCalEvent(ev, false).key()] = true
	}
	created := map[string][]calEvent{}
	for id, ev := range after {
		if _, ok := before[id]; ok {
			continue
		}
		if _, ok := ev.Props["attendees"]; ok {
			t.Errorf("restored event %v has attendees: Graph would have invited them", ev.Props["subject"])
		}
		c := toCalEvent(ev, true)
		created[c.key()] = append(created[c.key()], c)
	}
	var skipped, masters, atts int64
	for _, ev := range src {
		w := toCalEvent(ev, false)
		gs := created[w.key()]
		if len(gs) == 0 {
			if !had[w.key()] {
				t.Errorf("event %s not restored", w.key())
			}
			skipped++
			continue
		}
		g := gs[0]
		created[w.key()] = gs[1:]
		if !jsonEqual(w, g) {
			wb, _ := json.MarshalIndent(w, "", " ")
			gb, _ := json.MarshalIndent(g, "", " ")
			t.Errorf("event differs:\nwant %s\ngot  %s", trunc(wb), trunc(gb))
		}
		if w.Recurrence != "null" {
			masters++
		}
		atts += int64(len(w.Attachments))
	}
	for k, gs := range created {
		if len(gs) > 0 {
			t.Errorf("%d extra events %s", len(gs), k)
		}
	}
	if r.Created+r.Copied != int64(len(src))-skipped || r.Skipped != skipped || r.Failed != 0 {
		t.Errorf("counts %+v, want %d created, %d skipped", r.Counts, int64(len(src))-skipped, skipped)
	}
	if masters == 0 || atts == 0 {
		t.Errorf("the test restored %d series masters and %d attachments; want some of each", masters, atts)
	}
}

// TestCalendarRoundTrip backs up a calendar twice with a day of activity
// in between, restores the incremental snapshot to another user's default
// calendar and a second calendar of the same name, compares every event
// property by property (series masters with recurrence and attendees,
// attachments by SHA-256); a dry run writes nothing and predicts the run,
// and a second run creates nothing.
func TestCalendarRoundTrip(t *testing.T) {
	e := newEnv(t, pimTenant(21, 2), m365sim.Options{})
	us := e.users()
	src, dst := us[0], us[1]
	// An attachment over 3 MB: restored through an event attachment
	// upload session.
	e.addRichEvent(src.ID, "Stand-up series", int(smallAttachmentMax)+500_000)
	// A second calendar, which the target lacks: the restore creates it.
	tt := e.tenant()
	tt.Write(func() error {
		mb := tt.User(src.ID).Mailbox
		cal := tt.AddCalendar(mb, "Projects", tenant.Props{"name": "Source", "address": src.UPN})
		tt.AddEvent(mb, cal, &tenant.Event{Props: tenant.Props{"subject": "Release train", "type": "singleInstance",
			"start": tenant.Props{"dateTime": "2025-06-10T09:00:00.0000000", "timeZone": "UTC"},
			"end":   tenant.Props{"dateTime": "2025-06-10T10:00:00.0000000", "timeZone": "UTC"}, "isAllDay": false}})
		return nil
	})
	e.backup(dataguard.WorkloadCalendar, src.ID)
	e.mutate(2)
	snaps := e.backup(dataguard.WorkloadCalendar, src.ID)
	want, wantProj := e.calendarEvents(src.ID, ""), e.calendarEvents(src.ID, "Projects")
	before, beforeProj := e.calendarEvents(dst.ID, ""), e.calendarEvents(dst.ID, "Projects")
	req := Request{Snapshots: snaps, Target: Target{User: dst.UPN}}

	e.resetStats()
	plan := e.restore(Request{Snapshots: snaps, Target: Target{User: dst.UPN}, DryRun: true})
	if w := e.writes(); w != 0 {
		t.Fatalf("dry run made %d write requests", w)
	}
	start := time.Now()
	sum := e.restore(req)
	r := sum.Resources[0]
	if n := e.endpoint("POST /users/{user}/calendars"); n != 1 {
		t.Errorf("%d calendar creates (POST /users/{id}/calendars), want 1 for Projects", n)
	}
	if n := e.endpoint("POST /users/{user}/events/{event}/attachments/createUploadSession"); n < 1 {
		t.Errorf("no event attachment upload session: the %d-byte attachment needs one", smallAttachmentMax+500_000)
	}
	if r.Destination != "" {
		t.Errorf("destination %q, want the calendars themselves", r.Destination)
	}
	if plan.Total.Created != sum.Total.Created || plan.Total.Skipped != sum.Total.Skipped || plan.Total.Bytes != sum.Total.Bytes {
		t.Errorf("plan %+v, run %+v", plan.Total, sum.Total)
	}
	after, afterProj := e.calendarEvents(dst.ID, ""), e.calendarEvents(dst.ID, "Projects")
	checkEvents(t, mergeEvents(want, wantProj), mergeEvents(before, beforeProj), mergeEvents(after, afterProj), r)
	if len(afterProj)-len(beforeProj) != len(wantProj) {
		t.Errorf("Projects got %d events, want %d", len(afterProj)-len(beforeProj), len(wantProj))
	}
	t.Logf("restored %d events (%d skipped: the target's copies of shared meetings) with %d requests in %v",
		r.Created, r.Skipped, sum.Graph.Requests, time.Since(start).Round(time.Millisecond))

	again := e.restore(req)
	if g := again.Total; g.Created != 0 || g.Skipped != r.Created+r.Skipped {
		t.Errorf("second run %+v, want all %d skipped", g, r.Created+r.Skipped)
	}
	if n := len(e.calendarEvents(dst.ID, "")); n != len(after) {
		t.Errorf("second run: %d events in the calendar, want %d", n, len(after))
	}
}

func mergeEvents(ms ...map[string]*tenant.Event) map[string]*tenant.Event {
	out := map[string]*tenant.Event{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// TestContactsRoundTrip restores an incremental contacts snapshot to
// another user, folder by folder, and compares every restorable property;
// a dry run writes nothing and a second run creates nothing.
func TestContactsRoundTrip(t *testing.T) {
	e := newEnv(t, pimTenant(22, 2), m365sim.Options{})
	us := e.users()
	src, dst := us[0], us[1]
	e.addSubContacts(src.ID)
	// Folders the target lacks, a top-level one and one below it: the
	// restore creates them (user-post-contactfolders,
	// contactfolder-post-childfolders).
	e.addContactFolder(src.ID, "Suppliers", "Anna Lieferant")
	e.addContactFolder(src.ID, "Suppliers/Archive", "Old Supplier")
	e.backup(dataguard.WorkloadContacts, src.ID)
	e.mutate(2)
	snaps := e.backup(dataguard.WorkloadContacts, src.ID)
	want, before := e.contactsOf(src.ID), e.contactsOf(dst.ID)

	e.resetStats()
	plan := e.restore(Request{Snapshots: snaps, Target: Target{User: dst.UPN}, DryRun: true})
	if w := e.writes(); w != 0 {
		t.Fatalf("dry run made %d write requests", w)
	}
	sum := e.restore(Request{Snapshots: snaps, Target: Target{User: dst.UPN}})
	if plan.Total != sum.Total {
		t.Errorf("plan %+v, run %+v", plan.Total, sum.Total)
	}
	top, child := e.endpoint("POST /users/{user}/contactFolders"), e.endpoint("POST /users/{user}/contactFolders/{cf}/childFolders")
	if top != 1 || child != 1 {
		t.Errorf("contact folder creates: %d top-level, %d child folders; want 1 each (Suppliers, Suppliers/Archive)", top, child)
	}
	after := e.contactsOf(dst.ID)
	had := map[string]bool{}
	for _, c := range before {
		had[c.key()] = true
	}
	got := map[string][]conContact{}
	for id, c := range after {
		if _, ok := before[id]; !ok {
			got[c.key()] = append(got[c.key()], c)
		}
	}
	var skipped int64
	for _, w := range want {
		gs := got[w.key()]
		if len(gs) == 0 {
			if !had[w.key()] {
				t.Errorf("contact %s not restored", w.key())
			}
			skipped++
			continue
		}
		got[w.key()] = gs[1:]
		if !jsonEqual(w, gs[0]) {
			t.Errorf("contact differs:\nwant %v\ngot  %v", w, gs[0])
		}
	}
	r := sum.Resources[0]
	if r.Created != int64(len(want))-skipped || r.Skipped != skipped || r.Failed != 0 || r.Created == 0 {
		t.Errorf("counts %+v, want %d created and %d skipped", r.Counts, int64(len(want))-skipped, skipped)
	}
	folders := map[string]bool{}
	for _, c := range want {
		folders[c.Folder] = true
	}
	if len(folders) < 2 {
		t.Errorf("contacts in %d folders; want the default one and a sub-folder", len(folders))
	}
	again := e.restore(Request{Snapshots: snaps, Target: Target{User: dst.UPN}})
	if g := again.Total; g.Created != 0 || g.Skipped != int64(len(want)) {
		t.Errorf("second run %+v, want all %d skipped", g, len(want))
	}
	if n := len(e.contactsOf(dst.ID)); n != len(after) {
		t.Errorf("second run: %d contacts, want %d", n, len(after))
	}
}

// TestPIMRestoreToOriginal deletes an event (a series with attendees and
// attachments) and a contact, restores the earlier snapshots into the
// original user: only they come back, as they were; the rest is matched
// by iCalUId or id and skipped, and a rerun creates nothing.
func TestPIMRestoreToOriginal(t *testing.T) {
	e := newEnv(t, pimTenant(23, 1), m365sim.Options{})
	u := e.users()[0]
	evID := e.addRichEvent(u.ID, "Board meeting", 2000)
	snaps := append(e.backup(dataguard.WorkloadCalendar, u.ID), e.backup(dataguard.WorkloadContacts, u.ID)...)
	wantEv := toCalEvent(e.calendarEvents(u.ID, "")[evID], false)
	contacts := e.contactsOf(u.ID)
	ids := slices.Sorted(maps.Keys(contacts))
	ctID := ids[len(ids)/2]
	wantCt := contacts[ctID]
	tt := e.tenant()
	tt.Write(func() error {
		mb := tt.User(u.ID).Mailbox
		tt.DeleteEvent(mb, mb.Events[evID])
		tt.DeleteContact(mb, mb.Contacts[ctID])
		return nil
	})
	nEvents := len(e.calendarEvents(u.ID, ""))

	sum := e.restore(Request{Snapshots: snaps})
	cal, con := sum.Resources[0], sum.Resources[1]
	if cal.Workload != dataguard.WorkloadCalendar {
		cal, con = con, cal
	}
	if cal.Created != 1 || cal.Skipped != int64(nEvents) || con.Created != 1 || con.Skipped != int64(len(contacts)-1) {
		t.Fatalf("restore to original: calendar %+v, contacts %+v", cal.Counts, con.Counts)
	}
	var got *calEvent
	for _, ev := range e.calendarEvents(u.ID, "") {
		if c := toCalEvent(ev, true); c.key() == wantEv.key() {
			got = &c
		}
	}
	if got == nil || !jsonEqual(*got, wantEv) {
		t.Errorf("restored event:\nwant %+v\ngot  %+v", wantEv, got)
	}
	found := false
	for _, c := range e.contactsOf(u.ID) {
		found = found || jsonEqual(c, wantCt)
	}
	if !found {
		t.Errorf("contact %s not restored as it was", wantCt.key())
	}

	// By id: the event alone.
	sum = e.restore(Request{Snapshots: snaps[:1], Items: []string{evID}})
	if r := sum.Resources[0]; r.Selected != 1 || r.Skipped != 1 {
		t.Errorf("restore by id: %+v", r.Counts)
	}
	sum = e.restore(Request{Snapshots: snaps})
	if sum.Total.Created != 0 {
		t.Errorf("rerun created %d items", sum.Total.Created)
	}
}

// TestPIMCollisionReplace replaces what a first restore made: one of each
// item afterwards, and the plan predicts the run.
func TestPIMCollisionReplace(t *testing.T) {
	e := newEnv(t, pimTenant(24, 2), m365sim.Options{})
	us := e.users()
	src, dst := us[0], us[1]
	snaps := append(e.backup(dataguard.WorkloadCalendar, src.ID), e.backup(dataguard.WorkloadContacts, src.ID)...)
	req := Request{Snapshots: snaps, Target: Target{User: dst.UPN}, Collision: CollisionCopy}
	first := e.restore(req)
	nEv, nCt := len(e.calendarEvents(dst.ID, "")), len(e.contactsOf(dst.ID))
	req.Collision = CollisionReplace
	req.DryRun = true
	plan := e.restore(req)
	req.DryRun = false
	second := e.restore(req)
	if plan.Total != second.Total {
		t.Errorf("plan %+v, run %+v", plan.Total, second.Total)
	}
	// Replace deletes every colliding item (the restored one, and a
	// contact or attendee copy of a meeting the target had) and creates
	// one: what the first run copied beside an existing item is single
	// again. Meetings the target organizes are left (skipped).
	s := second.Total
	if s.Created != 0 || s.Copied != 0 || s.Replaced+s.Skipped != first.Total.Copied+first.Total.Created+first.Total.Skipped {
		t.Errorf("replace: %+v after %+v", s, first.Total)
	}
	// One of each source item per key afterwards, besides meetings the
	// target organizes, which replace leaves (and skips).
	wantEv := map[string]int{}
	for _, ev := range e.calendarEvents(src.ID, "") {
		wantEv[toCalEvent(ev, false).key()]++
	}
	gotEv := map[string]int{}
	for _, ev := range e.calendarEvents(dst.ID, "") {
		gotEv[toCalEvent(ev, false).key()]++
	}
	for k, n := range wantEv {
		if gotEv[k] != n && second.Resources[0].Skipped+second.Resources[1].Skipped == 0 {
			t.Errorf("event %s: %d after replace, want %d", k, gotEv[k], n)
		}
	}
	wantCt, gotCt := map[string]int{}, map[string]int{}
	for _, c := range e.contactsOf(src.ID) {
		wantCt[c.key()]++
	}
	for _, c := range e.contactsOf(dst.ID) {
		gotCt[c.key()]++
	}
	for k, n := range wantCt {
		if gotCt[k] != n {
			t.Errorf("contact %s: %d after replace, want %d", k, gotCt[k], n)
		}
	}
	_, _ = nEv, nCt
}

// TestPIMRestoreUnderFaults restores calendars and contacts to another
// user while 30 % of Graph requests fail: nothing is lost or duplicated.
func TestPIMRestoreUnderFaults(t *testing.T) {
	e := newEnv(t, pimTenant(25, 2), m365sim.Options{}, func(o *graph.Options) { o.MinRate = 50 })
	us := e.users()
	src, dst := us[0], us[1]
	// Over 3 MB: the event attachment upload session runs under faults too.
	e.addRichEvent(src.ID, "Series under faults", int(smallAttachmentMax)+200_000)
	snaps := append(e.backup(dataguard.WorkloadCalendar, src.ID), e.backup(dataguard.WorkloadContacts, src.ID)...)
	wantEv, beforeEv := e.calendarEvents(src.ID, ""), e.calendarEvents(dst.ID, "")
	wantCt, beforeCt := e.contactsOf(src.ID), e.contactsOf(dst.ID)

	faults := limits.FaultConfig{Seed: 7, Rate429: 0.05, Rate503: 0.05, Rate504: 0.05, ResetRate: 0.075, TruncateRate: 0.075,
		RetryAfter: 10 * time.Millisecond, Paths: []string{"/v1.0/"}}
	if err := e.L.SetFaults(faults); err != nil {
		t.Fatal(err)
	}
	old := retryBase
	retryBase = 50 * time.Millisecond
	t.Cleanup(func() { retryBase = old })
	e.resetStats()
	// Copies: every item is written, even those the target has already.
	sum := e.restore(Request{Snapshots: snaps, Target: Target{User: dst.UPN}, Collision: CollisionCopy})
	if err := e.L.SetFaults(limits.FaultConfig{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("under faults: %+v; %d requests, %d retries; %d event and %d contact listings (lookups after uncertain creates included)",
		sum.Total, sum.Graph.Requests, sum.Graph.Retries, e.endpointRequests("GET /users/{user}/calendars/{cal}/events"),
		e.endpointRequests("GET /users/{user}/contactFolders/{cf}/contacts")+e.endpointRequests("GET /users/{user}/contacts"))
	if sum.Graph.Retries < 5 {
		t.Fatalf("only %d retries: the faults did not apply", sum.Graph.Retries)
	}
	cal := sum.Resources[0]
	if cal.Workload != dataguard.WorkloadCalendar {
		cal = sum.Resources[1]
	}
	checkEvents(t, wantEv, beforeEv, e.calendarEvents(dst.ID, ""), cal)
	count := func(cs map[string]conContact) map[string]int {
		out := map[string]int{}
		for _, c := range cs {
			out[c.key()]++
		}
		return out
	}
	had, got, want := count(beforeCt), count(e.contactsOf(dst.ID)), count(wantCt)
	for k, n := range want {
		if exp := had[k] + n; got[k] != exp {
			t.Errorf("contact %s: %d in the target, want %d (%d before, %d copies)", k, got[k], exp, had[k], n)
		}
	}
}
