package main

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/tenantguard"
)

// ConfigRestoreOptions are the flags of "sg365 config restore".
type ConfigRestoreOptions struct {
	TenantFlags
	Repo            RepoFlags
	Kinds           []string
	IDs             []string
	Prune           bool
	AllowPrivileged bool
	Apply           bool
	Workers         int
}

// AddFlags registers the command's flags.
func (o *ConfigRestoreOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	o.Repo.AddFlags(fs)
	fs.StringSliceVar(&o.Kinds, "kind", nil, "restore only these kinds (repeat or separate with commas; default: all): "+strings.Join(tenantguard.KindNames(), ", "))
	fs.StringSliceVar(&o.IDs, "id", nil, "restore only these objects, by `id` or display name (repeat or separate with commas)")
	fs.BoolVar(&o.Prune, "prune", false, "also delete objects the snapshot does not have (never in a kind a snapshot failed to read)")
	fs.BoolVar(&o.AllowPrivileged, "allow-privileged", false, "also restore directory roles and PIM settings")
	fs.BoolVar(&o.Apply, "apply", false, "make the changes (without it, only print the plan)")
	fs.IntVar(&o.Workers, "workers", 4, "kinds read at once")
}

// Validate checks the options.
func (o ConfigRestoreOptions) Validate() error {
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

func newConfigRestoreCommand(g *GlobalOptions) *cobra.Command {
	var opts ConfigRestoreOptions
	cmd := &cobra.Command{
		Use:   "restore SNAPSHOT [--kind K ...] [--id ID ...] [--prune] [--allow-privileged] [--apply]",
		Short: "Roll the tenant's configuration back to a snapshot (plan, then --apply)",
		Long: withExitCodes(`Compare a configuration snapshot with the tenant and print what a restore
would do, per object: create, update (with the properties that change),
delete-extra (only with --prune), or skip with the reason. Nothing changes
without --apply.

With --apply the changes are made kind by kind in dependency order: named
locations and authentication strengths before the conditional access
policies that name them. Objects match by id, then by display name. An
object recreated under a new id has every reference to its old id in later
objects rewritten; users, groups and roles that no longer exist are found by
the name the snapshot recorded, and an object whose reference cannot be
found fails alone. --kind and --id touch nothing else. Roles and PIM are
restored only with --allow-privileged; a kind the snapshot failed to read is
never restored or pruned.

Every --apply is recorded in the repository (who, when, the scope, each
Graph call and its result) as a snapshot of workload ` + tenantguard.AuditWorkload + `;
the command prints its id. Exit code 3 means some objects failed.`),
		Example: "  sg365 config restore 3f2a\n  sg365 config restore 3f2a --kind conditionalAccessPolicies --apply\n  sg365 config restore 3f2a --prune --apply --json",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf(cmd.CommandPath(), "%q takes one snapshot id, got %d arguments", cmd.CommandPath(), len(args))
			}
			return nil
		},
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigRestore(cmd.Context(), opts, *g, args[0])
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// actor names who runs the command, for audit and pin records.
func actor() tenantguard.Actor {
	a := tenantguard.Actor{User: os.Getenv("USER")}
	if u, err := user.Current(); err == nil && u.Username != "" {
		a.User = u.Username
	}
	a.Host, _ = os.Hostname()
	return a
}

func runConfigRestore(ctx context.Context, opts ConfigRestoreOptions, g GlobalOptions, snapArg string) error {
	r, _, err := openRepo(ctx, opts.Repo, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	info, err := configSnapshot(ctx, r, snapArg)
	if err != nil {
		return err
	}
	snap, err := tenantguard.Load(ctx, r, info.ID)
	if err != nil {
		return err
	}
	tc, err := connectTenant(ctx, g, opts.TenantFlags)
	if err != nil {
		return err
	}
	c, tenantID := tc.Graph, tc.TenantID
	if snap.TenantID != tenantID {
		fmt.Fprintf(g.Stderr, "sg365: note: snapshot of tenant %s restored into tenant %s: objects match by display name, users and groups by name\n",
			snap.TenantID, tenantID)
	}
	plan, err := tenantguard.Plan(ctx, c, snap, nil, tenantguard.RestoreOptions{Kinds: opts.Kinds, IDs: opts.IDs,
		Prune: opts.Prune, AllowPrivileged: opts.AllowPrivileged, TenantID: tenantID, Workers: opts.Workers})
	if err != nil {
		return err
	}
	if !opts.Apply {
		if err := printConfigRestoreSteps(g, plan.Steps, plan.Mappings, false); err != nil {
			return err
		}
		return printConfigRestoreSummary(g, plan, nil, nil)
	}
	started := time.Now()
	res, applyErr := tenantguard.Apply(ctx, c, plan)
	rec := tenantguard.NewAuditRecord(plan, res, actor(), started, time.Now())
	audit, auditErr := tenantguard.SaveAudit(context.WithoutCancel(ctx), r, rec)
	if err := printConfigRestoreSteps(g, res.Steps, plan.Mappings, true); err != nil {
		return err
	}
	if auditErr == nil {
		if err := printConfigRestoreSummary(g, plan, res, &audit); err != nil {
			return err
		}
	}
	switch {
	case applyErr != nil:
		return applyErr
	case auditErr != nil:
		return fmt.Errorf("the restore ran (%d applied, %d failed) but its audit record could not be stored: %w", res.Applied, res.Failed, auditErr)
	case res.Failed > 0:
		return fmt.Errorf("%d of %d changes failed: %w", res.Failed, res.Failed+res.Applied, errPartial)
	}
	return nil
}

// printConfigRestoreSteps prints the steps that do something (unchanged ones
// only in JSON), and the references mapped to other ids.
func printConfigRestoreSteps(g GlobalOptions, steps []tenantguard.Step, maps []tenantguard.Mapping, applied bool) error {
	if g.JSON {
		for _, st := range steps {
			if err := g.printJSON(struct {
				MessageType string   `json:"message_type"`
				Paths       []string `json:"paths,omitempty"`
				tenantguard.Step
			}{"step", st.Paths(), st}); err != nil {
				return err
			}
		}
		for _, m := range maps {
			if err := g.printJSON(struct {
				MessageType string `json:"message_type"`
				tenantguard.Mapping
			}{"mapping", m}); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 0, 2, ' ', 0)
	head := "KIND\tACTION\tOBJECT\tDETAIL"
	if applied {
		head = "KIND\tACTION\tOBJECT\tRESULT\tDETAIL"
	}
	fmt.Fprintln(tw, head)
	for _, st := range steps {
		if st.Action == tenantguard.ActionUnchanged {
			continue
		}
		obj := st.Key
		if st.DisplayName != "" {
			obj = fmt.Sprintf("%q (%s)", st.DisplayName, st.Key)
		}
		if obj == "" {
			obj = "(all objects)"
		}
		detail := st.Reason
		if st.Action == tenantguard.ActionUpdate {
			detail = strings.Join(st.Paths(), ", ")
		}
		if st.LiveKey != "" {
			detail += " (in the tenant as " + st.LiveKey + ")"
		}
		if st.NewKey != "" && st.NewKey != st.Key {
			detail += " → new id " + st.NewKey
		}
		if st.Error != "" {
			detail += " ERROR: " + st.Error
		}
		if applied {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", st.Kind, st.Action, obj, orDash(st.Result), strings.TrimSpace(detail))
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", st.Kind, st.Action, obj, strings.TrimSpace(detail))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, m := range maps {
		fmt.Fprintf(g.Stdout, "reference %s %s → %s (matched by %s)\n", m.Type, m.Old, m.New, m.By)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printConfigRestoreSummary(g GlobalOptions, p *tenantguard.RestorePlan, res *tenantguard.ApplyResult, audit *repo.SnapshotInfo) error {
	counts := map[tenantguard.Action]int{}
	for _, a := range []tenantguard.Action{tenantguard.ActionCreate, tenantguard.ActionUpdate, tenantguard.ActionDelete,
		tenantguard.ActionUnchanged, tenantguard.ActionSkip} {
		counts[a] = p.Count(a)
	}
	if g.JSON {
		s := struct {
			MessageType string                     `json:"message_type"`
			Snapshot    repo.SnapshotID            `json:"snapshot"`
			TenantID    string                     `json:"tenant_id"`
			Applied     bool                       `json:"applied"`
			Plan        map[tenantguard.Action]int `json:"plan"`
			Done        int                        `json:"done"`
			Failed      int                        `json:"failed"`
			Audit       repo.SnapshotID            `json:"audit_snapshot,omitempty"`
		}{MessageType: "summary", Snapshot: p.SnapshotID, TenantID: p.TenantID, Applied: res != nil, Plan: counts}
		if res != nil {
			s.Done, s.Failed = res.Applied, res.Failed
		}
		if audit != nil {
			s.Audit = audit.ID
		}
		return g.printJSON(s)
	}
	w := g.Stdout
	fmt.Fprintf(w, "plan of snapshot %s for tenant %s: %d create, %d update, %d delete-extra, %d unchanged, %d skipped\n",
		shortID(p.SnapshotID), p.TenantID, counts[tenantguard.ActionCreate], counts[tenantguard.ActionUpdate],
		counts[tenantguard.ActionDelete], counts[tenantguard.ActionUnchanged], counts[tenantguard.ActionSkip])
	if res == nil {
		if p.Writes() {
			_, err := fmt.Fprintln(w, "nothing was changed: run again with --apply to make these changes")
			return err
		}
		_, err := fmt.Fprintln(w, "the tenant matches the snapshot in this scope: nothing to do")
		return err
	}
	fmt.Fprintf(w, "applied %d changes, %d failed, in %d Graph calls\n", res.Applied, res.Failed, len(res.Calls))
	_, err := fmt.Fprintf(w, "recorded in the repository: snapshot %s (workload %s, file audit.json)\n",
		audit.ID, tenantguard.AuditWorkload)
	return err
}
