# Helpers for rules about privileged directory roles. Roles are matched by
# their built-in template id, which is also the roleDefinitionId of built-in
# roles in role assignments and PIM objects.
package sg365.lib.roles

import rego.v1

import data.sg365.lib.ca.get

global_admin := "62e90394-69f5-4237-9190-012177145e10"

# privileged are the highly privileged roles the baseline names.
privileged := {
	global_admin: "Global Administrator",
	"e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
	"fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
	"f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
	"29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
	"8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": "Hybrid Identity Administrator",
	"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
	"158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
}

is_privileged(role_id) if privileged[lower(role_id)]

role_evidence(role_id, detail) := {"type": "role", "id": lower(role_id), "displayName": privileged[lower(role_id)], "detail": detail}

users_by_id := {lower(u.id): u | some u in get(input.data, ["users"], [])}

groups_by_id := {lower(g.id): g | some g in get(input.data, ["groups"], [])}

user_evidence(uid, detail) := {
	"type": "user",
	"id": uid,
	"displayName": get(users_by_id, [uid, "displayName"], get(users_by_id, [uid, "userPrincipalName"], "")),
	"detail": detail,
}

is_user_object(o) if get(o, ["@odata.type"], "") == "#microsoft.graph.user"

is_user_object(o) if users_by_id[lower(get(o, ["id"], ""))]

# principal_users returns the user ids a principal stands for: itself when
# it is a user, its user members when it is a group (role-assignable groups
# cannot nest), nothing for service principals.
principal_users(pid) := {lower(pid)} if {
	users_by_id[lower(pid)]
} else := {lower(m.id) |
	some m in get(groups_by_id, [lower(pid), "members"], [])
	is_user_object(m)
} if {
	groups_by_id[lower(pid)]
} else := set()

# eligible_sources hold PIM eligible assignments: schedule instances (what
# is in force now) or schedules (as TenantGuard snapshots store them).
eligible_sources := ["roleEligibilityScheduleInstances", "roleEligibilitySchedules"]

# eligible_collected reports whether PIM eligible assignments were collected.
eligible_collected if {
	some key in eligible_sources
	input.sources[key].status == "ok"
}

# eligible_needed: with Entra ID P2 the tenant can have eligible assignments,
# so counting only active ones would be wrong.
eligible_needed if "AAD_PREMIUM_P2" in input.servicePlans

# assignments are active (roleAssignments) and eligible (PIM) assignments
# in the tenant-wide scope "/".
assignments := array.concat(active_assignments, eligible_assignments)

active_assignments := [{"roleId": lower(a.roleDefinitionId), "principalId": a.principalId, "kind": "active"} |
	some a in get(input.data, ["roleAssignments"], [])
	get(a, ["directoryScopeId"], "/") == "/"
]

eligible_assignments := [{"roleId": lower(a.roleDefinitionId), "principalId": a.principalId, "kind": "eligible"} |
	some key in eligible_sources
	input.sources[key].status == "ok"
	some a in get(input.data, [key], [])
	get(a, ["directoryScopeId"], "/") == "/"
]

# role_users returns the users holding role_id directly or through a group.
role_users(role_id) := {uid |
	some a in assignments
	a.roleId == lower(role_id)
	some uid in principal_users(a.principalId)
}

# privileged_users maps each user holding a privileged role to those roles.
# A multi-value rule, so it is built in one pass over the assignments.
privileged_users[uid] contains a.roleId if {
	some a in assignments
	is_privileged(a.roleId)
	some uid in principal_users(a.principalId)
}

# eligible_error is the result to return when eligible assignments are
# needed (P2 licensed) but were not collected.
eligible_error := {
	"status": "error",
	"summary": "eligible (PIM) role assignments were not collected; the count would be incomplete",
	"reason": sprintf("sources roleEligibilityScheduleInstances: %v, roleEligibilitySchedules: %v", [
		get(input.sources, ["roleEligibilityScheduleInstances", "status"], "notCollected"),
		get(input.sources, ["roleEligibilitySchedules", "status"], "notCollected"),
	]),
}

# policies_by_id are the PIM policies of the separate roleManagementPolicies
# source, for assignments collected without $expand=policy.
policies_by_id := {p.id: p |
	get(input.sources, ["roleManagementPolicies", "status"], "") == "ok"
	some p in get(input.data, ["roleManagementPolicies"], [])
}

# assignment_policy returns the policy of a policy assignment: expanded
# inline, or looked up by policyId.
assignment_policy(a) := a.policy if a.policy.rules

else := policies_by_id[a.policyId]

# pim_policy_rules returns the rules of the PIM policy assigned to role_id
# for the tenant scope, by rule id.
pim_policy_rules(role_id) := {r.id: r |
	some a in get(input.data, ["roleManagementPolicyAssignments"], [])
	lower(get(a, ["roleDefinitionId"], "")) == lower(role_id)
	get(a, ["scopeId"], "/") == "/"
	some r in get(assignment_policy(a), ["rules"], [])
}

# policies_unknown: some policy assignment neither embeds its policy nor
# can be resolved, because roleManagementPolicies was not collected.
policies_unknown if {
	some a in get(input.data, ["roleManagementPolicyAssignments"], [])
	is_privileged(get(a, ["roleDefinitionId"], ""))
	not assignment_policy(a)
	get(input.sources, ["roleManagementPolicies", "status"], "notCollected") != "ok"
}

policies_error := {
	"status": "error",
	"summary": "the PIM policies of the role policy assignments were not collected",
	"reason": sprintf("roleManagementPolicyAssignments lack an expanded policy and source roleManagementPolicies is %v", [get(input.sources, ["roleManagementPolicies", "status"], "notCollected")]),
}

has_pim_policy(role_id) if count(pim_policy_rules(role_id)) > 0

# notifies reports whether the notification rule rule_id of role_id sends
# mail to at least one additional recipient.
notifies(role_id, rule_id) if count(get(pim_policy_rules(role_id), [rule_id, "notificationRecipients"], [])) > 0
