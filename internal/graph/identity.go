package graph

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
)

// Identity posture and identity response calls (UserGuard). Listings yield
// each object as Graph returned it; the permission each needs is named on
// its reference page and in userguard's permission table.

// rawList lists path with an optional $filter and $select.
func (c *Client) rawList(ctx context.Context, path, filter, sel, op string) iter.Seq2[json.RawMessage, error] {
	q := url.Values{}
	if filter != "" {
		q.Set("$filter", filter)
	}
	if sel != "" {
		q.Set("$select", sel)
	}
	return List[json.RawMessage](ctx, c, path, WithQuery(q), WithOp(op))
}

// UserRegistrationDetails lists every user's authentication method
// registration (MFA, SSPR, methods, isAdmin). Needs AuditLog.Read.All.
// https://learn.microsoft.com/en-us/graph/api/authenticationmethodsroot-list-userregistrationdetails
func (c *Client) UserRegistrationDetails(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error] {
	return c.rawList(ctx, "/reports/authenticationMethods/userRegistrationDetails", filter, "", "list user registration details")
}

// UsersSignInActivity lists users with accountEnabled, userType and
// signInActivity (which needs AuditLog.Read.All besides User.Read.All).
// https://learn.microsoft.com/en-us/graph/api/resources/signinactivity
func (c *Client) UsersSignInActivity(ctx context.Context) iter.Seq2[json.RawMessage, error] {
	return c.rawList(ctx, "/users", "", "id,userPrincipalName,displayName,accountEnabled,userType,createdDateTime,signInActivity",
		"list users with sign-in activity")
}

// RoleAssignments lists active directory role assignments. Needs
// RoleManagement.Read.Directory.
// https://learn.microsoft.com/en-us/graph/api/rbacapplication-list-roleassignments
func (c *Client) RoleAssignments(ctx context.Context) iter.Seq2[json.RawMessage, error] {
	return c.rawList(ctx, "/roleManagement/directory/roleAssignments", "", "", "list role assignments")
}

// RoleEligibilityScheduleInstances lists PIM eligible role assignments in
// force. Needs RoleEligibilitySchedule.Read.Directory.
// https://learn.microsoft.com/en-us/graph/api/rbacapplication-list-roleeligibilityscheduleinstances
func (c *Client) RoleEligibilityScheduleInstances(ctx context.Context) iter.Seq2[json.RawMessage, error] {
	return c.rawList(ctx, "/roleManagement/directory/roleEligibilityScheduleInstances", "", "", "list role eligibility schedule instances")
}

// RiskyUsers lists Entra ID Protection risky users matching filter. Needs
// IdentityRiskyUser.Read.All.
// https://learn.microsoft.com/en-us/graph/api/riskyuser-list
func (c *Client) RiskyUsers(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error] {
	return c.rawList(ctx, "/identityProtection/riskyUsers", filter, "", "list risky users")
}

// RiskDetections lists risk detections matching filter. Needs
// IdentityRiskEvent.Read.All.
// https://learn.microsoft.com/en-us/graph/api/riskdetection-list
func (c *Client) RiskDetections(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error] {
	return c.rawList(ctx, "/identityProtection/riskDetections", filter, "", "list risk detections")
}

// RiskyServicePrincipals lists risky service principals matching filter.
// Needs IdentityRiskyServicePrincipal.Read.All.
// https://learn.microsoft.com/en-us/graph/api/identityprotectionroot-list-riskyserviceprincipals
func (c *Client) RiskyServicePrincipals(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error] {
	return c.rawList(ctx, "/identityProtection/riskyServicePrincipals", filter, "", "list risky service principals")
}

// SignIns lists interactive sign-ins matching filter, newest first. Needs
// AuditLog.Read.All (and Directory.Read.All).
// https://learn.microsoft.com/en-us/graph/api/signin-list
func (c *Client) SignIns(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error] {
	return c.rawList(ctx, "/auditLogs/signIns", filter, "", "list sign-ins")
}

// DirectoryAudits lists directory audit records matching filter. Needs
// AuditLog.Read.All.
// https://learn.microsoft.com/en-us/graph/api/directoryaudit-list
func (c *Client) DirectoryAudits(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error] {
	return c.rawList(ctx, "/auditLogs/directoryAudits", filter, "", "list directory audits")
}

// IdentitySensors lists the Defender for Identity sensors. Needs
// SecurityIdentitiesSensors.Read.All.
// https://learn.microsoft.com/en-us/graph/api/security-identitycontainer-list-sensors
func (c *Client) IdentitySensors(ctx context.Context) iter.Seq2[json.RawMessage, error] {
	return c.rawList(ctx, "/security/identities/sensors", "", "", "list identity sensors")
}

// IdentityHealthIssues lists Defender for Identity health issues matching
// filter. Needs SecurityIdentitiesHealth.Read.All.
// https://learn.microsoft.com/en-us/graph/api/security-identitycontainer-list-healthissues
func (c *Client) IdentityHealthIssues(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error] {
	return c.rawList(ctx, "/security/identities/healthIssues", filter, "", "list identity health issues")
}

// SecurityAlert returns one alerts_v2 alert as Graph returned it. Needs
// SecurityAlert.Read.All.
// https://learn.microsoft.com/en-us/graph/api/security-alert-get
func (c *Client) SecurityAlert(ctx context.Context, id string) (json.RawMessage, error) {
	var raw json.RawMessage
	err := c.Get(ctx, Pathf("/security/alerts_v2/%s", id), &raw, WithOp("get security alert"))
	return raw, err
}

// UpdateSecurityAlert patches an alert's status, classification,
// determination or assignedTo and returns the updated alert. Needs
// SecurityAlert.ReadWrite.All. Setting the same values twice is harmless,
// so the PATCH may be retried.
// https://learn.microsoft.com/en-us/graph/api/security-alert-update
func (c *Client) UpdateSecurityAlert(ctx context.Context, id string, patch map[string]any) (json.RawMessage, error) {
	var raw json.RawMessage
	err := c.Send(ctx, http.MethodPatch, Pathf("/security/alerts_v2/%s", id), patch, &raw,
		WithOp("update security alert"), WithRetrySafe())
	return raw, err
}

// RevokeSignInSessions invalidates a user's refresh tokens and session
// cookies (signInSessionsValidFromDateTime moves to now). Needs
// User.RevokeSessions.All.
// https://learn.microsoft.com/en-us/graph/api/user-revokesigninsessions
func (c *Client) RevokeSignInSessions(ctx context.Context, user string) error {
	return c.Send(ctx, http.MethodPost, userPath(user)+"/revokeSignInSessions", nil, nil,
		WithOp("revoke sign-in sessions"), WithRetrySafe())
}

// SetAccountEnabled enables or disables a user's sign-in (PATCH
// accountEnabled). Needs User.EnableDisableAccount.All.
// https://learn.microsoft.com/en-us/graph/api/user-update
func (c *Client) SetAccountEnabled(ctx context.Context, user string, enabled bool) error {
	return c.Send(ctx, http.MethodPatch, userPath(user), map[string]any{"accountEnabled": enabled}, nil,
		WithOp("set accountEnabled"), WithRetrySafe())
}

// ConfirmCompromised marks users (by object id) as compromised: their risk
// becomes high. DismissUserRisk dismisses their risk. Both need
// IdentityRiskyUser.ReadWrite.All.
// https://learn.microsoft.com/en-us/graph/api/riskyuser-confirmcompromised
func (c *Client) ConfirmCompromised(ctx context.Context, userIDs ...string) error {
	return c.Send(ctx, http.MethodPost, "/identityProtection/riskyUsers/confirmCompromised", map[string]any{"userIds": userIDs}, nil,
		WithOp("confirm users compromised"), WithRetrySafe())
}

// DismissUserRisk dismisses the risk of users (by object id).
// https://learn.microsoft.com/en-us/graph/api/riskyuser-dismiss
func (c *Client) DismissUserRisk(ctx context.Context, userIDs ...string) error {
	return c.Send(ctx, http.MethodPost, "/identityProtection/riskyUsers/dismiss", map[string]any{"userIds": userIDs}, nil,
		WithOp("dismiss user risk"), WithRetrySafe())
}
