# METADATA
# title: The admin consent workflow is configured
# description: "Users can request admin consent for apps they cannot consent to, and at least one reviewer is assigned."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/configure-admin-consent-workflow
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/adminconsentrequestpolicy
# custom:
#   id: MS.AAD.5.3v1
#   severity: medium
#   level: MUST
#   rationale: "With user consent restricted, a request workflow gives users a sanctioned way to ask for an app, and gives administrators the chance to review its permissions first."
#   remediation: "In Entra admin center > Enterprise apps > Consent and permissions > Admin consent settings, set 'Users can request admin consent to apps they are unable to consent to' to Yes and add a reviewer group."
#   frameworks:
#     scuba: [MS.AAD.5.3v1]
#     cis_m365: ["5.1.5.2"]
#   sources: [adminConsentRequestPolicy]
package sg365.scuba_aad.ms_aad_5_3v1

import rego.v1

import data.sg365.lib.ca.get

policy := input.data.adminConsentRequestPolicy

ev(detail) := {"type": "adminConsentRequestPolicy", "id": "adminConsentRequestPolicy", "displayName": "Admin consent request policy", "detail": detail}

result := {"status": "pass", "summary": sprintf("admin consent requests are on with %d reviewer(s)", [count(policy.reviewers)])} if {
	get(policy, ["isEnabled"], false) == true
	count(get(policy, ["reviewers"], [])) > 0
} else := {"status": "fail", "summary": "admin consent requests are on but nobody reviews them", "evidence": [ev("no reviewers")]} if {
	get(policy, ["isEnabled"], false) == true
} else := {"status": "fail", "summary": "admin consent requests are off", "evidence": [ev("isEnabled is false")]}
