package userguard

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/audit"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// ActionForcePasswordReset makes an on-premises AD user change its password
// at next logon. It exists only for on-premises accounts.
const ActionForcePasswordReset = "force-password-reset"

// OnPremActions lists the actions on on-premises AD accounts, in help order.
func OnPremActions() []string {
	return []string{ActionDisable, ActionEnable, ActionForcePasswordReset}
}

// onPremGraphAction maps an action to invokeAction's action value.
var onPremGraphAction = map[string]string{
	ActionDisable:            graph.IdentityActionDisable,
	ActionEnable:             graph.IdentityActionEnable,
	ActionForcePasswordReset: graph.IdentityActionForcePasswordReset,
}

// PermissionOnPrem is what the on-premises actions need.
const PermissionOnPrem = "SecurityIdentitiesActions.ReadWrite.All (Microsoft Graph; Defender for Identity sensor required)"

// ErrNoAccount is returned when no identity account matches.
var ErrNoAccount = errors.New("no such on-premises account")

// ErrAmbiguousAccount is returned when several identity accounts match; the
// error lists them.
var ErrAmbiguousAccount = errors.New("several on-premises accounts match")

// identityAccountAPI is what the on-premises actions call; *graph.Client
// implements it.
type identityAccountAPI interface {
	IdentityAccounts(ctx context.Context, filter string) iter.Seq2[graph.IdentityAccount, error]
	InvokeIdentityAccountAction(ctx context.Context, id string, in graph.IdentityAction) (*graph.IdentityActionResult, error)
}

var sidPattern = regexp.MustCompile(`^S-1-\d+(-\d+)+$`)

// PlanOnPrem resolves account to one Defender for Identity identity account
// and returns the invokeAction call that runs action on its Active
// Directory account. account is a UPN or email address, DOMAIN\name, a SID
// (on-premises or cloud), or an id: the identity account's, its AD
// account's or its Entra ID object id.
//
// identityAccounts has no sAMAccountName, so in DOMAIN\name the name is
// compared with the UPN's part before "@" and with the display name, and
// DOMAIN with the AD domain's DNS name or its first label (usually the
// NetBIOS name). A SID is exact; use it when names are ambiguous.
func (r *Responder) PlanOnPrem(ctx context.Context, action, account string) (*audit.Plan, error) {
	gAction, ok := onPremGraphAction[action]
	if !ok {
		return nil, fmt.Errorf("unknown on-premises action %q (want %s)", action, strings.Join(OnPremActions(), ", "))
	}
	account = strings.TrimSpace(account)
	if account == "" {
		return nil, fmt.Errorf("empty account name: %w", ErrNoAccount)
	}
	filter := ""
	if sidPattern.MatchString(account) && strings.HasPrefix(account, "S-1-5-") {
		// The list page documents this filter; other matches are local.
		filter = "onPremisesSecurityIdentifier eq '" + account + "'"
	}
	var matches []graph.IdentityAccount
	for ia, err := range r.Graph.IdentityAccounts(ctx, filter) {
		if err != nil {
			return nil, explain(err, "GET /security/identities/identityAccounts")
		}
		if accountMatches(ia, account) {
			matches = append(matches, ia)
		}
	}
	switch len(matches) {
	case 0:
		return nil, fmt.Errorf("%q: %w", account, ErrNoAccount)
	case 1:
	default:
		var lines []string
		for _, m := range matches {
			lines = append(lines, fmt.Sprintf("  %s  %s (%s) %s %s", m.ID, m.DisplayName, m.Domain,
				orDash(m.UserPrincipalName), orDash(m.OnPremisesSecurityIdentifier)))
		}
		return nil, fmt.Errorf("%q: %w; name one by SID or id:\n%s", account, ErrAmbiguousAccount, strings.Join(lines, "\n"))
	}
	ia := matches[0]
	ad, ok := ia.Account(graph.IdentityProviderActiveDirectory)
	if !ok || ad.Identifier == "" {
		var have []string
		for _, a := range ia.Accounts {
			have = append(have, a.IdentityProvider)
		}
		return nil, fmt.Errorf("%s (%s) has no Active Directory account (accounts: %s); use the action without --on-prem for Entra ID",
			ia.DisplayName, ia.ID, orDash(strings.Join(have, ", ")))
	}
	return &audit.Plan{
		Action: action,
		Target: audit.Target{IdentityAccountID: ia.ID, AccountName: ia.DisplayName, AccountDomain: ia.Domain,
			OnPremisesSID: ia.OnPremisesSecurityIdentifier, UserPrincipalName: ia.UserPrincipalName},
		Method: http.MethodPost,
		URL:    r.Graph.BaseURL() + graph.Pathf("/security/identities/identityAccounts/%s/invokeAction", ia.ID),
		Body: map[string]any{"accountId": ad.Identifier, "action": gAction,
			"identityProvider": graph.IdentityProviderActiveDirectory},
		Permission: PermissionOnPrem,
	}, nil
}

// accountMatches reports whether ia is the account the operator named.
func accountMatches(ia graph.IdentityAccount, name string) bool {
	eq := strings.EqualFold
	switch {
	case sidPattern.MatchString(name):
		return eq(ia.OnPremisesSecurityIdentifier, name) || eq(ia.CloudSecurityIdentifier, name)
	case strings.Contains(name, `\`):
		dom, user, _ := strings.Cut(name, `\`)
		first, _, _ := strings.Cut(ia.Domain, ".")
		if !eq(dom, ia.Domain) && !eq(dom, first) {
			return false
		}
		local, _, _ := strings.Cut(ia.UserPrincipalName, "@")
		return (local != "" && eq(user, local)) || eq(user, ia.DisplayName)
	case strings.Contains(name, "@"):
		return eq(ia.UserPrincipalName, name) || eq(ia.EmailAddress, name)
	}
	if eq(ia.ID, name) {
		return true
	}
	for _, a := range ia.Accounts {
		if eq(a.Identifier, name) {
			return true
		}
	}
	return false
}

// executeOnPrem sends an on-premises plan's invokeAction.
func (r *Responder) executeOnPrem(ctx context.Context, p *audit.Plan) (audit.Outcome, error) {
	in := graph.IdentityAction{}
	in.AccountID, _ = p.Body["accountId"].(string)
	in.Action, _ = p.Body["action"].(string)
	in.IdentityProvider, _ = p.Body["identityProvider"].(string)
	if in.AccountID == "" || in.Action == "" || in.IdentityProvider == "" {
		return audit.Outcome{Result: "failed"}, fmt.Errorf("%s %s: the plan's body lacks accountId, action or identityProvider",
			p.Action, p.Target.Name())
	}
	res, err := r.Graph.InvokeIdentityAccountAction(ctx, p.Target.IdentityAccountID, in)
	if err != nil {
		return audit.Outcome{Result: "failed"}, actionError(p, err)
	}
	detail := fmt.Sprintf("Defender for Identity accepted %s on the Active Directory account", in.Action)
	if res.CorrelationID != "" {
		detail += " (correlation id " + res.CorrelationID + ")"
	}
	if slices.Contains([]string{graph.IdentityActionDisable, graph.IdentityActionEnable}, in.Action) {
		// Entra Connect carries the AD state to a synced user later.
		detail += "; a synced Entra ID user follows at the next directory sync"
	}
	return audit.Outcome{Result: "succeeded", Detail: detail}, nil
}

// actionError wraps a failed action's error with the action and target,
// naming the permission on a 403.
func actionError(p *audit.Plan, err error) error {
	if errors.Is(err, graph.ErrForbidden) {
		return fmt.Errorf("%s %s: %w (the app needs the application permission %s, with admin consent)", p.Action, p.Target.Name(), err, p.Permission)
	}
	return fmt.Errorf("%s %s: %w", p.Action, p.Target.Name(), err)
}
