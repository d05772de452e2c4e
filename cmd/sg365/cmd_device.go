package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/config"
	"github.com/safeguard365/safeguard365/internal/deviceguard"
	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/posture"
)

// envMDEURL overrides the Defender for Endpoint API base URL.
const envMDEURL = "SG365_MDE_URL"

// deviceFormats are the values of "device scan --format".
var deviceFormats = []string{"table", "json", "html"}

func newDeviceCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "device",
		Short: "Assess the devices that reach the tenant (DeviceGuard)",
		Long: `Check the devices that reach Microsoft 365: Intune managed devices, their
Defender antivirus state, compliance and apps, Defender for Endpoint machines
and device alerts. Response actions are under "sg365 respond device".`,
	}
	groupCommand(cmd)
	cmd.AddCommand(newDeviceScanCommand(g))
	return cmd
}

// MDEFlags select the Defender for Endpoint API host.
type MDEFlags struct {
	URL string // --mde-url
}

// AddFlags registers the flag.
func (f *MDEFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.URL, "mde-url", "", "Defender for Endpoint API base `url` (default: $"+envMDEURL+
		", else the Graph URL's host + /api when --graph-url points elsewhere than Microsoft, else "+graph.MDEURL+")")
}

// mdeURL resolves the MDE base URL: flag, environment, then derived from a
// Graph URL override (a proxy or the emulator serves both), then Microsoft's.
func (f MDEFlags) mdeURL(s config.Settings) string {
	if f.URL != "" {
		return f.URL
	}
	if v := strings.TrimSpace(os.Getenv(envMDEURL)); v != "" {
		return v
	}
	if s.GraphURL != "" {
		if i := strings.Index(s.GraphURL, "://"); i >= 0 {
			if j := strings.Index(s.GraphURL[i+3:], "/"); j >= 0 {
				return s.GraphURL[:i+3+j] + "/api"
			}
			return strings.TrimRight(s.GraphURL, "/") + "/api"
		}
	}
	return graph.MDEURL
}

// DeviceScanOptions are the flags of "sg365 device scan".
type DeviceScanOptions struct {
	TenantFlags
	MDE          MDEFlags
	NoMDE        bool   // --no-mde
	Format       string // --format
	Out          string // --out
	InventoryOut string // --inventory-out
	FailOn       string // --fail-on
	AsOf         string // --as-of
}

// AddFlags registers the command's flags.
func (o *DeviceScanOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	o.MDE.AddFlags(fs)
	fs.BoolVar(&o.NoMDE, "no-mde", false, "do not read Defender for Endpoint machines (checks D12 and D13 then report error)")
	fs.StringVar(&o.Format, "format", "table", "report `format`: table, json or html")
	fs.StringVar(&o.Out, "out", "", "write the report to `file` instead of stdout")
	fs.StringVar(&o.InventoryOut, "inventory-out", "", "also save the collected inventory to `file` (see docs/inventory-devices.md)")
	fs.StringVar(&o.FailOn, "fail-on", "", "exit with code 4 if a check of this `severity` or worse fails: critical, high, medium or low")
	fs.StringVar(&o.AsOf, "as-of", "", "measure device ages from this RFC 3339 `time` instead of now (for emulated or replayed data)")
}

// Validate checks the flags.
func (o *DeviceScanOptions) Validate() error {
	if !slices.Contains(deviceFormats, o.Format) {
		return fmt.Errorf("--format %q: want %s", o.Format, strings.Join(deviceFormats, ", "))
	}
	if err := checkFailOn(o.FailOn); err != nil {
		return err
	}
	if err := checkAsOf(o.AsOf); err != nil {
		return err
	}
	return nil
}

func newDeviceScanCommand(g *GlobalOptions) *cobra.Command {
	var opts DeviceScanOptions
	cmd := &cobra.Command{
		Use:   "scan [--format table|json|html] [--out FILE] [--fail-on SEVERITY]",
		Short: "Check every device against the device checks D1 to D17",
		Long: `Read the tenant's Intune managed devices (with Defender antivirus state,
compliance policy states and detected apps), Defender for Endpoint machines,
device alerts and Secure Score, and grade them with the device checks D1 to
D17. Nothing is changed in the tenant.

Permissions (application): DeviceManagementManagedDevices.Read.All,
SecurityAlert.Read.All and SecurityEvents.Read.All on Microsoft Graph, and
Machine.Read.All on WindowsDefenderATP (Defender for Endpoint). A source the
app cannot read is reported, with the permission it needs, and the checks
that need it report error.

Exit codes:
  0    the scan ran (checks may have failed; see --fail-on)
  1    fatal error
  2    usage error (bad flag or argument); nothing was done
  4    a check at or above the --fail-on severity failed
  130  interrupted (SIGINT or SIGTERM)`,
		Example: "  sg365 device scan\n  sg365 device scan --format html --out devices.html --fail-on high",
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDeviceScan(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// deviceClients connects to the selected tenant and, unless noMDE, builds
// its Defender for Endpoint client too.
func deviceClients(ctx context.Context, g GlobalOptions, tf TenantFlags, mf MDEFlags, noMDE bool) (tenantConn, *graph.Client, error) {
	tc, err := connectTenant(ctx, g, tf)
	if err != nil || noMDE {
		return tc, nil, err
	}
	m, err := tc.Graph.MDE(mf.mdeURL(tc.Settings))
	if err != nil {
		return tc, nil, fmt.Errorf("--mde-url: %w", err)
	}
	return tc, m, nil
}

func runDeviceScan(ctx context.Context, opts DeviceScanOptions, g GlobalOptions) error {
	tc, m, err := deviceClients(ctx, g, opts.TenantFlags, opts.MDE, opts.NoMDE)
	if err != nil {
		return err
	}
	c := tc.Graph
	now := time.Now
	if opts.AsOf != "" {
		at, _ := time.Parse(time.RFC3339, opts.AsOf) // checked by Validate
		now = func() time.Time { return at }
	}
	co := deviceguard.CollectOptions{TenantID: tc.TenantID, TenantName: tc.Settings.Name, Now: now}
	if m != nil {
		co.MDE = m
	}
	inv, err := deviceguard.Collect(ctx, c, co)
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(inv.Sources)) {
		if st := inv.Sources[k]; st.Status == posture.SourceError {
			g.Logger.Warn("source not collected", "source", k, "error", st.Error)
		}
	}
	if opts.InventoryOut != "" {
		err := writeFileAtomic(opts.InventoryOut, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(inv)
		})
		if err != nil {
			return fmt.Errorf("save inventory: %w", err)
		}
	}
	eng, err := deviceguard.NewEngine(ctx, nil)
	if err != nil {
		return err
	}
	rep, err := deviceguard.Scan(ctx, eng, inv)
	if err != nil {
		return err
	}
	var hit []posture.Result
	if opts.FailOn != "" {
		sev, _ := posture.ParseSeverity(opts.FailOn)
		hit = rep.FailOn(sev)
	}
	if err := writeDeviceReport(rep, opts, g, len(hit)); err != nil {
		return err
	}
	if len(hit) > 0 {
		ids := make([]string, len(hit))
		for i, r := range hit {
			ids[i] = r.Rule.ID
		}
		return fmt.Errorf("%d check(s) failed at %s or worse (%s): %w", len(hit), opts.FailOn, strings.Join(ids, ", "), errFailOn)
	}
	if n := rep.Summary.ByStatus[posture.StatusError]; n > 0 {
		g.Logger.Warn("some checks could not be evaluated; their result is unknown", "checks", n)
	}
	return nil
}

// deviceResultJSON is one check's result in --json output.
type deviceResultJSON struct {
	MessageType string             `json:"message_type"` // "result"
	RuleID      string             `json:"rule_id"`
	Title       string             `json:"title"`
	Severity    posture.Severity   `json:"severity"`
	Status      posture.Status     `json:"status"`
	Summary     string             `json:"summary"`
	Reason      string             `json:"reason,omitempty"`
	Evidence    []posture.Evidence `json:"evidence,omitempty"`
}

// deviceSummaryJSON ends --json output.
type deviceSummaryJSON struct {
	MessageType string          `json:"message_type"` // "summary"
	TenantID    string          `json:"tenant_id"`
	Summary     posture.Summary `json:"summary"`
	FailOnHit   int             `json:"fail_on_hit"`
}

// writeDeviceReport renders the report: JSON lines with --json and the
// table format, else the format to --out or stdout.
func writeDeviceReport(rep *posture.Report, opts DeviceScanOptions, g GlobalOptions, hit int) error {
	if g.JSON && opts.Format == "table" && opts.Out == "" {
		for _, r := range rep.Results {
			if err := g.printJSON(deviceResultJSON{"result", r.Rule.ID, r.Rule.Title, r.Rule.Severity, r.Status,
				r.Summary, r.Reason, r.Evidence}); err != nil {
				return err
			}
		}
		return g.printJSON(deviceSummaryJSON{"summary", rep.Tenant.ID, rep.Summary, hit})
	}
	return writeReport(g, rep, opts.Format, opts.Out)
}
