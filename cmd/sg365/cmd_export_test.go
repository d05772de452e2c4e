package main

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/export"
	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// TestExportCommand finds a message with 'sg365 find' and exports it, its
// folder, and a whole OneDrive as a zip.
func TestExportCommand(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 1, Seed: 32, MessagesPerUser: 12, FilesPerUser: 8})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	t.Setenv(envCatalog, "")
	g, stdout, stderr := testGlobals(t, true)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	if err := runBackup(t.Context(), BackupOptions{Repo: rf, All: true, Workloads: []string{"mail", "onedrive"}, Workers: 2}, g); err != nil {
		t.Fatalf("backup: %v\n%s", err, stderr.String())
	}
	fo := FindOptions{RepoURL: rf.URL, Kinds: []string{"message"}, Limit: 1}
	if err := fo.Validate(); err != nil {
		t.Fatal(err)
	}
	stdout.b.Reset()
	if err := runFind(t.Context(), fo, g); err != nil {
		t.Fatal(err)
	}
	msg := jsonLines(t, stdout.String())[0]
	snap, folder, id := msg["snapshot"].(string), msg["folder"].(string), msg["id"].(string)

	exp := func(o ExportOptions, arg string) (map[string]any, error) {
		t.Helper()
		o.Repo = rf
		if o.Format == "" {
			o.Format = "eml"
		}
		if err := o.Validate(); err != nil {
			return nil, err
		}
		stdout.b.Reset()
		err := runExport(t.Context(), o, g, arg)
		lines := jsonLines(t, stdout.String())
		if len(lines) == 0 {
			return nil, err
		}
		return lines[len(lines)-1], err
	}
	dir := filepath.Join(t.TempDir(), "one")
	sum, err := exp(ExportOptions{Out: dir, Items: []string{id}}, snap[:8])
	if err != nil || sum["items"].(float64) != 1 {
		t.Fatalf("export --item: %v %v", sum, err)
	}
	sum, err = exp(ExportOptions{Out: filepath.Join(t.TempDir(), "folder"), Format: "mbox"}, snap+":"+folder)
	if err != nil || sum["items"].(float64) < 1 || sum["files"].(float64) < 1 {
		t.Fatalf("export of folder %q as mbox: %v %v", folder, sum, err)
	}
	if _, err := exp(ExportOptions{Out: dir}, snap); !errors.Is(err, export.ErrExists) || exitCode(err) != exitUsage {
		t.Fatalf("export into a non-empty directory: %v", err)
	}
	if _, err := exp(ExportOptions{Out: filepath.Join(t.TempDir(), "x")}, snap+":No such folder"); !errors.Is(err, export.ErrNoMatch) {
		t.Fatalf("export of a missing folder: %v", err)
	}
	if _, err := exp(ExportOptions{Out: dir, Format: "pst"}, snap); err == nil {
		t.Fatal("--format pst accepted")
	}

	// The OneDrive snapshot as a zip.
	fo = FindOptions{RepoURL: rf.URL, Kinds: []string{"file"}, Limit: 1}
	fo.Validate()
	stdout.b.Reset()
	if err := runFind(t.Context(), fo, g); err != nil {
		t.Fatal(err)
	}
	file := jsonLines(t, stdout.String())[0]
	zpath := filepath.Join(t.TempDir(), "drive.zip")
	sum, err = exp(ExportOptions{Out: zpath}, file["snapshot"].(string))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(zpath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	found := false
	for _, f := range zr.File {
		found = found || f.Name == "OneDrive/"+file["path"].(string) || strings.HasSuffix(f.Name, "/"+file["name"].(string))
	}
	if !found || sum["items"].(float64) < 1 {
		t.Fatalf("zip lacks %v: %v", file["path"], sum)
	}
	if ents, _ := os.ReadDir(filepath.Dir(zpath)); len(ents) != 1 {
		t.Fatalf("temporary files left next to the zip: %v", ents)
	}
}
