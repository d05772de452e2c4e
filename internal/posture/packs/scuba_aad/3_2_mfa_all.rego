# METADATA
# title: MFA is required for all users
# description: "An enforced conditional access policy requires multifactor authentication (the MFA grant or an MFA authentication strength) for all users and resources."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-all-users-mfa-strength
#   - ref: https://learn.microsoft.com/en-us/entra/identity/authentication/concept-authentication-strengths
# custom:
#   id: MS.AAD.3.2v2
#   severity: critical
#   level: MUST
#   rationale: "A password alone is routinely guessed, sprayed or phished. Requiring a second factor for everyone, including guests, stops most account takeovers that start with a password."
#   remediation: "Create a conditional access policy for all users and all resources that grants access with Require authentication strength (a custom strength of your MFA methods, or the built-in Multifactor authentication strength) or with Require multifactor authentication, then turn it On."
#   frameworks:
#     scuba: [MS.AAD.3.2v2]
#     cis_m365: ["5.2.2.2"]
#   sources: [conditionalAccessPolicies]
#   exclusions: ca
package sg365.scuba_aad.ms_aad_3_2v2

import rego.v1

import data.sg365.lib.ca

candidates := [p | some p in ca.policies; ca.grant_requires(p, "mfa"); not ca.foreign_purpose(p, set())]

gaps := {ca.id_of(p): ca.standard_gaps(p, set()) | some p in candidates}

result := ca.verdict(candidates, gaps, "requires MFA")
