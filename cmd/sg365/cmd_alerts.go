package main

import (
	"github.com/spf13/cobra"
)

func newAlertsCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "List, show and triage Microsoft Defender alerts (identity, endpoint, Identity Protection)",
		Long: `Work with the tenant's Microsoft Graph security alerts (alerts_v2) from
Defender for Identity, Defender for Endpoint and Entra ID Protection.
"alerts list --sync" ingests them incrementally into the repository;
"alerts update" writes status, classification, determination and assignee
back to Graph and "alerts comment" adds a comment (dry run unless
--confirm, audited). Incidents, which group alerts, are under
"sg365 incidents".`,
	}
	groupCommand(cmd)
	cmd.AddCommand(newAlertsListCommand(g), newAlertsShowCommand(g), newAlertsUpdateCommand(g), newAlertsCommentCommand(g))
	return cmd
}

// alertSources maps --source names to serviceSource values.
var alertSources = map[string]string{
	"mdi": "microsoftDefenderForIdentity",
	"mde": "microsoftDefenderForEndpoint",
	"idp": "azureAdIdentityProtection",
}
