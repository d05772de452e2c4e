// Package restore writes DataGuard snapshots back to Microsoft 365: mail,
// events and contacts into a mailbox, files into a OneDrive, to the user
// they came from or to another one. It reads snapshots only through dataguard.View and speaks
// Graph only through internal/graph. It never prints: progress goes to
// the Reporter, the outcome to the returned Summary, which is complete
// enough to be written to an audit log as it is.
//
// # Mail
//
// The folder tree is recreated by display names under the destination
// (the top of the mailbox when restoring to the original user; a folder
// "Restored from <user> <snapshot time>", or Request.Folder, otherwise):
// a folder with the same name path is reused, missing ones are created.
// Well-known folders match by name, so "Inbox" goes to the Inbox.
//
// A message is created from JSON, never from MIME, which Graph would turn
// into a draft: the backed-up properties of the JSON sidecar (subject,
// from, sender, recipients, reply-to, internetMessageId, importance, read
// state, flag, categories, receipt requests), the body (HTML, else text)
// and the attachments taken out of the stored MIME, and the MAPI
// properties PidTagMessageFlags (read bit as isRead, no unsent bit: not a
// draft; a backed-up draft keeps the bit), PidTagClientSubmitTime
// (sentDateTime), PidTagMessageDeliveryTime (receivedDateTime),
// In-Reply-To and References. Attachments up to 2 MiB in all ride in the
// create request; others are added afterwards, with one POST when under
// 3 MB and through an attachment upload session above, streamed from the
// repository. Inline attachments keep their content id.
//
// # Calendars
//
// Calendars are flat: each calendar's events go to the target's calendar
// of the same name, created if missing, and the default calendar to the
// default calendar, for another user too (Request.Folder, when set, names
// the one calendar everything goes to). An event is created from its
// stored JSON with the writable properties only (eventProps: subject,
// body, start and end with their time zones, isAllDay, location and
// locations, importance, sensitivity, showAs, categories, reminder,
// responseRequested, allowNewTimeProposals, hideAttendees; recurrence for
// a series master), then its attachments are added: files under 3 MB with
// one POST, larger ones through an event attachment upload session,
// streamed; reference attachments from their JSON; an item attachment
// (stored as its MIME) as a .eml file. A series master backed up with its
// exceptions and cancelled occurrences (dataguard.EventSeries) gets them
// back on the new series: its instances are listed over the window the
// backup read, the occurrence each exception replaces is PATCHed with the
// exception's writable properties (subject, body, times, location, …;
// updating an occurrence makes it an exception) and each cancelled
// occurrence is deleted. Occurrences are matched by original start, within
// three hours (daylight saving). A series whose exceptions cannot all be
// applied is deleted again and counted failed, like one whose attachments
// fail, so that a rerun creates it whole; a rerun of a complete restore
// skips the series as it skips any existing event.
//
// Nobody is invited. Graph sends a meeting request to every attendee of
// an event created with attendees (user-post-events: "When an event is
// sent, the server sends invitations to all the attendees") and a meeting
// update when attendees are patched in (event-update); v1.0 has no switch
// to suppress either (EWS's SendMeetingInvitations="SendToNone" has no
// Graph counterpart), and an event is always created with the mailbox as
// its organizer. So attendees and organizer are never sent: the restored
// event is an appointment of the target, and the backed-up organizer and
// attendees (with their responses) are kept on it as JSON in a named MAPI
// property of our own (propAttendees), where a later restore or an export
// finds them. isOnlineMeeting is not sent either (Exchange would make a
// new Teams meeting; the old join link is in the body). Likewise a
// replace never deletes a meeting the target organizes with attendees
// (event-delete: "deleting the event on the organizer's calendar sends a
// cancellation message to the meeting attendees"): such an item is
// skipped. Restored events carry a transactionId per run and event, so
// Graph itself drops a repeated create after a lost answer.
//
// An event collides with an event of the target calendar with the same
// subject and start (listed once per calendar); restoring to the original
// user, also with one of the same iCalUId (the event is still there,
// changed or not). An event restored earlier has a new iCalUId, so the
// subject and start find it on a rerun. iCalUId alone is not used for
// another user: their copy of a meeting both attend has the organizer's
// iCalUId, and the subject and start match it anyway.
//
// # Contacts
//
// Contact folders are recreated by name below the target's default
// Contacts folder (and Request.Folder): the default folder's contacts go
// to the default folder, "Contacts/Clients" to Clients in it. A contact is
// created from its writable properties (contactProps; not the photo). It
// collides with a contact of the same display name and first e-mail
// address in the target folder, or, restoring to the original user, the
// contact under its own id.
//
// # OneDrive
//
// Folders are recreated by name and files uploaded, streamed from the
// repository: one PUT up to 4 MiB, an upload session above. The backed-up
// fileSystemInfo (created and modified times) is set on every restored
// item. Restoring to the original user with CollisionReplace first looks
// a file up by its id: a file that was encrypted in place and renamed
// (ransomware) gets its content back (unless it is unchanged, by hash and
// size), its name and folder, so no encrypted copy is left behind and it
// keeps its id, sharing and version history.
//
// # Collisions and idempotency
//
// Before the first message goes into a target folder, the folder's
// messages are listed once ($select of four properties); a message
// collides with one that has the same internetMessageId, or, when it has
// none, the same subject and sent time (a message restored without
// internetMessageId may get one from Exchange, so the id cannot be its
// key). A file collides with an item of the same name in its folder, each
// folder being listed once. CollisionSkip (the default) leaves the
// existing item; CollisionCopy restores beside it (a file gets
// "name 1.ext"); CollisionReplace creates the message and then deletes
// the old one (messages cannot be overwritten), or uploads the file's
// content over the existing one (conflictBehavior replace), skipping the
// upload when the content is already the same (ActionUnchanged).
// Running a restore again therefore creates nothing new with skip or
// replace.
//
// Writes whose outcome is unknown (a dropped connection, a cut-off answer,
// a 5xx after the server may have done the work) are not repeated
// blindly: before creating a message again the folder is searched for it
// by its key; before adding an attachment again, the message's
// attachments are listed; folders are created with conflictBehavior fail
// and looked up on a conflict; a file upload that meets a conflict
// compares the file there with the snapshot by hash. A message whose
// attachments could not all be added is deleted again, so that the next
// run restores it whole.
//
// # Concurrency
//
// Request.Workers snapshots are restored at once, and in each
// Request.ItemWorkers items; folders are prepared in path order by one
// goroutine while earlier items are being written. The graph client's
// governor keeps every mailbox and drive within Graph's limits. Items are
// retried itemAttempts times; an item that still fails is recorded and
// the run goes on.
//
// # Adding a workload
//
// A workload is one file defining a restore function and a paths
// function, registered in the workloads table (restore.go); calendar.go
// and contacts.go follow the mail pattern (container by name, a collision
// index per container, create from the sidecar JSON).
package restore
