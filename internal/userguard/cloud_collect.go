package userguard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/posture"
)

// Inventory source keys of the cloud identity section (docs/inventory.md,
// "Identity (Entra ID and Defender for Identity)").
const (
	SourceRegistration    = "userRegistrationDetails"
	SourceUsers           = "users"
	SourceRoleAssignments = "roleAssignments"
	SourceRoleEligibility = "roleEligibilityScheduleInstances"
	SourceRiskyUsers      = "riskyUsers"
	SourceRiskySPs        = "riskyServicePrincipals"
	SourceRiskDetections  = "riskDetections"
	SourceSignInSummary   = "signInSummary"
	SourceRoleAudits      = "roleManagementAudits"
	SourceSecureScores    = "secureScores"
	SourceControlProfiles = "secureScoreControlProfiles"
	SourceIdentityAlerts  = "identityAlerts"
	SourceSensors         = "identitySensors"
	SourceHealthIssues    = "identityHealthIssues"
)

// Windows of the time-bound sources, measured back from CollectOptions.Now.
const (
	riskDetectionWindow = 30 * 24 * time.Hour // rules look at the last 7 days; 30 keeps context
	signInWindow        = 7 * 24 * time.Hour  // Entra Free keeps sign-ins 7 days
	roleAuditWindow     = 30 * 24 * time.Hour // P1/P2 keep audit logs 30 days
)

// cloudSource is what CollectCloud reads through Graph; *graph.Client
// implements it.
type cloudSource interface {
	UserRegistrationDetails(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error]
	UsersSignInActivity(ctx context.Context) iter.Seq2[json.RawMessage, error]
	RoleAssignments(ctx context.Context) iter.Seq2[json.RawMessage, error]
	RoleEligibilityScheduleInstances(ctx context.Context) iter.Seq2[json.RawMessage, error]
	RiskyUsers(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error]
	RiskyServicePrincipals(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error]
	RiskDetections(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error]
	SignIns(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error]
	DirectoryAudits(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error]
	SecureScores(ctx context.Context, top int) iter.Seq2[json.RawMessage, error]
	SecureScoreControlProfiles(ctx context.Context) iter.Seq2[json.RawMessage, error]
	SecurityAlerts(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error]
	IdentitySensors(ctx context.Context) iter.Seq2[json.RawMessage, error]
	IdentityHealthIssues(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error]
}

var _ cloudSource = (*graph.Client)(nil)

// CloudOptions configure CollectCloud.
type CloudOptions struct {
	TenantID, TenantName string
	// Now stamps collectedAt, which age checks measure from, and anchors
	// the time windows of sign-ins, detections and audits. Default
	// time.Now.
	Now func() time.Time
}

// CollectCloud reads the Entra ID and Defender for Identity sources of
// checks I1–I15 into a new inventory. A source that fails is recorded with
// its error, naming the permission a 403 lacks; the others are still
// collected and the rules that need it report error. CollectCloud fails
// only when ctx ends.
func CollectCloud(ctx context.Context, g cloudSource, opts CloudOptions) (*posture.Inventory, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	now := opts.Now().UTC()
	inv := &posture.Inventory{SchemaVersion: posture.InventorySchemaVersion, CollectedAt: now,
		Collector: "sg365 userguard cloud", Tenant: posture.Tenant{ID: opts.TenantID, DisplayName: opts.TenantName},
		Sources: map[string]posture.SourceStatus{}, Data: map[string]json.RawMessage{}}
	record := func(key, endpoint string, v any, err error) {
		if err != nil {
			inv.SetSourceError(key, explain(err, endpoint))
		} else if serr := inv.SetSource(key, v); serr != nil {
			inv.SetSourceError(key, serr)
		}
		st := inv.Sources[key]
		st.Endpoint = endpoint
		inv.Sources[key] = st
	}
	since := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	raw := func(key, endpoint string, seq iter.Seq2[json.RawMessage, error]) {
		v, err := collectRaw(seq)
		record(key, endpoint, v, err)
	}

	raw(SourceRegistration, "GET /reports/authenticationMethods/userRegistrationDetails", g.UserRegistrationDetails(ctx, ""))
	raw(SourceUsers, "GET /users?$select=…,signInActivity", g.UsersSignInActivity(ctx))
	raw(SourceRoleAssignments, "GET /roleManagement/directory/roleAssignments", g.RoleAssignments(ctx))
	raw(SourceRoleEligibility, "GET /roleManagement/directory/roleEligibilityScheduleInstances", g.RoleEligibilityScheduleInstances(ctx))
	raw(SourceRiskyUsers, "GET /identityProtection/riskyUsers", g.RiskyUsers(ctx, ""))
	raw(SourceRiskySPs, "GET /identityProtection/riskyServicePrincipals", g.RiskyServicePrincipals(ctx, ""))
	f := "detectedDateTime ge " + since(riskDetectionWindow)
	raw(SourceRiskDetections, "GET /identityProtection/riskDetections?$filter="+f, g.RiskDetections(ctx, f))
	f = "createdDateTime ge " + since(signInWindow)
	sum, err := summarizeSignIns(g.SignIns(ctx, f), signInWindow)
	record(SourceSignInSummary, "GET /auditLogs/signIns?$filter="+f+" (summarised)", sum, err)
	f = "category eq 'RoleManagement' and activityDateTime ge " + since(roleAuditWindow)
	raw(SourceRoleAudits, "GET /auditLogs/directoryAudits?$filter="+f, g.DirectoryAudits(ctx, f))
	scores, err := collectRaw(g.SecureScores(ctx, 1))
	record(SourceSecureScores, "GET /security/secureScores?$top=1", scores, err)
	raw(SourceControlProfiles, "GET /security/secureScoreControlProfiles", g.SecureScoreControlProfiles(ctx))
	var alerts []json.RawMessage
	var aerr error
	for _, src := range []string{"microsoftDefenderForIdentity", "azureAdIdentityProtection"} {
		a, err := collectRaw(g.SecurityAlerts(ctx, "serviceSource eq '"+src+"'"))
		alerts, aerr = append(alerts, a...), errors.Join(aerr, err)
	}
	record(SourceIdentityAlerts, "GET /security/alerts_v2?$filter=serviceSource eq 'microsoftDefenderForIdentity' (and 'azureAdIdentityProtection')",
		orEmpty(alerts), aerr)
	raw(SourceSensors, "GET /security/identities/sensors", g.IdentitySensors(ctx))
	raw(SourceHealthIssues, "GET /security/identities/healthIssues", g.IdentityHealthIssues(ctx, ""))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return inv, nil
}

func collectRaw(seq iter.Seq2[json.RawMessage, error]) ([]json.RawMessage, error) {
	out := []json.RawMessage{}
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// SignInSummary condenses the sign-in log of a window to what checks I9
// (legacy authentication) and I10 (no Conditional Access applied) need, so
// the inventory stays small in a tenant with millions of sign-ins.
type SignInSummary struct {
	WindowDays                int                 `json:"windowDays"`
	Total                     int                 `json:"total"`
	ByClientApp               map[string]int      `json:"byClientApp"`
	ByConditionalAccessStatus map[string]int      `json:"byConditionalAccessStatus"`
	Users                     []SignInUserSummary `json:"users"` // users with a legacy or no-CA sign-in
}

// SignInUserSummary counts one user's notable sign-ins.
type SignInUserSummary struct {
	UserID            string         `json:"userId"`
	UserPrincipalName string         `json:"userPrincipalName"`
	LegacyClients     map[string]int `json:"legacyClients,omitempty"` // clientAppUsed → count
	NotApplied        int            `json:"conditionalAccessNotApplied"`
	Last              string         `json:"lastDateTime"`
}

// modernClients are the clientAppUsed values of modern authentication;
// anything else (IMAP4, POP3, Authenticated SMTP, Exchange ActiveSync,
// MAPI over HTTP, Other clients, …) is legacy.
// https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-block-legacy-authentication
var modernClients = map[string]bool{"Browser": true, "Mobile Apps and Desktop clients": true, "": true}

func summarizeSignIns(seq iter.Seq2[json.RawMessage, error], window time.Duration) (*SignInSummary, error) {
	s := &SignInSummary{WindowDays: int(window / (24 * time.Hour)), ByClientApp: map[string]int{}, ByConditionalAccessStatus: map[string]int{}}
	byUser := map[string]*SignInUserSummary{}
	var order []string
	for raw, err := range seq {
		if err != nil {
			return nil, err
		}
		var si struct {
			UserID, UserPrincipalName, ClientAppUsed, ConditionalAccessStatus, CreatedDateTime string
		}
		if err := json.Unmarshal(raw, &si); err != nil {
			return nil, fmt.Errorf("sign-in: %w", err)
		}
		s.Total++
		s.ByClientApp[si.ClientAppUsed]++
		s.ByConditionalAccessStatus[si.ConditionalAccessStatus]++
		legacy, noCA := !modernClients[si.ClientAppUsed], si.ConditionalAccessStatus == "notApplied"
		if !legacy && !noCA {
			continue
		}
		u := byUser[si.UserID]
		if u == nil {
			u = &SignInUserSummary{UserID: si.UserID, UserPrincipalName: si.UserPrincipalName}
			byUser[si.UserID] = u
			order = append(order, si.UserID)
		}
		if legacy {
			if u.LegacyClients == nil {
				u.LegacyClients = map[string]int{}
			}
			u.LegacyClients[si.ClientAppUsed]++
		}
		if noCA {
			u.NotApplied++
		}
		if si.CreatedDateTime > u.Last {
			u.Last = si.CreatedDateTime
		}
	}
	s.Users = []SignInUserSummary{}
	for _, id := range order {
		s.Users = append(s.Users, *byUser[id])
	}
	return s, nil
}
