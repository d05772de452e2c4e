# METADATA
# title: Devices run a supported operating system version
# description: "Windows is at least 10.0.19045 (Windows 10 22H2), iOS and iPadOS at least 17, macOS at least 13, Android at least 12 with a security patch level under 90 days old."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/windows/release-health/supported-versions-windows-client
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-manageddevice
# custom:
#   id: D6
#   severity: high
#   level: MUST
#   rationale: "An operating system out of support receives no security updates; known vulnerabilities on it stay open."
#   remediation: "Update the device to a supported release, or replace it; set osMinimumVersion in the compliance policy so outdated devices lose access."
#   frameworks:
#     deviceguard: [D6]
#   sources: [managedDevices]
package sg365.device.d6

import rego.v1

import data.sg365.lib.device

# minimum is the oldest supported version per platform.
minimum := {
	"windows": [10, 0, 19045],
	"ios": [17],
	"ipados": [17],
	"macos": [13],
	"android": [12],
}

max_patch_days := 90

findings contains device.evidence(d, sprintf("%v %v is older than %v", [d.operatingSystem, d.osVersion, concat(".", [sprintf("%d", [n]) | some n in min])])) if {
	some d in device.devices
	min := minimum[device.os(d)]
	v := device.version_parts(device.get(d, ["osVersion"], ""))
	count(v) > 0
	array.slice(v, 0, count(min)) < min
}

findings contains device.evidence(d, sprintf("Android security patch level %v is %d days old", [patch, age])) if {
	some d in device.devices
	device.os(d) == "android"
	patch := device.get(d, ["androidSecurityPatchLevel"], "")
	patch != ""
	age := device.days_since(sprintf("%vT00:00:00Z", [patch]))
	age > max_patch_days
}

result := device.verdict(findings, "every device runs a supported operating system version", "device(s) run an unsupported or unpatched operating system")
