# METADATA
# title: Conditional Access applies to sign-ins
# description: "At most 5% of sign-ins in the collected window had no Conditional Access policy applied (conditionalAccessStatus notApplied)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/signin
# custom:
#   id: I10
#   severity: medium
#   level: SHOULD
#   rationale: "A sign-in no policy applies to gets no MFA, device or risk check at all."
#   remediation: "Review the users and apps listed and extend Conditional Access to all users and all cloud apps, excluding only emergency access accounts."
#   frameworks:
#     userguard: [I10]
#   sources: [signInSummary]
package sg365.identity.i10

import rego.v1

import data.sg365.lib.identity

summary := identity.get(input.data, ["signInSummary"], {})

total := identity.get(summary, ["total"], 0)

not_applied := identity.get(summary, ["byConditionalAccessStatus", "notApplied"], 0)

findings contains identity.user_evidence(u.userId, u.userPrincipalName, sprintf("%d sign-in(s) without Conditional Access", [u.conditionalAccessNotApplied])) if {
	some u in identity.get(summary, ["users"], [])
	identity.get(u, ["conditionalAccessNotApplied"], 0) > 0
}

result := {"status": "pass", "summary": sprintf("%d of %d sign-ins had no Conditional Access applied", [not_applied, total])} if {
	100 * not_applied <= 5 * total
} else := {
	"status": "fail",
	"summary": sprintf("%d of %d sign-ins (%d%%) had no Conditional Access applied", [not_applied, total, round((100 * not_applied) / total)]),
	"evidence": [e | some e in findings],
}
