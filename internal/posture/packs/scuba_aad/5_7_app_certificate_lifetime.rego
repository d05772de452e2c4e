# METADATA
# title: Application certificate lifetime is at most 365 days
# description: "The default app management policy limits application certificate lifetime to 365 days or less."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/configure-app-management-policies
# custom:
#   id: MS.AAD.5.7v1
#   severity: low
#   level: SHOULD
#   rationale: "Certificates are safer than secrets but still leak with the systems that hold them. A one-year limit keeps rotation regular."
#   remediation: "In Entra admin center > Enterprise apps > Application policies, turn On 'Restrict max certificate lifetime' for all applications with 366 days (Entra compares with 'less than')."
#   frameworks:
#     scuba: [MS.AAD.5.7v1]
#   sources: [defaultAppManagementPolicy]
package sg365.scuba_aad.ms_aad_5_7v1

import rego.v1

import data.sg365.lib.aad

result := aad.lifetime_result("keyCredentials", "asymmetricKeyLifetime", 366, "application certificate")
