# METADATA
# title: No account carries SID history
# description: "No user or computer has sIDHistory values."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/defender-for-identity/security-assessment-unsecure-sid-history-attribute
#   - ref: https://attack.mitre.org/techniques/T1134/005/
# custom:
#   id: SG.AD.13
#   severity: high
#   level: MUST
#   rationale: "SID history grants the rights of another account; left over from migrations it is unnecessary, and planted with a privileged SID it is a persistent, hard-to-spot backdoor."
#   remediation: "After migrations complete, remove sIDHistory from the listed accounts; investigate any entry with a SID of this domain or a well-known privileged RID."
#   frameworks:
#     mitre_attack: [T1134.005]
#     sg365_ad: [AD13]
#   sources: [activeDirectory]
package sg365.ad.ad_13

import rego.v1

import data.sg365.lib.ad

note(sid) := "SID of this domain" if {
	ad.domain_sid != ""
	startswith(sid, concat("", [ad.domain_sid, "-"]))
} else := "privileged well-known RID" if {
	parts := split(sid, "-")
	to_number(parts[count(parts) - 1]) < 1000
} else := "foreign SID"

ev contains ad.evidence(a, sprintf("sIDHistory %s", [concat(", ", sort([sprintf("%s (%s)", [s, note(s)]) | some s in a.sIDHistory]))])) if {
	some a in ad.accounts
	count(a.sIDHistory) > 0
}

result := ad.verdict([e | some e in ev], "%d account(s) with SID history", "no account has SID history")
