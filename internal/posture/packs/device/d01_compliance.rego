# METADATA
# title: Devices are compliant with their compliance policies
# description: "No managed device is noncompliant, in error, in conflict or in its grace period."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-manageddevice
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-devicecompliancepolicystate
# custom:
#   id: D1
#   severity: high
#   level: MUST
#   rationale: "A noncompliant device fails a requirement the organisation set for reaching its data, such as a passcode or no jailbreak; until fixed it is a weaker link than the policy assumes."
#   remediation: "Open the device in Intune, fix the settings its compliance policy reports as noncompliant (or retire the device), then sync it."
#   frameworks:
#     deviceguard: [D1]
#   sources: [managedDevices]
package sg365.device.d1

import rego.v1

import data.sg365.lib.device

bad_states := {"noncompliant", "error", "conflict", "ingraceperiod"}

failing_settings(d) := concat(", ", sort({s.settingName |
	some p in device.get(d, ["deviceCompliancePolicyStates"], [])
	some s in device.get(p, ["settingStates"], [])
	lower(device.get(s, ["state"], "")) in {"noncompliant", "error", "conflict"}
}))

findings contains device.evidence(d, sprintf("complianceState %v; failing settings: %v", [d.complianceState, failing_settings(d)])) if {
	some d in device.devices
	lower(device.get(d, ["complianceState"], "")) in bad_states
}

result := device.verdict(findings, "every managed device is compliant", "device(s) are not compliant")
