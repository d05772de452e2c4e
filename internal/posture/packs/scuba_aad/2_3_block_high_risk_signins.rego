# METADATA
# title: High-risk sign-ins are blocked
# description: "An enforced conditional access policy blocks sign-ins that Entra ID Protection rates as high risk."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/id-protection/concept-identity-protection-risks
#   - ref: https://learn.microsoft.com/en-us/entra/id-protection/howto-identity-protection-configure-risk-policies
# custom:
#   id: MS.AAD.2.3v1
#   severity: high
#   level: MUST
#   rationale: "A high-risk sign-in very likely comes from someone other than the account owner, such as a token replay or an anonymised attacker. Blocking it stops the attempt before it reaches data."
#   remediation: "Create a conditional access policy for all users and all resources with Conditions > Sign-in risk set to High and grant Block access, then turn it On."
#   frameworks:
#     scuba: [MS.AAD.2.3v1]
#     cis_m365: ["5.2.2.7"]
#   service_plans: [AAD_PREMIUM_P2]
#   sources: [conditionalAccessPolicies]
#   exclusions: ca
package sg365.scuba_aad.ms_aad_2_3v1

import rego.v1

import data.sg365.lib.ca

candidates := [p | some p in ca.policies; ca.blocks(p); "high" in ca.risk_levels(p, "signInRiskLevels"); not ca.foreign_purpose(p, {"signInRisk"})]

gaps := {ca.id_of(p): ca.standard_gaps(p, {"signInRisk"}) | some p in candidates}

result := ca.verdict(candidates, gaps, "blocks high-risk sign-ins")
