# METADATA
# title: Privileged accounts are in Protected Users
# description: "Every enabled user in a privileged group is a member (directly or nested) of Protected Users."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows-server/security/credentials-protection-and-management/protected-users-security-group
# custom:
#   id: SG.AD.7
#   severity: medium
#   level: SHOULD
#   rationale: "Protected Users members get no NTLM, no DES or RC4 Kerberos keys, no delegation and no cached credentials, which removes the common ways admin credentials are stolen from workstations."
#   remediation: "Add administrators to Protected Users after checking that they do not need NTLM; keep one break-glass account and service accounts out."
#   frameworks:
#     mitre_attack: [T1003]
#     sg365_ad: [AD7]
#   sources: [activeDirectory]
package sg365.ad.ad_7

import rego.v1

import data.sg365.lib.ad

ev contains ad.evidence(a, ad.with_privileged(a, "not in Protected Users")) if {
	some a in ad.users
	a.enabled
	ad.is_privileged(a)
	not ad.protected_dns[a.distinguishedName]
}

result := ad.verdict([e | some e in ev], "%d privileged account(s) outside Protected Users", "every privileged account is in Protected Users")
