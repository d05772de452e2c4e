# METADATA
# title: No enabled account is stale
# description: "No enabled user has gone 90 days without a successful sign-in (signInActivity; accounts that never signed in count from their creation)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/signinactivity
#   - ref: https://learn.microsoft.com/en-us/entra/identity/monitoring-health/howto-manage-inactive-user-accounts
# custom:
#   id: I11
#   severity: medium
#   level: MUST
#   rationale: "Nobody notices when a dormant account is taken over, and former staff, contractors and guests keep access they no longer need."
#   remediation: "Confirm with the owner or sponsor, then disable (sg365 respond user disable UPN) or delete the account; review guests with access reviews."
#   frameworks:
#     userguard: [I11]
#   sources: [users]
package sg365.identity.i11

import rego.v1

import data.sg365.lib.identity

last(u) := ts if {
	ts := identity.get(u, ["signInActivity", "lastSuccessfulSignInDateTime"], identity.get(u, ["signInActivity", "lastSignInDateTime"], ""))
	ts != ""
} else := identity.get(u, ["createdDateTime"], "")

findings contains identity.user_evidence(u.id, identity.get(u, ["userPrincipalName"], u.id), sprintf("%v, last successful sign-in %d days ago", [identity.get(u, ["userType"], "Member"), identity.days_since(last(u))])) if {
	some u in identity.data_of("users")
	identity.get(u, ["accountEnabled"], true)
	last(u) != ""
	identity.days_since(last(u)) > 90
}

result := identity.verdict(findings, "every enabled account signed in within 90 days", "enabled account(s) have not signed in for over 90 days")
