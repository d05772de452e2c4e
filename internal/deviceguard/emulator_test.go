package deviceguard

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/posture/posturetest"
	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/simclient"
)

// simNow is the generator's anchor: the emulator's data is dated around
// it, so age checks measure from it.
var simNow = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

// simClients starts an emulator and returns Graph and MDE clients that
// authenticate through its token endpoint.
func simClients(t *testing.T, opts m365sim.Options) (*m365sim.Listener, *graph.Client, *graph.Client) {
	t.Helper()
	if opts.Users == 0 {
		opts.Users = 5
	}
	l, g := simclient.StartDirectory(t, opts)
	m, err := g.MDE(l.URL + "/api")
	if err != nil {
		t.Fatal(err)
	}
	return l, g, m
}

// TestScanEmulator collects the emulated tenant's devices and finds
// exactly the planted weaknesses.
func TestScanEmulator(t *testing.T) {
	_, g, m := simClients(t, m365sim.Options{Seed: 7})
	inv, err := Collect(t.Context(), g, CollectOptions{TenantID: "t", MDE: m, Now: func() time.Time { return simNow }})
	if err != nil {
		t.Fatal(err)
	}
	posturetest.CheckCollected(t, inv)
	eng, err := NewEngine(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Scan(t.Context(), eng, inv)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Status != posture.StatusPass && r.Status != posture.StatusFail && r.Status != posture.StatusWarning {
			t.Errorf("%s: %s %s", r.Rule.ID, r.Status, r.Reason)
		}
	}
	// Seed 7's first member is Adele-like; compare shapes, not names.
	got := posturetest.Failing(rep)
	posturetest.CheckFailing(t, got, map[string]int{"D1": 2, "D4": 1, "D7": 1, "D8": 1, "D14": 1, "D17": 2})
	if !slices.Contains(got["D1"], "DT-RECEPTION-01") || !strings.Contains(strings.Join(got["D4"], ""), "iPhone 12") ||
		!slices.Equal(got["D7"], got["D8"]) || !slices.Equal(got["D17"], []string{"Turn on Microsoft Defender Antivirus real-time protection",
		"Update Microsoft Defender Antivirus definitions"}) {
		t.Errorf("evidence: %v", got)
	}
}

// TestCollectPermissions: a missing permission fails that source alone,
// with the permission named.
func TestCollectPermissions(t *testing.T) {
	_, g, _ := simClients(t, m365sim.Options{Seed: 7, Roles: []string{"DeviceManagementManagedDevices.Read.All"}})
	inv, err := Collect(t.Context(), g, CollectOptions{TenantID: "t", Now: func() time.Time { return simNow }})
	if err != nil {
		t.Fatal(err)
	}
	if st := inv.SourceState(SourceManagedDevices); st.Status != posture.SourceOK {
		t.Errorf("managedDevices: %+v", st)
	}
	if st := inv.SourceState(SourceDeviceAlerts); st.Status != posture.SourceError || !strings.Contains(st.Error, "SecurityAlert.Read.All") {
		t.Errorf("deviceAlerts: %+v", st)
	}
	if st := inv.SourceState(SourceDefenderMachines); st.Status != posture.SourceNotCollected {
		t.Errorf("defenderMachines: %+v", st)
	}
}

// countPosts counts the requests the emulator served on action endpoints.
func countPosts(l *m365sim.Listener) int64 {
	var n int64
	for _, e := range l.Stats().Endpoints {
		if strings.HasPrefix(e.Endpoint, "POST ") || strings.HasPrefix(e.Endpoint, "mde POST ") {
			n += e.Requests
		}
	}
	return n
}

// TestRespondEmulator plans without sending, executes Intune and MDE
// actions, and checks their effect and the audit log.
func TestRespondEmulator(t *testing.T) {
	l, g, m := simClients(t, m365sim.Options{Seed: 7})
	r := &Responder{Graph: g, MDE: m}
	ctx := t.Context()
	var laptop, phone graph.ManagedDevice
	for d, err := range g.ManagedDevices(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if d.OperatingSystem == "Windows" && laptop.ID == "" {
			laptop = d
		}
		if strings.HasSuffix(d.DeviceName, "iPhone 12") {
			phone = d
		}
	}

	// Planning reads only.
	for _, a := range Actions() {
		p, err := r.Plan(ctx, a, laptop.DeviceName, Params{})
		if err != nil {
			t.Fatalf("plan %s: %v", a, err)
		}
		if p.Method != "POST" || !strings.HasPrefix(p.URL, "https://") {
			t.Errorf("plan %s: %s", a, p.Call())
		}
	}
	if n := countPosts(l); n != 0 {
		t.Fatalf("planning sent %d POSTs", n)
	}
	if _, err := r.Plan(ctx, ActionWipe, "no-such-device", Params{}); !errors.Is(err, ErrNoDevice) {
		t.Errorf("unknown device: %v", err)
	}

	// Wipe the jailbroken phone: Intune records a pending wipe.
	rp := repo.TestRepository(t)
	p, err := r.Plan(ctx, ActionWipe, phone.ID, Params{KeepEnrollmentData: false})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Execute(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := AppendAudit(ctx, rp, NewAuditEntry(simNow, "tester@host", "t1", p, out, err)); err != nil {
		t.Fatal(err)
	}
	d, err := g.ManagedDevice(ctx, phone.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(d.Raw), `"actionName":"wipe","actionState":"pending"`) {
		t.Errorf("device after wipe: %s", d.Raw)
	}

	// Isolate the laptop through the MDE host, then isolate it again: the
	// second attempt fails and is still audited.
	p, err = r.Plan(ctx, ActionIsolate, laptop.DeviceName, Params{Comment: "suspicious PowerShell"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.URL, l.URL+"/api/machines/") || p.Body["IsolationType"] != "Full" {
		t.Errorf("isolate plan: %s %v", p.Call(), p.Body)
	}
	out, err = r.Execute(ctx, p)
	if err != nil || !strings.Contains(out.Detail, "Pending") {
		t.Fatalf("isolate: %v %+v", err, out)
	}
	AppendAudit(ctx, rp, NewAuditEntry(simNow.Add(time.Minute), "tester@host", "t1", p, out, err))
	out, err = r.Execute(ctx, p)
	if err == nil || out.Result != "failed" {
		t.Fatalf("second isolate: %v %+v", err, out)
	}
	if err := AppendAudit(ctx, rp, NewAuditEntry(simNow.Add(2*time.Minute), "tester@host", "t1", p, out, err)); err != nil {
		t.Fatal(err)
	}
	entries, err := ReadAudit(ctx, rp, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || entries[0].Action != "wipe" || entries[2].Result != "failed" || entries[2].Error == "" ||
		entries[1].Target.MachineID == "" || entries[0].Actor != "tester@host" || entries[0].Snapshot == "" {
		t.Errorf("audit entries: %+v", entries)
	}
}

// TestRespondPermission: a 403 names the permission the action needs.
func TestRespondPermission(t *testing.T) {
	_, g, m := simClients(t, m365sim.Options{Seed: 7, Roles: []string{"DeviceManagementManagedDevices.Read.All", "Machine.Read.All"}})
	r := &Responder{Graph: g, MDE: m}
	for _, tc := range []struct{ action, perm string }{
		{ActionWipe, "DeviceManagementManagedDevices.PrivilegedOperations.All"},
		{ActionIsolate, "Machine.Isolate"},
	} {
		var name string
		for d := range g.ManagedDevices(t.Context()) {
			if d.OperatingSystem == "Windows" {
				name = d.DeviceName
				break
			}
		}
		p, err := r.Plan(t.Context(), tc.action, name, Params{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Execute(t.Context(), p)
		if !errors.Is(err, graph.ErrForbidden) || !strings.Contains(err.Error(), tc.perm) {
			t.Errorf("%s: %v", tc.action, err)
		}
	}
}

// TestAuditSurvivesRetention: a retention policy keeps the newest snapshot
// of each source, and each audit entry is its own source.
func TestAuditSurvivesRetention(t *testing.T) {
	ctx := t.Context()
	rp := repo.TestRepository(t)
	plan := &Plan{Action: ActionSync, Target: Target{DeviceID: "d1", DeviceName: "LT-1"}, Method: "POST", URL: "https://g/v1.0/x"}
	for i := range 3 {
		e := NewAuditEntry(simNow.Add(time.Duration(i)*time.Minute), "a@h", "t1", plan, Outcome{Result: "succeeded"}, nil)
		if err := AppendAudit(ctx, rp, e); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rp.Forget(ctx, repo.Policy{KeepLast: 1}, repo.ForgetOptions{}); err != nil {
		t.Fatal(err)
	}
	entries, err := ReadAudit(ctx, rp, "t1")
	if err != nil || len(entries) != 3 {
		t.Fatalf("after forget: %d entries, %v", len(entries), err)
	}
	if other, _ := ReadAudit(ctx, rp, "t2"); len(other) != 0 {
		t.Errorf("tenant filter: %d entries", len(other))
	}
}
