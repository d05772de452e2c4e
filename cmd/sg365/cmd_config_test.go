package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/tenantguard"
)

// TestConfigCommands runs 'sg365 config snapshot' twice around a drift in
// the emulated tenant, then 'config drift' and 'config diff', as an admin
// would, and checks their output and exit codes.
func TestConfigCommands(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 3, Seed: 9, MessagesPerUser: -1, FilesPerUser: -1})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	opts := ConfigSnapshotOptions{Repo: rf, Workers: 4}
	if err := runConfigSnapshot(t.Context(), opts, g); err != nil {
		t.Fatalf("first snapshot: %v\n%s", err, stdout.String())
	}
	if out := stdout.String(); !strings.Contains(out, "conditionalAccessPolicies") || !strings.Contains(out, "snapshot ") {
		t.Fatalf("snapshot output:\n%s", out)
	}

	// One snapshot: drift has nothing to compare with.
	dopts := ConfigDiffOptions{Repo: rf}
	if err := runConfigDrift(t.Context(), dopts, &g); err == nil || exitCode(err) != exitFatal {
		t.Errorf("drift with one snapshot: %v", err)
	}

	var res m365sim.DriftResult
	if err := l.Control("POST", "config-drift", m365sim.ConfigDrift{}, &res); err != nil {
		t.Fatal(err)
	}
	if err := runConfigSnapshot(t.Context(), opts, g); err != nil {
		t.Fatalf("second snapshot: %v", err)
	}

	stdout.b.Reset()
	err := runConfigDrift(t.Context(), dopts, &g)
	var differs *errConfigDiffers
	if !errors.As(err, &differs) || exitCode(err) != exitFound || differs.changed != 3 {
		t.Fatalf("drift: %v (exit %d)\n%s", err, exitCode(err), stdout.String())
	}
	out := stdout.String()
	t.Logf("config drift:\n%s", out)
	for _, want := range []string{"state: \"enabled\" → \"disabled\"", "namedLocations: ADDED \"Temporary contractor range\"",
		"namedLocations: REMOVED", "3 objects differ; 0 kinds not compared"} {
		if !strings.Contains(out, want) {
			t.Errorf("drift output lacks %q:\n%s", want, out)
		}
	}

	// diff OLD NEW with --json, by id prefixes; NEW NEW is identical.
	r, _, err := openRepo(t.Context(), rf, g)
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := tenantguard.Snapshots(t.Context(), r, l.TenantID)
	r.Close(t.Context())
	if err != nil || len(snaps) != 2 {
		t.Fatalf("snapshots: %v %v", snaps, err)
	}
	old, cur := string(snaps[0].ID[:8]), string(snaps[1].ID[:8])
	gj, jout, _ := testGlobals(t, true)
	err = runConfigDiff(t.Context(), dopts, &gj, old, cur)
	if exitCode(err) != exitFound {
		t.Fatalf("diff: %v", err)
	}
	kinds := map[string]int{}
	var summary map[string]any
	for _, line := range strings.Split(strings.TrimSpace(jout.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		switch m["message_type"] {
		case "change":
			kinds[m["kind"].(string)]++
		case "summary":
			summary = m
		}
	}
	if kinds["namedLocations"] != 2 || kinds["conditionalAccessPolicies"] != 1 || summary["changed"].(float64) != 3 {
		t.Errorf("diff --json: kinds %v summary %v", kinds, summary)
	}
	if err := runConfigDiff(t.Context(), dopts, &g, cur, cur); err != nil {
		t.Errorf("diff of a snapshot with itself: %v", err)
	}
	if err := runConfigDrift(t.Context(), ConfigDiffOptions{Repo: rf, Against: cur}, &g); err != nil {
		t.Errorf("drift against the latest: %v", err)
	}
	if (ConfigSnapshotOptions{Kinds: []string{"bogus"}, Workers: 1}).Validate() == nil {
		t.Error("unknown kind accepted")
	}
}

func TestConfigCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string // in stdout
	}{
		{[]string{"config", "--help"}, exitOK, "drift"},
		{[]string{"config", "diff", "--help"}, exitOK, "exit code 4 means the snapshots differ"},
		{[]string{"config", "diff", "abcd"}, exitUsage, ""},
		{[]string{"config", "bogus"}, exitUsage, ""},
		{[]string{"config", "snapshot", "--kind", "nope"}, exitUsage, ""},
	} {
		var out, errb strings.Builder
		if code := run(tc.args, &out, &errb); code != tc.code || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%v: exit %d, want %d; stdout %q; stderr %q", tc.args, code, tc.code, out.String(), errb.String())
		}
	}
}
