# METADATA
# title: Activating Privileged Role Administrator requires approval
# description: "The PIM policy of the Privileged Role Administrator role requires approval before an eligible user can activate it."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-how-to-change-default-settings
#   - ref: https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/permissions-reference#privileged-role-administrator
# custom:
#   id: CIS.5.3.5
#   severity: high
#   level: MUST
#   rationale: "Privileged Role Administrator can grant any role, Global Administrator included, so activating it is one step from owning the tenant. Requiring a second person to approve the activation means a compromised eligible account cannot take that step alone."
#   remediation: "In Privileged Identity Management > Microsoft Entra roles > Settings > Privileged Role Administrator, turn on 'Require approval to activate' and name at least one approver who does not hold the role."
#   frameworks:
#     cis_m365: ["5.3.5"]
#   service_plans: [AAD_PREMIUM_P2]
#   sources: [roleManagementPolicyAssignments]
#   optional_sources: [roleManagementPolicies]
package sg365.cis_m365.cis_5_3_5

import rego.v1

import data.sg365.lib.cis

approval := cis.pim_rules(cis.privileged_role_admin).Approval_EndUser_Assignment

result := cis.pim_policy_error if {
	cis.pim_policy_unknown(cis.privileged_role_admin)
} else := {"status": "pass", "summary": "Privileged Role Administrator activation requires approval"} if {
	approval.setting.isApprovalRequired == true
} else := {
	"status": "fail",
	"summary": "Privileged Role Administrator can be activated without approval",
	"evidence": [cis.role_evidence(cis.privileged_role_admin, "PIM rule Approval_EndUser_Assignment does not require approval (or the role has no PIM policy)")],
}
