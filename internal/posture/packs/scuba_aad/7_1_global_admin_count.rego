# METADATA
# title: Between two and eight users hold Global Administrator
# description: "Counting each user once, active and eligible, direct and through groups, two to eight users hold the Global Administrator role."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/best-practices
#   - ref: https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/security-emergency-access
# custom:
#   id: MS.AAD.7.1v1
#   severity: high
#   level: MUST
#   rationale: "Global Administrator can do anything in the tenant. Fewer holders means fewer accounts an attacker can use to take it over, while at least two avoid a lockout when one is unavailable."
#   remediation: "Review who holds Global Administrator (active and eligible, including group members) and move users who need less to finer-grained roles; keep at least two, such as one named admin and one emergency access account."
#   frameworks:
#     scuba: [MS.AAD.7.1v1]
#   sources: [roleAssignments, users, groups]
#   optional_sources: [roleEligibilityScheduleInstances, roleEligibilitySchedules]
package sg365.scuba_aad.ms_aad_7_1v1

import rego.v1

import data.sg365.lib.ca.get
import data.sg365.lib.roles

holders := roles.role_users(roles.global_admin)

names := sort([get(roles.users_by_id, [u, "userPrincipalName"], u) | some u in holders])

detail := sprintf("%d user(s): %v", [count(holders), concat(", ", names)])

result := roles.eligible_error if {
	roles.eligible_needed
	not roles.eligible_collected
} else := {
	"status": "pass",
	"summary": sprintf("%d users hold Global Administrator", [count(holders)]),
	"evidence": [roles.role_evidence(roles.global_admin, detail)],
} if {
	count(holders) >= 2
	count(holders) <= 8
} else := {
	"status": "fail",
	"summary": sprintf("%d user(s) hold Global Administrator; want 2 to 8", [count(holders)]),
	"evidence": [roles.role_evidence(roles.global_admin, detail)],
}
