package tenant

import (
	"fmt"
	"strings"
	"time"
)

// newFolderNames are what users rename mail folders to.
var newFolderNames = []string{
	"Projets 2025 – archivés", "🗂 Done", "Q4/2025", "Ärende.arkiv", "Old – do not use", "完了",
}

// mail runs the mail changes. Candidates for changes are the messages that
// existed before the run, so a new message is never changed again.
func (m *mutator) mail() error {
	if len(m.g.members) == 0 {
		return nil
	}
	msgs, owner := m.liveMessages()
	for i := 0; i < m.o.NewMessages; i++ {
		m.newMessage(i)
	}
	for i := 0; i < m.o.ChangedMessages; i++ {
		msg, ok := pickUntouched(m, msgs)
		if !ok {
			break
		}
		m.changeMessage(owner[msg], msg)
	}
	for i := 0; i < m.o.MovedMessages; i++ {
		msg, ok := pickUntouched(m, msgs)
		if !ok {
			break
		}
		m.moveMessage(owner[msg], msg)
	}
	for i := 0; i < m.o.DeletedMessages; i++ {
		msg, ok := pickUntouched(m, msgs)
		if !ok {
			break
		}
		u := owner[msg]
		m.touched[msg] = true
		m.record(Change{Kind: KindMessage, Op: OpDelete, User: u.ID, Container: msg.FolderID, ID: msg.ID})
		m.t.DeleteMessage(u.Mailbox, msg)
		m.at()
	}
	return m.renameMailFolders()
}

// newMessage sends a message to a member, from a colleague or from
// outside; every third one carries file attachments.
func (m *mutator) newMessage(i int) {
	g, r := m.g, m.r
	to := pick(r, g.people)
	from := pick(r, g.extern)
	if len(g.people) > 1 && r.chance(0.5) {
		for from = pick(r, g.people); from == to; from = pick(r, g.people) {
		}
	}
	at := m.at()
	th := &threadState{convSeed: SeedOf(m.t.Seed, "mutate-conv", m.o.Seed, i), start: at}
	th.convID = encodeID("AAQkA", th.convSeed, SeedOf(th.convSeed, 1))
	subj := pick(r, subjects)
	if strings.Contains(subj, "%s") {
		subj = fmt.Sprintf(subj, pick(r, projects))
	}
	mi := g.compose(r, th, from, []*person{to}, nil, subj, at, nil, 0, false)
	if i%3 == 0 && !mi.hasFileAttachments() {
		mi.atts = append(mi.atts, g.fileAttachments(r, mi.seed, r.lognormal(80e3, 1, 2e3, 4<<20))...)
	}
	if u := from.user; u != nil {
		f := u.Mailbox.Folder("sentitems")
		msg := g.newMessage(mi, mi.copyProps(at, true, false))
		m.t.AddMessage(u.Mailbox, f, msg)
		m.touched[msg] = true
		m.record(Change{Kind: KindMessage, Op: OpAdd, User: u.ID, Container: f.ID, ID: msg.ID})
	}
	u := to.user
	f := u.Mailbox.Folder("inbox")
	msg := g.newMessage(mi, mi.copyProps(at.Add(3*time.Second), false, false))
	m.t.AddMessage(u.Mailbox, f, msg)
	m.touched[msg] = true
	m.record(Change{Kind: KindMessage, Op: OpAdd, User: u.ID, Container: f.ID, ID: msg.ID})
}

// changeMessage flips the read state, changes the flag or the categories.
func (m *mutator) changeMessage(u *User, msg *Message) {
	at := m.at()
	props := Props{"lastModifiedDateTime": Timestamp(at)}
	switch m.r.intn(3) {
	case 0:
		read, _ := msg.Props["isRead"].(bool)
		props["isRead"] = !read
	case 1:
		flag, _ := msg.Props["flag"].(map[string]any)
		switch status, _ := flag["flagStatus"].(string); status {
		case "flagged":
			props["flag"] = Props{"flagStatus": "complete", "completedDateTime": dateTimeTimeZone(at)}
		case "complete":
			props["flag"] = Props{"flagStatus": "notFlagged"}
		default:
			props["flag"] = Props{"flagStatus": "flagged",
				"startDateTime": dateTimeTimeZone(at), "dueDateTime": dateTimeTimeZone(at.Add(48 * time.Hour))}
		}
	default:
		if cats, _ := msg.Props["categories"].([]any); len(cats) > 0 {
			props["categories"] = []any{}
		} else {
			props["categories"] = []any{pick(m.r, categories)}
		}
	}
	m.touched[msg] = true
	m.t.UpdateMessage(u.Mailbox, msg, props)
	m.record(Change{Kind: KindMessage, Op: OpUpdate, User: u.ID, Container: msg.FolderID, ID: msg.ID})
}

// moveMessage moves msg to another visible folder; a third of moves go to
// Deleted Items, as a user's delete does.
func (m *mutator) moveMessage(u *User, msg *Message) {
	mb := u.Mailbox
	var targets []*MailFolder
	for _, f := range mb.FolderList {
		switch {
		case f.Deleted, f.Hidden, f.ID == msg.FolderID, f.ParentID == "",
			f.WellKnown == "drafts", f.WellKnown == "outbox", f.WellKnown == "conversationhistory":
			continue
		}
		targets = append(targets, f)
	}
	if len(targets) == 0 {
		return
	}
	dst := pick(m.r, targets)
	if del := mb.Folder("deleteditems"); m.r.chance(0.33) && del != nil && del.ID != msg.FolderID {
		dst = del
	}
	at := m.at()
	oldID, oldFolder := msg.ID, msg.FolderID
	msg.Props["lastModifiedDateTime"] = Timestamp(at)
	m.touched[msg] = true
	m.t.MoveMessage(mb, msg, dst)
	m.record(Change{Kind: KindMessage, Op: OpMove, User: u.ID, Container: dst.ID, ID: msg.ID,
		OldID: oldID, OldContainer: oldFolder})
}

// renameMailFolders renames custom folders, keeping sibling names unique.
func (m *mutator) renameMailFolders() error {
	var folders []*MailFolder
	owner := map[*MailFolder]*User{}
	for _, u := range m.g.members {
		for _, f := range u.Mailbox.FolderList {
			if !f.Deleted && !f.Hidden && f.WellKnown == "" && f.ParentID != "" {
				folders = append(folders, f)
				owner[f] = u
			}
		}
	}
	for i := 0; i < m.o.RenamedFolders; i++ {
		f, ok := pickUntouched(m, folders)
		if !ok {
			break
		}
		u := owner[f]
		name := uniqueFolderName(u.Mailbox, f.ParentID, pick(m.r, newFolderNames))
		m.touched[f] = true
		m.t.UpdateFolder(u.Mailbox, f, Props{"displayName": name})
		m.record(Change{Kind: KindMailFolder, Op: OpRename, User: u.ID, Container: u.ID, ID: f.ID, Name: name})
		m.at()
	}
	return nil
}

// uniqueFolderName returns name, numbered if a sibling already has it
// (Exchange refuses duplicate sibling names).
func uniqueFolderName(mb *Mailbox, parentID, name string) string {
	taken := map[string]bool{}
	for _, f := range mb.ChildFolders(parentID) {
		dn, _ := f.Props["displayName"].(string)
		taken[strings.ToLower(dn)] = true
	}
	out := name
	for n := 2; taken[strings.ToLower(out)]; n++ {
		out = fmt.Sprintf("%s (%d)", name, n)
	}
	return out
}
