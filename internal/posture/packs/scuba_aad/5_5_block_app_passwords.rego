# METADATA
# title: Adding passwords to applications is blocked
# description: "The tenant's default app management policy is enabled and blocks password credentials for all applications."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/configure-app-management-policies
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/tenantappmanagementpolicy
# custom:
#   id: MS.AAD.5.5v1
#   severity: medium
#   level: SHOULD
#   rationale: "Client secrets end up in configuration files and scripts where they leak. Blocking them pushes application owners to certificates or managed identities."
#   remediation: "In Entra admin center > Enterprise apps > Application policies, turn On 'Block password addition' for all applications, leaving 'Only apply to apps created after' empty."
#   frameworks:
#     scuba: [MS.AAD.5.5v1]
#   sources: [defaultAppManagementPolicy]
package sg365.scuba_aad.ms_aad_5_5v1

import rego.v1

import data.sg365.lib.aad

result := {"status": "pass", "summary": "password credentials are blocked for all applications"} if {
	aad.password_addition_blocked
} else := {
	"status": "fail",
	"summary": "applications can still be given passwords",
	"evidence": [aad.app_policy_evidence("no enabled passwordAddition restriction applying to all applications")],
}
