package userguard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// cloudPermissions maps the calls UserGuard makes to the least privileged
// application permission each needs, from each API's reference page, so a
// 403 can say what to grant.
var cloudPermissions = []struct{ prefix, permission string }{
	{"GET /reports/authenticationMethods/", "AuditLog.Read.All"},
	{"GET /users", "User.Read.All and AuditLog.Read.All (signInActivity)"},
	{"GET /roleManagement/directory/roleEligibility", "RoleEligibilitySchedule.Read.Directory"},
	{"GET /roleManagement/", "RoleManagement.Read.Directory"},
	{"GET /identityProtection/riskyUsers", "IdentityRiskyUser.Read.All"},
	{"POST /identityProtection/riskyUsers", "IdentityRiskyUser.ReadWrite.All"},
	{"GET /identityProtection/riskyServicePrincipals", "IdentityRiskyServicePrincipal.Read.All"},
	{"GET /identityProtection/riskDetections", "IdentityRiskEvent.Read.All"},
	{"GET /auditLogs/signIns", "AuditLog.Read.All and Directory.Read.All"},
	{"GET /auditLogs/", "AuditLog.Read.All"},
	{"GET /security/secureScore", "SecurityEvents.Read.All"},
	{"GET /security/alerts_v2", "SecurityAlert.Read.All"},
	{"PATCH /security/alerts_v2", "SecurityAlert.ReadWrite.All"},
	{"POST /security/alerts_v2", "SecurityAlert.ReadWrite.All"},
	{"GET /security/incidents", "SecurityIncident.Read.All"},
	{"PATCH /security/incidents", "SecurityIncident.ReadWrite.All"},
	{"POST /security/incidents", "SecurityIncident.ReadWrite.All"},
	{"GET /security/identities/sensors", "SecurityIdentitiesSensors.Read.All"},
	{"GET /security/identities/healthIssues", "SecurityIdentitiesHealth.Read.All"},
	{"GET /security/identities/identityAccounts", "SecurityIdentitiesAccount.Read.All"},
	{"POST /security/identities/identityAccounts", "SecurityIdentitiesActions.ReadWrite.All"},
	{"POST /users/{id}/revokeSignInSessions", "User.RevokeSessions.All"},
	{"PATCH /users/", "User.EnableDisableAccount.All"},
}

// PermissionFor returns the application permission the call endpoint
// ("METHOD /path") needs, or "".
func PermissionFor(endpoint string) string {
	for _, p := range cloudPermissions {
		if strings.HasPrefix(endpoint, p.prefix) {
			return p.permission
		}
	}
	return ""
}

// explain adds the missing permission to a 403.
func explain(err error, endpoint string) error {
	if errors.Is(err, graph.ErrForbidden) {
		if p := PermissionFor(endpoint); p != "" {
			return fmt.Errorf("%w (the app needs the Microsoft Graph application permission %s, with admin consent)", err, p)
		}
	}
	return err
}
