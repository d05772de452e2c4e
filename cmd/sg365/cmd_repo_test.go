package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/secret"
)

// repoEnv gives a test its own data dir, repository URL and password file.
func repoEnv(t *testing.T) (RepoFlags, string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	t.Setenv(envRepository, "")
	t.Setenv(envPassword, "")
	t.Setenv(envPasswordFile, "")
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("correct horse battery staple\n"), 0o600)
	return RepoFlags{URL: "file://" + filepath.Join(dir, "repo"), PasswordFile: pw}, pw
}

func TestRepoInitConnectSnapshotsLs(t *testing.T) {
	f, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), f, g); err != nil {
		t.Fatal(err)
	}
	if err := runRepoInit(t.Context(), f, g); !errors.Is(err, repo.ErrAlreadyExists) {
		t.Fatalf("second init: %v, want ErrAlreadyExists", err)
	}
	if err := runRepoConnect(t.Context(), f, g); err != nil {
		t.Fatal(err)
	}
	// Later commands find the connected repository without --repo.
	noURL := RepoFlags{PasswordFile: f.PasswordFile}
	if got, _ := noURL.repoURL(); got != f.URL {
		t.Fatalf("saved repository %q, want %q", got, f.URL)
	}

	// Write one snapshot through the repository API, as a backup would.
	r, err := repo.Open(t.Context(), f.URL, secret.New("correct horse battery staple"), repo.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.NewSnapshot(t.Context(), repo.Source{Tenant: "t1", Workload: "onedrive", Resource: "u1"},
		repo.SnapshotOptions{Tags: map[string]string{repo.TagResourceName: "adele@contoso.test"}})
	if err != nil {
		t.Fatal(err)
	}
	w.WriteFile(t.Context(), "drive/a.txt", strings.NewReader("hello"), time.Now())
	info, err := w.Commit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	r.Close(t.Context())

	stdout.b.Reset()
	if err := runSnapshots(t.Context(), SnapshotsOptions{RepoFlags: noURL}, g); err != nil {
		t.Fatal(err)
	}
	if out := stdout.String(); !strings.Contains(out, "adele@contoso.test") || !strings.Contains(out, "1 snapshots") {
		t.Fatalf("snapshots:\n%s", out)
	}
	stdout.b.Reset()
	if err := runLs(t.Context(), noURL, g, string(info.ID)[:8]+":drive"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "a.txt") {
		t.Fatalf("ls:\n%s", stdout.String())
	}
	if err := runLs(t.Context(), noURL, g, "zzzz"); err == nil {
		t.Fatal("unknown snapshot accepted")
	}
	stdout.b.Reset()
	if err := runVerify(t.Context(), VerifyOptions{RepoFlags: noURL, Sample: 100}, g); err != nil {
		t.Fatalf("verify: %v\n%s", err, stdout.String())
	}
}

func TestRepoWrongPassword(t *testing.T) {
	f, pw := repoEnv(t)
	g, _, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), f, g); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(pw, []byte("wrong"), 0o600)
	if err := runRepoConnect(t.Context(), f, g); !errors.Is(err, repo.ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := (RepoFlags{}).password(nil, os.Stderr, false); !errors.Is(err, errNoPassword) {
		t.Fatalf("no password source: %v", err)
	}
}

func TestForgetJSONDryRun(t *testing.T) {
	f, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, true)
	if err := runRepoInit(t.Context(), f, g); err != nil {
		t.Fatal(err)
	}
	if (ForgetOptions{}).Validate() == nil {
		t.Fatal("forget without rules accepted")
	}
	stdout.b.Reset()
	if err := runForget(t.Context(), ForgetOptions{RepoFlags: f, Policy: repo.Policy{KeepLast: 1}}, g); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if line != "" && json.Valid([]byte(line)) == false {
			t.Fatalf("not JSON: %q", line)
		}
	}
}
