# METADATA
# title: Highly privileged roles have no permanent active assignments
# description: "No user or group holds a highly privileged role through a permanent active assignment, except allowed exclusions and groups managed by PIM for Groups."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-how-to-add-role-to-user
#   - ref: https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/concept-pim-for-groups
# custom:
#   id: MS.AAD.7.4v1
#   severity: high
#   level: MUST
#   rationale: "A standing assignment makes the account privileged all the time, so stealing it at any moment yields admin rights. Just-in-time activation limits that exposure to short, audited windows."
#   remediation: "Convert permanent active assignments of highly privileged roles to eligible assignments in PIM (or time-bound active ones). Keep permanent assignments only for emergency access and service accounts, and list those in the exclusions file."
#   frameworks:
#     scuba: [MS.AAD.7.4v1]
#   service_plans: [AAD_PREMIUM_P2]
#   sources: [roleAssignmentScheduleInstances]
#   optional_sources: [users, groups, pimEnabledGroups]
#   exclusions: role
package sg365.scuba_aad.ms_aad_7_4v1

import rego.v1

import data.sg365.lib.ca.excluded_ok
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

pim_groups := {lower(g.id) | some g in get(input.data, ["pimEnabledGroups"], [])}

permanent := [principal_evidence(i.principalId, sprintf("permanent active assignment to %v", [roles.privileged[lower(i.roleDefinitionId)]])) |
	some i in instances
	get(i, ["assignmentType"], "Assigned") == "Assigned"
	get(i, ["endDateTime"], null) == null
	not exempt(lower(i.principalId))
]

exempt(pid) if excluded_ok("users", pid)

exempt(pid) if excluded_ok("groups", pid)

exempt(pid) if pid in pim_groups

result := {"status": "pass", "summary": "no permanent active assignments to highly privileged roles"} if {
	count(permanent) == 0
} else := {"status": "fail", "summary": sprintf("%d permanent active assignment(s) to highly privileged roles", [count(permanent)]), "evidence": permanent}
