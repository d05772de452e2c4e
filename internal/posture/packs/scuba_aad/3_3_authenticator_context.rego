# METADATA
# title: Microsoft Authenticator shows sign-in context
# description: "If Microsoft Authenticator is enabled, its notifications show the application name and geographic location for all users, and its OTP codes are off."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/authentication/how-to-mfa-additional-context
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/microsoftauthenticatorauthenticationmethodconfiguration
# custom:
#   id: MS.AAD.3.3v2
#   severity: medium
#   level: MUST
#   rationale: "Showing which application and where a sign-in comes from lets a user spot a request they did not start, which defeats MFA fatigue and many relayed prompts."
#   remediation: "In Entra admin center > Authentication methods > Microsoft Authenticator > Configure: set 'Allow use of Microsoft Authenticator OTP' to No, and enable 'Show application name' and 'Show geographic location' for All users with no exclusions."
#   frameworks:
#     scuba: [MS.AAD.3.3v2]
#     cis_m365: ["5.2.3.1"]
#   sources: [authenticationMethodsPolicy]
#   optional_sources: [authenticationMethodConfigurations]
package sg365.scuba_aad.ms_aad_3_3v2

import rego.v1

import data.sg365.lib.aad
import data.sg365.lib.ca.get

none_id := "00000000-0000-0000-0000-000000000000"

feature_gaps(name, label) := set() if {
	f := aad.method_config("MicrosoftAuthenticator").featureSettings[name]
	f.state == "enabled"
	lower(get(f, ["includeTarget", "id"], "")) == "all_users"
	get(f, ["excludeTarget", "id"], none_id) in {none_id, ""}
} else := {sprintf("%v is not enabled for all users without exclusions", [label])}

gaps := (feature_gaps("displayAppInformationRequiredState", "application name") | feature_gaps("displayLocationInformationRequiredState", "geographic location")) | {"Authenticator OTP codes are allowed" |
	aad.method_config("MicrosoftAuthenticator").isSoftwareOathEnabled == true
}

result := aad.missing_configs if {
	not aad.method_configs
} else := {"status": "na", "summary": "Microsoft Authenticator is disabled", "reason": "not applicable: Microsoft Authenticator is not enabled"} if {
	get(aad.method_config("MicrosoftAuthenticator"), ["state"], "disabled") != "enabled"
} else := {"status": "na", "summary": "Microsoft Authenticator is disabled", "reason": "not applicable: Microsoft Authenticator is not configured"} if {
	not aad.method_config("MicrosoftAuthenticator")
} else := {"status": "pass", "summary": "Authenticator shows application name and location to all users"} if {
	count(gaps) == 0
} else := {
	"status": "fail",
	"summary": "Microsoft Authenticator does not show full sign-in context",
	"evidence": [{"type": "authenticationMethodConfiguration", "id": "MicrosoftAuthenticator", "displayName": "Microsoft Authenticator", "detail": concat("; ", sort(gaps))}],
}
