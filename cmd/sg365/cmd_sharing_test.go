package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// TestSharingCommand backs up a OneDrive and lists its sharing: the
// generated drive has grants and the planted anonymous link; --json gives
// one object per permission. A bad --permissions value is a usage error.
func TestSharingCommand(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 2, Seed: 9, MessagesPerUser: -1, FilesPerUser: 6})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, true)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	src := l.Server.Summary().Users[0].UPN
	stdout.b.Reset()
	if err := runBackup(t.Context(), BackupOptions{Repo: rf, Users: []string{src}, Workloads: []string{"onedrive"}, Workers: 1}, g); err != nil {
		t.Fatal(err)
	}
	snap := ""
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["message_type"] == "resource" {
			snap = m["snapshot"].(string)[:10]
		}
	}
	stdout.b.Reset()
	if err := runSharing(t.Context(), rf, g, snap); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var row sharingRow
		if err := json.Unmarshal([]byte(line), &row); err != nil || row.Path == "" {
			t.Fatalf("not a permission row: %q", line)
		}
		kinds[row.Kind+" "+row.Scope]++
	}
	if kinds["link anonymous edit"] != 1 || kinds["user "]+kinds["group "] == 0 {
		t.Errorf("sharing rows by kind: %v; want grants and the one anonymous link", kinds)
	}

	gt, out, _ := testGlobals(t, false)
	if err := runSharing(t.Context(), rf, gt, snap); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "PATH") || !strings.Contains(s, "anonymous edit") {
		t.Errorf("table output:\n%s", s)
	}
	if err := (RestoreOptions{To: "original", Collision: "skip", Permissions: "everything", Workers: 1}).Validate([]string{snap}); err == nil {
		t.Error("--permissions everything accepted")
	}
}
