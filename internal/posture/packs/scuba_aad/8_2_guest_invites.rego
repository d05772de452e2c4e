# METADATA
# title: Only Guest Inviters and admins can invite guests
# description: "Guest invitations are limited to administrators and users in the Guest Inviter role (or switched off)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/external-id/external-collaboration-settings-configure
# custom:
#   id: MS.AAD.8.2v1
#   severity: low
#   level: SHOULD
#   rationale: "When anyone can invite guests, accounts for outsiders appear without review. Limiting invitations to a designated group gives the organisation an approval step."
#   remediation: "In Entra admin center > External Identities > External collaboration settings, set Guest invite settings to 'Only users assigned to specific admin roles can invite guest users'."
#   frameworks:
#     scuba: [MS.AAD.8.2v1]
#     cis_m365: ["5.1.6.3"]
#   sources: [authorizationPolicy]
package sg365.scuba_aad.ms_aad_8_2v1

import rego.v1

import data.sg365.lib.aad
import data.sg365.lib.ca.get

from := get(aad.authz, ["allowInvitesFrom"], "everyone")

result := {"status": "pass", "summary": sprintf("guest invitations: %v", [from])} if {
	from in {"adminsAndGuestInviters", "none"}
} else := {
	"status": "fail",
	"summary": sprintf("guest invitations allowed from %v", [from]),
	"evidence": [aad.authz_evidence(sprintf("allowInvitesFrom is %v", [from]))],
}
