package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// alertPatches counts PATCHes of alerts the emulator served.
func alertPatches(l *m365sim.Listener) int64 {
	var n int64
	for _, e := range l.Stats().Endpoints {
		if strings.HasPrefix(e.Endpoint, "PATCH /security/alerts_v2") {
			n += e.Requests
		}
	}
	return n
}

func syncLine(t *testing.T, out string) map[string]any {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["message_type"] == "sync" {
			return m
		}
	}
	t.Fatalf("no sync line in:\n%s", out)
	return nil
}

// TestAlertsCommands: list --sync ingests, a second sync adds nothing,
// update is a dry run without --confirm and audited with it, and the next
// sync refreshes the updated alert.
func TestAlertsCommands(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 6, Seed: 7, MessagesPerUser: -1, FilesPerUser: -1})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	var mdi string
	tn := l.Server.Tenant()
	tn.Read(func() error {
		for _, a := range tn.Security.List(tenant.SetAlerts) {
			if a["serviceSource"] == "microsoftDefenderForIdentity" {
				mdi = a["id"].(string)
			}
		}
		return nil
	})

	gj, jout, _ := testGlobals(t, true)
	if err := runAlertsList(t.Context(), AlertsListOptions{Repo: rf, Sync: true}, gj); err != nil {
		t.Fatal(err)
	}
	if s := syncLine(t, jout.String()); s["new"].(float64) != 3 || s["committed"] != true {
		t.Fatalf("first sync: %v", s)
	}
	jout.b.Reset()
	if err := runAlertsList(t.Context(), AlertsListOptions{Repo: rf, Sync: true}, gj); err != nil {
		t.Fatal(err)
	}
	if s := syncLine(t, jout.String()); s["new"].(float64)+s["updated"].(float64) != 0 || s["committed"] != false {
		t.Fatalf("second sync: %v", s)
	}
	// Filters, from the store.
	if err := runAlertsList(t.Context(), AlertsListOptions{Repo: rf, Source: "mdi", Status: "new"}, g); err != nil {
		t.Fatal(err)
	}
	if out := stdout.String(); !strings.Contains(out, mdi) || strings.Contains(out, "microsoftDefenderForEndpoint") {
		t.Errorf("list --source mdi:\n%s", out)
	}

	upd := AlertsUpdateOptions{Repo: rf}
	upd.Update.Status, upd.Update.Classification, upd.Update.Determination = "resolved", "truePositive", "compromisedAccount"
	stdout.b.Reset()
	if err := runAlertsUpdate(t.Context(), upd, g, mdi); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "dry run: would call") || alertPatches(l) != 0 {
		t.Fatalf("dry run: %d patches\n%s", alertPatches(l), stdout.String())
	}
	upd.Confirm = true
	if err := runAlertsUpdate(t.Context(), upd, g, mdi); err != nil {
		t.Fatal(err)
	}
	if alertPatches(l) != 1 {
		t.Fatalf("%d patches", alertPatches(l))
	}
	tn.Read(func() error {
		a := tn.Security.Find(tenant.SetAlerts, mdi)
		if a["status"] != "resolved" || a["determination"] != "compromisedAccount" {
			t.Errorf("alert after update: %v %v", a["status"], a["determination"])
		}
		return nil
	})
	// The stored copy was refreshed with the PATCH's answer: a sync finds
	// nothing to refresh.
	jout.b.Reset()
	if err := runAlertsList(t.Context(), AlertsListOptions{Repo: rf, Sync: true, Status: "resolved", Since: "3650d",
		now: func() time.Time { return time.Now() }}, gj); err != nil {
		t.Fatal(err)
	}
	if s := syncLine(t, jout.String()); s["new"].(float64)+s["updated"].(float64) != 0 {
		t.Errorf("sync after update: %v", s)
	}
	if !strings.Contains(jout.String(), `"id":"`+mdi+`"`) {
		t.Errorf("resolved alert not listed:\n%s", jout.String())
	}
	jout.b.Reset()
	if err := runAudit(t.Context(), AuditOptions{Repo: rf}, gj); err != nil {
		t.Fatal(err)
	}
	if out := jout.String(); !strings.Contains(out, `"action":"update-alert"`) || !strings.Contains(out, `"alertId":"`+mdi+`"`) {
		t.Errorf("audit:\n%s", out)
	}
	if err := (&AlertsUpdateOptions{}).Validate(); err == nil {
		t.Error("update without a change accepted")
	}
}

// TestAlertsShow prints one alert with its evidence.
func TestAlertsShow(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 6, Seed: 7, MessagesPerUser: -1, FilesPerUser: -1})
	tenantEnv(t, l)
	var id string
	tn := l.Server.Tenant()
	tn.Read(func() error { id = tn.Security.List(tenant.SetAlerts)[0]["id"].(string); return nil })
	g, stdout, _ := testGlobals(t, false)
	if err := runAlertsShow(t.Context(), AlertsShowOptions{}, g, id); err != nil {
		t.Fatal(err)
	}
	if out := stdout.String(); !strings.Contains(out, "evidence: deviceEvidence") || !strings.Contains(out, "portal: https://") {
		t.Errorf("show:\n%s", out)
	}
}
