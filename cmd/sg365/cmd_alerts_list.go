package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/userguard"
)

// AlertsListOptions are the flags of "sg365 alerts list".
type AlertsListOptions struct {
	TenantFlags
	Repo   RepoFlags
	Sync   bool   // --sync: fetch alerts updated since the last sync first
	Source string // --source
	Status string // --status
	Since  string // --since: created at or after (RFC 3339, or a duration such as 72h or 7d)

	now func() time.Time // tests; default time.Now
}

// AddFlags registers the command's flags.
func (o *AlertsListOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	o.Repo.AddFlags(fs)
	fs.BoolVar(&o.Sync, "sync", false, "first fetch the alerts updated since the last sync into the repository")
	fs.StringVar(&o.Source, "source", "", "only alerts from `source`: mdi, mde, idp or a serviceSource value")
	fs.StringVar(&o.Status, "status", "", "only alerts with this `status`: new, inProgress or resolved")
	fs.StringVar(&o.Since, "since", "", "only alerts created since `time` (RFC 3339, or an age such as 72h or 7d)")
}

// Validate checks the flags.
func (o *AlertsListOptions) Validate() error {
	if o.Status != "" && !containsFold(userguard.AlertStatuses, o.Status) {
		return fmt.Errorf("--status %q: want %s", o.Status, strings.Join(userguard.AlertStatuses, ", "))
	}
	if o.Since != "" {
		if _, err := parseSince(o.Since, time.Now()); err != nil {
			return err
		}
	}
	return nil
}

func containsFold(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}

// parseSince reads an RFC 3339 time or an age ("72h", "7d") before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		if _, err := fmt.Sscanf(n, "%d", &days); err == nil && days >= 0 {
			return now.Add(-time.Duration(days) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want an RFC 3339 time or an age such as 72h or 7d", s)
}

func newAlertsListCommand(g *GlobalOptions) *cobra.Command {
	var opts AlertsListOptions
	cmd := &cobra.Command{
		Use:   "list [--sync] [--source mdi|mde|idp] [--status S] [--since T]",
		Short: "List the alerts stored in the repository (--sync fetches new and updated ones first)",
		Long: withExitCodes(`List the tenant's alerts kept in the repository, newest first. With --sync,
first fetch only the alerts whose lastUpdateDateTime is at or after the
newest one already stored ($filter=lastUpdateDateTime ge …), and store new
and changed ones as a new snapshot (workload "alerts"); a sync that finds
nothing new writes nothing. Needs SecurityAlert.Read.All.`),
		Example: "  sg365 alerts list --sync\n  sg365 alerts list --source mdi --status new --since 7d",
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAlertsList(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// alertJSON is one alert in --json output.
type alertJSON struct {
	MessageType string `json:"message_type"` // "alert"
	userguard.Alert
}

// alertSyncJSON reports a sync in --json output.
type alertSyncJSON struct {
	MessageType string `json:"message_type"` // "sync"
	userguard.SyncStats
}

func runAlertsList(ctx context.Context, opts AlertsListOptions, g GlobalOptions) error {
	now := time.Now
	if opts.now != nil {
		now = opts.now
	}
	rp, _, err := openRepo(ctx, opts.Repo, g)
	if err != nil {
		return err
	}
	defer rp.Close(ctx)
	tc, err := connectTenant(ctx, g, opts.TenantFlags)
	if err != nil {
		return err
	}
	c, tenantID := tc.Graph, tc.TenantID
	var st *userguard.AlertStore
	if opts.Sync {
		var stats userguard.SyncStats
		st, stats, err = userguard.SyncAlerts(ctx, c, rp, tenantID, now())
		if err != nil {
			return err
		}
		if g.JSON {
			if err := g.printJSON(alertSyncJSON{"sync", stats}); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(g.Stderr, "synced: %d downloaded, %d new, %d updated, %d unchanged\n",
				stats.Downloaded, stats.New, stats.Updated, stats.Unchanged)
		}
	} else if st, err = userguard.LoadAlerts(ctx, rp, tenantID); err != nil {
		return err
	}
	source := opts.Source
	if v, ok := alertSources[strings.ToLower(source)]; ok {
		source = v
	}
	var since time.Time
	if opts.Since != "" {
		since, _ = parseSince(opts.Since, now()) // checked by Validate
	}
	var shown []userguard.Alert
	for _, a := range st.Sorted() {
		if source != "" && !strings.EqualFold(a.ServiceSource, source) || opts.Status != "" && !strings.EqualFold(a.Status, opts.Status) {
			continue
		}
		if !since.IsZero() {
			if t, err := time.Parse(time.RFC3339Nano, a.CreatedDateTime); err != nil || t.Before(since) {
				continue
			}
		}
		shown = append(shown, a)
	}
	if g.JSON {
		for _, a := range shown {
			a.Raw = nil
			if err := g.printJSON(alertJSON{"alert", a}); err != nil {
				return err
			}
		}
		return nil
	}
	if len(st.Alerts) == 0 && !opts.Sync {
		_, err := fmt.Fprintln(g.Stdout, `no alerts stored for this tenant; run "sg365 alerts list --sync"`)
		return err
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CREATED\tSEVERITY\tSTATUS\tSOURCE\tID\tTITLE")
	for _, a := range shown {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.CreatedDateTime, a.Severity, a.Status, a.ServiceSource, a.ID, a.Title)
	}
	return tw.Flush()
}
