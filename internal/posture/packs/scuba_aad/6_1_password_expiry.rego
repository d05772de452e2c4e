# METADATA
# title: User passwords do not expire
# description: "No verified root domain sets a finite password validity period."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/microsoft-365/admin/manage/set-password-expiration-policy
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/domain
# custom:
#   id: MS.AAD.6.1v1
#   severity: low
#   level: MUST
#   rationale: "Forced periodic changes make people pick predictable passwords and do not stop an attacker who already has one. Current NIST and Microsoft guidance is to not expire passwords and to rely on MFA and banned-password checks."
#   remediation: "In Microsoft 365 admin center > Settings > Org settings > Security & privacy > Password expiration policy, select 'Set passwords to never expire'; domains set explicitly need passwordValidityPeriodInDays 2147483647."
#   frameworks:
#     scuba: [MS.AAD.6.1v1]
#     cis_m365: ["1.3.1"]
#   sources: [domains]
package sg365.scuba_aad.ms_aad_6_1v1

import rego.v1

import data.sg365.lib.ca.get

never := 2147483647

expiring := [{"type": "domain", "id": d.id, "displayName": d.id, "detail": sprintf("passwords expire after %v days", [d.passwordValidityPeriodInDays])} |
	some d in input.data.domains
	get(d, ["isRoot"], false) == true
	get(d, ["isVerified"], false) == true
	get(d, ["passwordValidityPeriodInDays"], never) != never
]

result := {"status": "pass", "summary": "passwords never expire on any verified root domain"} if {
	count(expiring) == 0
} else := {"status": "fail", "summary": sprintf("%d domain(s) expire passwords", [count(expiring)]), "evidence": expiring}
