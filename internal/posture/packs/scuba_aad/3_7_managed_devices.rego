# METADATA
# title: Managed devices are required to sign in
# description: "An enforced conditional access policy requires a compliant or hybrid-joined device for all users and resources."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-all-users-device-compliance
#   - ref: https://learn.microsoft.com/en-us/entra/identity/devices/concept-directory-join
# custom:
#   id: MS.AAD.3.7v1
#   severity: medium
#   level: SHOULD
#   rationale: "Requiring a device the organisation manages means a stolen password or token is not enough: the attacker also needs one of the organisation's devices."
#   remediation: "Create a conditional access policy for all users and all resources that grants access with 'Require device to be marked as compliant' and 'Require Microsoft Entra hybrid joined device', with 'Require one of the selected controls'."
#   frameworks:
#     scuba: [MS.AAD.3.7v1]
#     cis_m365: ["5.2.2.9"]
#   service_plans: [INTUNE_A]
#   sources: [conditionalAccessPolicies]
#   exclusions: ca
package sg365.scuba_aad.ms_aad_3_7v1

import rego.v1

import data.sg365.lib.ca

candidates := [p | some p in ca.policies; ca.grant_requires(p, "managed_device"); not ca.foreign_purpose(p, set())]

gaps := {ca.id_of(p): ca.standard_gaps(p, set()) | some p in candidates}

result := ca.verdict(candidates, gaps, "requires a managed device")
