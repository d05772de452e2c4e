// Package tenant is the emulator's in-memory model of one Microsoft 365
// tenant: directory objects, mailboxes (mail folders, messages, calendars,
// events, contact folders, contacts) and OneDrive drives, plus the change logs
// that drive Graph's delta queries.
//
// # Model
//
// Graph resources keep their Graph-shaped JSON properties in a Props map, so
// whatever a client writes is what it reads back; the fields next to Props
// are the ones the emulator itself needs (ids, parent ids, content, version).
// Byte content (MIME, attachments, file bytes) is a Blob: either bytes that a
// client uploaded, or a deterministic stream generated from a seed, so that a
// multi-gigabyte file costs no memory.
//
// # Changes and delta
//
// Every change takes the next value of the tenant's sequence counter and is
// appended to the ChangeLog of each container it affects (a move is a removal
// from one folder's log and an addition to another's). A delta token is a
// sequence number; a round returns the log entries after it that are still
// current, in sequence order, and items changed during a round show up in the
// next one. Compacting a log raises its floor: tokens below the floor are
// expired, which the handlers report as 410 Gone.
//
// # Entry points
//
// Generate builds a realistic tenant deterministically from a seed
// (GenOptions, SmallGenOptions). RenderMIME and ParseMIME convert between
// messages and RFC 5322 MIME. ImportMbox and ImportEML load real mail into
// a mailbox, keeping the original bytes. Mutate simulates activity between
// backups and reports every change; Ransomware encrypts and renames many
// files in one OneDrive. Save and Load persist a tenant completely (change
// logs included, so delta links survive a restart); Clone copies it for
// snapshots.
//
// # Concurrency
//
// A Tenant is guarded by one RWMutex. Handlers call Read or Write and touch
// the model only inside the callback.
package tenant
