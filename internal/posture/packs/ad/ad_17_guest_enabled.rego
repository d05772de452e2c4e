# METADATA
# title: The Guest account is disabled
# description: "The built-in Guest account (RID 501) is disabled."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows/security/threat-protection/security-policy-settings/accounts-guest-account-status
# custom:
#   id: SG.AD.17
#   severity: high
#   level: MUST
#   rationale: "An enabled Guest account gives anyone an authenticated, if weak, foothold in the domain without a password."
#   remediation: "Disable the Guest account."
#   frameworks:
#     mitre_attack: [T1078.001]
#     sg365_ad: [AD17]
#   sources: [activeDirectory]
package sg365.ad.ad_17

import rego.v1

import data.sg365.lib.ad

ev contains ad.evidence(a, "Guest account enabled") if {
	some a in ad.users
	a.rid == 501
	a.enabled
}

result := ad.verdict([e | some e in ev], "the Guest account is enabled (%d)", "the Guest account is disabled")
