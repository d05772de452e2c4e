# METADATA
# title: No device is at high risk
# description: "No Defender for Endpoint machine has a High risk score or exposure level, and no mobile threat defense partner reports a device as high severity or compromised."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/defender-endpoint/api/machine
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-manageddevice
# custom:
#   id: D13
#   severity: critical
#   level: MUST
#   rationale: "A high risk score means active, severe alerts on the device; high exposure means many exploitable weaknesses. Either makes the device a likely foothold."
#   remediation: "Investigate the device's alerts in Defender, isolate it while you do (sg365 respond device isolate DEVICE --confirm), and apply the security recommendations that drive its exposure."
#   frameworks:
#     deviceguard: [D13]
#   sources: [managedDevices, defenderMachines]
package sg365.device.d13

import rego.v1

import data.sg365.lib.device

findings contains {"type": "defenderMachine", "id": m.id, "displayName": device.get(m, ["computerDnsName"], m.id), "detail": sprintf("riskScore %v, exposureLevel %v", [device.get(m, ["riskScore"], "None"), device.get(m, ["exposureLevel"], "None")])} if {
	some m in device.machines
	"High" in {device.get(m, ["riskScore"], ""), device.get(m, ["exposureLevel"], "")}
}

findings contains device.evidence(d, sprintf("partnerReportedThreatState %v", [d.partnerReportedThreatState])) if {
	some d in device.devices
	lower(device.get(d, ["partnerReportedThreatState"], "")) in {"highseverity", "compromised"}
}

result := device.verdict(findings, "no device is at high risk", "device(s) are at high risk")
