package posture_test

import (
	"testing"

	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/posture/posturetest"
)

const ca = "data.conditionalAccessPolicies"

// noExclusions marks a case evaluated without the fixture's exclusions.
const noExclusions = true

// ruleCases exercise every rule of the scuba_aad pack: each automated rule
// has at least one passing and one failing case; manual rules report na.
// Every case starts from testdata/compliant.json.
var ruleCases = []ruleCase{
	// 1.1 legacy authentication
	{"MS.AAD.1.1v1", "compliant", nil, false, posture.StatusPass, "ca-legacy"},
	{"MS.AAD.1.1v1", "all client apps also count", []edit{{ca + "[id=ca-legacy].conditions.clientAppTypes", []any{"all"}}}, false, posture.StatusPass, "ca-legacy"},
	{"MS.AAD.1.1v1", "report-only", []edit{{ca + "[id=ca-legacy].state", "enabledForReportingButNotEnforced"}}, false, posture.StatusFail, "report-only"},
	{"MS.AAD.1.1v1", "only exchange activesync", []edit{{ca + "[id=ca-legacy].conditions.clientAppTypes", []any{"exchangeActiveSync"}}}, false, posture.StatusFail, ""},
	{"MS.AAD.1.1v1", "excludes an app", []edit{{ca + "[id=ca-legacy].conditions.applications.excludeApplications", []any{"00000002-0000-0ff1-ce00-000000000000"}}}, false, posture.StatusFail, "excludes application"},
	{"MS.AAD.1.1v1", "break-glass exclusion not allowed", nil, noExclusions, posture.StatusFail, "excludes user " + userBreakGlass},
	{"MS.AAD.1.1v1", "excluded group not allowed", []edit{{ca + "[id=ca-legacy].conditions.users.excludeGroups", []any{groupSPAdmins}}}, false, posture.StatusFail, "excludes group"},
	{"MS.AAD.1.1v1", "trusted locations excluded", []edit{{ca + "[id=ca-legacy].conditions.locations", map[string]any{"includeLocations": []any{"All"}, "excludeLocations": []any{"AllTrusted"}}}}, false, posture.StatusFail, "network locations"},
	{"MS.AAD.1.1v1", "no policy", []edit{{"data.conditionalAccessPolicies", []any{}}}, false, posture.StatusFail, ""},

	// 2.x risk
	{"MS.AAD.2.1v1", "compliant", nil, false, posture.StatusPass, "ca-userrisk"},
	{"MS.AAD.2.1v1", "disabled", []edit{{ca + "[id=ca-userrisk].state", "disabled"}}, false, posture.StatusFail, "state is disabled"},
	{"MS.AAD.2.1v1", "medium only", []edit{{ca + "[id=ca-userrisk].conditions.userRiskLevels", []any{"medium"}}}, false, posture.StatusFail, ""},
	{"MS.AAD.2.1v1", "not licensed", []edit{{"data.subscribedSkus", skusE3}}, false, posture.StatusNA, "AAD_PREMIUM_P2"},
	{"MS.AAD.2.2v1", "manual", nil, false, posture.StatusNA, "manual check"},
	{"MS.AAD.2.3v1", "compliant", nil, false, posture.StatusPass, "ca-signinrisk"},
	{"MS.AAD.2.3v1", "high and medium", []edit{{ca + "[id=ca-signinrisk].conditions.signInRiskLevels", []any{"medium", "high"}}}, false, posture.StatusPass, "ca-signinrisk"},
	{"MS.AAD.2.3v1", "no risk level", []edit{{ca + "[id=ca-signinrisk].conditions.signInRiskLevels", []any{}}}, false, posture.StatusFail, ""},
	{"MS.AAD.2.3v1", "guests excluded", []edit{{ca + "[id=ca-signinrisk].conditions.users.excludeGuestsOrExternalUsers", map[string]any{"guestOrExternalUserTypes": "b2bCollaborationGuest"}}}, false, posture.StatusFail, "excludes guests"},

	// 3.1 and 3.2 MFA
	{"MS.AAD.3.1v1", "compliant", nil, false, posture.StatusPass, "ca-pr-all"},
	{"MS.AAD.3.1v1", "strength allows push", []edit{{ca + "[id=ca-pr-all].grantControls.authenticationStrength", map[string]any{
		"id": "custom-1", "allowedCombinations": []any{"fido2", "password,microsoftAuthenticatorPush"}}}}, false, posture.StatusFail, ""},
	{"MS.AAD.3.1v1", "OR with plain MFA", []edit{{ca + "[id=ca-pr-all].grantControls.builtInControls", []any{"mfa"}}}, false, posture.StatusFail, ""},
	{"MS.AAD.3.1v1", "AND with plain MFA", []edit{{ca + "[id=ca-pr-all].grantControls.builtInControls", []any{"mfa"}},
		{ca + "[id=ca-pr-all].grantControls.operator", "AND"}}, false, posture.StatusPass, "ca-pr-all"},
	{"MS.AAD.3.2v2", "compliant", nil, false, posture.StatusPass, "ca-mfa-all"},
	{"MS.AAD.3.2v2", "MFA or compliant device", []edit{{ca + "[id=ca-mfa-all].grantControls.builtInControls", []any{"mfa", "compliantDevice"}},
		{ca + "[id=ca-pr-all].state", "disabled"}}, false, posture.StatusFail, "ca-pr-all"},
	{"MS.AAD.3.2v2", "MFA and compliant device", []edit{{ca + "[id=ca-mfa-all].grantControls.builtInControls", []any{"mfa", "compliantDevice"}},
		{ca + "[id=ca-mfa-all].grantControls.operator", "AND"}, {ca + "[id=ca-pr-all].state", "disabled"}}, false, posture.StatusPass, "ca-mfa-all"},
	{"MS.AAD.3.2v2", "custom MFA strength", []edit{{ca + "[id=ca-mfa-all].grantControls.builtInControls", []any{}},
		{ca + "[id=ca-mfa-all].grantControls.authenticationStrength", map[string]any{"id": "custom-2", "allowedCombinations": []any{"password,sms", "fido2"}}},
		{ca + "[id=ca-pr-all].state", "disabled"}}, false, posture.StatusPass, "ca-mfa-all"},
	{"MS.AAD.3.2v2", "strength allows password alone", []edit{{ca + "[id=ca-mfa-all].grantControls.builtInControls", []any{}},
		{ca + "[id=ca-mfa-all].grantControls.authenticationStrength", map[string]any{"id": "custom-3", "allowedCombinations": []any{"password", "fido2"}}},
		{ca + "[id=ca-pr-all].state", "disabled"}}, false, posture.StatusFail, "ca-pr-all"},
	{"MS.AAD.3.2v2", "not all users", []edit{{ca + "[id=ca-mfa-all].conditions.users.includeUsers", []any{userAdele}},
		{ca + "[id=ca-pr-all].state", "disabled"}}, false, posture.StatusFail, "does not include all users"},
	{"MS.AAD.3.2v2", "browser only", []edit{{ca + "[id=ca-mfa-all].conditions.clientAppTypes", []any{"browser"}},
		{ca + "[id=ca-pr-all].state", "disabled"}}, false, posture.StatusFail, "client app types browser"},
	{"MS.AAD.3.2v2", "break-glass exclusion not allowed", nil, noExclusions, posture.StatusFail, "excludes user"},

	// 3.3 to 3.5 authentication methods
	{"MS.AAD.3.3v2", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.3.3v2", "no location", []edit{{"data.authenticationMethodsPolicy.authenticationMethodConfigurations[id=MicrosoftAuthenticator].featureSettings.displayLocationInformationRequiredState.state", "default"}}, false, posture.StatusFail, "geographic location"},
	{"MS.AAD.3.3v2", "group excluded", []edit{{"data.authenticationMethodsPolicy.authenticationMethodConfigurations[id=MicrosoftAuthenticator].featureSettings.displayAppInformationRequiredState.excludeTarget.id", groupSPAdmins}}, false, posture.StatusFail, "application name"},
	{"MS.AAD.3.3v2", "OTP allowed", []edit{{"data.authenticationMethodsPolicy.authenticationMethodConfigurations[id=MicrosoftAuthenticator].isSoftwareOathEnabled", true}}, false, posture.StatusFail, "OTP"},
	{"MS.AAD.3.3v2", "authenticator disabled", []edit{{"data.authenticationMethodsPolicy.authenticationMethodConfigurations[id=MicrosoftAuthenticator].state", "disabled"}}, false, posture.StatusNA, "not enabled"},
	{"MS.AAD.3.3v2", "configurations not collected", []edit{{"data.authenticationMethodsPolicy.authenticationMethodConfigurations", del}}, false, posture.StatusError, "incomplete"},
	{"MS.AAD.3.4v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.3.4v1", "in progress", []edit{{"data.authenticationMethodsPolicy.policyMigrationState", "migrationInProgress"}}, false, posture.StatusFail, "migrationInProgress"},
	{"MS.AAD.3.4v1", "state missing", []edit{{"data.authenticationMethodsPolicy.policyMigrationState", del}}, false, posture.StatusError, "policyMigrationState"},
	{"MS.AAD.3.5v2", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.3.5v2", "sms enabled", []edit{{"data.authenticationMethodsPolicy.authenticationMethodConfigurations[id=Sms].state", "enabled"}}, false, posture.StatusFail, "Sms SMS"},
	{"MS.AAD.3.5v2", "email enabled", []edit{{"data.authenticationMethodsPolicy.authenticationMethodConfigurations[id=Email].state", "enabled"}}, false, posture.StatusFail, "Email"},

	// The TenantGuard snapshot shape: configurations as their own source.
	{"MS.AAD.3.5v2", "separate configurations", []edit{
		{"data.authenticationMethodConfigurations", []any{map[string]any{"id": "Sms", "state": "enabled"}}},
		{"sources.authenticationMethodConfigurations", map[string]any{"status": "ok"}},
		{"data.authenticationMethodsPolicy.authenticationMethodConfigurations", del}}, false, posture.StatusFail, "Sms"},
	{"MS.AAD.3.5v2", "separate configurations failed", []edit{
		{"sources.authenticationMethodConfigurations", map[string]any{"status": "error", "error": "403"}},
		{"data.authenticationMethodsPolicy.authenticationMethodConfigurations", del}}, false, posture.StatusError, "authenticationMethodConfigurations is error"},

	// 3.6 privileged roles
	{"MS.AAD.3.6v1", "compliant", nil, false, posture.StatusPass, "ca-pr-admins"},
	{"MS.AAD.3.6v1", "a role missing", []edit{{ca + "[id=ca-pr-admins].conditions.users.includeRoles", []any{roleGlobal, roleUserAdmin}},
		{ca + "[id=ca-pr-all].state", "disabled"}}, false, posture.StatusFail, "does not include role Exchange Administrator"},
	{"MS.AAD.3.6v1", "all-users policy suffices", []edit{{ca + "[id=ca-pr-admins].state", "disabled"}}, false, posture.StatusPass, "ca-pr-all"},

	// 3.7 to 3.9 devices and flows
	{"MS.AAD.3.7v1", "compliant", nil, false, posture.StatusPass, "ca-managed"},
	{"MS.AAD.3.7v1", "device or MFA", []edit{{ca + "[id=ca-managed].grantControls.builtInControls", []any{"compliantDevice", "mfa"}}}, false, posture.StatusWarning, "ca-register"},
	{"MS.AAD.3.7v1", "no intune", []edit{{"data.subscribedSkus", skusE3}}, false, posture.StatusNA, "INTUNE_A"},
	{"MS.AAD.3.8v1", "compliant", nil, false, posture.StatusPass, "ca-register"},
	{"MS.AAD.3.8v1", "no user action", []edit{{ca + "[id=ca-register].conditions.applications.includeUserActions", []any{}}}, false, posture.StatusWarning, "register security information"},
	{"MS.AAD.3.8v1", "break-glass exclusion not allowed", nil, noExclusions, posture.StatusWarning, "excludes user"},
	{"MS.AAD.3.9v1", "compliant", nil, false, posture.StatusPass, "ca-devicecode"},
	{"MS.AAD.3.9v1", "with authentication transfer", []edit{{ca + "[id=ca-devicecode].conditions.authenticationFlows.transferMethods", "deviceCodeFlow,authenticationTransfer"}}, false, posture.StatusPass, "ca-devicecode"},
	{"MS.AAD.3.9v1", "transfer only", []edit{{ca + "[id=ca-devicecode].conditions.authenticationFlows.transferMethods", "authenticationTransfer"}}, false, posture.StatusWarning, ""},

	{"MS.AAD.4.1v1", "manual", nil, false, posture.StatusNA, "manual check"},

	// 5.x applications
	{"MS.AAD.5.1v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.5.1v1", "users can register", []edit{{"data.authorizationPolicy.defaultUserRolePermissions.allowedToCreateApps", true}}, false, posture.StatusFail, "allowedToCreateApps"},
	{"MS.AAD.5.2v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.5.2v1", "no user consent", []edit{{"data.authorizationPolicy.permissionGrantPolicyIdsAssignedToDefaultUserRole", []any{}}}, false, posture.StatusPass, ""},
	{"MS.AAD.5.2v1", "legacy consent", []edit{{"data.authorizationPolicy.permissionGrantPolicyIdsAssignedToDefaultUserRole", []any{"ManagePermissionGrantsForSelf.microsoft-user-default-legacy"}}}, false, posture.StatusFail, "microsoft-user-default-legacy"},
	{"MS.AAD.5.2v1", "beta collection shape", []edit{{"data.authorizationPolicy", []any{map[string]any{"id": "authorizationPolicy",
		"permissionGrantPolicyIdsAssignedToDefaultUserRole": []any{"ManagePermissionGrantsForSelf.microsoft-user-default-legacy"}}}}}, false, posture.StatusFail, "legacy"},
	{"MS.AAD.5.3v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.5.3v1", "off", []edit{{"data.adminConsentRequestPolicy.isEnabled", false}}, false, posture.StatusFail, "isEnabled"},
	{"MS.AAD.5.3v1", "no reviewers", []edit{{"data.adminConsentRequestPolicy.reviewers", []any{}}}, false, posture.StatusFail, "no reviewers"},
	{"MS.AAD.5.5v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.5.5v1", "only new apps", []edit{{"data.defaultAppManagementPolicy.applicationRestrictions.passwordCredentials[restrictionType=passwordAddition].restrictForAppsCreatedAfterDateTime", "2025-01-01T00:00:00Z"}}, false, posture.StatusWarning, "passwordAddition"},
	{"MS.AAD.5.5v1", "policy disabled", []edit{{"data.defaultAppManagementPolicy.isEnabled", false}}, false, posture.StatusWarning, ""},
	{"MS.AAD.5.6v1", "blocked passwords", nil, false, posture.StatusPass, "blocked"},
	{"MS.AAD.5.6v1", "90 days", []edit{{"data.defaultAppManagementPolicy.applicationRestrictions.passwordCredentials[restrictionType=passwordAddition]", del},
		{"data.defaultAppManagementPolicy.applicationRestrictions.passwordCredentials[restrictionType=passwordLifetime].maxLifetime", "P90D"}}, false, posture.StatusPass, "P90D"},
	{"MS.AAD.5.6v1", "a year", []edit{{"data.defaultAppManagementPolicy.applicationRestrictions.passwordCredentials[restrictionType=passwordAddition]", del},
		{"data.defaultAppManagementPolicy.applicationRestrictions.passwordCredentials[restrictionType=passwordLifetime].maxLifetime", "P365D"}}, false, posture.StatusWarning, "P365D"},
	{"MS.AAD.5.6v1", "no restriction", []edit{{"data.defaultAppManagementPolicy.applicationRestrictions.passwordCredentials", []any{}}}, false, posture.StatusWarning, "no enabled passwordLifetime"},
	{"MS.AAD.5.7v1", "compliant", nil, false, posture.StatusPass, "P366D"},
	{"MS.AAD.5.7v1", "two years", []edit{{"data.defaultAppManagementPolicy.applicationRestrictions.keyCredentials[restrictionType=asymmetricKeyLifetime].maxLifetime", "P2Y"}}, false, posture.StatusWarning, "P2Y"},
	{"MS.AAD.5.7v1", "no restriction", []edit{{"data.defaultAppManagementPolicy.applicationRestrictions.keyCredentials", []any{}}}, false, posture.StatusWarning, ""},

	// 6.1 passwords
	{"MS.AAD.6.1v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.6.1v1", "root domain expires", []edit{{"data.domains[0].passwordValidityPeriodInDays", 90}}, false, posture.StatusFail, "contoso.test"},
	{"MS.AAD.6.1v1", "unverified domain ignored", []edit{{"data.domains[0].passwordValidityPeriodInDays", 90}, {"data.domains[0].isVerified", false}}, false, posture.StatusPass, ""},

	// 7.x privileged access
	{"MS.AAD.7.1v1", "compliant", nil, false, posture.StatusPass, "2 user(s)"},
	{"MS.AAD.7.1v1", "one global admin", []edit{{"data.roleAssignments[id=ra2]", del}}, false, posture.StatusFail, "1 user(s)"},
	{"MS.AAD.7.1v1", "eligible counts", []edit{{"data.roleAssignments[id=ra2]", del},
		{"data.roleEligibilityScheduleInstances[id=el1].roleDefinitionId", roleGlobal}}, false, posture.StatusPass, "alice@contoso.test"},
	{"MS.AAD.7.1v1", "too many through a group", []edit{{"data.roleAssignments[id=ra5].roleDefinitionId", roleGlobal},
		{"data.groups[id=" + groupSPAdmins + "].members", manyMembers(8)}}, false, posture.StatusFail, "10 user(s)"},
	{"MS.AAD.7.1v1", "eligible not collected with P2", []edit{sourceError("roleEligibilityScheduleInstances")}, false, posture.StatusError, "roleEligibilityScheduleInstances"},
	{"MS.AAD.7.1v1", "eligible not collected without P2", []edit{sourceError("roleEligibilityScheduleInstances"), {"data.subscribedSkus", skusE3}}, false, posture.StatusPass, ""},
	{"MS.AAD.7.1v1", "eligibility schedules instead of instances", []edit{{"data.roleAssignments[id=ra2]", del},
		{"data.roleEligibilitySchedules", []any{map[string]any{"id": "es1", "roleDefinitionId": roleGlobal, "principalId": "11111111-0000-0000-0000-000000000006", "directoryScopeId": "/"}}},
		{"sources.roleEligibilitySchedules", map[string]any{"status": "ok"}},
		sourceError("roleEligibilityScheduleInstances")}, false, posture.StatusPass, "alice@contoso.test"},
	{"MS.AAD.7.2v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.7.2v1", "only global admins", []edit{{"data.roleAssignments[id=ra3]", del},
		{"data.roleAssignments[id=ra4]", del}, {"data.roleAssignments[id=ra5]", del}, {"data.roleEligibilityScheduleInstances", []any{}}}, false, posture.StatusFail, "2 Global Administrator(s), 0 user(s)"},
	{"MS.AAD.7.3v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.7.3v1", "synced admin", []edit{{"data.users[id=" + userAdele + "].onPremisesImmutableId", "aGVsbG8="}}, false, posture.StatusFail, userAdele},
	{"MS.AAD.7.3v1", "synced member of admin group", []edit{{"data.users[id=11111111-0000-0000-0000-000000000005].onPremisesSyncEnabled", true}}, false, posture.StatusFail, "SharePoint Administrator"},
	{"MS.AAD.7.3v1", "synced non-admin", []edit{{"data.users[id=11111111-0000-0000-0000-000000000007].onPremisesSyncEnabled", true}}, false, posture.StatusPass, ""},
	{"MS.AAD.7.4v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.7.4v1", "permanent break-glass", []edit{{"data.roleAssignmentScheduleInstances[id=ai2].endDateTime", nil}}, false, posture.StatusFail, userBreakGlass},
	{"MS.AAD.7.4v1", "permanent group", []edit{{"data.roleAssignmentScheduleInstances[id=ai5].endDateTime", nil}}, false, posture.StatusFail, "group " + groupSPAdmins},
	{"MS.AAD.7.4v1", "permanent PIM group", []edit{{"data.roleAssignmentScheduleInstances[id=ai5].endDateTime", nil},
		{"data.pimEnabledGroups", []any{map[string]any{"id": groupSPAdmins}}}}, false, posture.StatusPass, ""},
	{"MS.AAD.7.4v1", "activated is not permanent", []edit{{"data.roleAssignmentScheduleInstances[id=ai1].endDateTime", nil}}, false, posture.StatusPass, ""},
	{"MS.AAD.7.4v1", "not licensed", []edit{{"data.subscribedSkus", skusE3}}, false, posture.StatusNA, "AAD_PREMIUM_P2"},
	{"MS.AAD.7.5v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.7.5v1", "assigned outside PIM", []edit{{"data.roleAssignmentScheduleInstances[id=ai3].startDateTime", nil}}, false, posture.StatusFail, "Exchange Administrator assigned outside PIM"},
	{"MS.AAD.7.6v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.7.6v1", "no approval", []edit{{"data.roleManagementPolicyAssignments[roleDefinitionId=" + roleGlobal + "].policy.rules[id=Approval_EndUser_Assignment].setting.isApprovalRequired", false}}, false, posture.StatusFail, roleGlobal},
	{"MS.AAD.7.6v1", "no policy for the role", []edit{{"data.roleManagementPolicyAssignments[roleDefinitionId=" + roleGlobal + "]", del}}, false, posture.StatusFail, ""},
	{"MS.AAD.7.6v1", "policies as their own source", splitPolicies(false), false, posture.StatusFail, roleGlobal},
	{"MS.AAD.7.6v1", "policies as their own source, approval on", splitPolicies(true), false, posture.StatusPass, ""},
	{"MS.AAD.7.7v1", "policies not collected", []edit{{"data.roleManagementPolicyAssignments[0].policy", del}}, false, posture.StatusError, "roleManagementPolicies"},
	{"MS.AAD.7.7v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.7.7v1", "no eligible alert", []edit{{"data.roleManagementPolicyAssignments[roleDefinitionId=" + roleExchange + "].policy.rules[id=Notification_Admin_Admin_Eligibility].notificationRecipients", []any{}}}, false, posture.StatusFail, "eligible assignment alert"},
	{"MS.AAD.7.8v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.7.8v1", "no activation alert", []edit{{"data.roleManagementPolicyAssignments[roleDefinitionId=" + roleGlobal + "].policy.rules[id=Notification_Admin_EndUser_Assignment].notificationRecipients", []any{}}}, false, posture.StatusFail, "role activation alert"},
	{"MS.AAD.7.9v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.7.9v1", "no activation alert", []edit{{"data.roleManagementPolicyAssignments[roleDefinitionId=" + roleUserAdmin + "].policy.rules[id=Notification_Admin_EndUser_Assignment].notificationRecipients", []any{}}}, false, posture.StatusWarning, "User Administrator"},
	{"MS.AAD.7.9v1", "global admin does not count", []edit{{"data.roleManagementPolicyAssignments[roleDefinitionId=" + roleGlobal + "].policy.rules[id=Notification_Admin_EndUser_Assignment].notificationRecipients", []any{}}}, false, posture.StatusPass, ""},

	// 8.x guests
	{"MS.AAD.8.1v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.8.1v1", "limited access", []edit{{"data.authorizationPolicy.guestUserRoleId", "10dae51f-b6af-4016-8d66-8c2a99b929b3"}}, false, posture.StatusPass, ""},
	{"MS.AAD.8.1v1", "member access", []edit{{"data.authorizationPolicy.guestUserRoleId", "a0b1b346-4d3e-4e8b-98f8-753987be4970"}}, false, posture.StatusWarning, "a0b1b346"},
	{"MS.AAD.8.2v1", "compliant", nil, false, posture.StatusPass, ""},
	{"MS.AAD.8.2v1", "everyone", []edit{{"data.authorizationPolicy.allowInvitesFrom", "everyone"}}, false, posture.StatusWarning, "everyone"},
	{"MS.AAD.8.3v1", "manual", nil, false, posture.StatusNA, "manual check"},

	// 9.1 agents
	{"MS.AAD.9.1v1", "compliant", nil, false, posture.StatusPass, "ca-agents"},
	{"MS.AAD.9.1v1", "medium and high", []edit{{ca + "[id=ca-agents].conditions.agentIdRiskLevels", "medium,high"}}, false, posture.StatusPass, "ca-agents"},
	{"MS.AAD.9.1v1", "medium only", []edit{{ca + "[id=ca-agents].conditions.agentIdRiskLevels", "medium"}}, false, posture.StatusFail, ""},
	{"MS.AAD.9.1v1", "some agents", []edit{{ca + "[id=ca-agents].conditions.clientApplications.includeAgentIdServicePrincipals", []any{"44444444-0000-0000-0000-000000000001"}}}, false, posture.StatusFail, "all agent identities"},
	{"MS.AAD.9.1v1", "not licensed", []edit{{"data.subscribedSkus", skusE3}}, false, posture.StatusNA, "AAD_PREMIUM_P2"},
}

// splitPolicies moves the Global Administrator PIM policy out of its
// assignment into a roleManagementPolicies source, as TenantGuard stores
// them; approval says whether activation needs approval.
func splitPolicies(approval bool) []edit {
	return []edit{
		{"data.roleManagementPolicyAssignments[roleDefinitionId=" + roleGlobal + "].policy", del},
		{"data.roleManagementPolicies", []any{map[string]any{"id": "pol-" + roleGlobal, "rules": []any{
			map[string]any{"id": "Approval_EndUser_Assignment", "setting": map[string]any{"isApprovalRequired": approval}},
		}}}},
		{"sources.roleManagementPolicies", map[string]any{"status": "ok"}},
	}
}

// manyMembers returns n user members for a group.
func manyMembers(n int) []any {
	out := []any{map[string]any{"@odata.type": "#microsoft.graph.user", "id": "11111111-0000-0000-0000-000000000005"}}
	for i := range n - 1 {
		out = append(out, map[string]any{"@odata.type": "#microsoft.graph.user", "id": "55555555-0000-0000-0000-00000000000" + string(rune('0'+i))})
	}
	return out
}

// TestRules runs ruleCases against the compliant fixture.
func TestRules(t *testing.T) { scuba.runCases(t, ruleCases) }

// TestRuleCoverage checks that every loaded rule has a passing and a
// failing case above (manual rules: an na case).
func TestRuleCoverage(t *testing.T) {
	if rules := scuba.checkCoverage(t, ruleCases); len(rules) != 34 {
		t.Errorf("scuba_aad has %d rules, the baseline 34", len(rules))
	}
}

// TestCompliantFixture checks the fixture is what the cases assume.
func TestCompliantFixture(t *testing.T) {
	rep := evaluate(t, fixture(t), fixtureExclusions(t))
	posturetest.CheckAllPass(t, rep)
	if got := rep.Summary.Score; got != 100 {
		t.Errorf("score %d, want 100", got)
	}
}

// TestSourceErrors marks each source a rule needs as failed, then as
// missing, and expects Error naming the source, never pass or fail.
func TestSourceErrors(t *testing.T) { scuba.checkSourceErrors(t) }

// TestLicenceGating: without the service plan a gated rule is na; when the
// licences could not be collected it is error.
func TestLicenceGating(t *testing.T) {
	scuba.checkLicenceGating(t)
	// A suspended SKU does not license anything.
	doc := fixture(t)
	apply(t, doc, edit{"data.subscribedSkus[0].capabilityStatus", "Suspended"})
	if res := result(t, evaluate(t, doc, nil), "MS.AAD.2.1v1"); res.Status != posture.StatusNA {
		t.Errorf("suspended SKU: %s, want na", res.Status)
	}
}

// TestNearMisses: a failed conditional access rule lists policies that do
// what the rule wants but fall short on coverage, not policies with another
// purpose (a risk-based block is no legacy-authentication policy).
func TestNearMisses(t *testing.T) {
	doc := fixture(t)
	apply(t, doc, edit{ca + "[id=ca-legacy].conditions.users.includeUsers", []any{userAdele}})
	res := result(t, evaluate(t, doc, fixtureExclusions(t)), "MS.AAD.1.1v1")
	if res.Status != posture.StatusFail || len(res.Evidence) != 1 || res.Evidence[0].ID != "ca-legacy" {
		t.Errorf("1.1: %s with evidence\n%s", res.Status, posturetest.EvidenceText(res))
	}
}
