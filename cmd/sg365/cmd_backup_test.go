package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// TestBackupCommandIncremental runs 'sg365 backup --all' twice against an
// emulated tenant, as an admin would: the second run finds nothing new and
// carries everything over.
func TestBackupCommandIncremental(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 2, Seed: 8, MessagesPerUser: 15, FilesPerUser: 10})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, true)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	opts := BackupOptions{Repo: rf, All: true, Workloads: []string{"mail", "onedrive"}, Workers: 4}
	summary := func() map[string]any {
		t.Helper()
		var sum map[string]any
		for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("not JSON: %q", line)
			}
			if m["message_type"] == "summary" {
				sum = m
			}
		}
		if sum == nil {
			t.Fatalf("no summary in:\n%s", stdout.String())
		}
		return sum["total"].(map[string]any)
	}
	stdout.b.Reset()
	if err := runBackup(t.Context(), opts, g); err != nil {
		t.Fatalf("first backup: %v", err)
	}
	first := summary()
	if first["new"].(float64) == 0 || first["failed"].(float64) != 0 {
		t.Fatalf("first backup totals: %v", first)
	}
	stdout.b.Reset()
	if err := runBackup(t.Context(), opts, g); err != nil {
		t.Fatalf("second backup: %v", err)
	}
	second := summary()
	if second["new"].(float64) != 0 || second["changed"].(float64) != 0 || second["unchanged"].(float64) != first["new"].(float64) {
		t.Fatalf("second backup totals %v after first %v: want everything unchanged", second, first)
	}
	if (BackupOptions{Workers: 1}).Validate() == nil {
		t.Fatal("backup without --user or --all accepted")
	}
}
