# METADATA
# title: Operator groups are empty and Domain Admins is small
# description: "Account, Server, Backup and Print Operators have no members, and Domain Admins has at most 10 accounts (transitive)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/plan/security-best-practices/appendix-b--privileged-accounts-and-groups-in-active-directory
# custom:
#   id: SG.AD.8
#   severity: medium
#   level: MUST
#   rationale: "Operator groups can log on to and control domain controllers, so each member is a path to domain takeover; every extra Domain Admin is another credential to steal."
#   remediation: "Empty the operator groups and delegate the specific tasks instead; reduce Domain Admins to the few people who administer the domain itself."
#   frameworks:
#     mitre_attack: [T1078.002]
#     sg365_ad: [AD8]
#   sources: [activeDirectory]
package sg365.ad.ad_8

import rego.v1

import data.sg365.lib.ad

operators := {"accountOperators", "serverOperators", "backupOperators", "printOperators"}

max_domain_admins := 10

ev contains ad.group_evidence(g, sprintf("%d member(s); operator groups should be empty", [count(g.members)])) if {
	some g in ad.groups
	operators[g.wellKnown]
	count(g.members) > 0
}

ev contains ad.group_evidence(g, sprintf("%d members; want at most %d", [count(g.members), max_domain_admins])) if {
	some g in ad.groups
	g.wellKnown == "domainAdmins"
	count(g.members) > max_domain_admins
}

result := ad.verdict([e | some e in ev], "%d privileged group(s) too large", "operator groups are empty and Domain Admins is small")
