# METADATA
# title: Windows devices pass boot health attestation
# description: "Windows devices that report health attestation have Secure Boot and code integrity enabled, a TPM, and neither boot debugging nor test signing enabled."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-devicehealthattestationstate
# custom:
#   id: D11
#   severity: medium
#   level: SHOULD
#   rationale: "Secure Boot, code integrity and a TPM keep bootkits and unsigned drivers off the device; boot debugging and test signing switch those protections off."
#   remediation: "Enable Secure Boot and the TPM in the firmware, turn off boot debugging and test signing (bcdedit), and require a healthy device report in the Windows compliance policy."
#   frameworks:
#     deviceguard: [D11]
#   sources: [managedDevices]
package sg365.device.d11

import rego.v1

import data.sg365.lib.device

flags := {
	["secureBoot", "enabled", "Secure Boot not enabled"],
	["codeIntegrity", "enabled", "code integrity not enabled"],
}

bad_if_on := {
	["bootDebugging", "boot debugging enabled"],
	["testSigning", "test signing enabled"],
}

problems(h) := ({c[2] | some c in flags; lower(device.get(h, [c[0]], c[1])) != c[1]} | {c[1] | some c in bad_if_on; lower(device.get(h, [c[0]], "")) == "enabled"}) | {"no TPM" | device.get(h, ["tpmVersion"], "unknown") == ""}

findings contains device.evidence(d, concat(", ", sort(problems(h)))) if {
	some d in device.devices
	device.windows(d)
	h := d.deviceHealthAttestationState
	is_object(h)
	count(problems(h)) > 0
}

result := device.verdict(findings, "every attested Windows device boots with its protections on", "Windows device(s) fail boot health attestation")
