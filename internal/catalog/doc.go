// Package catalog is the searchable index of DataGuard snapshots: one
// SQLite database (modernc.org/sqlite, pure Go) per repository, answering
// "which snapshot holds the mail from Adele about the budget?" without
// opening the repository. It is an index only: everything in it is read
// from the repository through dataguard.View, so Rebuild recreates it from
// the repository alone and losing it loses nothing.
//
// # Schema
//
//	sources     one row per protected resource: tenant, workload, user id and
//	            principal name, and the seq of its latest indexed snapshot
//	snapshots   one row per indexed snapshot; seq (an integer primary key)
//	            grows in indexing order, which is time order within a source
//	containers  folder paths by display names, stored once per source
//	items       one row per item version: kind, Graph id, container, name or
//	            subject, sender, recipients, dates, size, content hash, and
//	            the range of snapshots [first_seq, last_seq] of its source
//	            that hold this version (last_seq NULL: up to the latest)
//	items_fts   FTS5 index of items' name, sender and recipients
//	skipped     snapshots that are not DataGuard's, so they are not opened
//	            again
//
// # Versions, not copies
//
// Most items are the same in consecutive snapshots of a resource, so a row
// stands for a version of an item over a contiguous range of its source's
// snapshots rather than for one (item, snapshot) pair: a second snapshot
// of unchanged data adds one snapshots row and no item rows, and the
// database grows with what changed, not with the number of snapshots.
// Indexing snapshot S of a source whose latest indexed snapshot is P
// compares S's listing with the open rows (last_seq NULL): an item whose
// listing matches its open row is left alone (nothing is read from the
// repository); a new or changed item gets a new open row and its old row
// is closed at P; a moved item (same content, another folder) gets a copy
// of its row; open rows S does not list are closed at P. The listing is
// what dataguard.View gives without opening items: ids, folders and, for
// drive items, name, size and content hash. Messages are immutable in
// Exchange except drafts, so a message is read again only when it is new,
// a draft, or was not read completely. Events and contacts change under
// their ids and their listing carries no change marker, so they are read
// every time and compared with their open row by a fingerprint of the
// stored fields (no new row when nothing changed). A message's
// lastModifiedDateTime is not stored: it changes with read state and
// flags, which a listing cannot see.
//
// Reading cost: every dataguard.View.Open resolves its path from the
// snapshot root, which today re-reads the item's whole container
// directory, so reading the items of a folder costs O(items²) (about
// 25 µs per message in the folder per open on the project machine: 28 ms
// per open in a 1,500-message Inbox). Incremental indexing reads only new
// items and is not affected much; a full rebuild of very large folders
// is, until the repository caches directories or the View offers a
// per-folder read.
//
// A snapshot is indexed in one transaction, so Index is idempotent and
// resumable: a killed run leaves whole snapshots indexed or not at all.
// Snapshots are indexed oldest first within a source; a snapshot older
// than the source's latest indexed one (committed late by another host)
// makes Index drop and re-index that source. Forgotten snapshots are pruned
// on every Index: ranges are clamped to the snapshots that remain, and
// rows left without one are deleted.
//
// # Searching
//
// Find matches words: --subject and --name match every word as the start
// of a word of the subject or name, in any order; --from and --to match
// the words as a phrase in the sender or the recipients (To and Cc), names
// and addresses alike, so "adele@contoso" matches "Adele Vance
// <adele.vance@contoso.com>" only if the words are adjacent (here they are
// not: use "vance@contoso"). Matching ignores case and diacritics (FTS5's
// unicode61 tokenizer). Dates filter on an item's date: received (or sent)
// for messages, last modified for files and folders, start for events.
//
// The database holds subjects, names and addresses in clear text beside
// the encrypted repository; it is created with mode 0600 in a 0700
// directory.
package catalog
