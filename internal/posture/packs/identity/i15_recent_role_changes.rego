# METADATA
# title: No unreviewed privileged role change in 30 days
# description: "No directory audit of category RoleManagement added a member to a role in the 30 days before collection."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/directoryaudit
# custom:
#   id: I15
#   severity: medium
#   level: SHOULD
#   rationale: "Attackers who gain admin rights add themselves or a backdoor account to a role; every recent role grant deserves a second look."
#   remediation: "Review each listed change with the person who made it; remove grants that were not requested and approved."
#   frameworks:
#     userguard: [I15]
#   sources: [roleManagementAudits]
package sg365.identity.i15

import rego.v1

import data.sg365.lib.identity

targets(a) := concat(", ", [identity.get(t, ["userPrincipalName"], identity.get(t, ["displayName"], t.id)) | some t in identity.get(a, ["targetResources"], [])])

findings contains {"type": "directoryAudit", "id": a.id, "displayName": a.activityDisplayName, "detail": sprintf("%v by %v on %v", [targets(a), identity.get(a, ["initiatedBy", "user", "userPrincipalName"], identity.get(a, ["initiatedBy", "app", "displayName"], "?")), a.activityDateTime])} if {
	some a in identity.data_of("roleManagementAudits")
	identity.get(a, ["category"], "RoleManagement") == "RoleManagement"
	startswith(lower(a.activityDisplayName), "add ")
	contains(lower(a.activityDisplayName), "member to role")
	identity.get(a, ["result"], "success") == "success"
	identity.days_since(a.activityDateTime) <= 30
}

result := identity.verdict(findings, "no role member was added in the last 30 days", "role membership addition(s) in the last 30 days")
