# METADATA
# title: Privileged accounts are in use and change their password
# description: "No enabled privileged user has a password older than 3 years, and none has been inactive (no logon, password change or creation) for more than 180 days."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/plan/security-best-practices/implementing-least-privilege-administrative-models
#   - ref: https://attack.mitre.org/techniques/T1078/002/
# custom:
#   id: SG.AD.9
#   severity: medium
#   level: MUST
#   rationale: "Old admin passwords have had years to leak or be cracked, and dormant admin accounts are rarely watched, so their use by an attacker goes unnoticed."
#   remediation: "Disable or remove privileged accounts nobody uses; change the passwords of the others and enforce rotation or use smart cards."
#   frameworks:
#     mitre_attack: [T1078.002]
#     sg365_ad: [AD9]
#   sources: [activeDirectory]
package sg365.ad.ad_9

import rego.v1

import data.sg365.lib.ad

max_pwd_days := 1095

max_idle_days := 180

issues(a) := array.concat(
	[sprintf("password last set %s", [ad.date(a.pwdLastSet)]) | ad.older_than(a.pwdLastSet, max_pwd_days)],
	[sprintf("inactive: last logon %s", [ad.date(a.lastLogonTimestamp)]) | inactive(a)],
)

inactive(a) if {
	ad.older_than(a.lastLogonTimestamp, max_idle_days)
	ad.older_than(a.pwdLastSet, max_idle_days)
	ad.older_than(a.whenCreated, max_idle_days)
}

ev contains ad.evidence(a, ad.with_privileged(a, concat("; ", issues(a)))) if {
	some a in ad.users
	a.enabled
	ad.is_privileged(a)
	count(issues(a)) > 0
}

result := ad.verdict([e | some e in ev], "%d privileged account(s) with an old password or inactive", "privileged accounts are active and their passwords are recent")
