# METADATA
# title: The password and lockout policies resist guessing
# description: "The domain policy and every fine-grained policy require at least 12 characters, lock accounts after failed attempts, remember at least 12 passwords and do not store passwords with reversible encryption."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows/security/threat-protection/security-policy-settings/password-policy
#   - ref: https://learn.microsoft.com/en-us/windows/security/threat-protection/security-policy-settings/account-lockout-threshold
# custom:
#   id: SG.AD.15
#   severity: medium
#   level: MUST
#   rationale: "Short passwords and unlimited attempts make password spraying and brute force practical; reversible encryption keeps passwords recoverable from the directory."
#   remediation: "Set minPwdLength to 12 or more (14 with the default GPO), a lockout threshold (for example 10 attempts), password history of 12 or more and no reversible encryption, in the Default Domain Policy and in each fine-grained policy."
#   frameworks:
#     mitre_attack: [T1110]
#     sg365_ad: [AD15]
#   sources: [activeDirectory]
package sg365.ad.ad_15

import rego.v1

import data.sg365.lib.ad

min_length := 12

min_history := 12

weak(p) := array.concat(
	array.concat(
		[sprintf("minimum length %d < %d", [p.minPwdLength, min_length]) | p.minPwdLength < min_length],
		["no account lockout" | p.lockoutThreshold == 0],
	),
	array.concat(
		[sprintf("password history %d < %d", [p.pwdHistoryLength, min_history]) | p.pwdHistoryLength < min_history],
		["reversible encryption" | p.reversible],
	),
)

domain_policy := {
	"minPwdLength": object.get(ad.domain, "minPwdLength", 0),
	"lockoutThreshold": object.get(ad.domain, "lockoutThreshold", 0),
	"pwdHistoryLength": object.get(ad.domain, "pwdHistoryLength", 0),
	"reversible": bits.and(object.get(ad.domain, "pwdProperties", 0), 16) != 0,
}

ev contains ad.domain_evidence(concat("; ", weak(domain_policy))) if count(weak(domain_policy)) > 0

ev contains {"type": "passwordPolicy", "id": p.distinguishedName, "displayName": p.name, "detail": concat("; ", weak(q))} if {
	some p in object.get(ad.ad, "fineGrainedPasswordPolicies", [])
	q := object.union(p, {"reversible": p.reversibleEncryption})
	count(weak(q)) > 0
}

result := ad.verdict([e | some e in ev], "%d weak password polic(ies)", "password and lockout policies are strong")
