# METADATA
# title: The Active Directory Recycle Bin is enabled
# description: "The Recycle Bin optional feature is enabled in the forest."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/get-started/adac/active-directory-recycle-bin
# custom:
#   id: SG.AD.22
#   severity: low
#   level: SHOULD
#   rationale: "Without the Recycle Bin, deleted users and groups lose their attributes and memberships, so recovering from an accidental or malicious deletion needs an authoritative restore from backup."
#   remediation: "Enable it with Enable-ADOptionalFeature \"Recycle Bin Feature\" (forest functional level 2008 R2 or higher; it cannot be disabled again)."
#   frameworks:
#     sg365_ad: [AD22]
#   sources: [activeDirectory]
package sg365.ad.ad_22

import rego.v1

import data.sg365.lib.ad

enabled := object.get(ad.domain, "recycleBinEnabled", null)

result := {"status": "na", "summary": "the Recycle Bin feature object was not found", "reason": "not applicable: the forest has no Recycle Bin feature object (or it was not readable)"} if {
	enabled == null
} else := ad.verdict([ad.domain_evidence("msDS-EnabledFeatureBL of the Recycle Bin feature is empty") | enabled == false], "the Recycle Bin is disabled (%d)", "the Recycle Bin is enabled")
