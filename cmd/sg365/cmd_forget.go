package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/audit"
	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/tenantguard"
	"github.com/safeguard365/safeguard365/internal/userguard"
)

// recordWorkloads are the workloads whose snapshots are records, not
// backups: response-action audit entries (one source per entry), config
// restore audit records, the pinned configuration baseline, the
// posture findings history and the stored Defender alerts (each snapshot
// the whole store, but --keep-within would drop a store not synced
// lately). A retention policy meant for backups would delete old entries
// or the baseline (--keep-within, --keep-daily), so
// forget keeps every record unless --include-records is given. This is the
// only list; the help text and the plan are built from it.
var recordWorkloads = []string{audit.Workload, tenantguard.AuditWorkload, tenantguard.PinWorkload, posture.Workload,
	userguard.AlertsWorkload}

// isRecord reports whether src holds records (recordWorkloads).
func isRecord(src repo.Source) bool { return slices.Contains(recordWorkloads, src.Workload) }

// ForgetOptions are the flags of "sg365 forget".
type ForgetOptions struct {
	RepoFlags
	Policy repo.Policy
	Apply  bool
	Prune  bool
	// IncludeRecords applies the policy to recordWorkloads too.
	IncludeRecords bool
}

// AddFlags registers the command's flags.
func (o *ForgetOptions) AddFlags(fs *pflag.FlagSet) {
	o.RepoFlags.AddFlags(fs)
	fs.IntVar(&o.Policy.KeepLast, "keep-last", 0, "keep the `n` newest snapshots of each resource")
	fs.IntVar(&o.Policy.KeepDaily, "keep-daily", 0, "keep the newest snapshot of each of the last `n` days")
	fs.IntVar(&o.Policy.KeepWeekly, "keep-weekly", 0, "keep the newest snapshot of each of the last `n` weeks")
	fs.IntVar(&o.Policy.KeepMonthly, "keep-monthly", 0, "keep the newest snapshot of each of the last `n` months")
	fs.IntVar(&o.Policy.KeepYearly, "keep-yearly", 0, "keep the newest snapshot of each of the last `n` years")
	fs.BoolVar(&o.Apply, "apply", false, "really forget (without it, only print what would be forgotten)")
	fs.BoolVar(&o.Prune, "prune", false, "with --apply, also run full maintenance to free the space")
	fs.BoolVar(&o.IncludeRecords, "include-records", false,
		"also apply the policy to records (workloads "+strings.Join(recordWorkloads, ", ")+"), which are otherwise all kept")
}

// Validate checks the options.
func (o ForgetOptions) Validate() error {
	p := o.Policy
	if p.KeepLast <= 0 && p.KeepDaily <= 0 && p.KeepWeekly <= 0 && p.KeepMonthly <= 0 && p.KeepYearly <= 0 {
		return errors.New("give at least one --keep-* rule; forget never removes everything")
	}
	if o.Prune && !o.Apply {
		return errors.New("--prune needs --apply")
	}
	return nil
}

func newForgetCommand(g *GlobalOptions) *cobra.Command {
	var opts ForgetOptions
	cmd := &cobra.Command{
		Use:   "forget --keep-daily N [--keep-weekly N ...] [--apply [--prune]]",
		Short: "Remove old snapshots by a retention policy (dry run by default)",
		Long: withExitCodes(`Apply a grandfather-father-son retention policy to each resource's snapshots.
Without --apply nothing is removed: the plan is printed. With --apply the
forgotten snapshots are removed; --prune then frees their space.

Records are not backups. The snapshots of the record workloads
  ` + strings.Join(recordWorkloads, ", ") + `
(response-action audit entries, configuration restore audit records, the
pinned configuration baseline, the posture findings history, the stored
Defender alerts) are kept
whatever the policy says, and the plan lists them as "kept: record".
--include-records applies the policy to them too.`),
		Example: "  sg365 forget --keep-daily 14 --keep-weekly 8 --keep-monthly 12\n  sg365 forget --keep-daily 14 --keep-monthly 12 --apply --prune",
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runForget(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runForget(ctx context.Context, opts ForgetOptions, g GlobalOptions) error {
	r, _, err := openRepo(ctx, opts.RepoFlags, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	fo := repo.ForgetOptions{DryRun: !opts.Apply}
	if !opts.IncludeRecords {
		fo.Exempt = isRecord
	}
	res, err := r.Forget(ctx, opts.Policy, fo)
	if err != nil {
		return err
	}
	printRecordsKept(g, res.Exempt)
	verb := "would remove"
	if opts.Apply {
		verb = "removed"
	}
	for _, s := range res.Keep {
		if g.JSON {
			g.printJSON(map[string]any{"message_type": "keep", "id": s.ID, "reasons": res.Reasons[s.ID]})
		} else {
			fmt.Fprintf(g.Stdout, "keep   %s %s %s (%s)\n", shortID(s.ID), s.StartTime.Local().Format("2006-01-02 15:04"),
				s.Tags[repo.TagResourceName], strings.Join(res.Reasons[s.ID], ", "))
		}
	}
	for _, s := range res.Remove {
		if g.JSON {
			g.printJSON(map[string]any{"message_type": "remove", "id": s.ID, "applied": opts.Apply})
		} else {
			fmt.Fprintf(g.Stdout, "%s %s %s %s\n", verb, shortID(s.ID), s.StartTime.Local().Format("2006-01-02 15:04"), s.Tags[repo.TagResourceName])
		}
	}
	if !opts.Apply {
		fmt.Fprintf(g.Stderr, "Dry run: nothing was removed. Add --apply to remove %d snapshots.\n", len(res.Remove))
		return nil
	}
	if opts.Prune {
		if err := r.Maintenance(ctx, true); err != nil {
			return fmt.Errorf("prune: %w", err)
		}
	}
	return nil
}

// printRecordsKept lists the records forget left alone: each snapshot as a
// JSON "keep" message with reason "record", or, as text, one line per
// workload (the audit log has a source per entry, too many to list).
func printRecordsKept(g GlobalOptions, recs []repo.SnapshotInfo) {
	counts := map[string]int{}
	for _, s := range recs {
		if g.JSON {
			g.printJSON(map[string]any{"message_type": "keep", "id": s.ID, "workload": s.Source.Workload, "reasons": []string{"record"}})
		}
		counts[s.Source.Workload]++
	}
	if g.JSON {
		return
	}
	for _, w := range recordWorkloads {
		if n := counts[w]; n > 0 {
			fmt.Fprintf(g.Stdout, "keep   %d snapshots of workload %s (kept: record)\n", n, w)
		}
	}
}
