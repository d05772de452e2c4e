# METADATA
# title: No enabled user account carries a service principal name
# description: "Enabled user accounts (not computers, not krbtgt) have no servicePrincipalName, so no service ticket encrypted with a user password can be requested; privileged ones are named as such."
# related_resources:
#   - ref: https://attack.mitre.org/techniques/T1558/003/
#   - ref: https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/manage/group-managed-service-accounts/group-managed-service-accounts/group-managed-service-accounts-overview
# custom:
#   id: SG.AD.3
#   severity: high
#   level: MUST
#   rationale: "Any domain user can request a service ticket for an SPN and crack the account password offline (Kerberoasting); a human-chosen service password in a privileged group turns that into domain takeover."
#   remediation: "Move services to group managed service accounts (gMSA), remove SPNs that are not needed, take service accounts out of privileged groups, and give the rest passwords of 25+ random characters with AES-only encryption types."
#   frameworks:
#     mitre_attack: [T1558.003]
#     sg365_ad: [AD3]
#   sources: [activeDirectory]
package sg365.ad.ad_3

import rego.v1

import data.sg365.lib.ad

detail(a) := sprintf("SPN %s; password last set %s", [concat(", ", sort(a.servicePrincipalName)), ad.date(a.pwdLastSet)])

ev contains ad.evidence(a, ad.with_privileged(a, detail(a))) if {
	some a in ad.users
	a.enabled
	not ad.is_krbtgt(a)
	count(a.servicePrincipalName) > 0
}

result := ad.verdict([e | some e in ev], "%d enabled user(s) with an SPN can be Kerberoasted", "no enabled user account has a service principal name")
