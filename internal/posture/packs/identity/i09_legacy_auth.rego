# METADATA
# title: No legacy authentication sign-ins
# description: "No sign-in in the collected window used a legacy client (IMAP, POP, SMTP AUTH, Exchange ActiveSync, other clients)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-block-legacy-authentication
# custom:
#   id: I9
#   severity: high
#   level: MUST
#   rationale: "Legacy protocols cannot do MFA, so a sprayed or leaked password signs in through them even where MFA is required."
#   remediation: "Block legacy authentication with Conditional Access and move the listed users' clients to modern authentication."
#   frameworks:
#     userguard: [I9]
#   sources: [signInSummary]
package sg365.identity.i9

import rego.v1

import data.sg365.lib.identity

findings contains identity.user_evidence(u.userId, u.userPrincipalName, sprintf("legacy clients: %v", [concat(", ", sort([sprintf("%v x%d", [c, n]) | some c, n in u.legacyClients]))])) if {
	some u in identity.get(input.data, ["signInSummary", "users"], [])
	count(identity.get(u, ["legacyClients"], {})) > 0
}

result := identity.verdict(findings, "no legacy authentication sign-ins", "user(s) signed in with legacy authentication")
