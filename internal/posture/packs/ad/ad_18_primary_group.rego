# METADATA
# title: Accounts have their default primary group
# description: "Enabled users have primary group Domain Users (513, Domain Guests 514 for Guest), computers Domain Computers (515) and domain controllers 516 or 521."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows/win32/adschema/a-primarygroupid
# custom:
#   id: SG.AD.18
#   severity: low
#   level: MUST
#   rationale: "Membership through primaryGroupID does not show in the group's member attribute, so a changed primary group hides membership, a known way to conceal privileged access."
#   remediation: "Set the primary group back to the default and add any group needed through normal membership."
#   frameworks:
#     mitre_attack: [T1098]
#     sg365_ad: [AD18]
#   sources: [activeDirectory]
package sg365.ad.ad_18

import rego.v1

import data.sg365.lib.ad

expected(a) := {516, 521} if {
	a.isDomainController
} else := {515} if {
	ad.kind(a) == "computer"
} else := {513, 514} if {
	a.rid == 501
} else := {513}

ev contains ad.evidence(a, sprintf("primaryGroupID %d", [a.primaryGroupID])) if {
	some a in ad.accounts
	a.enabled
	not expected(a)[a.primaryGroupID]
}

result := ad.verdict([e | some e in ev], "%d account(s) with a non-default primary group", "every enabled account has its default primary group")
