package m365sim

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// Conditional access: named locations and policies.

// prepareNamedLocation checks an ipNamedLocation or countryNamedLocation.
// https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-post-namedlocations
func prepareNamedLocation(_ *tenant.Tenant, old, p tenant.Props) *cfgErr {
	if e := required(p, "@odata.type", "displayName"); e != nil {
		return e
	}
	if old != nil && p["@odata.type"] != old["@odata.type"] {
		return badConfig("BadRequest", "The type of a named location cannot change.")
	}
	switch p["@odata.type"] {
	case "#microsoft.graph.ipNamedLocation":
		ranges, _ := p["ipRanges"].([]any)
		if len(ranges) == 0 {
			return badConfig("BadRequest", "An ipNamedLocation needs at least one entry in ipRanges.")
		}
		for _, e := range ranges {
			cidr := str(asMap(e), "cidrAddress")
			if _, err := netip.ParsePrefix(cidr); err != nil {
				return badConfig("BadRequest", fmt.Sprintf("Invalid IP range '%s'.", cidr))
			}
		}
		if _, ok := p["isTrusted"]; !ok {
			p["isTrusted"] = false
		}
	case "#microsoft.graph.countryNamedLocation":
		if len(strList(p["countriesAndRegions"])) == 0 {
			return badConfig("BadRequest", "A countryNamedLocation needs at least one entry in countriesAndRegions.")
		}
		if _, ok := p["includeUnknownCountriesAndRegions"]; !ok {
			p["includeUnknownCountriesAndRegions"] = false
		}
		if _, ok := p["countryLookupMethod"]; !ok {
			p["countryLookupMethod"] = "clientIpAddress"
		}
	default:
		return badConfig("BadRequest", fmt.Sprintf("Unsupported named location type '%v'.", p["@odata.type"]))
	}
	return nil
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

// caLocations returns the named location ids a CA policy refers to.
func caLocations(p tenant.Props) []string {
	loc := obj(obj(p, "conditions"), "locations")
	return append(strList(loc["includeLocations"]), strList(loc["excludeLocations"])...)
}

// namedLocationInUse refuses to delete a location a CA policy names.
// Graph refuses too; its message is not documented.
func namedLocationInUse(t *tenant.Tenant, p tenant.Props) *cfgErr {
	id := tenant.KeyOf(p)
	for _, ca := range t.Config.List(tenant.SetConditionalAccess) {
		if slices.ContainsFunc(caLocations(ca), func(s string) bool { return strings.EqualFold(s, id) }) {
			return badConfig("BadRequest", fmt.Sprintf("NamedLocation with id %s is referenced by conditional access policy '%s' and cannot be deleted.", id, str(ca, "displayName")))
		}
	}
	return nil
}

var (
	caStates        = []string{"enabled", "disabled", "enabledForReportingButNotEnforced"}
	caBuiltInGrants = []string{"block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication", "passwordChange", "riskRemediation"}
	caSpecialUsers  = []string{"All", "None", "GuestsOrExternalUsers"}
	caSpecialLocs   = []string{"All", "AllTrusted", tenant.MFATrustedIPs}
)

// prepareCAPolicy checks a conditionalAccessPolicy and its references. A
// reference to a named location that does not exist is rejected with the
// text Graph answers ("1040: NamedLocation with id … does not exist in the
// directory.", reported in KelvinTegelaar/CIPP#4655 for POST
// /identity/conditionalAccess/policies and DanielChronlund/DCToolbox#5);
// missing users, groups, roles and authentication strengths are rejected
// with 400 as Graph does, in the emulator's words.
// https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-post-policies
func prepareCAPolicy(t *tenant.Tenant, _, p tenant.Props) *cfgErr {
	if e := required(p, "displayName", "state", "conditions"); e != nil {
		return e
	}
	if !slices.Contains(caStates, str(p, "state")) {
		return badConfig("BadRequest", fmt.Sprintf("Invalid value '%s' for property 'state'.", str(p, "state")))
	}
	cond := obj(p, "conditions")
	users, apps := obj(cond, "users"), obj(cond, "applications")
	if users == nil || apps == nil {
		return badConfig("BadRequest", "1001: The policy needs conditions.users and conditions.applications.")
	}
	caDefaults(p, cond, users, apps)
	grant, session := obj(p, "grantControls"), obj(p, "sessionControls")
	if grant == nil && session == nil {
		return badConfig("BadRequest", "1002: The policy needs grantControls or sessionControls.")
	}
	for _, k := range []string{"includeUsers", "excludeUsers"} {
		for _, id := range strList(users[k]) {
			if !slices.Contains(caSpecialUsers, id) && t.User(id) == nil {
				return badConfig("BadRequest", fmt.Sprintf("1036: User with id %s does not exist in the directory.", id))
			}
		}
	}
	for _, k := range []string{"includeGroups", "excludeGroups"} {
		for _, id := range strList(users[k]) {
			if g := t.GroupsByID[strings.ToLower(id)]; g == nil || g.Deleted {
				return badConfig("BadRequest", fmt.Sprintf("1036: Group with id %s does not exist in the directory.", id))
			}
		}
	}
	for _, k := range []string{"includeRoles", "excludeRoles"} {
		for _, id := range strList(users[k]) {
			if roleByTemplate(t, id) == nil {
				return badConfig("BadRequest", fmt.Sprintf("1036: Role template with id %s does not exist in the directory.", id))
			}
		}
	}
	for _, id := range caLocations(p) {
		if !slices.Contains(caSpecialLocs, id) && t.Config.Find(tenant.SetNamedLocations, id) == nil {
			return badConfig("BadRequest", fmt.Sprintf("1040: NamedLocation with id %s does not exist in the directory.", id))
		}
	}
	if grant != nil {
		for _, g := range strList(grant["builtInControls"]) {
			if !slices.Contains(caBuiltInGrants, g) {
				return badConfig("BadRequest", fmt.Sprintf("Invalid value '%s' for property 'builtInControls'.", g))
			}
		}
		if op := str(grant, "operator"); op != "" && op != "AND" && op != "OR" {
			return badConfig("BadRequest", fmt.Sprintf("Invalid value '%s' for property 'operator'.", op))
		}
		if as := obj(grant, "authenticationStrength"); as != nil {
			id := str(as, "id")
			st := t.Config.Find(tenant.SetAuthStrengths, id)
			if st == nil {
				return badConfig("BadRequest", fmt.Sprintf("1036: AuthenticationStrengthPolicy with id %s does not exist in the directory.", id))
			}
			if slices.Contains(strList(grant["builtInControls"]), "mfa") {
				return badConfig("BadRequest", "1033: The 'mfa' grant control cannot be combined with an authentication strength.")
			}
			grant["authenticationStrength"] = tenant.DeepCopy(st) // Graph answers the whole policy
		}
	}
	return nil
}

func roleByTemplate(t *tenant.Tenant, id string) tenant.Props {
	for _, r := range t.Config.List(tenant.SetRoleDefinitions) {
		if strings.EqualFold(str(r, "templateId"), id) || strings.EqualFold(str(r, "id"), id) {
			return r
		}
	}
	return nil
}

// caDefaults completes a policy with the properties Graph returns for
// what the request left out.
func caDefaults(p, cond, users, apps map[string]any) {
	def := func(m map[string]any, k string, v any) {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	def(p, "templateId", nil)
	def(p, "grantControls", nil)
	def(p, "sessionControls", nil)
	for _, k := range []string{"userRiskLevels", "signInRiskLevels", "servicePrincipalRiskLevels"} {
		def(cond, k, []any{})
	}
	def(cond, "clientAppTypes", []any{"all"})
	for _, k := range []string{"platforms", "locations", "devices", "clientApplications", "times", "insiderRiskLevels"} {
		def(cond, k, nil)
	}
	for _, k := range []string{"includeUsers", "excludeUsers", "includeGroups", "excludeGroups", "includeRoles", "excludeRoles"} {
		def(users, k, []any{})
	}
	def(users, "includeGuestsOrExternalUsers", nil)
	def(users, "excludeGuestsOrExternalUsers", nil)
	for _, k := range []string{"includeApplications", "excludeApplications", "includeUserActions", "includeAuthenticationContextClassReferences"} {
		def(apps, k, []any{})
	}
	def(apps, "applicationFilter", nil)
}
