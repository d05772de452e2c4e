package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/audit"
	"github.com/safeguard365/safeguard365/internal/userguard"
)

// AlertsUpdateOptions are the flags of "sg365 alerts update".
type AlertsUpdateOptions struct {
	TenantFlags
	Repo    RepoFlags
	Update  userguard.AlertUpdate
	Confirm bool
}

// AddFlags registers the command's flags.
func (o *AlertsUpdateOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	o.Repo.AddFlags(fs)
	fs.StringVar(&o.Update.Status, "status", "", "new `status`: new, inProgress or resolved")
	fs.StringVar(&o.Update.Classification, "classification", "", "`classification`: truePositive, falsePositive, informationalExpectedActivity or unknown")
	fs.StringVar(&o.Update.Determination, "determination", "", "`determination`, e.g. compromisedAccount, malware, phishing, notMalicious, securityTesting")
	fs.StringVar(&o.Update.AssignedTo, "assigned-to", "", "assign the alert to `owner` (a UPN or team name)")
	fs.BoolVar(&o.Confirm, "confirm", false, "send the update (without it, only print the call that would be made)")
}

// Validate checks the flags.
func (o *AlertsUpdateOptions) Validate() error {
	_, err := o.Update.Body()
	return err
}

func newAlertsUpdateCommand(g *GlobalOptions) *cobra.Command {
	var opts AlertsUpdateOptions
	cmd := &cobra.Command{
		Use:   "update ID [--status S] [--classification C] [--determination D] [--assigned-to OWNER] [--confirm]",
		Short: "Write an alert's status, classification, determination or assignee back to Graph",
		Long: withExitCodes(`Update an alert (PATCH /security/alerts_v2/{id}; SecurityAlert.ReadWrite.All).
Without --confirm nothing is sent: the command reads the alert and prints the
exact call. With --confirm the update is sent, recorded in the audit log and
the stored alert is refreshed.`),
		Example: "  sg365 alerts update da123 --status resolved --classification truePositive --determination compromisedAccount --confirm",
		Args:    cobra.ExactArgs(1),
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAlertsUpdate(cmd.Context(), opts, *g, args[0])
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runAlertsUpdate(ctx context.Context, opts AlertsUpdateOptions, g GlobalOptions, id string) error {
	return runTriage(ctx, g, opts.TenantFlags, opts.Repo, opts.Confirm, func(r *userguard.Responder) (*audit.Plan, error) {
		return r.PlanAlertUpdate(ctx, id, opts.Update)
	})
}
