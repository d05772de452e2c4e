package userguard

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// TestTriagePlansAndExecute plans each triage action without sending
// anything, then runs them and checks the emulator's state.
func TestTriagePlansAndExecute(t *testing.T) {
	l, g := simClient(t, m365sim.Options{Seed: 7})
	ctx := t.Context()
	tn := l.Server.Tenant()
	var alertID, incID string
	tn.Write(func() error { // a tag to keep: the PATCH must carry it
		inc := tn.Security.List(tenant.SetIncidents)[0]
		incID = inc["id"].(string)
		alertID = inc["alertIds"].([]any)[0].(string)
		tn.Security.Find(tenant.SetIncidents, incID)["customTags"] = []any{"existing"}
		return nil
	})
	r := &Responder{Graph: g}
	pa, err := r.PlanAlertComment(ctx, alertID, "checked the device")
	if err != nil {
		t.Fatal(err)
	}
	if pa.Method != "POST" || pa.URL != l.GraphURL+"/security/alerts_v2/"+alertID+"/comments" ||
		pa.Body["comment"] != "checked the device" || !strings.HasPrefix(pa.Permission, "SecurityAlert.ReadWrite.All") {
		t.Errorf("alert comment plan: %+v", pa)
	}
	pu, err := r.PlanIncidentUpdate(ctx, incID, IncidentUpdate{Status: "inProgress", AssignedTo: "soc@contoso.test", Tags: []string{"sg365", "existing"}})
	if err != nil {
		t.Fatal(err)
	}
	if tags, _ := pu.Body["customTags"].([]string); !slices.Equal(tags, []string{"existing", "sg365"}) || pu.Target.IncidentID != incID {
		t.Errorf("incident update plan: %+v", pu)
	}
	pc, err := r.PlanIncidentComment(ctx, incID, "escalated")
	if err != nil {
		t.Fatal(err)
	}
	if n := writes(l); n != 0 {
		t.Fatalf("planning sent %d writes", n)
	}
	if _, err := r.PlanIncidentComment(ctx, "999999", "x"); !errors.Is(err, ErrNoIncident) {
		t.Errorf("unknown incident: %v", err)
	}
	if _, err := r.PlanAlertComment(ctx, "nope", "x"); !errors.Is(err, ErrNoAlert) {
		t.Errorf("unknown alert: %v", err)
	}
	if _, err := r.PlanAlertComment(ctx, alertID, " "); err == nil {
		t.Error("empty comment planned")
	}
	if err := (IncidentUpdate{Status: "redirected"}).Validate(); err == nil {
		t.Error("status redirected accepted")
	}

	out, after, err := r.Execute(ctx, pa)
	if err != nil || out.Result != "succeeded" || !strings.Contains(out.Detail, "comment posted by") || !strings.HasSuffix(out.Detail, "(1 in all)") {
		t.Fatalf("comment alert: %+v %v", out, err)
	}
	if a, err := ParseAlert(after); err != nil || a.ID != alertID || !strings.Contains(string(after), "checked the device") {
		t.Errorf("alert read back: %v %s", err, after)
	}
	if _, _, err := r.Execute(ctx, pu); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Execute(ctx, pc); err != nil {
		t.Fatal(err)
	}
	raw, err := g.SecurityIncident(ctx, incID)
	if err != nil {
		t.Fatal(err)
	}
	inc, err := ParseIncident(raw)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Status != "inProgress" || inc.AssignedTo != "soc@contoso.test" || len(inc.Comments) != 1 ||
		inc.Comments[0].Comment != "escalated" || !slices.Contains(inc.CustomTags, "sg365") || len(inc.Alerts) != 1 {
		t.Errorf("incident after: %+v", inc)
	}
}

// TestTriageForbidden: a 403 names the permission.
func TestTriageForbidden(t *testing.T) {
	l, g := simClient(t, m365sim.Options{Seed: 7, Roles: []string{"SecurityAlert.Read.All", "SecurityIncident.Read.All"}})
	var incID string
	tn := l.Server.Tenant()
	tn.Read(func() error { incID = tn.Security.List(tenant.SetIncidents)[0]["id"].(string); return nil })
	r := &Responder{Graph: g}
	p, err := r.PlanIncidentComment(t.Context(), incID, "x")
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := r.Execute(t.Context(), p)
	if !errors.Is(err, graph.ErrForbidden) || !strings.Contains(err.Error(), "SecurityIncident.ReadWrite.All") || out.Result != "failed" {
		t.Errorf("comment without ReadWrite: %+v %v", out, err)
	}
}
