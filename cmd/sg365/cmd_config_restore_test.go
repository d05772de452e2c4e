package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/tenantguard"
)

// TestConfigRestorePinDrift walks an admin through the TenantGuard loop:
// snapshot, pin it, drift happens, 'config drift' (against the pin, also
// as HTML), 'config restore' as a plan then --apply --prune with its
// audit record, and a drift that is empty again.
func TestConfigRestorePinDrift(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 3, Seed: 9, MessagesPerUser: -1, FilesPerUser: -1})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	snapshot := func() repo.SnapshotID {
		t.Helper()
		if err := runConfigSnapshot(t.Context(), ConfigSnapshotOptions{Repo: rf, Workers: 4}, g); err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		r, _, err := openRepo(t.Context(), rf, g)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close(t.Context())
		snaps, err := tenantguard.Snapshots(t.Context(), r, l.TenantID)
		if err != nil {
			t.Fatal(err)
		}
		return snaps[len(snaps)-1].ID
	}
	base := snapshot()
	stdout.b.Reset()
	if err := runConfigPin(t.Context(), ConfigPinOptions{Repo: rf}, g, string(base[:8])); err != nil {
		t.Fatalf("pin: %v", err)
	}
	if out := stdout.String(); !strings.Contains(out, string(base)+" pinned as the baseline") {
		t.Errorf("pin output: %s", out)
	}
	if err := l.Control("POST", "config-drift", m365sim.ConfigDrift{}, nil); err != nil {
		t.Fatal(err)
	}
	snapshot()

	// drift defaults to the pin; the previous snapshot is the same here.
	stdout.b.Reset()
	err := runConfigDrift(t.Context(), ConfigDiffOptions{Repo: rf}, &g)
	if exitCode(err) != exitFound || !strings.Contains(stdout.String(), "against the pinned baseline "+shortID(base)) {
		t.Fatalf("drift: %v\n%s", err, stdout.String())
	}
	html := filepath.Join(t.TempDir(), "drift.html")
	err = runConfigDrift(t.Context(), ConfigDiffOptions{Repo: rf, Against: "pinned", Format: "html", Out: html}, &g)
	if exitCode(err) != exitFound {
		t.Fatalf("drift --format html: %v", err)
	}
	page, _ := os.ReadFile(html)
	for _, want := range []string{"<!DOCTYPE html>", "3 objects differ", "Temporary contractor range", "<code>state</code>",
		"&#34;disabled&#34;", "<style>"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if regexp.MustCompile(`(?i)(src|href)="?(https?:)?//`).Match(page) || strings.Contains(string(page), "<script") {
		t.Error("HTML report refers to external resources or has scripts")
	}

	// The plan changes nothing and exits 0.
	stdout.b.Reset()
	ropts := ConfigRestoreOptions{Repo: rf, Workers: 4, Prune: true}
	if err := runConfigRestore(t.Context(), ropts, g, string(base[:8])); err != nil {
		t.Fatalf("restore plan: %v\n%s", err, stdout.String())
	}
	out := stdout.String()
	t.Logf("config restore:\n%s", out)
	for _, want := range []string{"conditionalAccessPolicies", "update", "state", "namedLocations", "create",
		"delete-extra", "\"Temporary contractor range\"", "1 create, 1 update, 1 delete-extra", "nothing was changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q", want)
		}
	}
	snapshot()
	if err := runConfigDrift(t.Context(), ConfigDiffOptions{Repo: rf, Against: "previous"}, &g); err != nil {
		t.Errorf("the plan changed the tenant? drift: %v", err)
	}

	// --apply, in JSON: every step, then a summary naming the audit record.
	gj, jout, _ := testGlobals(t, true)
	ropts.Apply = true
	if err := runConfigRestore(t.Context(), ropts, gj, string(base)); err != nil {
		t.Fatalf("restore --apply: %v\n%s", err, jout.String())
	}
	var summary map[string]any
	for _, line := range strings.Split(strings.TrimSpace(jout.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if m["message_type"] == "summary" {
			summary = m
		}
	}
	if summary == nil || summary["done"].(float64) != 3 || summary["failed"].(float64) != 0 || summary["audit_snapshot"] == "" {
		t.Fatalf("summary = %v", summary)
	}
	r, _, err := openRepo(t.Context(), rf, g)
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.OpenFile(t.Context(), repo.SnapshotID(summary["audit_snapshot"].(string)), "audit.json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	r.Close(t.Context())
	var rec tenantguard.AuditRecord
	if err := json.Unmarshal(b, &rec); err != nil || rec.Snapshot != base || len(rec.Calls) != 3 || rec.By.User == "" ||
		!rec.Scope.Prune || rec.Applied != 3 || len(rec.Steps) != 3 {
		t.Errorf("audit record %v:\n%s", err, b)
	}

	snapshot()
	stdout.b.Reset()
	if err := runConfigDrift(t.Context(), ConfigDiffOptions{Repo: rf}, &g); err != nil {
		t.Errorf("drift after restore: %v\n%s", err, stdout.String())
	}

	// --show, --clear; drift then compares with the previous snapshot.
	gs, sout, _ := testGlobals(t, true)
	if err := runConfigPin(t.Context(), ConfigPinOptions{Repo: rf, Show: true}, gs, ""); err != nil ||
		!strings.Contains(sout.String(), `"pinned":true`) || !strings.Contains(sout.String(), string(base)) {
		t.Errorf("pin --show: %v %s", err, sout.String())
	}
	stdout.b.Reset()
	if err := runConfigPin(t.Context(), ConfigPinOptions{Repo: rf, Clear: true}, g, ""); err != nil || !strings.Contains(stdout.String(), "pin cleared") {
		t.Errorf("pin --clear: %v %s", err, stdout.String())
	}
	if err := runConfigDrift(t.Context(), ConfigDiffOptions{Repo: rf, Against: "pinned"}, &g); err == nil || !strings.Contains(err.Error(), "no pinned baseline") {
		t.Errorf("drift --against pinned after clear: %v", err)
	}
	stdout.b.Reset()
	if err := runConfigDrift(t.Context(), ConfigDiffOptions{Repo: rf}, &g); exitCode(err) != exitFound || strings.Contains(stdout.String(), "pinned") {
		t.Errorf("drift after clear (previous: the drifted snapshot): %v\n%s", err, stdout.String())
	}
}

func TestConfigRestoreCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string // in stdout
	}{
		{[]string{"config", "restore", "--help"}, exitOK, "--allow-privileged"},
		{[]string{"config", "drift", "--help"}, exitOK, "default pinned when a pin exists"},
		{[]string{"config", "pin", "--help"}, exitOK, "baseline of its tenant"},
		{[]string{"config", "restore"}, exitUsage, ""},
		{[]string{"config", "restore", "abcd", "--kind", "nope"}, exitUsage, ""},
		{[]string{"config", "pin"}, exitUsage, ""},
		{[]string{"config", "pin", "abcd", "--show"}, exitUsage, ""},
		{[]string{"config", "pin", "--show", "--clear"}, exitUsage, ""},
		{[]string{"config", "diff", "a", "b", "--format", "xml"}, exitUsage, ""},
	} {
		var out, errb strings.Builder
		if code := run(tc.args, &out, &errb); code != tc.code || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%v: exit %d, want %d; stdout %q; stderr %q", tc.args, code, tc.code, out.String(), errb.String())
		}
	}
}
