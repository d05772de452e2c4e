package m365sim

import (
	"net/http"
	"slices"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// Permissions of Defender for Identity's identity accounts.
// https://learn.microsoft.com/en-us/graph/api/security-identitycontainer-list-identityaccounts
// https://learn.microsoft.com/en-us/graph/api/security-identityaccounts-invokeaction
var (
	rolesMDIAccountRead = []string{"SecurityIdentitiesAccount.Read.All"}
	rolesMDIActions     = []string{"SecurityIdentitiesActions.ReadWrite.All"}
)

// identityAccountRules: the list page supports $filter and $select but
// names no filterable properties; its example filters on
// onPremisesSecurityIdentifier with eq, so the scalar properties take eq.
var identityAccountRules = secRules("identityAccounts",
	"https://learn.microsoft.com/en-us/graph/api/security-identitycontainer-list-identityaccounts", 100, 1000,
	[]string{"id", "displayName", "domain", "isEnabled", "onPremisesSecurityIdentifier", "cloudSecurityIdentifier",
		"userPrincipalName", "emailAddress"}, nil)

// identityHidden are the emulator-only properties kept on an account.
var identityHidden = []string{tenant.IdentityMustChangePassword, tenant.IdentityActionLog}

// Enumerations of invokeAction's parameters, and the providers each action
// supports (the invokeAction page's table; Entra ID actions are out of its
// scope, so no action supports entraID).
// https://learn.microsoft.com/en-us/graph/api/security-identityaccounts-invokeaction
var (
	identityActions   = []string{"disable", "enable", "forcePasswordReset", "revokeAllSessions", "requireUserToSignInAgain", "markUserAsCompromised"}
	identityProviders = []string{"entraID", "activeDirectory", "okta"}
	identitySupport   = map[string][]string{
		"disable":            {"activeDirectory", "okta"},
		"enable":             {"activeDirectory", "okta"},
		"forcePasswordReset": {"activeDirectory"},
		"revokeAllSessions":  {"okta"},
	}
)

// identityAccountRoutes registers GET /security/identities/identityAccounts,
// GET .../{id} and POST .../{id}/invokeAction.
func (s *Server) identityAccountRoutes(read, write spec) {
	c := &secColl{set: tenant.SetIdentityAccounts, context: "security/identities/identityAccounts",
		rules: identityAccountRules, hide: identityHidden}
	s.handle("GET /security/identities/identityAccounts", read, s.secList(c))
	s.handle("GET /security/identities/identityAccounts/{id}", read, s.secGet(c))
	s.handle("POST /security/identities/identityAccounts/{id}/invokeAction", write, s.invokeIdentityAction)
}

// invokeIdentityAction is POST .../identityAccounts/{id}/invokeAction with
// {accountId, action, identityProvider}, all required. The account must be
// one of the identity's accounts for that provider. disable and enable set
// isEnabled (the identity's AD state; the synced Entra ID user changes only
// when Entra Connect next syncs, which the emulator does not model);
// forcePasswordReset sets the hidden IdentityMustChangePassword. Every
// accepted action is logged in IdentityActionLog. The answer is 200 with an
// invokeActionResult.
//
// The page's example response wraps the result in "value" and names the
// provider "provider", unlike the invokeActionResult resource; the
// emulator answers the resource's shape.
// https://learn.microsoft.com/en-us/graph/api/resources/security-invokeactionresult
func (s *Server) invokeIdentityAction(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeObject(w, r)
	if !ok {
		return
	}
	accountID, _ := in["accountId"].(string)
	action, _ := in["action"].(string)
	provider, _ := in["identityProvider"].(string)
	for k := range in {
		if k != "accountId" && k != "action" && k != "identityProvider" {
			badRequest(w, r, "BadRequest", "Property '"+k+"' is not a parameter of invokeAction.")
			return
		}
	}
	switch {
	case accountID == "":
		badRequest(w, r, "BadRequest", "The parameter 'accountId' is required.")
		return
	case !slices.Contains(identityActions, action):
		badRequest(w, r, "BadRequest", "Invalid value for 'action': want one of "+joinQuoted(identityActions)+".")
		return
	case !slices.Contains(identityProviders, provider):
		badRequest(w, r, "BadRequest", "Invalid value for 'identityProvider': want one of "+joinQuoted(identityProviders)+".")
		return
	case !slices.Contains(identitySupport[action], provider):
		badRequest(w, r, "BadRequest", "The action '"+action+"' is not supported for identity provider '"+provider+"'.")
		return
	}
	t := s.t(r)
	var out map[string]any
	found, hasAccount := false, false
	t.Write(func() error {
		p := t.Security.Find(tenant.SetIdentityAccounts, r.PathValue("id"))
		if p == nil {
			return nil
		}
		found = true
		accounts, _ := p["accounts"].([]any)
		for _, a := range accounts {
			m, _ := a.(map[string]any)
			if id, _ := m["identifier"].(string); id == accountID && m["identityProvider"] == provider {
				hasAccount = true
			}
		}
		if !hasAccount {
			return nil
		}
		switch action {
		case "disable":
			p["isEnabled"] = false
		case "enable":
			p["isEnabled"] = true
		case "forcePasswordReset":
			p[tenant.IdentityMustChangePassword] = true
		}
		corr := s.nextSecurityID(t)
		hist, _ := p[tenant.IdentityActionLog].([]any)
		entry := map[string]any{"action": action, "identityProvider": provider, "accountId": accountID,
			"correlationId": corr, "dateTime": tenant.Timestamp(t.Now())}
		if c := callOf(r); c.principal != nil {
			entry["appId"] = c.principal.AppID
		}
		p[tenant.IdentityActionLog] = append(hist, entry)
		out = map[string]any{
			"@odata.context":   contextURL(r, "microsoft.graph.security.invokeActionResult"),
			"accountId":        accountID,
			"action":           action,
			"identityProvider": provider,
			"correlationId":    corr,
		}
		return nil
	})
	switch {
	case !found:
		secNotFound(w, r, r.PathValue("id"))
	case !hasAccount:
		secNotFound(w, r, accountID)
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

func joinQuoted(vs []string) string {
	s := ""
	for i, v := range vs {
		if i > 0 {
			s += ", "
		}
		s += "'" + v + "'"
	}
	return s
}
