# METADATA
# title: Activation of other privileged roles triggers an alert
# description: "PIM mails an additional recipient when an eligible user activates a highly privileged role other than Global Administrator."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-how-to-change-default-settings
#   - ref: https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-email-notifications
# custom:
#   id: MS.AAD.7.9v1
#   severity: low
#   level: SHOULD
#   rationale: "Activations of the other powerful roles are also a sign of compromise when unexpected; alerts make them reviewable, ideally in a mailbox separate from the Global Administrator one."
#   remediation: "In PIM > Microsoft Entra roles > Settings, for each highly privileged role except Global Administrator, add a security mailbox as an additional recipient of the role activation alert."
#   frameworks:
#     scuba: [MS.AAD.7.9v1]
#   service_plans: [AAD_PREMIUM_P2]
#   sources: [roleManagementPolicyAssignments]
#   optional_sources: [roleManagementPolicies]
package sg365.scuba_aad.ms_aad_7_9v1

import rego.v1

import data.sg365.lib.roles

targets := {r | some r, _ in roles.privileged; r != roles.global_admin}

notification_rules := {"Notification_Admin_EndUser_Assignment": "role activation alert"}

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
} else := {"status": "pass", "summary": "activations of every other highly privileged role alert a monitored mailbox"} if {
	count(missing) == 0
} else := {"status": "fail", "summary": sprintf("%d privileged role(s) do not alert on activation", [count(missing)]), "evidence": missing}
