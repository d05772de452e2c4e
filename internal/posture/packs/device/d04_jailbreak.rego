# METADATA
# title: No device is jailbroken or rooted
# description: "No managed device reports jailBroken True."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-manageddevice
# custom:
#   id: D4
#   severity: critical
#   level: MUST
#   rationale: "A jailbroken or rooted device has lost the platform's sandbox and code signing, so any app on it can read the organisation's data and tokens."
#   remediation: "Block jailbroken devices in the compliance policy (securityBlockJailbrokenDevices), then retire or wipe the device and have it re-enrolled after a clean restore."
#   frameworks:
#     deviceguard: [D4]
#   sources: [managedDevices]
package sg365.device.d4

import rego.v1

import data.sg365.lib.device

findings contains device.evidence(d, sprintf("%v %v reports jailBroken True", [d.operatingSystem, device.get(d, ["osVersion"], "")])) if {
	some d in device.devices
	lower(device.get(d, ["jailBroken"], "")) == "true"
}

result := device.verdict(findings, "no device is jailbroken or rooted", "device(s) are jailbroken or rooted")
