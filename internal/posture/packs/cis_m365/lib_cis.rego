# Helpers for the CIS Microsoft 365 Foundations pack (cis_m365). The pack
# can be loaded on its own, so it does not import the scuba_aad helpers.
#
# Levels: a CIS Level 1 recommendation is a rule of level MUST (a failure
# reports fail); a Level 2 recommendation is SHOULD (a failure reports
# warning). Rule ids are "CIS.<control number>" in the v5.0.0 numbering,
# and each rule maps itself under frameworks.cis_m365.
package sg365.lib.cis

import rego.v1

# get returns the value at path, or d when it is absent or null.
get(o, path, d) := v if {
	v := object.get(o, path, null)
	v != null
} else := d

lower_set(xs) := {lower(x) | some x in xs}

# authz is the tenant's authorizationPolicy (v1.0 object or beta array).
authz := input.data.authorizationPolicy[0] if is_array(input.data.authorizationPolicy)

else := input.data.authorizationPolicy

authz_evidence(detail) := {
	"type": "authorizationPolicy",
	"id": get(authz, ["id"], "authorizationPolicy"),
	"displayName": get(authz, ["displayName"], "Authorization Policy"),
	"detail": detail,
}

# --- Directory roles -------------------------------------------------------

global_admin := "62e90394-69f5-4237-9190-012177145e10"

privileged_role_admin := "e8611ab8-c189-46e8-94e1-60213ab1f814"

# admin_roles are the administrative roles the CIS conditional access
# recommendations name, by built-in role template id.
admin_roles := {
	global_admin: "Global Administrator",
	privileged_role_admin: "Privileged Role Administrator",
	"7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
	"c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
	"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
	"158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
	"b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
	"29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
	"f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
	"fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
	"729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
	"966707d0-3269-4727-9be2-8c3a10f19b9d": "Password Administrator",
	"194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
	"b0f54661-2d74-4c50-afa3-1ec803f12efe": "Billing Administrator",
	"f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
}

role_name(id) := n if {
	n := admin_roles[lower(id)]
} else := id

role_evidence(id, detail) := {"type": "role", "id": lower(id), "displayName": role_name(id), "detail": detail}

users_by_id := {lower(u.id): u | some u in get(input.data, ["users"], [])}

groups_by_id := {lower(g.id): g | some g in get(input.data, ["groups"], [])}

user_name(uid) := get(users_by_id, [uid, "userPrincipalName"], uid)

is_user_member(m) if get(m, ["@odata.type"], "") == "#microsoft.graph.user"

is_user_member(m) if users_by_id[lower(get(m, ["id"], ""))]

# principal_users: a user stands for itself, a role-assignable group for its
# user members (such groups cannot nest), anything else for nobody.
principal_users(pid) := {lower(pid)} if {
	users_by_id[lower(pid)]
} else := {lower(m.id) |
	some m in get(groups_by_id, [lower(pid), "members"], [])
	is_user_member(m)
} if {
	groups_by_id[lower(pid)]
} else := set()

eligible_keys := ["roleEligibilityScheduleInstances", "roleEligibilitySchedules"]

eligible_collected if {
	some key in eligible_keys
	input.sources[key].status == "ok"
}

# With Entra ID P2 eligible assignments exist, so they must be counted.
eligible_needed if "AAD_PREMIUM_P2" in input.servicePlans

eligible_error := {
	"status": "error",
	"summary": "eligible (PIM) role assignments were not collected; the count would be incomplete",
	"reason": sprintf("sources roleEligibilityScheduleInstances: %v, roleEligibilitySchedules: %v", [
		get(input.sources, ["roleEligibilityScheduleInstances", "status"], "notCollected"),
		get(input.sources, ["roleEligibilitySchedules", "status"], "notCollected"),
	]),
}

# tenant_assignments are active and eligible assignments at scope "/".
tenant_assignments := array.concat(
	[a | some a in get(input.data, ["roleAssignments"], []); get(a, ["directoryScopeId"], "/") == "/"],
	[a |
		some key in eligible_keys
		input.sources[key].status == "ok"
		some a in get(input.data, [key], [])
		get(a, ["directoryScopeId"], "/") == "/"
	],
)

# role_users returns the users holding role_id, active or eligible,
# directly or through a group, each counted once.
role_users(role_id) := {uid |
	some a in tenant_assignments
	lower(a.roleDefinitionId) == lower(role_id)
	some uid in principal_users(a.principalId)
}

# --- PIM policies ----------------------------------------------------------

policies_by_id := {p.id: p |
	get(input.sources, ["roleManagementPolicies", "status"], "") == "ok"
	some p in get(input.data, ["roleManagementPolicies"], [])
}

assignment_policy(a) := a.policy if a.policy.rules

else := policies_by_id[a.policyId]

# pim_policy_assignment returns the tenant-scope policy assignment of role_id.
pim_policy_assignment(role_id) := a if {
	some a in get(input.data, ["roleManagementPolicyAssignments"], [])
	lower(get(a, ["roleDefinitionId"], "")) == lower(role_id)
	get(a, ["scopeId"], "/") == "/"
}

pim_rules(role_id) := {r.id: r | some r in get(assignment_policy(pim_policy_assignment(role_id)), ["rules"], [])}

# pim_policy_unknown: the role's policy assignment neither embeds its policy
# nor can be resolved through roleManagementPolicies.
pim_policy_unknown(role_id) if {
	a := pim_policy_assignment(role_id)
	not assignment_policy(a)
}

pim_policy_error := {
	"status": "error",
	"summary": "the PIM policy of the role was not collected",
	"reason": sprintf("roleManagementPolicyAssignments lack an expanded policy and source roleManagementPolicies is %v", [get(input.sources, ["roleManagementPolicies", "status"], "notCollected")]),
}

# --- Conditional access ----------------------------------------------------

policies := get(input.data, ["conditionalAccessPolicies"], [])

id_of(p) := get(p, ["id"], "(no id)")

cond(p) := get(p, ["conditions"], {})

cusers(p) := get(cond(p), ["users"], {})

capps(p) := get(cond(p), ["applications"], {})

policy_evidence(p, detail) := {
	"type": "conditionalAccessPolicy",
	"id": id_of(p),
	"displayName": get(p, ["displayName"], ""),
	"detail": detail,
}

excluded_ok(kind, id) if lower(id) in lower_set(get(input.exclusions, [kind], []))

state_gaps(p) := set() if p.state == "enabled"

else := {"report-only: not enforced"} if p.state == "enabledForReportingButNotEnforced"

else := {sprintf("state is %v", [get(p, ["state"], "unknown")])}

exclusion_gaps(p) := ({sprintf("excludes user %v", [id]) |
	some id in get(cusers(p), ["excludeUsers"], [])
	not excluded_ok("users", id)
} | {sprintf("excludes group %v", [id]) |
	some id in get(cusers(p), ["excludeGroups"], [])
	not excluded_ok("groups", id)
}) | {sprintf("excludes role %v", [role_name(id)]) |
	some id in get(cusers(p), ["excludeRoles"], [])
	not excluded_ok("roles", id)
}

# admin_gaps: the policy must apply to all users, or to every role of
# admin_roles, and leave out nobody the exclusions do not allow.
admin_gaps(p) := exclusion_gaps(p) if {
	"all" in lower_set(get(cusers(p), ["includeUsers"], []))
} else := exclusion_gaps(p) | {sprintf("does not include role %v", [name]) |
	some id, name in admin_roles
	not id in lower_set(get(cusers(p), ["includeRoles"], []))
}

all_apps_gaps(p) := ({"does not target all resources" |
	not "all" in lower_set(get(capps(p), ["includeApplications"], []))
} | {sprintf("excludes application %v", [id]) |
	some id in get(capps(p), ["excludeApplications"], [])
}) | {"narrows resources with an application filter" |
	get(capps(p), ["applicationFilter"], null) != null
}

all_clients_gaps(p) := set() if "all" in lower_set(get(cond(p), ["clientAppTypes"], ["all"]))

else := {sprintf("applies only to client app types %v", [concat(", ", sort(lower_set(get(cond(p), ["clientAppTypes"], []))))])}

# narrowing_gaps: locations, platforms and device filters that limit the
# sign-ins a policy covers.
narrowing_gaps(p) := ({"applies only to some network locations" |
	l := get(cond(p), ["locations"], null)
	l != null
	narrows(l, "Locations")
} | {"applies only to some device platforms" |
	pl := get(cond(p), ["platforms"], null)
	pl != null
	narrows(pl, "Platforms")
}) | {"narrows devices with a device filter" |
	get(cond(p), ["devices", "deviceFilter"], null) != null
}

narrows(c, what) if not "all" in lower_set(get(c, [concat("", ["include", what])], ["all"]))

narrows(c, what) if count(get(c, [concat("", ["exclude", what])], [])) > 0

levels(x) := {lower(trim_space(s)) | some s in split(x, ",")} if is_string(x)

else := lower_set(x) if is_array(x)

else := set()

# other_purpose: risk levels or authentication flows make a policy about
# something else; it is not a candidate for a rule that does not ask for them.
other_purpose(p) if {
	some name in ["userRiskLevels", "signInRiskLevels", "servicePrincipalRiskLevels", "insiderRiskLevels", "agentIdRiskLevels"]
	count(levels(get(cond(p), [name], []))) > 0
}

other_purpose(p) if get(cond(p), ["authenticationFlows"], null) != null

# coverage_gaps are the gaps of a policy meant for every administrator,
# every resource and every client app.
coverage_gaps(p) := (((state_gaps(p) | admin_gaps(p)) | all_apps_gaps(p)) | all_clients_gaps(p)) | narrowing_gaps(p)

# MFA grant: with operator OR every alternative must be MFA; with AND one.
controls(p) := lower_set(get(p, ["grantControls", "builtInControls"], []))

strength(p) := get(p, ["grantControls", "authenticationStrength"], null)

alternatives(p) := {{"control": c} | some c in controls(p)} | {{"strength": s} |
	s := strength(p)
	s != null
}

is_mfa(alt) if alt.control == "mfa"

is_mfa(alt) if get(alt.strength, ["requirementsSatisfied"], "") == "mfa"

is_mfa(alt) if lower(get(alt.strength, ["id"], "")) in {
	"00000000-0000-0000-0000-000000000002",
	"00000000-0000-0000-0000-000000000003",
	"00000000-0000-0000-0000-000000000004",
}

requires_mfa(p) if {
	upper(get(p, ["grantControls", "operator"], "OR")) == "AND"
	some alt in alternatives(p)
	is_mfa(alt)
}

requires_mfa(p) if {
	upper(get(p, ["grantControls", "operator"], "OR")) == "OR"
	count(alternatives(p)) > 0
	every alt in alternatives(p) {
		is_mfa(alt)
	}
}

# verdict grades candidate policies (they do what the rule wants) by
# their gaps (policy id -> set of reasons); what describes the control.
verdict(candidates, gaps, what) := {
	"status": "pass",
	"summary": sprintf("met by %d enforced policy(ies) that %s", [count(ok), what]),
	"evidence": [policy_evidence(p, "meets the requirement") | some p in ok],
} if {
	ok := [p | some p in candidates; count(gaps[id_of(p)]) == 0]
	count(ok) > 0
} else := {
	"status": "fail",
	"summary": sprintf("no enforced conditional access policy %s with full coverage; %d policy(ies) come close", [what, count(candidates)]),
	"evidence": [policy_evidence(p, concat("; ", sort(gaps[id_of(p)]))) | some p in candidates],
} if {
	count(candidates) > 0
} else := {
	"status": "fail",
	"summary": sprintf("no conditional access policy %s", [what]),
	"evidence": [],
}

# all_users_gaps: the policy must include all users, exclude nobody the
# exclusions do not allow, and exclude no guests.
all_users_gaps(p) := (exclusion_gaps(p) | {"does not include all users" |
	not "all" in lower_set(get(cusers(p), ["includeUsers"], []))
}) | {"excludes guests or external users" |
	get(cusers(p), ["excludeGuestsOrExternalUsers"], null) != null
}
