# METADATA
# title: Highly privileged roles are assigned only through PIM
# description: "Every active assignment of a highly privileged role was made through PIM (it has a start time)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-how-to-add-role-to-user
# custom:
#   id: MS.AAD.7.5v1
#   severity: medium
#   level: MUST
#   rationale: "Assignments made directly in the admin centres or by script skip PIM's approval, justification, expiry and notifications, so a rogue assignment goes unnoticed."
#   remediation: "Remove highly privileged role assignments that show no start time in PIM and recreate them through PIM."
#   frameworks:
#     scuba: [MS.AAD.7.5v1]
#   service_plans: [AAD_PREMIUM_P2]
#   sources: [roleAssignmentScheduleInstances]
#   optional_sources: [users, groups]
package sg365.scuba_aad.ms_aad_7_5v1

import rego.v1

import data.sg365.lib.ca.get
import data.sg365.lib.roles

principal_evidence(pid, detail) := roles.user_evidence(lower(pid), detail) if {
	roles.users_by_id[lower(pid)]
} else := {"type": "group", "id": lower(pid), "displayName": get(roles.groups_by_id, [lower(pid), "displayName"], ""), "detail": detail} if {
	roles.groups_by_id[lower(pid)]
} else := {"type": "directoryObject", "id": lower(pid), "displayName": "", "detail": detail}

instances := [i |
	some i in input.data.roleAssignmentScheduleInstances
	roles.is_privileged(i.roleDefinitionId)
	get(i, ["directoryScopeId"], "/") == "/"
	get(i, ["memberType"], "Direct") != "Group"
]

outside := [principal_evidence(i.principalId, sprintf("%v assigned outside PIM (no start time)", [roles.privileged[lower(i.roleDefinitionId)]])) |
	some i in instances
	get(i, ["assignmentType"], "Assigned") == "Assigned"
	get(i, ["startDateTime"], null) == null
]

result := {"status": "pass", "summary": "all highly privileged assignments were made through PIM"} if {
	count(outside) == 0
} else := {"status": "fail", "summary": sprintf("%d assignment(s) made outside PIM", [count(outside)]), "evidence": outside}
