package dataguard

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

var pimWorkloads = []string{WorkloadCalendar, WorkloadContacts}

// pimTenant is a small tenant with enough events for recurring series and
// attachments to occur.
func pimTenant(seed uint64, users int) tenant.GenOptions {
	g := smallTenant(seed, users)
	g.MessagesPerUser, g.FilesPerUser, g.EventsPerUser, g.ContactsPerUser = 1, 1, 12, 8
	return g
}

// addCalendar gives user a second calendar, with one event, and a contact
// folder below the generated sub-folder, with one contact: the backup
// must find calendars besides the default one and contact folders at any
// depth.
func addCalendar(t *testing.T, e *env, user string) (calID, folderID string) {
	t.Helper()
	tt := e.tenant()
	tt.Write(func() error {
		mb := tt.User(user).Mailbox
		cal := &tenant.Calendar{ID: tt.NewOutlookID("AAMkAGI"), Props: tenant.Props{"name": "Team / Projects", "color": "lightBlue",
			"isDefaultCalendar": false, "canEdit": true}}
		mb.Calendars[cal.ID] = cal
		mb.CalendarList = append(mb.CalendarList, cal)
		tt.AddEvent(mb, cal, &tenant.Event{Props: tenant.Props{"subject": "Release train", "type": "singleInstance",
			"start": tenant.Props{"dateTime": "2025-06-10T09:00:00.0000000", "timeZone": "UTC"},
			"end":   tenant.Props{"dateTime": "2025-06-10T10:00:00.0000000", "timeZone": "UTC"}}})
		var sub *tenant.ContactFolder
		for _, f := range mb.ContactFolderList {
			if !f.Default {
				sub = f
			}
		}
		nested := &tenant.ContactFolder{ID: tt.NewOutlookID("AAMkAGC"), ParentID: sub.ID,
			Props: tenant.Props{"displayName": "VIP", "parentFolderId": sub.ID}}
		mb.ContactFolders[nested.ID] = nested
		mb.ContactFolderList = append(mb.ContactFolderList, nested)
		tt.AddContact(mb, nested, &tenant.Contact{Props: tenant.Props{"displayName": "Ada Example", "givenName": "Ada"}})
		calID, folderID = cal.ID, nested.ID
		return nil
	})
	return calID, folderID
}

// pimCounts counts what the tenant holds for the members: events, series
// masters, attachments with content, and contacts.
func pimCounts(e *env) (events, masters, attachments, contacts int64) {
	members := e.members()
	tt := e.tenant()
	tt.Read(func() error {
		for _, id := range members {
			mb := tt.User(id).Mailbox
			for _, ev := range mb.Events {
				events++
				if ev.Props["type"] == "seriesMaster" {
					masters++
				}
				attachments += int64(len(ev.Attachments))
			}
			contacts += int64(len(mb.Contacts))
		}
		return nil
	})
	return
}

// exceptionCount counts the exceptions of the members' series (of those
// in ids only, unless ids is nil): a backup reads each of a new or changed
// series in full.
func exceptionCount(e *env, ids map[string]bool) int64 {
	var n int64
	members := e.members()
	tt := e.tenant()
	tt.Read(func() error {
		for _, id := range members {
			for _, ev := range tt.User(id).Mailbox.Events {
				if ids == nil || ids[ev.ID] {
					n += int64(len(ev.Exceptions))
				}
			}
		}
		return nil
	})
	return n
}

// isEventGet matches the emulator's endpoint of GET /users/{id}/events/{id}.
func isEventGet(ep string) bool { return ep == "GET /users/{user}/events/{event}" }

func isAttachmentValue(ep string) bool {
	return ep == "GET /users/{user}/events/{event}/attachments/{att}/$value"
}

// TestCalendarContactsFull backs up every calendar and contact folder,
// compares the snapshots with the tenant (events' JSON with recurrence,
// attachments byte for byte, contacts), reads them back through View, and
// then runs an unchanged incremental: no event or attachment is read, and
// the requests are counted.
func TestCalendarContactsFull(t *testing.T) {
	e := newEnv(t, pimTenant(41, 3), m365sim.Options{})
	users := e.members()
	extraCal, nested := addCalendar(t, e, users[0])
	events, masters, atts, contacts := pimCounts(e)
	if masters == 0 || atts == 0 {
		t.Fatalf("tenant has %d series masters and %d attachments: too little to test", masters, atts)
	}
	e.resetStats()
	sum := e.mustBackup(BackupOptions{Workloads: pimWorkloads})
	cal, con := workloadTotals(sum, WorkloadCalendar), workloadTotals(sum, WorkloadContacts)
	if cal.New != events || cal.Downloaded != atts || cal.Changed+cal.Deleted+cal.Unchanged+cal.Failed != 0 {
		t.Errorf("calendar counts %+v; tenant has %d events, %d attachments", cal, events, atts)
	}
	if con.New != contacts || con.Changed+con.Deleted+con.Unchanged+con.Failed != 0 {
		t.Errorf("contacts counts %+v; tenant has %d contacts", con, contacts)
	}
	// The listing of a calendar with nothing stored carries whole events;
	// only the series' exceptions are read one by one.
	if n, want := e.endpointRequests(isEventGet), exceptionCount(e, nil); n != want {
		t.Errorf("full backup read %d events one by one, want %d (the series' exceptions)", n, want)
	}
	if n := e.endpointRequests(isAttachmentValue); n != atts {
		t.Errorf("%d attachment downloads for %d attachments", n, atts)
	}
	for _, u := range users {
		for _, w := range pimWorkloads {
			e.checkSnapshot(u, w)
		}
	}
	checkPIMView(t, e, users[0], extraCal, nested)
	t.Logf("full: %d events (%d series masters, %d attachments), %d contacts; %d Graph requests",
		events, masters, atts, contacts, sum.Graph.Requests)

	// Unchanged: listings only.
	for _, w := range pimWorkloads {
		e.resetStats()
		sum := e.mustBackup(BackupOptions{Workloads: []string{w}})
		c := workloadTotals(sum, w)
		want := events
		if w == WorkloadContacts {
			want = contacts
		}
		if c.Unchanged != want || c.New+c.Changed+c.Deleted+c.Downloaded+c.Failed != 0 {
			t.Errorf("%s unchanged run: %+v, want %d unchanged", w, c, want)
		}
		if n := e.endpointRequests(isEventGet) + e.endpointRequests(isAttachmentValue); n != 0 {
			t.Errorf("%s unchanged run read %d events or attachments", w, n)
		}
		var eps []string
		for _, ep := range e.l.Stats().Endpoints {
			eps = append(eps, ep.Endpoint)
		}
		t.Logf("%s unchanged incremental: %d Graph requests for %d users (%v)", w, sum.Graph.Requests, len(users), eps)
		if max := int64(len(users)) * 5; sum.Graph.Requests > max {
			t.Errorf("%s unchanged run: %d requests, want at most %d", w, sum.Graph.Requests, max)
		}
	}
	for _, u := range users {
		for _, w := range pimWorkloads {
			e.checkSnapshot(u, w)
		}
	}
	e.verify()
}

// checkPIMView reads user's calendar and contacts snapshots through View
// and compares them with the tenant.
func checkPIMView(t *testing.T, e *env, user, extraCal, nested string) {
	t.Helper()
	ctx := testCtx(t)
	v, err := OpenView(ctx, e.r, e.latest(user, WorkloadCalendar).ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Workload() != WorkloadCalendar {
		t.Errorf("view workload %q", v.Workload())
	}
	tt := e.tenant()
	var wantCals []string
	wantEvents := map[string][]string{}
	wantAtts := map[string]map[string]int64{}
	tt.Read(func() error {
		mb := tt.User(user).Mailbox
		for _, c := range mb.CalendarList {
			wantCals = append(wantCals, c.ID+"|"+c.Props["name"].(string))
		}
		for _, ev := range mb.Events {
			wantEvents[ev.CalendarID] = append(wantEvents[ev.CalendarID], ev.ID)
			m := map[string]int64{}
			for _, a := range ev.Attachments {
				m[a.Props["name"].(string)] = a.Content.Size()
			}
			wantAtts[ev.ID] = m
		}
		return nil
	})
	var gotCals []string
	cals := v.Calendars()
	for _, c := range cals {
		gotCals = append(gotCals, c.ID+"|"+c.Name)
		evs, err := v.Events(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, ev := range evs {
			ids = append(ids, ev.ID)
			var js map[string]any
			if err := v.ReadJSON(ctx, ev.JSON, &js); err != nil || js["id"] != ev.ID {
				t.Errorf("event %s: JSON %v (%v)", ev.ID, js["id"], err)
			}
			got := map[string]int64{}
			for _, a := range ev.Attachments {
				got[a.Name] = a.Size
				if e.fileHash(v.Info().ID, a.Content) == "" {
					t.Errorf("attachment %s unreadable", a.Content)
				}
			}
			if len(got) != len(wantAtts[ev.ID]) {
				t.Errorf("event %s: attachments %v, want %v", ev.ID, got, wantAtts[ev.ID])
			}
			for n, s := range wantAtts[ev.ID] {
				if got[n] != s {
					t.Errorf("event %s: attachment %q size %d, want %d", ev.ID, n, got[n], s)
				}
			}
		}
		if c.Items != len(evs) || !sameSet(ids, wantEvents[c.ID]) {
			t.Errorf("calendar %s: %d items, events %v, want %v", c.Name, c.Items, ids, wantEvents[c.ID])
		}
	}
	if !sameSet(gotCals, wantCals) || !cals[0].Default || !slices.ContainsFunc(cals, func(c CalendarRef) bool { return c.ID == extraCal }) {
		t.Errorf("calendars %v, want %v (default first)", gotCals, wantCals)
	}

	v, err = OpenView(ctx, e.r, e.latest(user, WorkloadContacts).ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{} // path -> contact ids
	tt.Read(func() error {
		mb := tt.User(user).Mailbox
		path := map[string]string{}
		for _, f := range mb.ContactFolderList { // parents come first
			p := f.Props["displayName"].(string)
			if !f.Default {
				p = path[f.ParentID] + "/" + p
			}
			path[f.ID] = p
			want[p] = nil
		}
		for _, c := range mb.Contacts {
			want[path[c.FolderID]] = append(want[path[c.FolderID]], c.ID)
		}
		return nil
	})
	folders := v.ContactFolders()
	if len(folders) != len(want) {
		t.Errorf("%d contact folders, want %d: %+v", len(folders), len(want), folders)
	}
	for _, f := range folders {
		cs, err := v.Contacts(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		w, ok := want[f.Path]
		if !ok || !sameSet(ids, w) || f.Items != len(cs) {
			t.Errorf("contact folder %q: %d items, contacts %v, want %v (%v)", f.Path, f.Items, ids, w, ok)
		}
		if f.ID == nested && !strings.HasPrefix(f.Path, "Contacts/") {
			t.Errorf("nested folder path %q", f.Path)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestCalendarContactsIncremental mutates events and contacts between two
// backups: the counts match the mutation report exactly, only new and
// changed events are read (and only new events' attachments downloaded),
// contacts cost no request of their own, and the snapshots equal the
// tenant.
func TestCalendarContactsIncremental(t *testing.T) {
	e := newEnv(t, pimTenant(42, 3), m365sim.Options{})
	e.mustBackup(BackupOptions{Workloads: pimWorkloads})
	rep := e.mutate(tenant.MutateOptions{Seed: 5, NewEvents: 6, ChangedEvents: 5, DeletedEvents: 3,
		NewContacts: 6, ChangedContacts: 4, DeletedContacts: 3})
	cnt := rep.Counts()
	t.Logf("mutation: %v", cnt)
	var newAtts int64
	tt := e.tenant()
	tt.Read(func() error {
		for _, c := range rep.Changes {
			if c.Kind == tenant.KindEvent && c.Op == tenant.OpAdd {
				if ev := tt.User(c.User).Mailbox.Events[c.ID]; ev != nil {
					newAtts += int64(len(ev.Attachments))
				}
			}
		}
		return nil
	})
	e.resetStats()
	sum := e.mustBackup(BackupOptions{Workloads: pimWorkloads})
	cal, con := workloadTotals(sum, WorkloadCalendar), workloadTotals(sum, WorkloadContacts)
	tests := []struct {
		name string
		got  Counts
		want Counts
	}{
		{"calendar", cal, Counts{New: int64(cnt["event.add"]), Changed: int64(cnt["event.update"]), Deleted: int64(cnt["event.delete"])}},
		{"contacts", con, Counts{New: int64(cnt["contact.add"]), Changed: int64(cnt["contact.update"]), Deleted: int64(cnt["contact.delete"])}},
	}
	for _, tc := range tests {
		if tc.want.New == 0 || tc.want.Changed == 0 || tc.want.Deleted == 0 {
			t.Fatalf("%s: mutation too small: %+v", tc.name, tc.want)
		}
		if tc.got.New != tc.want.New || tc.got.Changed != tc.want.Changed || tc.got.Deleted != tc.want.Deleted || tc.got.Failed != 0 {
			t.Errorf("%s counts %+v, want new %d changed %d deleted %d", tc.name, tc.got, tc.want.New, tc.want.Changed, tc.want.Deleted)
		}
	}
	changed := map[string]bool{}
	for _, c := range rep.Changes {
		if c.Kind == tenant.KindEvent && c.Op != tenant.OpDelete {
			changed[c.ID] = true
		}
	}
	if got, want := e.endpointRequests(isEventGet), int64(cnt["event.add"]+cnt["event.update"])+exceptionCount(e, changed); got != want {
		t.Errorf("%d event GETs, want %d (new and changed events, and their series' exceptions)", got, want)
	}
	if got := e.endpointRequests(isAttachmentValue); got != newAtts || cal.Downloaded != newAtts {
		t.Errorf("%d attachment downloads (%d counted), want %d (new events' attachments)", got, cal.Downloaded, newAtts)
	}
	if n := e.endpointRequests(func(ep string) bool { return strings.HasPrefix(ep, "GET /users/{user}/contacts/") }); n != 0 {
		t.Errorf("%d contact GETs; delta carries the contacts", n)
	}
	t.Logf("incremental: %d Graph requests", sum.Graph.Requests)
	for _, u := range e.members() {
		for _, w := range pimWorkloads {
			e.checkSnapshot(u, w)
		}
	}
}

// TestEventFailureRetried makes reading one changed event and one new
// event's attachment fail: the run is partial, both keep their previous
// state (the changed event its old version, the new one is absent), the
// failures are in the state, and the next run stores them and clears the
// failures.
func TestEventFailureRetried(t *testing.T) {
	e := newEnv(t, pimTenant(43, 2), m365sim.Options{})
	user := e.members()[0]
	e.mustBackup(BackupOptions{Workloads: []string{WorkloadCalendar}})

	var changed, added, calID, oldCK string
	tt := e.tenant()
	tt.Write(func() error {
		mb := tt.User(user).Mailbox
		cal := mb.DefaultCalendar()
		calID = cal.ID
		var ids []string
		for id, ev := range mb.Events {
			if len(ev.Attachments) == 0 {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		ev := mb.Events[ids[0]]
		changed, oldCK = ev.ID, tenant.ChangeKey(ev.ID, ev.Version)
		tt.UpdateEvent(mb, ev, tenant.Props{"subject": "Moved to Thursday"})
		nev := &tenant.Event{Props: tenant.Props{"subject": "With agenda", "type": "singleInstance",
			"start": tenant.Props{"dateTime": "2025-06-11T09:00:00.0000000", "timeZone": "UTC"},
			"end":   tenant.Props{"dateTime": "2025-06-11T10:00:00.0000000", "timeZone": "UTC"}},
			Attachments: []*tenant.Attachment{{ID: tt.NewOutlookID("AAMkADAT"), Kind: "file", Content: tenant.Bytes([]byte("agenda\n")),
				Props: tenant.Props{"name": "agenda.txt", "contentType": "text/plain", "isInline": false}}}}
		tt.AddEvent(mb, cal, nev)
		added = nev.ID
		return nil
	})
	failNext := func(path string) {
		t.Helper()
		if err := e.l.Control("POST", "faults/fail-next", map[string]any{"path": path, "status": 500, "count": 1}, nil); err != nil {
			t.Fatal(err)
		}
	}
	failNext("/v1.0/users/" + user + "/events/" + changed)
	failNext("/v1.0/users/" + user + "/events/" + added + "/attachments/")
	sum, err := e.backup(testCtx(t), BackupOptions{Workloads: []string{WorkloadCalendar}})
	if !errors.Is(err, ErrPartial) {
		t.Fatalf("err = %v, want ErrPartial", err)
	}
	r := resource(t, sum, user, WorkloadCalendar)
	if r.Status != StatusPartial || r.Failed != 2 || len(r.Failures) != 2 {
		t.Fatalf("calendar resource: %s %+v %+v", r.Status, r.Counts, r.Failures)
	}
	info := e.latest(user, WorkloadCalendar)
	js, _ := EventPaths(calID, changed)
	if ck := e.readJSONFile(info.ID, js)["changeKey"]; ck != oldCK {
		t.Errorf("failed event: changeKey %v in the snapshot, want the old %s", ck, oldCK)
	}
	files := e.files(info.ID)
	for p := range files {
		if strings.Contains(p, escapeID(added)) {
			t.Errorf("failed new event left %s in the snapshot", p)
		}
	}
	st := e.state(info.ID)
	if len(st.Failures) != 2 || st.Failures[0].Container != calID || st.Failures[0].Attempts != 1 {
		t.Errorf("state failures %+v", st.Failures)
	}

	e.resetStats()
	sum = e.mustBackup(BackupOptions{Workloads: []string{WorkloadCalendar}})
	c := workloadTotals(sum, WorkloadCalendar)
	if c.New != 1 || c.Changed != 1 || c.Downloaded != 1 || c.Failed != 0 {
		t.Errorf("retry run: %+v, want the two failed events stored", c)
	}
	if n := e.endpointRequests(isEventGet); n != 2 {
		t.Errorf("retry run read %d events, want 2", n)
	}
	if st := e.state(e.latest(user, WorkloadCalendar).ID); len(st.Failures) != 0 {
		t.Errorf("failures left: %+v", st.Failures)
	}
	e.checkSnapshot(user, WorkloadCalendar)
}

// TestDefaultWorkloads: without Workloads, Backup backs up all four; an
// unknown workload is rejected naming the known ones.
func TestDefaultWorkloads(t *testing.T) {
	o := BackupOptions{TenantID: "t"}.withDefaults()
	if !slices.Equal(o.Workloads, []string{WorkloadMail, WorkloadCalendar, WorkloadContacts, WorkloadOneDrive}) {
		t.Errorf("default workloads %v", o.Workloads)
	}
	if err := o.validate(); err != nil {
		t.Error(err)
	}
	o.Workloads = []string{WorkloadContacts, "tasks"}
	if err := o.validate(); err == nil || !strings.Contains(err.Error(), "calendar, contacts") {
		t.Errorf("validate: %v", err)
	}
	for _, w := range Workloads {
		_, src := (&run{opts: o}).workloadOf(Resource{Workload: w})
		if got, ok := workloadOfSource(src.Workload); !ok || got != w {
			t.Errorf("workload %s: source %q maps back to %q", w, src.Workload, got)
		}
	}
}
