# Helpers for rules about conditional access policies. A policy counts for
# a rule only when it is enforced (state "enabled"; report-only does not
# count), applies to all users, excludes nobody except what the rule's
# exclusions allow, targets all resources, and its grant controls demand what
# the rule wants. The gap functions return a set of human-readable reasons a
# policy falls short; an empty set means it counts.
package sg365.lib.ca

import rego.v1

# get returns the value at path, or d when it is absent or null.
get(o, path, d) := v if {
	v := object.get(o, path, null)
	v != null
} else := d

lower_set(xs) := {lower(x) | some x in xs}

policies := get(input.data, ["conditionalAccessPolicies"], [])

# excluded_ok reports whether id is in the rule's allowed exclusions of kind.
excluded_ok(kind, id) if lower(id) in lower_set(get(input.exclusions, [kind], []))

state_gaps(p) := set() if p.state == "enabled"

else := {"report-only: not enforced"} if p.state == "enabledForReportingButNotEnforced"

else := {sprintf("state is %v", [get(p, ["state"], "unknown")])}

users(p) := get(p, ["conditions", "users"], {})

# exclusion_gaps lists excluded users, groups and roles the exclusions
# configuration does not allow, and guest exclusions (never allowed).
exclusion_gaps(p) := (({sprintf("excludes user %v", [id]) |
	some id in get(users(p), ["excludeUsers"], [])
	not excluded_ok("users", id)
} | {sprintf("excludes group %v", [id]) |
	some id in get(users(p), ["excludeGroups"], [])
	not excluded_ok("groups", id)
}) | {sprintf("excludes role %v", [id]) |
	some id in get(users(p), ["excludeRoles"], [])
	not excluded_ok("roles", id)
}) | guest_gaps(p)

guest_gaps(p) := {"excludes guests or external users"} if {
	get(users(p), ["excludeGuestsOrExternalUsers"], null) != null
} else := set()

# all_users_gaps: the policy must include all users.
all_users_gaps(p) := exclusion_gaps(p) if {
	"all" in lower_set(get(users(p), ["includeUsers"], []))
} else := {"does not include all users"} | exclusion_gaps(p)

apps(p) := get(p, ["conditions", "applications"], {})

# all_apps_gaps: the policy must target all resources with no exclusion or
# application filter.
all_apps_gaps(p) := ((set() | {"does not target all resources" |
	not "all" in lower_set(get(apps(p), ["includeApplications"], []))
}) | {sprintf("excludes application %v", [id]) |
	some id in get(apps(p), ["excludeApplications"], [])
}) | {"narrows resources with an application filter" |
	get(apps(p), ["applicationFilter"], null) != null
}

# register_security_info_gaps: the policy must target the user action
# "register security information".
register_security_info_gaps(p) := set() if {
	"urn:user:registersecurityinfo" in lower_set(get(apps(p), ["includeUserActions"], []))
} else := {"does not target the user action 'register security information'"}

client_app_types(p) := lower_set(get(p, ["conditions", "clientAppTypes"], ["all"]))

# all_clients_gaps: the policy must apply to every client app type.
all_clients_gaps(p) := set() if "all" in client_app_types(p)

else := {sprintf("applies only to client app types %v", [concat(", ", sort(client_app_types(p)))])}

# legacy_clients reports whether the policy covers both legacy
# authentication client types.
legacy_clients(p) if {
	"exchangeactivesync" in client_app_types(p)
	"other" in client_app_types(p)
}

legacy_clients(p) if "all" in client_app_types(p)

controls(p) := lower_set(get(p, ["grantControls", "builtInControls"], []))

strength(p) := get(p, ["grantControls", "authenticationStrength"], null)

operator(p) := upper(get(p, ["grantControls", "operator"], "OR"))

blocks(p) if "block" in controls(p)

# alternatives are the grant controls a user may satisfy: with operator OR
# any one of them is enough, with AND all are needed.
alternatives(p) := {{"control": c} | some c in controls(p)} | {{"strength": s} |
	s := strength(p)
	s != null
}

# grant_requires reports whether every way to satisfy the grant includes
# kind ("mfa", "phishing_resistant" or "managed_device").
grant_requires(p, kind) if {
	operator(p) == "AND"
	some alt in alternatives(p)
	satisfies(alt, kind)
}

grant_requires(p, kind) if {
	operator(p) == "OR"
	count(alternatives(p)) > 0
	every alt in alternatives(p) {
		satisfies(alt, kind)
	}
}

satisfies(alt, "mfa") if alt.control == "mfa"

satisfies(alt, "mfa") if strength_is_mfa(alt.strength)

satisfies(alt, "phishing_resistant") if strength_is_phishing_resistant(alt.strength)

satisfies(alt, "managed_device") if alt.control in {"compliantdevice", "domainjoineddevice"}

# Built-in authentication strengths, by their fixed ids.
builtin_mfa_strength := "00000000-0000-0000-0000-000000000002"

builtin_passwordless_strength := "00000000-0000-0000-0000-000000000003"

builtin_phishing_resistant_strength := "00000000-0000-0000-0000-000000000004"

phishing_resistant_methods := {"windowshelloforbusiness", "fido2", "x509certificatemultifactor"}

# Single methods that are multifactor on their own; other combinations are
# multifactor when they join two methods ("password,microsoftAuthenticatorPush").
multifactor_methods := phishing_resistant_methods | {
	"devicebasedpush", "federatedmultifactor",
	"temporaryaccesspassonetime", "temporaryaccesspassmultiuse",
}

combinations(s) := lower_set(get(s, ["allowedCombinations"], []))

strength_is_phishing_resistant(s) if lower(get(s, ["id"], "")) == builtin_phishing_resistant_strength

strength_is_phishing_resistant(s) if {
	count(combinations(s)) > 0
	every c in combinations(s) {
		c in phishing_resistant_methods
	}
}

strength_is_mfa(s) if get(s, ["requirementsSatisfied"], "") == "mfa"

strength_is_mfa(s) if lower(get(s, ["id"], "")) in {builtin_mfa_strength, builtin_passwordless_strength, builtin_phishing_resistant_strength}

strength_is_mfa(s) if {
	count(combinations(s)) > 0
	every c in combinations(s) {
		combination_is_mfa(c)
	}
}

combination_is_mfa(c) if contains(c, ",")

combination_is_mfa(c) if c in multifactor_methods

policy_evidence(p, detail) := {
	"type": "conditionalAccessPolicy",
	"id": get(p, ["id"], "(no id)"),
	"displayName": get(p, ["displayName"], ""),
	"detail": detail,
}

# verdict turns candidate policies (those whose controls do what the rule
# wants) and their gaps (policy id -> set of reasons) into a rule result.
# what describes the control for summaries, e.g. "blocks legacy authentication".
verdict(candidates, gaps, what) := {
	"status": "pass",
	"summary": sprintf("met by %d enforced policy(ies) that %s", [count(ok), what]),
	"evidence": [policy_evidence(p, "meets the requirement") | some p in ok],
} if {
	ok := [p | some p in candidates; count(gaps[get(p, ["id"], "(no id)")]) == 0]
	count(ok) > 0
} else := {
	"status": "fail",
	"summary": sprintf("no enforced conditional access policy %s with full coverage; %d policy(ies) come close", [what, count(candidates)]),
	"evidence": [policy_evidence(p, concat("; ", sort(gaps[get(p, ["id"], "(no id)")]))) | some p in candidates],
} if {
	count(candidates) > 0
} else := {
	"status": "fail",
	"summary": sprintf("no conditional access policy %s", [what]),
	"evidence": [],
}

# id_of is the key verdict uses for a policy's gaps.
id_of(p) := get(p, ["id"], "(no id)")

cond(p) := get(p, ["conditions"], {})

# levels reads a risk level condition, which Graph gives as an array or,
# for newer multi-valued enums, as a comma-separated string.
levels(x) := {lower(trim_space(s)) | some s in split(x, ",")} if is_string(x)

else := lower_set(x) if is_array(x)

else := set()

risk_levels(p, name) := levels(get(cond(p), [name], []))

device_code_flow(p) if "devicecodeflow" in levels(get(cond(p), ["authenticationFlows", "transferMethods"], ""))

# narrowing lists [condition, reason] pairs for conditions that limit a
# policy to some sign-ins. A rule passes the names of conditions it sets
# itself in keep.
narrowing(p) := ((((((({["userRisk", sprintf("applies only at user risk %v", [concat(",", sort(risk_levels(p, "userRiskLevels")))])] |
	count(risk_levels(p, "userRiskLevels")) > 0
} | {["signInRisk", sprintf("applies only at sign-in risk %v", [concat(",", sort(risk_levels(p, "signInRiskLevels")))])] |
	count(risk_levels(p, "signInRiskLevels")) > 0
}) | {["agentRisk", "applies only at some agent risk levels"] |
	count(risk_levels(p, "agentIdRiskLevels")) > 0
}) | {["insiderRisk", "applies only at some insider risk levels"] |
	count(risk_levels(p, "insiderRiskLevels")) > 0
}) | {["servicePrincipalRisk", "applies only at some service principal risk levels"] |
	count(risk_levels(p, "servicePrincipalRiskLevels")) > 0
}) | {["authenticationFlows", "applies only to some authentication flows"] |
	get(cond(p), ["authenticationFlows"], null) != null
}) | platform_gaps(p)) | location_gaps(p)) | {["devices", "narrows devices with a device filter"] |
	get(cond(p), ["devices", "deviceFilter"], null) != null
}

platform_gaps(p) := {["platforms", "applies only to some device platforms"] |
	pl := get(cond(p), ["platforms"], null)
	pl != null
	platform_narrows(pl)
}

platform_narrows(pl) if not "all" in lower_set(get(pl, ["includePlatforms"], ["all"]))

platform_narrows(pl) if count(get(pl, ["excludePlatforms"], [])) > 0

location_gaps(p) := {["locations", "applies only to some network locations"] |
	l := get(cond(p), ["locations"], null)
	l != null
	location_narrows(l)
}

location_narrows(l) if not "all" in lower_set(get(l, ["includeLocations"], ["All"]))

location_narrows(l) if count(get(l, ["excludeLocations"], [])) > 0

# purpose_conditions make a policy about something else (risky sign-ins,
# one authentication flow, agents) rather than narrowing whom it covers. A
# policy with such a condition that the rule does not set (keep) is not a
# candidate for the rule at all, so it is not listed as a near miss.
purpose_conditions := {"userRisk", "signInRisk", "agentRisk", "insiderRisk", "servicePrincipalRisk", "authenticationFlows"}

foreign_purpose(p, keep) if {
	some pair in narrowing(p)
	pair[0] in purpose_conditions
	not pair[0] in keep
}

narrowing_gaps(p, keep) := {reason |
	some pair in narrowing(p)
	not pair[0] in keep
	reason := pair[1]
}

# standard_gaps are the gaps of a policy meant to cover all users, all
# resources and all client apps, with only the conditions in keep.
standard_gaps(p, keep) := (((state_gaps(p) | all_users_gaps(p)) | all_apps_gaps(p)) | all_clients_gaps(p)) | narrowing_gaps(p, keep)
