package dataguard

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/repo"
)

// MailFolderRef is a mail folder of a snapshot.
type MailFolderRef struct {
	ID       string
	Name     string
	ParentID string
	// Path is the folder's path by display names from the mailbox root,
	// e.g. "Inbox/Projects"; a "/" inside a name is shown as "∕".
	Path  string
	Items int
}

// MessageRef is a message of a snapshot: where its MIME and its Graph
// JSON are stored (open them with View.Open and View.ReadJSON).
type MessageRef struct {
	FolderID string
	ID       string
	EML      string
	JSON     string
	// Size is the size of the stored MIME (.eml) in bytes, from the
	// folder's directory listing: no need to open the file for it.
	Size int64
	// ChangeKey is the message's changeKey at backup time, from the
	// folder's index ("" for a folder stored without one).
	ChangeKey string
}

// MailFolders lists the snapshot's mail folders, sorted by path. It is
// empty for other workloads.
func (v *View) MailFolders() []MailFolderRef {
	node := func(id string) (string, string, bool) {
		f, ok := v.st.Folders[id]
		if !ok {
			return "", "", false
		}
		return f.Name, f.Parent, true
	}
	out := make([]MailFolderRef, 0, len(v.st.Folders))
	for id, f := range v.st.Folders {
		out = append(out, MailFolderRef{ID: id, Name: f.Name, ParentID: f.Parent, Path: joinPath(id, node), Items: f.Items})
	}
	slices.SortFunc(out, func(a, b MailFolderRef) int { return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.ID, b.ID)) })
	return out
}

// MailFoldersUnder lists the folders at or below the folder path prefix
// ("" for all).
func (v *View) MailFoldersUnder(prefix string) []MailFolderRef {
	var out []MailFolderRef
	for _, f := range v.MailFolders() {
		if pathHasPrefix(f.Path, prefix) {
			out = append(out, f)
		}
	}
	return out
}

// Messages lists the messages stored for a folder, sorted by id. It reads
// the folder's directory once (for the message files and their sizes) and
// its index (for the change keys); an empty folder has neither.
func (v *View) Messages(ctx context.Context, folderID string) ([]MessageRef, error) {
	items, _, err := loadIndex[mailMark](ctx, v.r, v.info.ID, mailIndexPath(folderID))
	if err != nil {
		return nil, fmt.Errorf("list messages of folder %s: %w", folderID, err)
	}
	ents, err := v.r.ReadDir(ctx, v.info.ID, MailFolderDir(folderID))
	if errors.Is(err, repo.ErrPathNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list messages of folder %s: %w", folderID, err)
	}
	out := make([]MessageRef, 0, len(ents)/2)
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name, emlExt)
		if !ok || e.Type != repo.TypeFile {
			continue
		}
		id, err := url.PathUnescape(name)
		if err != nil {
			return nil, fmt.Errorf("list messages of folder %s: message file %q: %w", folderID, e.Name, err)
		}
		eml, js := MessagePaths(folderID, id)
		out = append(out, MessageRef{FolderID: folderID, ID: id, EML: eml, JSON: js, Size: e.Size, ChangeKey: items[id].CK})
	}
	slices.SortFunc(out, func(a, b MessageRef) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
