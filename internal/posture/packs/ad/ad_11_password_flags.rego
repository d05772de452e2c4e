# METADATA
# title: No enabled account has weak password flags
# description: "No enabled account has PASSWD_NOTREQD (0x20), ENCRYPTED_TEXT_PWD_ALLOWED (0x80) or USE_DES_KEY_ONLY (0x200000), and no enabled user has DONT_EXPIRE_PASSWORD (0x10000)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/troubleshoot/windows-server/active-directory/useraccountcontrol-manipulate-account-properties
# custom:
#   id: SG.AD.11
#   severity: medium
#   level: MUST
#   rationale: "An account that needs no password may have an empty one, reversible encryption stores the password recoverably, DES keys are broken, and passwords that never expire stay valid long after they leak."
#   remediation: "Clear the flags; for service accounts that need a non-expiring password, move them to group managed service accounts."
#   frameworks:
#     mitre_attack: [T1110]
#     sg365_ad: [AD11]
#   sources: [activeDirectory]
package sg365.ad.ad_11

import rego.v1

import data.sg365.lib.ad

flags(a) := array.concat(
	array.concat(
		["PASSWD_NOTREQD" | ad.has_bit(a, ad.uac_passwd_notreqd)],
		["ENCRYPTED_TEXT_PWD_ALLOWED" | ad.has_bit(a, ad.uac_encrypted_text_pwd)],
	),
	array.concat(
		["USE_DES_KEY_ONLY" | ad.has_bit(a, ad.uac_use_des_key_only)],
		["DONT_EXPIRE_PASSWORD" | ad.has_bit(a, ad.uac_dont_expire); ad.kind(a) == "user"],
	),
)

ev contains ad.evidence(a, concat(", ", flags(a))) if {
	some a in ad.accounts
	a.enabled
	count(flags(a)) > 0
}

result := ad.verdict([e | some e in ev], "%d enabled account(s) with weak password flags", "no enabled account has weak password flags")
