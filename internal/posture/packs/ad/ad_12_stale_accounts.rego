# METADATA
# title: No enabled account has been inactive for more than 180 days
# description: "Every enabled user and non-DC computer logged on, changed its password or was created in the last 180 days."
# related_resources:
#   - ref: https://attack.mitre.org/techniques/T1078/002/
#   - ref: https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/plan/security-best-practices/implementing-least-privilege-administrative-models
# custom:
#   id: SG.AD.12
#   severity: medium
#   level: MUST
#   rationale: "Dormant accounts belong to people and machines that left; nobody notices when they are used, so they are a quiet way in."
#   remediation: "Disable the listed accounts, move them to a quarantine OU and delete them after a retention period."
#   frameworks:
#     mitre_attack: [T1078.002]
#     sg365_ad: [AD12]
#   sources: [activeDirectory]
package sg365.ad.ad_12

import rego.v1

import data.sg365.lib.ad

max_idle_days := 180

ev contains ad.evidence(a, sprintf("last logon %s, password set %s, created %s", [ad.date(a.lastLogonTimestamp), ad.date(a.pwdLastSet), ad.date(a.whenCreated)])) if {
	some a in ad.accounts
	a.enabled
	not a.isDomainController
	ad.older_than(a.lastLogonTimestamp, max_idle_days)
	ad.older_than(a.pwdLastSet, max_idle_days)
	ad.older_than(a.whenCreated, max_idle_days)
}

result := ad.verdict([e | some e in ev], "%d enabled account(s) inactive for more than 180 days", "no enabled account is inactive")
