package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/userguard"
)

// AlertsShowOptions are the flags of "sg365 alerts show".
type AlertsShowOptions struct {
	TenantFlags
}

func newAlertsShowCommand(g *GlobalOptions) *cobra.Command {
	var opts AlertsShowOptions
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one alert as Graph has it now, with its evidence and comments",
		Long:  withExitCodes(`Read one alert from Graph (GET /security/alerts_v2/{id}; SecurityAlert.Read.All) and print it: --json prints Graph's JSON.`),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAlertsShow(cmd.Context(), opts, *g, args[0])
		},
	}
	opts.TenantFlags.AddFlags(cmd.Flags())
	return cmd
}

func runAlertsShow(ctx context.Context, opts AlertsShowOptions, g GlobalOptions, id string) error {
	tc, err := connectTenant(ctx, g, opts.TenantFlags)
	if err != nil {
		return err
	}
	c := tc.Graph
	raw, err := c.SecurityAlert(ctx, id)
	if err != nil {
		return fmt.Errorf("alert %s: %w", id, err)
	}
	if g.JSON {
		return g.printJSON(map[string]any{"message_type": "alert", "alert": raw})
	}
	a, err := userguard.ParseAlert(raw)
	if err != nil {
		return err
	}
	var full struct {
		Description        string `json:"description"`
		RecommendedActions string `json:"recommendedActions"`
		AlertWebURL        string `json:"alertWebUrl"`
		Evidence           []map[string]any
		Comments           []graph.SecurityComment
	}
	_ = json.Unmarshal(raw, &full)
	w := g.Stdout
	fmt.Fprintf(w, "%s\n  id: %s\n  source: %s\n  severity: %s, status: %s\n  classification: %s, determination: %s, assigned to: %s\n  created: %s, updated: %s\n",
		a.Title, a.ID, a.ServiceSource, a.Severity, a.Status, dash(a.Classification), dash(a.Determination), dash(a.AssignedTo),
		a.CreatedDateTime, a.LastUpdateDateTime)
	if full.Description != "" {
		fmt.Fprintf(w, "  description: %s\n", full.Description)
	}
	if full.RecommendedActions != "" {
		fmt.Fprintf(w, "  recommended: %s\n", full.RecommendedActions)
	}
	for _, e := range full.Evidence {
		typ, _ := e["@odata.type"].(string)
		typ = strings.TrimPrefix(typ, "#microsoft.graph.security.")
		name := ""
		if ua, ok := e["userAccount"].(map[string]any); ok {
			name, _ = ua["userPrincipalName"].(string)
		}
		for _, k := range []string{"deviceDnsName", "processCommandLine", "ipAddress", "url"} {
			if v, ok := e[k].(string); ok && name == "" {
				name = v
			}
		}
		verdict, _ := e["verdict"].(string)
		fmt.Fprintf(w, "  evidence: %s %s (%s)\n", typ, name, verdict)
	}
	printComments(w, full.Comments)
	if full.AlertWebURL != "" {
		fmt.Fprintf(w, "  portal: %s\n", full.AlertWebURL)
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
