# METADATA
# title: No account keeps adminCount after leaving the privileged groups
# description: "No user has adminCount=1 unless it is (transitively) in a privileged group; krbtgt is exempt."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/plan/security-best-practices/appendix-c--protected-accounts-and-groups-in-active-directory
# custom:
#   id: SG.AD.10
#   severity: low
#   level: SHOULD
#   rationale: "SDProp stamps protected accounts with adminCount=1 and a hardened ACL without inheritance; when they leave the groups the stamp stays, so delegated permissions no longer apply and the account looks privileged in audits."
#   remediation: "For each listed account, clear adminCount and re-enable ACL inheritance (dsacls /resetDefaultDACL or the Security tab)."
#   frameworks:
#     sg365_ad: [AD10]
#   sources: [activeDirectory]
package sg365.ad.ad_10

import rego.v1

import data.sg365.lib.ad

ev contains ad.evidence(a, "adminCount=1 but not in a privileged group") if {
	some a in ad.users
	a.adminCount == 1
	not ad.is_krbtgt(a)
	not ad.is_privileged(a)
}

result := ad.verdict([e | some e in ev], "%d account(s) with a stale adminCount", "adminCount matches privileged group membership")
