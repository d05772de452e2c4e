# METADATA
# title: Device storage is encrypted
# description: "Every managed device reports encrypted storage; Windows devices report BitLocker enabled when health attestation is available."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-manageddevice
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-devicehealthattestationstate
# custom:
#   id: D3
#   severity: high
#   level: MUST
#   rationale: "An unencrypted disk gives anyone who holds the lost or stolen device the cached mail, files and tokens on it."
#   remediation: "Require encryption in the platform's compliance policy and deploy an encryption profile (BitLocker, FileVault); check the device reports encrypted after the next sync."
#   frameworks:
#     deviceguard: [D3]
#   sources: [managedDevices]
package sg365.device.d3

import rego.v1

import data.sg365.lib.device

findings contains device.evidence(d, "isEncrypted is false") if {
	some d in device.devices
	device.get(d, ["isEncrypted"], true) == false
}

findings contains device.evidence(d, sprintf("BitLocker %v", [status])) if {
	some d in device.devices
	device.get(d, ["isEncrypted"], true) != false
	status := device.get(d, ["deviceHealthAttestationState", "bitLockerStatus"], "")
	status != ""
	lower(status) != "enabled"
}

result := device.verdict(findings, "every managed device is encrypted", "device(s) are not encrypted")
