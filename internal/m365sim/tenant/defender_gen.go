package tenant

import (
	"fmt"
	"strings"
	"time"
)

// defender adds a Defender for Endpoint machine per Windows managed device
// (joined by aadDeviceId), the planted MDE alert on member 0's laptop, the
// planted MDI alert, a resolved Identity Protection alert, and an incident
// per alert.
// https://learn.microsoft.com/en-us/defender-endpoint/api/machine
// https://learn.microsoft.com/en-us/graph/api/resources/security-alert
func (s *secGen) defender() {
	domain := strings.ToLower(s.t.DefaultDomain)
	for i, d := range s.sec.List(SetManagedDevices) {
		if str(d, "operatingSystem") != "Windows" {
			continue
		}
		risk, exposure := "None", "Low"
		if d["id"] == s.rtpLaptop["id"] {
			risk, exposure = "Medium", "Medium"
		}
		m := Props{
			"id": s.hex40(), "computerDnsName": strings.ToLower(str(d, "deviceName")) + "." + domain,
			"firstSeen": str(d, "enrolledDateTime"), "lastSeen": s.ago(time.Duration(1+i) * time.Hour),
			"osPlatform": "Windows11", "osVersion": nil, "osProcessor": "x64", "version": "23H2", "osBuild": 22631,
			"osArchitecture": "64-bit", "lastIpAddress": fmt.Sprintf("10.10.0.%d", 20+i),
			"lastExternalIpAddress": fmt.Sprintf("192.0.2.%d", 10+i), "healthStatus": "Active",
			"onboardingStatus": "Onboarded", "rbacGroupId": 0, "rbacGroupName": nil, "riskScore": risk,
			"exposureLevel": exposure, "isAadJoined": true, "aadDeviceId": str(d, "azureADDeviceId"),
			"machineTags": []any{}, "defenderAvStatus": "Updated", "deviceValue": "Normal",
			"managedBy": "Intune", "managedByStatus": "Success",
			"ipAddresses": []any{Props{"ipAddress": fmt.Sprintf("10.10.0.%d", 20+i), "macAddress": "", "type": "Ethernet", "operationalStatus": "Up"}},
		}
		if d["id"] == s.rtpLaptop["id"] {
			m["defenderAvStatus"] = "NotUpdated"
			s.rtpMachine = m
		}
		s.sec.Add(SetMachines, m)
	}
	s.alerts()
}

func (s *secGen) alerts() {
	tenantID := s.t.ID
	add := func(a Props, incidentName string, incidentStatus string) {
		inc := fmt.Sprintf("%d", 1000+len(s.sec.List(SetIncidents)))
		a["incidentId"], a["tenantId"] = inc, tenantID
		a["alertWebUrl"] = "https://security.microsoft.com/alerts/" + str(a, "id") + "?tid=" + tenantID
		a["incidentWebUrl"] = "https://security.microsoft.com/incidents/" + inc + "?tid=" + tenantID
		a["comments"], a["systemTags"] = []any{}, []any{}
		for _, k := range []string{"actorDisplayName", "threatDisplayName", "threatFamilyName", "resolvedDateTime", "assignedTo"} {
			if _, ok := a[k]; !ok {
				a[k] = nil
			}
		}
		a["lastUpdateDateTime"] = a["createdDateTime"]
		s.sec.Add(SetAlerts, a)
		s.sec.Add(SetIncidents, Props{
			"id": inc, "tenantId": tenantID, "status": incidentStatus, "incidentWebUrl": a["incidentWebUrl"],
			"redirectIncidentId": nil, "displayName": incidentName, "createdDateTime": a["createdDateTime"],
			"lastUpdateDateTime": a["createdDateTime"], "assignedTo": nil, "classification": a["classification"],
			"determination": a["determination"], "severity": a["severity"], "customTags": []any{}, "systemTags": []any{},
			"comments": []any{}, "description": nil, "summary": nil,
			"alertIds": []any{a["id"]}, // the alerts relationship, for $expand=alerts
		})
	}
	ru := s.risky()
	if s.rtpMachine != nil {
		u := s.member(0)
		created := s.ago(days(1))
		id := fmt.Sprintf("da%018d_%d", SeedOf(s.seed, "mde-alert")%1e18, SeedOf(s.seed, "mde-alert2")%1e9)
		add(Props{
			"id": id, "providerAlertId": strings.TrimPrefix(id, "da"), "status": "new", "severity": "medium",
			"classification": nil, "determination": nil, "serviceSource": "microsoftDefenderForEndpoint",
			"detectionSource": "microsoftDefenderForEndpoint", "detectorId": s.guid(),
			"title": "Suspicious PowerShell command line", "category": "Execution",
			"description":        "A suspicious PowerShell command line downloaded and ran content from the internet.",
			"recommendedActions": "Isolate the device, collect an investigation package and review the process tree.",
			"mitreTechniques":    []any{"T1059.001"}, "createdDateTime": created,
			"firstActivityDateTime": s.ago(days(1) + 10*time.Minute), "lastActivityDateTime": s.ago(days(1) + 5*time.Minute),
			"evidence": []any{
				Props{"@odata.type": "#microsoft.graph.security.deviceEvidence", "createdDateTime": created, "verdict": "suspicious",
					"remediationStatus": "none", "remediationStatusDetails": nil, "roles": []any{}, "detailedRoles": []any{}, "tags": []any{},
					"firstSeenDateTime": s.rtpMachine["firstSeen"], "mdeDeviceId": s.rtpMachine["id"],
					"azureAdDeviceId": s.rtpMachine["aadDeviceId"], "deviceDnsName": s.rtpMachine["computerDnsName"],
					"osPlatform": "Windows11", "osBuild": 22631, "version": "23H2", "healthStatus": "active",
					"riskScore": "medium", "rbacGroupId": 0, "rbacGroupName": nil, "onboardingStatus": "onboarded",
					"defenderAvStatus": "notUpdated", "loggedOnUsers": []any{}, "ipInterfaces": []any{s.rtpMachine["lastIpAddress"]}},
				Props{"@odata.type": "#microsoft.graph.security.processEvidence", "createdDateTime": created, "verdict": "suspicious",
					"remediationStatus": "none", "remediationStatusDetails": nil, "roles": []any{}, "detailedRoles": []any{}, "tags": []any{},
					"processId": 7236, "processCommandLine": "powershell.exe -nop -w hidden -enc SQBFAFgA...",
					"processCreationDateTime": s.ago(days(1) + 10*time.Minute), "userAccount": s.userAccount(u)},
			},
		}, "Execution on one endpoint", "active")
		s.sec.Add(SetMDEAlerts, Props{
			"id": id, "incidentId": 1000, "investigationId": nil, "assignedTo": nil, "severity": "Medium", "status": "New",
			"classification": nil, "determination": nil, "investigationState": "PendingApproval",
			"detectionSource": "WindowsDefenderAtp", "detectorId": s.guid(), "category": "Execution",
			"threatFamilyName": nil, "title": "Suspicious PowerShell command line",
			"description":       "A suspicious PowerShell command line downloaded and ran content from the internet.",
			"alertCreationTime": created, "firstEventTime": s.ago(days(1) + 10*time.Minute),
			"lastEventTime": s.ago(days(1) + 5*time.Minute), "lastUpdateTime": created, "resolvedTime": nil,
			"machineId": s.rtpMachine["id"], "computerDnsName": s.rtpMachine["computerDnsName"], "rbacGroupName": nil,
			"aadTenantId": tenantID, "threatName": nil, "mitreTechniques": []any{"T1059.001"},
			"relatedUser": Props{"userName": shortName(u), "domainName": strings.ToUpper(strings.Split(s.t.DefaultDomain, ".")[0])},
			"comments":    []any{}, "evidence": []any{},
		})
	}
	if ru != nil {
		created := s.ago(days(2))
		id := fmt.Sprintf("aa%016x", SeedOf(s.seed, "mdi-alert"))
		add(Props{
			"id": id, "providerAlertId": strings.TrimPrefix(id, "aa"), "status": "new", "severity": "high",
			"classification": nil, "determination": nil, "serviceSource": "microsoftDefenderForIdentity",
			"detectionSource": "microsoftDefenderForIdentity", "detectorId": s.guid(),
			"title": "Suspected DCSync attack (replication of directory services)", "category": "CredentialAccess",
			"description":        "A replication request was sent from a computer that is not a domain controller.",
			"recommendedActions": "Check who ran the replication request, reset the account's password and review replication permissions.",
			"mitreTechniques":    []any{"T1003.006"}, "createdDateTime": created,
			"firstActivityDateTime": s.ago(days(2) + 30*time.Minute), "lastActivityDateTime": s.ago(days(2) + 20*time.Minute),
			"evidence": []any{
				Props{"@odata.type": "#microsoft.graph.security.userEvidence", "createdDateTime": created, "verdict": "suspicious",
					"remediationStatus": "none", "remediationStatusDetails": nil, "roles": []any{"attacker"}, "detailedRoles": []any{}, "tags": []any{},
					"userAccount": s.userAccount(ru)},
			},
		}, "Credential access involving one user", "active")
		created = s.ago(days(40))
		add(Props{
			"id": "ad" + strings.ReplaceAll(s.guid(), "-", "")[:30], "providerAlertId": s.guid(), "status": "resolved", "severity": "high",
			"classification": "truePositive", "determination": "compromisedAccount", "serviceSource": "azureAdIdentityProtection",
			"detectionSource": "azureAdIdentityProtection", "detectorId": "LeakedCredentials",
			"title": "Leaked credentials", "category": "InitialAccess",
			"description":        "The user's valid credentials were found in a public leak.",
			"recommendedActions": "Require a secure password reset.", "mitreTechniques": []any{"T1078"},
			"createdDateTime": created, "firstActivityDateTime": created, "lastActivityDateTime": created,
			"resolvedDateTime": s.ago(days(39)),
			"evidence": []any{Props{"@odata.type": "#microsoft.graph.security.userEvidence", "createdDateTime": created, "verdict": "malicious",
				"remediationStatus": "remediated", "remediationStatusDetails": nil, "roles": []any{"compromised"}, "detailedRoles": []any{}, "tags": []any{},
				"userAccount": s.userAccount(s.member(0))}},
		}, "Leaked credentials for one user", "resolved")
	}
}

// userAccount is the userAccount of alert evidence naming member u.
func (s *secGen) userAccount(u *User) Props {
	return Props{"accountName": shortName(u), "domainName": strings.ToUpper(strings.Split(s.t.DefaultDomain, ".")[0]),
		"userSid":       s.onPremSID(u),
		"azureAdUserId": u.ID, "userPrincipalName": u.UPN, "displayName": str(u.Props, "displayName")}
}

// identitySensors adds two Defender for Identity domain controller sensors,
// the second one disconnected with an open health issue, and a closed
// global health issue.
// https://learn.microsoft.com/en-us/graph/api/resources/security-sensor
func (s *secGen) identitySensors() {
	dns := strings.ToLower(strings.Split(s.t.DefaultDomain, ".")[0]) + ".local"
	add := func(name, health, deploy string, open int) string {
		id := s.guid()
		s.sec.Add(SetSensors, Props{
			"id": id, "displayName": name + "." + dns, "domainName": dns, "version": "2.242.18214.52283",
			"sensorType": "domainControllerIntegrated", "deploymentStatus": deploy, "healthStatus": health,
			"openHealthIssuesCount": open, "createdDateTime": s.ago(days(400)),
			"settings": Props{"description": nil, "domainControllerDnsNames": []any{name + "." + dns}, "isDelayedDeploymentEnabled": true},
		})
		return id
	}
	add("DC01", "healthy", "upToDate", 0)
	add("DC02", "notHealthyHigh", "disconnected", 1)
	issue := func(name, typ, issueType, sev, status string, sensors []any, d time.Duration) {
		s.sec.Add(SetHealthIssues, Props{
			"id": s.guid(), "displayName": name, "description": name + ".", "healthIssueType": typ, "issueTypeId": issueType,
			"severity": sev, "status": status, "domainNames": []any{dns}, "sensorDNSNames": sensors,
			"additionalInformation": []any{}, "recommendations": []any{"Check the sensor's network connectivity to the Defender for Identity service."},
			"recommendedActionCommands": []any{}, "createdDateTime": s.ago(d), "lastModifiedDateTime": s.ago(d),
		})
	}
	issue("Sensor stopped communicating", "sensor", "1001", "high", "open", []any{"DC02." + dns}, days(3))
	issue("Directory Services Object Auditing is not configured as required", "global", "1031", "medium", "closed", []any{}, days(120))
}

// secureScoreControls are the Secure Score controls of the tenant: id,
// category, title, max score and score. Below the maximum: the two MFA
// controls (the admins without MFA) and the two antivirus controls (the
// laptop with real-time protection off).
var secureScoreControls = []struct {
	id, category, title, service string
	max, score                   float64
}{
	{"AdminMFAV2", "Identity", "Ensure multifactor authentication is enabled for all users in administrative roles", "AzureAD", 10, 6},
	{"MFARegistrationV2", "Identity", "Ensure all users can complete multifactor authentication", "AzureAD", 9, 7},
	{"BlockLegacyAuthentication", "Identity", "Enable Conditional Access policies to block legacy authentication", "AzureAD", 8, 8},
	{"SigninRiskPolicy", "Identity", "Turn on sign-in risk policy", "AzureAD", 7, 7},
	{"UserRiskPolicy", "Identity", "Turn on user risk policy", "AzureAD", 7, 7},
	{"SelfServicePasswordReset", "Identity", "Enable self-service password reset", "AzureAD", 1, 1},
	{"scid_2010", "Device", "Turn on Microsoft Defender Antivirus real-time protection", "MDATP", 9, 7},
	{"scid_2011", "Device", "Update Microsoft Defender Antivirus definitions", "MDATP", 9, 7},
	{"scid_2003", "Device", "Turn on Tamper Protection", "MDATP", 8, 8},
	{"scid_2090", "Device", "Encrypt all supported drives", "MDATP", 8, 8},
}

// secureScores adds three daily Secure Scores (newest first, as Graph
// lists them) and the control profiles.
// https://learn.microsoft.com/en-us/graph/api/resources/securescore
func (s *secGen) secureScores() {
	var cur, max float64
	for _, c := range secureScoreControls {
		cur += c.score
		max += c.max
	}
	for day := range 3 {
		var scores []any
		for _, c := range secureScoreControls {
			scores = append(scores, Props{"controlCategory": c.category, "controlName": c.id, "description": c.title,
				"score": c.score, "implementationStatus": fmt.Sprintf("%g of %g points", c.score, c.max),
				"scoreInPercentage": c.score * 100 / c.max, "lastSynced": s.ago(days(float64(day))), "count": nil, "total": nil})
		}
		s.sec.Add(SetSecureScores, Props{
			"id": s.t.ID + "_" + s.now.Add(-days(float64(day))).Format("2006-01-02"), "azureTenantId": s.t.ID,
			"activeUserCount": len(s.members), "createdDateTime": s.ago(days(float64(day))), "currentScore": cur,
			"maxScore": max, "licensedUserCount": len(s.members), "enabledServices": []any{"HasExchange", "HasSharePoint", "HasOD4B"},
			"vendorInformation":        Props{"provider": "SecureScore", "providerVersion": nil, "subProvider": nil, "vendor": "Microsoft"},
			"averageComparativeScores": []any{Props{"basis": "AllTenants", "averageScore": 42.5}},
			"controlScores":            scores,
		})
	}
	for rank, c := range secureScoreControls {
		s.sec.Add(SetControlProfiles, Props{
			"id": c.id, "azureTenantId": s.t.ID, "title": c.title, "controlCategory": c.category, "actionType": "Config",
			"service": c.service, "maxScore": c.max, "rank": rank + 1, "tier": "Core", "userImpact": "Low",
			"implementationCost": "Low", "threats": []any{"AccountBreach"}, "deprecated": false,
			"remediation": "See " + c.title + ".", "remediationImpact": "", "actionUrl": "https://security.microsoft.com/securescore",
			"complianceInformation": []any{}, "controlStateUpdates": []any{},
			"lastModifiedDateTime": s.ago(days(30)),
			"vendorInformation":    Props{"provider": "SecureScore", "providerVersion": nil, "subProvider": nil, "vendor": "Microsoft"},
		})
	}
}
