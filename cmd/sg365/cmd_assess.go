package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/posture"
)

// exitFailOn is the exit code when --fail-on is hit: the run completed,
// the report is complete, and it found what the pipeline asked about.
const exitFailOn = exitFound

// errFailOn marks an assessment with failed rules at or above --fail-on.
var errFailOn = fmt.Errorf("failed rules at or above the --fail-on severity: %w", errFound)

// assessFormats are the values of --format.
var assessFormats = []string{"table", "json", "csv", "html"}

// AssessOptions are the flags of "sg365 assess".
type AssessOptions struct {
	Inventory  string   // --inventory: a saved inventory document
	RuleDirs   []string // --rules: extra directories of .rego rules
	Exclusions string   // --exclusions: YAML file
	Format     string   // --format
	Out        string   // --out: write the report here instead of stdout
	FailOn     string   // --fail-on: "" or a severity
}

// AddFlags registers the command's flags.
func (o *AssessOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Inventory, "inventory", "", "assess the inventory JSON `file` (see docs/inventory.md); today: --inventory is required")
	fs.StringArrayVar(&o.RuleDirs, "rules", nil, "also load the .rego rules in `dir` (repeatable)")
	fs.StringVar(&o.Exclusions, "exclusions", "", "YAML `file` of users, groups and roles excluded per rule")
	fs.StringVar(&o.Format, "format", "table", "report `format`: table, json, csv or html")
	fs.StringVar(&o.Out, "out", "", "write the report to `file` instead of stdout")
	fs.StringVar(&o.FailOn, "fail-on", "", "exit with code 4 if a rule of this `severity` or worse fails: critical, high, medium or low")
}

// Validate checks the flags.
func (o *AssessOptions) Validate() error {
	if o.Inventory == "" {
		return errors.New("--inventory is required (live collection is not available yet)")
	}
	if !slices.Contains(assessFormats, o.Format) {
		return fmt.Errorf("--format %q: want %s", o.Format, strings.Join(assessFormats, ", "))
	}
	if o.FailOn != "" {
		sev, err := posture.ParseSeverity(o.FailOn)
		if err != nil || sev == posture.SeverityInfo {
			return fmt.Errorf("--fail-on %q: want critical, high, medium or low", o.FailOn)
		}
	}
	return nil
}

func newAssessCommand(g *GlobalOptions) *cobra.Command {
	var opts AssessOptions
	cmd := &cobra.Command{
		Use:   "assess --inventory FILE [--rules DIR ...] [--exclusions FILE] [--format F] [--out FILE] [--fail-on SEVERITY]",
		Short: "Grade a tenant's configuration against the security baselines",
		Long: `Evaluate a tenant inventory against the built-in SCuBA Entra ID baseline (34
policies) and any rule directories given with --rules, and print a report.

today: --inventory is required. assess grades a saved inventory document
offline (its format is in docs/inventory.md); live collection from the tenant
is not wired yet. Nothing is written to the tenant.

Each rule reports pass, fail, warning (a SHOULD rule not met), na (not
licensed, not applicable, or a manual check) or error (an input it needs was
not collected; the result is unknown). --exclusions names users, groups and
roles a rule may leave out, such as break-glass accounts excluded from
conditional access policies; the report records them.

--format json writes the full report document; with the global --json flag
and the table format, one JSON object per rule (message_type "result") and a
summary object are printed instead.

Exit codes:
  0    the assessment ran (rules may have failed; see --fail-on)
  1    fatal error (unreadable inventory, bad rule or exclusions file)
  2    usage error (bad flag or argument); nothing was done
  4    a rule at or above the --fail-on severity failed (warnings and
       errors do not count)
  130  interrupted (SIGINT or SIGTERM)`,
		Example: "  sg365 assess --inventory contoso.json --exclusions breakglass.yaml\n" +
			"  sg365 assess --inventory contoso.json --format html --out contoso.html --fail-on high",
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAssess(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// assessResultJSON is one rule's result in --json output.
type assessResultJSON struct {
	MessageType string             `json:"message_type"` // "result"
	RuleID      string             `json:"rule_id"`
	Title       string             `json:"title"`
	Severity    posture.Severity   `json:"severity"`
	Status      posture.Status     `json:"status"`
	Summary     string             `json:"summary"`
	Reason      string             `json:"reason,omitempty"`
	Evidence    []posture.Evidence `json:"evidence,omitempty"`
	FindingIDs  []string           `json:"finding_ids,omitempty"`
}

// assessSummaryJSON ends --json output.
type assessSummaryJSON struct {
	MessageType string          `json:"message_type"` // "summary"
	TenantID    string          `json:"tenant_id"`
	Summary     posture.Summary `json:"summary"`
	FailOnHit   int             `json:"fail_on_hit"`
}

func runAssess(ctx context.Context, opts AssessOptions, g GlobalOptions) error {
	inv, err := posture.LoadInventory(opts.Inventory)
	if err != nil {
		return fmt.Errorf("load inventory: %w", err)
	}
	var ex *posture.Exclusions
	if opts.Exclusions != "" {
		if ex, err = posture.LoadExclusions(opts.Exclusions); err != nil {
			return err
		}
	}
	eng, err := posture.New(ctx, posture.Options{RuleDirs: opts.RuleDirs})
	if err != nil {
		return err
	}
	rep, err := eng.Evaluate(ctx, inv, ex)
	if err != nil {
		return err
	}
	var hit []posture.Result
	if opts.FailOn != "" {
		sev, _ := posture.ParseSeverity(opts.FailOn) // checked by Validate
		hit = rep.FailOn(sev)
	}
	if err := writeAssessReport(rep, opts, g, len(hit)); err != nil {
		return err
	}
	if n := rep.Summary.ByStatus[posture.StatusError]; n > 0 {
		g.Logger.Warn("some rules could not be evaluated; their result is unknown", "rules", n)
	}
	if len(hit) > 0 {
		ids := make([]string, len(hit))
		for i, r := range hit {
			ids[i] = r.Rule.ID
		}
		return fmt.Errorf("%d rule(s) failed at %s or worse (%s): %w", len(hit), opts.FailOn, strings.Join(ids, ", "), errFailOn)
	}
	return nil
}

// writeAssessReport renders the report to --out or stdout.
func writeAssessReport(rep *posture.Report, opts AssessOptions, g GlobalOptions, hit int) error {
	if g.JSON && opts.Format == "table" && opts.Out == "" {
		for _, r := range rep.Results {
			if err := g.printJSON(assessResultJSON{"result", r.Rule.ID, r.Rule.Title, r.Rule.Severity, r.Status,
				r.Summary, r.Reason, r.Evidence, r.FindingIDs}); err != nil {
				return err
			}
		}
		return g.printJSON(assessSummaryJSON{"summary", rep.Tenant.ID, rep.Summary, hit})
	}
	render := map[string]func(io.Writer, *posture.Report) error{
		"table": posture.WriteTable, "json": posture.WriteJSON, "csv": posture.WriteCSV, "html": posture.WriteHTML,
	}[opts.Format]
	if opts.Out == "" {
		return render(g.Stdout, rep)
	}
	if err := writeFileAtomic(opts.Out, func(w io.Writer) error { return render(w, rep) }); err != nil {
		return err
	}
	if !g.JSON {
		s := rep.Summary
		fmt.Fprintf(g.Stdout, "wrote %s report to %s: %d pass, %d fail, %d warning, %d n/a, %d error\n", opts.Format, opts.Out,
			s.ByStatus[posture.StatusPass], s.ByStatus[posture.StatusFail], s.ByStatus[posture.StatusWarning],
			s.ByStatus[posture.StatusNA], s.ByStatus[posture.StatusError])
	}
	return nil
}

// writeFileAtomic writes path through a temporary file in the same
// directory, so a failed run never leaves half a report behind.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	defer os.Remove(f.Name()) // no-op after the rename
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
