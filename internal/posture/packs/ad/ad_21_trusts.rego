# METADATA
# title: Trusts filter SIDs and use current protocols
# description: "Every trust this domain trusts (outbound or two-way) outside the forest has SID filtering on (external trusts quarantined, forest trusts without SID history), and no trust is a downlevel (Windows NT 4 style) trust."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/e9a2d23c-c31e-4a6f-88a0-6646fdb51a3c
#   - ref: https://attack.mitre.org/techniques/T1134/005/
# custom:
#   id: SG.AD.21
#   severity: high
#   level: MUST
#   rationale: "Without SID filtering an administrator of the trusted domain can forge SID history with this domain's privileged SIDs and become Domain Admin here; downlevel trusts use NTLM and weak cryptography."
#   remediation: "Enable SID filtering (netdom trust /quarantine:yes for external trusts, /enablesidhistory:no for forest trusts) and replace downlevel trusts."
#   frameworks:
#     mitre_attack: [T1134.005]
#     sg365_ad: [AD21]
#   sources: [activeDirectory]
package sg365.ad.ad_21

import rego.v1

import data.sg365.lib.ad

quarantined := 4

forest_transitive := 8

within_forest := 32

treat_as_external := 64

trusting(t) if bits.and(t.trustDirection, 2) != 0

in_forest(t) if bits.and(t.trustAttributes, within_forest) != 0

issues(t) := array.concat(
	array.concat(
		["downlevel (Windows NT 4 style) trust" | t.trustType == 1],
		["SID filtering disabled (external trust not quarantined)" | no_quarantine(t)],
	),
	["SID history allowed across the forest trust (TREAT_AS_EXTERNAL)" | forest_sid_history(t)],
)

no_quarantine(t) if {
	trusting(t)
	not in_forest(t)
	bits.and(t.trustAttributes, forest_transitive) == 0
	bits.and(t.trustAttributes, quarantined) == 0
}

forest_sid_history(t) if {
	trusting(t)
	bits.and(t.trustAttributes, forest_transitive) != 0
	bits.and(t.trustAttributes, treat_as_external) != 0
}

ev contains {"type": "trust", "id": t.distinguishedName, "displayName": t.trustPartner, "detail": concat("; ", issues(t))} if {
	some t in ad.trusts
	count(issues(t)) > 0
}

result := ad.verdict([e | some e in ev], "%d trust(s) without SID filtering or with an old protocol", sprintf("%d trust(s), none weak", [count(ad.trusts)]))
