package tenant

import "fmt"

// wellKnownFolders lists the folders every mailbox has, parent first, with
// their well-known names and display names as Exchange Online creates them.
// https://learn.microsoft.com/en-us/graph/api/resources/mailfolder
var wellKnownFolders = []struct{ name, display, parent string }{
	{"msgfolderroot", "Top of Information Store", ""},
	{"inbox", "Inbox", "msgfolderroot"},
	{"sentitems", "Sent Items", "msgfolderroot"},
	{"drafts", "Drafts", "msgfolderroot"},
	{"deleteditems", "Deleted Items", "msgfolderroot"},
	{"junkemail", "Junk Email", "msgfolderroot"},
	{"archive", "Archive", "msgfolderroot"},
	{"outbox", "Outbox", "msgfolderroot"},
	{"conversationhistory", "Conversation History", "msgfolderroot"},
	{"recoverableitemsroot", "Recoverable Items", ""},
	{"recoverableitemsdeletions", "Deletions", "recoverableitemsroot"},
}

// NewMailbox creates a mailbox with the well-known folders, a default
// calendar and a default contact folder. Hold the write lock.
func (t *Tenant) NewMailbox() *Mailbox {
	mb := &Mailbox{
		Folders:        make(map[string]*MailFolder),
		WellKnown:      make(map[string]string),
		Messages:       make(map[string]*Message),
		Retired:        make(map[string]string),
		Calendars:      make(map[string]*Calendar),
		Events:         make(map[string]*Event),
		ContactFolders: make(map[string]*ContactFolder),
		Contacts:       make(map[string]*Contact),
	}
	for _, wk := range wellKnownFolders {
		parent := ""
		if wk.parent != "" {
			parent = mb.WellKnown[wk.parent]
		}
		f := t.AddFolder(mb, parent, wk.display)
		f.WellKnown = wk.name
		f.Hidden = wk.name == "recoverableitemsroot" || wk.name == "recoverableitemsdeletions"
		mb.WellKnown[wk.name] = f.ID
	}
	cal := &Calendar{ID: t.NewOutlookID("AAMkAGI"), Default: true,
		Props: Props{"name": "Calendar", "color": "auto", "isDefaultCalendar": true, "canEdit": true, "canShare": true}}
	mb.Calendars[cal.ID] = cal
	mb.CalendarList = append(mb.CalendarList, cal)
	cf := &ContactFolder{ID: t.NewOutlookID("AAMkAGC"), Default: true, Props: Props{"displayName": "Contacts"}}
	mb.ContactFolders[cf.ID] = cf
	mb.ContactFolderList = append(mb.ContactFolderList, cf)
	return mb
}

// Folder resolves a folder id or well-known name, or returns nil.
func (mb *Mailbox) Folder(idOrName string) *MailFolder {
	if id, ok := mb.WellKnown[lower(idOrName)]; ok {
		idOrName = id
	}
	f := mb.Folders[idOrName]
	if f == nil || f.Deleted {
		return nil
	}
	return f
}

// ChildFolders returns the live child folders of parentID in creation order.
func (mb *Mailbox) ChildFolders(parentID string) []*MailFolder {
	var out []*MailFolder
	for _, f := range mb.FolderList {
		if f.ParentID == parentID && !f.Deleted {
			out = append(out, f)
		}
	}
	return out
}

// AddFolder creates a folder under parentID. Hold the write lock.
func (t *Tenant) AddFolder(mb *Mailbox, parentID, displayName string) *MailFolder {
	f := &MailFolder{ID: t.NewOutlookID("AAMkAGE"), ParentID: parentID, Props: Props{"displayName": displayName}}
	f.Version = t.NextSeq()
	mb.Folders[f.ID] = f
	mb.FolderList = append(mb.FolderList, f)
	mb.FoldersLog.Record(f.Version, f.ID, false, "")
	return f
}

// UpdateFolder merges props (e.g. a rename) into f. Hold the write lock.
func (t *Tenant) UpdateFolder(mb *Mailbox, f *MailFolder, props Props) {
	for k, v := range props {
		f.Props[k] = v
	}
	f.Version = t.NextSeq()
	mb.FoldersLog.Record(f.Version, f.ID, false, "")
}

// Message returns the message with the given REST or immutable id, or nil.
func (mb *Mailbox) Message(id string) *Message {
	m := mb.Messages[id]
	if m == nil || m.Deleted {
		return nil
	}
	return m
}

// AddMessage stores m in folder f, assigning ids when empty. Hold the write lock.
func (t *Tenant) AddMessage(mb *Mailbox, f *MailFolder, m *Message) {
	if m.ImmutableID == "" {
		m.ImmutableID = t.NewOutlookID("AAkALg")
	}
	if m.ID == "" {
		m.ID = t.NewOutlookID("AAMkAD")
	}
	if m.Props == nil {
		m.Props = Props{}
	}
	m.FolderID = f.ID
	m.Version = t.NextSeq()
	mb.Messages[m.ID] = m
	mb.Messages[m.ImmutableID] = m
	f.Log.Record(m.Version, m.ID, false, "")
	f.Count++
	if read, _ := m.Props["isRead"].(bool); !read {
		f.Unread++
	}
}

// UpdateMessage merges props into m and records the change. Hold the write lock.
func (t *Tenant) UpdateMessage(mb *Mailbox, m *Message, props Props) {
	f := mb.Folders[m.FolderID]
	wasRead, _ := m.Props["isRead"].(bool)
	for k, v := range props {
		m.Props[k] = v
	}
	isRead, _ := m.Props["isRead"].(bool)
	if wasRead != isRead {
		if isRead {
			f.Unread--
		} else {
			f.Unread++
		}
	}
	m.Version = t.NextSeq()
	f.Log.Record(m.Version, m.ID, false, "")
}

// MoveMessage moves m to folder dst. As in Exchange, the message gets a new
// REST id; its immutable id stays. The source folder's log records a
// removal under the old id. Hold the write lock.
func (t *Tenant) MoveMessage(mb *Mailbox, m *Message, dst *MailFolder) {
	src := mb.Folders[m.FolderID]
	if src == dst {
		return
	}
	seq := t.NextSeq()
	src.Log.Record(seq, m.ID, true, "deleted")
	src.Count--
	read, _ := m.Props["isRead"].(bool)
	if !read {
		src.Unread--
		dst.Unread++
	}
	delete(mb.Messages, m.ID)
	mb.Retired[m.ID] = m.ImmutableID
	m.MoveGen++
	m.ID = t.NewOutlookID("AAMkAD")
	mb.Messages[m.ID] = m
	m.FolderID = dst.ID
	m.Version = t.NextSeq()
	dst.Log.Record(m.Version, m.ID, false, "")
	dst.Count++
}

// DeleteMessage removes m permanently. Hold the write lock.
func (t *Tenant) DeleteMessage(mb *Mailbox, m *Message) {
	f := mb.Folders[m.FolderID]
	m.Deleted = true
	m.Version = t.NextSeq()
	f.Log.Record(m.Version, m.ID, true, "deleted")
	f.Count--
	if read, _ := m.Props["isRead"].(bool); !read {
		f.Unread--
	}
	mb.Retired[m.ID] = m.ImmutableID
	delete(mb.Messages, m.ID)
	delete(mb.Messages, m.ImmutableID)
}

// AddEvent stores e in calendar c. Hold the write lock.
func (t *Tenant) AddEvent(mb *Mailbox, c *Calendar, e *Event) {
	if e.ID == "" {
		e.ID = t.NewOutlookID("AAMkAGIAAA")
	}
	e.CalendarID = c.ID
	e.Version = t.NextSeq()
	mb.Events[e.ID] = e
	c.Log.Record(e.Version, e.ID, false, "")
}

// UpdateEvent merges props into e. A new start, end or recurrence of a
// series master drops its exceptions and cancellations, as Outlook does
// when a series' times change: they were keyed by the old occurrences'
// starts. Hold the write lock.
func (t *Tenant) UpdateEvent(mb *Mailbox, e *Event, props Props) {
	for _, k := range []string{"start", "end", "recurrence"} {
		if _, ok := props[k]; ok {
			e.Exceptions, e.Cancelled = nil, nil
		}
	}
	for k, v := range props {
		e.Props[k] = v
	}
	e.Version = t.NextSeq()
	mb.Calendars[e.CalendarID].Log.Record(e.Version, e.ID, false, "")
}

// DeleteEvent removes e. Hold the write lock.
func (t *Tenant) DeleteEvent(mb *Mailbox, e *Event) {
	e.Deleted = true
	e.Version = t.NextSeq()
	mb.Calendars[e.CalendarID].Log.Record(e.Version, e.ID, true, "deleted")
	delete(mb.Events, e.ID)
}

// AddContact stores c in folder f. Hold the write lock.
func (t *Tenant) AddContact(mb *Mailbox, f *ContactFolder, c *Contact) {
	if c.ID == "" {
		c.ID = t.NewOutlookID("AAMkAGCAAA")
	}
	c.FolderID = f.ID
	c.Version = t.NextSeq()
	mb.Contacts[c.ID] = c
	f.Log.Record(c.Version, c.ID, false, "")
}

// UpdateContact merges props into c. Hold the write lock.
func (t *Tenant) UpdateContact(mb *Mailbox, c *Contact, props Props) {
	for k, v := range props {
		c.Props[k] = v
	}
	c.Version = t.NextSeq()
	mb.ContactFolders[c.FolderID].Log.Record(c.Version, c.ID, false, "")
}

// DeleteContact removes c. Hold the write lock.
func (t *Tenant) DeleteContact(mb *Mailbox, c *Contact) {
	c.Deleted = true
	c.Version = t.NextSeq()
	mb.ContactFolders[c.FolderID].Log.Record(c.Version, c.ID, true, "deleted")
	delete(mb.Contacts, c.ID)
}

// DefaultCalendar returns the mailbox's default calendar.
func (mb *Mailbox) DefaultCalendar() *Calendar {
	for _, c := range mb.CalendarList {
		if c.Default {
			return c
		}
	}
	panic(fmt.Sprintf("mailbox without default calendar (%d calendars)", len(mb.CalendarList)))
}

// DefaultContactFolder returns the mailbox's default contact folder.
func (mb *Mailbox) DefaultContactFolder() *ContactFolder {
	for _, c := range mb.ContactFolderList {
		if c.Default {
			return c
		}
	}
	panic("mailbox without default contact folder")
}
