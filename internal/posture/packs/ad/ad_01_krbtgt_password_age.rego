# METADATA
# title: The krbtgt password was changed in the last 180 days
# description: "The password of the krbtgt account (and of read-only DC krbtgt_* accounts), which signs every Kerberos ticket, is at most 180 days old."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/manage/ad-forest-recovery-resetting-the-krbtgt-password
#   - ref: https://attack.mitre.org/techniques/T1558/001/
# custom:
#   id: SG.AD.1
#   severity: high
#   level: MUST
#   rationale: "Anyone who once obtained the krbtgt key (a DCSync, a stolen DC backup) can forge golden tickets for any account until the key changes twice; a key that never changes keeps a past compromise alive indefinitely."
#   remediation: "Reset the krbtgt password twice, waiting for replication and the maximum ticket lifetime (10 hours by default) between the two resets, and repeat at least every 180 days."
#   frameworks:
#     mitre_attack: [T1558.001]
#     sg365_ad: [AD1]
#   sources: [activeDirectory]
package sg365.ad.ad_1

import rego.v1

import data.sg365.lib.ad

krbtgt := [a | some a in ad.users; ad.is_krbtgt(a)]

max_age := 180

ev contains ad.evidence(a, sprintf("password last set %s (%d days ago)", [ad.date(a.pwdLastSet), ad.age_days(a.pwdLastSet)])) if {
	some a in krbtgt
	a.pwdLastSet != null
	ad.age_days(a.pwdLastSet) > max_age
}

ev contains ad.evidence(a, "password never set") if {
	some a in krbtgt
	a.pwdLastSet == null
}

result := {"status": "error", "summary": "no krbtgt account was collected; result unknown"} if {
	count(krbtgt) == 0
} else := ad.verdict([e | some e in ev], "%d krbtgt account(s) with a password older than 180 days", "the krbtgt password is at most 180 days old")
