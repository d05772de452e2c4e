# METADATA
# title: Privileged users are cloud-only accounts
# description: "No user holding a highly privileged role is synchronised from an on-premises directory."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/best-practices
#   - ref: https://learn.microsoft.com/en-us/microsoft-365/enterprise/protect-your-global-administrator-accounts
# custom:
#   id: MS.AAD.7.3v1
#   severity: high
#   level: MUST
#   rationale: "A synchronised admin account can be taken over from a compromised on-premises directory or federation server. Cloud-only admin accounts keep an on-premises breach from reaching the tenant with privilege."
#   remediation: "Create a cloud-only account for each affected administrator, assign their roles to it, and remove the roles from the synchronised account."
#   frameworks:
#     scuba: [MS.AAD.7.3v1]
#     cis_m365: ["1.1.1"]
#   sources: [roleAssignments, users, groups]
#   optional_sources: [roleEligibilityScheduleInstances, roleEligibilitySchedules]
package sg365.scuba_aad.ms_aad_7_3v1

import rego.v1

import data.sg365.lib.ca.get
import data.sg365.lib.roles

synced := [roles.user_evidence(uid, sprintf("synchronised from on-premises; holds %v", [concat(", ", sort([roles.privileged[r] | some r in rs]))])) |
	some uid, rs in roles.privileged_users
	u := roles.users_by_id[uid]
	on_prem(u)
]

on_prem(u) if get(u, ["onPremisesImmutableId"], "") != ""

on_prem(u) if get(u, ["onPremisesSyncEnabled"], false) == true

result := roles.eligible_error if {
	roles.eligible_needed
	not roles.eligible_collected
} else := {"status": "pass", "summary": sprintf("all %d privileged users are cloud-only", [count(roles.privileged_users)])} if {
	count(synced) == 0
} else := {"status": "fail", "summary": sprintf("%d privileged user(s) are synchronised from on-premises", [count(synced)]), "evidence": synced}
