# Helpers for the device pack (DeviceGuard, checks D1 to D17).
package sg365.lib.device

import rego.v1

get(o, path, d) := v if {
	v := object.get(o, path, null)
	v != null
} else := d

devices := get(input.data, ["managedDevices"], [])

machines := get(input.data, ["defenderMachines"], [])

now_ns := time.parse_rfc3339_ns(input.collectedAt)

day_ns := ((24 * 60) * 60) * 1000000000

# days_since is the whole days from timestamp ts to collectedAt.
days_since(ts) := floor((now_ns - time.parse_rfc3339_ns(ts)) / day_ns)

name(d) := get(d, ["deviceName"], d.id)

os(d) := lower(get(d, ["operatingSystem"], ""))

windows(d) if os(d) == "windows"

protection(d) := p if {
	windows(d)
	p := d.windowsProtectionState
	is_object(p)
}

evidence(d, detail) := {"type": "managedDevice", "id": d.id, "displayName": name(d), "detail": detail}

# machine_for returns the Defender for Endpoint machine joined to managed
# device d by its Entra device id.
machine_for(d) := m if {
	aad := lower(get(d, ["azureADDeviceId"], ""))
	aad != ""
	some m in machines
	lower(get(m, ["aadDeviceId"], "")) == aad
}

# verdict grades a set of evidence objects: pass when it is empty, else
# fail listing them (a set iterates in sorted order, so output is stable).
verdict(ev, ok, bad) := {"status": "pass", "summary": ok} if {
	count(ev) == 0
} else := {
	"status": "fail",
	"summary": sprintf("%d %s", [count(ev), bad]),
	"evidence": [e | some e in ev],
}

# version_parts turns "10.0.22631.4460" or "18.1.1" into numbers for
# comparison; arrays compare element by element.
version_parts(v) := [to_number(n) | some n in regex.find_n(`[0-9]+`, v, 4)]
