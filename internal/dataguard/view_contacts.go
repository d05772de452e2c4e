package dataguard

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
)

// ContactFolderRef is a contact folder of a snapshot.
type ContactFolderRef struct {
	ID       string
	Name     string
	ParentID string
	// Path is the folder's path by display names from the default
	// Contacts folder, which is its first element ("Contacts/Clients");
	// a "/" inside a name is shown as "∕".
	Path string
	// Default marks the default Contacts folder.
	Default bool
	Items   int
	// JSON is where the folder's Graph JSON is stored.
	JSON string
}

// ContactRef is a contact of a snapshot: where its Graph JSON is stored.
type ContactRef struct {
	FolderID string
	ID       string
	JSON     string
	// ChangeKey is the contact's changeKey at backup time ("" when the
	// folder was stored without an index).
	ChangeKey string
}

// ContactFolders lists the snapshot's contact folders, sorted by path. It
// is empty for other workloads.
func (v *View) ContactFolders() []ContactFolderRef {
	node := func(id string) (string, string, bool) {
		f, ok := v.st.ContactFolders[id]
		if !ok {
			return "", "", false
		}
		return f.Name, f.Parent, true
	}
	out := make([]ContactFolderRef, 0, len(v.st.ContactFolders))
	for id, f := range v.st.ContactFolders {
		out = append(out, ContactFolderRef{ID: id, Name: f.Name, ParentID: f.Parent, Path: joinPath(id, node),
			Default: f.Default, Items: f.Items, JSON: ContactFolderMetaPath(id)})
	}
	slices.SortFunc(out, func(a, b ContactFolderRef) int { return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.ID, b.ID)) })
	return out
}

// Contacts lists the contacts stored for a folder, sorted by id.
func (v *View) Contacts(ctx context.Context, folderID string) ([]ContactRef, error) {
	items, ok, err := loadIndex[contactMark](ctx, v.r, v.info.ID, contactIndexPath(folderID))
	if err != nil {
		return nil, fmt.Errorf("list contacts of folder %s: %w", folderID, err)
	}
	ids := slices.Collect(maps.Keys(items))
	if !ok {
		if ids, err = scanItemIDs(ctx, v.r, v.info.ID, ContactFolderDir(folderID), jsonExt); err != nil {
			return nil, fmt.Errorf("list contacts of folder %s: %w", folderID, err)
		}
	}
	out := make([]ContactRef, 0, len(ids))
	for _, id := range ids {
		out = append(out, ContactRef{FolderID: folderID, ID: id, JSON: ContactPath(folderID, id), ChangeKey: items[id].CK})
	}
	slices.SortFunc(out, func(a, b ContactRef) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
