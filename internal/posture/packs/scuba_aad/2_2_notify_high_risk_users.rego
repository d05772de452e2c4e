# METADATA
# title: Administrators are notified of high-risk users
# description: "Entra ID Protection sends a notification to a monitored mailbox when a user is rated high risk."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/id-protection/howto-identity-protection-configure-notifications
# custom:
#   id: MS.AAD.2.2v1
#   severity: medium
#   level: SHOULD
#   rationale: "A notification lets the security team react to a likely compromise at once instead of finding it later in a report."
#   remediation: "In Entra ID Protection > Notify > Users at risk detected alerts, add a regularly monitored security mailbox and set the alert level to High."
#   frameworks:
#     scuba: [MS.AAD.2.2v1]
#   service_plans: [AAD_PREMIUM_P2]
#   sources: []
#   manual: "the 'users at risk detected' alert recipients are not exposed by Microsoft Graph; check Entra ID Protection > Notifications"
package sg365.scuba_aad.ms_aad_2_2v1

import rego.v1
