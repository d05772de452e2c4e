# METADATA
# title: Secure Score identity controls are at their maximum
# description: "Every Identity-category control of the latest Secure Score scores its profile's maxScore."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/securescore
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/securescorecontrolprofile
# custom:
#   id: I12
#   severity: medium
#   level: SHOULD
#   rationale: "Microsoft scores these controls (admin MFA, MFA registration, legacy authentication, risk policies) because each closes a common account takeover path."
#   remediation: "Open each control's action URL in the Secure Score page and implement it, or mark it resolved through a third party or accepted risk there."
#   frameworks:
#     userguard: [I12]
#   sources: [secureScores, secureScoreControlProfiles]
package sg365.identity.i12

import rego.v1

import data.sg365.lib.identity

profiles := {p.id: p | some p in identity.data_of("secureScoreControlProfiles")}

latest := identity.data_of("secureScores")[0]

findings contains {"type": "secureScoreControl", "id": c.controlName, "displayName": identity.get(profiles, [c.controlName, "title"], c.controlName), "detail": sprintf("%v of %v points", [c.score, profiles[c.controlName].maxScore])} if {
	some c in identity.get(latest, ["controlScores"], [])
	lower(identity.get(c, ["controlCategory"], "")) == "identity"
	profiles[c.controlName]
	c.score < profiles[c.controlName].maxScore
}

result := {"status": "pass", "summary": "no Secure Score available"} if {
	count(identity.data_of("secureScores")) == 0
} else := identity.verdict(findings, "every Identity control of Secure Score is at its maximum", "Identity control(s) of Secure Score are below their maximum")
