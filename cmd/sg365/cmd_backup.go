package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// BackupOptions are the flags of "sg365 backup".
type BackupOptions struct {
	TenantFlags
	Repo      RepoFlags
	Workloads []string
	Users     []string
	All       bool
	Workers   int
}

// AddFlags registers the command's flags.
func (o *BackupOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	o.Repo.AddFlags(fs)
	fs.StringSliceVar(&o.Workloads, "workload", append([]string(nil), dataguard.Workloads...),
		"workloads to back up: "+strings.Join(dataguard.Workloads, ", "))
	fs.StringArrayVar(&o.Users, "user", nil, "back up this user (`UPN` or id); repeat for several")
	fs.BoolVar(&o.All, "all", false, "back up every user of the tenant")
	fs.IntVar(&o.Workers, "workers", 8, "mailboxes and OneDrives backed up at once")
}

// Validate checks the options.
func (o BackupOptions) Validate() error {
	switch {
	case o.All && len(o.Users) > 0:
		return errors.New("give --user or --all, not both")
	case !o.All && len(o.Users) == 0:
		return errors.New("say whom to back up: --user UPN (repeatable) or --all")
	case o.Workers < 1:
		return fmt.Errorf("--workers %d: want at least 1", o.Workers)
	}
	return nil
}

func newBackupCommand(g *GlobalOptions) *cobra.Command {
	var opts BackupOptions
	cmd := &cobra.Command{
		Use:   "backup (--user UPN ... | --all) [--workload mail,calendar,contacts,onedrive]",
		Short: "Back up mail, calendars, contacts and OneDrives into the repository",
		Long: withExitCodes(`Back up the chosen users' mail, calendars, contacts and OneDrive files into
the repository, one snapshot per user and workload. The first run reads everything; later
runs read only what changed (Graph delta queries) and carry the rest over by
reference. Items that fail are recorded and retried by the next run; the run
then exits with code 3.`),
		Example: "  sg365 backup --all\n  sg365 backup --user adele@contoso.com --workload mail --json",
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBackup(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runBackup(ctx context.Context, opts BackupOptions, g GlobalOptions) error {
	tc, err := connectTenant(ctx, g, opts.TenantFlags)
	if err != nil {
		return err
	}
	r, _, err := openRepo(ctx, opts.Repo, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	_, err = backupAndReport(ctx, tc.Graph, r, dataguard.BackupOptions{
		TenantID: tc.TenantID, Workloads: opts.Workloads, Users: opts.Users, Workers: opts.Workers,
	}, g)
	indexAfterBackup(ctx, r, opts.Repo, g) // a warning at worst: see cmd_catalog.go
	return err
}

// backupAndReport runs a backup with progress on stderr and prints its
// summary. It maps an incomplete run to exit code 3.
func backupAndReport(ctx context.Context, c *graph.Client, r *repo.Repository, bo dataguard.BackupOptions, g GlobalOptions) (dataguard.Summary, error) {
	p := newProgress(g.Stderr)
	p.stats = c.Stats
	bo.Reporter = p
	stop := p.start()
	sum, err := dataguard.Backup(ctx, c, r, bo)
	stop()
	if perr := printBackupSummary(g, sum); perr != nil && err == nil {
		err = perr
	}
	if errors.Is(err, dataguard.ErrPartial) {
		return sum, fmt.Errorf("%w: %w", err, errPartial)
	}
	return sum, err
}

func printBackupSummary(g GlobalOptions, sum dataguard.Summary) error {
	if g.JSON {
		for _, rs := range sum.Resources {
			if err := g.printJSON(struct {
				MessageType string `json:"message_type"`
				dataguard.ResourceSummary
			}{"resource", rs}); err != nil {
				return err
			}
		}
		return g.printJSON(struct {
			MessageType string `json:"message_type"`
			dataguard.Summary
		}{"summary", sum})
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKLOAD\tUSER\tSTATUS\tNEW\tCHANGED\tDELETED\tUNCHANGED\tFAILED\tREAD\tSTORED")
	for _, rs := range sum.Resources {
		status := string(rs.Status)
		if rs.Error != "" {
			status += ": " + rs.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", rs.Workload, rs.Name, status,
			rs.New, rs.Changed, rs.Deleted, rs.Unchanged, rs.Failed, humanBytes(rs.BytesRead), humanBytes(rs.BytesStored))
	}
	t := sum.Total
	fmt.Fprintf(tw, "TOTAL\t\t\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", t.New, t.Changed, t.Deleted, t.Unchanged, t.Failed,
		humanBytes(t.BytesRead), humanBytes(t.BytesStored))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "\nRun %s: %d resources in %.1fs; %d Graph requests, %d throttled.\n",
		sum.RunID, len(sum.Resources), sum.Seconds, sum.Graph.Requests, sum.Graph.Throttled)
	for _, rs := range sum.Resources {
		for _, f := range rs.Failures {
			fmt.Fprintf(g.Stdout, "failed: %s %s: %s\n", rs.Name, f.ID, f.Error)
		}
	}
	return nil
}
