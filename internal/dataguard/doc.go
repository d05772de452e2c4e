// Package dataguard backs up Microsoft 365 data into the repository:
// Exchange mail and OneDrive files, incrementally forever, from Graph delta
// queries. It never prints: progress goes to the Reporter the caller
// supplies, the outcome to the returned Summary.
//
// # Snapshots
//
// Backup writes one snapshot per (tenant, workload, user): repo.Source
// {Tenant: tenant id, Workload: "exchange-mail" or "onedrive", Resource:
// user id}, tagged with the tenant, workload, user id, user principal name
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
//	drive/.drive.json                 the drive's Graph JSON
//	drive/<hh>/.index.json            per item: eTag, cTag, content hash, size, parent
//	drive/<hh>/<itemID>               a file's content, byte for byte
//	drive/<hh>/<itemID>.meta.json     the driveItem JSON (name, parentReference, file facet,
//	                                  fileSystemInfo, …; download URLs removed)
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
// Calendar and contacts; message attachments beyond the MIME (item
// attachments, which the MIME holds, are not stored separately); OneDrive
// permissions and file versions; SharePoint and Teams; archive mailboxes and
// Recoverable Items; reuse of a moved message's stored MIME (it is
// downloaded again); $batch for MIME downloads; restore and export.
package dataguard
