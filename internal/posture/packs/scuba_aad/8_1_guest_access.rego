# METADATA
# title: Guest access to directory objects is limited
# description: "Guests have limited access to directory objects, or only to their own (the guest user role is not that of members)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/external-id/external-collaboration-settings-configure
#   - ref: https://learn.microsoft.com/en-us/entra/fundamentals/users-default-permissions
# custom:
#   id: MS.AAD.8.1v1
#   severity: medium
#   level: SHOULD
#   rationale: "A guest with member-like read access can enumerate users, groups and their memberships, which helps an attacker plan phishing and privilege escalation."
#   remediation: "In Entra admin center > External Identities > External collaboration settings, set Guest user access to 'limited access' or 'restricted to their own directory objects'."
#   frameworks:
#     scuba: [MS.AAD.8.1v1]
#     cis_m365: ["5.1.6.2"]
#   sources: [authorizationPolicy]
package sg365.scuba_aad.ms_aad_8_1v1

import rego.v1

import data.sg365.lib.aad
import data.sg365.lib.ca.get

limited := {
	"10dae51f-b6af-4016-8d66-8c2a99b929b3": "limited access",
	"2af84b1e-32c8-42b7-82bc-daa82404023b": "restricted to own objects",
}

role := lower(get(aad.authz, ["guestUserRoleId"], ""))

result := {"status": "pass", "summary": sprintf("guest access is %v", [limited[role]])} if {
	limited[role]
} else := {
	"status": "fail",
	"summary": "guests have the same directory access as members",
	"evidence": [aad.authz_evidence(sprintf("guestUserRoleId is %v", [role]))],
}
