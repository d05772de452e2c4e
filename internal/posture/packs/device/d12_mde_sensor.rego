# METADATA
# title: Windows devices are onboarded to Defender for Endpoint with a healthy sensor
# description: "Each managed Windows device has a Defender for Endpoint machine (joined by its Entra device id) that is onboarded and Active."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/defender-endpoint/api/machine
#   - ref: https://learn.microsoft.com/en-us/defender-endpoint/fix-unhealthy-sensors
# custom:
#   id: D12
#   severity: high
#   level: MUST
#   rationale: "A device Defender for Endpoint does not see, or whose sensor stopped reporting, gets no detection, no alerts and no response actions such as isolation."
#   remediation: "Onboard the device with the Intune endpoint detection and response policy, or fix its sensor (connectivity, service state) until Defender shows it Active."
#   frameworks:
#     deviceguard: [D12]
#   sources: [managedDevices, defenderMachines]
package sg365.device.d12

import rego.v1

import data.sg365.lib.device

findings contains device.evidence(d, "not onboarded to Defender for Endpoint") if {
	some d in device.devices
	device.windows(d)
	not device.machine_for(d)
}

findings contains device.evidence(d, sprintf("Defender for Endpoint machine %v: healthStatus %v, onboardingStatus %v", [m.id, device.get(m, ["healthStatus"], "unknown"), device.get(m, ["onboardingStatus"], "unknown")])) if {
	some d in device.devices
	device.windows(d)
	m := device.machine_for(d)
	unhealthy(m)
}

unhealthy(m) if device.get(m, ["healthStatus"], "") != "Active"

unhealthy(m) if lower(device.get(m, ["onboardingStatus"], "")) != "onboarded"

result := device.verdict(findings, "every Windows device is onboarded with an active sensor", "Windows device(s) are not onboarded or have an unhealthy sensor")
