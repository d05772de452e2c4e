# METADATA
# title: Tamper protection is on
# description: "Every Windows device reports Defender tamper protection enabled."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/defender-endpoint/prevent-changes-to-security-settings-with-tamper-protection
# custom:
#   id: D9
#   severity: high
#   level: MUST
#   rationale: "Without tamper protection, malware or a local administrator can switch Defender's protections off silently."
#   remediation: "Turn on tamper protection tenant-wide in the Defender portal (Settings, Endpoints, Advanced features) or with an Intune Windows Security experience profile."
#   frameworks:
#     deviceguard: [D9]
#   sources: [managedDevices]
package sg365.device.d9

import rego.v1

import data.sg365.lib.device

findings contains device.evidence(d, "tamperProtectionEnabled is false") if {
	some d in device.devices
	p := device.protection(d)
	device.get(p, ["tamperProtectionEnabled"], true) == false
}

result := device.verdict(findings, "tamper protection is on on every Windows device", "Windows device(s) have tamper protection off")
