# METADATA
# title: Devices check in with Intune at least every 30 days
# description: "Every managed device synced with Intune within 30 days of the collection."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/mem/intune/remote-actions/devices-wipe#automatically-delete-devices-with-cleanup-rules
# custom:
#   id: D5
#   severity: medium
#   level: SHOULD
#   rationale: "A device that has not checked in for a month reports a state that may no longer be true, and a lost or abandoned device still holds data and tokens."
#   remediation: "Find out whether the device is still in use: sync it, or retire it and let device clean-up rules remove stale devices."
#   frameworks:
#     deviceguard: [D5]
#   sources: [managedDevices]
package sg365.device.d5

import rego.v1

import data.sg365.lib.device

max_days := 30

findings contains device.evidence(d, sprintf("last sync %v (%d days ago)", [d.lastSyncDateTime, age])) if {
	some d in device.devices
	age := device.days_since(d.lastSyncDateTime)
	age > max_days
}

result := device.verdict(findings, sprintf("every device synced within %d days", [max_days]), sprintf("device(s) have not synced for more than %d days", [max_days]))
