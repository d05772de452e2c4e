# METADATA
# title: No device alert is left open
# description: "No Microsoft Defender for Endpoint alert in Microsoft Graph security (alerts_v2) is unresolved."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/security-list-alerts_v2
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/security-deviceevidence
# custom:
#   id: D14
#   severity: high
#   level: MUST
#   rationale: "An open alert is a detected attack nobody has closed out; the longer it stays open, the further an attacker gets."
#   remediation: "Triage each alert in the Defender portal: investigate the device, contain it if needed (isolate), then resolve the alert with a classification and determination."
#   frameworks:
#     deviceguard: [D14]
#   sources: [deviceAlerts]
package sg365.device.d14

import rego.v1

import data.sg365.lib.device

devices_of(a) := concat(", ", sort({device.get(e, ["deviceDnsName"], device.get(e, ["mdeDeviceId"], "")) |
	some e in device.get(a, ["evidence"], [])
	endswith(device.get(e, ["@odata.type"], ""), "deviceEvidence")
}))

findings contains {"type": "alert", "id": a.id, "displayName": device.get(a, ["title"], a.id), "detail": sprintf("%v severity, status %v, devices: %v", [device.get(a, ["severity"], "unknown"), a.status, devices_of(a)])} if {
	some a in device.get(input.data, ["deviceAlerts"], [])
	device.get(a, ["serviceSource"], "microsoftDefenderForEndpoint") == "microsoftDefenderForEndpoint"
	a.status != "resolved"
}

result := device.verdict(findings, "no Defender for Endpoint alert is open", "Defender for Endpoint alert(s) are open")
