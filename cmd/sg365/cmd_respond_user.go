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
	"github.com/safeguard365/safeguard365/internal/userguard"
)

// RespondUserOptions are the flags of "sg365 respond user".
type RespondUserOptions struct {
	TenantFlags
	Repo    RepoFlags
	Confirm bool // --confirm: execute
	OnPrem  bool // --on-prem: act on the AD account through Defender for Identity
}

// AddFlags registers the command's flags.
func (o *RespondUserOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	o.Repo.AddFlags(fs)
	fs.BoolVar(&o.Confirm, "confirm", false, "execute the action (without it, only print the call that would be made)")
	fs.BoolVar(&o.OnPrem, "on-prem", false, "act on the on-premises Active Directory account through Defender for Identity")
}

// Validate checks the arguments.
func (o *RespondUserOptions) Validate(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("want ACTION USER, got %d argument(s)", len(args))
	}
	action := args[0]
	cloud, onPrem := slices.Contains(userguard.UserActions(), action), slices.Contains(userguard.OnPremActions(), action)
	switch {
	case !cloud && !onPrem:
		return fmt.Errorf("unknown action %q: want %s, or with --on-prem %s", action,
			strings.Join(userguard.UserActions(), ", "), strings.Join(userguard.OnPremActions(), ", "))
	case o.OnPrem && !onPrem:
		return fmt.Errorf("%s acts on the Entra ID user only: drop --on-prem (with --on-prem: %s)", action,
			strings.Join(userguard.OnPremActions(), ", "))
	case !o.OnPrem && !cloud:
		return fmt.Errorf("%s exists only for on-premises AD accounts: add --on-prem", action)
	}
	return nil
}

// respondUserActions lists every action name for the usage line.
func respondUserActions() []string {
	all := userguard.UserActions()
	for _, a := range userguard.OnPremActions() {
		if !slices.Contains(all, a) {
			all = append(all, a)
		}
	}
	return all
}

func newRespondUserCommand(g *GlobalOptions) *cobra.Command {
	var opts RespondUserOptions
	cmd := &cobra.Command{
		Use:   "user " + strings.Join(respondUserActions(), "|") + " USER [--on-prem] [--confirm]",
		Short: "Revoke sessions, disable, enable, reset the password, confirm compromised or dismiss the risk of a user",
		Long: withExitCodes(`Run a response action on an Entra ID user, named by UPN or object id, or
with --on-prem on its on-premises Active Directory account.

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

With --on-prem the action goes to the AD account through Microsoft Defender
for Identity, which carries it out with its sensor on a domain controller:

  disable, enable,     POST /security/identities/identityAccounts/{id}/invokeAction
  force-password-reset {"accountId": "<AD account id>", "action": "disable" |
                       "enable" | "forcePasswordReset", "identityProvider":
                       "activeDirectory"} (SecurityIdentitiesActions.ReadWrite.All;
                       finding the account needs SecurityIdentitiesAccount.Read.All;
                       a Defender for Identity sensor must cover the domain)

USER is then a UPN, DOMAIN\name (name: the UPN's part before "@" or the
display name), an on-premises or cloud SID, or an identity account, AD account
or Entra ID object id. When several accounts match, they are listed: name one
by SID or id. force-password-reset exists only with --on-prem;
revoke-sessions, confirm-compromised and dismiss-risk only without it. A
disable or enable reaches a synced Entra ID user at the next directory sync.`),
		Example: "  sg365 respond user revoke-sessions adele@contoso.com\n  sg365 respond user disable adele@contoso.com --confirm\n" +
			"  sg365 respond user force-password-reset 'CONTOSO\\adele' --on-prem --confirm",
		Args: cobra.ArbitraryArgs,
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
	tc, err := connectTenant(ctx, g, opts.TenantFlags)
	if err != nil {
		return err
	}
	r := &userguard.Responder{Graph: tc.Graph}
	plan := r.PlanUser
	if opts.OnPrem {
		plan = r.PlanOnPrem
	}
	p, err := plan(ctx, action, user)
	if err != nil {
		return err
	}
	return runAudited(ctx, g, tc.TenantID, opts.Repo, p, !opts.Confirm, func() (audit.Outcome, error) {
		out, _, err := r.Execute(ctx, p)
		return out, err
	})
}

// runAudited prints plan and, unless dry, runs it with execAudited.
func runAudited(ctx context.Context, g GlobalOptions, tenantID string, rf RepoFlags, plan *audit.Plan, dry bool,
	exec func() (audit.Outcome, error)) error {
	if err := printPlan(g, plan, dry); err != nil {
		return err
	}
	if dry {
		return nil
	}
	return execAudited(ctx, g, tenantID, rf, plan, exec)
}

// execAudited opens the repository (so the audit log is writable before
// anything is sent), runs exec and appends its outcome to tenantID's audit
// log, even when exec failed or ctx was cancelled. It returns exec's error
// joined with the audit's.
func execAudited(ctx context.Context, g GlobalOptions, tenantID string, rf RepoFlags, plan *audit.Plan,
	exec func() (audit.Outcome, error)) error {
	rp, _, err := openRepo(ctx, rf, g)
	if err != nil {
		return fmt.Errorf("open the repository for the audit log (nothing was done): %w", err)
	}
	defer rp.Close(ctx)
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
