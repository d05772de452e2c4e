# METADATA
# title: Users cannot join computers to the domain
# description: "ms-DS-MachineAccountQuota on the domain head is 0."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/troubleshoot/windows-server/active-directory/default-workstation-numbers-join-domain
# custom:
#   id: SG.AD.16
#   severity: medium
#   level: MUST
#   rationale: "With the default quota of 10 every user can create computer accounts, which attackers use for resource-based delegation and relay attacks (RBCD, noPac)."
#   remediation: "Set ms-DS-MachineAccountQuota to 0 and grant the right to join computers to a dedicated group on the target OUs."
#   frameworks:
#     mitre_attack: [T1136.002]
#     sg365_ad: [AD16]
#   sources: [activeDirectory]
package sg365.ad.ad_16

import rego.v1

import data.sg365.lib.ad

quota := object.get(ad.domain, "machineAccountQuota", 0)

ev contains ad.domain_evidence(sprintf("ms-DS-MachineAccountQuota is %d", [quota])) if quota > 0

result := ad.verdict([e | some e in ev], "ms-DS-MachineAccountQuota allows users to add computers (%d finding)", "ms-DS-MachineAccountQuota is 0")
