# METADATA
# title: No enabled user account skips Kerberos pre-authentication
# description: "No enabled user has DONT_REQ_PREAUTH (userAccountControl 0x400000) set."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/troubleshoot/windows-server/active-directory/useraccountcontrol-manipulate-account-properties
#   - ref: https://attack.mitre.org/techniques/T1558/004/
# custom:
#   id: SG.AD.2
#   severity: high
#   level: MUST
#   rationale: "Without pre-authentication anyone on the network can request an AS-REP for the account and crack its password offline (AS-REP roasting), without knowing any password."
#   remediation: "Clear \"Do not require Kerberos preauthentication\" on each listed account; if an old application needs it, give that account a long random password and plan its replacement."
#   frameworks:
#     mitre_attack: [T1558.004]
#     sg365_ad: [AD2]
#   sources: [activeDirectory]
package sg365.ad.ad_2

import rego.v1

import data.sg365.lib.ad

ev contains ad.evidence(a, ad.with_privileged(a, "DONT_REQ_PREAUTH (0x400000) set")) if {
	some a in ad.users
	a.enabled
	ad.has_bit(a, ad.uac_dont_req_preauth)
}

result := ad.verdict([e | some e in ev], "%d enabled user(s) can be AS-REP roasted", "every enabled user requires Kerberos pre-authentication")
