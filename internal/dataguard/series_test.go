package dataguard

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

func isInstances(ep string) bool { return strings.HasSuffix(ep, "/instances") }

// checkSeriesView reads every series master of user's latest calendar
// snapshot through View and compares its exceptions (original start and
// subject) and cancelled occurrences with the tenant.
func checkSeriesView(t *testing.T, e *env, user string) (series, exceptions, cancelled int) {
	t.Helper()
	ctx := testCtx(t)
	v, err := OpenView(ctx, e.r, e.latest(user, WorkloadCalendar).ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*tenant.Event{}
	tt := e.tenant()
	tt.Read(func() error {
		for id, ev := range tt.User(user).Mailbox.Events {
			if ev.Props["type"] == "seriesMaster" {
				cp := *ev
				cp.Exceptions, cp.Cancelled = maps.Clone(ev.Exceptions), maps.Clone(ev.Cancelled)
				want[id] = &cp
			}
		}
		return nil
	})
	for _, c := range v.Calendars() {
		evs, err := v.Events(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			w := want[ev.ID]
			if w == nil {
				continue
			}
			series++
			s, err := v.ReadSeries(ctx, ev)
			if err != nil || s == nil {
				t.Fatalf("series %s: %v, %v", ev.ID, s, err)
			}
			var gotX, wantX []string
			for _, x := range s.Exceptions {
				var sub struct {
					Subject string `json:"subject"`
					Type    string `json:"type"`
				}
				if err := json.Unmarshal(x.Event, &sub); err != nil || sub.Type != "exception" {
					t.Errorf("series %s: exception JSON %.100s: %v", ev.ID, x.Event, err)
				}
				gotX = append(gotX, tenant.OccurrenceKey(x.OriginalStart)+" "+sub.Subject)
			}
			for k, x := range w.Exceptions {
				subj, ok := x.Props["subject"].(string)
				if !ok {
					subj, _ = w.Props["subject"].(string)
				}
				wantX = append(wantX, k+" "+subj)
			}
			slices.Sort(wantX)
			if !slices.Equal(gotX, wantX) {
				t.Errorf("series %s: exceptions %q, want %q", ev.ID, gotX, wantX)
			}
			var gotC []string
			for _, c := range s.Cancelled {
				gotC = append(gotC, tenant.OccurrenceKey(c))
			}
			wantC := slices.Sorted(maps.Keys(w.Cancelled))
			if !slices.Equal(gotC, wantC) || s.CancelledUnknown {
				t.Errorf("series %s: cancelled %v (unknown %v), want %v", ev.ID, gotC, s.CancelledUnknown, wantC)
			}
			exceptions += len(gotX)
			cancelled += len(gotC)
		}
	}
	if series != len(want) {
		t.Errorf("%d series in the snapshot, tenant has %d", series, len(want))
	}
	return series, exceptions, cancelled
}

// TestSeriesExceptionsBackup backs up calendars whose series have
// exceptions and cancelled occurrences: the snapshot keeps them beside
// their masters; an unchanged run costs no request more than before; an
// occurrence edited or cancelled through Graph moves its master's
// changeKey, and the next run stores the master and its series again.
func TestSeriesExceptionsBackup(t *testing.T) {
	e := newEnv(t, pimTenant(9, 3), m365sim.Options{})
	users := e.members()
	e.resetStats()
	sum := e.mustBackup(BackupOptions{Workloads: []string{WorkloadCalendar}})
	inst, gets := e.endpointRequests(isInstances), e.endpointRequests(isEventGet)
	var series, excs, canc int
	for _, u := range users {
		s, x, c := checkSeriesView(t, e, u)
		series, excs, canc = series+s, excs+x, canc+c
		e.checkSnapshot(u, WorkloadCalendar)
	}
	if excs == 0 || canc == 0 {
		t.Fatalf("tenant has %d exceptions and %d cancellations: too little to test", excs, canc)
	}
	t.Logf("full: %d series (%d exceptions, %d cancelled): %d Graph requests, of which %d instance listings and %d exception GETs",
		series, excs, canc, sum.Graph.Requests, inst, gets)

	e.resetStats()
	sum = e.mustBackup(BackupOptions{Workloads: []string{WorkloadCalendar}})
	if n := e.endpointRequests(isInstances) + e.endpointRequests(isEventGet); n != 0 {
		t.Errorf("unchanged run made %d instance listings or event GETs", n)
	}
	if c := workloadTotals(sum, WorkloadCalendar); c.Changed+c.New+c.Deleted != 0 {
		t.Errorf("unchanged run: %+v", c)
	}
	t.Logf("unchanged incremental: %d Graph requests", sum.Graph.Requests)

	// Edit one occurrence and cancel another of a series, through Graph.
	var user string
	var master *tenant.Event
	tt := e.tenant()
	tt.Read(func() error {
		for _, u := range users {
			for _, id := range slices.Sorted(maps.Keys(tt.User(u).Mailbox.Events)) {
				if ev := tt.User(u).Mailbox.Events[id]; master == nil && ev.Props["type"] == "seriesMaster" {
					user, master = u, ev
				}
			}
		}
		return nil
	})
	first, _, _ := tenant.SeriesSpan(master.Props)
	var occs []graph.Event
	for in, err := range e.c.EventInstances(testCtx(t), user, master.ID, first.Add(-time.Hour), first.AddDate(1, 0, 0), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if in.Type == "occurrence" {
			occs = append(occs, in)
		}
	}
	if len(occs) < 3 {
		t.Fatalf("series %s has %d plain occurrences", master.ID, len(occs))
	}
	if _, err := e.c.UpdateEvent(testCtx(t), user, occs[1].ID, map[string]any{"subject": "Only this once"}); err != nil {
		t.Fatal(err)
	}
	if err := e.c.DeleteEvent(testCtx(t), user, occs[2].ID); err != nil {
		t.Fatal(err)
	}
	e.resetStats()
	sum = e.mustBackup(BackupOptions{Workloads: []string{WorkloadCalendar}})
	if c := workloadTotals(sum, WorkloadCalendar); c.Changed != 1 || c.New+c.Deleted+c.Failed != 0 {
		t.Errorf("after editing an occurrence: %+v, want the master changed", c)
	}
	if n := e.endpointRequests(isInstances); n == 0 {
		t.Error("the changed series' instances were not listed")
	}
	checkSeriesView(t, e, user)
	e.checkSnapshot(user, WorkloadCalendar)

	// The mutator's occurrence changes are picked up the same way.
	rep := e.mutate(tenant.MutateOptions{Seed: 4, ChangedOccurrences: 3})
	sum = e.mustBackup(BackupOptions{Workloads: []string{WorkloadCalendar}})
	if c, n := workloadTotals(sum, WorkloadCalendar), rep.Count(tenant.KindEvent, tenant.OpUpdate); n == 0 || c.Changed != int64(n) {
		t.Errorf("after %d occurrence changes: %+v", n, c)
	}
	for _, u := range users {
		checkSeriesView(t, e, u)
		e.checkSnapshot(u, WorkloadCalendar)
	}
	e.verify()
}

// TestSeriesRequestCost measures the calendar backup of the emulator's
// default tenant (5 users, 30 events each): the full run's requests with
// and without the series' instance listings and exception GETs, and an
// unchanged run's, which must not list instances.
func TestSeriesRequestCost(t *testing.T) {
	if testing.Short() {
		t.Skip("measures a default-size tenant")
	}
	e := newEnv(t, tenant.GenOptions{Seed: 1, Users: 5, MessagesPerUser: 1, FilesPerUser: 1}, m365sim.Options{})
	e.resetStats()
	full := e.mustBackup(BackupOptions{Workloads: []string{WorkloadCalendar}})
	inst, gets := e.endpointRequests(isInstances), e.endpointRequests(isEventGet)
	e.resetStats()
	inc := e.mustBackup(BackupOptions{Workloads: []string{WorkloadCalendar}})
	if n := e.endpointRequests(isInstances) + e.endpointRequests(isEventGet); n != 0 {
		t.Errorf("unchanged run: %d instance listings or event GETs", n)
	}
	t.Logf("default tenant, calendar: full %d requests (%d without series: %d instance listings, %d exception GETs); unchanged incremental %d",
		full.Graph.Requests, full.Graph.Requests-inst-gets, inst, gets, inc.Graph.Requests)
}
