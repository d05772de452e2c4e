package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// simAsOf is the emulator's data anchor (tenant.GenOptions.Now default).
const simAsOf = "2025-06-02T09:00:00Z"

// TestDeviceScanCommand scans the emulated tenant and finds exactly the
// planted device weaknesses.
func TestDeviceScanCommand(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 5, Seed: 7, MessagesPerUser: -1, FilesPerUser: -1})
	tenantEnv(t, l)
	g, stdout, _ := testGlobals(t, true)
	opts := DeviceScanOptions{Format: "table", AsOf: simAsOf, FailOn: "critical"}
	if err := opts.Validate(); err != nil {
		t.Fatal(err)
	}
	err := runDeviceScan(t.Context(), opts, g)
	if !errors.Is(err, errFailOn) || exitCode(err) != exitFailOn {
		t.Fatalf("scan: %v (exit %d)", err, exitCode(err))
	}
	failed := map[string]int{}
	var summary deviceSummaryJSON
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var head struct {
			MessageType string `json:"message_type"`
		}
		if err := json.Unmarshal([]byte(line), &head); err != nil {
			t.Fatal(err)
		}
		var r deviceResultJSON
		if head.MessageType == "result" {
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
		}
		switch {
		case head.MessageType == "summary":
			if err := json.Unmarshal([]byte(line), &summary); err != nil {
				t.Fatal(err)
			}
		case r.Status == "fail" || r.Status == "warning":
			failed[r.RuleID] = len(r.Evidence)
		case r.Status != "pass":
			t.Errorf("%s: %s %s", r.RuleID, r.Status, r.Reason)
		}
	}
	want := map[string]int{"D1": 2, "D4": 1, "D7": 1, "D8": 1, "D14": 1, "D17": 2}
	if len(failed) != len(want) {
		t.Errorf("failed checks %v, want %v", failed, want)
	}
	for id, n := range want {
		if failed[id] != n {
			t.Errorf("%s: %d findings, want %d", id, failed[id], n)
		}
	}
	if summary.FailOnHit != 2 { // D4 and D7 are critical
		t.Errorf("fail_on_hit %d", summary.FailOnHit)
	}

	// The HTML report goes to --out.
	g2, out2, _ := testGlobals(t, false)
	html := t.TempDir() + "/devices.html"
	if err := runDeviceScan(t.Context(), DeviceScanOptions{Format: "html", Out: html, AsOf: simAsOf, InventoryOut: t.TempDir() + "/inv.json"}, g2); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out2.String(), "wrote html report") {
		t.Errorf("output: %s", out2.String())
	}
}

func TestDeviceScanValidate(t *testing.T) {
	for _, o := range []DeviceScanOptions{{Format: "csv"}, {Format: "table", FailOn: "info"}, {Format: "table", AsOf: "yesterday"}} {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func TestMDEURL(t *testing.T) {
	t.Setenv(envMDEURL, "")
	var f MDEFlags
	for _, tc := range []struct{ graph, want string }{
		{"", "https://api.securitycenter.microsoft.com/api"},
		{"https://127.0.0.1:8443/v1.0", "https://127.0.0.1:8443/api"},
	} {
		s := mdeSettings(tc.graph)
		if got := f.mdeURL(s); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.graph, got, tc.want)
		}
	}
}
