# METADATA
# title: Administrator sessions are short and not persistent
# description: "An enforced conditional access policy for every administrative role (or all users) and all resources requires sign-in again at least every 4 hours and never keeps the browser session."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/conditional-access/concept-session-lifetime
#   - ref: https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccesssessioncontrols
# custom:
#   id: CIS.5.2.2.4
#   severity: medium
#   level: MUST
#   rationale: "A stolen session cookie of an administrator is as good as their credentials until it expires. Short sign-in intervals and no persistent browser sessions shrink the time such a token is useful, especially on shared or unmanaged computers."
#   remediation: "In a conditional access policy that covers every administrative role (or all users) and all resources, set Session > Sign-in frequency to 4 hours or less (or every time) and Persistent browser session to Never persistent, and turn it On."
#   frameworks:
#     cis_m365: ["5.2.2.4"]
#   sources: [conditionalAccessPolicies]
#   exclusions: ca
package sg365.cis_m365.cis_5_2_2_4

import rego.v1

import data.sg365.lib.cis

sif(p) := cis.get(p, ["sessionControls", "signInFrequency"], {})

browser(p) := cis.get(p, ["sessionControls", "persistentBrowser"], {})

sets_session(p) if cis.get(sif(p), ["isEnabled"], false) == true

sets_session(p) if cis.get(browser(p), ["isEnabled"], false) == true

# hours converts a time-based sign-in frequency to hours.
hours(f) := f.value if lower(f.type) == "hours"

hours(f) := f.value * 24 if lower(f.type) == "days"

frequency_ok(f) if cis.get(f, ["frequencyInterval"], "") == "everyTime"

frequency_ok(f) if {
	cis.get(f, ["frequencyInterval"], "timeBased") == "timeBased"
	hours(f) <= 4
}

session_gaps(p) := ({"sign-in frequency is not enabled" |
	cis.get(sif(p), ["isEnabled"], false) != true
} | {sprintf("sign-in frequency is %v %v, more than 4 hours", [cis.get(sif(p), ["value"], "?"), cis.get(sif(p), ["type"], "?")]) |
	cis.get(sif(p), ["isEnabled"], false) == true
	not frequency_ok(sif(p))
}) | {sprintf("persistent browser session is %v", [cis.get(browser(p), ["mode"], "not set")]) |
	not browser_never(p)
}

browser_never(p) if {
	cis.get(browser(p), ["isEnabled"], false) == true
	cis.get(browser(p), ["mode"], "") == "never"
}

candidates := [p |
	some p in cis.policies
	sets_session(p)
	not cis.other_purpose(p)
]

all_gaps(p) := cis.coverage_gaps(p) | session_gaps(p)

gaps := {cis.id_of(p): all_gaps(p) | some p in candidates}

result := cis.verdict(candidates, gaps, "limits administrator sessions")
