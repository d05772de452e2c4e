package tenant

import (
	"strings"
	"sync"
	"time"
)

// Props holds a resource's Graph JSON properties as encoding/json decodes
// them (string, float64, bool, nil, []any, map[string]any).
type Props = map[string]any

// Tenant is one emulated Microsoft 365 tenant.
type Tenant struct {
	mu  sync.RWMutex
	seq int64
	ids uint64 // counter for NewID

	Seed          uint64
	ID            string // tenant id (GUID)
	DisplayName   string
	DefaultDomain string
	Created       time.Time
	Now           func() time.Time

	Org     Props
	Domains []Props
	SKUs    []Props

	Users     []*User          // in creation order
	UsersByID map[string]*User // by id and lower-case UPN
	UsersLog  ChangeLog

	Groups     []*Group
	GroupsByID map[string]*Group
	GroupsLog  ChangeLog

	Drives map[string]*Drive // by drive id

	Config *Config // tenant configuration (policies, roles, Intune); never nil

	Security *Security // identity protection, Defender and device data (security.go); never nil
}

// User is a directory user with an optional mailbox and OneDrive.
type User struct {
	ID      string
	UPN     string
	Props   Props
	Version int64
	Deleted bool

	Mailbox *Mailbox
	Drive   *Drive
}

// Group is a directory group.
type Group struct {
	ID      string
	Props   Props
	Members []string // user ids
	Version int64
	Deleted bool
}

// Mailbox holds a user's Exchange data.
type Mailbox struct {
	Folders    map[string]*MailFolder // by id
	FolderList []*MailFolder          // in creation order
	WellKnown  map[string]string      // well-known name -> folder id
	FoldersLog ChangeLog

	Messages map[string]*Message // by current id and immutable id
	Retired  map[string]string   // REST ids a message had before a move -> immutable id

	Calendars    map[string]*Calendar
	CalendarList []*Calendar
	Events       map[string]*Event // by id

	ContactFolders    map[string]*ContactFolder
	ContactFolderList []*ContactFolder
	Contacts          map[string]*Contact
}

// MailFolder is a mail folder; Log records the messages entering and leaving it.
type MailFolder struct {
	ID        string
	ParentID  string // "" for the root (msgfolderroot)
	WellKnown string
	Hidden    bool
	Props     Props // displayName and friends
	Version   int64
	Deleted   bool
	Log       ChangeLog
	Count     int // messages currently in the folder
	Unread    int
}

// Message is one mail item.
type Message struct {
	ID          string // REST id; changes when the message moves
	ImmutableID string // stable id (Prefer: IdType="ImmutableId")
	FolderID    string
	Props       Props
	Version     int64
	MoveGen     int
	MIME        Blob // original MIME when created from MIME or imported; nil renders from Props
	Attachments []*Attachment
	ExtProps    map[string]string // singleValueExtendedProperties by id, e.g. "Integer 0x0E07"
	Deleted     bool
}

// Attachment is a file, item or reference attachment.
type Attachment struct {
	ID      string
	Kind    string // "file", "item" or "reference"
	Props   Props  // name, contentType, isInline, contentId, lastModifiedDateTime, size
	Content Blob   // bytes of a file attachment; MIME of an item attachment
}

// Calendar holds events; Log records its events' changes.
type Calendar struct {
	ID      string
	Props   Props
	Default bool
	Log     ChangeLog
}

// Event is a calendar event.
type Event struct {
	ID          string
	CalendarID  string
	Props       Props
	Version     int64
	Attachments []*Attachment
	Deleted     bool
	// Exceptions and Cancelled are a series master's changed and cancelled
	// occurrences by OccurrenceKey (see series.go).
	Exceptions map[string]*Exception
	Cancelled  map[string]bool
}

// ContactFolder holds contacts; Log records its contacts' changes.
type ContactFolder struct {
	ID       string
	ParentID string
	Props    Props
	Default  bool
	Log      ChangeLog
}

// Contact is a personal contact.
type Contact struct {
	ID       string
	FolderID string
	Props    Props
	Version  int64
	Deleted  bool
}

// Drive is a OneDrive (or document library) with its items.
type Drive struct {
	ID     string
	Owner  string // user id
	Props  Props
	RootID string
	Items  map[string]*DriveItem
	Log    ChangeLog
}

// DriveItem is a file or folder.
type DriveItem struct {
	ID          string
	ParentID    string
	Name        string
	Folder      bool
	Children    []string // ids of children, folders only, in creation order
	Content     Blob     // current file content
	Versions    []*FileVersion
	Props       Props   // createdDateTime, lastModifiedDateTime, fileSystemInfo, file, …
	Permissions []Props // direct sharing permissions (sharing.go)
	Version     int64
	Deleted     bool
	// SharingSeq is the sequence of the item's last sharing change, and
	// PreSharingVersion its version before the sharing changes that
	// followed its last other change (see SharingOnlySince).
	SharingSeq, PreSharingVersion int64
}

// FileVersion is a stored earlier version of a file.
type FileVersion struct {
	ID       string
	Content  Blob
	Modified time.Time
}

// ETag returns the item's eTag in OneDrive's form.
func (d *DriveItem) ETag() string { return etag(d.ID, d.Version) }

// ChangeKey returns an Outlook changeKey for the given version.
func ChangeKey(id string, version int64) string {
	return encodeID("CQAAAB", SeedOf(id, version))
}

func etag(id string, v int64) string {
	return `"{` + strings.ToUpper(id) + `},` + itoa(v) + `"`
}
