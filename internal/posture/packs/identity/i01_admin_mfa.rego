# METADATA
# title: Every administrator has registered MFA
# description: "No user who holds an administrative role lacks a multifactor authentication registration (userRegistrationDetails isAdmin and not isMfaRegistered)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/userregistrationdetails
# custom:
#   id: I1
#   severity: critical
#   level: MUST
#   rationale: "An administrator who signs in with a password alone can be taken over by one phished or sprayed password, and with it the tenant."
#   remediation: "Have each listed administrator register a phishing-resistant method (FIDO2 key or Windows Hello), and require MFA for administrative roles with Conditional Access."
#   frameworks:
#     userguard: [I1]
#   sources: [userRegistrationDetails]
package sg365.identity.i1

import rego.v1

import data.sg365.lib.identity

findings contains identity.user_evidence(r.id, r.userPrincipalName, "administrator without a registered MFA method") if {
	some r in identity.admins
	not identity.get(r, ["isMfaRegistered"], false)
}

result := identity.verdict(findings, "every administrator has MFA registered", "administrator(s) have no MFA method registered")
