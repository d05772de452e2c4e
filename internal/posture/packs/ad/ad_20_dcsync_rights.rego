# METADATA
# title: Only domain controllers and administrators can replicate secrets
# description: "On the domain head, DS-Replication-Get-Changes together with -Get-Changes-All (or full control) is granted only to SYSTEM, Administrators, Domain Admins, Enterprise Admins and the domain controller groups."
# related_resources:
#   - ref: https://attack.mitre.org/techniques/T1003/006/
#   - ref: https://learn.microsoft.com/en-us/windows/win32/adschema/r-ds-replication-get-changes-all
# custom:
#   id: SG.AD.20
#   severity: critical
#   level: MUST
#   rationale: "These rights let a principal pull every password hash, krbtgt included, from a domain controller (DCSync): whoever holds them owns the domain."
#   remediation: "Remove the replication rights from the listed principals (Active Directory Users and Computers > domain > Properties > Security > Advanced); if a tool such as Entra Connect needs them, keep that one account, protect it like a Domain Admin and document the exception."
#   frameworks:
#     mitre_attack: [T1003.006]
#     sg365_ad: [AD20]
#   sources: [activeDirectory]
package sg365.ad.ad_20

import rego.v1

import data.sg365.lib.ad

allowed_rids := {498, 512, 516, 519, 521}

allowed(sid) if sid in {"S-1-5-18", "S-1-5-9", "S-1-5-32-544"}

allowed(sid) if {
	ad.domain_sid != ""
	startswith(sid, concat("", [ad.domain_sid, "-"]))
	parts := split(sid, "-")
	allowed_rids[to_number(parts[count(parts) - 1])]
}

can_dcsync(r) if r.fullControl

can_dcsync(r) if {
	r.getChanges
	r.getChangesAll
}

ev contains {"type": "principal", "id": r.sid, "displayName": object.get(r, "name", ""), "detail": right(r)} if {
	some r in rights
	can_dcsync(r)
	not allowed(r.sid)
}

right(r) := "full control of the domain head" if r.fullControl

else := "DS-Replication-Get-Changes and -Get-Changes-All"

rights := object.get(ad.domain, "replicationRights", null)

result := {"status": "error", "summary": "the domain head's security descriptor was not read; result unknown", "reason": "replicationRights is null: the bind account could not read nTSecurityDescriptor of the domain head"} if {
	rights == null
} else := ad.verdict([e | some e in ev], "%d unexpected principal(s) can DCSync", "only domain controllers and administrators can replicate secrets")
