# METADATA
# title: Antivirus signatures and scans are up to date
# description: "No Windows device reports its signature update, quick scan or full scan as overdue."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-windowsprotectionstate
# custom:
#   id: D8
#   severity: high
#   level: MUST
#   rationale: "Outdated signatures miss recent malware, and an overdue scan means nothing has looked at the files at rest for a while."
#   remediation: "Update the signatures and scan: sg365 respond device update-signatures DEVICE --confirm, then sg365 respond device scan DEVICE --confirm; check why updates fail (network, update source)."
#   frameworks:
#     deviceguard: [D8]
#   sources: [managedDevices]
package sg365.device.d8

import rego.v1

import data.sg365.lib.device

overdue(p) := [k | some k in ["signatureUpdateOverdue", "quickScanOverdue", "fullScanOverdue"]; device.get(p, [k], false) == true]

findings contains device.evidence(d, sprintf("overdue: %v (signature %v)", [concat(", ", overdue(p)), device.get(p, ["signatureVersion"], "unknown")])) if {
	some d in device.devices
	p := device.protection(d)
	count(overdue(p)) > 0
}

result := device.verdict(findings, "signatures and scans are current on every Windows device", "Windows device(s) have outdated signatures or overdue scans")
