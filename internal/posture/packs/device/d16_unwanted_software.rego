# METADATA
# title: No unwanted software is installed
# description: "No managed device has an app from the unwanted list: peer-to-peer clients and remote-access tools attackers commonly abuse."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-detectedapp
#   - ref: https://www.cisa.gov/resources-tools/resources/guide-securing-remote-access-software
# custom:
#   id: D16
#   severity: high
#   level: SHOULD
#   rationale: "Unmanaged remote-access tools give attackers hands-on access that looks like administration, and peer-to-peer clients bring in malware and leak files."
#   remediation: "Uninstall the app or replace it with the approved tool, and block it with an application control (App Control for Business) or Intune app policy."
#   frameworks:
#     deviceguard: [D16]
#   sources: [managedDevices]
package sg365.device.d16

import rego.v1

import data.sg365.lib.device

# unwanted are case-insensitive patterns of app display names.
unwanted := [
	`(?i)\butorrent\b`, `(?i)\bbittorrent\b`, `(?i)\bqbittorrent\b`, `(?i)\banydesk\b`,
	`(?i)\bteamviewer\b`, `(?i)\bammyy\b`, `(?i)\bnetsupport\b`, `(?i)\bscreenconnect\b`,
	`(?i)\btor browser\b`, `(?i)\bultraviewer\b`,
]

findings contains device.evidence(d, sprintf("%v %v", [a.displayName, device.get(a, ["version"], "")])) if {
	some d in device.devices
	some a in device.get(d, ["detectedApps"], [])
	some p in unwanted
	regex.match(p, device.get(a, ["displayName"], ""))
}

result := device.verdict(findings, "no unwanted software is installed", "unwanted app installation(s) found")
