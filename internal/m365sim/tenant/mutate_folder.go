package tenant

import (
	"fmt"
	"strings"
)

// DeletedFolder is what DeleteMailFolder removed.
type DeletedFolder struct {
	ID       string `json:"id"`
	Path     string `json:"path"` // by display names from the top of the mailbox, e.g. "Inbox/Projects"
	Messages int    `json:"messages"`
}

// DeleteMailFolder simulates a user who deletes a mail folder and then
// empties Deleted Items: the folder and its messages are gone for good (no
// child folders are allowed, to keep the incident simple). folderID ""
// picks the user's largest visible leaf folder that is not a well-known
// one. DeleteMailFolder takes the tenant's write lock itself.
func DeleteMailFolder(t *Tenant, user, folderID string) (DeletedFolder, error) {
	var out DeletedFolder
	err := t.Write(func() error {
		u := t.User(user)
		if u == nil || u.Mailbox == nil {
			return fmt.Errorf("user %q has no mailbox", user)
		}
		mb := u.Mailbox
		var pick *MailFolder
		var pickPath string
		for _, f := range mb.FolderList {
			if folderID != "" && f.ID != folderID {
				continue
			}
			path, ok := visiblePath(mb, f)
			if !ok || f.WellKnown != "" || f.Deleted || len(mb.ChildFolders(f.ID)) > 0 {
				if folderID != "" {
					return fmt.Errorf("folder %s cannot be deleted this way (well-known, hidden or with child folders)", folderID)
				}
				continue
			}
			if pick == nil || f.Count > pick.Count {
				pick, pickPath = f, path
			}
		}
		if pick == nil {
			return fmt.Errorf("user %q has no folder to delete", user)
		}
		n := 0
		for key, m := range mb.Messages {
			if key == m.ImmutableID && m.FolderID == pick.ID && !m.Deleted {
				t.DeleteMessage(mb, m)
				n++
			}
		}
		pick.Deleted = true
		pick.Version = t.NextSeq()
		mb.FoldersLog.Record(pick.Version, pick.ID, true, "deleted")
		out = DeletedFolder{ID: pick.ID, Path: pickPath, Messages: n}
		return nil
	})
	return out, err
}

// visiblePath is a folder's path by display names below the mailbox root,
// and false for the root itself and folders that are hidden or below a
// hidden one.
func visiblePath(mb *Mailbox, f *MailFolder) (string, bool) {
	root := mb.WellKnown["msgfolderroot"]
	var names []string
	for p := f; p != nil; p = mb.Folders[p.ParentID] {
		if p.ID == root {
			return strings.Join(names, "/"), len(names) > 0
		}
		if p.Hidden || p.Deleted {
			return "", false
		}
		name, _ := p.Props["displayName"].(string)
		names = append([]string{name}, names...)
	}
	return "", false
}
