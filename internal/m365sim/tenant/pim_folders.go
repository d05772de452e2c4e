package tenant

import "fmt"

// AddCalendar creates a calendar named name in mb's default calendar
// group, owned by owner ({"name", "address"}), with the properties a
// created calendar has (calendar resource; user-post-calendars). Names are
// not checked for uniqueness here: the caller decides. Hold the write lock.
// https://learn.microsoft.com/en-us/graph/api/resources/calendar
func (t *Tenant) AddCalendar(mb *Mailbox, name string, owner Props) *Calendar {
	c := &Calendar{ID: t.NewOutlookID("AAMkAGI"), Props: Props{
		"name": name, "color": "auto", "hexColor": "", "isDefaultCalendar": false,
		"canEdit": true, "canShare": true, "canViewPrivateItems": true,
		"isRemovable": true, "isTallyingResponses": true, "owner": owner,
	}}
	mb.Calendars[c.ID] = c
	mb.CalendarList = append(mb.CalendarList, c)
	return c
}

// CalendarByName returns mb's calendar called name, compared
// case-insensitively, or nil.
func (mb *Mailbox) CalendarByName(name string) *Calendar {
	for _, c := range mb.CalendarList {
		if n, _ := c.Props["name"].(string); lower(n) == lower(name) {
			return c
		}
	}
	return nil
}

// AddContactFolder creates a contact folder named name below parent.
// Contact folders have no change log of their own (only their contacts
// do), so this only links the folder into mb. Hold the write lock.
func (t *Tenant) AddContactFolder(mb *Mailbox, parent *ContactFolder, name string) *ContactFolder {
	cf := &ContactFolder{ID: t.NewOutlookID("AAMkAGC"), ParentID: parent.ID,
		Props: Props{"displayName": name, "parentFolderId": parent.ID}}
	mb.ContactFolders[cf.ID] = cf
	mb.ContactFolderList = append(mb.ContactFolderList, cf)
	return cf
}

// ContactChild returns the child folder of parent called name, compared
// case-insensitively, or nil. A folder with an empty ParentID counts as a
// child of the default folder, as the contactFolders listing treats it.
func (mb *Mailbox) ContactChild(parent *ContactFolder, name string) *ContactFolder {
	for _, f := range mb.ContactFolderList {
		pid := f.ParentID
		if pid == "" && !f.Default {
			pid = mb.DefaultContactFolder().ID
		}
		if n, _ := f.Props["displayName"].(string); pid == parent.ID && !f.Default && lower(n) == lower(name) {
			return f
		}
	}
	return nil
}

// NewICalUID renders an Exchange-style iCalUId (the fixed Outlook global
// object id prefix followed by 16 bytes) from seed.
func NewICalUID(seed uint64) string {
	return fmt.Sprintf("040000008200E00074C5B7101A82E00800000000%016X%016X", seed, SeedOf(seed, 1))
}
