package main

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
)

func newSharingCommand(g *GlobalOptions) *cobra.Command {
	var f RepoFlags
	cmd := &cobra.Command{
		Use:   "sharing SNAPSHOT[:PATH]",
		Short: "Show who had access to the files of a OneDrive snapshot",
		Long: withExitCodes(`List the sharing of the files and folders of a OneDrive snapshot, or of
those at or below PATH, as it was at backup time: each direct grant to a
user or group with its roles, each sharing link with its type and scope
(anonymous links are the ones anybody holding the URL can open). What is
shared on a folder applies to everything below it; the items below are not
listed again. Items nobody shared are not listed, nor is the owner's own
access. Snapshots taken before sharing was backed up list nothing.`),
		Example: "  sg365 sharing 3f2a9c41\n  sg365 sharing 3f2a9c41:Documents/Projects --json",
		Args:    snapshotPathArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSharing(cmd.Context(), f, *g, args[0])
		},
	}
	f.AddFlags(cmd.Flags())
	return cmd
}

// sharingRow is one permission of one item.
type sharingRow struct {
	MessageType string   `json:"message_type"`
	Path        string   `json:"path"`
	ID          string   `json:"id"`
	Kind        string   `json:"kind"` // user, group, link
	Who         string   `json:"who,omitempty"`
	Scope       string   `json:"scope,omitempty"` // links: anonymous, organization, users
	Roles       []string `json:"roles"`
	Expires     string   `json:"expires,omitempty"`
}

func runSharing(ctx context.Context, f RepoFlags, g GlobalOptions, arg string) error {
	id, prefix, _ := strings.Cut(arg, ":")
	r, _, err := openRepo(ctx, f, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	snap, err := findSnapshot(ctx, r, id)
	if err != nil {
		return err
	}
	v, err := dataguard.OpenView(ctx, r, snap.ID)
	if err != nil {
		return err
	}
	if v.Workload() != dataguard.WorkloadOneDrive {
		return fmt.Errorf("snapshot %s is of %s, not OneDrive", snap.ID, v.Workload())
	}
	items, err := v.DriveItemsUnder(ctx, strings.Trim(prefix, "/"))
	if err != nil {
		return err
	}
	var rows []sharingRow
	for _, it := range items {
		perms, err := v.ReadPermissions(ctx, it)
		if err != nil {
			return err
		}
		for _, p := range perms {
			if p.IsOwner() || p.InheritedFrom != nil {
				continue
			}
			rows = append(rows, sharingRowOf(it, p))
		}
	}
	if g.JSON {
		for _, row := range rows {
			if err := g.printJSON(row); err != nil {
				return err
			}
		}
		return nil
	}
	if len(rows) == 0 {
		fmt.Fprintln(g.Stdout, "No shared items in this snapshot (or it predates sharing backup).")
		return nil
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PATH\tKIND\tWHO / SCOPE\tROLES\tEXPIRES")
	for _, row := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", row.Path, row.Kind, cmp.Or(row.Who, row.Scope),
			strings.Join(row.Roles, ","), row.Expires)
	}
	return tw.Flush()
}

func sharingRowOf(it dataguard.DriveItemRef, p graph.Permission) sharingRow {
	row := sharingRow{MessageType: "permission", Path: it.Path, ID: it.ID, Roles: p.Roles}
	switch who, group := p.Grantee(); {
	case p.Link != nil:
		row.Kind, row.Scope = "link", p.Link.Scope+" "+p.Link.Type
	case who != nil:
		row.Kind, row.Who = "user", cmp.Or(who.Email, who.DisplayName, who.ID)
		if group {
			row.Kind = "group"
		}
	default:
		row.Kind = "other"
	}
	if p.ExpirationDateTime != nil {
		row.Expires = p.ExpirationDateTime.UTC().Format("2006-01-02")
	}
	return row
}
