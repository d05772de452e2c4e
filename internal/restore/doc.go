// Package restore writes DataGuard snapshots back to Microsoft 365: mail
// into a mailbox, files into a OneDrive, to the user they came from or to
// another one. It reads snapshots only through dataguard.View and speaks
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
// function, registered in the workloads table (restore.go); calendar and
// contacts restores will follow the mail pattern (container by name, a
// collision index per container, create from the sidecar JSON).
package restore
