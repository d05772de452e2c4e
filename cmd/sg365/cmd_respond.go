package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/safeguard365/safeguard365/internal/audit"
	"github.com/safeguard365/safeguard365/internal/deviceguard"
)

func newRespondCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "respond",
		Short: "Run a response action on a device or a user (dry run unless --confirm)",
		Long: `Respond to a threat: every action is a dry run that prints the exact call
unless --confirm is given; retire and wipe also need the device name typed
back on a terminal, or --force. Every executed or attempted action is
written to the audit log in the repository ("sg365 audit").`,
	}
	groupCommand(cmd)
	cmd.AddCommand(newRespondDeviceCommand(g), newRespondUserCommand(g))
	return cmd
}

// RespondDeviceOptions are the flags of "sg365 respond device".
type RespondDeviceOptions struct {
	TenantFlags
	MDE                MDEFlags
	Repo               RepoFlags
	Confirm            bool   // --confirm: execute
	Force              bool   // --force: no typed confirmation for retire and wipe
	Full               bool   // --full: full scan
	IsolationType      string // --isolation
	KeepUserData       bool
	KeepEnrollmentData bool
	Comment            string
}

// AddFlags registers the command's flags.
func (o *RespondDeviceOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	o.MDE.AddFlags(fs)
	o.Repo.AddFlags(fs)
	fs.BoolVar(&o.Confirm, "confirm", false, "execute the action (without it, only print the call that would be made)")
	fs.BoolVar(&o.Force, "force", false, "retire or wipe without typing the device name back")
	fs.BoolVar(&o.Full, "full", false, "scan: run a full scan instead of a quick scan")
	fs.StringVar(&o.IsolationType, "isolation", "Full", "isolate: `type` Full or Selective (Selective keeps Outlook, Teams and Skype working)")
	fs.BoolVar(&o.KeepUserData, "keep-user-data", false, "wipe: keep the user's data on the device")
	fs.BoolVar(&o.KeepEnrollmentData, "keep-enrollment-data", false, "wipe: keep the enrollment so the device re-enrolls")
	fs.StringVar(&o.Comment, "comment", "", "isolate, release: the `comment` Defender for Endpoint records (default: who ran sg365)")
}

// Validate checks the flags and arguments.
func (o *RespondDeviceOptions) Validate(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("want ACTION DEVICE, got %d argument(s)", len(args))
	}
	if !slices.Contains(deviceguard.Actions(), args[0]) {
		return fmt.Errorf("unknown action %q: want %s", args[0], strings.Join(deviceguard.Actions(), ", "))
	}
	if o.IsolationType != "Full" && o.IsolationType != "Selective" {
		return fmt.Errorf("--isolation %q: want Full or Selective", o.IsolationType)
	}
	if o.Force && !o.Confirm {
		return errors.New("--force only applies with --confirm")
	}
	return nil
}

func newRespondDeviceCommand(g *GlobalOptions) *cobra.Command {
	var opts RespondDeviceOptions
	cmd := &cobra.Command{
		Use:   "device " + strings.Join(deviceguard.Actions(), "|") + " DEVICE [--confirm [--force]]",
		Short: "Sync, scan, update, reboot, lock, isolate, release, retire or wipe a device",
		Long: withExitCodes(`Run a response action on a device, named by its Intune device name or id
(isolate and release also take a Defender for Endpoint machine id or DNS
name).

  sync, scan, update-signatures, reboot, lock, retire, wipe
        Intune device actions (POST .../managedDevices/{id}/ACTION); need
        DeviceManagementManagedDevices.PrivilegedOperations.All.
  isolate, release
        Defender for Endpoint machine actions (POST /api/machines/{id}/isolate
        or unisolate); need Machine.Isolate on WindowsDefenderATP.

Without --confirm nothing is sent: the command resolves the device and
prints the exact call. retire and wipe also need the device name typed back
on a terminal, or --force. The repository must be reachable: every executed
or attempted action is appended to its audit log before the command ends.`),
		Example: "  sg365 respond device isolate LT-ADELE-01\n  sg365 respond device isolate LT-ADELE-01 --confirm\n" +
			"  sg365 respond device wipe \"Adele's iPhone\" --confirm",
		Args: cobra.ArbitraryArgs,
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Validate(args); err != nil {
				return &usageError{cmdPath: cmd.CommandPath(), err: err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRespondDevice(cmd.Context(), opts, *g, args[0], args[1])
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// respondPlanJSON is the planned call in --json output.
type respondPlanJSON struct {
	MessageType string            `json:"message_type"` // "plan"
	DryRun      bool              `json:"dry_run"`
	Plan        *deviceguard.Plan `json:"plan"`
}

// respondResultJSON is the outcome in --json output.
type respondResultJSON struct {
	MessageType string `json:"message_type"` // "result"
	Result      string `json:"result"`
	Detail      string `json:"detail,omitempty"`
	Error       string `json:"error,omitempty"`
	Audited     bool   `json:"audited"`
}

// readConfirmation asks on the terminal for the device name; tests
// replace it. ok is false when stdin is not a terminal.
var readConfirmation = func(g GlobalOptions, prompt string) (answer string, ok bool, err error) {
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return "", false, nil
	}
	fmt.Fprint(g.Stderr, prompt)
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", true, err
	}
	return strings.TrimSpace(line), true, nil
}

// errNotConfirmed marks a destructive action the operator did not confirm.
var errNotConfirmed = errors.New("not confirmed; nothing was done")

func runRespondDevice(ctx context.Context, opts RespondDeviceOptions, g GlobalOptions, action, device string) error {
	tc, m, err := deviceClients(ctx, g, opts.TenantFlags, opts.MDE, false)
	if err != nil {
		return err
	}
	r := &deviceguard.Responder{Graph: tc.Graph, MDE: m}
	comment := opts.Comment
	if comment == "" {
		comment = "sg365 respond device " + action + " by " + deviceguard.Actor()
	}
	plan, err := r.Plan(ctx, action, device, deviceguard.Params{FullScan: opts.Full, IsolationType: opts.IsolationType,
		KeepUserData: opts.KeepUserData, KeepEnrollmentData: opts.KeepEnrollmentData, Comment: comment})
	if err != nil {
		return err
	}
	if err := printPlan(g, plan, !opts.Confirm); err != nil {
		return err
	}
	if !opts.Confirm {
		return nil
	}
	if plan.Destructive && !opts.Force {
		answer, ok, err := readConfirmation(g, fmt.Sprintf("%s erases or unenrolls %s. Type the device name to confirm: ", action, plan.Target.Name()))
		switch {
		case err != nil:
			return err
		case !ok:
			return fmt.Errorf("%s needs the device name typed on a terminal, or --force: %w", action, errNotConfirmed)
		case answer != plan.Target.Name():
			return fmt.Errorf("typed %q, not %q: %w", answer, plan.Target.Name(), errNotConfirmed)
		}
	}
	return execAudited(ctx, g, tc.TenantID, opts.Repo, plan, func() (audit.Outcome, error) { return r.Execute(ctx, plan) })
}

func printPlan(g GlobalOptions, p *deviceguard.Plan, dry bool) error {
	if g.JSON {
		return g.printJSON(respondPlanJSON{"plan", dry, p})
	}
	verb := "calling"
	if dry {
		verb = "dry run: would call"
	}
	fmt.Fprintf(g.Stdout, "%s %s on %s:\n  %s\n", verb, p.Action, p.Target.Name(), p.Call())
	if p.Body != nil {
		b, _ := json.Marshal(p.Body)
		fmt.Fprintf(g.Stdout, "  body: %s\n", b)
	}
	fmt.Fprintf(g.Stdout, "  needs: %s\n", p.Permission)
	if dry {
		extra := ""
		if p.Destructive {
			extra = " (and type the device name, or add --force)"
		}
		fmt.Fprintf(g.Stdout, "nothing was sent; run again with --confirm to execute%s\n", extra)
	}
	return nil
}

func printOutcome(g GlobalOptions, e deviceguard.AuditEntry, audited bool) error {
	if g.JSON {
		return g.printJSON(respondResultJSON{"result", e.Result, e.Detail, e.Error, audited})
	}
	line := e.Result
	if e.Detail != "" {
		line += ": " + e.Detail
	}
	if e.Error != "" {
		line += ": " + e.Error
	}
	if audited {
		line += " (recorded in the audit log)"
	}
	_, err := fmt.Fprintln(g.Stdout, line)
	return err
}
