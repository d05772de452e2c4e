package restore

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// seriesShape is a series as Graph lists it: per original start (UTC, to
// the minute), the instance's type, subject, times and location. A
// cancelled occurrence has no entry.
func (e *env) seriesShape(t *testing.T, user, masterID string, from, to time.Time) map[string]string {
	t.Helper()
	out := map[string]string{}
	for in, err := range e.C.EventInstances(testCtx(t), user, masterID, from, to, nil) {
		if err != nil {
			t.Fatalf("instances of %s: %v", masterID, err)
		}
		var x struct {
			Location struct {
				DisplayName string `json:"displayName"`
			} `json:"location"`
		}
		json.Unmarshal(in.Raw, &x)
		out[in.OriginalStart.UTC().Format("2006-01-02T15:04")] = fmt.Sprintf("%s|%s|%s|%s|%s", in.Type, in.Subject,
			normStart(in.Start), normStart(in.End), x.Location.DisplayName)
	}
	return out
}

// seriesWithExceptions returns a series master of user's default
// calendar that has exceptions and cancelled occurrences.
func (e *env) seriesWithExceptions(t *testing.T, user string) *tenant.Event {
	t.Helper()
	evs := e.calendarEvents(user, "")
	for _, id := range slices.Sorted(maps.Keys(evs)) {
		if ev := evs[id]; len(ev.Exceptions) > 0 && len(ev.Cancelled) > 0 {
			return ev
		}
	}
	t.Fatal("no series with exceptions and cancellations")
	return nil
}

// restoredMaster finds the series the restore created from src in
// user's calendar restoredCal: same subject and start.
func (e *env) restoredMaster(t *testing.T, user string, src *tenant.Event) string {
	t.Helper()
	key := toCalEvent(src, false).key()
	for id, ev := range e.calendarEvents(user, restoredCal) {
		if toCalEvent(ev, true).key() == key && ev.Props["type"] == "seriesMaster" {
			return id
		}
	}
	t.Fatalf("series %s not restored", key)
	return ""
}

// TestSeriesExceptionsRoundTrip backs up a calendar whose series have
// exceptions and cancelled occurrences, edits and cancels one more
// occurrence through Graph, backs up again, and restores to another user:
// the restored series lists, through Graph, the same occurrences,
// exceptions (subject, times, location) and cancellations as the source.
// A dry run writes nothing and a rerun changes nothing.
func TestSeriesExceptionsRoundTrip(t *testing.T) {
	e := newEnv(t, pimTenant(9, 2), m365sim.Options{})
	us := e.users()
	src, dst := us[0], us[1]
	master := e.seriesWithExceptions(t, src.ID)
	first, _, _ := tenant.SeriesSpan(master.Props)
	from, to := first.Add(-time.Hour), first.AddDate(2, 0, 0)
	e.backup(dataguard.WorkloadCalendar, src.ID)

	// One more exception and one more cancellation, through Graph.
	var occs []graph.Event
	for in, err := range e.C.EventInstances(testCtx(t), src.ID, master.ID, from, to, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if in.Type == "occurrence" {
			occs = append(occs, in)
		}
	}
	if len(occs) < 3 {
		t.Fatalf("series has %d plain occurrences", len(occs))
	}
	if _, err := e.C.UpdateEvent(testCtx(t), src.ID, occs[1].ID, map[string]any{"subject": "Moved to the big room",
		"location": map[string]any{"displayName": "Big room"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.C.DeleteEvent(testCtx(t), src.ID, occs[2].ID); err != nil {
		t.Fatal(err)
	}
	snaps := e.backup(dataguard.WorkloadCalendar, src.ID)
	want := e.seriesShape(t, src.ID, master.ID, from, to)

	req := Request{Snapshots: snaps, Target: Target{User: dst.UPN}, Folder: restoredCal}
	e.resetStats()
	dry := req
	dry.DryRun = true
	e.restore(dry)
	if w := e.writes(); w != 0 {
		t.Fatalf("dry run made %d write requests", w)
	}
	sum := e.restore(req)
	if r := sum.Resources[0]; r.Failed != 0 {
		t.Fatalf("restore: %+v", r.Counts)
	}
	mid := e.restoredMaster(t, dst.ID, e.calendarEvents(src.ID, "")[master.ID])
	got := e.seriesShape(t, dst.ID, mid, from, to)
	compareShapes(t, want, got)
	var exc, canc int
	tt := e.tenant()
	tt.Read(func() error {
		m := tt.User(dst.ID).Mailbox.Events[mid]
		exc, canc = len(m.Exceptions), len(m.Cancelled)
		return nil
	})
	if exc == 0 || canc < 2 {
		t.Errorf("restored series has %d exceptions and %d cancellations", exc, canc)
	}
	t.Logf("restored series: %d instances, %d exceptions, %d cancelled; %d requests", len(got), exc, canc, sum.Graph.Requests)

	// A rerun skips the series and leaves its instances as they are.
	e.resetStats()
	again := e.restore(req)
	if again.Total.Created != 0 {
		t.Errorf("rerun created %d events", again.Total.Created)
	}
	compareShapes(t, want, e.seriesShape(t, dst.ID, mid, from, to))
}

// restoredCal is the calendar the series tests restore into: a new one,
// so that the target's own copies of shared meetings do not collide.
const restoredCal = "Restored"

func compareShapes(t *testing.T, want, got map[string]string) {
	t.Helper()
	for k, w := range want {
		if g := got[k]; g != w {
			t.Errorf("occurrence %s: got %q, want %q", k, g, w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("extra occurrence %s: %q (cancelled in the source)", k, g)
		}
	}
}

// TestSeriesOldLayoutRestores restores a snapshot in the layout from
// before exceptions were backed up (no .series files, no series marks in
// the index): the series is created from its master alone, with every
// occurrence of its pattern.
func TestSeriesOldLayoutRestores(t *testing.T) {
	e := newEnv(t, pimTenant(9, 2), m365sim.Options{})
	us := e.users()
	src, dst := us[0], us[1]
	master := e.seriesWithExceptions(t, src.ID)
	snaps := e.backup(dataguard.WorkloadCalendar, src.ID)
	old := e.oldLayout(t, snaps[0])

	v, err := dataguard.OpenView(testCtx(t), e.R, old)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := v.Events(testCtx(t), v.Calendars()[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Series != "" {
			t.Fatalf("old layout still has a series file for %s", ev.ID)
		}
	}
	sum := e.restore(Request{Snapshots: []repo.SnapshotID{old}, Target: Target{User: dst.UPN}, Folder: restoredCal})
	if r := sum.Resources[0]; r.Failed != 0 || r.Created == 0 {
		t.Fatalf("restore of the old layout: %+v", r.Counts)
	}
	mid := e.restoredMaster(t, dst.ID, e.calendarEvents(src.ID, "")[master.ID])
	first, _, _ := tenant.SeriesSpan(master.Props)
	got := e.seriesShape(t, dst.ID, mid, first.Add(-time.Hour), first.AddDate(2, 0, 0))
	n := 0
	tenant.SeriesStarts(master.Props, first.AddDate(2, 0, 0), func(time.Time) bool { n++; return true })
	if len(got) != n {
		t.Errorf("restored series has %d instances, want all %d of its pattern", len(got), n)
	}
	for k, s := range got {
		if !strings.HasPrefix(s, "occurrence|") {
			t.Errorf("occurrence %s restored as %s", k, s)
		}
	}
}

// oldLayout rewrites snapshot id as DataGuard wrote calendars before
// series were backed up: the same tree without .series files and without
// the index's series marks.
func (e *env) oldLayout(t *testing.T, id repo.SnapshotID) repo.SnapshotID {
	t.Helper()
	ctx := testCtx(t)
	infos, err := e.R.Snapshots(ctx, repo.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var info repo.SnapshotInfo
	for _, s := range infos {
		if s.ID == id {
			info = s
		}
	}
	w, err := e.R.NewSnapshot(ctx, info.Source, repo.SnapshotOptions{Tags: info.Tags, Previous: &id})
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	err = e.R.Walk(ctx, id, func(ent repo.Entry) error {
		if ent.Type == repo.TypeFile {
			files = append(files, ent.Path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range files {
		switch {
		case strings.HasSuffix(p, ".series"):
		case strings.HasSuffix(p, "/.index.json"):
			var idx map[string]any
			f, err := e.R.OpenFile(ctx, id, p)
			if err != nil {
				t.Fatal(err)
			}
			err = json.NewDecoder(f).Decode(&idx)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			stripSeriesMarks(idx)
			b, _ := json.Marshal(idx)
			if err := w.WriteFile(ctx, p, strings.NewReader(string(b)), time.Now()); err != nil {
				t.Fatal(err)
			}
		default:
			if _, err := w.CarryOver(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	out, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return out.ID
}

// stripSeriesMarks removes the "s" mark from every entry of a decoded
// index, whatever wraps the entries.
func stripSeriesMarks(v any) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["ck"]; ok {
			delete(x, "s")
		}
		for _, c := range x {
			stripSeriesMarks(c)
		}
	case []any:
		for _, c := range x {
			stripSeriesMarks(c)
		}
	}
}
