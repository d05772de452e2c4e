// Package tenantguard keeps the history of a Microsoft 365 tenant's
// configuration: conditional access, authentication methods, tenant-wide
// policies, directory roles and PIM, and Intune policies.
//
// # Vocabulary
//
// A Kind is one type of configuration resource (named locations,
// conditional access policies, …) with its Graph path, identity key,
// volatile fields, restore method and dependencies; Registry lists them in
// restore order. Snapshot reads every kind through Graph (Collect) and
// stores it (Save) as canonical JSON in one repository snapshot per
// tenant; the result is a State. Load reads a State back; Diff compares
// two semantically.
//
// # Unknown is not deleted
//
// A kind that failed to collect (403 because a permission is missing, a
// 5xx, throttling that outlasted the retries) is recorded as such in the
// snapshot, and Diff reports it as unknown: its objects are never reported
// as removed or changed. Reporting a failed read as drift is the most
// common false alarm of configuration-as-code tools.
//
// # Snapshot layout
//
// One snapshot per tenant, source {Tenant: id, Workload: "tenant-config",
// Resource: id}:
//
//	config/<kind>/<escaped key>.json   one object, canonical JSON (see Canonical)
//	.collection.json                   per kind: status (ok, error, forbidden), error,
//	                                   missing permission, object count, time
//	refs.json                          users, groups and roles the objects refer to,
//	                                   with display names, for mapping into another tenant
//
// Keys are escaped with url.PathEscape. A singleton kind stores one file
// named after the kind.
package tenantguard
