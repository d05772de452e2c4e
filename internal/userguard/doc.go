// Package userguard assesses identities: on-premises Active Directory today,
// Entra ID later.
//
// # Active Directory
//
// CollectAD reads a domain over LDAP (LDAPS or StartTLS, simple bind, paged
// searches) into ADInventory, the "activeDirectory" source of a posture
// inventory (docs/inventory.md). NewADEngine compiles the embedded "ad"
// Rego pack (internal/posture/packs/ad, rules SG.AD.1 to SG.AD.22) that
// grades it, and ScoreAD turns the results into capped category scores and
// a global risk score (0 best, 100 worst). Age-based rules measure
// against the inventory's collectedAt, which CollectAD takes from an
// injectable clock.
//
// The package never prints and never writes to the directory: the bind
// account needs read access only.
package userguard
