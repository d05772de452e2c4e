package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/userguard"
)

// securityWrites counts the emulator's POSTs and PATCHes of alerts and
// incidents (comments included).
func securityWrites(l *m365sim.Listener) int64 {
	var n int64
	for _, e := range l.Stats().Endpoints {
		for _, p := range []string{"POST /security/", "PATCH /security/"} {
			if strings.HasPrefix(e.Endpoint, p) {
				n += e.Requests
			}
		}
	}
	return n
}

// triageTenant starts an emulator with roles (nil: all), points the
// environment at it, initialises a repository and returns the first
// incident's id and its alert's id.
func triageTenant(t *testing.T, roles ...string) (*m365sim.Listener, RepoFlags, string, string) {
	t.Helper()
	l := m365sim.Start(t, m365sim.Options{Users: 6, Seed: 7, MessagesPerUser: -1, FilesPerUser: -1, Roles: roles})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, _, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	var incID, alertID string
	tn := l.Server.Tenant()
	tn.Read(func() error {
		inc := tn.Security.List(tenant.SetIncidents)[0]
		incID, alertID = inc["id"].(string), inc["alertIds"].([]any)[0].(string)
		return nil
	})
	return l, rf, incID, alertID
}

// comments returns the stored comments of an alert or incident.
func comments(l *m365sim.Listener, set, id string) []any {
	var cs []any
	tn := l.Server.Tenant()
	tn.Read(func() error { cs, _ = tn.Security.Find(set, id)["comments"].([]any); return nil })
	return cs
}

// TestAlertsComment: a dry run sends nothing, --confirm posts the comment,
// audits it and refreshes the stored alert, and "alerts show" lists it.
func TestAlertsComment(t *testing.T) {
	l, rf, _, alertID := triageTenant(t)
	g, stdout, _ := testGlobals(t, false)
	opts := CommentOptions{Repo: rf}
	if err := runAlertsComment(t.Context(), opts, g, alertID, "reset the password"); err != nil {
		t.Fatal(err)
	}
	if out := stdout.String(); !strings.Contains(out, "dry run: would call comment-alert") ||
		!strings.Contains(out, "/security/alerts_v2/"+alertID+"/comments") || !strings.Contains(out, "SecurityAlert.ReadWrite.All") {
		t.Errorf("dry run:\n%s", out)
	}
	if n := securityWrites(l); n != 0 || len(comments(l, tenant.SetAlerts, alertID)) != 0 {
		t.Fatalf("dry run sent %d writes", n)
	}
	opts.Confirm = true
	stdout.b.Reset()
	if err := runAlertsComment(t.Context(), opts, g, alertID, "reset the password"); err != nil {
		t.Fatal(err)
	}
	if out := stdout.String(); !strings.Contains(out, "succeeded: comment posted by SafeGuard365 (emulated)") ||
		!strings.Contains(out, "recorded in the audit log") {
		t.Errorf("confirm:\n%s", out)
	}
	if n := securityWrites(l); n != 1 {
		t.Errorf("%d writes, want 1", n)
	}
	stdout.b.Reset()
	if err := runAlertsShow(t.Context(), AlertsShowOptions{}, g, alertID); err != nil {
		t.Fatal(err)
	}
	if out := stdout.String(); !strings.Contains(out, "by SafeGuard365 (emulated): reset the password") {
		t.Errorf("show after comment:\n%s", out)
	}
	// The stored alert was refreshed with the comment.
	rp, _, err := openRepo(t.Context(), rf, g)
	if err != nil {
		t.Fatal(err)
	}
	st, err := userguard.LoadAlerts(t.Context(), rp, l.TenantID)
	rp.Close(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := st.Alerts[alertID]; !ok || !strings.Contains(string(a.Raw), "reset the password") {
		t.Errorf("stored alert not refreshed: %v", ok)
	}
	gj, jout, _ := testGlobals(t, true)
	if err := runAudit(t.Context(), AuditOptions{Repo: rf}, gj); err != nil {
		t.Fatal(err)
	}
	if out := jout.String(); !strings.Contains(out, `"action":"comment-alert"`) || !strings.Contains(out, `"alertId":"`+alertID+`"`) ||
		!strings.Contains(out, `"comment":"reset the password"`) {
		t.Errorf("audit:\n%s", out)
	}
}

// TestIncidentsCommands: list (table, filters, --json), show with alerts
// and comments, update and comment as dry runs and with --confirm, all
// audited.
func TestIncidentsCommands(t *testing.T) {
	l, rf, incID, alertID := triageTenant(t)
	var all, active int
	tn := l.Server.Tenant()
	tn.Read(func() error {
		for _, inc := range tn.Security.List(tenant.SetIncidents) {
			all++
			if inc["status"] == "active" {
				active++
			}
		}
		return nil
	})
	g, stdout, _ := testGlobals(t, false)
	if err := runIncidentsList(t.Context(), IncidentsListOptions{}, g); err != nil {
		t.Fatal(err)
	}
	if out := stdout.String(); !strings.HasPrefix(out, "CREATED") || strings.Count(out, "\n") != all+1 || !strings.Contains(out, incID) {
		t.Errorf("list (%d incidents):\n%s", all, out)
	}
	gj, jout, _ := testGlobals(t, true)
	if err := runIncidentsList(t.Context(), IncidentsListOptions{Status: "ACTIVE"}, gj); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(jout.String()), "\n")
	if len(lines) != active {
		t.Errorf("list --status active: %d lines, want %d:\n%s", len(lines), active, jout.String())
	}
	for _, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil || m["message_type"] != "incident" || m["status"] != "active" || m["raw"] != nil {
			t.Errorf("list --json line: %s", line)
		}
	}
	if err := (&IncidentsListOptions{Severity: "critical"}).Validate(); err == nil {
		t.Error("--severity critical accepted")
	}
	if f := (&IncidentsListOptions{Status: "inprogress", Severity: "High"}).filter(); f != "status eq 'inProgress' and severity eq 'high'" {
		t.Errorf("filter: %s", f)
	}

	upd := IncidentsUpdateOptions{Repo: rf}
	upd.Update = userguard.IncidentUpdate{Status: "inProgress", AssignedTo: "soc@contoso.test", Tags: []string{"sg365"}}
	stdout.b.Reset()
	if err := runIncidentsUpdate(t.Context(), upd, g, incID); err != nil {
		t.Fatal(err)
	}
	com := CommentOptions{Repo: rf}
	if err := runIncidentsComment(t.Context(), com, g, incID, "escalated to tier 2"); err != nil {
		t.Fatal(err)
	}
	if out := stdout.String(); strings.Count(out, "dry run: would call") != 2 || !strings.Contains(out, `"customTags":["sg365"]`) ||
		!strings.Contains(out, "on incident "+incID) {
		t.Errorf("dry runs:\n%s", out)
	}
	if n := securityWrites(l); n != 0 {
		t.Fatalf("dry runs sent %d writes", n)
	}
	upd.Confirm, com.Confirm = true, true
	if err := runIncidentsUpdate(t.Context(), upd, g, incID); err != nil {
		t.Fatal(err)
	}
	if err := runIncidentsComment(t.Context(), com, g, incID, "escalated to tier 2"); err != nil {
		t.Fatal(err)
	}
	tn.Read(func() error {
		inc := tn.Security.Find(tenant.SetIncidents, incID)
		if inc["status"] != "inProgress" || inc["assignedTo"] != "soc@contoso.test" {
			t.Errorf("incident after update: %v %v", inc["status"], inc["assignedTo"])
		}
		return nil
	})
	stdout.b.Reset()
	if err := runIncidentsShow(t.Context(), IncidentsShowOptions{}, g, incID); err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	for _, want := range []string{"id: " + incID, "status: inProgress", "tags: sg365", "alert: " + alertID,
		"by SafeGuard365 (emulated): escalated to tier 2", "portal: https://"} {
		if !strings.Contains(out, want) {
			t.Errorf("show: no %q in:\n%s", want, out)
		}
	}
	jout.b.Reset()
	if err := runIncidentsShow(t.Context(), IncidentsShowOptions{}, gj, incID); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(jout.String(), `"message_type":"incident"`) || !strings.Contains(jout.String(), `"alerts":[`) {
		t.Errorf("show --json:\n%s", jout.String())
	}
	if err := runIncidentsShow(t.Context(), IncidentsShowOptions{}, g, "999999"); err == nil || !strings.Contains(err.Error(), "no such incident") {
		t.Errorf("show unknown: %v", err)
	}

	jout.b.Reset()
	if err := runAudit(t.Context(), AuditOptions{Repo: rf}, gj); err != nil {
		t.Fatal(err)
	}
	if out := jout.String(); !strings.Contains(out, `"action":"update-incident"`) || !strings.Contains(out, `"action":"comment-incident"`) ||
		strings.Count(out, `"incidentId":"`+incID+`"`) != 2 {
		t.Errorf("audit:\n%s", out)
	}
	if err := (&IncidentsUpdateOptions{}).Validate(); err == nil {
		t.Error("update without a change accepted")
	}
}

// TestTriagePermission: without the ReadWrite permissions the failures
// name them and the attempts are audited.
func TestTriagePermission(t *testing.T) {
	_, rf, incID, alertID := triageTenant(t, "SecurityAlert.Read.All", "SecurityIncident.Read.All")
	g, _, _ := testGlobals(t, false)
	err := runIncidentsComment(t.Context(), CommentOptions{Repo: rf, Confirm: true}, g, incID, "x")
	if err == nil || !strings.Contains(err.Error(), "SecurityIncident.ReadWrite.All") {
		t.Errorf("incident comment without permission: %v", err)
	}
	err = runAlertsComment(t.Context(), CommentOptions{Repo: rf, Confirm: true}, g, alertID, "x")
	if err == nil || !strings.Contains(err.Error(), "SecurityAlert.ReadWrite.All") {
		t.Errorf("alert comment without permission: %v", err)
	}
	gj, jout, _ := testGlobals(t, true)
	if err := runAudit(t.Context(), AuditOptions{Repo: rf}, gj); err != nil {
		t.Fatal(err)
	}
	if out := jout.String(); strings.Count(out, `"result":"failed"`) != 2 {
		t.Errorf("audit:\n%s", out)
	}
}

// TestIncidentsReadPermission: listing without SecurityIncident.Read.All
// names the permission.
func TestIncidentsReadPermission(t *testing.T) {
	triageTenant(t, "SecurityAlert.Read.All")
	g, _, _ := testGlobals(t, false)
	if err := runIncidentsList(t.Context(), IncidentsListOptions{}, g); err == nil || !strings.Contains(err.Error(), "SecurityIncident.Read.All") {
		t.Errorf("list without permission: %v", err)
	}
}
