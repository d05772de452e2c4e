# METADATA
# title: Privileged role assignments trigger an alert
# description: "For each highly privileged role, PIM mails an additional recipient when someone is assigned eligible or active."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-how-to-change-default-settings
#   - ref: https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-email-notifications
# custom:
#   id: MS.AAD.7.7v1
#   severity: medium
#   level: MUST
#   rationale: "An attacker who gains a foothold often grants themselves a privileged role. An alert to the security team on every assignment makes that step visible."
#   remediation: "In PIM > Microsoft Entra roles > Settings, for each highly privileged role edit Notification and add the security mailbox as an additional recipient of the role assignment alerts for eligible and active assignments."
#   frameworks:
#     scuba: [MS.AAD.7.7v1]
#   service_plans: [AAD_PREMIUM_P2]
#   sources: [roleManagementPolicyAssignments]
#   optional_sources: [roleManagementPolicies]
package sg365.scuba_aad.ms_aad_7_7v1

import rego.v1

import data.sg365.lib.roles

targets := {r | some r, _ in roles.privileged}

notification_rules := {"Notification_Admin_Admin_Eligibility": "eligible assignment alert", "Notification_Admin_Admin_Assignment": "active assignment alert"}

missing := [roles.role_evidence(role, concat("; ", sort(gaps))) |
	some role in targets
	gaps := {sprintf("%v has no additional recipient", [label]) |
		some rule_id, label in notification_rules
		not roles.notifies(role, rule_id)
	}
	count(gaps) > 0
]

result := roles.policies_error if {
	roles.policies_unknown
} else := {"status": "pass", "summary": "assignments to every highly privileged role alert a monitored mailbox"} if {
	count(missing) == 0
} else := {"status": "fail", "summary": sprintf("%d privileged role(s) do not alert on assignment", [count(missing)]), "evidence": missing}
