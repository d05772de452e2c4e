# METADATA
# title: SMS, voice call and email OTP are disabled
# description: "The SMS, Voice and Email authentication method configurations are disabled."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/authentication/concept-authentication-methods
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/authenticationmethodspolicy
# custom:
#   id: MS.AAD.3.5v2
#   severity: medium
#   level: MUST
#   rationale: "Codes sent by SMS, voice call or email can be intercepted through SIM swaps, phone network attacks or a compromised mailbox, and are easily phished. Disabling them pushes users to stronger methods."
#   remediation: "In Entra admin center > Authentication methods > Policies, set SMS, Voice call and Email OTP to Enabled: No, after users have registered a stronger method."
#   frameworks:
#     scuba: [MS.AAD.3.5v2]
#     cis_m365: ["5.2.3.5"]
#   sources: [authenticationMethodsPolicy]
#   optional_sources: [authenticationMethodConfigurations]
package sg365.scuba_aad.ms_aad_3_5v2

import rego.v1

import data.sg365.lib.aad
import data.sg365.lib.ca.get

weak := {"sms": "SMS", "voice": "Voice call", "email": "Email OTP"}

enabled := [{"type": "authenticationMethodConfiguration", "id": c.id, "displayName": weak[lower(c.id)], "detail": "enabled"} |
	some c in aad.method_configs
	weak[lower(c.id)]
	get(c, ["state"], "disabled") == "enabled"
]

result := aad.missing_configs if {
	not aad.method_configs
} else := {"status": "pass", "summary": "SMS, voice call and email OTP are disabled"} if {
	count(enabled) == 0
} else := {
	"status": "fail",
	"summary": sprintf("%d weak method(s) enabled", [count(enabled)]),
	"evidence": enabled,
}
