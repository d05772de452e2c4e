# METADATA
# title: Administrators with MFA use a phishing-resistant method
# description: "Every administrator who has MFA registered has a phishing-resistant method (FIDO2, Windows Hello for Business, passkey or certificate); administrators without any MFA are I1's."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/authentication/concept-authentication-strengths
# custom:
#   id: I3
#   severity: high
#   level: SHOULD
#   rationale: "Push notifications, codes and phone calls can be relayed by adversary-in-the-middle phishing kits; FIDO2 and Windows Hello bind the sign-in to the real site."
#   remediation: "Register a FIDO2 security key or Windows Hello for Business for each listed administrator and require the phishing-resistant authentication strength for admin roles."
#   frameworks:
#     userguard: [I3]
#   sources: [userRegistrationDetails]
package sg365.identity.i3

import rego.v1

import data.sg365.lib.identity

findings contains identity.user_evidence(r.id, r.userPrincipalName, sprintf("methods: %v", [concat(", ", sort(identity.get(r, ["methodsRegistered"], [])))])) if {
	some r in identity.admins
	identity.get(r, ["isMfaRegistered"], false)
	count({m | some m in identity.get(r, ["methodsRegistered"], []); m in identity.phishing_resistant}) == 0
}

result := identity.verdict(findings, "every administrator with MFA has a phishing-resistant method", "administrator(s) have only phishable MFA methods")
