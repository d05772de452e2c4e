# METADATA
# title: Security logs are sent to the security operations centre
# description: "Entra ID audit, sign-in and risk logs are exported through diagnostic settings to the organisation's security monitoring."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/monitoring-health/howto-configure-diagnostic-settings
# custom:
#   id: MS.AAD.4.1v1
#   severity: medium
#   level: MUST
#   rationale: "Without the identity logs in central monitoring, attacks against accounts go unseen and cannot be investigated after the fact."
#   remediation: "Add a diagnostic setting that sends AuditLogs, SignInLogs, NonInteractiveUserSignInLogs, ServicePrincipalSignInLogs, RiskyUsers, UserRiskEvents and the other identity log categories to your SIEM or log workspace."
#   frameworks:
#     scuba: [MS.AAD.4.1v1]
#   sources: []
#   manual: "Entra diagnostic settings live in Azure Resource Manager, not in Microsoft Graph; check Entra admin center > Monitoring > Diagnostic settings"
package sg365.scuba_aad.ms_aad_4_1v1

import rego.v1
