package dataguard

import (
	"hash/fnv"
	"strings"
)

// Paths inside a snapshot. See the package documentation for the layout and
// why it is keyed by Graph ids rather than by display names.
const (
	// StatePath is the resource's backup state: delta links, containers,
	// item failures and the run id.
	StatePath = ".state.json"

	mailDir      = "mail"
	driveDir     = "drive"
	calendarDir  = "calendar"
	contactsDir  = "contacts"
	attDirExt    = ".att"
	seriesExt    = ".series"
	folderMeta   = ".folder.json"
	indexName    = ".index.json"
	emlExt       = ".eml"
	jsonExt      = ".json"
	driveMetaExt = ".meta.json"
	drivePermExt = ".perms.json"
)

// Repository workload names (repo.Source.Workload) of the workloads.
const (
	WorkloadMail     = "mail"
	WorkloadOneDrive = "onedrive"
	WorkloadCalendar = "calendar"
	WorkloadContacts = "contacts"

	sourceMail     = "exchange-mail"
	sourceOneDrive = "onedrive"
	sourceCalendar = "exchange-calendar"
	sourceContacts = "exchange-contacts"
)

// Workloads are all workloads, in the order Backup runs them by default.
var Workloads = []string{WorkloadMail, WorkloadCalendar, WorkloadContacts, WorkloadOneDrive}

// MailFolderDir is the directory holding a mail folder's messages.
func MailFolderDir(folderID string) string { return mailDir + "/" + escapeID(folderID) }

// MailFolderMetaPath is the folder's Graph JSON (displayName, parentFolderId).
func MailFolderMetaPath(folderID string) string { return MailFolderDir(folderID) + "/" + folderMeta }

// MessagePaths returns where a message's MIME and Graph JSON are stored.
func MessagePaths(folderID, messageID string) (eml, json string) {
	base := MailFolderDir(folderID) + "/" + escapeID(messageID)
	return base + emlExt, base + jsonExt
}

func mailIndexPath(folderID string) string { return MailFolderDir(folderID) + "/" + indexName }

// CalendarDir is the directory holding a calendar's events.
func CalendarDir(calendarID string) string { return calendarDir + "/" + escapeID(calendarID) }

// CalendarMetaPath is the calendar's Graph JSON (name, color, owner, …).
func CalendarMetaPath(calendarID string) string { return CalendarDir(calendarID) + "/" + folderMeta }

// EventPaths returns where an event's Graph JSON is stored and the
// directory of its attachments.
func EventPaths(calendarID, eventID string) (json, attDir string) {
	base := CalendarDir(calendarID) + "/" + escapeID(eventID)
	return base + jsonExt, base + attDirExt
}

// EventAttachmentPaths returns where an event attachment's raw content
// ($value) and its Graph JSON (without contentBytes) are stored.
func EventAttachmentPaths(calendarID, eventID, attachmentID string) (content, json string) {
	_, dir := EventPaths(calendarID, eventID)
	base := dir + "/" + escapeID(attachmentID)
	return base, base + jsonExt
}

// EventSeriesPath is where a series master's exceptions and cancelled
// occurrences are stored (EventSeries as JSON). Its extension is not
// .json, so that a scan of a calendar directory for <eventID>.json does
// not take it for an event.
func EventSeriesPath(calendarID, eventID string) string {
	return CalendarDir(calendarID) + "/" + escapeID(eventID) + seriesExt
}

func calendarIndexPath(calendarID string) string { return CalendarDir(calendarID) + "/" + indexName }

// ContactFolderDir is the directory holding a contact folder's contacts.
func ContactFolderDir(folderID string) string { return contactsDir + "/" + escapeID(folderID) }

// ContactFolderMetaPath is the contact folder's Graph JSON.
func ContactFolderMetaPath(folderID string) string {
	return ContactFolderDir(folderID) + "/" + folderMeta
}

// ContactPath is where a contact's Graph JSON is stored.
func ContactPath(folderID, contactID string) string {
	return ContactFolderDir(folderID) + "/" + escapeID(contactID) + jsonExt
}

func contactIndexPath(folderID string) string { return ContactFolderDir(folderID) + "/" + indexName }

// DriveItemPaths returns where a drive item's content (files only) and its
// driveItem JSON are stored. Items sit in one of 256 shard directories
// chosen by a hash of the id, so that no directory grows with the drive.
func DriveItemPaths(itemID string) (content, meta string) {
	base := driveShardDir(shardOf(itemID)) + "/" + escapeID(itemID)
	return base, base + driveMetaExt
}

// DriveItemPermissionsPath is where a shared drive item's sharing
// permissions are stored, beside its .meta.json: {"value": [permission…]}
// as Graph listed them, the owner's and the item's own (inherited ones are
// stored with the ancestor they come from).
// Only items with the shared facet have one; snapshots written before
// permissions were backed up have none.
func DriveItemPermissionsPath(itemID string) string {
	return driveShardDir(shardOf(itemID)) + "/" + escapeID(itemID) + drivePermExt
}

func driveShardDir(shard string) string  { return driveDir + "/" + shard }
func driveIndexPath(shard string) string { return driveShardDir(shard) + "/" + indexName }

// shardOf is the drive shard of an item id: two hex digits of its FNV-1a
// hash. It must never change, since it decides where earlier snapshots keep
// the item.
func shardOf(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	const hex = "0123456789abcdef"
	b := byte(h.Sum32())
	return string([]byte{hex[b>>4], hex[b&15]})
}

// escapeID makes a Graph id safe as one path element: "/", "%", "\",
// control and non-ASCII bytes are percent-encoded, as is a leading "." (so
// that an id can never collide with .state.json, .index.json or
// .folder.json). Graph ids are base64-like ASCII, so in practice the id
// comes back unchanged.
func escapeID(id string) string {
	if id == "" {
		return "%"
	}
	need := id[0] == '.'
	for i := 0; i < len(id) && !need; i++ {
		need = mustEscape(id[i])
	}
	if !need {
		return id
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		if mustEscape(c) || (i == 0 && c == '.') {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func mustEscape(c byte) bool {
	return c == '/' || c == '%' || c == '\\' || c < 0x20 || c >= 0x7f
}
