package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/restore"
)

// RestoreOptions are the flags of "sg365 restore".
type RestoreOptions struct {
	TenantFlags
	Repo      RepoFlags
	To        string
	Folder    string
	Collision string
	// Permissions is which OneDrive sharing to restore (restore.Permissions).
	Permissions string
	Items       []string
	DryRun      bool
	Workers     int
	// User, Workload and At pick the snapshot instead of an id.
	User     string
	Workload string
	At       string
}

// AddFlags registers the command's flags.
func (o *RestoreOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	o.Repo.AddFlags(fs)
	fs.StringVar(&o.To, "to", "", "where to restore: `original` (the snapshot's own user) or user:UPN")
	fs.StringVar(&o.Folder, "folder", "", "destination folder `path` to recreate the snapshot's tree under (default: none for --to original, \"Restored from <user> <time>\" for another user's mail and files; calendars and contacts go to their own calendars and folders)")
	fs.StringVar(&o.Collision, "collision", string(restore.CollisionSkip), "what to do with items that exist: skip, copy or replace")
	fs.StringVar(&o.Permissions, "permissions", string(restore.PermissionsGrants), "OneDrive sharing to restore: none; grants (invite the users and groups that had direct access again, silently; only with --to original); all (grants, plus new sharing links in place of the old ones, whose URLs cannot come back)")
	fs.StringArrayVar(&o.Items, "item", nil, "restore only this item (Graph `id` of a message, event, contact, file or folder); repeatable")
	fs.BoolVar(&o.DryRun, "dry-run", false, "print the plan (counts of what would be created, skipped, replaced) and write nothing")
	fs.IntVar(&o.Workers, "workers", 4, "mailboxes and OneDrives restored at once")
	fs.StringVar(&o.User, "user", "", "instead of SNAPSHOT: restore this user's (`UPN` or id) latest snapshot of --workload")
	fs.StringVar(&o.Workload, "workload", "", "with --user: "+strings.Join(restorableWorkloads, ", "))
	fs.StringVar(&o.At, "at", "", "with --user: the latest snapshot taken at or before `TIME` (RFC 3339 or 2006-01-02[ 15:04])")
}

// Validate checks the options.
func (o RestoreOptions) Validate(args []string) error {
	if o.To == "" {
		return errors.New("say where to restore: --to original or --to user:UPN")
	}
	if _, err := restore.ParseTarget(o.To); err != nil {
		return err
	}
	if _, err := restore.ParseCollision(o.Collision); err != nil {
		return err
	}
	if _, err := restore.ParsePermissions(cmp.Or(o.Permissions, string(restore.PermissionsGrants))); err != nil {
		return err
	}
	if o.Workers < 1 {
		return fmt.Errorf("--workers %d: want at least 1", o.Workers)
	}
	if o.User == "" {
		if o.Workload != "" || o.At != "" {
			return errors.New("--workload and --at go with --user")
		}
		if len(args) == 0 {
			return errors.New("give a SNAPSHOT id (see 'sg365 snapshots') or --user UPN --workload " + strings.Join(restorableWorkloads, "|"))
		}
		return nil
	}
	if !slices.Contains(restorableWorkloads, o.Workload) {
		return fmt.Errorf("with --user, give --workload %s", strings.Join(restorableWorkloads, ", "))
	}
	if o.At != "" {
		if _, err := parseAt(o.At); err != nil {
			return err
		}
	}
	return nil
}

// restorableWorkloads are the workloads 'sg365 restore' restores.
var restorableWorkloads = []string{dataguard.WorkloadMail, dataguard.WorkloadCalendar, dataguard.WorkloadContacts, dataguard.WorkloadOneDrive}

// parseAt reads --at.
func parseAt(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			if layout == "2006-01-02" {
				t = t.Add(24*time.Hour - time.Nanosecond) // the whole day
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--at %q: want a time like 2024-03-04T10:00:00Z, 2024-03-04 10:00 or 2024-03-04", s)
}

func newRestoreCommand(g *GlobalOptions) *cobra.Command {
	var opts RestoreOptions
	cmd := &cobra.Command{
		Use:   "restore SNAPSHOT [PATH ...] --to original|user:UPN [--item ID ...] [--folder NAME] [--collision skip|copy|replace] [--dry-run]",
		Short: "Restore mail, calendars, contacts or OneDrive files from a snapshot",
		Long: withExitCodes(`Restore a snapshot's mail, events, contacts or OneDrive files, all of them
or the folders and files under each PATH (mail folders by name, e.g.
"Inbox/Projects"; calendars by name, e.g. "Calendar"; contact folders, e.g.
"Contacts/Clients"; drive paths, e.g. "Documents/2024"), into the original
mailbox or drive or into another user's. SNAPSHOT is an id prefix from
'sg365 snapshots'; --user UPN --workload mail|calendar|contacts|onedrive
[--at TIME] picks that user's snapshot instead.

Messages come back as received mail (not drafts) with their dates, read
state, flags, categories and attachments; files with their folders and
timestamps. Restoring mail or files to another user recreates the tree
under a folder "Restored from <user> <snapshot time>" unless --folder names
one. Events go to the calendar of the same name (the default calendar to
the default calendar; --folder names one calendar for all), with their
recurrence and attachments; their organizer and attendees are kept with
the event but nobody is invited. Contacts go to their folders below the
target's Contacts folder (and --folder).

An item that already exists (the same message, a file of the same name) is
left alone by default (--collision skip); copy restores it beside the
existing one, replace overwrites it. Running the same restore again creates
no duplicates. --dry-run prints what would be done and writes nothing.

OneDrive sharing: restoring to the original user invites the users and
groups that had direct access to a file or folder at backup time again,
with their roles and without sending them mail (--permissions grants, the
default); grants already in place are left alone. The owner's access and
access inherited from a parent folder are not restored on the item (the
parent's grants bring them back). Sharing links are listed in the summary
but not recreated: a link's URL cannot be restored, and --permissions all
creates new links of the same kind instead. Restores to another user never
share anything. --permissions none restores no sharing.`),
		Example: "  sg365 restore 3f2a9c41 Inbox/Projects --to original\n" +
			"  sg365 restore 3f2a9c41 --to user:it-restore@contoso.com --dry-run\n" +
			"  sg365 restore --user adele@contoso.com --workload onedrive --at 2024-03-04 --to original --collision replace\n" +
			"  sg365 restore --user adele@contoso.com --workload calendar --to user:it-restore@contoso.com",
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Validate(args); err != nil {
				return &usageError{cmdPath: cmd.CommandPath(), err: err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRestore(cmd.Context(), opts, *g, args)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runRestore(ctx context.Context, opts RestoreOptions, g GlobalOptions, args []string) error {
	target, err := restore.ParseTarget(opts.To)
	if err != nil {
		return err
	}
	collision, err := restore.ParseCollision(opts.Collision)
	if err != nil {
		return err
	}
	perms, err := restore.ParsePermissions(cmp.Or(opts.Permissions, string(restore.PermissionsGrants)))
	if err != nil {
		return err
	}
	tc, err := connectTenant(ctx, g, opts.TenantFlags)
	if err != nil {
		return err
	}
	c := tc.Graph
	r, _, err := openRepo(ctx, opts.Repo, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	var snap repo.SnapshotInfo
	paths := args
	if opts.User != "" {
		at := time.Time{}
		if opts.At != "" {
			at, _ = parseAt(opts.At)
		}
		snap, err = snapshotOfUser(ctx, r, opts.User, opts.Workload, at)
	} else {
		snap, err = findSnapshot(ctx, r, args[0])
		paths = args[1:]
	}
	if err != nil {
		return err
	}
	_, err = restoreAndReport(ctx, c, r, restore.Request{
		Snapshots: []repo.SnapshotID{snap.ID}, Paths: paths, Items: opts.Items, Target: target,
		Folder: opts.Folder, Collision: collision, Permissions: perms, DryRun: opts.DryRun, Workers: opts.Workers,
	}, g)
	return err
}

// snapshotOfUser finds the latest snapshot of user's workload taken at or
// before at (any time when at is zero).
func snapshotOfUser(ctx context.Context, r *repo.Repository, user, workload string, at time.Time) (repo.SnapshotInfo, error) {
	snaps, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil {
		return repo.SnapshotInfo{}, err
	}
	slices.SortFunc(snaps, func(a, b repo.SnapshotInfo) int { return b.StartTime.Compare(a.StartTime) })
	found := false
	for _, s := range snaps {
		if !strings.EqualFold(s.Tags[repo.TagResourceName], user) && s.Source.Resource != user {
			continue
		}
		found = true
		if !at.IsZero() && s.StartTime.After(at) {
			continue
		}
		v, err := dataguard.OpenView(ctx, r, s.ID)
		if err != nil || v.Workload() != workload {
			continue
		}
		return s, nil
	}
	if !found {
		return repo.SnapshotInfo{}, fmt.Errorf("no snapshot of user %q (see 'sg365 snapshots')", user)
	}
	if at.IsZero() {
		return repo.SnapshotInfo{}, fmt.Errorf("no %s snapshot of user %q", workload, user)
	}
	return repo.SnapshotInfo{}, fmt.Errorf("no %s snapshot of user %q taken at or before %s", workload, user, at.Format(time.RFC3339))
}

// restoreAndReport runs a restore with progress on stderr and prints its
// summary. It maps failed items to exit code 3.
func restoreAndReport(ctx context.Context, c *graph.Client, r *repo.Repository, req restore.Request, g GlobalOptions) (restore.Summary, error) {
	p := &restoreProgress{progress: newProgress(g.Stderr)}
	req.Reporter = p
	stop := p.start()
	sum, err := restore.Run(ctx, c, r, req)
	stop()
	if len(sum.Resources) > 0 {
		if perr := printRestoreSummary(g, sum); perr != nil && err == nil {
			err = perr
		}
	}
	if errors.Is(err, restore.ErrPartial) {
		return sum, fmt.Errorf("%w: %w", err, errPartial)
	}
	return sum, err
}

// restoreProgress feeds restore events into the backup's progress line.
type restoreProgress struct{ *progress }

func (p *restoreProgress) ResourceStarted(restore.Resource)     { p.started.Add(1) }
func (p *restoreProgress) ResourceDone(restore.ResourceSummary) { p.done.Add(1) }
func (p *restoreProgress) ItemFailed(restore.ItemRef, error)    { p.failed.Add(1) }
func (p *restoreProgress) ItemDone(_ restore.ItemRef, _ restore.Action, n int64) {
	p.items.Add(1)
	p.bytes.Add(n)
}

var _ restore.Reporter = (*restoreProgress)(nil)

func printRestoreSummary(g GlobalOptions, sum restore.Summary) error {
	if g.JSON {
		for _, rs := range sum.Resources {
			if err := g.printJSON(struct {
				MessageType string `json:"message_type"`
				restore.ResourceSummary
			}{"resource", rs}); err != nil {
				return err
			}
		}
		return g.printJSON(struct {
			MessageType string `json:"message_type"`
			restore.Summary
		}{"summary", sum})
	}
	if sum.DryRun {
		fmt.Fprintln(g.Stdout, "Plan (dry run): nothing was written.")
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKLOAD\tFROM\tTO\tSTATUS\tFOLDERS\tCREATED\tCOPIED\tREPLACED\tSKIPPED\tUNCHANGED\tFAILED\tBYTES")
	for _, rs := range sum.Resources {
		status := string(rs.Status)
		if rs.Error != "" {
			status += ": " + rs.Error
		}
		to := cmp.Or(rs.TargetName, rs.TargetID)
		if rs.Destination != "" {
			to += " (" + rs.Destination + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", rs.Workload, rs.UserName, to, status,
			rs.FoldersCreated, rs.Created, rs.Copied, rs.Replaced, rs.Skipped, rs.Unchanged, rs.Failed, humanBytes(rs.Bytes))
	}
	t := sum.Total
	fmt.Fprintf(tw, "TOTAL\t\t\t\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", t.FoldersCreated, t.Created, t.Copied, t.Replaced,
		t.Skipped, t.Unchanged, t.Failed, humanBytes(t.Bytes))
	if err := tw.Flush(); err != nil {
		return err
	}
	if t.Granted+t.GrantsPresent+t.LinksCreated+t.SharingSkipped > 0 {
		verb := "re-shared"
		if sum.DryRun {
			verb = "would re-share"
		}
		fmt.Fprintf(g.Stdout, "Sharing: %s %d grants, %d already in place, %d new links, %d not restored (links without --permissions all, other users' drives, expired).\n",
			verb, t.Granted, t.GrantsPresent, t.LinksCreated, t.SharingSkipped)
	}
	fmt.Fprintf(g.Stdout, "\n%d resources in %.1fs; %d Graph requests, %d throttled.\n",
		len(sum.Resources), sum.Seconds, sum.Graph.Requests, sum.Graph.Throttled)
	for _, rs := range sum.Resources {
		for _, f := range rs.Failures {
			fmt.Fprintf(g.Stdout, "failed: %s %s (%s): %s\n", rs.UserName, f.Path, f.ID, f.Error)
		}
	}
	return nil
}
