// Package deviceguard assesses and protects the devices that reach
// Microsoft 365: Intune managed devices, their Defender antivirus state,
// compliance and detected apps, Microsoft Defender for Endpoint machines and
// device alerts.
//
// # Vocabulary
//
// Collect reads those sources through Graph and the Defender for Endpoint
// API into the devices section of a posture inventory
// (docs/inventory-devices.md); Scan grades it with the "device" Rego pack
// (checks D1–D17). A response Action (sync, scan, update-signatures,
// reboot, lock, isolate, release, retire, wipe) is first planned (Plan: the
// exact call, nothing sent) and only run by Execute; every executed or
// attempted action is appended to the AuditLog in the repository.
//
// The package never prints; commands render its results.
package deviceguard
