package main

import (
	"context"
	"fmt"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/repo"
)

// SnapshotsOptions are the flags of "sg365 snapshots".
type SnapshotsOptions struct {
	RepoFlags
	Tenant, Workload, Resource string
}

// AddFlags registers the command's flags.
func (o *SnapshotsOptions) AddFlags(fs *pflag.FlagSet) {
	o.RepoFlags.AddFlags(fs)
	fs.StringVar(&o.Tenant, "tenant-id", "", "only snapshots of this tenant `id`")
	fs.StringVar(&o.Workload, "workload", "", "only this `workload` (exchange-mail, onedrive)")
	fs.StringVar(&o.Resource, "resource", "", "only this resource (user) `id`")
}

func newSnapshotsCommand(g *GlobalOptions) *cobra.Command {
	var opts SnapshotsOptions
	cmd := &cobra.Command{
		Use:   "snapshots [--workload W] [--resource ID]",
		Short: "List the snapshots in the repository",
		Long:  withExitCodes(`List snapshots, oldest first: one per backed-up resource (a mailbox, a OneDrive) and backup run.`),
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSnapshots(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// snapshotJSON is one snapshot in --json output.
type snapshotJSON struct {
	MessageType string            `json:"message_type"` // "snapshot"
	ID          string            `json:"id"`
	Tenant      string            `json:"tenant"`
	Workload    string            `json:"workload"`
	Resource    string            `json:"resource"`
	Tags        map[string]string `json:"tags"`
	Start       time.Time         `json:"start"`
	End         time.Time         `json:"end"`
	Files       int64             `json:"files"`
	Bytes       int64             `json:"bytes"`
}

func runSnapshots(ctx context.Context, opts SnapshotsOptions, g GlobalOptions) error {
	r, _, err := openRepo(ctx, opts.RepoFlags, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	snaps, err := r.Snapshots(ctx, repo.Filter{Tenant: opts.Tenant, Workload: opts.Workload, Resource: opts.Resource})
	if err != nil {
		return err
	}
	slices.SortFunc(snaps, func(a, b repo.SnapshotInfo) int { return a.StartTime.Compare(b.StartTime) })
	if g.JSON {
		for _, s := range snaps {
			if err := g.printJSON(snapshotJSON{"snapshot", string(s.ID), s.Source.Tenant, s.Source.Workload,
				s.Source.Resource, s.Tags, s.StartTime, s.EndTime, s.Files, s.Bytes}); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tWORKLOAD\tRESOURCE\tFILES\tSIZE")
	for _, s := range snaps {
		name := s.Tags[repo.TagResourceName]
		if name == "" {
			name = s.Source.Resource
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", shortID(s.ID), s.StartTime.Local().Format("2006-01-02 15:04:05"),
			s.Source.Workload, name, s.Files, humanBytes(s.Bytes))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "%d snapshots\n", len(snaps))
	return nil
}

// shortID abbreviates a snapshot id for tables; commands accept any unique
// prefix.
func shortID(id repo.SnapshotID) string {
	if len(id) > 12 {
		return string(id[:12])
	}
	return string(id)
}

// findSnapshot resolves a unique id prefix.
func findSnapshot(ctx context.Context, r *repo.Repository, prefix string) (repo.SnapshotInfo, error) {
	snaps, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil {
		return repo.SnapshotInfo{}, err
	}
	var found []repo.SnapshotInfo
	for _, s := range snaps {
		if len(prefix) >= 4 && len(s.ID) >= len(prefix) && string(s.ID[:len(prefix)]) == prefix {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return repo.SnapshotInfo{}, fmt.Errorf("no snapshot %q (give at least 4 characters of an id from 'sg365 snapshots')", prefix)
	}
	return repo.SnapshotInfo{}, fmt.Errorf("snapshot id %q is ambiguous (%d match); give more characters", prefix, len(found))
}

// snapshotPathArg accepts the one SNAPSHOT[:PATH] argument of ls, export
// and sharing.
func snapshotPathArg(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usageErrorf(cmd.CommandPath(), "want one argument, SNAPSHOT[:PATH]")
	}
	return nil
}
