package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/config"
	"github.com/safeguard365/safeguard365/internal/deviceguard"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

func mdeSettings(graphURL string) config.Settings { return config.Settings{GraphURL: graphURL} }

// actionPosts counts POSTs the emulator served on device and machine
// action endpoints.
func actionPosts(l *m365sim.Listener) int64 {
	var n int64
	for _, e := range l.Stats().Endpoints {
		if strings.HasPrefix(e.Endpoint, "POST /deviceManagement/") || strings.HasPrefix(e.Endpoint, "mde POST ") {
			n += e.Requests
		}
	}
	return n
}

// simDevice returns the name of the first device matching pred.
func simDevice(t *testing.T, l *m365sim.Listener, pred func(tenant.Props) bool) (name, id string) {
	t.Helper()
	tn := l.Server.Tenant()
	tn.Read(func() error {
		for _, d := range tn.Security.List(tenant.SetManagedDevices) {
			if pred(d) {
				name, id = d["deviceName"].(string), d["id"].(string)
				return nil
			}
		}
		return nil
	})
	if name == "" {
		t.Fatal("no such device in the emulator")
	}
	return name, id
}

func setConfirmation(t *testing.T, answer string, terminal bool) *int {
	t.Helper()
	asked := 0
	old := readConfirmation
	readConfirmation = func(GlobalOptions, string) (string, bool, error) { asked++; return answer, terminal, nil }
	t.Cleanup(func() { readConfirmation = old })
	return &asked
}

// TestRespondDeviceSafety: nothing is sent without --confirm, wipe also
// needs the name typed back (or --force), and every attempt is audited.
func TestRespondDeviceSafety(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 5, Seed: 7, MessagesPerUser: -1, FilesPerUser: -1})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	phone, phoneID := simDevice(t, l, func(d tenant.Props) bool { return d["jailBroken"] == "True" })
	laptop, _ := simDevice(t, l, func(d tenant.Props) bool { return d["operatingSystem"] == "Windows" })

	// Dry runs of every action: the plan is printed, nothing is posted.
	for _, a := range deviceguard.Actions() {
		stdout.b.Reset()
		opts := RespondDeviceOptions{Repo: rf, IsolationType: "Full"}
		if err := runRespondDevice(t.Context(), opts, g, a, laptop); err != nil {
			t.Fatalf("dry run %s: %v", a, err)
		}
		if out := stdout.String(); !strings.Contains(out, "dry run: would call") || !strings.Contains(out, "POST https://") {
			t.Errorf("dry run %s output:\n%s", a, out)
		}
	}
	if n := actionPosts(l); n != 0 {
		t.Fatalf("dry runs sent %d action requests", n)
	}

	// --confirm wipe without a terminal and without --force: refused.
	setConfirmation(t, "", false)
	err := runRespondDevice(t.Context(), RespondDeviceOptions{Repo: rf, Confirm: true, IsolationType: "Full"}, g, "wipe", phone)
	if !errors.Is(err, errNotConfirmed) || actionPosts(l) != 0 {
		t.Fatalf("unconfirmed wipe: %v, %d posts", err, actionPosts(l))
	}
	// The wrong name typed back: refused.
	setConfirmation(t, "someone else's phone", true)
	if err := runRespondDevice(t.Context(), RespondDeviceOptions{Repo: rf, Confirm: true, IsolationType: "Full"}, g, "wipe", phone); !errors.Is(err, errNotConfirmed) {
		t.Fatalf("mistyped wipe: %v", err)
	}
	// The name typed back: the wipe runs and the device shows it.
	asked := setConfirmation(t, phone, true)
	if err := runRespondDevice(t.Context(), RespondDeviceOptions{Repo: rf, Confirm: true, IsolationType: "Full"}, g, "wipe", phoneID); err != nil {
		t.Fatalf("confirmed wipe: %v", err)
	}
	if *asked != 1 || actionPosts(l) != 1 {
		t.Fatalf("asked %d times, %d posts", *asked, actionPosts(l))
	}
	tn := l.Server.Tenant()
	tn.Read(func() error {
		d := tn.Security.Find(tenant.SetManagedDevices, phoneID)
		res, _ := d["deviceActionResults"].([]any)
		if len(res) != 1 || res[0].(map[string]any)["actionName"] != "wipe" {
			t.Errorf("deviceActionResults after wipe: %v", res)
		}
		return nil
	})

	// Isolate through the MDE host twice: the second attempt fails, and
	// both are audited.
	opts := RespondDeviceOptions{Repo: rf, Confirm: true, IsolationType: "Selective"}
	if err := runRespondDevice(t.Context(), opts, g, "isolate", laptop); err != nil {
		t.Fatalf("isolate: %v", err)
	}
	if err := runRespondDevice(t.Context(), opts, g, "isolate", laptop); err == nil {
		t.Fatal("second isolate succeeded")
	}

	gj, jout, _ := testGlobals(t, true)
	if err := runAudit(t.Context(), AuditOptions{Repo: rf}, gj); err != nil {
		t.Fatal(err)
	}
	var entries []auditEntryJSON
	for _, line := range strings.Split(strings.TrimSpace(jout.String()), "\n") {
		var e auditEntryJSON
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	if len(entries) != 3 {
		t.Fatalf("%d audit entries, want 3:\n%s", len(entries), jout.String())
	}
	if e := entries[0]; e.Action != "wipe" || e.Result != "succeeded" || e.Target.DeviceID != phoneID ||
		!strings.Contains(e.Actor, "@") || e.Tenant != l.TenantID || !strings.HasSuffix(e.Call, "/wipe") {
		t.Errorf("wipe entry: %+v", e)
	}
	if e := entries[2]; e.Action != "isolate" || e.Result != "failed" || !strings.Contains(e.Error, "ActiveRequestAlreadyExists") ||
		e.Parameters["IsolationType"] != "Selective" {
		t.Errorf("failed isolate entry: %+v", e)
	}
	g2, text, _ := testGlobals(t, false)
	if err := runAudit(t.Context(), AuditOptions{Repo: rf}, g2); err != nil || !strings.Contains(text.String(), "ACTOR") {
		t.Errorf("audit table: %v\n%s", err, text.String())
	}
}

// TestRespondDevicePermission: a missing permission is named, and the
// failed attempt is audited.
func TestRespondDevicePermission(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 3, Seed: 7, MessagesPerUser: -1, FilesPerUser: -1,
		Roles: []string{"DeviceManagementManagedDevices.Read.All"}})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, _, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	laptop, _ := simDevice(t, l, func(d tenant.Props) bool { return d["operatingSystem"] == "Windows" })
	err := runRespondDevice(t.Context(), RespondDeviceOptions{Repo: rf, Confirm: true, IsolationType: "Full"}, g, "sync", laptop)
	if err == nil || !strings.Contains(err.Error(), "DeviceManagementManagedDevices.PrivilegedOperations.All") {
		t.Fatalf("sync without permission: %v", err)
	}
	gj, jout, _ := testGlobals(t, true)
	if err := runAudit(t.Context(), AuditOptions{Repo: rf, TenantID: l.TenantID}, gj); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(jout.String(), `"result":"failed"`) {
		t.Errorf("audit: %s", jout.String())
	}
}

func TestRespondDeviceValidate(t *testing.T) {
	for _, tc := range []struct {
		opts RespondDeviceOptions
		args []string
	}{
		{RespondDeviceOptions{IsolationType: "Full"}, []string{"wipe"}},
		{RespondDeviceOptions{IsolationType: "Full"}, []string{"explode", "x"}},
		{RespondDeviceOptions{IsolationType: "Partial"}, []string{"isolate", "x"}},
		{RespondDeviceOptions{IsolationType: "Full", Force: true}, []string{"wipe", "x"}},
	} {
		if err := tc.opts.Validate(tc.args); err == nil {
			t.Errorf("%+v %v: no error", tc.opts, tc.args)
		}
	}
}
