package tenant

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// security generates identity-protection, audit, Defender and Intune device
// data, with planted weaknesses for UserGuard and DeviceGuard to find:
//
//   - two administrators (member 1 and member 2) without MFA registration;
//   - a stale account: the guest has not signed in for 200 days;
//   - a risky user at high risk (member 3, or the last member in small
//     tenants) with a leaked-credentials detection;
//   - a jailbroken iPhone (noncompliant);
//   - a Windows laptop (member 0's) with real-time protection off and
//     signatures out of date, still compliant because the Windows policy
//     does not check antivirus, with an open Defender for Endpoint alert;
//   - a noncompliant shared Windows desktop (no password set);
//   - an open Defender for Identity alert, and one unhealthy MDI sensor
//     with an open health issue.
//
// Everything else is clean: other devices are compliant, encrypted, synced
// within days, on supported builds, with protection on. Ids derive from the
// seed (not the tenant's id counter), so this step changes no other id.
func (g *generator) security() error {
	s := &secGen{t: g.t, seed: g.t.Seed, now: g.o.Now, sec: NewSecurity(), members: g.members}
	for _, a := range g.t.Config.List(SetRoleAssignments) {
		if id, _ := a["principalId"].(string); id != "" {
			s.admins = append(s.admins, id)
		}
	}
	for _, u := range g.t.Users {
		if t, _ := u.Props["userType"].(string); t == "Guest" && !u.Deleted {
			s.guest = u
		}
	}
	s.signInActivity()
	s.registration()
	s.risk()
	s.auditLogs()
	s.devices()
	s.defender()
	s.identitySensors()
	s.identityAccounts()
	s.secureScores()
	g.t.Security = s.sec
	return nil
}

type secGen struct {
	t       *Tenant
	seed    uint64
	n       int
	now     time.Time
	sec     *Security
	members []*User
	admins  []string // principal ids with an active directory role
	guest   *User

	// Set by devices, read by defender.
	rtpLaptop  Props // member 0's laptop: real-time protection off
	rtpMachine Props // its Defender for Endpoint machine

	sids map[*User]string // on-premises SIDs of the members (onPremSID)
	rids map[uint64]bool  // RIDs taken in the on-premises domain
}

// guid returns the next deterministic GUID of the security data.
func (s *secGen) guid() string {
	s.n++
	return seedGUID(s.seed, "security-id", s.n)
}

// hex40 returns the next deterministic 40-digit hex id, the form of
// Defender for Endpoint machine ids.
func (s *secGen) hex40() string {
	s.n++
	return fmt.Sprintf("%016x%016x%08x", SeedOf(s.seed, "mde-id", s.n, 0), SeedOf(s.seed, "mde-id", s.n, 1),
		uint32(SeedOf(s.seed, "mde-id", s.n, 2)))
}

// ago is a timestamp the given duration before the anchor.
func (s *secGen) ago(d time.Duration) string { return Timestamp(s.now.Add(-d)) }

func days(n float64) time.Duration { return time.Duration(n * float64(24*time.Hour)) }

// member returns member i (wrapping), or nil in a tenant without members.
func (s *secGen) member(i int) *User {
	if len(s.members) == 0 {
		return nil
	}
	return s.members[i%len(s.members)]
}

func (s *secGen) isAdmin(u *User) bool { return slices.Contains(s.admins, u.ID) }

// noMFA reports whether u is one of the planted administrators without MFA.
func (s *secGen) noMFA(u *User) bool {
	return len(s.members) > 1 && (u == s.member(1) || (len(s.members) > 2 && u == s.member(2))) && s.isAdmin(u)
}

// risky is the planted high-risk user.
func (s *secGen) risky() *User { return s.member(min(3, len(s.members)-1)) }

func str(p Props, k string) string { v, _ := p[k].(string); return v }

func (s *secGen) users() []*User {
	var out []*User
	for _, u := range s.t.Users {
		if !u.Deleted {
			out = append(out, u)
		}
	}
	return out
}

// signInActivity sets user.signInActivity: members signed in within days,
// the guest 200 days ago (the stale account).
// https://learn.microsoft.com/en-us/graph/api/resources/signinactivity
func (s *secGen) signInActivity() {
	for i, u := range s.users() {
		last := s.now.Add(-time.Duration(2+i%5)*time.Hour - days(float64(i%3)))
		if u == s.guest {
			last = s.now.Add(-days(200))
		}
		ts := Timestamp(last)
		u.Props["signInActivity"] = Props{
			"lastSignInDateTime": ts, "lastSignInRequestId": s.guid(),
			"lastNonInteractiveSignInDateTime": ts, "lastNonInteractiveSignInRequestId": s.guid(),
			"lastSuccessfulSignInDateTime": ts, "lastSuccessfulSignInRequestId": s.guid(),
		}
	}
}

// registration adds userRegistrationDetails for every user.
// https://learn.microsoft.com/en-us/graph/api/resources/userregistrationdetails
func (s *secGen) registration() {
	for _, u := range s.users() {
		guest := u == s.guest
		methods := []any{"microsoftAuthenticatorPush", "softwareOneTimePasscode"}
		if s.isAdmin(u) {
			methods = append(methods, "fido2")
		}
		mfa := true
		if s.noMFA(u) || guest {
			methods, mfa = []any{}, false
		}
		userType := "member"
		if guest {
			userType = "guest"
		}
		s.sec.Add(SetRegistrationDetails, Props{
			"id": u.ID, "userPrincipalName": u.UPN, "userDisplayName": str(u.Props, "displayName"),
			"userType": userType, "isAdmin": s.isAdmin(u),
			"isSsprRegistered": mfa, "isSsprEnabled": !guest, "isSsprCapable": mfa && !guest,
			"isMfaRegistered": mfa, "isMfaCapable": mfa, "isPasswordlessCapable": mfa && s.isAdmin(u),
			"methodsRegistered": methods, "isSystemPreferredAuthenticationMethodEnabled": true,
			"systemPreferredAuthenticationMethods":          sysPreferred(mfa),
			"userPreferredMethodForSecondaryAuthentication": map[bool]any{true: "push", false: "none"}[mfa],
			"lastUpdatedDateTime":                           s.ago(days(30)),
		})
	}
}

func sysPreferred(mfa bool) []any {
	if mfa {
		return []any{"push"}
	}
	return []any{}
}

// risk adds Entra ID Protection data: the planted high-risk user with its
// detections, a remediated user, and a dismissed risky service principal.
// https://learn.microsoft.com/en-us/graph/api/resources/riskyuser
func (s *secGen) risk() {
	ru := s.risky()
	if ru == nil {
		return
	}
	add := func(u *User, level, state, detail string, d time.Duration) {
		s.sec.Add(SetRiskyUsers, Props{
			"id": u.ID, "isDeleted": false, "isProcessing": false, "riskLastUpdatedDateTime": s.ago(d),
			"riskLevel": level, "riskState": state, "riskDetail": detail,
			"userDisplayName": str(u.Props, "displayName"), "userPrincipalName": u.UPN,
			"history": []any{Props{"id": u.ID, "isDeleted": false, "isProcessing": false, "riskLastUpdatedDateTime": s.ago(d),
				"riskLevel": level, "riskState": state, "riskDetail": detail, "userDisplayName": str(u.Props, "displayName"),
				"userPrincipalName": u.UPN, "userId": u.ID, "initiatedBy": nil,
				"activity": Props{"eventTypes": []any{}, "detail": detail}}},
		})
	}
	add(ru, "high", "atRisk", "none", days(2))
	if other := s.member(0); other != nil && other != ru {
		add(other, "none", "remediated", "userPerformedSecuredPasswordReset", days(60))
	}
	detect := func(u *User, typ, level, state, detail, ip, city string, d time.Duration) {
		s.sec.Add(SetRiskDetections, Props{
			"id": s.guid(), "requestId": s.guid(), "correlationId": s.guid(),
			"riskEventType": typ, "riskState": state, "riskLevel": level, "riskDetail": detail,
			"source": "IdentityProtection", "detectionTimingType": "offline", "activity": "user",
			"tokenIssuerType": "AzureAD", "ipAddress": ip,
			"location":         Props{"city": city, "state": nil, "countryOrRegion": "NL", "geoCoordinates": nil},
			"activityDateTime": s.ago(d + time.Hour), "detectedDateTime": s.ago(d), "lastUpdatedDateTime": s.ago(d),
			"userId": u.ID, "userDisplayName": str(u.Props, "displayName"), "userPrincipalName": u.UPN,
			"additionalInfo": `[{"Key":"userAgent","Value":"Mozilla/5.0"}]`,
		})
	}
	detect(ru, "leakedCredentials", "high", "atRisk", "none", "", "", days(2))
	detect(ru, "unlikelyTravel", "medium", "atRisk", "none", "203.0.113.77", "Rotterdam", days(3))
	if other := s.member(0); other != nil && other != ru {
		detect(other, "anonymizedIPAddress", "low", "remediated", "userPerformedSecuredPasswordReset", "198.51.100.9", "Utrecht", days(61))
	}
	s.sec.Add(SetRiskyServicePrinc, Props{
		"id": s.guid(), "appId": s.guid(), "displayName": "Legacy reporting connector", "isEnabled": true,
		"isProcessing": false, "riskLastUpdatedDateTime": s.ago(days(45)), "riskLevel": "none",
		"riskState": "dismissed", "riskDetail": "adminDismissedAllRiskForServicePrincipal",
		"servicePrincipalType": "Application",
	})
}

// auditLogs adds sign-ins (modern clients, conditional access applied,
// from managed compliant devices) and directory audits. The only role
// change is a year old, so nothing here is a finding.
// https://learn.microsoft.com/en-us/graph/api/resources/signin
func (s *secGen) auditLogs() {
	apps := []struct{ id, name, client string }{
		{"00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online", "Browser"},
		{"1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams", "Mobile Apps and Desktop clients"},
	}
	for i, u := range s.members {
		for j, a := range apps {
			at := s.ago(time.Duration(3+i+5*j) * time.Hour)
			s.sec.Add(SetSignIns, Props{
				"id": s.guid(), "createdDateTime": at, "userDisplayName": str(u.Props, "displayName"),
				"userPrincipalName": u.UPN, "userId": u.ID, "appId": a.id, "appDisplayName": a.name,
				"ipAddress": fmt.Sprintf("192.0.2.%d", 10+i), "clientAppUsed": a.client, "correlationId": s.guid(),
				"conditionalAccessStatus": "success", "isInteractive": j == 0,
				"riskDetail": "none", "riskLevelAggregated": "none", "riskLevelDuringSignIn": "none",
				"riskState": "none", "riskEventTypes_v2": []any{}, "resourceDisplayName": a.name, "resourceId": a.id,
				"status":                           Props{"errorCode": 0, "failureReason": "Other.", "additionalDetails": nil},
				"deviceDetail":                     Props{"deviceId": "", "displayName": "", "operatingSystem": "Windows10", "browser": "Edge 131.0.0", "isCompliant": true, "isManaged": true, "trustType": "Azure AD joined"},
				"location":                         Props{"city": "Amsterdam", "state": "Noord-Holland", "countryOrRegion": "NL", "geoCoordinates": Props{"altitude": nil, "latitude": 52.37, "longitude": 4.89}},
				"appliedConditionalAccessPolicies": []any{},
			})
		}
	}
	actor := s.member(0)
	if actor == nil {
		return
	}
	audit := func(cat, activity, op string, target *User, d time.Duration) {
		s.sec.Add(SetDirectoryAudits, Props{
			"id": "Directory_" + s.guid(), "category": cat, "correlationId": s.guid(), "result": "success",
			"resultReason": "", "activityDisplayName": activity, "activityDateTime": s.ago(d),
			"loggedByService": "Core Directory", "operationType": op,
			"initiatedBy": Props{"app": nil, "user": Props{"id": actor.ID, "displayName": str(actor.Props, "displayName"),
				"userPrincipalName": actor.UPN, "ipAddress": "192.0.2.10", "userType": nil}},
			"targetResources": []any{Props{"id": target.ID, "displayName": str(target.Props, "displayName"), "type": "User",
				"userPrincipalName": target.UPN, "groupType": nil, "modifiedProperties": []any{}}},
			"additionalDetails": []any{},
		})
	}
	for i, u := range s.members {
		audit("UserManagement", "Update user", "Update", u, days(float64(5+i)))
	}
	audit("UserManagement", "Reset user password", "Update", s.member(len(s.members)-1), days(12))
	audit("RoleManagement", "Add member to role", "Assign", s.member(1), days(365))
}

// lower-case DNS-safe name of a user, for device names.
func shortName(u *User) string {
	local, _, _ := strings.Cut(u.UPN, "@")
	local = strings.ToUpper(strings.ReplaceAll(local, ".", ""))
	if len(local) > 8 {
		local = local[:8]
	}
	return local
}
