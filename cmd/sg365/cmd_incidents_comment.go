package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/safeguard365/safeguard365/internal/audit"
	"github.com/safeguard365/safeguard365/internal/userguard"
)

func newIncidentsCommentCommand(g *GlobalOptions) *cobra.Command {
	var opts CommentOptions
	cmd := &cobra.Command{
		Use:   "comment ID TEXT [--confirm]",
		Short: "Add a comment to an incident in Microsoft Defender",
		Long: withExitCodes(`Add a comment to an incident (POST /security/incidents/{id}/comments;
SecurityIncident.ReadWrite.All). Graph records the app's name as the author
and offers no call to edit or delete a comment.

Without --confirm nothing is sent: the command reads the incident and prints
the exact call. With --confirm the comment is posted and recorded in the
audit log; "sg365 incidents show ID" lists comments.`),
		Example: `  sg365 incidents comment 1000 "Escalated to the on-call engineer"
  sg365 incidents comment 1000 "Escalated to the on-call engineer" --confirm`,
		Args: cobra.ExactArgs(2),
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if err := userguard.CheckComment(args[1]); err != nil {
				return &usageError{cmdPath: cmd.CommandPath(), err: err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runIncidentsComment(cmd.Context(), opts, *g, args[0], args[1])
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runIncidentsComment(ctx context.Context, opts CommentOptions, g GlobalOptions, id, text string) error {
	return runTriage(ctx, g, opts.TenantFlags, opts.Repo, opts.Confirm, func(r *userguard.Responder) (*audit.Plan, error) {
		return r.PlanIncidentComment(ctx, id, text)
	})
}
