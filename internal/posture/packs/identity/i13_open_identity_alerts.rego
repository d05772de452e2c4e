# METADATA
# title: No Defender for Identity or Identity Protection alert is open
# description: "No alerts_v2 alert from Microsoft Defender for Identity or Entra ID Protection is unresolved."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/security-list-alerts_v2
# custom:
#   id: I13
#   severity: high
#   level: MUST
#   rationale: "An open identity alert (DCSync, pass-the-hash, leaked credentials) is an attack in progress that nobody has closed out."
#   remediation: "Triage each alert (sg365 alerts show ID), contain the account (sg365 respond user …), then resolve it with a classification and determination (sg365 alerts update)."
#   frameworks:
#     userguard: [I13]
#   sources: [identityAlerts]
package sg365.identity.i13

import rego.v1

import data.sg365.lib.identity

users_of(a) := concat(", ", sort({identity.get(e, ["userAccount", "userPrincipalName"], identity.get(e, ["userAccount", "accountName"], "")) |
	some e in identity.get(a, ["evidence"], [])
	endswith(identity.get(e, ["@odata.type"], ""), "userEvidence")
}))

findings contains {"type": "alert", "id": a.id, "displayName": identity.get(a, ["title"], a.id), "detail": sprintf("%v, %v severity, status %v, users: %v", [a.serviceSource, identity.get(a, ["severity"], "unknown"), a.status, users_of(a)])} if {
	some a in identity.data_of("identityAlerts")
	a.status != "resolved"
}

result := identity.verdict(findings, "no identity alert is open", "identity alert(s) are open")
