# METADATA
# title: Medium and high risk sign-ins are blocked
# description: "An enforced conditional access policy for all users, all resources and all client apps blocks sign-ins whose risk is medium or high, whatever the user risk."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/id-protection/concept-identity-protection-policies
#   - ref: https://learn.microsoft.com/en-us/entra/id-protection/howto-identity-protection-configure-risk-policies
# custom:
#   id: CIS.5.2.2.8
#   severity: high
#   level: SHOULD
#   rationale: "Identity Protection rates a sign-in medium or high risk when it looks like token replay, an anonymising proxy or impossible travel. Blocking these outright, rather than only the high ones, denies an attacker the sign-ins the detection already doubts."
#   remediation: "Create or fix a conditional access policy for all users, all resources and all client apps with the condition Sign-in risk = High and Medium (and no user risk condition), grant Block access, and turn it On. Exclude only emergency access accounts."
#   frameworks:
#     cis_m365: ["5.2.2.8"]
#   service_plans: [AAD_PREMIUM_P2]
#   sources: [conditionalAccessPolicies]
#   exclusions: ca
package sg365.cis_m365.cis_5_2_2_8

import rego.v1

import data.sg365.lib.cis

risk(p) := cis.levels(cis.get(cis.cond(p), ["signInRiskLevels"], []))

candidates := [p |
	some p in cis.policies
	"block" in cis.controls(p)
	count(risk(p)) > 0
]

risk_gaps(p) := ({sprintf("does not cover sign-in risk %v", [l]) |
	some l in ["medium", "high"]
	not l in risk(p)
} | {sprintf("applies only at user risk %v", [concat(",", sort(cis.levels(cis.get(cis.cond(p), ["userRiskLevels"], []))))]) |
	count(cis.levels(cis.get(cis.cond(p), ["userRiskLevels"], []))) > 0
}) | {"applies only to some authentication flows" |
	cis.get(cis.cond(p), ["authenticationFlows"], null) != null
}

all_gaps(p) := ((((cis.state_gaps(p) | cis.all_users_gaps(p)) | cis.all_apps_gaps(p)) | cis.all_clients_gaps(p)) | cis.narrowing_gaps(p)) | risk_gaps(p)

gaps := {cis.id_of(p): all_gaps(p) | some p in candidates}

result := cis.verdict(candidates, gaps, "blocks medium and high risk sign-ins")
