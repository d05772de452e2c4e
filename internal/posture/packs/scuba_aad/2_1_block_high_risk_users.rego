# METADATA
# title: High-risk users are blocked
# description: "An enforced conditional access policy blocks users that Entra ID Protection rates as high risk."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/id-protection/concept-identity-protection-risks
#   - ref: https://learn.microsoft.com/en-us/entra/id-protection/howto-identity-protection-configure-risk-policies
# custom:
#   id: MS.AAD.2.1v1
#   severity: high
#   level: MUST
#   rationale: "A user rated high risk is probably compromised. Blocking the account until an administrator investigates and remediates it stops an attacker from using the session in the meantime."
#   remediation: "Create a conditional access policy for all users and all resources with Conditions > User risk set to High and grant Block access, then turn it On."
#   frameworks:
#     scuba: [MS.AAD.2.1v1]
#     cis_m365: ["5.2.2.6"]
#   service_plans: [AAD_PREMIUM_P2]
#   sources: [conditionalAccessPolicies]
#   exclusions: ca
package sg365.scuba_aad.ms_aad_2_1v1

import rego.v1

import data.sg365.lib.ca

candidates := [p | some p in ca.policies; ca.blocks(p); "high" in ca.risk_levels(p, "userRiskLevels"); not ca.foreign_purpose(p, {"userRisk"})]

gaps := {ca.id_of(p): ca.standard_gaps(p, {"userRisk"}) | some p in candidates}

result := ca.verdict(candidates, gaps, "blocks high-risk users")
