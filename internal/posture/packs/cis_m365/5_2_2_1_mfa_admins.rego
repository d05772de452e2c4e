# METADATA
# title: MFA is required for administrative roles
# description: "An enforced conditional access policy requires multifactor authentication of every administrative role (or of all users) for all resources and client apps."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-old-require-mfa-admin
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccesspolicy
# custom:
#   id: CIS.5.2.2.1
#   severity: critical
#   level: MUST
#   rationale: "Administrators are the accounts attackers look for first. A second factor stops the stolen or guessed password of an admin from being enough to sign in."
#   remediation: "Create or fix a conditional access policy that includes all users, or every administrative role listed in the evidence, targets all resources and client apps, grants access only with multifactor authentication, and is turned On. Exclude only emergency access accounts, and list them in the exclusions file."
#   frameworks:
#     cis_m365: ["5.2.2.1"]
#   sources: [conditionalAccessPolicies]
#   exclusions: ca
package sg365.cis_m365.cis_5_2_2_1

import rego.v1

import data.sg365.lib.cis

candidates := [p |
	some p in cis.policies
	cis.requires_mfa(p)
	not cis.other_purpose(p)
]

gaps := {cis.id_of(p): cis.coverage_gaps(p) | some p in candidates}

result := cis.verdict(candidates, gaps, "requires MFA for administrators")
