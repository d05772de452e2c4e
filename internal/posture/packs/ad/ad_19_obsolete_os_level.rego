# METADATA
# title: No obsolete operating systems or functional levels
# description: "The domain functional level is Windows Server 2012 R2 (6) or higher and no enabled computer runs an operating system out of support (Windows NT, 2000, XP, Vista, 7, 8, 8.1, Server 2003, 2008, 2012)."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/active-directory-functional-levels
#   - ref: https://learn.microsoft.com/en-us/lifecycle/products/
# custom:
#   id: SG.AD.19
#   severity: medium
#   level: MUST
#   rationale: "Unsupported systems get no security fixes, and a low functional level keeps old protocols and forgoes protections such as Protected Users enforcement on domain controllers and AES-only Kerberos."
#   remediation: "Replace or isolate the listed computers and raise the domain and forest functional levels once every DC runs a supported Windows Server."
#   frameworks:
#     mitre_attack: [T1210]
#     sg365_ad: [AD19]
#   sources: [activeDirectory]
package sg365.ad.ad_19

import rego.v1

import data.sg365.lib.ad

min_level := 6

obsolete(os) if regex.match(`(?i)windows.*\b(nt|2000|xp|vista|2003|2008|2012)\b`, os)

obsolete(os) if regex.match(`(?i)^windows (7|8|8\.1)\b`, os)

ev contains ad.domain_evidence(sprintf("domain functional level %d < %d (Windows Server 2012 R2)", [level, min_level])) if {
	level := object.get(ad.domain, "domainFunctionality", 0)
	level < min_level
}

ev contains ad.evidence(c, sprintf("%s %s", [c.operatingSystem, object.get(c, "operatingSystemVersion", "")])) if {
	some c in ad.computers
	c.enabled
	obsolete(object.get(c, "operatingSystem", ""))
}

result := ad.verdict([e | some e in ev], "%d obsolete system(s) or functional level(s)", "no obsolete operating system or functional level")
