package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/catalog"
	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// jsonLines decodes --json output.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	return lines
}

// TestFindAndCatalogCommands backs up an emulated tenant (which updates
// the catalog), searches it, loses the catalog and rebuilds it.
func TestFindAndCatalogCommands(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 2, Seed: 31, MessagesPerUser: 15, FilesPerUser: 10})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	t.Setenv(envCatalog, "")
	g, stdout, stderr := testGlobals(t, true)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	find := func(o FindOptions) ([]map[string]any, error) {
		t.Helper()
		o.RepoURL = rf.URL
		if err := o.Validate(); err != nil {
			return nil, err
		}
		stdout.b.Reset()
		err := runFind(t.Context(), o, g)
		return jsonLines(t, stdout.String()), err
	}
	if _, err := find(FindOptions{}); !errors.Is(err, catalog.ErrEmpty) || !strings.Contains(err.Error(), "catalog rebuild") {
		t.Fatalf("find before any backup: %v", err)
	}
	if err := runBackup(t.Context(), BackupOptions{Repo: rf, All: true, Workloads: []string{"mail", "onedrive"}, Workers: 2}, g); err != nil {
		t.Fatalf("backup: %v\n%s", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "warning") {
		t.Fatalf("backup warned:\n%s", stderr.String())
	}

	all, err := find(FindOptions{Kinds: []string{"message"}, Limit: 0})
	if err != nil {
		t.Fatal(err)
	}
	var msg map[string]any
	for _, m := range all {
		if m["message_type"] == "item" && len(m["name"].(string)) > 6 {
			msg = m
			break
		}
	}
	if msg == nil || all[len(all)-1]["message_type"] != "summary" {
		t.Fatalf("find --kind message: %v", all)
	}
	word := strings.Fields(msg["name"].(string))[len(strings.Fields(msg["name"].(string)))-1]
	got, err := find(FindOptions{Subject: word, User: msg["user"].(string), After: "2000-01-01", Before: "2100-01-01T00:00:00Z", Limit: 0})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range got {
		found = found || m["id"] == msg["id"]
	}
	if !found {
		t.Fatalf("find --subject %q did not find %v: %v", word, msg["id"], got)
	}

	// Bad input is a usage error.
	for _, o := range []FindOptions{{After: "yesterday"}, {Kinds: []string{"spreadsheet"}}, {Limit: -1}} {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if _, err := find(FindOptions{Subject: "!!!"}); exitCode(err) != exitUsage {
		t.Errorf("find --subject !!!: %v (exit %d), want a usage error", err, exitCode(err))
	}

	// Losing the catalog loses nothing.
	stdout.b.Reset()
	if err := runCatalogStatus(t.Context(), CatalogOptions{Repo: rf}, g); err != nil {
		t.Fatal(err)
	}
	st := jsonLines(t, stdout.String())[0]
	if st["snapshots"].(float64) == 0 || filepath.Dir(st["path"].(string)) != filepath.Join(os.Getenv("XDG_DATA_HOME"), "sg365", "catalog") {
		t.Fatalf("catalog status: %v", st)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(st["path"].(string) + suffix)
	}
	if _, err := find(FindOptions{}); !errors.Is(err, catalog.ErrEmpty) {
		t.Fatalf("find after deleting the catalog: %v", err)
	}
	stdout.b.Reset()
	if err := runCatalogRebuild(t.Context(), CatalogOptions{Repo: rf, Workers: 2}, g); err != nil {
		t.Fatal(err)
	}
	again, err := find(FindOptions{Kinds: []string{"message"}, Limit: 0})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(all) {
		t.Fatalf("after rebuild: %d lines, before: %d", len(again), len(all))
	}

	// --catalog puts it elsewhere.
	other := filepath.Join(t.TempDir(), "other.db")
	stdout.b.Reset()
	if err := runCatalogUpdate(t.Context(), CatalogOptions{Repo: rf, Catalog: CatalogFlags{Path: other}, Workers: 1}, g); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatal(err)
	}
}
