package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
)

// Kind is what an item is. Its numeric value is stored in the database and
// must never change.
type Kind int

// Item kinds.
const (
	KindMessage Kind = 1
	KindFile    Kind = 2
	KindFolder  Kind = 3
	KindEvent   Kind = 4
	KindContact Kind = 5
)

var kindNames = map[Kind]string{KindMessage: "message", KindFile: "file", KindFolder: "folder",
	KindEvent: "event", KindContact: "contact"}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// ParseKind parses a kind name ("message", "file", …; plurals too).
func ParseKind(s string) (Kind, error) {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "s")
	for k, n := range kindNames {
		if n == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown kind %q (known: message, event, contact, file, folder)", s)
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// flags stored per row.
const (
	flagDraft      = 1 << iota // a draft message: it may change under the same id
	flagIncomplete             // the item could not be read completely; read it again
)

// Item is one item of a snapshot as the catalog records it.
type Item struct {
	Kind   Kind
	ID     string // Graph id
	Folder string // container path by display names ("Inbox/Projects", "Documents")
	Name   string // subject (messages, events), file or folder name, contact display name
	From   string // sender: "Name <address>"
	To     string // To recipients, comma-separated
	Cc     string // Cc recipients, comma-separated
	// Date is the date searches use: received (else sent) for messages,
	// last modified for files and folders, start for events.
	Date     time.Time
	Sent     time.Time
	Received time.Time
	Modified time.Time
	Size     int64
	Hash     string // hex SHA-256 of a message's MIME (Options.HashMail), or the drive's hash
	flags    int
}

// entry is an item as a snapshot's listing shows it, before reading it.
type entry struct {
	// Item holds what the listing knows: Kind, ID and Folder always, more
	// for some kinds (see same).
	Item
	// load reads the rest of the item from the snapshot into it; nil when
	// the listing knows everything.
	load func(ctx context.Context, it *Item) error
	// same reports whether old, an indexed version of the item, is this
	// version when only its folder may differ.
	same func(old *Item) bool
}

// lister lists the items of one workload of a snapshot by calling emit for
// each; it lists nothing for snapshots of other workloads.
type lister func(ctx context.Context, v *dataguard.View, opts Options, emit func(entry) error) error

// listers are run for every snapshot, one per workload (mail.go, drive.go,
// events.go, contacts.go).
var listers = []lister{listMail, listDrive, listEvents, listContacts}
