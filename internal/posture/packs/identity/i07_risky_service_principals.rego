# METADATA
# title: No service principal is at risk
# description: "No Entra ID Protection risky service principal is in state atRisk or confirmedCompromised."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/riskyserviceprincipal
# custom:
#   id: I7
#   severity: high
#   level: MUST
#   rationale: "A compromised workload identity keeps its permissions without MFA or sign-in prompts, often with broad application permissions."
#   remediation: "Review the application's credentials and sign-ins, rotate or remove its secrets and certificates, then confirm compromised or dismiss the risk."
#   frameworks:
#     userguard: [I7]
#   sources: [riskyServicePrincipals]
package sg365.identity.i7

import rego.v1

import data.sg365.lib.identity

findings contains {"type": "servicePrincipal", "id": sp.id, "displayName": identity.get(sp, ["displayName"], sp.id), "detail": sprintf("risk %v, state %v", [identity.get(sp, ["riskLevel"], "?"), sp.riskState])} if {
	some sp in identity.data_of("riskyServicePrincipals")
	sp.riskState in {"atRisk", "confirmedCompromised"}
}

result := identity.verdict(findings, "no service principal is at risk", "service principal(s) are at risk")
