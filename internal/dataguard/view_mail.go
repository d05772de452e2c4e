package dataguard

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
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

// Messages lists the messages stored for a folder, sorted by id.
func (v *View) Messages(ctx context.Context, folderID string) ([]MessageRef, error) {
	items, ok, err := loadIndex[mailMark](ctx, v.r, v.info.ID, mailIndexPath(folderID))
	if err != nil {
		return nil, fmt.Errorf("list messages of folder %s: %w", folderID, err)
	}
	ids := slices.Collect(maps.Keys(items))
	if !ok {
		// An empty folder has no index; otherwise the directory says.
		if ids, err = v.scanMessages(ctx, folderID); err != nil {
			return nil, fmt.Errorf("list messages of folder %s: %w", folderID, err)
		}
	}
	out := make([]MessageRef, 0, len(ids))
	for _, id := range ids {
		eml, js := MessagePaths(folderID, id)
		out = append(out, MessageRef{FolderID: folderID, ID: id, EML: eml, JSON: js})
	}
	slices.SortFunc(out, func(a, b MessageRef) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// scanMessages lists the message ids of a folder directory that has no
// index.
func (v *View) scanMessages(ctx context.Context, folderID string) ([]string, error) {
	ents, err := v.r.ReadDir(ctx, v.info.ID, MailFolderDir(folderID))
	if errors.Is(err, repo.ErrPathNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name, emlExt)
		if !ok || e.Type != repo.TypeFile {
			continue
		}
		id, err := url.PathUnescape(name)
		if err != nil {
			return nil, fmt.Errorf("message file %q: %w", e.Name, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}
