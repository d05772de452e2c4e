# METADATA
# title: Privileged users get finer-grained roles rather than Global Administrator
# description: "No more users hold Global Administrator than hold the other highly privileged roles (ratio at most 1)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/delegate-by-task
#   - ref: https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/best-practices
# custom:
#   id: MS.AAD.7.2v1
#   severity: medium
#   level: MUST
#   rationale: "Most administrators need only part of what Global Administrator grants. Giving them narrower roles limits what a compromised admin account can do."
#   remediation: "For each Global Administrator, find the tasks they perform and assign the matching built-in role (User, Exchange, SharePoint, Application Administrator, ...) instead."
#   frameworks:
#     scuba: [MS.AAD.7.2v1]
#   sources: [roleAssignments, users, groups]
#   optional_sources: [roleEligibilityScheduleInstances, roleEligibilitySchedules]
package sg365.scuba_aad.ms_aad_7_2v1

import rego.v1

import data.sg365.lib.roles

ga := roles.role_users(roles.global_admin)

others := {u | some u, rs in roles.privileged_users; not u in ga}

detail := sprintf("%d Global Administrator(s), %d user(s) in other privileged roles only", [count(ga), count(others)])

result := roles.eligible_error if {
	roles.eligible_needed
	not roles.eligible_collected
} else := {"status": "pass", "summary": detail} if {
	count(ga) <= count(others)
} else := {
	"status": "fail",
	"summary": "more users hold Global Administrator than finer-grained privileged roles",
	"evidence": [roles.role_evidence(roles.global_admin, detail)],
}
