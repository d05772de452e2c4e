package tenant

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// stateBuilder turns records back into a tenant, checking the references
// the handlers rely on, so that a bad file fails here and not in a request.
type stateBuilder struct {
	now     func() time.Time
	t       *Tenant
	blobs   map[int]Blob
	records int

	user  *User    // the last user, owner of the mailbox records that follow
	mb    *Mailbox // its mailbox, once the mailbox record has arrived
	drive *Drive   // the last drive, owner of the item records that follow
}

func newStateBuilder(now func() time.Time) *stateBuilder {
	return &stateBuilder{now: now, blobs: map[int]Blob{}}
}

// add decodes one record and adds it to the tenant.
func (b *stateBuilder) add(kind byte, payload []byte) error {
	b.records++
	if kind == recTenant {
		return b.tenant(payload)
	}
	if b.t == nil {
		return invalid("%q record before the tenant record", kind)
	}
	switch kind {
	case recGroup:
		return b.group(payload)
	case recDrive:
		return b.driveRec(payload)
	case recItem:
		return b.item(payload)
	case recUser:
		return b.userRec(payload)
	case recMailbox:
		return b.mailbox(payload)
	}
	if b.mb == nil {
		return invalid("%q record outside a mailbox", kind)
	}
	switch kind {
	case recFolder:
		return b.folder(payload)
	case recMessage:
		return b.message(payload)
	case recCalendar:
		return b.calendar(payload)
	case recEvent:
		return b.event(payload)
	case recContactFolder:
		return b.contactFolder(payload)
	case recContact:
		return b.contact(payload)
	}
	return invalid("unknown record kind %q", kind)
}

func (b *stateBuilder) tenant(payload []byte) error {
	if b.t != nil {
		return invalid("second tenant record")
	}
	var r tenantRec
	if err := decodeFrame(recTenant, payload, &r); err != nil {
		return err
	}
	b.t = &Tenant{seq: r.Seq, ids: r.IDs, Seed: r.Seed, ID: r.ID, DisplayName: r.DisplayName,
		DefaultDomain: r.DefaultDomain, Created: r.Created, Now: b.now,
		Org: r.Org, Domains: r.Domains, SKUs: r.SKUs,
		UsersLog: r.UsersLog.log(), GroupsLog: r.GroupsLog.log(),
		UsersByID: map[string]*User{}, GroupsByID: map[string]*Group{}, Drives: map[string]*Drive{}, Config: r.Config, Security: r.Security}
	if b.t.Config == nil { // saved before the configuration existed
		b.t.Config = NewConfig()
	}
	if b.t.Security == nil { // saved before the security data existed
		b.t.Security = NewSecurity()
	}
	return nil
}

func (b *stateBuilder) group(payload []byte) error {
	var r groupRec
	if err := decodeFrame(recGroup, payload, &r); err != nil {
		return err
	}
	g := &Group{ID: r.ID, Props: r.Props, Members: r.Members, Version: r.Version, Deleted: r.Deleted}
	b.t.Groups = append(b.t.Groups, g)
	for _, k := range r.Keys {
		b.t.GroupsByID[k] = g
	}
	return nil
}

func (b *stateBuilder) driveRec(payload []byte) error {
	var r driveRec
	if err := decodeFrame(recDrive, payload, &r); err != nil {
		return err
	}
	if b.t.Drives[r.ID] != nil {
		return invalid("drive %s twice", r.ID)
	}
	if err := b.checkDrive(); err != nil {
		return err
	}
	b.drive = &Drive{ID: r.ID, Owner: r.Owner, Props: r.Props, RootID: r.RootID, Items: map[string]*DriveItem{}, Log: r.Log.log()}
	b.t.Drives[r.ID] = b.drive
	return nil
}

func (b *stateBuilder) item(payload []byte) error {
	if b.drive == nil {
		return invalid("drive item before its drive")
	}
	var r itemRec
	if err := decodeFrame(recItem, payload, &r); err != nil {
		return err
	}
	it := &DriveItem{ID: r.ID, ParentID: r.ParentID, Name: r.Name, Folder: r.Folder, Children: r.Children,
		Props: r.Props, Permissions: r.Permissions, Version: r.Version, Deleted: r.Deleted,
		SharingSeq: r.SharingSeq, PreSharingVersion: r.PreSharingVersion}
	var err error
	if it.Content, err = b.blob(r.Content); err != nil {
		return err
	}
	if r.Versions != nil {
		it.Versions = make([]*FileVersion, len(r.Versions))
		for i, v := range r.Versions {
			it.Versions[i] = &FileVersion{ID: v.ID, Modified: v.Modified}
			if it.Versions[i].Content, err = b.blob(v.Content); err != nil {
				return err
			}
		}
	}
	if it.Props == nil {
		return invalid("drive item %s has no properties", r.ID)
	}
	b.drive.Items[it.ID] = it
	return nil
}

// checkDrive verifies the items of the drive just completed: the root
// exists and every parent and child reference resolves.
func (b *stateBuilder) checkDrive() error {
	d := b.drive
	if d == nil {
		return nil
	}
	if root := d.Items[d.RootID]; root == nil || !root.Folder {
		return invalid("drive %s has no root folder", d.ID)
	}
	for _, it := range d.Items {
		if it.ID != d.RootID && d.Items[it.ParentID] == nil {
			return invalid("drive item %s: parent %s not found", it.ID, it.ParentID)
		}
		for _, c := range it.Children {
			if d.Items[c] == nil {
				return invalid("drive item %s: child %s not found", it.ID, c)
			}
		}
	}
	return nil
}

func (b *stateBuilder) userRec(payload []byte) error {
	var r userRec
	if err := decodeFrame(recUser, payload, &r); err != nil {
		return err
	}
	if err := b.checkDrive(); err != nil {
		return err
	}
	b.drive = nil
	if err := b.checkMailbox(); err != nil {
		return err
	}
	u := &User{ID: r.ID, UPN: r.UPN, Props: r.Props, Version: r.Version, Deleted: r.Deleted}
	if r.Drive != "" {
		if u.Drive = b.t.Drives[r.Drive]; u.Drive == nil {
			return invalid("user %s: drive %s not found", r.ID, r.Drive)
		}
	}
	if r.Mailbox {
		u.Mailbox = &Mailbox{}
	}
	if u.Props == nil {
		return invalid("user %s has no properties", r.ID)
	}
	b.t.Users = append(b.t.Users, u)
	for _, k := range r.Keys {
		b.t.UsersByID[k] = u
	}
	b.user, b.mb = u, nil
	return nil
}

func (b *stateBuilder) mailbox(payload []byte) error {
	if b.user == nil || b.user.Mailbox == nil || b.mb != nil {
		return invalid("mailbox record without a user that has a mailbox")
	}
	var r mailboxRec
	if err := decodeFrame(recMailbox, payload, &r); err != nil {
		return err
	}
	mb := b.user.Mailbox
	*mb = Mailbox{
		Folders:        map[string]*MailFolder{},
		WellKnown:      r.WellKnown,
		FoldersLog:     r.FoldersLog.log(),
		Messages:       map[string]*Message{},
		Retired:        r.Retired,
		Calendars:      map[string]*Calendar{},
		Events:         map[string]*Event{},
		ContactFolders: map[string]*ContactFolder{},
		Contacts:       map[string]*Contact{},
	}
	if mb.WellKnown == nil {
		mb.WellKnown = map[string]string{}
	}
	if mb.Retired == nil {
		mb.Retired = map[string]string{}
	}
	b.mb = mb
	return nil
}

// checkMailbox verifies the mailbox just completed: well-known folders and
// the default calendar and contact folder exist.
func (b *stateBuilder) checkMailbox() error {
	if b.user == nil || b.user.Mailbox == nil {
		return nil
	}
	mb := b.mb
	if mb == nil {
		return invalid("user %s: mailbox records missing", b.user.ID)
	}
	for name, id := range mb.WellKnown {
		if mb.Folders[id] == nil {
			return invalid("user %s: well-known folder %s (%s) not found", b.user.ID, name, id)
		}
	}
	if !slices.ContainsFunc(mb.CalendarList, func(c *Calendar) bool { return c.Default }) ||
		!slices.ContainsFunc(mb.ContactFolderList, func(c *ContactFolder) bool { return c.Default }) {
		return invalid("user %s: default calendar or contact folder missing", b.user.ID)
	}
	return nil
}

func (b *stateBuilder) folder(payload []byte) error {
	var r folderRec
	if err := decodeFrame(recFolder, payload, &r); err != nil {
		return err
	}
	if r.Props == nil {
		return invalid("mail folder %s has no properties", r.ID)
	}
	f := &MailFolder{ID: r.ID, ParentID: r.ParentID, WellKnown: r.WellKnown, Hidden: r.Hidden, Props: r.Props,
		Version: r.Version, Deleted: r.Deleted, Log: r.Log.log(), Count: r.Count, Unread: r.Unread}
	b.mb.Folders[f.ID] = f
	b.mb.FolderList = append(b.mb.FolderList, f)
	return nil
}

func (b *stateBuilder) message(payload []byte) error {
	var r messageRec
	if err := decodeFrame(recMessage, payload, &r); err != nil {
		return err
	}
	if b.mb.Folders[r.FolderID] == nil || r.Props == nil {
		return invalid("message %s: folder %q not found or no properties", r.ImmutableID, r.FolderID)
	}
	m := &Message{ID: r.ID, ImmutableID: r.ImmutableID, FolderID: r.FolderID, Props: r.Props, Version: r.Version,
		MoveGen: r.MoveGen, ExtProps: r.ExtProps, Deleted: r.Deleted}
	var err error
	if m.MIME, err = b.blob(r.MIME); err != nil {
		return err
	}
	if m.Attachments, err = b.attachments(r.Attachments); err != nil {
		return err
	}
	b.mb.Messages[m.ID] = m
	b.mb.Messages[m.ImmutableID] = m
	return nil
}

func (b *stateBuilder) calendar(payload []byte) error {
	var r calendarRec
	if err := decodeFrame(recCalendar, payload, &r); err != nil {
		return err
	}
	c := &Calendar{ID: r.ID, Props: r.Props, Default: r.Default, Log: r.Log.log()}
	b.mb.Calendars[c.ID] = c
	b.mb.CalendarList = append(b.mb.CalendarList, c)
	return nil
}

func (b *stateBuilder) event(payload []byte) error {
	var r eventRec
	if err := decodeFrame(recEvent, payload, &r); err != nil {
		return err
	}
	if b.mb.Calendars[r.CalendarID] == nil || r.Props == nil {
		return invalid("event %s: calendar %q not found or no properties", r.ID, r.CalendarID)
	}
	e := &Event{ID: r.ID, CalendarID: r.CalendarID, Props: r.Props, Version: r.Version, Deleted: r.Deleted,
		Exceptions: r.Exceptions, Cancelled: r.Cancelled}
	var err error
	if e.Attachments, err = b.attachments(r.Attachments); err != nil {
		return err
	}
	b.mb.Events[e.ID] = e
	return nil
}

func (b *stateBuilder) contactFolder(payload []byte) error {
	var r contactFolderRec
	if err := decodeFrame(recContactFolder, payload, &r); err != nil {
		return err
	}
	f := &ContactFolder{ID: r.ID, ParentID: r.ParentID, Props: r.Props, Default: r.Default, Log: r.Log.log()}
	b.mb.ContactFolders[f.ID] = f
	b.mb.ContactFolderList = append(b.mb.ContactFolderList, f)
	return nil
}

func (b *stateBuilder) contact(payload []byte) error {
	var r contactRec
	if err := decodeFrame(recContact, payload, &r); err != nil {
		return err
	}
	if b.mb.ContactFolders[r.FolderID] == nil || r.Props == nil {
		return invalid("contact %s: folder %q not found or no properties", r.ID, r.FolderID)
	}
	b.mb.Contacts[r.ID] = &Contact{ID: r.ID, FolderID: r.FolderID, Props: r.Props, Version: r.Version, Deleted: r.Deleted}
	return nil
}

func (b *stateBuilder) attachments(recs []attachmentRec) ([]*Attachment, error) {
	if recs == nil {
		return nil, nil
	}
	out := make([]*Attachment, len(recs))
	for i, r := range recs {
		c, err := b.blob(r.Content)
		if err != nil {
			return nil, err
		}
		out[i] = &Attachment{ID: r.ID, Kind: r.Kind, Props: r.Props, Content: c}
	}
	return out, nil
}

// blob resolves a blob reference.
func (b *stateBuilder) blob(r *blobRef) (Blob, error) {
	switch {
	case r == nil:
		return nil, nil
	case r.Gen != nil:
		if r.Gen.Len < 0 {
			return nil, invalid("generated blob of %d bytes", r.Gen.Len)
		}
		return *r.Gen, nil
	}
	bl, ok := b.blobs[r.ID]
	if !ok {
		return nil, invalid("reference to blob %d, which is not in the file before it", r.ID)
	}
	return bl, nil
}

// readBlob reads the content announced by bh from the chunk frames that
// follow it.
func (b *stateBuilder) readBlob(fr *frameReader, bh blobHeader, spool Spool) error {
	if bh.Size < 0 || bh.ID <= 0 || b.blobs[bh.ID] != nil {
		return invalid("blob frame %d: id %d, %d bytes", fr.frames, bh.ID, bh.Size)
	}
	cr := &chunkReader{fr: fr, left: bh.Size}
	var bl Blob
	if spool != nil && !bh.Mem {
		var err error
		if bl, err = spool(cr, bh.Size); err != nil {
			return fmt.Errorf("load blob %d: %w", bh.ID, err)
		}
		if cr.left != 0 || len(cr.cur) != 0 || bl.Size() != bh.Size {
			return fmt.Errorf("load blob %d: spool took %d of %d bytes", bh.ID, bh.Size-cr.left, bh.Size)
		}
	} else {
		// Grow with the data rather than trusting the size up front.
		var buf bytes.Buffer
		buf.Grow(int(min(bh.Size, stateChunk)))
		if _, err := io.Copy(&buf, cr); err != nil {
			return err
		}
		bl = Bytes(buf.Bytes())
	}
	b.blobs[bh.ID] = bl
	return nil
}

// finish checks the last owner records and returns the tenant.
func (b *stateBuilder) finish() (*Tenant, error) {
	if b.t == nil {
		return nil, invalid("no tenant record")
	}
	if err := b.checkDrive(); err != nil {
		return nil, err
	}
	if err := b.checkMailbox(); err != nil {
		return nil, err
	}
	for _, g := range b.t.Groups {
		if g.Props == nil {
			return nil, invalid("group %s has no properties", g.ID)
		}
	}
	for k, u := range b.t.UsersByID {
		if k != strings.ToLower(k) {
			return nil, invalid("user key %q of %s is not lower case", k, u.ID)
		}
	}
	return b.t, nil
}

func (r logRec) log() ChangeLog {
	var l ChangeLog
	l.floor, l.gaps = r.Floor, r.Gaps
	if len(r.Entries) > 0 {
		l.entries = make([]Entry, len(r.Entries))
		l.last = make(map[string]int64, len(r.Entries))
	}
	for i, e := range r.Entries {
		l.entries[i] = Entry{Seq: e.Seq, ID: e.ID, Removed: e.Removed, Reason: e.Reason}
		l.last[e.ID] = e.Seq
	}
	return l
}
