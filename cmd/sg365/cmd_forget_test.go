package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/audit"
	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/secret"
	"github.com/safeguard365/safeguard365/internal/tenantguard"
)

// forgetFixture writes backups (3 snapshots of one mailbox) and records
// of every record workload into a new repository: posture history and the
// config restore audit with several snapshots of one source, a pin
// changed once, and two audit entries (a source each). It returns the
// number of record snapshots by workload.
func forgetFixture(t *testing.T, f RepoFlags) map[string]int {
	t.Helper()
	ctx := t.Context()
	r, err := repo.Open(ctx, f.URL, secret.New("correct horse battery staple"), repo.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	write := func(src repo.Source, n int) {
		for i := range n {
			w, err := r.NewSnapshot(ctx, src, repo.SnapshotOptions{Tags: map[string]string{repo.TagResourceName: src.Resource}})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WriteFile(ctx, "data.json", strings.NewReader(fmt.Sprint(i)), time.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	const tn = "t1"
	write(repo.Source{Tenant: tn, Workload: "mail", Resource: "adele@contoso.test"}, 3)
	write(repo.Source{Tenant: tn, Workload: posture.Workload, Resource: tn}, 3)
	write(repo.Source{Tenant: tn, Workload: tenantguard.AuditWorkload, Resource: tn}, 2)
	write(repo.Source{Tenant: tn, Workload: tenantguard.PinWorkload, Resource: tn}, 2)
	write(repo.Source{Tenant: tn, Workload: audit.Workload, Resource: "response-actions/1"}, 1)
	write(repo.Source{Tenant: tn, Workload: audit.Workload, Resource: "response-actions/2"}, 1)
	return map[string]int{posture.Workload: 3, tenantguard.AuditWorkload: 2, tenantguard.PinWorkload: 2, audit.Workload: 2}
}

// countByWorkload counts the repository's snapshots by workload.
func countByWorkload(t *testing.T, f RepoFlags) map[string]int {
	t.Helper()
	r, err := repo.Open(t.Context(), f.URL, secret.New("correct horse battery staple"), repo.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(t.Context())
	all, err := r.Snapshots(t.Context(), repo.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, s := range all {
		out[s.Source.Workload]++
	}
	return out
}

// TestForgetKeepsRecords applies --keep-last 1 --apply to a repository
// with backups and records: the backups are thinned, every record stays
// and the plan says "kept: record"; with --include-records the policy
// reaches the records (dry run).
func TestForgetKeepsRecords(t *testing.T) {
	f, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, false)
	if err := runRepoInit(t.Context(), f, g); err != nil {
		t.Fatal(err)
	}
	records := forgetFixture(t, f)

	stdout.b.Reset()
	if err := runForget(t.Context(), ForgetOptions{RepoFlags: f, Policy: repo.Policy{KeepLast: 1}, Apply: true}, g); err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	left := countByWorkload(t, f)
	if left["mail"] != 1 {
		t.Errorf("%d mail snapshots left, want 1:\n%s", left["mail"], out)
	}
	for w, n := range records {
		if left[w] != n {
			t.Errorf("workload %s: %d snapshots left, want all %d", w, left[w], n)
		}
		if line := fmt.Sprintf("keep   %d snapshots of workload %s (kept: record)", n, w); !strings.Contains(out, line) {
			t.Errorf("plan lacks %q:\n%s", line, out)
		}
	}
	if strings.Count(out, "removed ") != 2 {
		t.Errorf("want 2 removed mail snapshots in the plan:\n%s", out)
	}

	// --include-records: the policy applies to records too (posture 2,
	// config audit 1, pin 1 would go; each audit entry is its own source).
	stdout.b.Reset()
	if err := runForget(t.Context(), ForgetOptions{RepoFlags: f, Policy: repo.Policy{KeepLast: 1}, IncludeRecords: true}, g); err != nil {
		t.Fatal(err)
	}
	out = stdout.String()
	if n := strings.Count(out, "would remove "); n != 4 || strings.Contains(out, "kept: record") {
		t.Errorf("--include-records plans %d removals (want 4) and lists records as kept %v:\n%s", n, strings.Contains(out, "kept: record"), out)
	}
	if left := countByWorkload(t, f); left[posture.Workload] != records[posture.Workload] {
		t.Errorf("the dry run removed posture snapshots: %d left", left[posture.Workload])
	}
}

// TestForgetRecordsJSON checks the JSON plan: each record is a "keep"
// message with reason "record" and its workload.
func TestForgetRecordsJSON(t *testing.T) {
	f, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, true)
	if err := runRepoInit(t.Context(), f, g); err != nil {
		t.Fatal(err)
	}
	records := forgetFixture(t, f)
	stdout.b.Reset()
	if err := runForget(t.Context(), ForgetOptions{RepoFlags: f, Policy: repo.Policy{KeepLast: 1}}, g); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var m struct {
			Type     string   `json:"message_type"`
			Workload string   `json:"workload"`
			Reasons  []string `json:"reasons"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if m.Type == "keep" && len(m.Reasons) == 1 && m.Reasons[0] == "record" {
			got[m.Workload]++
		}
	}
	for w, n := range records {
		if got[w] != n {
			t.Errorf("workload %s: %d records in the JSON plan, want %d", w, got[w], n)
		}
	}
}

// TestForgetHelpListsRecords checks that --help names every record
// workload.
func TestForgetHelpListsRecords(t *testing.T) {
	g, _, _ := testGlobals(t, false)
	cmd := newForgetCommand(&g)
	usage := cmd.Flags().Lookup("include-records").Usage
	for _, w := range recordWorkloads {
		if !strings.Contains(cmd.Long, w) || !strings.Contains(usage, w) {
			t.Errorf("help does not name record workload %s", w)
		}
	}
	if !strings.Contains(cmd.Long, "kept: record") {
		t.Error(`help does not say records are listed as "kept: record"`)
	}
}
