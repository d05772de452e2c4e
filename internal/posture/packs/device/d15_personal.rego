# METADATA
# title: Devices reaching Microsoft 365 are corporate-owned
# description: "No managed device is personally owned."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-manageddevice
#   - ref: https://learn.microsoft.com/en-us/mem/intune/apps/app-protection-policy
# custom:
#   id: D15
#   severity: medium
#   level: SHOULD
#   rationale: "The organisation controls less of a personal device (a wipe removes only its data, some settings cannot be enforced), so its data there needs app protection instead."
#   remediation: "Confirm the personal devices are expected; protect their data with app protection policies and a conditional access policy that requires an approved app or a compliant device."
#   frameworks:
#     deviceguard: [D15]
#   sources: [managedDevices]
package sg365.device.d15

import rego.v1

import data.sg365.lib.device

findings contains device.evidence(d, sprintf("personal %v device of %v", [d.operatingSystem, device.get(d, ["userPrincipalName"], "unknown")])) if {
	some d in device.devices
	lower(device.get(d, ["managedDeviceOwnerType"], "")) == "personal"
}

result := device.verdict(findings, "every managed device is corporate-owned", "personal device(s) reach Microsoft 365")
