# METADATA
# title: Activating Global Administrator requires approval
# description: "The PIM policy of the Global Administrator role requires approval to activate."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-how-to-change-default-settings
#   - ref: https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-approval-workflow
# custom:
#   id: MS.AAD.7.6v1
#   severity: high
#   level: MUST
#   rationale: "With approval required, a stolen eligible account cannot turn itself into a Global Administrator unnoticed: someone else has to agree, and sees the request."
#   remediation: "In PIM > Microsoft Entra roles > Settings > Global Administrator, select 'Require approval to activate' and name approvers."
#   frameworks:
#     scuba: [MS.AAD.7.6v1]
#     cis_m365: ["5.3.4"]
#   service_plans: [AAD_PREMIUM_P2]
#   sources: [roleManagementPolicyAssignments]
#   optional_sources: [roleManagementPolicies]
package sg365.scuba_aad.ms_aad_7_6v1

import rego.v1

import data.sg365.lib.roles

approval := roles.pim_policy_rules(roles.global_admin).Approval_EndUser_Assignment

result := roles.policies_error if {
	roles.policies_unknown
} else := {"status": "pass", "summary": "Global Administrator activation requires approval"} if {
	approval.setting.isApprovalRequired == true
} else := {
	"status": "fail",
	"summary": "Global Administrator can be activated without approval",
	"evidence": [roles.role_evidence(roles.global_admin, "PIM rule Approval_EndUser_Assignment does not require approval")],
}
