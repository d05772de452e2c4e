package m365sim

import (
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// Application permissions of the identity, security and device resources,
// as each Graph v1.0 reference page lists them (least privileged first).
var (
	rolesRegDetailsRead = []string{"AuditLog.Read.All", "UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All"}
	rolesRiskyUserRead  = []string{"IdentityRiskyUser.Read.All", "IdentityRiskyUser.ReadWrite.All"}
	rolesRiskyUserWrite = []string{"IdentityRiskyUser.ReadWrite.All"}
	rolesRiskEventRead  = []string{"IdentityRiskEvent.Read.All", "IdentityRiskEvent.ReadWrite.All"}
	rolesRiskySPRead    = []string{"IdentityRiskyServicePrincipal.Read.All", "IdentityRiskyServicePrincipal.ReadWrite.All"}
	rolesAuditRead      = []string{"AuditLog.Read.All"}
	rolesAlertRead      = []string{"SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All"}
	rolesAlertWrite     = []string{"SecurityAlert.ReadWrite.All"}
	rolesIncidentRead   = []string{"SecurityIncident.Read.All", "SecurityIncident.ReadWrite.All"}
	rolesIncidentWrite  = []string{"SecurityIncident.ReadWrite.All"}
	rolesMDIHealthRead  = []string{"SecurityIdentitiesHealth.Read.All", "SecurityIdentitiesHealth.ReadWrite.All"}
	rolesMDISensorRead  = []string{"SecurityIdentitiesSensors.Read.All", "SecurityIdentitiesSensors.ReadWrite.All"}
	rolesSecEventsRead  = []string{"SecurityEvents.Read.All", "SecurityEvents.ReadWrite.All"}
	rolesDevicesRead    = []string{"DeviceManagementManagedDevices.Read.All", "DeviceManagementManagedDevices.ReadWrite.All"}
	rolesDevicesPriv    = []string{"DeviceManagementManagedDevices.PrivilegedOperations.All"}
	rolesRevokeSessions = []string{"User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"}
	rolesUserEnable     = []string{"User.EnableDisableAccount.All", "User.ReadWrite.All", "Directory.ReadWrite.All"}

	// Defender for Endpoint API permissions (identity.IsMDERole), per
	// https://learn.microsoft.com/en-us/defender-endpoint/api/get-machines
	// and the isolate, unisolate, run-av-scan and get-alerts pages.
	rolesMDEMachineRead = []string{"Machine.Read.All", "Machine.ReadWrite.All"}
	rolesMDEIsolate     = []string{"Machine.Isolate"}
	rolesMDEScan        = []string{"Machine.Scan"}
	rolesMDEAlertRead   = []string{"Alert.Read.All", "Alert.ReadWrite.All"}
)

// securityRoles is every permission above, for AllRoles.
var securityRoles = func() []string {
	var all []string
	seen := map[string]bool{}
	for _, set := range [][]string{rolesRegDetailsRead, rolesRiskyUserRead, rolesRiskEventRead, rolesRiskySPRead,
		rolesAuditRead, rolesAlertRead, rolesIncidentRead, rolesMDIHealthRead, rolesMDISensorRead, rolesSecEventsRead,
		rolesDevicesRead, rolesDevicesPriv, rolesRevokeSessions, rolesUserEnable,
		rolesMDEMachineRead, rolesMDEIsolate, rolesMDEScan, rolesMDEAlertRead, rolesMDIAccountRead, rolesMDIActions} {
		for _, r := range set {
			if !seen[r] {
				seen[r] = true
				all = append(all, r)
			}
		}
	}
	return all
}()

// secRules builds the query rules of a security collection: the page
// size, and the properties $filter accepts with eq/ne (and ge/le for
// timestamps). Other properties are answered as Graph does for an
// unsupported filter.
func secRules(resource, doc string, defTop, maxTop int, eq []string, ranges []string) odata.Rules {
	props := map[string]odata.PropRule{}
	for _, p := range eq {
		props[p] = odata.PropRule{Ops: []string{"eq", "ne", "in"}}
	}
	for _, p := range ranges {
		props[p] = odata.PropRule{Ops: []string{"eq", "ge", "le", "gt", "lt"}}
	}
	return odata.Rules{Resource: resource, Doc: doc, DefaultTop: defTop, MaxTop: maxTop,
		Filter: odata.FilterRules{Props: props, Code: "BadRequest", Message: "Invalid filter clause: the property '%s' of %s is not filterable."}}
}

// Query rules of the collections, from each list page's "Optional query
// parameters" section.
var (
	regDetailsRules = secRules("userRegistrationDetails", "https://learn.microsoft.com/en-us/graph/api/authenticationmethodsroot-list-userregistrationdetails", 1000, 1000,
		[]string{"id", "userPrincipalName", "userDisplayName", "userType", "isAdmin", "isMfaRegistered", "isMfaCapable",
			"isSsprRegistered", "isSsprEnabled", "isSsprCapable", "isPasswordlessCapable", "methodsRegistered"}, nil)
	riskyUserRules = secRules("riskyUser", "https://learn.microsoft.com/en-us/graph/api/riskyuser-list", 20, 500,
		[]string{"id", "riskLevel", "riskState", "riskDetail", "userPrincipalName", "userDisplayName", "isDeleted"}, []string{"riskLastUpdatedDateTime"})
	riskDetectionRules = secRules("riskDetection", "https://learn.microsoft.com/en-us/graph/api/riskdetection-list", 20, 500,
		[]string{"id", "riskEventType", "riskLevel", "riskState", "riskDetail", "userId", "userPrincipalName", "source", "activity", "detectionTimingType", "ipAddress"},
		[]string{"activityDateTime", "detectedDateTime", "lastUpdatedDateTime"})
	riskySPRules = secRules("riskyServicePrincipal", "https://learn.microsoft.com/en-us/graph/api/identityprotectionroot-list-riskyserviceprincipals", 20, 500,
		[]string{"id", "appId", "displayName", "riskLevel", "riskState", "riskDetail"}, []string{"riskLastUpdatedDateTime"})
	signInRules = secRules("signIn", "https://learn.microsoft.com/en-us/graph/api/signin-list", 1000, 1000,
		[]string{"id", "userId", "userPrincipalName", "appId", "appDisplayName", "ipAddress", "clientAppUsed", "conditionalAccessStatus",
			"riskLevelDuringSignIn", "status/errorCode", "isInteractive"}, []string{"createdDateTime"})
	directoryAuditRules = secRules("directoryAudit", "https://learn.microsoft.com/en-us/graph/api/directoryaudit-list", 1000, 1000,
		[]string{"id", "activityDisplayName", "category", "loggedByService", "result", "correlationId", "initiatedBy/user/id",
			"initiatedBy/user/userPrincipalName", "initiatedBy/app/appId", "targetResources"}, []string{"activityDateTime"})
	alertRules = secRules("alert", "https://learn.microsoft.com/en-us/graph/api/security-list-alerts_v2", 2000, 2000,
		[]string{"assignedTo", "classification", "determination", "serviceSource", "severity", "status"},
		[]string{"createdDateTime", "lastUpdateDateTime"})
	incidentRules = secRules("incident", "https://learn.microsoft.com/en-us/graph/api/security-list-incidents", 50, 50,
		[]string{"assignedTo", "classification", "determination", "severity", "status"}, []string{"createdDateTime", "lastUpdateDateTime"})
	healthIssueRules = secRules("healthIssue", "https://learn.microsoft.com/en-us/graph/api/security-identitycontainer-list-healthissues", 100, 1000,
		[]string{"status", "severity", "healthIssueType", "issueTypeId", "displayName"}, []string{"createdDateTime"})
	sensorRules = secRules("sensor", "https://learn.microsoft.com/en-us/graph/api/security-identitycontainer-list-sensors", 100, 1000,
		[]string{"healthStatus", "deploymentStatus", "sensorType", "domainName", "displayName"}, nil)
	secureScoreRules = secRules("secureScore", "https://learn.microsoft.com/en-us/graph/api/security-list-securescores", 100, 1000,
		nil, []string{"createdDateTime"})
	controlProfileRules = secRules("secureScoreControlProfile", "https://learn.microsoft.com/en-us/graph/api/security-list-securescorecontrolprofiles", 100, 1000,
		[]string{"controlCategory", "service", "actionType", "tier", "deprecated"}, nil)
	managedDeviceRules = secRules("managedDevice", "https://learn.microsoft.com/en-us/graph/api/intune-devices-manageddevice-list", 1000, 1000,
		[]string{"id", "deviceName", "operatingSystem", "complianceState", "managedDeviceOwnerType", "userPrincipalName",
			"userId", "azureADDeviceId", "managementAgent", "jailBroken", "isEncrypted"}, []string{"lastSyncDateTime", "enrolledDateTime"})
)

// securityRoutes registers the identity-protection, audit, Microsoft
// Defender (Graph security), Intune managed device and user response
// routes, under /v1.0 and /beta alike. The Defender for Endpoint API host
// is served by serveMDE (mde.go), under /api/.
func (s *Server) securityRoutes() {
	rd := func(roles []string, deny denyStyle) spec {
		return spec{class: limits.ClassIdentity, roles: roles, deny: deny, ru: 1}
	}
	wr := func(roles []string, deny denyStyle) spec {
		return spec{class: limits.ClassIdentity, roles: roles, deny: deny, ru: 3, write: true}
	}
	coll := func(path string, set, ctx string, rules odata.Rules, sp spec, hide ...string) {
		c := &secColl{set: set, context: ctx, rules: rules, hide: hide}
		s.handle("GET "+path, sp, s.secList(c))
		s.handle("GET "+path+"/{id}", sp, s.secGet(c))
	}
	coll("/reports/authenticationMethods/userRegistrationDetails", tenant.SetRegistrationDetails,
		"reports/authenticationMethods/userRegistrationDetails", regDetailsRules, rd(rolesRegDetailsRead, denyDirectory))

	// Entra ID Protection.
	coll("/identityProtection/riskyUsers", tenant.SetRiskyUsers, "identityProtection/riskyUsers", riskyUserRules,
		rd(rolesRiskyUserRead, denyDirectory), "history")
	s.handle("GET /identityProtection/riskyUsers/{id}/history", rd(rolesRiskyUserRead, denyDirectory), s.riskyUserHistory)
	s.handle("POST /identityProtection/riskyUsers/confirmCompromised", wr(rolesRiskyUserWrite, denyDirectory), s.riskyUsersAction(true))
	s.handle("POST /identityProtection/riskyUsers/dismiss", wr(rolesRiskyUserWrite, denyDirectory), s.riskyUsersAction(false))
	coll("/identityProtection/riskDetections", tenant.SetRiskDetections, "identityProtection/riskDetections", riskDetectionRules,
		rd(rolesRiskEventRead, denyDirectory))
	coll("/identityProtection/riskyServicePrincipals", tenant.SetRiskyServicePrinc, "identityProtection/riskyServicePrincipals",
		riskySPRules, rd(rolesRiskySPRead, denyDirectory))

	// Audit logs.
	coll("/auditLogs/signIns", tenant.SetSignIns, "auditLogs/signIns", signInRules, rd(rolesAuditRead, denyDirectory))
	coll("/auditLogs/directoryAudits", tenant.SetDirectoryAudits, "auditLogs/directoryAudits", directoryAuditRules, rd(rolesAuditRead, denyDirectory))

	// Microsoft Defender through Graph security.
	coll("/security/alerts_v2", tenant.SetAlerts, "security/alerts_v2", alertRules, rd(rolesAlertRead, denySecurity))
	s.handle("PATCH /security/alerts_v2/{id}", wr(rolesAlertWrite, denySecurity), s.updateAlert)
	s.handle("GET /security/incidents", rd(rolesIncidentRead, denySecurity), s.listIncidents)
	s.handle("GET /security/incidents/{id}", rd(rolesIncidentRead, denySecurity), s.getIncident)
	s.handle("PATCH /security/incidents/{id}", wr(rolesIncidentWrite, denySecurity), s.updateIncident)
	s.commentRoutes(wr(rolesAlertWrite, denySecurity), wr(rolesIncidentWrite, denySecurity)) // security_comments.go
	coll("/security/identities/healthIssues", tenant.SetHealthIssues, "security/identities/healthIssues", healthIssueRules,
		rd(rolesMDIHealthRead, denySecurity))
	coll("/security/identities/sensors", tenant.SetSensors, "security/identities/sensors", sensorRules, rd(rolesMDISensorRead, denySecurity))
	s.identityAccountRoutes(rd(rolesMDIAccountRead, denySecurity), wr(rolesMDIActions, denySecurity)) // identity_accounts.go
	coll("/security/secureScores", tenant.SetSecureScores, "security/secureScores", secureScoreRules, rd(rolesSecEventsRead, denySecurity))
	coll("/security/secureScoreControlProfiles", tenant.SetControlProfiles, "security/secureScoreControlProfiles",
		controlProfileRules, rd(rolesSecEventsRead, denySecurity))

	// Intune managed devices (devices.go).
	s.deviceRoutes(rd(rolesDevicesRead, denyIntuneDevices), wr(rolesDevicesPriv, denyIntuneDevices))

	// User response actions (users_actions.go).
	s.handle("POST /users/{user}/revokeSignInSessions", wr(rolesRevokeSessions, denyDirectory), s.revokeSignInSessions)
	s.handle("PATCH /users/{user}", wr(rolesUserEnable, denyDirectory), s.updateUser)

	s.mde = s.mdeRoutes()
}
