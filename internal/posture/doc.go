// Package posture grades a tenant's configuration against policy packs
// written in Rego and evaluated in process with OPA.
//
// # Vocabulary
//
// An Inventory is the input: one JSON document holding Microsoft Graph
// objects as Graph returned them (camelCase), keyed by source, with a
// collection status per source (docs/inventory.md lists the keys). A Rule is
// one Rego package whose METADATA annotation carries its id, severity,
// rationale, remediation, framework mappings, licence and required sources;
// a package without package-scope METADATA is a helper library. An Engine
// holds the compiled rules of the embedded packs and of user directories.
//
// Evaluate produces a Report with one Result per rule: pass, fail, warning
// (a SHOULD rule not met), na (not licensed, not applicable, or a manual
// check) or error (an input it needs failed to collect). The engine decides
// error and licence gating before running a rule, so a missing source never
// reads as a pass or a fail. Findings turn failed results into objects with
// stable ids, and MergeHistory folds a new report into the prior history
// (first seen, last seen, resolved).
//
// # Storage
//
// SaveHistory stores one assessment in the repository as a snapshot of
// source {tenant, Workload ("posture"), tenant}: history.json (the merged
// History), report.json and the graded inventory.json. The newest snapshot
// holds the current history; LoadHistory reads it and MergeHistory folds
// the next report in. The repository is the only place the history lives,
// so a report can always be traced to the data that produced it.
//
// The package never prints; the Write* functions render a Report to the
// writer the caller gives.
package posture
