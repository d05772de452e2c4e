// Package export writes a DataGuard snapshot, or part of it, as a tree a
// person can read without SafeGuard365, into a directory or a zip archive
// (Sink):
//
//	Mail/<folder path by display names>/<date> <subject>.eml   original MIME, byte for byte
//	Mail/<folder path>.mbox                                    with --format mbox: one mboxrd file per folder
//	OneDrive/<path>                                            file bytes, modification time from fileSystemInfo
//	Calendar/<calendar>.ics                                    iCalendar (RFC 5545), one VEVENT per event
//	                                                           and per series exception (RECURRENCE-ID);
//	                                                           cancelled occurrences as EXDATE
//	Contacts/<folder path>.vcf                                 vCard 4.0 (RFC 6350), one card per contact
//
// Names are sanitized for Linux, macOS and Windows (SanitizeName: no / \ :
// * ? " < > |, at most 255 bytes per element, shortened before the
// extension) and de-duplicated per directory, case-insensitively, with
// " (2)", " (3)", …. Directories are written through os.Root, so deep
// trees are not bounded by the system's path length and nothing can be
// written outside the output directory. A zip archive streams: each item
// is copied from the repository into the archive without being held in
// memory, into a temporary file that replaces the target only when the
// export succeeds.
//
// Snapshots are read only through dataguard.View. Items that cannot be
// read are recorded and skipped; the iCalendar and vCard writers are our
// own and cover the common properties (no attachments, no VTIMEZONE:
// times are written in UTC when the zone is known, floating otherwise).
package export
