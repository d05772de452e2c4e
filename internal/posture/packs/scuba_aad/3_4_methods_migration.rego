# METADATA
# title: Authentication methods migration is complete
# description: "The authentication methods policy's migration state is 'migrationComplete', so legacy MFA and SSPR method settings no longer apply."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/authentication/how-to-authentication-methods-manage
# custom:
#   id: MS.AAD.3.4v1
#   severity: low
#   level: MUST
#   rationale: "Until the migration is complete, the legacy per-user MFA and SSPR pages still enable methods alongside the authentication methods policy, so a method disabled in one place can remain enabled in the other."
#   remediation: "Move any remaining settings from the legacy MFA and SSPR pages into the authentication methods policy, then set Authentication methods > Manage migration to Migration Complete."
#   frameworks:
#     scuba: [MS.AAD.3.4v1]
#   sources: [authenticationMethodsPolicy]
package sg365.scuba_aad.ms_aad_3_4v1

import rego.v1

import data.sg365.lib.ca.get

policy := input.data.authenticationMethodsPolicy

result := {"status": "error", "summary": "policyMigrationState was not collected", "reason": "source authenticationMethodsPolicy has no policyMigrationState"} if {
	get(policy, ["policyMigrationState"], null) == null
} else := {"status": "pass", "summary": "migration to the authentication methods policy is complete"} if {
	policy.policyMigrationState == "migrationComplete"
} else := {
	"status": "fail",
	"summary": sprintf("migration state is %v", [policy.policyMigrationState]),
	"evidence": [{"type": "authenticationMethodsPolicy", "id": get(policy, ["id"], "authenticationMethodsPolicy"), "displayName": get(policy, ["displayName"], "Authentication Methods Policy"), "detail": sprintf("policyMigrationState is %v", [policy.policyMigrationState])}],
}
