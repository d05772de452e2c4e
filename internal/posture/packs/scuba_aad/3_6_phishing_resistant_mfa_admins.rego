# METADATA
# title: Phishing-resistant MFA is required for highly privileged roles
# description: "An enforced conditional access policy requires a phishing-resistant authentication strength for every highly privileged role (or all users) on all resources."
# related_resources:
#   - ref: https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-admin-phish-resistant-mfa
#   - ref: https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/permissions-reference
# custom:
#   id: MS.AAD.3.6v1
#   severity: critical
#   level: MUST
#   rationale: "Administrators are the most valuable targets. A dedicated policy for privileged roles keeps phishing-resistant MFA in force for them even if the all-users MFA policy is changed or disabled."
#   remediation: "Create a conditional access policy that includes the directory roles Global, Privileged Role, User, SharePoint, Exchange, Hybrid Identity, Application and Cloud Application Administrator, targets all resources and grants access only with the 'Phishing-resistant MFA' authentication strength."
#   frameworks:
#     scuba: [MS.AAD.3.6v1]
#     cis_m365: ["5.2.2.5"]
#   sources: [conditionalAccessPolicies]
#   exclusions: ca
package sg365.scuba_aad.ms_aad_3_6v1

import rego.v1

import data.sg365.lib.ca
import data.sg365.lib.ca.get
import data.sg365.lib.roles

# role_gaps: the policy must include all users or every privileged role.
role_gaps(p) := set() if {
	"all" in ca.lower_set(get(ca.users(p), ["includeUsers"], []))
} else := {sprintf("does not include role %v", [name]) |
	some id, name in roles.privileged
	not id in ca.lower_set(get(ca.users(p), ["includeRoles"], []))
}

candidates := [p | some p in ca.policies; ca.grant_requires(p, "phishing_resistant"); not ca.foreign_purpose(p, set())]

gaps := {ca.id_of(p): (((((ca.state_gaps(p) | role_gaps(p)) | ca.exclusion_gaps(p)) | ca.all_apps_gaps(p)) | ca.all_clients_gaps(p)) | ca.narrowing_gaps(p, set())) | some p in candidates}

result := ca.verdict(candidates, gaps, "requires phishing-resistant MFA for highly privileged roles")
