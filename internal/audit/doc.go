// Package audit plans, records and lists response actions: the audited
// writes sg365 makes to a tenant (device actions, user actions, alert
// updates).
//
// A Plan is exactly the call an action makes; commands print it for a dry
// run and send it only when confirmed. Every executed or attempted action
// becomes an Entry appended to the repository's append-only log (Append)
// and listed by Read. DeviceGuard and UserGuard share these types so one
// log holds both, and "sg365 audit" shows it.
package audit
