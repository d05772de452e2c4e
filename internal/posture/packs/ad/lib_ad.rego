# Helpers for the Active Directory rules. The input is the activeDirectory
# source that internal/userguard collects (docs/inventory.md); ages are
# measured against the inventory's collectedAt.
package sg365.lib.ad

import rego.v1

ad := object.get(input.data, "activeDirectory", {})

domain := object.get(ad, "domain", {})

domain_sid := object.get(domain, "objectSid", "")

users := object.get(ad, "users", [])

computers := object.get(ad, "computers", [])

accounts := array.concat(users, computers)

groups := object.get(ad, "groups", [])

trusts := object.get(ad, "trusts", [])

computer_dns := {c.distinguishedName | some c in computers}

now_ns := time.parse_rfc3339_ns(input.collectedAt)

# age_days is the whole number of days between ts (RFC 3339) and
# collectedAt; undefined when ts is null.
age_days(ts) := floor((now_ns - time.parse_rfc3339_ns(ts)) / ((24 * 3600) * 1000000000)) if ts != null

# older_than(ts, days) holds when ts is null (never) or older than days.
older_than(ts, _) if ts == null

older_than(ts, days) if age_days(ts) > days

has_bit(a, b) if bits.and(a.userAccountControl, b) != 0

# UAC bits (MS-ADTS 2.2.16).
uac_passwd_notreqd := 32

uac_encrypted_text_pwd := 128

uac_dont_expire := 65536

uac_trusted_for_delegation := 524288

uac_not_delegated := 1048576

uac_use_des_key_only := 2097152

uac_dont_req_preauth := 4194304

uac_trusted_to_auth := 16777216

is_krbtgt(a) if a.rid == 502

is_krbtgt(a) if startswith(lower(a.sAMAccountName), "krbtgt_")

# privileged_groups_of maps an account DN to the privileged groups it is in.
privileged_groups_of[dn] contains g.sAMAccountName if {
	some g in groups
	g.privileged
	some dn in g.members
}

is_privileged(a) if privileged_groups_of[a.distinguishedName]

protected_dns := {dn | some g in groups; g.wellKnown == "protectedUsers"; some dn in g.members}

privileged_text(a) := sprintf("privileged: member of %s", [concat(", ", sort(privileged_groups_of[a.distinguishedName]))])

# with_privileged appends the privileged groups to a detail string.
with_privileged(a, detail) := concat("; ", [detail, privileged_text(a)]) if is_privileged(a)

else := detail

kind(a) := "computer" if computer_dns[a.distinguishedName]

else := "user"

evidence(a, detail) := {"type": kind(a), "id": a.distinguishedName, "displayName": a.sAMAccountName, "detail": detail}

domain_evidence(detail) := {"type": "domain", "id": domain.distinguishedName, "displayName": domain.dnsName, "detail": detail}

group_evidence(g, detail) := {"type": "group", "id": g.distinguishedName, "displayName": g.sAMAccountName, "detail": detail}

# verdict fails with ev when it is not empty and passes otherwise;
# failing is a format with one %d, the number of affected objects.
verdict(ev, failing, passing) := {"status": "fail", "summary": sprintf(failing, [count(ev)]), "evidence": ev} if {
	count(ev) > 0
} else := {"status": "pass", "summary": passing}

date(ts) := substring(ts, 0, 10) if ts != null

else := "never"
