# METADATA
# title: No high-risk user is left unremediated
# description: "No Entra ID Protection risky user is at high risk in state atRisk or confirmedCompromised."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/riskyuser
# custom:
#   id: I6
#   severity: critical
#   level: MUST
#   rationale: "High user risk means Microsoft believes the account is compromised (leaked credentials, attacker activity); until remediated the attacker may still hold it."
#   remediation: "Investigate each user; reset the password securely and revoke sessions (sg365 respond user revoke-sessions UPN), then confirm compromised or dismiss the risk. Add a user-risk Conditional Access policy."
#   frameworks:
#     userguard: [I6]
#   sources: [riskyUsers]
package sg365.identity.i6

import rego.v1

import data.sg365.lib.identity

findings contains identity.user_evidence(r.id, identity.get(r, ["userPrincipalName"], r.id), sprintf("risk %v, state %v since %v", [r.riskLevel, r.riskState, identity.get(r, ["riskLastUpdatedDateTime"], "?")])) if {
	some r in identity.data_of("riskyUsers")
	r.riskLevel == "high"
	r.riskState in {"atRisk", "confirmedCompromised"}
	not identity.get(r, ["isDeleted"], false)
}

result := identity.verdict(findings, "no high-risk user is waiting for remediation", "high-risk user(s) are not remediated")
