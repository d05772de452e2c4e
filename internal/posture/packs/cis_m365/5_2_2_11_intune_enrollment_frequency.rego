# METADATA
# title: Intune enrollment asks for sign-in every time
# description: "An enforced conditional access policy for all users that targets the Microsoft Intune Enrollment app (or all resources) sets sign-in frequency to every time."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/conditional-access/concept-session-lifetime
#   - ref: https://learn.microsoft.com/en-us/mem/intune/enrollment/multi-factor-authentication
# custom:
#   id: CIS.5.2.2.11
#   severity: medium
#   level: MUST
#   rationale: "Enrolling a device makes it a managed, often compliant, device that other policies trust. If a cached session is enough to enroll, someone holding a stolen token can add a device of their own; a fresh sign-in at enrollment stops that."
#   remediation: "Create or fix a conditional access policy for all users whose target resource is Microsoft Intune Enrollment (d4ebce55-015a-49b5-a083-c84d1797ae8c), require multifactor authentication, set Session > Sign-in frequency to Every time, and turn it On."
#   frameworks:
#     cis_m365: ["5.2.2.11"]
#   service_plans: [INTUNE_A]
#   sources: [conditionalAccessPolicies]
#   exclusions: ca
package sg365.cis_m365.cis_5_2_2_11

import rego.v1

import data.sg365.lib.cis

intune_enrollment := "d4ebce55-015a-49b5-a083-c84d1797ae8c"

sif(p) := cis.get(p, ["sessionControls", "signInFrequency"], {})

targets_enrollment(p) if intune_enrollment in cis.lower_set(cis.get(cis.capps(p), ["includeApplications"], []))

targets_enrollment(p) if "all" in cis.lower_set(cis.get(cis.capps(p), ["includeApplications"], []))

candidates := [p |
	some p in cis.policies
	cis.get(sif(p), ["isEnabled"], false) == true
	targets_enrollment(p)
	not cis.other_purpose(p)
]

frequency_gaps(p) := set() if {
	cis.get(sif(p), ["frequencyInterval"], "") == "everyTime"
} else := {sprintf("sign-in frequency is %v %v, not every time", [cis.get(sif(p), ["value"], "?"), cis.get(sif(p), ["type"], "?")])}

app_gaps(p) := {"excludes the Microsoft Intune Enrollment app" |
	intune_enrollment in cis.lower_set(cis.get(cis.capps(p), ["excludeApplications"], []))
}

all_gaps(p) := ((((cis.state_gaps(p) | cis.all_users_gaps(p)) | cis.all_clients_gaps(p)) | cis.narrowing_gaps(p)) | frequency_gaps(p)) | app_gaps(p)

gaps := {cis.id_of(p): all_gaps(p) | some p in candidates}

result := cis.verdict(candidates, gaps, "asks for sign-in every time at Intune enrollment")
