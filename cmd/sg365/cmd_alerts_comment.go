package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/safeguard365/safeguard365/internal/audit"
	"github.com/safeguard365/safeguard365/internal/userguard"
)

func newAlertsCommentCommand(g *GlobalOptions) *cobra.Command {
	var opts CommentOptions
	cmd := &cobra.Command{
		Use:   "comment ID TEXT [--confirm]",
		Short: "Add a comment to an alert in Microsoft Defender",
		Long: withExitCodes(`Add a comment to an alert (POST /security/alerts_v2/{id}/comments;
SecurityAlert.ReadWrite.All). Graph records the app's name as the author.
Graph offers no call to edit or delete a comment.

Without --confirm nothing is sent: the command reads the alert and prints the
exact call. With --confirm the comment is posted, recorded in the audit log
and the stored alert is refreshed; "sg365 alerts show ID" lists comments.`),
		Example: `  sg365 alerts comment da123 "Password reset and sessions revoked"
  sg365 alerts comment da123 "Password reset and sessions revoked" --confirm`,
		Args: cobra.ExactArgs(2),
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if err := userguard.CheckComment(args[1]); err != nil {
				return &usageError{cmdPath: cmd.CommandPath(), err: err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAlertsComment(cmd.Context(), opts, *g, args[0], args[1])
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runAlertsComment(ctx context.Context, opts CommentOptions, g GlobalOptions, id, text string) error {
	return runTriage(ctx, g, opts.TenantFlags, opts.Repo, opts.Confirm, func(r *userguard.Responder) (*audit.Plan, error) {
		return r.PlanAlertComment(ctx, id, text)
	})
}
