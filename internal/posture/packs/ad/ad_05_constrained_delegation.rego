# METADATA
# title: Constrained, protocol-transition and resource-based delegation are reviewed
# description: "No enabled account has msDS-AllowedToDelegateTo, TRUSTED_TO_AUTH_FOR_DELEGATION (0x1000000, protocol transition) or msDS-AllowedToActOnBehalfOfOtherIdentity (resource-based constrained delegation)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows-server/security/kerberos/kerberos-constrained-delegation-overview
#   - ref: https://attack.mitre.org/techniques/T1558/
# custom:
#   id: SG.AD.5
#   severity: medium
#   level: MUST
#   rationale: "Delegation lets one account impersonate any user to another service; with protocol transition it needs no user at all, and a writable resource-based delegation is a common path from one computer to another."
#   remediation: "Review each delegation: remove what is not needed, prefer Kerberos-only constrained delegation over protocol transition, and make sure no delegation points at a domain controller service."
#   frameworks:
#     mitre_attack: [T1558]
#     sg365_ad: [AD5]
#   sources: [activeDirectory]
package sg365.ad.ad_5

import rego.v1

import data.sg365.lib.ad

issues(a) := array.concat(
	array.concat(
		[sprintf("constrained delegation to %s", [concat(", ", sort(a["msDS-AllowedToDelegateTo"]))]) | count(a["msDS-AllowedToDelegateTo"]) > 0],
		["protocol transition (TRUSTED_TO_AUTH_FOR_DELEGATION)" | ad.has_bit(a, ad.uac_trusted_to_auth)],
	),
	[sprintf("resource-based delegation allows %s", [concat(", ", sort([principal(p) | some p in a.allowedToActOnBehalfOf]))]) | count(a.allowedToActOnBehalfOf) > 0],
)

principal(p) := p.sAMAccountName if p.sAMAccountName != ""

else := p.sid

ev contains ad.evidence(a, concat("; ", issues(a))) if {
	some a in ad.accounts
	a.enabled
	count(issues(a)) > 0
}

result := ad.verdict([e | some e in ev], "%d account(s) with constrained or resource-based delegation", "no account has constrained or resource-based delegation")
