package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/deviceguard"
)

// AuditOptions are the flags of "sg365 audit".
type AuditOptions struct {
	Repo     RepoFlags
	TenantID string // --tenant-id: only this tenant's entries
}

// AddFlags registers the command's flags.
func (o *AuditOptions) AddFlags(fs *pflag.FlagSet) {
	o.Repo.AddFlags(fs)
	fs.StringVar(&o.TenantID, "tenant-id", "", "show only the entries of this tenant `id` (default: all tenants)")
}

func newAuditCommand(g *GlobalOptions) *cobra.Command {
	var opts AuditOptions
	cmd := &cobra.Command{
		Use:   "audit [--tenant-id ID] [--json]",
		Short: "Show the audit log of response actions",
		Long: withExitCodes(`List every response action sg365 executed or attempted, oldest first: when,
who (OS user@host), tenant, action, target, the call made, and the result.
The log is kept in the repository, one snapshot per entry, and is only ever
appended to.`),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAudit(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// auditEntryJSON is one entry in --json output.
type auditEntryJSON struct {
	MessageType string `json:"message_type"` // "audit_entry"
	deviceguard.AuditEntry
}

func runAudit(ctx context.Context, opts AuditOptions, g GlobalOptions) error {
	r, _, err := openRepo(ctx, opts.Repo, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	entries, err := deviceguard.ReadAudit(ctx, r, opts.TenantID)
	if err != nil {
		return err
	}
	if g.JSON {
		for _, e := range entries {
			if err := g.printJSON(auditEntryJSON{"audit_entry", e}); err != nil {
				return err
			}
		}
		return nil
	}
	if len(entries) == 0 {
		_, err := fmt.Fprintln(g.Stdout, "no response actions recorded")
		return err
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tACTOR\tTENANT\tACTION\tTARGET\tRESULT\tDETAIL")
	for _, e := range entries {
		detail := e.Detail
		if e.Error != "" {
			detail = e.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Time.Local().Format(time.DateTime), e.Actor, e.Tenant,
			e.Action, e.Target.Name(), e.Result, detail)
	}
	return tw.Flush()
}
