package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/audit"
	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/userguard"
)

// RespondUserOptions are the flags of "sg365 respond user".
type RespondUserOptions struct {
	TenantFlags
	Repo    RepoFlags
	Confirm bool // --confirm: execute
}

// AddFlags registers the command's flags.
func (o *RespondUserOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	o.Repo.AddFlags(fs)
	fs.BoolVar(&o.Confirm, "confirm", false, "execute the action (without it, only print the call that would be made)")
}

// Validate checks the arguments.
func (o *RespondUserOptions) Validate(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("want ACTION UPN, got %d argument(s)", len(args))
	}
	if !slices.Contains(userguard.UserActions(), args[0]) {
		return fmt.Errorf("unknown action %q: want %s", args[0], strings.Join(userguard.UserActions(), ", "))
	}
	return nil
}

func newRespondUserCommand(g *GlobalOptions) *cobra.Command {
	var opts RespondUserOptions
	cmd := &cobra.Command{
		Use:   "user " + strings.Join(userguard.UserActions(), "|") + " UPN [--confirm]",
		Short: "Revoke sessions, disable, enable, confirm compromised or dismiss the risk of a user",
		Long: withExitCodes(`Run a response action on an Entra ID user, named by UPN or object id.

  revoke-sessions      POST /users/{id}/revokeSignInSessions: refresh tokens
                       and session cookies stop working (User.RevokeSessions.All)
  disable, enable      PATCH /users/{id} {"accountEnabled": false|true}
                       (User.EnableDisableAccount.All)
  confirm-compromised  POST /identityProtection/riskyUsers/confirmCompromised:
                       user risk becomes high (IdentityRiskyUser.ReadWrite.All, P2)
  dismiss-risk         POST /identityProtection/riskyUsers/dismiss
                       (IdentityRiskyUser.ReadWrite.All, P2)

Without --confirm nothing is sent: the command resolves the user and prints
the exact call. The repository must be reachable: every executed or
attempted action is appended to its audit log ("sg365 audit").

On-premises accounts: Defender for Identity's identityAccounts/invokeAction
(disable, enable, force password reset of an AD account) is not supported
yet.`),
		Example: "  sg365 respond user revoke-sessions adele@contoso.com\n  sg365 respond user disable adele@contoso.com --confirm",
		Args:    cobra.ArbitraryArgs,
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Validate(args); err != nil {
				return &usageError{cmdPath: cmd.CommandPath(), err: err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRespondUser(cmd.Context(), opts, *g, args[0], args[1])
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runRespondUser(ctx context.Context, opts RespondUserOptions, g GlobalOptions, action, user string) error {
	_, c, _, err := deviceClients(g, opts.TenantFlags, MDEFlags{}, true)
	if err != nil {
		return err
	}
	r := &userguard.Responder{Graph: c}
	plan, err := r.PlanUser(ctx, action, user)
	if err != nil {
		return err
	}
	return runAudited(ctx, g, c, opts.Repo, plan, !opts.Confirm, func() (audit.Outcome, error) {
		out, _, err := r.Execute(ctx, plan)
		return out, err
	})
}

// runAudited prints plan and, unless dry, opens the repository (so the
// audit log is writable before anything is sent), runs exec and appends
// its outcome to the audit log, even when exec failed or ctx was
// cancelled. It returns exec's error joined with the audit's.
func runAudited(ctx context.Context, g GlobalOptions, c *graph.Client, rf RepoFlags, plan *audit.Plan, dry bool,
	exec func() (audit.Outcome, error)) error {
	if err := printPlan(g, plan, dry); err != nil {
		return err
	}
	if dry {
		return nil
	}
	rp, _, err := openRepo(ctx, rf, g)
	if err != nil {
		return fmt.Errorf("open the repository for the audit log (nothing was done): %w", err)
	}
	defer rp.Close(ctx)
	tenantID := ""
	if info, err := c.TokenInfo(ctx); err == nil {
		tenantID = info.TenantID
	}
	out, execErr := exec()
	entry := audit.NewEntry(time.Now(), audit.Actor(), tenantID, plan, out, execErr)
	if entry.Tenant == "" {
		entry.Tenant = "unknown"
	}
	auditErr := audit.Append(context.WithoutCancel(ctx), rp, entry)
	if err := printOutcome(g, entry, auditErr == nil); err != nil {
		return err
	}
	if auditErr != nil {
		auditErr = fmt.Errorf("the action's audit entry was not written: %w", auditErr)
	}
	return errors.Join(execErr, auditErr)
}
