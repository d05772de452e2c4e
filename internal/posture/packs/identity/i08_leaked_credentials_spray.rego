# METADATA
# title: No leaked credentials or password spray detected in 7 days
# description: "No open riskDetection of type leakedCredentials or passwordSpray was detected in the 7 days before collection."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/riskdetection
# custom:
#   id: I8
#   severity: high
#   level: MUST
#   rationale: "A leaked password or a spray campaign means attackers hold or are guessing working credentials right now."
#   remediation: "Force a secure password reset for the affected users, revoke their sessions, and block legacy authentication so sprayed passwords cannot bypass MFA."
#   frameworks:
#     userguard: [I8]
#   sources: [riskDetections]
package sg365.identity.i8

import rego.v1

import data.sg365.lib.identity

findings contains {"type": "riskDetection", "id": d.id, "displayName": identity.get(d, ["userPrincipalName"], d.id), "detail": sprintf("%v (%v risk) detected %v", [d.riskEventType, identity.get(d, ["riskLevel"], "?"), d.detectedDateTime])} if {
	some d in identity.data_of("riskDetections")
	d.riskEventType in {"leakedCredentials", "passwordSpray"}
	identity.days_since(d.detectedDateTime) < 7
	not identity.get(d, ["riskState"], "atRisk") in {"remediated", "dismissed", "confirmedSafe"}
}

result := identity.verdict(findings, "no leaked credentials or password spray in the last 7 days", "leaked-credential or password-spray detection(s) in the last 7 days")
