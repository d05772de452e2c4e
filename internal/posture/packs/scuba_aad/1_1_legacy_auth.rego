# METADATA
# title: Legacy authentication is blocked
# description: "An enforced conditional access policy blocks Exchange ActiveSync and other legacy clients for all users and all resources."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-block-legacy-authentication
#   - ref: https://learn.microsoft.com/en-us/entra/identity/conditional-access/block-legacy-authentication
# custom:
#   id: MS.AAD.1.1v1
#   severity: critical
#   level: MUST
#   rationale: "Legacy protocols such as POP, IMAP, SMTP AUTH and older Office clients cannot perform multifactor authentication, so a stolen or guessed password is enough to sign in through them. Blocking them closes the most common path around MFA."
#   remediation: "Create a conditional access policy for all users and all resources, set Conditions > Client apps to Exchange ActiveSync clients and Other clients, grant Block access, and switch it from report-only to On once sign-in logs show no legitimate legacy use."
#   frameworks:
#     scuba: [MS.AAD.1.1v1]
#     cis_m365: ["5.2.2.3"]
#   sources: [conditionalAccessPolicies]
#   exclusions: ca
package sg365.scuba_aad.ms_aad_1_1v1

import rego.v1

import data.sg365.lib.ca

candidates := [p | some p in ca.policies; ca.blocks(p); ca.legacy_clients(p); not ca.foreign_purpose(p, set())]

gaps := {ca.id_of(p): (((ca.state_gaps(p) | ca.all_users_gaps(p)) | ca.all_apps_gaps(p)) | ca.narrowing_gaps(p, set())) | some p in candidates}

result := ca.verdict(candidates, gaps, "blocks legacy authentication")
