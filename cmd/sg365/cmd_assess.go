package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
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

// assessPacks are the embedded rule packs that grade a tenant inventory
// (directories under internal/posture/packs); the first is the default.
// The other embedded packs (ad, device, identity) grade the inventories of
// other collectors.
var assessPacks = []string{"scuba_aad", "cis_m365"}

// AssessOptions are the flags of "sg365 assess".
type AssessOptions struct {
	TenantFlags
	Repo          RepoFlags
	Inventory     string   // --inventory: a saved inventory document
	Snapshot      string   // --snapshot: a stored configuration snapshot
	SaveInventory string   // --save-inventory: write the inventory graded here
	Packs         []string // --pack: embedded rule packs to grade with
	RuleDirs      []string // --rules: extra directories of .rego rules
	Exclusions    string   // --exclusions: YAML file
	Format        string   // --format
	Out           string   // --out: write the report here instead of stdout
	FailOn        string   // --fail-on: "" or a severity
	Workers       int      // --workers: kinds read at once
	NoHistory     bool     // --no-history: do not record findings in the repository
	History       bool     // --history: list the findings history instead of assessing
	Open          bool     // --open: with --history, only open findings
	Resolved      bool     // --resolved: with --history, only resolved findings
}

// AddFlags registers the command's flags.
func (o *AssessOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	o.Repo.AddFlags(fs)
	fs.StringVar(&o.Inventory, "inventory", "", "assess the inventory JSON `file` offline (see docs/inventory.md)")
	fs.StringVar(&o.Snapshot, "snapshot", "", "assess the configuration `snapshot` (id or prefix from 'sg365 snapshots'); context it lacks is read live")
	fs.StringVar(&o.SaveInventory, "save-inventory", "", "also write the inventory that was graded to `file`")
	fs.StringSliceVar(&o.Packs, "pack", []string{assessPacks[0]}, "built-in rule `packs` to grade with, comma-separated: "+strings.Join(assessPacks, ", "))
	fs.StringArrayVar(&o.RuleDirs, "rules", nil, "also load the .rego rules in `dir` (repeatable)")
	fs.StringVar(&o.Exclusions, "exclusions", "", "YAML `file` of users, groups and roles excluded per rule")
	fs.StringVar(&o.Format, "format", "table", "report `format`: table, json, csv or html")
	fs.StringVar(&o.Out, "out", "", "write the report to `file` instead of stdout")
	fs.StringVar(&o.FailOn, "fail-on", "", "exit with code 4 if a rule of this `severity` or worse fails: critical, high, medium or low")
	fs.IntVar(&o.Workers, "workers", 4, "kinds read from Graph at once")
	fs.BoolVar(&o.NoHistory, "no-history", false, "do not record the findings in the repository (live and --snapshot runs record them by default)")
	fs.BoolVar(&o.History, "history", false, "list the tenant's findings (first seen, last seen, resolved) from the repository instead of assessing")
	fs.BoolVar(&o.Open, "open", false, "with --history: only open findings")
	fs.BoolVar(&o.Resolved, "resolved", false, "with --history: only resolved findings")
}

// Validate checks the flags.
func (o *AssessOptions) Validate() error {
	if o.Inventory != "" && o.Snapshot != "" {
		return errors.New("--inventory and --snapshot exclude each other: give one input")
	}
	if o.History {
		if o.Inventory != "" || o.Snapshot != "" || o.SaveInventory != "" || o.FailOn != "" || o.NoHistory || o.Out != "" {
			return errors.New("--history lists recorded findings; it takes no --inventory, --snapshot, --save-inventory, --fail-on, --out or --no-history")
		}
		if o.Open && o.Resolved {
			return errors.New("--open and --resolved exclude each other")
		}
		return nil
	}
	if o.Open || o.Resolved {
		return errors.New("--open and --resolved need --history")
	}
	if err := o.checkPacks(); err != nil {
		return err
	}
	if !slices.Contains(assessFormats, o.Format) {
		return fmt.Errorf("--format %q: want %s", o.Format, strings.Join(assessFormats, ", "))
	}
	if err := checkFailOn(o.FailOn); err != nil {
		return err
	}
	if o.Workers < 1 {
		return fmt.Errorf("--workers %d: want at least 1", o.Workers)
	}
	return nil
}

// checkPacks validates --pack and normalises it: names trimmed, each once,
// in the order given.
func (o *AssessOptions) checkPacks() error {
	var packs []string
	for _, p := range o.Packs {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
			continue
		case !slices.Contains(assessPacks, p):
			return fmt.Errorf("--pack: unknown pack %q (known packs: %s)", p, strings.Join(assessPacks, ", "))
		case !slices.Contains(packs, p):
			packs = append(packs, p)
		}
	}
	if len(packs) == 0 {
		return fmt.Errorf("--pack: name at least one pack (known packs: %s)", strings.Join(assessPacks, ", "))
	}
	o.Packs = packs
	return nil
}

func newAssessCommand(g *GlobalOptions) *cobra.Command {
	var opts AssessOptions
	cmd := &cobra.Command{
		Use:   "assess [--inventory FILE | --snapshot ID] [--pack P,...] [--rules DIR ...] [--exclusions FILE] [--format F] [--out FILE] [--fail-on SEVERITY]",
		Short: "Grade a tenant's configuration against the security baselines",
		Long: `Evaluate a tenant's configuration against built-in baselines and any rule
directories given with --rules, and print a report. Nothing is written to the
tenant.

--pack selects the built-in packs (comma-separated or repeated):
  scuba_aad  CISA SCuBA Entra ID baseline, 34 policies (the default)
  cis_m365   CIS Microsoft 365 Foundations v5.0.0 controls checkable through
             Graph that SCuBA does not already cover (rule ids CIS.<number>;
             Level 1 fails, Level 2 warns)

The input is one of:
  (default)        the tenant, read live through Microsoft Graph (the tenant
                   flags select it, as for 'sg365 config snapshot')
  --snapshot ID    a configuration snapshot stored by 'sg365 config
                   snapshot'; licences, domains, users, role-assignable
                   groups and PIM instances are not part of it and are read
                   live, and the report's inventory says which sources were
  --inventory FILE a saved inventory document, graded offline (its format is
                   in docs/inventory.md); --save-inventory writes one

Each rule reports pass, fail, warning (a SHOULD rule not met), na (not
licensed, not applicable, or a manual check) or error (an input it needs was
not collected, for example because a permission is missing; the result is
unknown). --exclusions names users, groups and roles a rule may leave out,
such as break-glass accounts excluded from conditional access policies; the
report records them.

Findings history: live and --snapshot runs merge their findings into the
tenant's history in the repository (first seen, last seen, resolved) and store
it as a snapshot of workload "posture" with the report and the inventory;
--no-history skips this. A finding is resolved only when its rule ran and no
longer raises it; a rule that reports error leaves its findings as they were.
--history lists the recorded findings (--open, --resolved) without assessing.

--format json writes the full report document; with the global --json flag
and the table format, one JSON object per rule (message_type "result"), a
history object when findings were recorded, and a summary object are printed
instead.

Exit codes:
  0    the assessment ran and every rule could be evaluated (rules may have
       failed; see --fail-on)
  1    fatal error (unreadable inventory or snapshot, bad rule or exclusions
       file, the tenant could not be reached at all)
  2    usage error (bad flag or argument); nothing was done
  3    some rules report error: an input they need could not be collected
       (the report names the source and the permission to grant)
  4    a rule at or above the --fail-on severity failed (warnings and
       errors do not count); 4 wins over 3
  130  interrupted (SIGINT or SIGTERM)`,
		Example: "  sg365 assess --fail-on high\n" +
			"  sg365 assess --snapshot 3f2a --format html --out contoso.html\n" +
			"  sg365 assess --inventory contoso.json --exclusions breakglass.yaml --no-history\n" +
			"  sg365 assess --pack scuba_aad,cis_m365 --format html --out contoso.html\n" +
			"  sg365 assess --history --open",
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.History {
				return runAssessHistory(cmd.Context(), opts, *g)
			}
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
	var ex *posture.Exclusions
	var err error
	if opts.Exclusions != "" {
		if ex, err = posture.LoadExclusions(opts.Exclusions); err != nil {
			return err
		}
	}
	if len(opts.Packs) == 0 { // runAssess called without Validate, as tests do
		opts.Packs = assessPacks[:1]
	}
	eng, err := posture.New(ctx, posture.Options{Packs: opts.Packs, RuleDirs: opts.RuleDirs})
	if err != nil {
		return err
	}
	in, err := assessInput(ctx, opts, g)
	if err != nil {
		return err
	}
	if in.repo != nil {
		defer in.repo.Close(ctx)
	}
	inv := in.inv
	if opts.SaveInventory != "" {
		if err := writeFileAtomic(opts.SaveInventory, func(w io.Writer) error { return writeInventory(w, inv) }); err != nil {
			return fmt.Errorf("save inventory: %w", err)
		}
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
	var rec *historyUpdate
	if in.repo != nil {
		if rec, err = recordHistory(ctx, in.repo, g, rep, inv); err != nil {
			return err
		}
	}
	if err := writeAssessReport(rep, opts, g, len(hit), rec); err != nil {
		return err
	}
	errored := rep.Summary.ByStatus[posture.StatusError]
	if errored > 0 {
		g.Logger.Warn("some rules could not be evaluated; their result is unknown", "rules", errored)
	}
	if len(hit) > 0 {
		ids := make([]string, len(hit))
		for i, r := range hit {
			ids[i] = r.Rule.ID
		}
		return fmt.Errorf("%d rule(s) failed at %s or worse (%s): %w", len(hit), opts.FailOn, strings.Join(ids, ", "), errFailOn)
	}
	if errored > 0 {
		return fmt.Errorf("%d rule(s) could not be evaluated (%s): %w", errored, strings.Join(failedSources(rep), ", "), errPartial)
	}
	return nil
}

// failedSources names the required sources of the rules in error that did
// not collect, and subscribedSkus when the licence check lacked it.
func failedSources(rep *posture.Report) []string {
	need := map[string]bool{}
	for _, res := range rep.Results {
		if res.Status != posture.StatusError {
			continue
		}
		for _, k := range res.Rule.Sources {
			if st, ok := rep.Sources[k]; !ok || st.Status != posture.SourceOK {
				need[k] = true
			}
		}
	}
	if st, ok := rep.Sources["subscribedSkus"]; !ok || st.Status != posture.SourceOK {
		need["subscribedSkus"] = true
	}
	out := slices.Sorted(maps.Keys(need))
	if len(out) == 0 {
		return []string{"see the report"}
	}
	return out
}

// writeAssessReport renders the report to --out or stdout.
func writeAssessReport(rep *posture.Report, opts AssessOptions, g GlobalOptions, hit int, rec *historyUpdate) error {
	if g.JSON && opts.Format == "table" && opts.Out == "" {
		for _, r := range rep.Results {
			if err := g.printJSON(assessResultJSON{"result", r.Rule.ID, r.Rule.Title, r.Rule.Severity, r.Status,
				r.Summary, r.Reason, r.Evidence, r.FindingIDs}); err != nil {
				return err
			}
		}
		if rec != nil {
			if err := g.printJSON(rec.json()); err != nil {
				return err
			}
		}
		return g.printJSON(assessSummaryJSON{"summary", rep.Tenant.ID, rep.Summary, hit})
	}
	if err := writeReport(g, rep, opts.Format, opts.Out); err != nil {
		return err
	}
	if rec != nil && !g.JSON && (opts.Format == "table" || opts.Out != "") {
		_, err := fmt.Fprintln(g.Stdout, rec.line())
		return err
	}
	return nil
}

// writeReport renders a posture report in format (table, json, csv or
// html; each command validates its own list) to the file out, atomically,
// or to stdout when out is "".
func writeReport(g GlobalOptions, rep *posture.Report, format, out string) error {
	render := map[string]func(io.Writer, *posture.Report) error{
		"table": posture.WriteTable, "json": posture.WriteJSON, "csv": posture.WriteCSV, "html": posture.WriteHTML,
	}[format]
	if out == "" {
		return render(g.Stdout, rep)
	}
	if err := writeFileAtomic(out, func(w io.Writer) error { return render(w, rep) }); err != nil {
		return err
	}
	if !g.JSON {
		s := rep.Summary
		fmt.Fprintf(g.Stdout, "wrote %s report to %s: %d pass, %d fail, %d warning, %d n/a, %d error\n", format, out,
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
