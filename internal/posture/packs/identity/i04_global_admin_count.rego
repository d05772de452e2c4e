# METADATA
# title: Two to five users hold Global Administrator
# description: "Counting each principal once, active and PIM-eligible, two to five principals hold Global Administrator."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/best-practices
# custom:
#   id: I4
#   severity: high
#   level: MUST
#   rationale: "Each Global Administrator is a way to take over the tenant; fewer than two risks a lockout when one is unavailable."
#   remediation: "Move users who need less to finer-grained roles, keep at least two Global Administrators (one an emergency access account), and make the others PIM-eligible."
#   frameworks:
#     userguard: [I4]
#   sources: [roleAssignments, roleEligibilityScheduleInstances]
package sg365.identity.i4

import rego.v1

import data.sg365.lib.identity

holders := {lower(a.principalId) |
	some key in ["roleAssignments", "roleEligibilityScheduleInstances"]
	some a in identity.data_of(key)
	lower(a.roleDefinitionId) == identity.global_admin
	identity.get(a, ["directoryScopeId"], "/") == "/"
}

names := sort([identity.upn(p) | some p in holders])

ev := [{"type": "role", "id": identity.global_admin, "displayName": "Global Administrator", "detail": sprintf("%d holder(s): %v", [count(holders), concat(", ", names)])}]

result := {"status": "pass", "summary": sprintf("%d principals hold Global Administrator", [count(holders)]), "evidence": ev} if {
	count(holders) >= 2
	count(holders) <= 5
} else := {"status": "fail", "summary": sprintf("%d principal(s) hold Global Administrator; want 2 to 5", [count(holders)]), "evidence": ev}
