# METADATA
# title: Device security recommendations are implemented
# description: "Every Device-category Secure Score control scores its maximum."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/securescore
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/securescorecontrolprofile
# custom:
#   id: D17
#   severity: medium
#   level: SHOULD
#   rationale: "Defender's device controls measure security configuration across all devices; a control below its maximum points at devices still missing it."
#   remediation: "Open the control in Secure Score (Defender portal), apply its recommendation to the exposed devices, or record a risk acceptance with the reason."
#   frameworks:
#     deviceguard: [D17]
#   sources: [secureScores, secureScoreControlProfiles]
package sg365.device.d17

import rego.v1

import data.sg365.lib.device

latest := input.data.secureScores[0]

profiles := {p.id: p | some p in input.data.secureScoreControlProfiles}

findings contains {"type": "secureScoreControl", "id": c.controlName, "displayName": device.get(profiles[c.controlName], ["title"], c.controlName), "detail": sprintf("%v of %v points", [c.score, max])} if {
	some c in latest.controlScores
	c.controlCategory == "Device"
	max := profiles[c.controlName].maxScore
	c.score < max
}

result := {"status": "pass", "summary": "no Secure Score was collected, so no device control is below its maximum"} if {
	count(input.data.secureScores) == 0
} else := device.verdict(findings, "every device control scores its maximum", "device Secure Score control(s) are below their maximum")
