package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// TestRestoreCommand backs up one user with 'sg365 backup' and restores
// the snapshots with 'sg365 restore' as an admin would: a dry run, a
// restore to another user, the same again (nothing new), the --user
// shorthand, and the mistakes an admin makes.
func TestRestoreCommand(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 2, Seed: 9, MessagesPerUser: 10, FilesPerUser: 6})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, true)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	users := l.Server.Summary().Users
	src, dst := users[0].UPN, users[1].UPN
	lines := func() []map[string]any {
		t.Helper()
		var out []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("not JSON: %q", line)
			}
			out = append(out, m)
		}
		stdout.b.Reset()
		return out
	}
	total := func(ls []map[string]any) map[string]any {
		t.Helper()
		for _, m := range ls {
			if m["message_type"] == "summary" {
				return m["total"].(map[string]any)
			}
		}
		t.Fatal("no summary")
		return nil
	}
	stdout.b.Reset()
	if err := runBackup(t.Context(), BackupOptions{Repo: rf, Users: []string{src}, Workloads: []string{"mail", "onedrive"}, Workers: 2}, g); err != nil {
		t.Fatal(err)
	}
	var snaps []string
	for _, m := range lines() {
		if m["message_type"] == "resource" {
			snaps = append(snaps, m["snapshot"].(string)[:10])
		}
	}
	if len(snaps) != 2 {
		t.Fatalf("snapshots %v", snaps)
	}
	opts := RestoreOptions{Repo: rf, To: "user:" + dst, Collision: "skip", Workers: 2, DryRun: true}
	for _, s := range snaps {
		if err := runRestore(t.Context(), opts, g, []string{s}); err != nil {
			t.Fatalf("dry run: %v", err)
		}
		plan := total(lines())
		opts.DryRun = false
		if err := runRestore(t.Context(), opts, g, []string{s}); err != nil {
			t.Fatalf("restore: %v", err)
		}
		got := total(lines())
		if got["created"].(float64) == 0 || got["created"] != plan["created"] || got["failed"].(float64) != 0 {
			t.Fatalf("restore %v after plan %v", got, plan)
		}
		if err := runRestore(t.Context(), opts, g, []string{s}); err != nil {
			t.Fatalf("second restore: %v", err)
		}
		if again := total(lines()); again["created"].(float64) != 0 || again["skipped"] != got["created"] {
			t.Fatalf("second restore %v after %v", again, got)
		}
		opts.DryRun = true
	}
	// The shorthand, back to the original drive: everything is there.
	short := RestoreOptions{Repo: rf, To: "original", Collision: "skip", Workers: 1, User: src, Workload: "onedrive"}
	if err := short.Validate(nil); err != nil {
		t.Fatal(err)
	}
	if err := runRestore(t.Context(), short, g, nil); err != nil {
		t.Fatalf("restore --user: %v", err)
	}
	if tot := total(lines()); tot["created"].(float64) != 0 || tot["skipped"].(float64) == 0 {
		t.Fatalf("restore --user to original: %v", tot)
	}

	for _, tc := range []struct {
		name string
		opts RestoreOptions
		args []string
		want string
	}{
		{"no target", RestoreOptions{Collision: "skip", Workers: 1}, snaps[:1], "--to original"},
		{"bad target", RestoreOptions{To: "bob", Collision: "skip", Workers: 1}, snaps[:1], "unknown restore target"},
		{"collision typo", RestoreOptions{To: "original", Collision: "replce", Workers: 1}, snaps[:1], "unknown collision mode"},
		{"unknown user", RestoreOptions{Repo: rf, To: "user:nobody@nowhere.test", Collision: "skip", Workers: 1}, snaps[:1], "unknown target user"},
		{"unknown item", RestoreOptions{Repo: rf, To: "original", Collision: "skip", Workers: 1, Items: []string{"AAMkNOPE"}}, snaps[:1], "item \"AAMkNOPE\" is not in the snapshot"},
		{"unknown path", RestoreOptions{Repo: rf, To: "original", Collision: "skip", Workers: 1}, []string{snaps[0], "Inbx"}, "did you mean \"Inbox\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.opts.Validate(tc.args)
			if err == nil {
				err = runRestore(t.Context(), tc.opts, g, tc.args)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestRestoreCommandCalendarContacts restores a user's calendar and
// contacts with the --user shorthand into another user, twice: the second
// run creates nothing.
func TestRestoreCommandCalendarContacts(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 2, Seed: 9, MessagesPerUser: 1, FilesPerUser: 1})
	tenantEnv(t, l)
	rf, _ := repoEnv(t)
	g, stdout, _ := testGlobals(t, true)
	if err := runRepoInit(t.Context(), rf, g); err != nil {
		t.Fatal(err)
	}
	users := l.Server.Summary().Users
	src, dst := users[0].UPN, users[1].UPN
	// Event attachments of 3 MB or more need an upload session the
	// emulator does not serve yet.
	tn := l.Server.Tenant()
	tn.Write(func() error {
		for _, ev := range tn.User(src).Mailbox.Events {
			ev.Attachments = slices.DeleteFunc(ev.Attachments, func(a *tenant.Attachment) bool {
				return a.Content != nil && a.Content.Size() >= 3_000_000
			})
		}
		return nil
	})
	if err := runBackup(t.Context(), BackupOptions{Repo: rf, Users: []string{src}, Workloads: []string{"calendar", "contacts"}, Workers: 2}, g); err != nil {
		t.Fatal(err)
	}
	stdout.b.Reset()
	for _, wl := range []string{"calendar", "contacts"} {
		opts := RestoreOptions{Repo: rf, To: "user:" + dst, Collision: "skip", Workers: 1, User: src, Workload: wl}
		if err := opts.Validate(nil); err != nil {
			t.Fatal(err)
		}
		var first map[string]any
		for run := 0; run < 2; run++ {
			if err := runRestore(t.Context(), opts, g, nil); err != nil {
				t.Fatalf("%s restore %d: %v", wl, run, err)
			}
			var tot map[string]any
			for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatalf("not JSON: %q", line)
				}
				if m["message_type"] == "summary" {
					tot = m["total"].(map[string]any)
				}
			}
			stdout.b.Reset()
			if run == 0 {
				first = tot
				if tot["created"].(float64) == 0 || tot["failed"].(float64) != 0 {
					t.Fatalf("%s restore: %v", wl, tot)
				}
			} else if tot["created"].(float64) != 0 || tot["skipped"].(float64) != first["created"].(float64)+first["skipped"].(float64) {
				t.Fatalf("%s second restore %v after %v", wl, tot, first)
			}
		}
	}
	bad := RestoreOptions{To: "original", Collision: "skip", Workers: 1, User: src, Workload: "tasks"}
	if err := bad.Validate(nil); err == nil || !strings.Contains(err.Error(), "calendar, contacts") {
		t.Fatalf("--workload tasks: %v", err)
	}
}
