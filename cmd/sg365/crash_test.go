package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/secret"
)

// backupChildEnv holds the command line TestBackupChild runs.
const backupChildEnv = "SG365_BACKUP_CHILD_ARGS"

// TestBackupChild is the sg365 process that TestBackupKilled kills: the
// test binary re-executed, running the command line in backupChildEnv.
func TestBackupChild(t *testing.T) {
	args := os.Getenv(backupChildEnv)
	if args == "" {
		t.Skip("run by TestBackupKilled")
	}
	os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
}

// TestBackupKilled kills 'sg365 backup' with SIGKILL at random moments,
// with the tenant changing between runs. After each kill the next run must
// complete, and at the end the repository must verify clean and hold
// exactly what a backup that was never interrupted holds: nothing lost,
// nothing duplicated.
func TestBackupKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a dozen backup processes")
	}
	l := m365sim.Start(t, m365sim.Options{Users: 3, Seed: 31, MessagesPerUser: 120, FilesPerUser: 60})
	tenantEnv(t, l)
	rf, pw := repoEnv(t)
	g, _, _ := testGlobals(t, false)
	ctx := t.Context()
	if err := runRepoInit(ctx, rf, g); err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))

	backup := func(timeout time.Duration) (killed bool, out string) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestBackupChild$", "-test.v=false")
		args := []string{"backup", "--all", "--repo", rf.URL, "--password-file", pw, "--workers", "3"}
		cmd.Env = append(os.Environ(), backupChildEnv+"="+strings.Join(args, "\x1f"))
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var timer <-chan time.Time
		if timeout > 0 {
			timer = time.After(timeout)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("backup failed: %v\n%s", err, buf.String())
			}
			return false, buf.String()
		case <-timer:
			cmd.Process.Kill()
			<-done
			return true, buf.String()
		}
	}

	mutate := func() {
		var rep tenant.MutationReport
		if err := l.Control("POST", "mutate", tenant.DefaultMutateOptions(rng.Uint64(), 3), &rep); err != nil {
			t.Fatal(err)
		}
	}
	// killRuns starts runs until n of them were killed, each after a random
	// delay below within, with activity in the tenant before each run when
	// activity is set.
	kills, runs := 0, 0
	killRuns := func(n int, within time.Duration, activity bool) {
		for n > 0 {
			if runs++; runs > 60 {
				t.Fatalf("only %d of %d runs were killed mid-way", kills, runs-1)
			}
			if activity {
				mutate()
			}
			after := time.Duration(50+rng.Int64N(within.Milliseconds())) * time.Millisecond
			killed, _ := backup(after)
			t.Logf("run %d: kill after %v: killed %v", runs, after, killed)
			if killed {
				kills++
				n--
			}
		}
	}
	// Kills during the first, full backup: partly committed resources,
	// flushed and unflushed data.
	killRuns(5, 2500*time.Millisecond, false)
	backup(0)
	// Kills during incremental runs, with changes of every kind to apply.
	mutate()
	start := time.Now()
	backup(0)
	incremental := max(time.Since(start), 300*time.Millisecond)
	killRuns(5, incremental, true)
	if killed, out := backup(0); killed {
		t.Fatalf("last run killed?\n%s", out)
	}

	// The reference: one uninterrupted backup of the same tenant state.
	ref := RepoFlags{URL: "file://" + filepath.Join(t.TempDir(), "ref"), PasswordFile: pw}
	if err := runRepoInit(ctx, ref, g); err != nil {
		t.Fatal(err)
	}
	if err := runBackup(ctx, BackupOptions{Repo: ref, All: true, Workers: 3}, g); err != nil {
		t.Fatalf("reference backup: %v", err)
	}
	got, want := latestTrees(t, rf.URL, pw), latestTrees(t, ref.URL, pw)
	if len(want) == 0 {
		t.Fatal("reference backup is empty")
	}
	for p, h := range want {
		if got[p] != h {
			t.Errorf("%s: %.12s after the kills, %.12s uninterrupted", p, got[p], h)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: only after the kills", p)
		}
	}
	if err := runVerify(ctx, VerifyOptions{RepoFlags: rf, Sample: 100}, g); err != nil {
		t.Errorf("verify after %d kills: %v", kills, err)
	}
}

// latestTrees returns the sha256 of every item file of the latest snapshot
// of each source in the repository, by "workload/resource/path". It leaves
// out the bookkeeping (.state.json holds run ids and times, .index.json
// change markers of folders), and the driveItem properties that Graph
// derives from other items without changing the item's eTag, so without
// reporting it in a delta round: a folder's size and childCount, and the
// webUrl of an item whose ancestor was renamed. A backup keeps them as of
// the item's last change; an uninterrupted full backup reads them fresh.
func latestTrees(t *testing.T, url, pwFile string) map[string]string {
	t.Helper()
	ctx := t.Context()
	pw, err := secret.FromFile(pwFile)
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Open(ctx, url, pw, repo.OpenOptions{ConfigDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.WithoutCancel(ctx))
	snaps, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	latest := map[repo.Source]repo.SnapshotInfo{}
	for _, s := range snaps {
		if cur, ok := latest[s.Source]; !ok || s.StartTime.After(cur.StartTime) {
			latest[s.Source] = s
		}
	}
	out := map[string]string{}
	for src, s := range latest {
		err := r.Walk(ctx, s.ID, func(e repo.Entry) error {
			if base := path.Base(e.Path); e.Type != repo.TypeFile || base == ".state.json" || base == ".index.json" {
				return nil
			}
			f, err := r.OpenFile(ctx, s.ID, e.Path)
			if err != nil {
				return err
			}
			defer f.Close()
			h := sha256.New()
			if strings.HasSuffix(e.Path, ".meta.json") {
				var m map[string]any
				if err := json.NewDecoder(f).Decode(&m); err != nil {
					return fmt.Errorf("%s: %w", e.Path, err)
				}
				delete(m, "webUrl")
				if m["folder"] != nil {
					delete(m, "folder")
					delete(m, "size")
				}
				json.NewEncoder(h).Encode(m)
			} else if _, err := io.Copy(h, f); err != nil {
				return fmt.Errorf("%s: %w", e.Path, err)
			}
			out[src.Workload+"/"+src.Resource+"/"+e.Path] = hex.EncodeToString(h.Sum(nil))
			return nil
		})
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
	}
	return out
}
