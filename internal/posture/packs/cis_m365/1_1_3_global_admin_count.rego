# METADATA
# title: Between two and four users hold Global Administrator
# description: "Counting each user once, whether the assignment is active or eligible, direct or through a group, at least two and at most four users hold Global Administrator."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/best-practices
#   - ref: https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/security-emergency-access
# custom:
#   id: CIS.1.1.3
#   severity: high
#   level: MUST
#   rationale: "Every Global Administrator is an account whose compromise hands over the whole tenant. Keeping the number at four or fewer keeps that exposure small and reviewable; keeping at least two means losing one account does not lock the organisation out."
#   remediation: "List the Global Administrator holders (active and eligible, including members of role-assignable groups). Give those who need less a narrower role until at most four remain, and make sure two remain, one of them an emergency access account."
#   frameworks:
#     cis_m365: ["1.1.3"]
#   sources: [roleAssignments, users, groups]
#   optional_sources: [roleEligibilityScheduleInstances, roleEligibilitySchedules]
package sg365.cis_m365.cis_1_1_3

import rego.v1

import data.sg365.lib.cis

holders := cis.role_users(cis.global_admin)

detail := sprintf("%d user(s): %v", [count(holders), concat(", ", sort([cis.user_name(u) | some u in holders]))])

result := cis.eligible_error if {
	cis.eligible_needed
	not cis.eligible_collected
} else := {
	"status": "pass",
	"summary": sprintf("%d users hold Global Administrator", [count(holders)]),
	"evidence": [cis.role_evidence(cis.global_admin, detail)],
} if {
	count(holders) >= 2
	count(holders) <= 4
} else := {
	"status": "fail",
	"summary": sprintf("%d user(s) hold Global Administrator; want 2 to 4", [count(holders)]),
	"evidence": [cis.role_evidence(cis.global_admin, detail)],
}
