# METADATA
# title: Highly privileged roles are held through PIM, not standing
# description: "No principal holds a highly privileged role through an active assignment without a PIM eligibility for it, except users in the exclusions file (emergency access accounts)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-configure
# custom:
#   id: I5
#   severity: high
#   level: SHOULD
#   rationale: "A standing assignment makes the account privileged all the time, so stealing it at any moment yields admin rights; just-in-time activation limits that to short, audited windows."
#   remediation: "Convert the listed assignments to PIM-eligible ones; list emergency access accounts in the exclusions file."
#   frameworks:
#     userguard: [I5]
#   sources: [roleAssignments, roleEligibilityScheduleInstances]
#   exclusions: role
package sg365.identity.i5

import rego.v1

import data.sg365.lib.identity

eligible := {sprintf("%v|%v", [lower(e.principalId), lower(e.roleDefinitionId)]) | some e in identity.data_of("roleEligibilityScheduleInstances")}

excluded(pid) if pid in {lower(u) | some u in input.exclusions.users}

excluded(pid) if pid in {lower(g) | some g in input.exclusions.groups}

findings contains identity.user_evidence(a.principalId, identity.upn(a.principalId), sprintf("standing %v assignment (not through PIM)", [identity.privileged[lower(a.roleDefinitionId)]])) if {
	some a in identity.data_of("roleAssignments")
	identity.privileged[lower(a.roleDefinitionId)]
	identity.get(a, ["directoryScopeId"], "/") == "/"
	not sprintf("%v|%v", [lower(a.principalId), lower(a.roleDefinitionId)]) in eligible
	not excluded(lower(a.principalId))
}

result := identity.verdict(findings, "no standing assignment to a highly privileged role", "standing assignment(s) to highly privileged roles")
