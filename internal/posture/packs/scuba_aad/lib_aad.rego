# Helpers for rules that read single Entra ID settings objects.
package sg365.lib.aad

import rego.v1

import data.sg365.lib.ca.get

# authz is the tenant's authorizationPolicy. Graph v1.0 returns one object;
# the beta endpoint wraps it in a collection, so accept both.
authz := input.data.authorizationPolicy[0] if is_array(input.data.authorizationPolicy)

else := input.data.authorizationPolicy

authz_evidence(detail) := {
	"type": "authorizationPolicy",
	"id": get(authz, ["id"], "authorizationPolicy"),
	"displayName": get(authz, ["displayName"], "Authorization Policy"),
	"detail": detail,
}

# method_configs are the authentication method configurations: those
# embedded in the policy (GET authenticationMethodsPolicy returns them), or
# else the separate authenticationMethodConfigurations source (as TenantGuard
# snapshots store them). Undefined when neither was collected.
method_configs := cs if {
	cs := input.data.authenticationMethodsPolicy.authenticationMethodConfigurations
} else := input.data.authenticationMethodConfigurations if {
	input.sources.authenticationMethodConfigurations.status == "ok"
}

method_config(id) := c if {
	some c in method_configs
	lower(c.id) == lower(id)
}

missing_configs := {
	"status": "error",
	"summary": "the authentication method configurations were not collected",
	"reason": sprintf("source authenticationMethodsPolicy is incomplete (no authenticationMethodConfigurations) and source authenticationMethodConfigurations is %v", [get(input.sources, ["authenticationMethodConfigurations", "status"], "notCollected")]),
}

# iso_days converts an ISO 8601 duration such as "P181D" or "P1Y" to whole
# days (a year counts 365 days, a month 30); time parts are ignored.
iso_days(d) := days if {
	m := regex.find_all_string_submatch_n(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T.*)?$`, d, 1)[0]
	days := ((num(m[1]) * 365) + (num(m[2]) * 30)) + num(m[3])
}

num(s) := 0 if s == ""

else := to_number(s)

app_policy := input.data.defaultAppManagementPolicy

# unscoped reports whether a restriction applies to all applications, not
# only to those created after a date. Graph shows "no date" as null or as
# the minimum date 0001-01-01.
unscoped(r) if get(r, ["restrictForAppsCreatedAfterDateTime"], null) == null

unscoped(r) if startswith(r.restrictForAppsCreatedAfterDateTime, "0001-01-01")

# app_restriction returns the enforced application restriction of type
# kind in list ("passwordCredentials" or "keyCredentials").
app_restriction(list, kind) := r if {
	get(app_policy, ["isEnabled"], false) == true
	some r in get(app_policy, ["applicationRestrictions", list], [])
	r.restrictionType == kind
	get(r, ["state"], "enabled") == "enabled"
}

app_policy_evidence(detail) := {
	"type": "tenantAppManagementPolicy",
	"id": get(app_policy, ["id"], "defaultAppManagementPolicy"),
	"displayName": get(app_policy, ["displayName"], "Default app management policy"),
	"detail": detail,
}

password_addition_blocked if {
	r := app_restriction("passwordCredentials", "passwordAddition")
	unscoped(r)
}

# lifetime_result grades a maximum-lifetime restriction against max_days.
lifetime_result(list, kind, max_days, what) := {"status": "pass", "summary": sprintf("%v lifetime is limited to %v", [what, r.maxLifetime])} if {
	r := app_restriction(list, kind)
	unscoped(r)
	iso_days(r.maxLifetime) <= max_days
} else := {
	"status": "fail",
	"summary": sprintf("%v lifetime is not limited to %d days or less for all applications", [what, max_days - 1]),
	"evidence": [app_policy_evidence(detail)],
} if {
	r := app_restriction(list, kind)
	detail := sprintf("maxLifetime %v, restrictForAppsCreatedAfterDateTime %v", [get(r, ["maxLifetime"], "unset"), get(r, ["restrictForAppsCreatedAfterDateTime"], "unset")])
} else := {
	"status": "fail",
	"summary": sprintf("no enforced %v lifetime restriction in the default app management policy", [what]),
	"evidence": [app_policy_evidence(sprintf("no enabled %v restriction (policy isEnabled: %v)", [kind, get(app_policy, ["isEnabled"], false)]))],
}
