package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/audit"
	"github.com/safeguard365/safeguard365/internal/userguard"
)

// IncidentsUpdateOptions are the flags of "sg365 incidents update".
type IncidentsUpdateOptions struct {
	TenantFlags
	Repo    RepoFlags
	Update  userguard.IncidentUpdate
	Confirm bool
}

// AddFlags registers the command's flags.
func (o *IncidentsUpdateOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	o.Repo.AddFlags(fs)
	fs.StringVar(&o.Update.Status, "status", "", "new `status`: active, inProgress or resolved")
	fs.StringVar(&o.Update.Classification, "classification", "", "`classification`: truePositive, falsePositive, informationalExpectedActivity or unknown")
	fs.StringVar(&o.Update.Determination, "determination", "", "`determination`, e.g. compromisedAccount, malware, phishing, notMalicious, securityTesting")
	fs.StringVar(&o.Update.AssignedTo, "assigned-to", "", "assign the incident to `owner` (a UPN or team name)")
	fs.StringArrayVar(&o.Update.Tags, "tag", nil, "add `tag` to the incident's custom tags (repeatable; existing tags are kept)")
	fs.BoolVar(&o.Confirm, "confirm", false, "send the update (without it, only print the call that would be made)")
}

// Validate checks the flags.
func (o *IncidentsUpdateOptions) Validate() error { return o.Update.Validate() }

func newIncidentsUpdateCommand(g *GlobalOptions) *cobra.Command {
	var opts IncidentsUpdateOptions
	cmd := &cobra.Command{
		Use:   "update ID [--status S] [--classification C] [--determination D] [--assigned-to OWNER] [--tag T]... [--confirm]",
		Short: "Write an incident's status, classification, determination, assignee or tags back to Graph",
		Long: withExitCodes(`Update an incident (PATCH /security/incidents/{id};
SecurityIncident.ReadWrite.All). Graph replaces customTags as a whole, so
--tag sends the incident's current tags with the new ones added.

Without --confirm nothing is sent: the command reads the incident and prints
the exact call. With --confirm the update is sent and recorded in the audit
log.`),
		Example: `  sg365 incidents update 1000 --status inProgress --assigned-to soc@contoso.com
  sg365 incidents update 1000 --status resolved --classification truePositive --determination compromisedAccount --confirm
  sg365 incidents update 1000 --tag ransomware --tag vip --confirm`,
		Args:    cobra.ExactArgs(1),
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runIncidentsUpdate(cmd.Context(), opts, *g, args[0])
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runIncidentsUpdate(ctx context.Context, opts IncidentsUpdateOptions, g GlobalOptions, id string) error {
	return runTriage(ctx, g, opts.TenantFlags, opts.Repo, opts.Confirm, func(r *userguard.Responder) (*audit.Plan, error) {
		return r.PlanIncidentUpdate(ctx, id, opts.Update)
	})
}
