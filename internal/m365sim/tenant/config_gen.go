package tenant

import (
	"encoding/binary"
	"fmt"
	"time"
)

// Well-known ids of configuration objects.
const (
	// Built-in authentication strengths.
	// https://learn.microsoft.com/en-us/entra/identity/authentication/concept-authentication-strengths
	StrengthMFA            = "00000000-0000-0000-0000-000000000002"
	StrengthPasswordless   = "00000000-0000-0000-0000-000000000003"
	StrengthPhishResistant = "00000000-0000-0000-0000-000000000004"

	// MFATrustedIPs is the legacy "MFA trusted IPs" location a policy may
	// name without it existing as a named location.
	MFATrustedIPs = "00000000-0000-0000-0000-000000000000"

	// GuestRoleMember and friends are the values of
	// authorizationPolicy.guestUserRoleId.
	// https://learn.microsoft.com/en-us/graph/api/resources/authorizationpolicy
	GuestRoleMember     = "a0b1b346-4d3e-4e8b-98f8-753987be4970"
	GuestRoleDefault    = "10dae51f-b6af-4016-8d66-8c2a99b929b3"
	GuestRoleRestricted = "2af84b1e-32c8-42b7-82bc-daa82404023b"
)

// configuration generates the tenant's configuration with a few planted
// weaknesses for assessment: SMS and voice sign-in enabled, users allowed
// to register applications, security defaults off, admin consent workflow
// off, one CA policy only in report-only mode, and one Global Administrator
// with a permanent active assignment beside eligible ones. Its ids derive
// from the seed, not from the tenant's id counter, so that adding it left
// every other generated id unchanged.
func (g *generator) configuration() error {
	c := &configGen{t: g.t, seed: g.t.Seed, at: g.t.Created.AddDate(3, 0, 0), cfg: NewConfig()}
	c.members = g.members
	for _, gr := range g.t.Groups {
		name, _ := gr.Props["displayName"].(string)
		c.groups = append(c.groups, groupRef{id: gr.ID, name: name})
	}
	c.namedLocations()
	c.strengths()
	c.conditionalAccess()
	c.authMethods()
	c.singletons()
	c.roles()
	c.intune()
	if err := c.cfg.normalize(); err != nil {
		return err
	}
	g.t.Config = c.cfg
	return nil
}

type groupRef struct{ id, name string }

type configGen struct {
	t       *Tenant
	seed    uint64
	n       int
	at      time.Time // when the configuration was last set up
	cfg     *Config
	members []*User
	groups  []groupRef

	locTrusted, locBlocked string // named location ids
	strengthAdmin          string // custom authentication strength id
}

// guid returns the next deterministic GUID of the configuration.
func (c *configGen) guid() string {
	c.n++
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], SeedOf(c.seed, "config-id", c.n, 0))
	binary.BigEndian.PutUint64(raw[8:], SeedOf(c.seed, "config-id", c.n, 1))
	raw[6] = raw[6]&0x0f | 0x40
	raw[8] = raw[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", raw[0:4], raw[4:6], raw[6:8], raw[8:10], raw[10:16])
}

func (c *configGen) ts(days int) string { return Timestamp(c.at.AddDate(0, 0, days)) }

// member returns the i-th member user's id, wrapping for small tenants.
func (c *configGen) member(i int) string {
	if len(c.members) == 0 {
		return ""
	}
	return c.members[i%len(c.members)].ID
}

func (c *configGen) group(name string) string {
	for _, g := range c.groups {
		if g.name == name {
			return g.id
		}
	}
	if len(c.groups) > 0 {
		return c.groups[0].id
	}
	return ""
}

// breakGlass is the emergency-access account CA policies exclude: the last
// member user, who also holds a permanent Global Administrator assignment.
func (c *configGen) breakGlass() string { return c.member(len(c.members) - 1) }

func (c *configGen) namedLocations() {
	c.locTrusted = c.guid()
	c.cfg.Add(SetNamedLocations, Props{
		"@odata.type": "#microsoft.graph.ipNamedLocation", "id": c.locTrusted,
		"displayName": "Head office", "createdDateTime": c.ts(-400), "modifiedDateTime": c.ts(-200),
		"isTrusted": true,
		"ipRanges": []any{
			Props{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"},
			Props{"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8:1234::/48"},
		},
	})
	c.cfg.Add(SetNamedLocations, Props{
		"@odata.type": "#microsoft.graph.ipNamedLocation", "id": c.guid(),
		"displayName": "Branch VPN egress", "createdDateTime": c.ts(-300), "modifiedDateTime": c.ts(-300),
		"isTrusted": false,
		"ipRanges":  []any{Props{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "198.51.100.16/28"}},
	})
	c.locBlocked = c.guid()
	c.cfg.Add(SetNamedLocations, Props{
		"@odata.type": "#microsoft.graph.countryNamedLocation", "id": c.locBlocked,
		"displayName": "Blocked countries", "createdDateTime": c.ts(-250), "modifiedDateTime": c.ts(-30),
		"countriesAndRegions": []any{"KP", "IR", "SY"}, "includeUnknownCountriesAndRegions": true,
		"countryLookupMethod": "clientIpAddress",
	})
}

// BuiltInStrength returns the built-in authentication strength policies,
// which every tenant has and nobody can change.
func builtInStrengths() []Props {
	created := "2021-12-01T00:00:00Z"
	mk := func(id, name, desc, req string, combos ...any) Props {
		return Props{"id": id, "displayName": name, "description": desc, "policyType": "builtIn",
			"requirementsSatisfied": req, "allowedCombinations": combos,
			"createdDateTime": created, "modifiedDateTime": created}
	}
	return []Props{
		mk(StrengthMFA, "Multifactor authentication", "Combinations of methods that satisfy strong authentication, such as a password + SMS", "mfa",
			"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush", "temporaryAccessPassOneTime",
			"temporaryAccessPassMultiUse", "password,microsoftAuthenticatorPush", "password,softwareOath", "password,hardwareOath",
			"password,sms", "password,voice", "federatedMultiFactor", "microsoftAuthenticatorPush,federatedSingleFactor",
			"softwareOath,federatedSingleFactor", "hardwareOath,federatedSingleFactor", "sms,federatedSingleFactor", "voice,federatedSingleFactor"),
		mk(StrengthPasswordless, "Passwordless MFA", "Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator", "mfa",
			"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush"),
		mk(StrengthPhishResistant, "Phishing-resistant MFA", "Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key", "mfa",
			"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"),
	}
}

func (c *configGen) strengths() {
	for _, p := range builtInStrengths() {
		c.cfg.Add(SetAuthStrengths, p)
	}
	c.strengthAdmin = c.guid()
	c.cfg.Add(SetAuthStrengths, Props{"id": c.strengthAdmin, "displayName": "Admins: security key or TAP",
		"description": "FIDO2 security keys, with a Temporary Access Pass for onboarding", "policyType": "custom",
		"requirementsSatisfied": "mfa", "allowedCombinations": []any{"fido2", "temporaryAccessPassOneTime"},
		"createdDateTime": c.ts(-120), "modifiedDateTime": c.ts(-120)})
}

// caPolicy returns a conditionalAccessPolicy with every property Graph
// returns, so that callers fill in only what differs.
// https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccesspolicy
func (c *configGen) caPolicy(name, state string, days int) Props {
	return Props{
		"id": c.guid(), "templateId": nil, "displayName": name, "state": state,
		"createdDateTime": c.ts(days), "modifiedDateTime": nil,
		"conditions": Props{
			"userRiskLevels": []any{}, "signInRiskLevels": []any{}, "clientAppTypes": []any{"all"},
			"servicePrincipalRiskLevels": []any{}, "insiderRiskLevels": nil,
			"platforms": nil, "locations": nil, "devices": nil, "clientApplications": nil, "times": nil,
			"applications": Props{"includeApplications": []any{"All"}, "excludeApplications": []any{},
				"includeUserActions": []any{}, "includeAuthenticationContextClassReferences": []any{}, "applicationFilter": nil},
			"users": Props{"includeUsers": []any{}, "excludeUsers": []any{}, "includeGroups": []any{}, "excludeGroups": []any{},
				"includeRoles": []any{}, "excludeRoles": []any{},
				"includeGuestsOrExternalUsers": nil, "excludeGuestsOrExternalUsers": nil},
		},
		"grantControls": Props{"operator": "OR", "builtInControls": []any{"mfa"}, "customAuthenticationFactors": []any{},
			"termsOfUse": []any{}, "authenticationStrength": nil},
		"sessionControls": nil,
	}
}

func users(p Props) Props { return p["conditions"].(Props)["users"].(Props) }
func conds(p Props) Props { return p["conditions"].(Props) }

func (c *configGen) conditionalAccess() {
	bg := []any{}
	if id := c.breakGlass(); id != "" {
		bg = append(bg, id)
	}
	privileged := []any{}
	for _, r := range BuiltInRoles {
		if r.Privileged {
			privileged = append(privileged, r.TemplateID)
		}
	}

	p := c.caPolicy("CA001: Require MFA for administrators", "enabled", -380)
	users(p)["includeRoles"], users(p)["excludeUsers"] = privileged, bg
	c.cfg.Add(SetConditionalAccess, p)

	p = c.caPolicy("CA002: Block legacy authentication", "enabled", -370)
	users(p)["includeUsers"], users(p)["excludeUsers"] = []any{"All"}, bg
	conds(p)["clientAppTypes"] = []any{"exchangeActiveSync", "other"}
	p["grantControls"].(Props)["builtInControls"] = []any{"block"}
	c.cfg.Add(SetConditionalAccess, p)

	p = c.caPolicy("CA003: Require MFA for all users", "enabledForReportingButNotEnforced", -90)
	users(p)["includeUsers"], users(p)["excludeUsers"] = []any{"All"}, bg
	users(p)["excludeGroups"] = []any{c.group("SG-VPN-Users")}
	c.cfg.Add(SetConditionalAccess, p)

	p = c.caPolicy("CA004: Block sign-ins from blocked countries", "enabled", -240)
	users(p)["includeUsers"], users(p)["excludeUsers"] = []any{"All"}, bg
	conds(p)["locations"] = Props{"includeLocations": []any{c.locBlocked}, "excludeLocations": []any{}}
	p["grantControls"].(Props)["builtInControls"] = []any{"block"}
	c.cfg.Add(SetConditionalAccess, p)

	p = c.caPolicy("CA005: VPN users need a compliant device off the office network", "enabled", -200)
	users(p)["includeGroups"] = []any{c.group("SG-VPN-Users")}
	conds(p)["locations"] = Props{"includeLocations": []any{"All"}, "excludeLocations": []any{c.locTrusted}}
	conds(p)["platforms"] = Props{"includePlatforms": []any{"windows", "macOS"}, "excludePlatforms": []any{}}
	p["grantControls"] = Props{"operator": "OR", "builtInControls": []any{"compliantDevice", "domainJoinedDevice"},
		"customAuthenticationFactors": []any{}, "termsOfUse": []any{}, "authenticationStrength": nil}
	c.cfg.Add(SetConditionalAccess, p)

	p = c.caPolicy("CA006: Block high-risk sign-ins", "enabled", -150)
	users(p)["includeUsers"], users(p)["excludeUsers"] = []any{"All"}, bg
	conds(p)["signInRiskLevels"] = []any{"high"}
	conds(p)["userRiskLevels"] = []any{"high"}
	p["grantControls"].(Props)["builtInControls"] = []any{"block"}
	c.cfg.Add(SetConditionalAccess, p)

	p = c.caPolicy("CA007: Phishing-resistant MFA for Tier 0 admins", "enabled", -60)
	users(p)["includeGroups"] = []any{c.group("SG-Admins (Tier 0)")}
	users(p)["excludeUsers"] = bg
	p["grantControls"].(Props)["builtInControls"] = []any{}
	p["grantControls"].(Props)["authenticationStrength"] = c.cfg.Find(SetAuthStrengths, c.strengthAdmin)
	p["sessionControls"] = Props{"signInFrequency": Props{"value": 4, "type": "hours", "isEnabled": true,
		"authenticationType": "primaryAndSecondaryAuthentication", "frequencyInterval": "timeBased"},
		"persistentBrowser":               Props{"mode": "never", "isEnabled": true},
		"applicationEnforcedRestrictions": nil, "cloudAppSecurity": nil, "disableResilienceDefaults": nil}
	c.cfg.Add(SetConditionalAccess, p)
}

func target(extra Props) []any {
	p := Props{"targetType": "group", "id": "all_users", "isRegistrationRequired": false}
	for k, v := range extra {
		p[k] = v
	}
	return []any{p}
}

// authMethods sets up the authentication methods policy with SMS, voice
// and email OTP enabled: the weak methods SCuBA MS.AAD.3.5 wants disabled.
// https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodspolicy
func (c *configGen) authMethods() {
	c.cfg.SetSingleton(SingleAuthMethodsPolicy, Props{
		"id": "authenticationMethodsPolicy", "displayName": "Authentication Methods Policy",
		"description":          "The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings",
		"lastModifiedDateTime": c.ts(-45), "policyVersion": "1.5", "policyMigrationState": "migrationInProgress",
		"registrationEnforcement": Props{"authenticationMethodsRegistrationCampaign": Props{
			"snoozeDurationInDays": 1, "state": "default", "excludeTargets": []any{},
			"includeTargets": []any{Props{"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": "microsoftAuthenticator"}}}},
	})
	ns := "#microsoft.graph."
	for _, m := range []Props{
		{"@odata.type": ns + "microsoftAuthenticatorAuthenticationMethodConfiguration", "id": "MicrosoftAuthenticator", "state": "enabled",
			"isSoftwareOathEnabled": false, "excludeTargets": []any{},
			"featureSettings": Props{
				"displayAppInformationRequiredState":      Props{"state": "enabled", "includeTarget": Props{"targetType": "group", "id": "all_users"}, "excludeTarget": Props{"targetType": "group", "id": "00000000-0000-0000-0000-000000000000"}},
				"displayLocationInformationRequiredState": Props{"state": "enabled", "includeTarget": Props{"targetType": "group", "id": "all_users"}, "excludeTarget": Props{"targetType": "group", "id": "00000000-0000-0000-0000-000000000000"}},
			},
			"includeTargets": target(Props{"authenticationMode": "any"})},
		{"@odata.type": ns + "fido2AuthenticationMethodConfiguration", "id": "Fido2", "state": "enabled",
			"isAttestationEnforced": true, "isSelfServiceRegistrationAllowed": true, "excludeTargets": []any{},
			"keyRestrictions": Props{"isEnforced": false, "enforcementType": "block", "aaGuids": []any{}},
			"includeTargets":  target(nil)},
		{"@odata.type": ns + "smsAuthenticationMethodConfiguration", "id": "Sms", "state": "enabled",
			"excludeTargets": []any{}, "includeTargets": target(Props{"isUsableForSignIn": true})},
		{"@odata.type": ns + "voiceAuthenticationMethodConfiguration", "id": "Voice", "state": "enabled",
			"isOfficePhoneAllowed": false, "excludeTargets": []any{}, "includeTargets": target(nil)},
		{"@odata.type": ns + "emailAuthenticationMethodConfiguration", "id": "Email", "state": "enabled",
			"allowExternalIdToUseEmailOtp": "default", "excludeTargets": []any{}, "includeTargets": target(nil)},
		{"@odata.type": ns + "softwareOathAuthenticationMethodConfiguration", "id": "SoftwareOath", "state": "disabled",
			"excludeTargets": []any{}, "includeTargets": target(nil)},
		{"@odata.type": ns + "temporaryAccessPassAuthenticationMethodConfiguration", "id": "TemporaryAccessPass", "state": "enabled",
			"defaultLifetimeInMinutes": 60, "defaultLength": 8, "minimumLifetimeInMinutes": 60, "maximumLifetimeInMinutes": 480,
			"isUsableOnce": false, "excludeTargets": []any{}, "includeTargets": target(nil)},
		{"@odata.type": ns + "x509CertificateAuthenticationMethodConfiguration", "id": "X509Certificate", "state": "disabled",
			"certificateUserBindings": []any{
				Props{"x509CertificateField": "PrincipalName", "userProperty": "onPremisesUserPrincipalName", "priority": 1},
				Props{"x509CertificateField": "RFC822Name", "userProperty": "userPrincipalName", "priority": 2}},
			"authenticationModeConfiguration": Props{"x509CertificateAuthenticationDefaultMode": "x509CertificateSingleFactor", "rules": []any{}},
			"excludeTargets":                  []any{}, "includeTargets": target(nil)},
	} {
		c.cfg.Add(SetAuthMethodConfigs, m)
	}
}

func (c *configGen) singletons() {
	// Users may register applications: SCuBA MS.AAD.5.1 fails.
	c.cfg.SetSingleton(SingleAuthorization, Props{
		"id": "authorizationPolicy", "displayName": "Authorization Policy",
		"description":      "Used to manage authorization related settings across the company.",
		"allowInvitesFrom": "everyone", "allowedToSignUpEmailBasedSubscriptions": true, "allowedToUseSSPR": true,
		"allowEmailVerifiedUsersToJoinOrganization": false, "allowUserConsentForRiskyApps": nil,
		"blockMsolPowerShell": false, "guestUserRoleId": GuestRoleDefault,
		"defaultUserRolePermissions": Props{"allowedToCreateApps": true, "allowedToCreateSecurityGroups": true,
			"allowedToCreateTenants": true, "allowedToReadBitlockerKeysForOwnedDevice": true, "allowedToReadOtherUsers": true,
			"permissionGrantPoliciesAssigned": []any{"ManagePermissionGrantsForSelf.microsoft-user-default-legacy"}},
	})
	c.cfg.SetSingleton(SingleSecurityDefaults, Props{
		"id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults",
		"description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft. When enabled, these recommendations will be automatically enforced in your organization. Administrators and users will be better protected from common identity related attacks.",
		"isEnabled":   false,
	})
	c.cfg.SetSingleton(SingleCrossTenant, Props{"displayName": "CrossTenantAccessPolicy", "allowedCloudEndpoints": []any{}})
	allowAll := func(access string) Props {
		return Props{
			"usersAndGroups": Props{"accessType": access, "targets": []any{Props{"target": "AllUsers", "targetType": "user"}}},
			"applications":   Props{"accessType": access, "targets": []any{Props{"target": "AllApplications", "targetType": "application"}}},
		}
	}
	c.cfg.SetSingleton(SingleCrossTenantDefault, Props{
		"isServiceDefault":         true,
		"inboundTrust":             Props{"isMfaAccepted": false, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false},
		"b2bCollaborationOutbound": allowAll("allowed"), "b2bCollaborationInbound": allowAll("allowed"),
		"b2bDirectConnectOutbound": allowAll("blocked"), "b2bDirectConnectInbound": allowAll("blocked"),
		"automaticUserConsentSettings": Props{"inboundAllowed": false, "outboundAllowed": false},
		"invitationRedemptionIdentityProviderConfiguration": Props{"primaryIdentityProviderPrecedenceOrder": []any{"azureActiveDirectory", "externalFederation", "socialIdentityProviders"},
			"fallbackIdentityProvider": "defaultConfiguredIdp"},
	})
	c.cfg.Add(SetCrossTenantPartners, Props{
		"tenantId": c.guid(), "isServiceProvider": false, "isInMultiTenantOrganization": false,
		"inboundTrust":             Props{"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false},
		"b2bCollaborationOutbound": nil, "b2bCollaborationInbound": nil, "b2bDirectConnectOutbound": nil, "b2bDirectConnectInbound": nil,
		"automaticUserConsentSettings": Props{"inboundAllowed": false, "outboundAllowed": false},
	})
	// The admin consent workflow is off: SCuBA MS.AAD.5.3 fails.
	c.cfg.SetSingleton(SingleAdminConsent, Props{
		"id": "adminConsentRequestPolicy", "isEnabled": false, "notifyReviewers": false, "remindersEnabled": false,
		"requestDurationInDays": 0, "version": 0, "reviewers": []any{},
	})
}

func (c *configGen) roles() {
	for _, r := range BuiltInRoles {
		c.cfg.Add(SetRoleDefinitions, Props{
			"id": r.TemplateID, "templateId": r.TemplateID, "displayName": r.Name, "description": r.Description,
			"isBuiltIn": true, "isEnabled": true, "isPrivileged": r.Privileged, "resourceScopes": []any{"/"}, "version": "1",
			"inheritsPermissionsFrom": []any{},
			"rolePermissions":         []any{Props{"allowedResourceActions": []any{"microsoft.directory/" + slug(r.Name) + "/allProperties/allTasks"}, "condition": nil}},
		})
	}
	custom := c.guid()
	c.cfg.Add(SetRoleDefinitions, Props{
		"id": custom, "templateId": custom, "displayName": "Helpdesk: reset MFA", "description": "Custom role for the service desk",
		"isBuiltIn": false, "isEnabled": true, "isPrivileged": false, "resourceScopes": []any{"/"}, "version": nil,
		"inheritsPermissionsFrom": []any{},
		"rolePermissions":         []any{Props{"allowedResourceActions": []any{"microsoft.directory/users/authenticationMethods/standard/read", "microsoft.directory/users/password/update"}, "condition": nil}},
	})

	// Global Administrators: two permanent (an admin and the break-glass
	// account), two eligible through PIM.
	active := []struct {
		user, role string
		days       int
	}{{c.member(0), RoleGlobalAdmin, -700}, {c.breakGlass(), RoleGlobalAdmin, -690},
		{c.member(1), RoleSecurityAdmin, -300}, {c.member(2), RoleGlobalReader, -200}}
	seen := map[string]bool{}
	for _, a := range active {
		if a.user == "" || seen[a.user+a.role] {
			continue
		}
		seen[a.user+a.role] = true
		id := c.guid()
		c.cfg.Add(SetRoleAssignments, Props{"id": id, "principalId": a.user, "roleDefinitionId": a.role,
			"directoryScopeId": "/", "appScopeId": nil, "condition": nil})
		c.cfg.Add(SetRoleAssignmentSchedules, Props{"id": id, "principalId": a.user, "roleDefinitionId": a.role,
			"directoryScopeId": "/", "appScopeId": nil, "createdDateTime": c.ts(a.days), "createdUsing": id,
			"modifiedDateTime": nil, "status": "Provisioned", "assignmentType": "Assigned", "memberType": "Direct",
			"scheduleInfo": Props{"startDateTime": c.ts(a.days), "recurrence": nil,
				"expiration": Props{"type": "noExpiration", "endDateTime": nil, "duration": nil}}})
	}
	for i, u := range []string{c.member(1), c.member(2)} {
		if u == "" || u == c.member(0) || u == c.breakGlass() || seen[u+"eligible"] {
			continue
		}
		seen[u+"eligible"] = true
		id := c.guid()
		start := c.ts(-100 + 10*i)
		exp := Props{"type": "afterDateTime", "endDateTime": c.ts(265 + 10*i), "duration": nil}
		c.cfg.Add(SetRoleEligibilities, Props{"id": id, "principalId": u, "roleDefinitionId": RoleGlobalAdmin,
			"directoryScopeId": "/", "appScopeId": nil, "createdDateTime": start, "createdUsing": id,
			"modifiedDateTime": nil, "status": "Provisioned", "memberType": "Direct",
			"scheduleInfo": Props{"startDateTime": start, "recurrence": nil, "expiration": exp}})
		c.cfg.Add(SetRoleEligibilityInstance, Props{"id": c.guid(), "principalId": u, "roleDefinitionId": RoleGlobalAdmin,
			"directoryScopeId": "/", "appScopeId": nil, "startDateTime": start, "endDateTime": exp["endDateTime"],
			"memberType": "Direct", "roleEligibilityScheduleId": id})
	}
	for _, r := range BuiltInRoles {
		if !r.Privileged && r.TemplateID != RoleSecurityAdmin {
			continue
		}
		c.pimPolicy(r)
	}
}

// pimPolicy adds the PIM role management policy of a role and its
// assignment to the directory scope. Global Administrator activation
// needs approval; the other roles only MFA and a justification.
// https://learn.microsoft.com/en-us/graph/api/resources/unifiedrolemanagementpolicy
func (c *configGen) pimPolicy(r BuiltInRole) {
	pid := "DirectoryRole_" + c.t.ID + "_" + c.guid()
	approval := r.TemplateID == RoleGlobalAdmin
	ns := "#microsoft.graph."
	tgt := func(caller, level string, ops ...any) Props {
		return Props{"caller": caller, "operations": ops, "level": level,
			"inheritableSettings": []any{}, "enforcedSettings": []any{}}
	}
	rules := []any{
		Props{"@odata.type": ns + "unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_Admin_Eligibility",
			"isExpirationRequired": false, "maximumDuration": "P365D", "target": tgt("Admin", "Eligibility", "all")},
		Props{"@odata.type": ns + "unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_EndUser_Assignment",
			"isExpirationRequired": true, "maximumDuration": "PT8H", "target": tgt("EndUser", "Assignment", "all")},
		Props{"@odata.type": ns + "unifiedRoleManagementPolicyEnablementRule", "id": "Enablement_EndUser_Assignment",
			"enabledRules": []any{"MultiFactorAuthentication", "Justification"}, "target": tgt("EndUser", "Assignment", "all")},
		Props{"@odata.type": ns + "unifiedRoleManagementPolicyApprovalRule", "id": "Approval_EndUser_Assignment",
			"setting": Props{"isApprovalRequired": approval, "isApprovalRequiredForExtension": false,
				"isRequestorJustificationRequired": true, "approvalMode": "SingleStage", "approvalStages": []any{}},
			"target": tgt("EndUser", "Assignment", "all")},
		Props{"@odata.type": ns + "unifiedRoleManagementPolicyNotificationRule", "id": "Notification_Admin_EndUser_Assignment",
			"notificationType": "Email", "recipientType": "Admin", "notificationLevel": "All", "isDefaultRecipientsEnabled": true,
			"notificationRecipients": []any{}, "target": tgt("EndUser", "Assignment", "all")},
	}
	c.cfg.Add(SetRoleManagementPolicies, Props{"id": pid, "displayName": "DirectoryRole", "description": "DirectoryRole",
		"isOrganizationDefault": false, "scopeId": "/", "scopeType": "DirectoryRole",
		"lastModifiedDateTime": c.ts(-30), "lastModifiedBy": Props{"displayName": nil, "id": nil}, "rules": rules})
	c.cfg.Add(SetRoleManagementPolicyAss, Props{"id": pid + "_" + r.TemplateID, "policyId": pid,
		"scopeId": "/", "scopeType": "DirectoryRole", "roleDefinitionId": r.TemplateID})
}

func slug(name string) string {
	out := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		ch := name[i]
		switch {
		case ch >= 'A' && ch <= 'Z':
			out = append(out, ch+'a'-'A')
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9':
			out = append(out, ch)
		}
	}
	return string(out)
}

// intune adds two compliance policies with assignments and scheduled
// actions, and two device configuration profiles.
// https://learn.microsoft.com/en-us/graph/api/resources/intune-deviceconfig-devicecompliancepolicy
func (c *configGen) intune() {
	ns := "#microsoft.graph."
	block := func(grace int) []any {
		return []any{Props{"id": c.guid(), "ruleName": nil, "scheduledActionConfigurations": []any{
			Props{"id": c.guid(), "gracePeriodHours": grace, "actionType": "block", "notificationTemplateId": "", "notificationMessageCCList": []any{}}}}}
	}
	win := c.guid()
	c.cfg.Add(SetCompliancePolicies, Props{
		"@odata.type": ns + "windows10CompliancePolicy", "id": win, "displayName": "Windows 10/11 baseline compliance",
		"description": "BitLocker, Secure Boot and a supported OS build", "version": 3,
		"createdDateTime": c.ts(-500), "lastModifiedDateTime": c.ts(-40),
		"passwordRequired": true, "passwordBlockSimple": true, "passwordMinimumLength": 8, "passwordRequiredType": "alphanumeric",
		"passwordRequiredToUnlockFromIdle": true, "passwordMinutesOfInactivityBeforeLock": 15, "passwordExpirationDays": nil,
		"osMinimumVersion": "10.0.19045", "osMaximumVersion": nil, "bitLockerEnabled": true, "secureBootEnabled": true,
		"codeIntegrityEnabled": true, "storageRequireEncryption": true, "earlyLaunchAntiMalwareDriverEnabled": false,
		"requireHealthyDeviceReport": false, "deviceThreatProtectionEnabled": false, "deviceThreatProtectionRequiredSecurityLevel": "unavailable",
		"assignments": []any{Props{"id": win + "_" + c.group("All Company"),
			"target": Props{"@odata.type": ns + "groupAssignmentTarget", "groupId": c.group("All Company")}}},
		"scheduledActionsForRule": block(24),
	})
	ios := c.guid()
	c.cfg.Add(SetCompliancePolicies, Props{
		"@odata.type": ns + "iosCompliancePolicy", "id": ios, "displayName": "iOS compliance",
		"description": "Passcode and no jailbreak", "version": 1,
		"createdDateTime": c.ts(-480), "lastModifiedDateTime": c.ts(-480),
		"passcodeRequired": true, "passcodeBlockSimple": true, "passcodeMinimumLength": 6, "passcodeRequiredType": "numeric",
		"passcodeMinutesOfInactivityBeforeLock": 5, "osMinimumVersion": "17.0", "osMaximumVersion": nil,
		"securityBlockJailbrokenDevices": true, "deviceThreatProtectionEnabled": false, "deviceThreatProtectionRequiredSecurityLevel": "unavailable",
		"managedEmailProfileRequired": false,
		"assignments": []any{Props{"id": ios + "_adadadad-808e-44e2-905a-0b7873a8a531",
			"target": Props{"@odata.type": ns + "allLicensedUsersAssignmentTarget"}}},
		"scheduledActionsForRule": block(72),
	})
	c.cfg.Add(SetDeviceConfigurations, Props{
		"@odata.type": ns + "windows10GeneralConfiguration", "id": c.guid(), "displayName": "Windows: Defender and SmartScreen",
		"description": "Real-time protection on, SmartScreen enforced", "version": 2,
		"createdDateTime": c.ts(-470), "lastModifiedDateTime": c.ts(-70),
		"defenderRequireRealTimeMonitoring": true, "defenderRequireBehaviorMonitoring": true, "defenderRequireCloudProtection": true,
		"defenderScanArchiveFiles": true, "smartScreenEnableAppInstallControl": true, "smartScreenBlockPromptOverride": true,
		"passwordRequired": true, "passwordMinimumLength": 8, "storageRequireMobileDeviceEncryption": true,
		"assignments": []any{},
	})
	c.cfg.Add(SetDeviceConfigurations, Props{
		"@odata.type": ns + "iosGeneralDeviceConfiguration", "id": c.guid(), "displayName": "iOS: restrictions",
		"description": "No untrusted app installs, managed open-in", "version": 1,
		"createdDateTime": c.ts(-460), "lastModifiedDateTime": c.ts(-460),
		"appStoreBlockAutomaticDownloads": false, "passcodeRequired": true, "passcodeMinimumLength": 6,
		"enterpriseAppBlockTrust": true, "documentsBlockManagedDocumentsInUnmanagedApps": true,
		"assignments": []any{},
	})
}
