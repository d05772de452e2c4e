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
//
// # Restore
//
// Plan compares a snapshot with the tenant (collected live: the kinds in
// scope and those they depend on) and returns one Step per object:
// create, update with the JSON paths that change, delete-extra (only with
// Prune), unchanged, or skip with its reason. Plan only reads. Apply
// carries a plan out and records every Graph call; failures are per
// object and never stop the others.
//
//   - Order. Steps follow Registry, so named locations and authentication
//     strengths exist before the CA policies that name them; deletions come
//     last, in reverse order, so a policy stops naming a location before
//     the location goes.
//   - Matching. By key, then by the kind's MatchBy property (displayName)
//     when it is unique on both sides, as in Diff.
//   - ID remapping. A snapshot key matched under another key, or an object
//     that Apply creates (Graph assigns the id), maps old id to new; every
//     later object is remapped (each string equal to an old id is
//     replaced) before it is compared or sent. Plan marks objects that refer
//     to an object it creates as updates even when they look unchanged (a
//     location deleted behind a policy's back), showing a placeholder for
//     the new id.
//   - Directory references. Users, groups and roles the snapshot's objects
//     name (found like refs.json's) that the tenant lacks are looked up by
//     the name the snapshot recorded: a user by userPrincipalName, else
//     displayName. One match maps the id; none or several fail the steps
//     that would send the reference, with a message naming it, and Apply
//     skips their Graph call. A CA policy that names a location or strength
//     neither existing nor created (its kind out of scope) fails the same
//     way.
//   - Scope. Kinds and IDs select exactly what is written; matching of
//     other kinds is used for remapping only. Privileged kinds are planned
//     as skipped unless AllowPrivileged. A kind whose collection failed on
//     either side is skipped whole: unknown is not empty, so it is neither
//     restored nor pruned.
//   - Bodies. Only writable properties are sent: the key, the kind's
//     ReadOnlyProps, volatile properties and annotations are stripped, and
//     @odata.type is kept for Typed kinds. An update sends the changed
//     top-level properties. Per kind: a CA policy's
//     grantControls.authenticationStrength is sent as {"id"}; authentication
//     strengths change allowedCombinations only through
//     updateAllowedCombinations; the admin consent request policy is
//     replaced by PUT; PIM policies are PATCHed rule by rule; Intune
//     policies send assignments through the assign action, and a created
//     compliance policy carries its scheduled actions without ids. Role
//     assignments are created or deleted, never changed.
//
// # Audit
//
// NewAuditRecord and SaveAudit store each applied restore as a snapshot of
// source {Tenant: target, Workload: AuditWorkload, Resource: target}
// holding audit.json: who (OS user and host), when, the snapshot, the
// scope, the mappings, each written step with its result and each Graph
// call with its result.
//
// # Pin
//
// Pin marks a configuration snapshot as the tenant's golden baseline by
// writing a snapshot of source {Tenant, PinWorkload, Tenant} that holds
// pin.json and a copy of the pinned snapshot's files (deduplicated by the
// repository). The latest pin record wins; ClearPin writes one that pins
// nothing. Because every retention rule keeps the newest snapshot of a
// source, forgetting old configuration snapshots never removes the
// baseline.
package tenantguard
