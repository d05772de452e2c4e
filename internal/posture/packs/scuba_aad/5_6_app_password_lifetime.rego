# METADATA
# title: Application password lifetime is at most 180 days
# description: "If passwords are allowed on applications, the default app management policy limits their lifetime to 180 days or less."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/configure-app-management-policies
# custom:
#   id: MS.AAD.5.6v1
#   severity: low
#   level: SHOULD
#   rationale: "A long-lived secret stays useful to whoever steals it. A short maximum lifetime forces rotation and limits the damage of a leak."
#   remediation: "In Entra admin center > Enterprise apps > Application policies, turn On 'Restrict max password lifetime' for all applications with 181 days (Entra compares with 'less than')."
#   frameworks:
#     scuba: [MS.AAD.5.6v1]
#   sources: [defaultAppManagementPolicy]
package sg365.scuba_aad.ms_aad_5_6v1

import rego.v1

import data.sg365.lib.aad

result := {"status": "pass", "summary": "password credentials are blocked, so their lifetime does not matter"} if {
	aad.password_addition_blocked
} else := aad.lifetime_result("passwordCredentials", "passwordLifetime", 181, "application password")
