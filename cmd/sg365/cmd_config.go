package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/tenantguard"
)

// configDiffHelp explains exit codes 3 and 4 for diff and drift.
const configDiffHelp = `For this command, exit code 4 means the snapshots differ, and 3 that some
kinds of configuration could not be compared because a snapshot failed to
read them (they are reported as unknown, never as deleted; 3 wins when both
apply). 0 means identical.`

func newConfigCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Snapshot the tenant's configuration and show what changed (TenantGuard)",
		Long: `Keep the history of the tenant's configuration: conditional access, named
locations, authentication methods and strengths, authorization and consent
policies, security defaults, cross-tenant access, directory roles and PIM,
and Intune compliance and configuration policies.`,
	}
	groupCommand(cmd)
	cmd.AddCommand(newConfigSnapshotCommand(g), newConfigDiffCommand(g), newConfigDriftCommand(g),
		newConfigRestoreCommand(g), newConfigPinCommand(g))
	return cmd
}

// ConfigSnapshotOptions are the flags of "sg365 config snapshot".
type ConfigSnapshotOptions struct {
	TenantFlags
	Repo    RepoFlags
	Kinds   []string
	Workers int
}

// AddFlags registers the command's flags.
func (o *ConfigSnapshotOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	o.Repo.AddFlags(fs)
	fs.StringSliceVar(&o.Kinds, "kind", nil, "snapshot only these kinds (default: all): "+strings.Join(tenantguard.KindNames(), ", "))
	fs.IntVar(&o.Workers, "workers", 4, "kinds read at once")
}

// Validate checks the options.
func (o ConfigSnapshotOptions) Validate() error {
	for _, k := range o.Kinds {
		if tenantguard.Lookup(k) == nil {
			return fmt.Errorf("--kind %q: unknown; known kinds: %s", k, strings.Join(tenantguard.KindNames(), ", "))
		}
	}
	if o.Workers < 1 {
		return fmt.Errorf("--workers %d: want at least 1", o.Workers)
	}
	return nil
}

func newConfigSnapshotCommand(g *GlobalOptions) *cobra.Command {
	var opts ConfigSnapshotOptions
	cmd := &cobra.Command{
		Use:   "snapshot [--kind K,...]",
		Short: "Store the tenant's configuration in the repository",
		Long: withExitCodes(`Read every kind of configuration through Microsoft Graph and store it as
canonical JSON in one repository snapshot. A kind that cannot be read (a
missing permission, a service error) is recorded as such, the others are
stored, and the command exits with code 3.`),
		Example: "  sg365 config snapshot\n  sg365 config snapshot --kind conditionalAccessPolicies,namedLocations --json",
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConfigSnapshot(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runConfigSnapshot(ctx context.Context, opts ConfigSnapshotOptions, g GlobalOptions) error {
	tc, err := connectTenant(ctx, g, opts.TenantFlags)
	if err != nil {
		return err
	}
	r, _, err := openRepo(ctx, opts.Repo, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	c, tenantID := tc.Graph, tc.TenantID
	snap, err := tenantguard.Snapshot(ctx, c, r, tenantguard.Options{TenantID: tenantID, Kinds: opts.Kinds, Workers: opts.Workers})
	if err != nil {
		return err
	}
	if err := printConfigSnapshot(g, snap); err != nil {
		return err
	}
	var failed []string
	for _, name := range sortedKinds(snap.Kinds) {
		if !snap.Kinds[name].Known() {
			failed = append(failed, name)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d kinds could not be read (%s): %w", len(failed), strings.Join(failed, ", "), errPartial)
	}
	return nil
}

// sortedKinds returns the kinds of m in registry order.
func sortedKinds[V any](m map[string]V) []string {
	var out []string
	for _, n := range tenantguard.KindNames() {
		if _, ok := m[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

func printConfigSnapshot(g GlobalOptions, s *tenantguard.State) error {
	objects := 0
	for _, res := range s.Kinds {
		objects += res.Count
	}
	if g.JSON {
		for _, name := range sortedKinds(s.Kinds) {
			if err := g.printJSON(struct {
				MessageType string `json:"message_type"`
				Kind        string `json:"kind"`
				tenantguard.KindResult
			}{"kind", name, s.Kinds[name]}); err != nil {
				return err
			}
		}
		return g.printJSON(struct {
			MessageType string          `json:"message_type"`
			SnapshotID  repo.SnapshotID `json:"snapshot_id"`
			TenantID    string          `json:"tenant_id"`
			Kinds       int             `json:"kinds"`
			Objects     int             `json:"objects"`
			Refs        int             `json:"refs"`
		}{"summary", s.ID, s.TenantID, len(s.Kinds), objects, len(s.Refs)})
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tSTATUS\tOBJECTS\tNOTE")
	for _, name := range sortedKinds(s.Kinds) {
		res := s.Kinds[name]
		note := res.Error
		if res.Permission != "" {
			note = "grant " + res.Permission + ": " + note
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", name, res.Status, res.Count, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(g.Stdout, "snapshot %s of tenant %s: %d objects in %d kinds, %d referenced users, groups and roles\n",
		shortID(s.ID), s.TenantID, objects, len(s.Kinds), len(s.Refs))
	return err
}

// ConfigDiffOptions are the flags of "sg365 config diff" and "config drift".
type ConfigDiffOptions struct {
	Repo     RepoFlags
	Against  string // drift: pinned, previous or a snapshot; default pinned when a pin exists
	TenantID string // drift: whose latest snapshot
	Format   string // table, json or html; --json means json
	Out      string // write the report to this file instead of stdout
}

// AddFlags registers the flags diff and drift share.
func (o *ConfigDiffOptions) AddFlags(fs *pflag.FlagSet) {
	o.Repo.AddFlags(fs)
	fs.StringVar(&o.Format, "format", "table", "report `format`: table, json or html (a self-contained page)")
	fs.StringVar(&o.Out, "out", "", "write the report to `file` instead of standard output")
}

// Validate checks the options.
func (o ConfigDiffOptions) Validate() error {
	switch o.Format {
	case "table", "json", "html":
		return nil
	}
	return fmt.Errorf("--format %q: want table, json or html", o.Format)
}

func newConfigDiffCommand(g *GlobalOptions) *cobra.Command {
	var opts ConfigDiffOptions
	cmd := &cobra.Command{
		Use:   "diff OLD NEW [--format table|json|html] [--out FILE]",
		Short: "Show how two configuration snapshots differ",
		Long: withExitCodes(`Compare two configuration snapshots (ids or unique prefixes of at least 4
characters, from 'sg365 snapshots'): objects added, removed and changed, and
for changed objects each property that differs. Timestamps are ignored and
lists that are sets in Graph (users, groups, countries, ...) compare as sets.
--format html writes a self-contained page (no external resources) with a
summary per kind and each change.

` + configDiffHelp),
		Example: "  sg365 config diff 3f2a 9c1e\n  sg365 config diff 3f2a 9c1e --json\n  sg365 config diff 3f2a 9c1e --format html --out drift.html",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageErrorf(cmd.CommandPath(), "%q takes two snapshot ids, got %d arguments", cmd.CommandPath(), len(args))
			}
			return nil
		},
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigDiff(cmd.Context(), opts, g, args[0], args[1])
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func newConfigDriftCommand(g *GlobalOptions) *cobra.Command {
	var opts ConfigDiffOptions
	cmd := &cobra.Command{
		Use:   "drift [--against pinned|previous|SNAPSHOT] [--tenant-id ID] [--format table|json|html] [--out FILE]",
		Short: "Show what changed since the pinned baseline or an earlier snapshot",
		Long: withExitCodes(`Compare the latest configuration snapshot of a tenant with an earlier one.
--against pinned compares with the golden baseline set by 'sg365 config pin',
--against previous with the snapshot before the latest, and --against
SNAPSHOT with that snapshot. The default is pinned when the tenant has a pin,
else previous. Without --against SNAPSHOT, the tenant is the one of
--tenant-id, else the only tenant with configuration snapshots in the
repository.

` + configDiffHelp),
		Example: "  sg365 config snapshot && sg365 config drift\n  sg365 config drift --against 3f2a\n  sg365 config drift --against previous --format html --out drift.html",
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConfigDrift(cmd.Context(), opts, g)
		},
	}
	opts.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&opts.Against, "against", "", "pinned, previous, or the earlier `snapshot` (id or prefix); default pinned when a pin exists, else previous")
	cmd.Flags().StringVar(&opts.TenantID, "tenant-id", "", "the tenant `id` whose snapshots to compare")
	return cmd
}

// errConfigDiffers reports differences (exit code 4 through errFound) or
// kinds that could not be compared (exit code 3 through errPartial).
type errConfigDiffers struct {
	changed int
	unknown []string
}

func (e *errConfigDiffers) Error() string {
	msg := fmt.Sprintf("configuration differs: %d objects", e.changed)
	if len(e.unknown) > 0 {
		msg += fmt.Sprintf("; not compared: %s", strings.Join(e.unknown, ", "))
	}
	return msg
}

func (e *errConfigDiffers) Unwrap() error {
	if len(e.unknown) > 0 {
		return errPartial
	}
	return errFound
}

// configSnapshot resolves a snapshot id prefix to a configuration snapshot.
func configSnapshot(ctx context.Context, r *repo.Repository, prefix string) (repo.SnapshotInfo, error) {
	info, err := findSnapshot(ctx, r, prefix)
	if err != nil {
		return info, err
	}
	if info.Source.Workload != tenantguard.Workload {
		return info, fmt.Errorf("snapshot %s is a %s backup, not a configuration snapshot", shortID(info.ID), info.Source.Workload)
	}
	return info, nil
}

func runConfigDiff(ctx context.Context, opts ConfigDiffOptions, g *GlobalOptions, older, newer string) error {
	r, _, err := openRepo(ctx, opts.Repo, *g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	var states [2]*tenantguard.State
	for i, arg := range []string{older, newer} {
		info, err := configSnapshot(ctx, r, arg)
		if err != nil {
			return err
		}
		if states[i], err = tenantguard.Load(ctx, r, info.ID); err != nil {
			return err
		}
	}
	return diffAndReport(*g, opts, states[0], states[1], "")
}

// configTenant returns the tenant whose configuration snapshots a command
// works on: tenantID if set, else the only one in the repository.
func configTenant(ctx context.Context, r *repo.Repository, tenantID string) (string, error) {
	all, err := r.Snapshots(ctx, repo.Filter{Tenant: tenantID, Workload: tenantguard.Workload})
	if err != nil {
		return "", err
	}
	tenants := map[string]bool{}
	for _, s := range all {
		tenants[s.Source.Tenant] = true
	}
	switch {
	case len(all) == 0 && tenantID != "":
		return "", fmt.Errorf("no configuration snapshots of tenant %s; run 'sg365 config snapshot' first", tenantID)
	case len(all) == 0:
		return "", errors.New("no configuration snapshots in the repository; run 'sg365 config snapshot' first")
	case len(tenants) > 1:
		return "", fmt.Errorf("the repository holds configuration snapshots of %d tenants; choose one with --tenant-id", len(tenants))
	}
	return all[0].Source.Tenant, nil
}

func runConfigDrift(ctx context.Context, opts ConfigDiffOptions, g *GlobalOptions) error {
	r, _, err := openRepo(ctx, opts.Repo, *g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	var against repo.SnapshotInfo
	tenantID := opts.TenantID
	snapArg := opts.Against != "" && opts.Against != "pinned" && opts.Against != "previous"
	if snapArg {
		if against, err = configSnapshot(ctx, r, opts.Against); err != nil {
			return err
		}
		if tenantID != "" && tenantID != against.Source.Tenant {
			return fmt.Errorf("snapshot %s belongs to tenant %s, not %s", shortID(against.ID), against.Source.Tenant, tenantID)
		}
		tenantID = against.Source.Tenant
	}
	if tenantID, err = configTenant(ctx, r, tenantID); err != nil {
		return err
	}
	all, err := tenantguard.Snapshots(ctx, r, tenantID)
	if err != nil {
		return err
	}
	latest := all[len(all)-1]
	cur, err := tenantguard.Load(ctx, r, latest.ID)
	if err != nil {
		return err
	}
	var old *tenantguard.State
	var note string
	if !snapArg && opts.Against != "previous" {
		pin, ok, err := tenantguard.Pinned(ctx, r, tenantID)
		switch {
		case err != nil:
			return err
		case ok:
			if old, err = tenantguard.LoadPinned(ctx, r, pin); err != nil {
				return err
			}
			note = fmt.Sprintf("against the pinned baseline %s (pinned %s by %s)", shortID(pin.Snapshot), pin.Time.Format(time.DateTime), pin.By.User)
		case opts.Against == "pinned":
			return fmt.Errorf("tenant %s has no pinned baseline; set one with 'sg365 config pin SNAPSHOT'", tenantID)
		}
	}
	if old == nil {
		if !snapArg {
			if len(all) < 2 {
				return fmt.Errorf("tenant %s has one configuration snapshot; take another with 'sg365 config snapshot' to see drift", tenantID)
			}
			against = all[len(all)-2]
		}
		if old, err = tenantguard.Load(ctx, r, against.ID); err != nil {
			return err
		}
	}
	return diffAndReport(*g, opts, old, cur, note)
}

// diffAndReport diffs a (older) and b and writes the report in the
// chosen format; note says what a is, for drift.
func diffAndReport(g GlobalOptions, opts ConfigDiffOptions, a, b *tenantguard.State, note string) (err error) {
	if a.TenantID != b.TenantID && g.Stderr != nil {
		fmt.Fprintf(g.Stderr, "sg365: note: comparing snapshots of two tenants (%s, %s); objects match by id, then display name\n", a.TenantID, b.TenantID)
	}
	res := tenantguard.Diff(a, b)
	format := opts.Format
	if format == "" || format == "table" { // --json upgrades the default
		format = "table"
		if g.JSON {
			format = "json"
		}
	}
	if opts.Out != "" {
		f, err := os.Create(opts.Out)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil && cerr != nil {
				err = cerr
			}
			if err == nil || errors.Is(err, errFound) || errors.Is(err, errPartial) {
				fmt.Fprintf(g.Stderr, "sg365: report written to %s\n", opts.Out)
			}
		}()
		g.Stdout = f
	}
	switch format {
	case "html":
		err = writeConfigDiffHTML(g.Stdout, a, b, res, note)
	case "json":
		g.JSON = true
		err = printConfigDiff(g, a, b, res, note)
	default:
		g.JSON = false
		err = printConfigDiff(g, a, b, res, note)
	}
	if err != nil {
		return err
	}
	if res.Changed() > 0 || len(res.Unknown()) > 0 {
		return &errConfigDiffers{changed: res.Changed(), unknown: res.Unknown()}
	}
	return nil
}

func printConfigDiff(g GlobalOptions, a, b *tenantguard.State, res tenantguard.Result, note string) error {
	if g.JSON {
		for _, kd := range res.Kinds {
			if kd.Unknown {
				if err := g.printJSON(struct {
					MessageType string `json:"message_type"`
					Kind        string `json:"kind"`
					Reason      string `json:"reason"`
				}{"unknown", kd.Kind, kd.Reason}); err != nil {
					return err
				}
				continue
			}
			for _, oc := range kd.Objects {
				if err := g.printJSON(struct {
					MessageType string `json:"message_type"`
					Kind        string `json:"kind"`
					tenantguard.ObjectChange
				}{"change", kd.Kind, oc}); err != nil {
					return err
				}
			}
		}
		for _, m := range res.Matched {
			if err := g.printJSON(struct {
				MessageType string `json:"message_type"`
				tenantguard.Match
			}{"matched", m}); err != nil {
				return err
			}
		}
		return g.printJSON(struct {
			MessageType string          `json:"message_type"`
			From        repo.SnapshotID `json:"from"`
			To          repo.SnapshotID `json:"to"`
			Note        string          `json:"note,omitempty"`
			Changed     int             `json:"changed"`
			Unknown     []string        `json:"unknown"`
		}{"summary", a.ID, b.ID, note, res.Changed(), orEmpty(res.Unknown())})
	}
	w := g.Stdout
	fmt.Fprintf(w, "configuration %s → %s\n", shortID(a.ID), shortID(b.ID))
	if note != "" {
		fmt.Fprintln(w, note)
	}
	for _, kd := range res.Kinds {
		if kd.Unknown {
			fmt.Fprintf(w, "%s: UNKNOWN, not compared (%s)\n", kd.Kind, kd.Reason)
			continue
		}
		for _, oc := range kd.Objects {
			name := oc.Key
			if oc.DisplayName != "" {
				name = fmt.Sprintf("%q (%s)", oc.DisplayName, oc.Key)
			}
			if oc.OldKey != "" {
				name += ", formerly " + oc.OldKey
			}
			fmt.Fprintf(w, "%s: %s %s\n", kd.Kind, strings.ToUpper(oc.Op), name)
			for _, ch := range oc.Changes {
				fmt.Fprintf(w, "    %s\n", describeChange(ch, a, b))
			}
		}
	}
	for _, m := range res.Matched {
		fmt.Fprintf(w, "%s: %s now has id %s (matched by %s)\n", m.Kind, m.OldKey, m.NewKey, m.By)
	}
	_, err := fmt.Fprintf(w, "%d objects differ; %d kinds not compared\n", res.Changed(), len(res.Unknown()))
	return err
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// describeChange renders one property change for a person, naming the
// users, groups and roles of set changes.
func describeChange(ch tenantguard.Change, a, b *tenantguard.State) string {
	path := ch.Path
	if path == "" {
		path = "(object)"
	}
	if ch.Added != nil || ch.Removed != nil {
		var parts []string
		for _, v := range ch.Added {
			parts = append(parts, "+"+refName(v, a, b))
		}
		for _, v := range ch.Removed {
			parts = append(parts, "-"+refName(v, a, b))
		}
		return path + ": " + strings.Join(parts, " ")
	}
	old, nw := "(absent)", "(absent)"
	if ch.Old != nil {
		old = compactJSON(ch.Old)
	}
	if ch.New != nil {
		nw = compactJSON(ch.New)
	}
	return path + ": " + old + " → " + nw
}

func refName(v any, states ...*tenantguard.State) string {
	s, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		return string(b)
	}
	for _, st := range slices.Backward(states) {
		if ref, ok := st.Refs[s]; ok && ref.DisplayName != "" {
			return fmt.Sprintf("%s %q (%s)", ref.Type, ref.DisplayName, s)
		}
	}
	return s
}

// compactJSON shortens long values for the table.
func compactJSON(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	out, _ := json.Marshal(v)
	if len(out) > 120 {
		return string(out[:117]) + "..."
	}
	return string(out)
}
