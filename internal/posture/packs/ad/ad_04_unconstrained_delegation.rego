# METADATA
# title: Only domain controllers are trusted for unconstrained delegation
# description: "No enabled account other than a domain controller has TRUSTED_FOR_DELEGATION (userAccountControl 0x80000)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/defender-for-identity/security-assessment-unconstrained-kerberos
#   - ref: https://learn.microsoft.com/en-us/windows-server/security/kerberos/kerberos-constrained-delegation-overview
# custom:
#   id: SG.AD.4
#   severity: critical
#   level: MUST
#   rationale: "A host with unconstrained delegation receives the forwardable TGT of everyone who authenticates to it; whoever controls the host can coerce a domain controller to connect and reuse its ticket to take over the domain."
#   remediation: "Replace unconstrained delegation with constrained or resource-based constrained delegation to the specific services needed, and mark privileged accounts \"sensitive and cannot be delegated\"."
#   frameworks:
#     mitre_attack: [T1558]
#     sg365_ad: [AD4]
#   sources: [activeDirectory]
package sg365.ad.ad_4

import rego.v1

import data.sg365.lib.ad

ev contains ad.evidence(a, "TRUSTED_FOR_DELEGATION (0x80000) on a non-DC account") if {
	some a in ad.accounts
	a.enabled
	not a.isDomainController
	ad.has_bit(a, ad.uac_trusted_for_delegation)
}

result := ad.verdict([e | some e in ev], "%d non-DC account(s) trusted for unconstrained delegation", "only domain controllers have unconstrained delegation")
