package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// Identity providers and actions of Defender for Identity's invokeAction.
// https://learn.microsoft.com/en-us/graph/api/security-identityaccounts-invokeaction
const (
	IdentityProviderActiveDirectory = "activeDirectory"
	IdentityProviderEntraID         = "entraID"
	IdentityProviderOkta            = "okta"

	IdentityActionDisable            = "disable"
	IdentityActionEnable             = "enable"
	IdentityActionForcePasswordReset = "forcePasswordReset"
)

// IdentityAccount is a Defender for Identity identity account
// (microsoft.graph.security.identityAccounts; Graph returns its subtype
// microsoft.graph.security.user, which adds EmailAddress and
// UserPrincipalName). Raw holds the JSON Graph returned.
// https://learn.microsoft.com/en-us/graph/api/resources/security-identityaccounts
type IdentityAccount struct {
	ID                           string                    `json:"id"`
	DisplayName                  string                    `json:"displayName"`
	Domain                       string                    `json:"domain"` // AD domain (DNS name)
	IsEnabled                    bool                      `json:"isEnabled"`
	OnPremisesSecurityIdentifier string                    `json:"onPremisesSecurityIdentifier"`
	CloudSecurityIdentifier      string                    `json:"cloudSecurityIdentifier"`
	EmailAddress                 string                    `json:"emailAddress"`
	UserPrincipalName            string                    `json:"userPrincipalName"`
	Accounts                     []IdentityProviderAccount `json:"accounts"`
	Raw                          json.RawMessage           `json:"-"`
}

func (a *IdentityAccount) setRaw(raw json.RawMessage) { a.Raw = raw }

// Account returns the identity's account at provider (compared without
// case), or false.
func (a *IdentityAccount) Account(provider string) (IdentityProviderAccount, bool) {
	for _, acc := range a.Accounts {
		if strings.EqualFold(acc.IdentityProvider, provider) {
			return acc, true
		}
	}
	return IdentityProviderAccount{}, false
}

// IdentityProviderAccount is one of an identity's accounts
// (microsoft.graph.security.account).
// https://learn.microsoft.com/en-us/graph/api/resources/security-account
type IdentityProviderAccount struct {
	Identifier       string   // the account id invokeAction takes as accountId
	IdentityProvider string   // IdentityProviderActiveDirectory, ...EntraID or ...Okta
	Actions          []string // actions offered; may be empty
}

// UnmarshalJSON reads the resource's "identityProvider", or "provider" as
// the list page's examples spell it (with "ActiveDirectory" capitalised);
// the provider is normalised to the resource's enumeration spelling.
func (a *IdentityProviderAccount) UnmarshalJSON(data []byte) error {
	var w struct {
		Identifier       string   `json:"identifier"`
		IdentityProvider string   `json:"identityProvider"`
		Provider         string   `json:"provider"`
		Actions          []string `json:"actions"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	a.Identifier, a.Actions = w.Identifier, w.Actions
	a.IdentityProvider = normaliseProvider(cmpOr(w.IdentityProvider, w.Provider))
	return nil
}

func normaliseProvider(p string) string {
	for _, known := range []string{IdentityProviderActiveDirectory, IdentityProviderEntraID, IdentityProviderOkta} {
		if strings.EqualFold(p, known) {
			return known
		}
	}
	return p
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// IdentityAccounts lists Defender for Identity identity accounts matching
// filter (an OData expression, "" for all). Needs
// SecurityIdentitiesAccount.Read.All.
// https://learn.microsoft.com/en-us/graph/api/security-identitycontainer-list-identityaccounts
func (c *Client) IdentityAccounts(ctx context.Context, filter string) iter.Seq2[IdentityAccount, error] {
	q := url.Values{}
	if filter != "" {
		q.Set("$filter", filter)
	}
	return List[IdentityAccount](ctx, c, "/security/identities/identityAccounts", WithQuery(q), WithOp("list identity accounts"))
}

// IdentityAccount returns one identity account. Needs
// SecurityIdentitiesAccount.Read.All.
// https://learn.microsoft.com/en-us/graph/api/security-identityaccounts-get
func (c *Client) IdentityAccount(ctx context.Context, id string) (*IdentityAccount, error) {
	var raw json.RawMessage
	if err := c.Get(ctx, Pathf("/security/identities/identityAccounts/%s", id), &raw, WithOp("get identity account")); err != nil {
		return nil, err
	}
	a, err := decodeItem[IdentityAccount](raw)
	if err != nil {
		return nil, fmt.Errorf("graph: get identity account: decode: %w", err)
	}
	return &a, nil
}

// IdentityAction is invokeAction's body: which of the identity's accounts
// (Identifier and IdentityProvider of an IdentityProviderAccount) and what
// to do.
type IdentityAction struct {
	AccountID        string `json:"accountId"`
	Action           string `json:"action"`
	IdentityProvider string `json:"identityProvider"`
}

// IdentityActionResult is invokeAction's answer
// (microsoft.graph.security.invokeActionResult).
// https://learn.microsoft.com/en-us/graph/api/resources/security-invokeactionresult
type IdentityActionResult struct {
	AccountID        string
	Action           string
	IdentityProvider string
	CorrelationID    string // tracks the request in Defender for Identity
}

// InvokeIdentityAccountAction asks Defender for Identity to act on one of
// identity id's accounts: disable, enable or forcePasswordReset an Active
// Directory account, through the domain's MDI sensor. Needs
// SecurityIdentitiesActions.ReadWrite.All. Each supported action sets a
// state (disabled, enabled, must change password), so repeating it is
// harmless and the POST may be retried.
//
// The result is read in the resource's shape or in the page example's
// ({"value": {..., "provider": ...}}).
// https://learn.microsoft.com/en-us/graph/api/security-identityaccounts-invokeaction
func (c *Client) InvokeIdentityAccountAction(ctx context.Context, id string, in IdentityAction) (*IdentityActionResult, error) {
	var raw json.RawMessage
	err := c.Send(ctx, http.MethodPost, Pathf("/security/identities/identityAccounts/%s/invokeAction", id), in, &raw,
		WithOp("invoke identity account action"), WithRetrySafe())
	if err != nil {
		return nil, err
	}
	res, err := decodeActionResult(raw)
	if err != nil {
		return nil, fmt.Errorf("graph: invoke identity account action: decode response: %w", err)
	}
	return res, nil
}

func decodeActionResult(raw json.RawMessage) (*IdentityActionResult, error) {
	type wire struct {
		AccountID        string `json:"accountId"`
		Action           string `json:"action"`
		IdentityProvider string `json:"identityProvider"`
		Provider         string `json:"provider"`
		CorrelationID    string `json:"correlationId"`
	}
	var w struct {
		wire
		Value json.RawMessage `json:"value"`
	}
	if len(bytes.TrimSpace(raw)) == 0 { // a bodiless 200 or 204
		return &IdentityActionResult{}, nil
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, err
	}
	r := w.wire
	if len(w.Value) > 0 && string(w.Value) != "null" {
		if err := json.Unmarshal(w.Value, &r); err != nil {
			return nil, err
		}
	}
	return &IdentityActionResult{AccountID: r.AccountID, Action: r.Action,
		IdentityProvider: normaliseProvider(cmpOr(r.IdentityProvider, r.Provider)), CorrelationID: r.CorrelationID}, nil
}
