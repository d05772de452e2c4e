# METADATA
# title: Device code flow is blocked
# description: "An enforced conditional access policy blocks the device code authentication flow for all users and resources."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/conditional-access/concept-authentication-flows
#   - ref: https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-block-authentication-flows
# custom:
#   id: MS.AAD.3.9v1
#   severity: medium
#   level: SHOULD
#   rationale: "Device code phishing tricks a user into entering a code that signs the attacker's device in with the user's own MFA. Few organisations need the flow, so blocking it removes the attack."
#   remediation: "Create a conditional access policy for all users and all resources with Conditions > Authentication flows > Device code flow, and grant Block access."
#   frameworks:
#     scuba: [MS.AAD.3.9v1]
#     cis_m365: ["5.2.2.12"]
#   sources: [conditionalAccessPolicies]
#   exclusions: ca
package sg365.scuba_aad.ms_aad_3_9v1

import rego.v1

import data.sg365.lib.ca

candidates := [p | some p in ca.policies; ca.blocks(p); ca.device_code_flow(p); not ca.foreign_purpose(p, {"authenticationFlows"})]

gaps := {ca.id_of(p): ca.standard_gaps(p, {"authenticationFlows"}) | some p in candidates}

result := ca.verdict(candidates, gaps, "blocks the device code flow")
