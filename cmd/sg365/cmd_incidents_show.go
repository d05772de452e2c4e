package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/safeguard365/safeguard365/internal/userguard"
)

// IncidentsShowOptions are the flags of "sg365 incidents show".
type IncidentsShowOptions struct {
	TenantFlags
}

func newIncidentsShowCommand(g *GlobalOptions) *cobra.Command {
	var opts IncidentsShowOptions
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one incident as Graph has it now, with its alerts and comments",
		Long: withExitCodes(`Read one incident from Graph with its alerts
(GET /security/incidents/{id}?$expand=alerts; SecurityIncident.Read.All) and
print it, its alerts and its comments: --json prints Graph's JSON.`),
		Example: "  sg365 incidents show 1000\n  sg365 incidents show 1000 --json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runIncidentsShow(cmd.Context(), opts, *g, args[0])
		},
	}
	opts.TenantFlags.AddFlags(cmd.Flags())
	return cmd
}

func runIncidentsShow(ctx context.Context, opts IncidentsShowOptions, g GlobalOptions, id string) error {
	tc, err := connectTenant(ctx, g, opts.TenantFlags)
	if err != nil {
		return err
	}
	c := tc.Graph
	inc, err := userguard.GetIncident(ctx, c, id)
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(map[string]any{"message_type": "incident", "incident": inc.Raw})
	}
	w := g.Stdout
	fmt.Fprintf(w, "%s\n  id: %s\n  severity: %s, status: %s\n  classification: %s, determination: %s, assigned to: %s\n  tags: %s\n  created: %s, updated: %s\n",
		inc.DisplayName, inc.ID, inc.Severity, inc.Status, dash(inc.Classification), dash(inc.Determination), dash(inc.AssignedTo),
		dash(strings.Join(inc.CustomTags, ", ")), inc.CreatedDateTime, inc.LastUpdateDateTime)
	for _, a := range inc.Alerts {
		fmt.Fprintf(w, "  alert: %s %s %s (%s, %s)\n", a.ID, a.Severity, a.Status, a.ServiceSource, a.Title)
	}
	printComments(w, inc.Comments)
	if inc.IncidentWebURL != "" {
		fmt.Fprintf(w, "  portal: %s\n", inc.IncidentWebURL)
	}
	return nil
}
