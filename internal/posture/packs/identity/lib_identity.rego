# Helpers for the identity pack (UserGuard cloud checks I1 to I15).
package sg365.lib.identity

import rego.v1

get(o, path, d) := v if {
	v := object.get(o, path, null)
	v != null
} else := d

data_of(key) := get(input.data, [key], [])

now_ns := time.parse_rfc3339_ns(input.collectedAt)

day_ns := ((24 * 60) * 60) * 1000000000

# days_since is the whole days from timestamp ts to collectedAt.
days_since(ts) := floor((now_ns - time.parse_rfc3339_ns(ts)) / day_ns)

global_admin := "62e90394-69f5-4237-9190-012177145e10"

# privileged are the highly privileged built-in roles (template ids), as
# CISA's SCuBA baseline lists them, plus Privileged Authentication
# Administrator and Security Administrator.
privileged := {
	global_admin: "Global Administrator",
	"e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
	"7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
	"fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
	"f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
	"29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
	"8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": "Hybrid Identity Administrator",
	"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
	"158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
}

users_by_id := {lower(u.id): u | some u in data_of("users")}

upn(id) := get(users_by_id, [lower(id), "userPrincipalName"], id)

user_evidence(id, name, detail) := {"type": "user", "id": lower(id), "displayName": name, "detail": detail}

registration := data_of("userRegistrationDetails")

admins := [r | some r in registration; get(r, ["isAdmin"], false)]

# phishing_resistant are the methodsRegistered values that resist phishing.
# https://learn.microsoft.com/en-us/entra/identity/authentication/concept-authentication-strengths
phishing_resistant := {"fido2", "windowsHelloForBusiness", "passKeyDeviceBound", "passKeyDeviceBoundAuthenticator", "passKeyDeviceBoundWindowsHello", "x509Certificate", "certificateBasedAuthentication"}

verdict(ev, ok, bad) := {"status": "pass", "summary": ok} if {
	count(ev) == 0
} else := {
	"status": "fail",
	"summary": sprintf("%d %s", [count(ev), bad]),
	"evidence": [e | some e in ev],
}
