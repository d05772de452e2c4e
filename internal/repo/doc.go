// Package repo stores backups in a kopia repository: deduplicated, compressed
// (zstd) and encrypted (AES-256-GCM) snapshots, one line of snapshots per
// protected resource. It wraps kopia's library API (v0.23.1) and exposes only
// its own types; nothing from kopia appears in its exported API.
//
// # Locations
//
// A repository is named by a URL. file:///absolute/path is implemented. The
// scheme selects the blob storage (Location.storage); s3:// and azure:// are
// recognised and rejected with ErrUnsupportedScheme until their backends are
// added there, any other scheme is rejected as unknown.
//
// kopia needs a small connection file per repository. Open keeps it in
// OpenOptions.ConfigDir (default os.UserCacheDir()/sg365/repos), named by a
// hash of the canonical URL, mode 0600. It records where the storage is and
// who we are ("sg365@<host>"); the password is never written anywhere, it is
// passed to each Open. The file is a cache: when it is missing Open connects
// again.
//
// # Sources and tags
//
// A Source is (tenant, workload, resource) and maps onto kopia's SourceInfo as
// Host = tenant ID, UserName = workload, Path = resource ID, which kopia's
// CLI prints as "exchange@<tenant>:<user id>". Tags (TagTenant, TagRunID, ...)
// are kopia manifest labels prefixed "tag:", so Filter matches them in the
// manifest index without loading snapshots.
//
// # Writing a snapshot
//
// NewSnapshot returns a SnapshotWriter. The engine decides the tree: paths
// are slash-separated, names may be any valid UTF-8 (emoji, spaces, very long
// names; kopia keeps them in manifests, not on a disk), and DESIGN §4 gives
// the intended layout (mail/<folder>/<id>.eml, drive/<path>, .state.json).
//
//   - WriteFile streams bytes into a kopia object as they arrive: memory
//     holds a few chunk and pack buffers (about 50-60 MiB per session, see
//     TestWriteFileMemoryIsFlat), never the file.
//   - CarryOver, CarryOverTree and CarryOverFrom reuse entries of the
//     Previous snapshot by reference: the new tree points at the same
//     object IDs, nothing is read or uploaded. A carried-over directory is
//     one entry until something below it changes, so
//     "CarryOverTree(root), then WriteFile the changed items and Remove the
//     deleted ones" costs in proportion to the change.
//   - Commit writes the directory manifests and the snapshot manifest.
//
// We build kopia's directory manifests ourselves (snapshotfs's
// DirManifestBuilder and WriteDirManifest, objects with prefix "k") rather
// than run kopia's uploader over a virtual file system. The uploader pulls
// entries from directory iterators it walks itself, which fits a local disk
// but not an engine that pushes items from parallel Graph downloads in any
// order. Its reuse of previous entries is a heuristic (same name, mtime and
// mode in the same directory) applied to every entry it is handed, so an
// unchanged folder must still be enumerated, and a renamed folder cannot be
// reused at all; corso.md (§1.4, lesson 7) describes the tree-merge glue that
// costs. Here carry-over is an explicit, read-free decision of the engine,
// which knows from Graph's delta what changed. Writing kopia's own manifest
// format keeps kopia's GC, verify and restore, and its CLI, working on our
// snapshots.
//
// # Crash safety
//
// kopia makes content visible only through index blobs, which it writes
// after the pack blobs they describe; a crash before that leaves unreferenced
// packs that maintenance deletes. Commit flushes twice: first the file data
// and directory manifests (packs, then index), then the snapshot manifest. So
// a snapshot manifest never exists before everything it refers to, and a
// writer that is never committed, because the process was killed at any
// point, leaves no snapshot at all: earlier snapshots are untouched and the
// repository verifies clean (TestKilledMidBackup kills a writing process with
// SIGKILL at several points). SnapshotWriter.Flush makes data uploaded so far
// durable, so the run after a crash does not upload it again.
//
// # Retention, maintenance, verification
//
// Forget applies a GFS Policy per source with restic's semantics and deletes
// snapshot manifests; Maintenance (owned by one client, see
// ClaimMaintenance) later frees the data no snapshot uses, with kopia's
// safety margins so it can run beside backups. Verify checks the index
// against the pack blobs, decodes every directory and reads back a
// deterministic sample of files, reporting damage per path. Stats sums what
// is stored, for "logical vs stored" summaries.
//
// # Not done yet
//
// s3:// and azure:// storage (kopia's backends work against versitygw and
// Azurite, research/deps.md §1); object-lock retention
// (NewRepositoryOptions.RetentionMode/RetentionPeriod and the
// extend-blob-retention maintenance task); changing the password; a
// read-only mode; checkpoint snapshots of an unfinished run (Flush covers
// re-upload, not re-download).
package repo
