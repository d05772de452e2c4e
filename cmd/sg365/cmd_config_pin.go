package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/tenantguard"
)

// ConfigPinOptions are the flags of "sg365 config pin".
type ConfigPinOptions struct {
	Repo     RepoFlags
	Show     bool
	Clear    bool
	TenantID string
}

// AddFlags registers the command's flags.
func (o *ConfigPinOptions) AddFlags(fs *pflag.FlagSet) {
	o.Repo.AddFlags(fs)
	fs.BoolVar(&o.Show, "show", false, "print the pinned baseline")
	fs.BoolVar(&o.Clear, "clear", false, "remove the pin: drift compares with the previous snapshot again")
	fs.StringVar(&o.TenantID, "tenant-id", "", "with --show or --clear: the tenant `id` (default: the only tenant with configuration snapshots)")
}

// validate checks the options against the arguments.
func (o ConfigPinOptions) validate(cmdPath string, args []string) error {
	switch {
	case o.Show && o.Clear:
		return usageErrorf(cmdPath, "--show and --clear exclude each other")
	case (o.Show || o.Clear) && len(args) != 0:
		return usageErrorf(cmdPath, "--show and --clear take no snapshot")
	case !o.Show && !o.Clear && len(args) != 1:
		return usageErrorf(cmdPath, "%q takes one snapshot id, or --show or --clear", cmdPath)
	}
	return nil
}

func newConfigPinCommand(g *GlobalOptions) *cobra.Command {
	var opts ConfigPinOptions
	cmd := &cobra.Command{
		Use:   "pin SNAPSHOT | --show | --clear",
		Short: "Mark a configuration snapshot as the tenant's golden baseline",
		Long: withExitCodes(`Mark a configuration snapshot as the baseline of its tenant. From then on
'sg365 config drift' compares the latest snapshot with it (unless given
--against previous or a snapshot). The pin is kept in the repository as a
snapshot of workload ` + tenantguard.PinWorkload + ` holding a copy of the pinned
configuration, so that forgetting old snapshots never removes the baseline.
--show prints the pin, --clear removes it.`),
		Example: "  sg365 config pin 3f2a\n  sg365 config pin --show\n  sg365 config pin --clear",
		Args: func(cmd *cobra.Command, args []string) error {
			return opts.validate(cmd.CommandPath(), args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			arg := ""
			if len(args) == 1 {
				arg = args[0]
			}
			return runConfigPin(cmd.Context(), opts, *g, arg)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runConfigPin(ctx context.Context, opts ConfigPinOptions, g GlobalOptions, snapArg string) error {
	r, _, err := openRepo(ctx, opts.Repo, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	var pin tenantguard.PinInfo
	pinned := true
	switch {
	case snapArg != "":
		info, err := configSnapshot(ctx, r, snapArg)
		if err != nil {
			return err
		}
		if pin, err = tenantguard.Pin(ctx, r, info.ID, actor(), time.Now()); err != nil {
			return err
		}
	default:
		tenantID, err := configTenant(ctx, r, opts.TenantID)
		if err != nil {
			return err
		}
		if opts.Clear {
			if pin, err = tenantguard.ClearPin(ctx, r, tenantID, actor(), time.Now()); err != nil {
				return err
			}
			pinned = false
		} else if pin, pinned, err = tenantguard.Pinned(ctx, r, tenantID); err != nil {
			return err
		} else if pin.TenantID == "" {
			pin.TenantID = tenantID
		}
	}
	return printPin(g, pin, pinned, opts)
}

func printPin(g GlobalOptions, pin tenantguard.PinInfo, pinned bool, opts ConfigPinOptions) error {
	if g.JSON {
		return g.printJSON(struct {
			MessageType string          `json:"message_type"`
			Pinned      bool            `json:"pinned"`
			Record      repo.SnapshotID `json:"record,omitempty"`
			tenantguard.PinInfo
		}{"pin", pinned, pin.Record, pin})
	}
	w := g.Stdout
	switch {
	case pinned:
		verb := "is pinned"
		if !opts.Show {
			verb = "pinned"
		}
		_, err := fmt.Fprintf(w, "tenant %s: configuration snapshot %s %s as the baseline (%s by %s@%s); 'sg365 config drift' now compares with it\n",
			pin.TenantID, pin.Snapshot, verb, pin.Time.Format(time.DateTime), pin.By.User, pin.By.Host)
		return err
	case opts.Clear:
		_, err := fmt.Fprintf(w, "tenant %s: pin cleared; 'sg365 config drift' compares with the previous snapshot\n", pin.TenantID)
		return err
	case pin.Cleared:
		_, err := fmt.Fprintf(w, "tenant %s: no baseline is pinned (cleared %s by %s)\n", pin.TenantID, pin.Time.Format(time.DateTime), pin.By.User)
		return err
	}
	_, err := fmt.Fprintf(w, "tenant %s: no baseline is pinned\n", pin.TenantID)
	return err
}
