# METADATA
# title: LAPS manages local administrator passwords
# description: "The legacy or Windows LAPS schema is installed and every enabled non-DC computer has a LAPS password expiration time."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows-server/identity/laps/laps-overview
# custom:
#   id: SG.AD.14
#   severity: medium
#   level: MUST
#   rationale: "Without LAPS, local administrator passwords are usually the same on many machines, so one compromised workstation gives local admin on all of them."
#   remediation: "Deploy Windows LAPS (schema update with Update-LapsADSchema, then a policy backing passwords up to AD) and make sure every computer reports a password."
#   frameworks:
#     mitre_attack: [T1078.003]
#     sg365_ad: [AD14]
#   sources: [activeDirectory]
package sg365.ad.ad_14

import rego.v1

import data.sg365.lib.ad

installed if ad.domain.lapsLegacySchema

installed if ad.domain.lapsWindowsSchema

ev contains ad.domain_evidence("neither the ms-Mcs-AdmPwd nor the msLAPS-Password attribute is in the schema") if not installed

ev contains ad.evidence(c, "no LAPS password expiration time") if {
	installed
	some c in ad.computers
	c.enabled
	not c.isDomainController
	not c.lapsManaged
}

result := ad.verdict([e | some e in ev], "LAPS missing (%d finding(s))", "LAPS is installed and covers every computer")
