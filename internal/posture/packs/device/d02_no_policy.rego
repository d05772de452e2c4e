# METADATA
# title: Every device is covered by a compliance policy
# description: "Each managed device has at least one compliance policy assigned."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-devicecompliancepolicystate
# custom:
#   id: D2
#   severity: medium
#   level: MUST
#   rationale: "A device no compliance policy applies to is reported compliant by default or not evaluated at all, so conditional access cannot tell a healthy device from a compromised one."
#   remediation: "Assign a compliance policy for the device's platform to a group that contains the device or its user, and set 'Mark devices with no compliance policy assigned as' to Not compliant."
#   frameworks:
#     deviceguard: [D2]
#   sources: [managedDevices]
package sg365.device.d2

import rego.v1

import data.sg365.lib.device

assigned(d) if {
	some p in device.get(d, ["deviceCompliancePolicyStates"], [])
	not lower(device.get(p, ["state"], "")) in {"notassigned", "notapplicable"}
}

findings contains device.evidence(d, "no compliance policy applies") if {
	some d in device.devices
	not assigned(d)
}

result := device.verdict(findings, "every managed device has a compliance policy", "device(s) have no compliance policy")
