# METADATA
# title: Phishing-resistant MFA is required for all users
# description: "An enforced conditional access policy requires a phishing-resistant authentication strength for all users and resources."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/authentication/concept-authentication-strengths
#   - ref: https://learn.microsoft.com/en-us/entra/identity/authentication/concept-authentication-methods
# custom:
#   id: MS.AAD.3.1v1
#   severity: high
#   level: MUST
#   rationale: "One-time codes and push approvals can be relayed by an adversary-in-the-middle phishing site. FIDO2 keys, passkeys, Windows Hello for Business and certificate-based authentication are bound to the real sign-in origin and cannot be relayed."
#   remediation: "Roll out a phishing-resistant method to every user, then create a conditional access policy for all users and all resources that grants access only with the authentication strength 'Phishing-resistant MFA'."
#   frameworks:
#     scuba: [MS.AAD.3.1v1]
#   sources: [conditionalAccessPolicies]
#   exclusions: ca
package sg365.scuba_aad.ms_aad_3_1v1

import rego.v1

import data.sg365.lib.ca

candidates := [p | some p in ca.policies; ca.grant_requires(p, "phishing_resistant"); not ca.foreign_purpose(p, set())]

gaps := {ca.id_of(p): ca.standard_gaps(p, set()) | some p in candidates}

result := ca.verdict(candidates, gaps, "requires phishing-resistant MFA")
