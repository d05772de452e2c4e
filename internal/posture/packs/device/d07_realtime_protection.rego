# METADATA
# title: Antivirus and real-time protection are on
# description: "Every Windows device reports Microsoft Defender Antivirus malware protection and real-time protection enabled."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-windowsprotectionstate
# custom:
#   id: D7
#   severity: critical
#   level: MUST
#   rationale: "With real-time protection off, malware runs without being scanned; it is often the first thing an attacker switches off."
#   remediation: "Turn real-time protection back on (Intune antivirus policy, 'Allow realtime monitoring'), enable tamper protection so it stays on, then run a scan: sg365 respond device scan DEVICE --confirm."
#   frameworks:
#     deviceguard: [D7]
#   sources: [managedDevices]
package sg365.device.d7

import rego.v1

import data.sg365.lib.device

off(p) := [k | some k in ["malwareProtectionEnabled", "realTimeProtectionEnabled"]; device.get(p, [k], true) == false]

findings contains device.evidence(d, sprintf("disabled: %v", [concat(", ", off(p))])) if {
	some d in device.devices
	p := device.protection(d)
	count(off(p)) > 0
}

result := device.verdict(findings, "antivirus and real-time protection are on on every Windows device", "Windows device(s) have antivirus or real-time protection off")
