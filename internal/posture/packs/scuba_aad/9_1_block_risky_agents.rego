# METADATA
# title: High-risk AI agents are blocked
# description: "An enforced conditional access policy blocks all agent identities that Entra ID Protection rates as high risk, on all resources."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-agent-block-high-risk
# custom:
#   id: MS.AAD.9.1v1
#   severity: high
#   level: MUST
#   rationale: "AI agents act with application permissions and without a person watching. Blocking an agent identity once it is rated high risk stops automated misuse of what it can reach."
#   remediation: "Create a conditional access policy for all agent identities on all resources with Conditions > Agent risk set to High and grant Block access (needs the beta conditional access schema in collection)."
#   frameworks:
#     scuba: [MS.AAD.9.1v1]
#   service_plans: [AAD_PREMIUM_P2]
#   sources: [conditionalAccessPolicies]
package sg365.scuba_aad.ms_aad_9_1v1

import rego.v1

import data.sg365.lib.ca
import data.sg365.lib.ca.get

clients(p) := get(p, ["conditions", "clientApplications"], {})

agent_gaps(p) := ({"does not include all agent identities" |
	not "all" in ca.lower_set(get(clients(p), ["includeAgentIdServicePrincipals"], []))
} | {sprintf("excludes agent %v", [id]) |
	some id in get(clients(p), ["excludeAgentIdServicePrincipals"], [])
}) | {"narrows agents with a filter" |
	get(clients(p), ["agentIdServicePrincipalFilter"], null) != null
}

candidates := [p | some p in ca.policies; ca.blocks(p); "high" in ca.risk_levels(p, "agentIdRiskLevels"); not ca.foreign_purpose(p, {"agentRisk"})]

gaps := {ca.id_of(p): (((ca.state_gaps(p) | agent_gaps(p)) | ca.all_apps_gaps(p)) | ca.narrowing_gaps(p, {"agentRisk"})) | some p in candidates}

result := ca.verdict(candidates, gaps, "blocks high-risk agent identities")
