package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/inventory"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/restore"
	"github.com/safeguard365/safeguard365/internal/secret"
)

// demoStep is one line of the demo's closing table. Every number is
// measured during the run.
type demoStep struct {
	MessageType string  `json:"message_type"` // "demo_step"
	Step        string  `json:"step"`
	Items       int64   `json:"items"`
	Bytes       int64   `json:"bytes"`
	Requests    int64   `json:"graph_requests"`
	Seconds     float64 `json:"seconds"`
	Result      string  `json:"result"`
}

// demoStory is the DataGuard part of the demo: full backup, a day of
// activity with a ransomware attack on one OneDrive and a mail folder
// deleted for good, an incremental backup, the restore of both from the
// backup taken before, a check of what came back, and a verify.
type demoStory struct {
	c     *graph.Client
	l     *m365sim.Listener
	r     *repo.Repository
	g     GlobalOptions
	opts  DemoOptions
	users []inventory.UserCounts
	steps []demoStep
}

func demoBackups(ctx context.Context, client *graph.Client, l *m365sim.Listener, users []inventory.UserCounts, opts DemoOptions, g GlobalOptions) error {
	dir, err := os.MkdirTemp("", "sg365-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pw := make([]byte, 24)
	rand.Read(pw)
	url := "file://" + filepath.ToSlash(filepath.Join(dir, "repository"))
	ro := repo.OpenOptions{ConfigDir: filepath.Join(dir, "config")}
	if err := repo.Init(ctx, url, secret.New(hex.EncodeToString(pw)), repo.InitOptions{OpenOptions: ro}); err != nil {
		return fmt.Errorf("create the demo repository: %w", err)
	}
	r, err := repo.Open(ctx, url, secret.New(hex.EncodeToString(pw)), ro)
	if err != nil {
		return fmt.Errorf("open the demo repository: %w", err)
	}
	defer r.Close(ctx)
	s := &demoStory{c: client, l: l, r: r, g: g, opts: opts, users: users}
	s.say("\nBacking up every mailbox, calendar, contact list and OneDrive into an encrypted,\ndeduplicated repository (%s)…\n", url)
	return s.run(ctx)
}

func (s *demoStory) say(format string, args ...any) {
	if !s.g.JSON {
		fmt.Fprintf(s.g.Stdout, format, args...)
	}
}

func (s *demoStory) run(ctx context.Context) error {
	s.say("\nFull backup:\n")
	full, err := s.backup(ctx, "full backup")
	if err != nil {
		return err
	}

	// The incident: a day of ordinary activity, then ransomware on the
	// OneDrive with the most files, and a user who deletes a mail folder
	// and empties Deleted Items.
	victim, mailUser := s.pickVictims()
	var act struct{ Changes []any }
	if err := s.l.Control("POST", "mutate", map[string]any{"Seed": s.opts.Seed}, &act); err != nil {
		return fmt.Errorf("simulate activity: %w", err)
	}
	var ransom struct{ Files int }
	if err := s.l.Control("POST", "ransomware", map[string]any{"user": victim.UPN, "Seed": s.opts.Seed, "Max": 100}, &ransom); err != nil {
		return fmt.Errorf("simulate ransomware: %w", err)
	}
	var gone tenant.DeletedFolder
	if err := s.l.Control("POST", "delete-mail-folder", map[string]any{"user": mailUser.UPN}, &gone); err != nil {
		return fmt.Errorf("simulate a deleted folder: %w", err)
	}
	s.say("\nThe emulator simulated a day of activity (%d changes), then an incident:\n"+
		"  ransomware encrypted %d files in %s's OneDrive (renamed *.locked, a ransom note left),\n"+
		"  and %s deleted the mail folder %q (%d messages) and emptied Deleted Items.\n",
		len(act.Changes), ransom.Files, victim.UPN, mailUser.UPN, gone.Path, gone.Messages)
	s.say("\nIncremental backup:\n")
	after, err := s.backup(ctx, "incremental backup")
	if err != nil {
		return err
	}

	if err := s.restoreFiles(ctx, snapshotOf(full, victim.ID, dataguard.WorkloadOneDrive),
		snapshotOf(after, victim.ID, dataguard.WorkloadOneDrive), victim); err != nil {
		return err
	}
	if err := s.restoreFolder(ctx, snapshotOf(full, mailUser.ID, dataguard.WorkloadMail), mailUser, gone); err != nil {
		return err
	}
	if err := s.tenantGuard(ctx); err != nil {
		return err
	}
	if err := s.identityAndDevices(ctx); err != nil {
		return err
	}
	if err := s.verify(ctx); err != nil {
		return err
	}
	return s.printSteps()
}

func (s *demoStory) backup(ctx context.Context, name string) (dataguard.Summary, error) {
	before := s.c.Stats()
	sum, err := backupAndReport(ctx, s.c, s.r, dataguard.BackupOptions{TenantID: s.l.TenantID}, s.g)
	t := sum.Total
	s.steps = append(s.steps, demoStep{Step: name, Items: t.New + t.Changed + t.Deleted, Bytes: t.BytesRead,
		Requests: sum.Graph.Requests, Seconds: sum.Seconds,
		Result: fmt.Sprintf("%d resources, %d items unchanged, %d failed", len(sum.Resources), t.Unchanged, t.Failed) + s.throttled(before)})
	return sum, err
}

// throttled notes the throttling since before: the emulator enforces
// Graph's documented limits (OneDrive's 1,250 resource units a minute per
// app, Outlook's 10,000 requests per 10 minutes per mailbox), and the
// client waits as Retry-After says, which shows in a step's time.
func (s *demoStory) throttled(before graph.Stats) string {
	now := s.c.Stats()
	if n := now.Throttled - before.Throttled; n > 0 {
		return fmt.Sprintf("; %d throttled by Graph's limits, %.0fs waited as Retry-After asked", n, (now.RetryWait - before.RetryWait).Seconds())
	}
	return ""
}

// pickVictims picks the OneDrive with the most files and, preferably
// another user, the mailbox with the most messages.
func (s *demoStory) pickVictims() (drive, mail inventory.UserCounts) {
	for _, u := range s.users {
		if !u.NoDrive && u.Files > drive.Files {
			drive = u
		}
	}
	for _, u := range s.users {
		if !u.NoMailbox && (mail.ID == "" || (u.ID != drive.ID && (mail.ID == drive.ID || u.Messages > mail.Messages))) {
			mail = u
		}
	}
	return drive, mail
}

// snapshotOf finds the snapshot a backup wrote for a user's workload.
func snapshotOf(sum dataguard.Summary, user, workload string) repo.SnapshotID {
	for _, rs := range sum.Resources {
		if rs.Resource.ID == user && rs.Resource.Workload == workload {
			return repo.SnapshotID(rs.Snapshot)
		}
	}
	return ""
}

// restoreFiles finds the encrypted files in the latest snapshot, as an
// admin would (their *.locked names), restores those items in place from
// the snapshot taken before the attack, and then checks through Graph that
// each has its old name and content hash again.
func (s *demoStory) restoreFiles(ctx context.Context, before, after repo.SnapshotID, victim inventory.UserCounts) error {
	av, err := dataguard.OpenView(ctx, s.r, after)
	if err != nil {
		return err
	}
	items, err := av.DriveItems(ctx)
	if err != nil {
		return err
	}
	var ids []string
	for _, it := range items {
		if !it.Folder && strings.HasSuffix(it.Name, ".locked") {
			ids = append(ids, it.ID)
		}
	}
	bv, err := dataguard.OpenView(ctx, s.r, before)
	if err != nil {
		return err
	}
	old, err := bv.DriveItems(ctx)
	if err != nil {
		return err
	}
	want := map[string]dataguard.DriveItemRef{}
	for _, it := range old {
		want[it.ID] = it
	}
	// Files created after the full backup and encrypted the same day have
	// no earlier version to restore; the table says how many.
	var newer int
	ids = slices.DeleteFunc(ids, func(id string) bool {
		if _, ok := want[id]; ok {
			return false
		}
		newer++
		return true
	})
	s.say("\nRestoring the %d encrypted files of %s in place from the backup taken before the attack\n(sg365 restore %.12s --item … --to original --collision replace):\n", len(ids), victim.UPN, before)
	stats0 := s.c.Stats()
	sum, err := restoreAndReport(ctx, s.c, s.r, restore.Request{Snapshots: []repo.SnapshotID{before}, Items: ids,
		Collision: restore.CollisionReplace}, s.g)
	if err != nil {
		return fmt.Errorf("restore the encrypted files: %w", err)
	}
	driveID, err := bv.DriveID(ctx)
	if err != nil {
		return err
	}
	good := 0
	for _, id := range ids {
		it, err := s.c.DriveItem(ctx, driveID, id, nil)
		if err != nil {
			continue
		}
		w := want[id]
		if it.Name == w.Name && it.File != nil && it.File.Hashes != nil && "quickXor:"+it.File.Hashes.QuickXorHash == w.Hash {
			good++
		}
	}
	t := sum.Total
	s.steps = append(s.steps, demoStep{Step: "restore encrypted files", Items: t.Created + t.Replaced + t.Copied, Bytes: t.Bytes,
		Requests: sum.Graph.Requests, Seconds: sum.Seconds,
		Result: fmt.Sprintf("%d of %d files have their pre-attack name and content (hash read back from Graph)", good, len(ids))})
	if newer > 0 {
		s.steps[len(s.steps)-1].Result += fmt.Sprintf("; %d created after that backup had no earlier version", newer)
	}
	s.steps[len(s.steps)-1].Result += s.throttled(stats0)
	return nil
}

// restoreFolder restores the deleted mail folder by its path from the
// snapshot taken before, and counts its messages through Graph.
func (s *demoStory) restoreFolder(ctx context.Context, before repo.SnapshotID, user inventory.UserCounts, gone tenant.DeletedFolder) error {
	s.say("\nRestoring the deleted folder %q of %s\n(sg365 restore %.12s %q --to original):\n", gone.Path, user.UPN, before, gone.Path)
	sum, err := restoreAndReport(ctx, s.c, s.r, restore.Request{Snapshots: []repo.SnapshotID{before}, Paths: []string{gone.Path}}, s.g)
	if err != nil {
		return fmt.Errorf("restore the deleted folder: %w", err)
	}
	name := gone.Path[strings.LastIndex(gone.Path, "/")+1:]
	found := 0
	for f, err := range s.c.AllMailFolders(ctx, user.ID, false) {
		if err != nil {
			return fmt.Errorf("list the restored folder: %w", err)
		}
		if f.DisplayName == name {
			found = max(found, f.TotalItemCount)
		}
	}
	t := sum.Total
	s.steps = append(s.steps, demoStep{Step: "restore deleted mail folder", Items: t.Created + t.Replaced + t.Copied, Bytes: t.Bytes,
		Requests: sum.Graph.Requests, Seconds: sum.Seconds,
		Result: fmt.Sprintf("%q holds %d messages again: the %d of the backup (%d were in it when it was deleted)",
			gone.Path, found, sumSelected(sum), gone.Messages)})
	return nil
}

// verify reads every file of every snapshot back and checks its hashes.
func (s *demoStory) verify(ctx context.Context) error {
	s.say("\nVerifying the repository (every file read back, decrypted and hash-checked)…\n")
	start := time.Now()
	rep, err := s.r.Verify(ctx, repo.VerifyOptions{SamplePercent: 100})
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	s.steps = append(s.steps, demoStep{Step: "verify", Items: rep.Files, Bytes: rep.Bytes, Seconds: time.Since(start).Seconds(),
		Result: fmt.Sprintf("%d snapshots, %d damaged files", rep.Snapshots, len(rep.Errors))})
	return nil
}

func (s *demoStory) printSteps() error {
	if s.g.JSON {
		for _, st := range s.steps {
			st.MessageType = "demo_step"
			if err := s.g.printJSON(st); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(s.g.Stdout, "\nWhat happened (every number measured in this run):\n")
	tw := tabwriter.NewWriter(s.g.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tITEMS\tBYTES\tGRAPH REQUESTS\tTIME\tRESULT")
	for _, st := range s.steps {
		req := fmt.Sprint(st.Requests)
		if st.Step == "verify" {
			req = "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%.1fs\t%s\n", st.Step, st.Items, humanBytes(st.Bytes), req, st.Seconds, st.Result)
	}
	return tw.Flush()
}

// sumSelected is how many items a restore selected from its snapshots.
func sumSelected(sum restore.Summary) int64 {
	var n int64
	for _, rs := range sum.Resources {
		n += rs.Selected
	}
	return n
}
