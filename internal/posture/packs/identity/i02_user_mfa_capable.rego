# METADATA
# title: Every member user can complete MFA
# description: "Every non-administrator member user is MFA capable (userRegistrationDetails isMfaCapable); administrators are I1's, and guests register in their home tenant."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/userregistrationdetails
# custom:
#   id: I2
#   severity: medium
#   level: SHOULD
#   rationale: "A user who cannot complete MFA signs in with a password alone; password spraying finds such accounts first."
#   remediation: "Run an MFA registration campaign (Authentication methods > Registration campaign) and require MFA for all users with Conditional Access."
#   frameworks:
#     userguard: [I2]
#   sources: [userRegistrationDetails]
package sg365.identity.i2

import rego.v1

import data.sg365.lib.identity

members := [r | some r in identity.registration; lower(identity.get(r, ["userType"], "member")) == "member"; not identity.get(r, ["isAdmin"], false)]

findings contains identity.user_evidence(r.id, r.userPrincipalName, "no MFA-capable method") if {
	some r in members
	not identity.get(r, ["isMfaCapable"], false)
}

result := {"status": "pass", "summary": sprintf("all %d member users are MFA capable", [count(members)])} if {
	count(findings) == 0
} else := {
	"status": "fail",
	"summary": sprintf("%d of %d member users (%d%%) cannot complete MFA", [count(findings), count(members), round((100 * count(findings)) / max([count(members), 1]))]),
	"evidence": [e | some e in findings],
}
