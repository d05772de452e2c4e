package tenant

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"time"
)

// Record kinds of the state format. Records follow their owners: the
// tenant first, then groups, then each drive with its items, then each
// user with the mailbox records that belong to it.
const (
	recTenant        = 'T'
	recGroup         = 'G'
	recDrive         = 'D'
	recItem          = 'I'
	recUser          = 'U'
	recMailbox       = 'M'
	recFolder        = 'F'
	recMessage       = 'm'
	recCalendar      = 'K'
	recEvent         = 'e'
	recContactFolder = 'P'
	recContact       = 'c'
)

// blobRef is a Blob in a record: generated content by its parameters, any
// other content by the number of its blob frame. A nil *blobRef is a nil
// Blob.
type blobRef struct {
	Gen *Generated `json:",omitempty"`
	ID  int        `json:",omitempty"`
}

type logEntry struct {
	Seq     int64  `json:"s"`
	ID      string `json:"i"`
	Removed bool   `json:"r,omitempty"`
	Reason  string `json:"w,omitempty"`
}

type logRec struct {
	Floor   int64      `json:",omitempty"`
	Gaps    []seqRange `json:",omitempty"`
	Entries []logEntry
}

type tenantRec struct {
	Seed                           uint64
	ID, DisplayName, DefaultDomain string
	Created                        time.Time
	Seq                            int64
	IDs                            uint64
	Org                            Props
	Domains, SKUs                  []Props
	UsersLog, GroupsLog            logRec
	Config                         *Config   `json:",omitempty"`
	Security                       *Security `json:",omitempty"`
}

type groupRec struct {
	Keys    []string // keys of Tenant.GroupsByID naming the group
	ID      string
	Props   Props
	Members []string
	Version int64
	Deleted bool
}

type userRec struct {
	Keys    []string // keys of Tenant.UsersByID naming the user (old UPNs included)
	ID, UPN string
	Props   Props
	Version int64
	Deleted bool
	Drive   string // drive id; "" for none
	Mailbox bool   // mailbox records follow
}

type mailboxRec struct {
	WellKnown  map[string]string
	FoldersLog logRec
	Retired    map[string]string
}

type folderRec struct {
	ID, ParentID, WellKnown string
	Hidden                  bool
	Props                   Props
	Version                 int64
	Deleted                 bool
	Log                     logRec
	Count, Unread           int
}

type attachmentRec struct {
	ID, Kind string
	Props    Props
	Content  *blobRef
}

type messageRec struct {
	ID, ImmutableID, FolderID string
	Props                     Props
	Version                   int64
	MoveGen                   int
	MIME                      *blobRef
	Attachments               []attachmentRec
	ExtProps                  map[string]string
	Deleted                   bool
}

type calendarRec struct {
	ID      string
	Props   Props
	Default bool
	Log     logRec
}

type eventRec struct {
	ID, CalendarID string
	Props          Props
	Version        int64
	Attachments    []attachmentRec
	Deleted        bool
	Exceptions     map[string]*Exception `json:",omitempty"`
	Cancelled      map[string]bool       `json:",omitempty"`
}

type contactFolderRec struct {
	ID, ParentID string
	Props        Props
	Default      bool
	Log          logRec
}

type contactRec struct {
	ID, FolderID string
	Props        Props
	Version      int64
	Deleted      bool
}

type driveRec struct {
	ID, Owner, RootID string
	Props             Props
	Log               logRec
}

type versionRec struct {
	ID       string
	Content  *blobRef
	Modified time.Time
}

type itemRec struct {
	ID, ParentID, Name string
	Folder             bool
	Children           []string
	Content            *blobRef
	Versions           []versionRec
	Props              Props
	Permissions        []Props
	Version            int64
	Deleted            bool
	SharingSeq         int64 `json:",omitempty"`
	PreSharingVersion  int64 `json:",omitempty"`
}

// stateSink receives a tenant from walkState: each content blob once,
// before the first record that refers to it, then the records.
type stateSink interface {
	blob(id int, b Blob) error
	record(kind byte, rec any) error
}

// stateWalker turns a tenant into records. Hold a lock.
type stateWalker struct {
	sink  stateSink
	blobs map[any]int // identity of a blob already sent -> its id
	next  int
}

// bytesKey identifies a Bytes blob by its memory, since slices are not
// comparable.
type bytesKey struct {
	p *byte
	n int
}

// walkState sends t to sink in a deterministic order. Hold a lock.
func walkState(t *Tenant, sink stateSink) error {
	w := &stateWalker{sink: sink, blobs: map[any]int{}}
	err := sink.record(recTenant, tenantRec{Seed: t.Seed, ID: t.ID, DisplayName: t.DisplayName,
		DefaultDomain: t.DefaultDomain, Created: t.Created, Seq: t.seq, IDs: t.ids,
		Org: t.Org, Domains: t.Domains, SKUs: t.SKUs,
		UsersLog: logOf(&t.UsersLog), GroupsLog: logOf(&t.GroupsLog), Config: t.Config, Security: t.Security})
	if err != nil {
		return err
	}
	groupKeys := map[*Group][]string{}
	for k, g := range t.GroupsByID {
		groupKeys[g] = append(groupKeys[g], k)
	}
	for _, g := range t.Groups {
		slices.Sort(groupKeys[g])
		rec := groupRec{Keys: groupKeys[g], ID: g.ID, Props: g.Props, Members: g.Members, Version: g.Version, Deleted: g.Deleted}
		if err := sink.record(recGroup, rec); err != nil {
			return err
		}
	}
	for _, id := range stateKeys(t.Drives) {
		if err := w.drive(t.Drives[id]); err != nil {
			return err
		}
	}
	userKeys := map[*User][]string{}
	for k, u := range t.UsersByID {
		userKeys[u] = append(userKeys[u], k)
	}
	for _, u := range t.Users {
		slices.Sort(userKeys[u])
		rec := userRec{Keys: userKeys[u], ID: u.ID, UPN: u.UPN, Props: u.Props, Version: u.Version,
			Deleted: u.Deleted, Mailbox: u.Mailbox != nil}
		if u.Drive != nil {
			rec.Drive = u.Drive.ID
		}
		if err := sink.record(recUser, rec); err != nil {
			return err
		}
		if u.Mailbox != nil {
			if err := w.mailbox(u.Mailbox); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *stateWalker) drive(d *Drive) error {
	if err := w.sink.record(recDrive, driveRec{ID: d.ID, Owner: d.Owner, RootID: d.RootID, Props: d.Props, Log: logOf(&d.Log)}); err != nil {
		return err
	}
	for _, id := range stateKeys(d.Items) {
		it := d.Items[id]
		rec := itemRec{ID: it.ID, ParentID: it.ParentID, Name: it.Name, Folder: it.Folder, Children: it.Children,
			Props: it.Props, Permissions: it.Permissions, Version: it.Version, Deleted: it.Deleted,
			SharingSeq: it.SharingSeq, PreSharingVersion: it.PreSharingVersion}
		var err error
		if rec.Content, err = w.ref(it.Content); err != nil {
			return err
		}
		if it.Versions != nil {
			rec.Versions = make([]versionRec, len(it.Versions))
			for i, v := range it.Versions {
				rec.Versions[i] = versionRec{ID: v.ID, Modified: v.Modified}
				if rec.Versions[i].Content, err = w.ref(v.Content); err != nil {
					return err
				}
			}
		}
		if err := w.sink.record(recItem, rec); err != nil {
			return err
		}
	}
	return nil
}

func (w *stateWalker) mailbox(mb *Mailbox) error {
	if err := w.sink.record(recMailbox, mailboxRec{WellKnown: mb.WellKnown, FoldersLog: logOf(&mb.FoldersLog), Retired: mb.Retired}); err != nil {
		return err
	}
	for _, f := range mb.FolderList {
		rec := folderRec{ID: f.ID, ParentID: f.ParentID, WellKnown: f.WellKnown, Hidden: f.Hidden, Props: f.Props,
			Version: f.Version, Deleted: f.Deleted, Log: logOf(&f.Log), Count: f.Count, Unread: f.Unread}
		if err := w.sink.record(recFolder, rec); err != nil {
			return err
		}
	}
	// Messages are keyed by REST id and immutable id; each is sent once.
	var msgs []*Message
	for k, m := range mb.Messages {
		if k == m.ImmutableID {
			msgs = append(msgs, m)
		}
	}
	slices.SortFunc(msgs, func(a, b *Message) int { return cmp.Compare(a.ImmutableID, b.ImmutableID) })
	for _, m := range msgs {
		rec := messageRec{ID: m.ID, ImmutableID: m.ImmutableID, FolderID: m.FolderID, Props: m.Props, Version: m.Version,
			MoveGen: m.MoveGen, ExtProps: m.ExtProps, Deleted: m.Deleted}
		var err error
		if rec.MIME, err = w.ref(m.MIME); err != nil {
			return err
		}
		if rec.Attachments, err = w.attachments(m.Attachments); err != nil {
			return err
		}
		if err := w.sink.record(recMessage, rec); err != nil {
			return err
		}
	}
	for _, c := range mb.CalendarList {
		if err := w.sink.record(recCalendar, calendarRec{ID: c.ID, Props: c.Props, Default: c.Default, Log: logOf(&c.Log)}); err != nil {
			return err
		}
	}
	for _, id := range stateKeys(mb.Events) {
		e := mb.Events[id]
		rec := eventRec{ID: e.ID, CalendarID: e.CalendarID, Props: e.Props, Version: e.Version, Deleted: e.Deleted,
			Exceptions: e.Exceptions, Cancelled: e.Cancelled}
		var err error
		if rec.Attachments, err = w.attachments(e.Attachments); err != nil {
			return err
		}
		if err := w.sink.record(recEvent, rec); err != nil {
			return err
		}
	}
	for _, f := range mb.ContactFolderList {
		rec := contactFolderRec{ID: f.ID, ParentID: f.ParentID, Props: f.Props, Default: f.Default, Log: logOf(&f.Log)}
		if err := w.sink.record(recContactFolder, rec); err != nil {
			return err
		}
	}
	for _, id := range stateKeys(mb.Contacts) {
		c := mb.Contacts[id]
		if err := w.sink.record(recContact, contactRec{ID: c.ID, FolderID: c.FolderID, Props: c.Props, Version: c.Version, Deleted: c.Deleted}); err != nil {
			return err
		}
	}
	return nil
}

func (w *stateWalker) attachments(list []*Attachment) ([]attachmentRec, error) {
	if list == nil {
		return nil, nil
	}
	out := make([]attachmentRec, len(list))
	for i, a := range list {
		ref, err := w.ref(a.Content)
		if err != nil {
			return nil, err
		}
		out[i] = attachmentRec{ID: a.ID, Kind: a.Kind, Props: a.Props, Content: ref}
	}
	return out, nil
}

// ref returns the record form of b, sending b's content to the sink the
// first time b is seen.
func (w *stateWalker) ref(b Blob) (*blobRef, error) {
	switch v := b.(type) {
	case nil:
		return nil, nil
	case Generated:
		return &blobRef{Gen: &v}, nil
	}
	key, ok := blobIdentity(b)
	if ok {
		if id, seen := w.blobs[key]; seen {
			return &blobRef{ID: id}, nil
		}
	}
	w.next++
	id := w.next
	if ok {
		w.blobs[key] = id
	}
	if err := w.sink.blob(id, b); err != nil {
		return nil, err
	}
	return &blobRef{ID: id}, nil
}

// blobIdentity returns a map key that is equal for the same stored
// content (a version restored as the current content shares its blob).
func blobIdentity(b Blob) (any, bool) {
	if v, ok := b.(Bytes); ok {
		if len(v) == 0 {
			return nil, false
		}
		return bytesKey{&v[0], len(v)}, true
	}
	if reflect.TypeOf(b).Comparable() {
		return b, true
	}
	return nil, false
}

func logOf(l *ChangeLog) logRec {
	r := logRec{Floor: l.floor, Gaps: l.gaps, Entries: make([]logEntry, len(l.entries))}
	for i, e := range l.entries {
		r.Entries[i] = logEntry{Seq: e.Seq, ID: e.ID, Removed: e.Removed, Reason: e.Reason}
	}
	return r
}

func stateKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// invalid returns an error wrapping ErrInvalidState.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidState}, args...)...)
}
