// Package dataguard backs up Microsoft 365 data into the repository:
// Exchange mail, calendars and contacts and OneDrive files, incrementally
// forever, from Graph delta queries and listings. It never prints: progress goes to the Reporter the caller
// supplies, the outcome to the returned Summary.
//
// # Snapshots
//
// Backup writes one snapshot per (tenant, workload, user): repo.Source
// {Tenant: tenant id, Workload: "exchange-mail", "exchange-calendar",
// "exchange-contacts" or "onedrive", Resource: user id}, tagged with the tenant, workload, user id, user principal name
// (repo.TagResourceName) and run id. Each snapshot is complete on its own
// (kopia shares the unchanged data with its predecessors), so any one of
// them can be restored or deleted independently.
//
// # Layout
//
// The tree is keyed by Graph ids, not by display names or paths:
//
//	.state.json                       delta links, folders, failures, run id (see state)
//	mail/<folderID>/.folder.json      the folder's Graph JSON (displayName, parentFolderId, …)
//	mail/<folderID>/.index.json       per message: changeKey and MIME fingerprint
//	mail/<folderID>/<messageID>.eml   the MIME from GET …/messages/{id}/$value, byte for byte
//	mail/<folderID>/<messageID>.json  the message's Graph JSON (read state, flag, categories,
//	                                  dates, parentFolderId, …; body left out, see below)
//	calendar/<calendarID>/.folder.json   the calendar's Graph JSON (name, color, owner, …)
//	calendar/<calendarID>/.index.json    per event: changeKey, type, attachments (id →
//	                                     hash of its JSON, name, size)
//	calendar/<calendarID>/<eventID>.json the event's Graph JSON as GET /events/{id} gives it:
//	                                     subject, body, start/end with time zones,
//	                                     attendees, recurrence, organizer, …
//	calendar/<calendarID>/<eventID>.att/<attachmentID>.json
//	                                     the attachment's JSON (base-type properties, no
//	                                     contentBytes)
//	calendar/<calendarID>/<eventID>.att/<attachmentID>
//	                                     its raw content from …/attachments/{id}/$value
//	                                     (none for reference attachments)
//	calendar/<calendarID>/<eventID>.series
//	                                     a series master's exceptions and cancelled
//	                                     occurrences (EventSeries as JSON: the window
//	                                     read, each exception's original start and
//	                                     Graph JSON, the cancelled occurrences' starts)
//	contacts/<folderID>/.folder.json     the contact folder's Graph JSON
//	contacts/<folderID>/.index.json      per contact: changeKey
//	contacts/<folderID>/<contactID>.json the contact's Graph JSON
//	drive/.drive.json                 the drive's Graph JSON
//	drive/<hh>/.index.json            per item: eTag, cTag, content hash, size, parent
//	drive/<hh>/<itemID>               a file's content, byte for byte
//	drive/<hh>/<itemID>.meta.json     the driveItem JSON (name, parentReference, file facet,
//	                                  fileSystemInfo, …; download URLs removed)
//	drive/<hh>/<itemID>.perms.json    shared items only: {"value": [permission…]} as Graph
//	                                  listed them, the owner's and the item's own (inherited
//	                                  ones are on the ancestor; anonymous link URLs removed)
//
// Message ids are immutable ids (the graph client asks for them), so a
// message keeps its id when it moves. Keying by id makes renaming or moving
// a folder cost one small JSON file, whatever it holds: no item is read or
// uploaded again, and no path-rewriting logic is needed (kopia's uploader
// could not reuse a renamed folder at all). Names are applied when a
// snapshot is exported or browsed, from .folder.json and .meta.json; a
// snapshot holds everything needed to rebuild the folder tree, and the
// .state.json keeps each folder's name and parent for quick listings.
// OneDrive items sit in 256 shard directories named by two hex digits of
// an FNV-1a hash of the item id: a drive is one delta stream, so a flat
// directory would have to be rewritten in full (kopia directory manifests
// are not split) whenever any file changed; a shard is rewritten only when
// one of its items changed. Mail folders are natural shards already. Ids
// are used as names as they are; the rare characters that cannot be
// (/, %, \, control and non-ASCII bytes, a leading dot) are percent-encoded
// (MessagePaths, DriveItemPaths).
//
// The message JSON is requested with $select of every property except body
// and uniqueBody: the body is in the .eml verbatim, and Graph's rendering
// of it would double the stored size of a mailbox and the memory of a
// delta page. Download URLs are removed from driveItem JSON because they
// grant access to the file without a token.
//
// # Incremental backups
//
// A run starts from the resource's latest snapshot and its .state.json,
// carries the whole previous tree over by reference (repo's CarryOverTree:
// constant time, nothing read or uploaded), and then applies changes:
//
//   - Mail: the folder tree is listed (AllMailFolders, without hidden
//     folders), folders that are gone are removed with everything in them,
//     and each folder runs a message delta round from its stored delta link
//     (a full round for a new folder). A folder whose round reports nothing
//     is not touched at all: its index is not even read.
//   - OneDrive: one delta round over the drive from the stored link.
//   - Contacts: like mail, one contact delta round per contact folder
//     (contact-delta), over the default Contacts folder and every folder
//     below it. Graph lists the default folder's sub-folders
//     (GET /users/{id}/contactFolders) but not the default folder itself;
//     its id is their parentFolderId (or, without sub-folders, that of
//     GET /users/{id}/contacts?$top=1), and the state remembers it.
//     Deeper folders come from …/childFolders; contactFolder has no child
//     count, so each folder's children are listed every run. The delta
//     carries every property of a contact: a contact costs no request of
//     its own.
//   - Calendars: every calendar of GET /users/{id}/calendars, each compared
//     with its index by a listing (see below).
//
// Events are stored as Outlook stores them: single instances and series
// masters, whose recurrence property holds the pattern, so that a series
// can be restored as a series. Graph v1.0 offers delta only over a
// calendarView (event-delta), which expands series into occurrences
// within a fixed window and accepts no $select: a window of occurrences
// cannot be restored as a series, and events outside it are missed. The
// per-calendar delta that yields masters and single instances
// (calendars/{id}/events/delta) is beta only and returns ids, type and
// times, so every change needs a GET anyway. So each run lists the
// calendar (GET /users/{id}/calendars/{id}/events, calendar-list-events,
// which returns masters and single instances) with $select=id,changeKey,
// type,hasAttachments and 250 events a page, compares it with the
// calendar's .index.json and GETs only new events and those whose
// changeKey changed; stored events the complete listing does not report
// are removed. A calendar with nothing stored yet (first run, new
// calendar) is listed with whole events, 50 a page, and stored as listed,
// without a GET per event. An unchanged calendar thus costs one request
// per 250 events and is not rewritten; an unchanged user costs one
// request for its calendars plus one per calendar. Attachments are listed
// only for events that have or had some; an attachment whose JSON
// (name, size, lastModifiedDateTime, …) is unchanged keeps its stored
// content, and a new one is streamed from …/$value into the repository.
// Without a token there is nothing to expire: a listing is always complete
// or fails as a whole (a container failure; nothing is removed).
//
// A series master is stored with its exceptions (occurrences moved or
// edited) and cancelled occurrences in <eventID>.series, read whenever
// the master is (new or changed changeKey). Graph v1.0 exposes them only
// through GET /events/{masterId}/instances?startDateTime&endDateTime,
// which lists occurrences and exceptions (type "exception") within a
// window and leaves cancelled occurrences out; beta's exceptionOccurrences
// and cancelledOccurrences are not used. The window is the series'
// recurrence range clipped to three years before the master's last change
// and two after (one listing: Exchange expands at most 1825 days per
// request; anchored on the change, not the backup's time, so the same
// series state always stores the same bytes); each
// exception is then read in full (GET /events/{id}); a cancelled
// occurrence is a start the recurrence pattern gives within the window
// that no listed instance has as originalStart (the pattern is expanded
// in UTC from the master's start; instances are matched within three
// hours, which absorbs daylight saving shifts). Exchange keeps exceptions
// and deleted occurrences in the master item (MS-OXOCAL 3.1.4.6.2,
// Exception Attachment objects and PidLidAppointmentRecur), so changing
// or cancelling an occurrence changes the master's changeKey: the calendar
// listing reports it, and an unchanged series costs no request. A series
// costs one instances listing per 500 occurrences in the window plus one
// GET per exception when it is new or changed. Snapshots written before
// exceptions were stored have no .series files (and no series mark in the
// index); they restore as before, the series from its master alone.
//
// Change detection uses Graph's change markers, kept per item in the
// container's .index.json. A message whose changeKey is unchanged is
// skipped (delta rounds repeat items). A changed message gets a new .json;
// its MIME is downloaded again only if the fingerprint of its MIME-relevant
// properties changed (every selected property except read state, flag,
// categories, inferenceClassification, parentFolderId, webLink and the
// change-tracking fields; Exchange keeps those beside the message, not in
// its MIME) or it is a draft. So a read-state or flag change costs one
// small JSON upload and no Graph request beyond the delta page: Corso,
// which compares modification times, misses such changes entirely. Drive
// items are skipped when the eTag is unchanged; a file's content is
// downloaded only when its cTag changed and its content hash or size did
// too, so renames and moves are metadata-only.
//
// Counts are computed per container by comparing the index before and after
// the run, so each item is counted once: New, Changed (rewritten), Deleted,
// Unchanged (carried over). A message moved between folders is Deleted in
// one and New in the other, and its MIME is downloaded again.
//
// An expired delta token (410, graph.IsResyncRequired) makes that one
// container run a full round: items whose markers match are still skipped,
// and stored items the round does not report are removed (set difference).
// The other containers are not affected. A OneDrive folder reported deleted
// also removes any stored descendants the delta did not report.
//
// # Failures
//
// An item that cannot be read (a 404 because it was deleted during the run,
// a download that still fails after the graph client's retries, a stream cut
// off) is recorded in .state.json with its error text and attempt count and
// in the Summary; the previous version of the item, if any, stays in the
// snapshot. Its container keeps the delta link it started the run with, so
// that the next round reports the item again; items already stored are
// skipped there by their markers, so this costs listing only. A container
// whose delta round fails is recorded the same way (ID empty) and keeps its
// previous content. A resource that cannot be backed up at all (its folders
// cannot be listed, the repository fails) gets no snapshot and is marked
// failed; a user without a mailbox or OneDrive is skipped. Backup returns an
// error wrapping ErrPartial when any item, container or resource failed;
// context cancellation is never counted as a failure.
//
// # Crashes and cancellation
//
// A snapshot is committed only when its resource is complete, and the
// commit is atomic (see repo). A run that is killed or cancelled leaves the
// previous snapshot and its delta links as the resume point: the next run
// repeats the unfinished resources' work, and content that had already been
// uploaded (the writer flushes every 256 MiB or two minutes) is
// deduplicated instead of stored again.
//
// # Concurrency and memory
//
// Workers resources run at once; in a mailbox FolderWorkers folders run
// their delta rounds at once, each with up to four messages in flight; a
// drive downloads 2×FolderWorkers files at once. All pools are errgroups
// fed through blocking Go calls, so a delta page is not read ahead of the
// downloads. Content streams from Graph straight into the repository
// (repo.SnapshotWriter.WriteFile); memory holds per open resource a repository
// write session, a delta page per open container, the indexes of the
// containers being changed and the directory entries written, never item
// bodies or a whole mailbox. A finished mail folder's directory is written
// out and released at once (CloseDir).
//
// # Not done yet
//
// Exceptions and cancellations of event series outside the window read
// (see above), exceptions' own attachments, and series with a pattern the
// expansion does not know (their cancellations; EventSeries.
// CancelledUnknown); event attachments' derived-type properties (contentId, sourceUrl, …), which
// the $select of base properties leaves out; contact photos (the emulator
// serves none); Microsoft 365 group calendars; message attachments beyond
// the MIME (item attachments, which the MIME holds, are not stored
// separately); OneDrive
// permissions and file versions; SharePoint and Teams; archive mailboxes and
// Recoverable Items; reuse of a moved message's stored MIME (it is
// downloaded again); $batch for MIME downloads; restore and export.
package dataguard
