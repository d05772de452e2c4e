# METADATA
# title: Non-administrators cannot create tenants
# description: "The default user role may not create new Entra ID tenants (authorizationPolicy defaultUserRolePermissions.allowedToCreateTenants is false)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/fundamentals/users-default-permissions
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/defaultuserrolepermissions
# custom:
#   id: CIS.5.1.2.3
#   severity: medium
#   level: MUST
#   rationale: "A user who creates a tenant becomes its Global Administrator. Such tenants sit outside the organisation's policies, logging and licensing, and can be used to stage phishing apps or move data beyond the reach of its controls."
#   remediation: "In Entra admin center > Identity > Users > User settings, set 'Restrict non-admin users from creating tenants' to Yes (Graph: PATCH /policies/authorizationPolicy with defaultUserRolePermissions.allowedToCreateTenants = false). Grant the Tenant Creator role to the few people who need it."
#   frameworks:
#     cis_m365: ["5.1.2.3"]
#   sources: [authorizationPolicy]
package sg365.cis_m365.cis_5_1_2_3

import rego.v1

import data.sg365.lib.cis

setting := object.get(cis.authz, ["defaultUserRolePermissions", "allowedToCreateTenants"], null)

result := {
	"status": "error",
	"summary": "the authorization policy has no tenant creation setting",
	"reason": "authorizationPolicy lacks defaultUserRolePermissions.allowedToCreateTenants (was it left out of $select?)",
} if {
	setting == null
} else := {"status": "pass", "summary": "only administrators and Tenant Creators can create tenants"} if {
	setting == false
} else := {
	"status": "fail",
	"summary": "every user can create new tenants",
	"evidence": [cis.authz_evidence(sprintf("defaultUserRolePermissions.allowedToCreateTenants is %v", [setting]))],
}
