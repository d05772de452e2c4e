package graph_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// TestEmulatorSecurityIncidents lists, reads, updates and comments on
// incidents and comments on an alert through the emulator.
func TestEmulatorSecurityIncidents(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 5, Seed: 21, MessagesPerUser: -1, FilesPerUser: -1})
	c := newEmulatorClient(t, l, graph.Options{})
	ctx := t.Context()
	var ids []string
	for raw, err := range c.SecurityIncidents(ctx, "status eq 'active'") {
		if err != nil {
			t.Fatal(err)
		}
		var inc struct{ ID, Status string }
		if err := json.Unmarshal(raw, &inc); err != nil || inc.Status != "active" {
			t.Fatalf("incident %s: %v", raw, err)
		}
		ids = append(ids, inc.ID)
	}
	if len(ids) == 0 {
		t.Fatal("no active incidents")
	}
	raw, err := c.SecurityIncident(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	var inc struct {
		ID     string
		Alerts []struct{ ID string }
	}
	if err := json.Unmarshal(raw, &inc); err != nil || len(inc.Alerts) == 0 {
		t.Fatalf("incident without its alerts: %s", raw)
	}
	if _, err := c.SecurityIncident(ctx, "999999"); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("unknown incident: %v", err)
	}

	upd, err := c.UpdateSecurityIncident(ctx, inc.ID, map[string]any{"status": "inProgress", "customTags": []string{"sg365"}})
	if err != nil {
		t.Fatal(err)
	}
	var u struct {
		Status     string
		CustomTags []string
	}
	if json.Unmarshal(upd, &u); u.Status != "inProgress" || len(u.CustomTags) != 1 {
		t.Errorf("updated incident: %s", upd)
	}

	cs, err := c.CommentSecurityIncident(ctx, inc.ID, "looking into it")
	if err != nil || len(cs) != 1 || cs[0].Comment != "looking into it" || cs[0].CreatedByDisplayName == "" || cs[0].CreatedDateTime == "" {
		t.Fatalf("incident comment: %+v %v", cs, err)
	}
	alertID := inc.Alerts[0].ID
	for i, text := range []string{"one", "two"} {
		cs, err := c.CommentSecurityAlert(ctx, alertID, text)
		if err != nil || len(cs) != i+1 || cs[i].Comment != text {
			t.Fatalf("alert comment %d: %+v %v", i, cs, err)
		}
	}
	a, err := c.SecurityAlert(ctx, alertID)
	if err != nil {
		t.Fatal(err)
	}
	var stored struct{ Comments []graph.SecurityComment }
	if json.Unmarshal(a, &stored); len(stored.Comments) != 2 {
		t.Errorf("alert comments read back: %s", a)
	}
	if _, err := c.CommentSecurityAlert(ctx, "nope", "x"); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("comment on unknown alert: %v", err)
	}
	if _, err := c.CommentSecurityAlert(ctx, alertID, " "); err == nil {
		t.Error("empty comment sent")
	}
}

// TestEmulatorSecurityCommentForbidden: without the ReadWrite permission a
// comment fails with ErrForbidden.
func TestEmulatorSecurityCommentForbidden(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 5, Seed: 21, MessagesPerUser: -1, FilesPerUser: -1,
		Roles: []string{"SecurityIncident.Read.All", "SecurityAlert.Read.All"}})
	c := newEmulatorClient(t, l, graph.Options{})
	for raw, err := range c.SecurityIncidents(t.Context(), "") {
		if err != nil {
			t.Fatal(err)
		}
		var inc struct{ ID string }
		json.Unmarshal(raw, &inc)
		if _, err := c.CommentSecurityIncident(t.Context(), inc.ID, "x"); !errors.Is(err, graph.ErrForbidden) {
			t.Errorf("comment without SecurityIncident.ReadWrite.All: %v", err)
		}
		break
	}
}
