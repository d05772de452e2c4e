package repo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/secret"
)

// TestAbandonedSnapshot writes half a snapshot and walks away, with no Commit
// and no Abort, as a crashed process would. Another connection must see only
// the earlier snapshot, intact, and a repository that verifies clean.
func TestAbandonedSnapshot(t *testing.T) {
	t.Parallel()

	for _, flush := range []bool{false, true} {
		t.Run(fmt.Sprintf("flushed=%v", flush), func(t *testing.T) {
			env := newTestEnv(t)
			r := env.open(t)
			ctx := t.Context()

			files := map[string][]byte{}
			for i := range 10 {
				files[fmt.Sprintf("mail/Inbox/%d.eml", i)] = randomBytes(uint64(i), 30_000)
			}

			first := writeSnapshot(t, r, testSource, files, SnapshotOptions{})

			w, err := r.NewSnapshot(ctx, testSource, SnapshotOptions{Previous: &first.ID})
			if err != nil {
				t.Fatal(err)
			}

			if _, err := w.CarryOverTree(ctx, ""); err != nil {
				t.Fatal(err)
			}

			for i := range 5 {
				p := fmt.Sprintf("mail/Inbox/%d.eml", i)
				if err := w.WriteFile(ctx, p, bytes.NewReader(randomBytes(uint64(50+i), 2<<20)), testT0); err != nil {
					t.Fatal(err)
				}
			}

			if _, err := w.Remove(ctx, "mail/Inbox/9.eml"); err != nil {
				t.Fatal(err)
			}

			if flush {
				if err := w.Flush(ctx); err != nil {
					t.Fatal(err)
				}
			}

			// crash: w is neither committed nor aborted

			r2 := env.open(t)

			snaps, err := r2.Snapshots(ctx, Filter{})
			if err != nil {
				t.Fatal(err)
			}

			if len(snaps) != 1 || snaps[0].ID != first.ID {
				t.Fatalf("snapshots after the crash: %v, want only %s", ids(snaps), first.ID)
			}

			rep, err := r2.Verify(ctx, VerifyOptions{})
			if err != nil || !rep.OK() {
				t.Fatalf("Verify: %v, %v", err, rep.Errors)
			}

			equalTrees(t, readTree(t, r2, first.ID), files)

			// The next run works normally, and maintenance copes with the
			// leftovers.
			writeSnapshot(t, r2, testSource, map[string][]byte{"next": []byte("run")}, SnapshotOptions{Previous: &first.ID})

			if err := r2.Maintenance(ctx, false); err != nil {
				t.Errorf("Maintenance: %v", err)
			}
		})
	}
}

const crashChildEnv = "SG365_REPO_CRASH_CHILD"

type crashChildConfig struct{ URL, ConfigDir string }

// crashRun is what the child writes in run n: deterministic, so the parent
// can check every committed snapshot byte for byte.
func crashRun(n int) map[string][]byte {
	files := map[string][]byte{}
	for i := range 24 {
		files[fmt.Sprintf("run/%d/item-%02d 📨.eml", n%3, i)] = randomBytes(uint64(n*1000+i), 4_000+(n*7919+i*104729)%400_000)
	}

	return files
}

// TestCrashChild is the process TestKilledMidBackup kills. It commits
// snapshots in a loop, printing "committed <run> <id>" after each.
func TestCrashChild(t *testing.T) {
	cfg := os.Getenv(crashChildEnv)
	if cfg == "" {
		t.Skip("helper process for TestKilledMidBackup")
	}

	var env crashChildConfig
	if err := json.Unmarshal([]byte(cfg), &env); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()

	r, err := Open(ctx, env.URL, secret.New(TestPassword), OpenOptions{ConfigDir: env.ConfigDir, Hostname: "test"})
	if err != nil {
		t.Fatal(err)
	}

	for n := 0; ; n++ {
		w, err := r.NewSnapshot(ctx, testSource, SnapshotOptions{Description: strconv.Itoa(n)})
		if err != nil {
			t.Fatal(err)
		}

		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(4)

		for p, b := range crashRun(n) {
			g.Go(func() error { return w.WriteFile(gctx, p, bytes.NewReader(b), testT0) })
		}

		if err := g.Wait(); err != nil {
			t.Fatal(err)
		}

		if n%2 == 1 {
			if err := w.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}

		info, err := w.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}

		fmt.Printf("committed %d %s\n", n, info.ID)
	}
}

// TestKilledMidBackup kills a backup process with SIGKILL at several points
// (while streaming, flushing or committing) and checks that every snapshot
// it reported committed survives intact and the repository verifies clean.
func TestKilledMidBackup(t *testing.T) {
	t.Parallel()

	if testing.Short() {
		t.Skip("spawns processes")
	}

	for _, after := range []time.Duration{150 * time.Millisecond, 560 * time.Millisecond, 730 * time.Millisecond, 910 * time.Millisecond, 1370 * time.Millisecond} {
		t.Run(after.String(), func(t *testing.T) {
			env := newTestEnv(t)

			cfg, _ := json.Marshal(crashChildConfig{env.url, env.opts.ConfigDir})
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v=false")
			cmd.Env = append(os.Environ(), crashChildEnv+"="+string(cfg))

			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out

			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}

			time.Sleep(after)

			if err := cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup runs
				t.Fatal(err)
			}

			_ = cmd.Wait()

			committed := map[SnapshotID]int{}
			sc := bufio.NewScanner(&out)
			for sc.Scan() {
				var n int
				var id string
				if _, err := fmt.Sscanf(sc.Text(), "committed %d %s", &n, &id); err == nil {
					committed[SnapshotID(id)] = n
				} else if strings.Contains(sc.Text(), "FAIL") || strings.Contains(sc.Text(), "panic") {
					t.Fatalf("child failed: %s", out.String())
				}
			}

			r := env.open(t)

			snaps, err := r.Snapshots(t.Context(), Filter{})
			if err != nil {
				t.Fatal(err)
			}

			t.Logf("killed after %v: %d snapshots reported committed, %d in the repository", after, len(committed), len(snaps))

			listed := map[SnapshotID]bool{}
			for _, s := range snaps {
				listed[s.ID] = true

				n, err := strconv.Atoi(s.Description)
				if err != nil {
					t.Fatalf("snapshot %s has description %q", s.ID, s.Description)
				}

				equalTrees(t, readTree(t, r, s.ID), crashRun(n))
			}

			for id := range committed {
				if !listed[id] {
					t.Errorf("snapshot %s was committed but is missing", id)
				}
			}

			rep, err := r.Verify(t.Context(), VerifyOptions{})
			if err != nil || !rep.OK() {
				t.Fatalf("Verify: %v, %v", err, rep.Errors)
			}

			writeSnapshot(t, r, testSource, map[string][]byte{"after": []byte("crash")}, SnapshotOptions{})

			if err := r.Maintenance(t.Context(), true); err != nil {
				t.Errorf("Maintenance: %v", err)
			}
		})
	}
}
