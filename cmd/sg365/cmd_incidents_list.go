package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/userguard"
)

// IncidentsListOptions are the flags of "sg365 incidents list".
type IncidentsListOptions struct {
	TenantFlags
	Status   string // --status
	Severity string // --severity
}

// Values the list filters accept, from the incident resource page.
// awaitingAction is left out: Graph returns it only to callers sending
// Prefer: include-unknown-enum-members.
// https://learn.microsoft.com/en-us/graph/api/resources/security-incident
var (
	incidentListStatuses = []string{"active", "inProgress", "resolved", "redirected"}
	incidentSeverities   = []string{"informational", "low", "medium", "high", "unknown"}
)

// AddFlags registers the command's flags.
func (o *IncidentsListOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	fs.StringVar(&o.Status, "status", "", "only incidents with this `status`: "+strings.Join(incidentListStatuses, ", "))
	fs.StringVar(&o.Severity, "severity", "", "only incidents of this `severity`: "+strings.Join(incidentSeverities, ", "))
}

// Validate checks the flags.
func (o *IncidentsListOptions) Validate() error {
	if o.Status != "" && !containsFold(incidentListStatuses, o.Status) {
		return fmt.Errorf("--status %q: want %s", o.Status, strings.Join(incidentListStatuses, ", "))
	}
	if o.Severity != "" && !containsFold(incidentSeverities, o.Severity) {
		return fmt.Errorf("--severity %q: want %s", o.Severity, strings.Join(incidentSeverities, ", "))
	}
	return nil
}

// filter is the $filter of the flags; Graph compares enumeration values
// case-sensitively, so the documented spelling is sent.
func (o *IncidentsListOptions) filter() string {
	var parts []string
	for _, f := range []struct {
		prop, v string
		enum    []string
	}{{"status", o.Status, incidentListStatuses}, {"severity", o.Severity, incidentSeverities}} {
		for _, e := range f.enum {
			if f.v != "" && strings.EqualFold(e, f.v) {
				parts = append(parts, fmt.Sprintf("%s eq '%s'", f.prop, e))
			}
		}
	}
	return strings.Join(parts, " and ")
}

func newIncidentsListCommand(g *GlobalOptions) *cobra.Command {
	var opts IncidentsListOptions
	cmd := &cobra.Command{
		Use:   "list [--status S] [--severity S]",
		Short: "List the tenant's incidents from Graph, newest first",
		Long: withExitCodes(`List the tenant's Defender incidents as Graph has them now
(GET /security/incidents; SecurityIncident.Read.All). --status and
--severity become a $filter, so only matching incidents are fetched.
Nothing is stored.`),
		Example: "  sg365 incidents list\n  sg365 incidents list --status active --severity high\n  sg365 incidents list --json",
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runIncidentsList(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// incidentJSON is one incident in --json output.
type incidentJSON struct {
	MessageType string `json:"message_type"` // "incident"
	userguard.Incident
}

func runIncidentsList(ctx context.Context, opts IncidentsListOptions, g GlobalOptions) error {
	tc, err := connectTenant(ctx, g, opts.TenantFlags)
	if err != nil {
		return err
	}
	c := tc.Graph
	incs, err := userguard.ListIncidents(ctx, c, opts.filter())
	if err != nil {
		return err
	}
	if g.JSON {
		for _, inc := range incs {
			inc.Raw = nil
			if err := g.printJSON(incidentJSON{"incident", inc}); err != nil {
				return err
			}
		}
		return nil
	}
	if len(incs) == 0 {
		_, err := fmt.Fprintln(g.Stdout, "no incidents match")
		return err
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CREATED\tSEVERITY\tSTATUS\tASSIGNED TO\tID\tNAME")
	for _, inc := range incs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", inc.CreatedDateTime, inc.Severity, inc.Status, dash(inc.AssignedTo), inc.ID, inc.DisplayName)
	}
	return tw.Flush()
}
