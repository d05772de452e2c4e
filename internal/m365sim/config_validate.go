package m365sim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// Validation of configuration objects. Where Graph's error text is known
// (documented or reported in public issue trackers) it is reproduced and
// the source named; elsewhere the code is Graph's usual one and the
// message the emulator's own.

// singular turns a collection name into its entity name.
func singular(name string) string {
	name = name[strings.LastIndex(name, "/")+1:]
	if s, ok := strings.CutSuffix(name, "ies"); ok {
		return s + "y"
	}
	return strings.TrimSuffix(name, "s")
}

func str(p map[string]any, k string) string { s, _ := p[k].(string); return s }

func strList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func obj(p map[string]any, k string) map[string]any { m, _ := p[k].(map[string]any); return m }

func required(p map[string]any, names ...string) *cfgErr {
	for _, n := range names {
		if v, ok := p[n]; !ok || v == nil || v == "" {
			return badConfig("BadRequest", "The property '"+n+"' is required.")
		}
	}
	return nil
}

var strengthCombinations = []string{"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush",
	"temporaryAccessPassOneTime", "temporaryAccessPassMultiUse", "password,microsoftAuthenticatorPush", "password,softwareOath",
	"password,hardwareOath", "password,x509CertificateSingleFactor", "password,sms", "password,voice", "federatedMultiFactor",
	"microsoftAuthenticatorPush,federatedSingleFactor", "softwareOath,federatedSingleFactor", "hardwareOath,federatedSingleFactor",
	"sms,federatedSingleFactor", "voice,federatedSingleFactor", "x509CertificateSingleFactor", "sms", "password", "qrCodePin"}

// prepareStrength checks a custom authenticationStrengthPolicy. Its
// allowedCombinations change only through updateAllowedCombinations.
// https://learn.microsoft.com/en-us/graph/api/authenticationstrengthpolicy-update
func prepareStrength(_ *tenant.Tenant, old, p tenant.Props) *cfgErr {
	if e := required(p, "displayName", "allowedCombinations"); e != nil {
		return e
	}
	combos := strList(p["allowedCombinations"])
	if len(combos) == 0 {
		return badConfig("BadRequest", "allowedCombinations cannot be empty.")
	}
	for _, c := range combos {
		if !slices.Contains(strengthCombinations, c) {
			return badConfig("BadRequest", fmt.Sprintf("Invalid value '%s' in allowedCombinations.", c))
		}
	}
	if old != nil && !slices.Equal(strList(old["allowedCombinations"]), combos) {
		return badConfig("BadRequest", "allowedCombinations cannot be updated with PATCH; use the updateAllowedCombinations action.")
	}
	p["policyType"], p["requirementsSatisfied"] = "custom", "mfa"
	return nil
}

func builtInStrength(p tenant.Props) *cfgErr {
	if str(p, "policyType") == "builtIn" {
		return badConfig("BadRequest", "Built-in authentication strength policies cannot be changed or deleted.")
	}
	return nil
}

func strengthInUse(t *tenant.Tenant, p tenant.Props) *cfgErr {
	id := tenant.KeyOf(p)
	for _, ca := range t.Config.List(tenant.SetConditionalAccess) {
		if strings.EqualFold(str(obj(obj(ca, "grantControls"), "authenticationStrength"), "id"), id) {
			return badConfig("BadRequest", fmt.Sprintf("Authentication strength policy %s is used by conditional access policy '%s' and cannot be deleted.", id, str(ca, "displayName")))
		}
	}
	return nil
}

// updateAllowedCombinations serves the action of the same name.
func (s *Server) updateAllowedCombinations(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeConfig(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	var verr *cfgErr
	found := false
	t := s.t(r)
	t.Write(func() error {
		p := t.Config.Find(tenant.SetAuthStrengths, id)
		if p == nil {
			return nil
		}
		found = true
		if verr = builtInStrength(p); verr != nil {
			return nil
		}
		next := tenant.DeepCopy(p)
		next["allowedCombinations"] = in["allowedCombinations"]
		if verr = prepareStrength(t, nil, next); verr != nil {
			return nil
		}
		p["allowedCombinations"] = next["allowedCombinations"]
		p["modifiedDateTime"] = tenant.Timestamp(t.Now())
		return nil
	})
	switch {
	case !found:
		graphError(w, r, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
	case verr != nil:
		verr.write(w, r)
	default:
		writeJSON(w, http.StatusOK, map[string]any{
			"@odata.context":      contextURL(r, "microsoft.graph.updateAllowedCombinationsResult"),
			"currentCombinations": in["allowedCombinations"]})
	}
}

// prepareMethodConfig checks a PATCH of an authentication method
// configuration: the body names the configuration's type, and state is
// enabled or disabled.
// https://learn.microsoft.com/en-us/graph/api/authenticationmethodconfiguration-update
func prepareMethodConfig(_ *tenant.Tenant, old, p tenant.Props) *cfgErr {
	if p["@odata.type"] != old["@odata.type"] {
		return badConfig("BadRequest", fmt.Sprintf("The @odata.type of configuration '%s' is %v.", str(old, "id"), old["@odata.type"]))
	}
	if st := str(p, "state"); st != "enabled" && st != "disabled" {
		return badConfig("BadRequest", fmt.Sprintf("Invalid value '%v' for property 'state'.", p["state"]))
	}
	return nil
}

// withMethodConfigs adds the method configurations to the methods
// policy, as Graph returns them with it.
func withMethodConfigs(t *tenant.Tenant, out map[string]any) {
	list := []any{}
	for _, m := range t.Config.List(tenant.SetAuthMethodConfigs) {
		list = append(list, tenant.DeepCopy(m))
	}
	out["authenticationMethodConfigurations"] = list
}

var guestRoles = []string{tenant.GuestRoleMember, tenant.GuestRoleDefault, tenant.GuestRoleRestricted}

// prepareAuthorization checks the authorization policy's enumerations.
// https://learn.microsoft.com/en-us/graph/api/authorizationpolicy-update
func prepareAuthorization(_ *tenant.Tenant, p tenant.Props) *cfgErr {
	switch str(p, "allowInvitesFrom") {
	case "none", "adminsAndGuestInviters", "adminsGuestInvitersAndAllMembers", "everyone":
	default:
		return badConfig("BadRequest", fmt.Sprintf("Invalid value '%v' for property 'allowInvitesFrom'.", p["allowInvitesFrom"]))
	}
	if !slices.Contains(guestRoles, str(p, "guestUserRoleId")) {
		return badConfig("BadRequest", fmt.Sprintf("Invalid value '%v' for property 'guestUserRoleId'.", p["guestUserRoleId"]))
	}
	return prepareBool("allowedToUseSSPR", "blockMsolPowerShell")(nil, p)
}

// prepareBool checks that the named properties are booleans.
func prepareBool(names ...string) func(*tenant.Tenant, tenant.Props) *cfgErr {
	return func(_ *tenant.Tenant, p tenant.Props) *cfgErr {
		for _, n := range names {
			if v, ok := p[n]; ok {
				if _, isBool := v.(bool); !isBool {
					return badConfig("BadRequest", fmt.Sprintf("Invalid value '%v' for property '%s'.", v, n))
				}
			}
		}
		return nil
	}
}

// preparePartner checks a cross-tenant partner configuration, keyed by
// the partner's tenant id.
// https://learn.microsoft.com/en-us/graph/api/crosstenantaccesspolicy-post-partners
func preparePartner(_ *tenant.Tenant, old, p tenant.Props) *cfgErr {
	if e := required(p, "tenantId"); e != nil {
		return e
	}
	if old != nil && !strings.EqualFold(str(old, "tenantId"), str(p, "tenantId")) {
		return badConfig("BadRequest", "The tenantId of a partner configuration cannot change.")
	}
	for _, k := range []string{"inboundTrust", "b2bCollaborationOutbound", "b2bCollaborationInbound", "b2bDirectConnectOutbound", "b2bDirectConnectInbound"} {
		if _, ok := p[k]; !ok {
			p[k] = nil
		}
	}
	if _, ok := p["isServiceProvider"]; !ok {
		p["isServiceProvider"] = false
	}
	return nil
}

// prepareRoleDefinition checks a custom role definition.
// https://learn.microsoft.com/en-us/graph/api/rbacapplication-post-roledefinitions
func prepareRoleDefinition(_ *tenant.Tenant, _, p tenant.Props) *cfgErr {
	if e := required(p, "displayName", "rolePermissions", "isEnabled"); e != nil {
		return e
	}
	p["isBuiltIn"] = false
	if _, ok := p["isPrivileged"]; !ok {
		p["isPrivileged"] = false
	}
	if _, ok := p["resourceScopes"]; !ok {
		p["resourceScopes"] = []any{"/"}
	}
	return nil
}

func builtInRole(p tenant.Props) *cfgErr {
	if b, _ := p["isBuiltIn"].(bool); b {
		return badConfig("BadRequest", "Built-in role definitions cannot be changed or deleted.")
	}
	return nil
}

func roleInUse(t *tenant.Tenant, p tenant.Props) *cfgErr {
	id := tenant.KeyOf(p)
	for _, set := range []string{tenant.SetRoleAssignments, tenant.SetRoleEligibilities} {
		for _, a := range t.Config.List(set) {
			if strings.EqualFold(str(a, "roleDefinitionId"), id) {
				return badConfig("BadRequest", "The role definition is assigned and cannot be deleted.")
			}
		}
	}
	return nil
}

// prepareRoleAssignment checks that the principal and the role exist.
// https://learn.microsoft.com/en-us/graph/api/rbacapplication-post-roleassignments
func prepareRoleAssignment(t *tenant.Tenant, _, p tenant.Props) *cfgErr {
	if e := required(p, "principalId", "roleDefinitionId"); e != nil {
		return e
	}
	if _, ok := p["directoryScopeId"]; !ok && p["appScopeId"] == nil {
		p["directoryScopeId"] = "/"
	}
	pid := str(p, "principalId")
	if t.User(pid) == nil {
		if g := t.GroupsByID[strings.ToLower(pid)]; g == nil || g.Deleted {
			return badConfig("Request_BadRequest", fmt.Sprintf("Invalid principal id '%s'.", pid))
		}
	}
	if roleByTemplate(t, str(p, "roleDefinitionId")) == nil {
		return badConfig("Request_BadRequest", fmt.Sprintf("Invalid role definition id '%s'.", str(p, "roleDefinitionId")))
	}
	if _, ok := p["appScopeId"]; !ok {
		p["appScopeId"] = nil
	}
	if _, ok := p["condition"]; !ok {
		p["condition"] = nil
	}
	return nil
}

// prepareIntune checks a device configuration: it names its derived type.
func prepareIntune(_ *tenant.Tenant, old, p tenant.Props) *cfgErr {
	if e := required(p, "@odata.type", "displayName"); e != nil {
		return e
	}
	if old != nil && p["@odata.type"] != old["@odata.type"] {
		return badConfig("BadRequest", "The type of a policy cannot change.")
	}
	if _, ok := p["assignments"]; !ok {
		p["assignments"] = []any{}
	}
	return nil
}

// prepareCompliance checks a compliance policy. Intune requires a new
// policy to carry its scheduled actions (at least the block action).
// https://learn.microsoft.com/en-us/graph/api/intune-deviceconfig-devicecompliancepolicy-create
func prepareCompliance(t *tenant.Tenant, old, p tenant.Props) *cfgErr {
	if e := prepareIntune(t, old, p); e != nil {
		return e
	}
	if old == nil {
		acts, _ := p["scheduledActionsForRule"].([]any)
		if len(acts) == 0 {
			return badConfig("BadRequest", "A compliance policy needs scheduledActionsForRule with a block action.")
		}
		for _, a := range acts {
			am := asMap(a)
			if am["id"] == nil {
				am["id"] = t.NewGUID()
			}
			for _, c := range asSlice(am["scheduledActionConfigurations"]) {
				if cm := asMap(c); cm != nil && cm["id"] == nil {
					cm["id"] = t.NewGUID()
				}
			}
		}
	}
	return nil
}

func asSlice(v any) []any { s, _ := v.([]any); return s }
