# METADATA
# title: Only administrators can register applications
# description: "The authorization policy does not let ordinary users create app registrations."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/delegate-app-roles
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/authorizationpolicy
# custom:
#   id: MS.AAD.5.1v1
#   severity: medium
#   level: MUST
#   rationale: "An application registered by any user can be given credentials and permissions that bypass user-focused controls such as MFA. Limiting registration to administrators keeps that power with people who are accountable for it."
#   remediation: "In Entra admin center > Users > User settings, set 'Users can register applications' to No."
#   frameworks:
#     scuba: [MS.AAD.5.1v1]
#     cis_m365: ["5.1.2.2"]
#   sources: [authorizationPolicy]
package sg365.scuba_aad.ms_aad_5_1v1

import rego.v1

import data.sg365.lib.aad
import data.sg365.lib.ca.get

result := {"status": "pass", "summary": "users cannot register applications"} if {
	get(aad.authz, ["defaultUserRolePermissions", "allowedToCreateApps"], true) == false
} else := {
	"status": "fail",
	"summary": "all users can register applications",
	"evidence": [aad.authz_evidence("defaultUserRolePermissions.allowedToCreateApps is not false")],
}
