# METADATA
# title: Managed devices are required to register MFA
# description: "An enforced conditional access policy requires a compliant or hybrid-joined device for the user action 'register security information'."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-all-users-security-info-registration
# custom:
#   id: MS.AAD.3.8v1
#   severity: medium
#   level: SHOULD
#   rationale: "An attacker with a stolen password may try to register their own MFA method and so gain a lasting foothold. Allowing registration only from managed devices blocks that step."
#   remediation: "Create a conditional access policy for all users with Target resources > User actions > Register security information, granting access with 'Require device to be marked as compliant' or 'Require Microsoft Entra hybrid joined device'."
#   frameworks:
#     scuba: [MS.AAD.3.8v1]
#     cis_m365: ["5.2.2.10"]
#   service_plans: [INTUNE_A]
#   sources: [conditionalAccessPolicies]
#   exclusions: ca
package sg365.scuba_aad.ms_aad_3_8v1

import rego.v1

import data.sg365.lib.ca

candidates := [p | some p in ca.policies; ca.grant_requires(p, "managed_device"); not ca.foreign_purpose(p, set())]

gaps := {ca.id_of(p): ((((ca.state_gaps(p) | ca.all_users_gaps(p)) | ca.register_security_info_gaps(p)) | ca.all_clients_gaps(p)) | ca.narrowing_gaps(p, set())) | some p in candidates}

result := ca.verdict(candidates, gaps, "requires a managed device to register security information")
