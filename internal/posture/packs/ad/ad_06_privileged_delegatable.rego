# METADATA
# title: Privileged accounts cannot be delegated
# description: "Every enabled user in a privileged group has NOT_DELEGATED (0x100000, \"account is sensitive and cannot be delegated\") or is in Protected Users."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/plan/security-best-practices/implementing-least-privilege-administrative-models
#   - ref: https://learn.microsoft.com/en-us/windows-server/security/credentials-protection-and-management/protected-users-security-group
# custom:
#   id: SG.AD.6
#   severity: high
#   level: MUST
#   rationale: "A delegatable admin who connects to a host with unconstrained or misconfigured delegation hands that host a ticket usable anywhere as the admin."
#   remediation: "Set \"Account is sensitive and cannot be delegated\" on every privileged account, or add it to Protected Users."
#   frameworks:
#     mitre_attack: [T1558]
#     sg365_ad: [AD6]
#   sources: [activeDirectory]
package sg365.ad.ad_6

import rego.v1

import data.sg365.lib.ad

ev contains ad.evidence(a, ad.with_privileged(a, "delegatable: NOT_DELEGATED not set and not in Protected Users")) if {
	some a in ad.users
	a.enabled
	ad.is_privileged(a)
	not ad.has_bit(a, ad.uac_not_delegated)
	not ad.protected_dns[a.distinguishedName]
}

result := ad.verdict([e | some e in ev], "%d privileged account(s) can be delegated", "no privileged account can be delegated")
