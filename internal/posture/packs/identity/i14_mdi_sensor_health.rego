# METADATA
# title: Defender for Identity sensors are healthy
# description: "Every Defender for Identity sensor is healthy and deployed (not outdated, disconnected or failing), and no health issue is open."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/security-sensor
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/security-healthissue
# custom:
#   id: I14
#   severity: high
#   level: MUST
#   rationale: "A domain controller whose sensor is down is unmonitored: attacks against it raise no alert."
#   remediation: "Fix each health issue's recommendation (network access to the service, sensor service running, auditing configured) and update outdated sensors."
#   frameworks:
#     userguard: [I14]
#   sources: [identitySensors, identityHealthIssues]
package sg365.identity.i14

import rego.v1

import data.sg365.lib.identity

bad_deploy := {"outdated", "updateFailed", "notConfigured", "unreachable", "disconnected", "startFailure"}

findings contains {"type": "sensor", "id": s.id, "displayName": identity.get(s, ["displayName"], s.id), "detail": sprintf("health %v, deployment %v", [identity.get(s, ["healthStatus"], "?"), identity.get(s, ["deploymentStatus"], "?")])} if {
	some s in identity.data_of("identitySensors")
	unhealthy(s)
}

unhealthy(s) if identity.get(s, ["healthStatus"], "healthy") != "healthy"

unhealthy(s) if identity.get(s, ["deploymentStatus"], "upToDate") in bad_deploy

findings contains {"type": "healthIssue", "id": h.id, "displayName": identity.get(h, ["displayName"], h.id), "detail": sprintf("%v severity, sensors: %v", [identity.get(h, ["severity"], "?"), concat(", ", identity.get(h, ["sensorDNSNames"], []))])} if {
	some h in identity.data_of("identityHealthIssues")
	h.status == "open"
}

result := identity.verdict(findings, "every Defender for Identity sensor is healthy and no health issue is open", "unhealthy sensor(s) or open health issue(s)")
