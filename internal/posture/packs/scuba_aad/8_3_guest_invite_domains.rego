# METADATA
# title: Guest invitations are limited to approved domains
# description: "Guest invitations are allowed only to specific external domains approved by the organisation."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/external-id/allow-deny-list
# custom:
#   id: MS.AAD.8.3v1
#   severity: low
#   level: SHOULD
#   rationale: "An allow-list of partner domains keeps accounts from unknown organisations out of the tenant."
#   remediation: "In Entra admin center > External Identities > External collaboration settings > Collaboration restrictions, select 'Allow invitations only to the specified domains' and list the approved domains."
#   frameworks:
#     scuba: [MS.AAD.8.3v1]
#   sources: []
#   manual: "whether the allowed domains are the approved ones needs the organisation's own list; check External collaboration settings > Collaboration restrictions"
package sg365.scuba_aad.ms_aad_8_3v1

import rego.v1
