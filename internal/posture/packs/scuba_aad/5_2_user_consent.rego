# METADATA
# title: User consent to applications is restricted
# description: "Users cannot consent to applications, or only to apps from verified publishers for low-risk permissions."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/configure-user-consent
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/authorizationpolicy
# custom:
#   id: MS.AAD.5.2v1
#   severity: high
#   level: MUST
#   rationale: "Consent phishing gets a user to grant a malicious app lasting access to their mail and files, which survives a password reset. Restricting consent forces an administrator to review such apps."
#   remediation: "In Entra admin center > Enterprise apps > Consent and permissions > User consent settings, choose 'Do not allow user consent', or 'Allow user consent for apps from verified publishers, for selected permissions' with a short list of low-risk permissions."
#   frameworks:
#     scuba: [MS.AAD.5.2v1]
#     cis_m365: ["5.1.5.1"]
#   sources: [authorizationPolicy]
package sg365.scuba_aad.ms_aad_5_2v1

import rego.v1

import data.sg365.lib.aad
import data.sg365.lib.ca.get

allowed := {"managepermissiongrantsforself.microsoft-user-default-low"}

self_consent := [id |
	some id in get(aad.authz, ["permissionGrantPolicyIdsAssignedToDefaultUserRole"], [])
	startswith(lower(id), "managepermissiongrantsforself.")
	not lower(id) in allowed
]

result := {"status": "pass", "summary": "user consent is off or limited to low-risk permissions from verified publishers"} if {
	count(self_consent) == 0
} else := {
	"status": "fail",
	"summary": "users can consent to applications beyond low-risk permissions from verified publishers",
	"evidence": [aad.authz_evidence(sprintf("default user role has consent policy %v", [concat(", ", self_consent)]))],
}
