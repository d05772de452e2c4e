package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/safeguard365/safeguard365/internal/repo"
)

func newLsCommand(g *GlobalOptions) *cobra.Command {
	var f RepoFlags
	cmd := &cobra.Command{
		Use:   "ls SNAPSHOT[:PATH]",
		Short: "List a folder inside a snapshot",
		Long:  withExitCodes(`List the entries of PATH (default: the root) in SNAPSHOT, given by an id prefix from 'sg365 snapshots'.`),
		Args:  snapshotPathArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLs(cmd.Context(), f, *g, args[0])
		},
	}
	f.AddFlags(cmd.Flags())
	return cmd
}

func runLs(ctx context.Context, f RepoFlags, g GlobalOptions, arg string) error {
	id, dir, _ := strings.Cut(arg, ":")
	r, _, err := openRepo(ctx, f, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	snap, err := findSnapshot(ctx, r, id)
	if err != nil {
		return err
	}
	entries, err := r.ReadDir(ctx, snap.ID, strings.Trim(dir, "/"))
	if err != nil {
		return err
	}
	if g.JSON {
		for _, e := range entries {
			if err := g.printJSON(struct {
				MessageType string `json:"message_type"`
				repo.Entry
			}{"entry", e}); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 0, 2, ' ', 0)
	for _, e := range entries {
		name := e.Name
		if e.Type == repo.TypeDir {
			name += "/"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.ModTime.Local().Format("2006-01-02 15:04"), humanBytes(e.Size), name)
	}
	return tw.Flush()
}
