package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// Calls the restore engine needs beyond those of mail.go and drive.go:
// creating mail folders, listing and deleting messages, and addressing
// drive items by path or replacing an existing file's content by id.

// CreateMailFolder creates a mail folder named name under parentID, or at
// the top of the mailbox's folder tree (under msgfolderroot) when parentID
// is "" (mailuser-post-mailfolders, mailfolder-post-childfolders). A name
// already taken under the parent is an *APIError wrapping ErrConflict
// (Exchange answers 409 ErrorFolderExists).
//
// The create is not repeated after a dropped connection or a 503 unless
// ctx is marked with RetrySafe; callers that do so look the folder up by
// name after a conflict.
func (c *Client) CreateMailFolder(ctx context.Context, user, parentID, name string) (*MailFolder, error) {
	path := userPath(user) + "/mailFolders"
	if parentID != "" {
		path = userPath(user) + Pathf("/mailFolders/%s/childFolders", parentID)
	}
	var f MailFolder
	err := c.Send(ctx, http.MethodPost, path, map[string]any{"displayName": name}, &f,
		WithResource(ClassMail, user), WithOp("create mail folder"))
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// FolderMessages lists the messages of one mail folder (GET
// …/mailFolders/{id}/messages). Use ListOptions.Select to fetch only the
// properties needed, and Filter to look for particular messages.
func (c *Client) FolderMessages(ctx context.Context, user, folderID string, opts *ListOptions) iter.Seq2[Message, error] {
	req := Request{Path: userPath(user) + Pathf("/mailFolders/%s/messages", folderID), Class: ClassMail, Resource: user}
	opts.apply(&req)
	return listRequest[Message](ctx, c, req)
}

// DeleteMessage deletes a message (message-delete): Exchange moves it to
// Recoverable Items. A message that is already gone is an *APIError
// wrapping ErrNotFound.
func (c *Client) DeleteMessage(ctx context.Context, user, id string) error {
	return c.Send(ctx, http.MethodDelete, userPath(user)+Pathf("/messages/%s", id), nil, nil,
		WithResource(ClassMail, user), WithOp("delete message"))
}

// drivePath escapes a slash-separated drive path segment by segment, for
// the root:/path: addressing form.
func drivePath(p string) string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// DriveItemByPath gets the item at path (relative to the drive's root,
// e.g. "Documents/report.docx") with GET /drives/{id}/root:/{path}
// (driveitem-get). A missing item is an *APIError wrapping ErrNotFound.
func (c *Client) DriveItemByPath(ctx context.Context, driveID, path string) (*DriveItem, error) {
	if strings.Trim(path, "/") == "" {
		return c.DriveItem(ctx, driveID, "root", nil)
	}
	req := Request{Path: Pathf("/drives/%s/root:/", driveID) + drivePath(path) + ":", Class: ClassDrive, Resource: driveID}
	var it DriveItem
	if err := c.doJSON(ctx, &req, &it); err != nil {
		return nil, err
	}
	return &it, nil
}

// CreateDriveFolder creates a folder named name in parentID (POST
// …/items/{parent}/children with a folder facet, driveitem-post-children).
// conflict is a Conflict* behaviour; with ConflictFail an existing name is
// an *APIError wrapping ErrConflict. fsi, when not nil, sets the folder's
// fileSystemInfo.
func (c *Client) CreateDriveFolder(ctx context.Context, driveID, parentID, name, conflict string, fsi *FileSystemInfo) (*DriveItem, error) {
	body := map[string]any{"name": name, "folder": map[string]any{}}
	if conflict != "" {
		body["@microsoft.graph.conflictBehavior"] = conflict
	}
	if fsi != nil {
		body["fileSystemInfo"] = fsi
	}
	var it DriveItem
	err := c.Send(ctx, http.MethodPost, Pathf("/drives/%s/items/%s/children", driveID, parentID), body, &it,
		WithResource(ClassDrive, driveID), WithOp("create drive folder"))
	if err != nil {
		return nil, err
	}
	return &it, nil
}

// DriveItemUpdate is a PATCH of a drive item (driveitem-update): a new
// name, a new parent, new fileSystemInfo timestamps. Empty fields are left
// alone.
type DriveItemUpdate struct {
	Name           string          `json:"name,omitempty"`
	ParentID       string          `json:"-"`
	FileSystemInfo *FileSystemInfo `json:"fileSystemInfo,omitempty"`
}

// MarshalJSON renders ParentID as parentReference.
func (u DriveItemUpdate) MarshalJSON() ([]byte, error) {
	type plain DriveItemUpdate
	out := struct {
		plain
		// Only the id: empty driveId, path, … would be values to set.
		ParentReference map[string]string `json:"parentReference,omitempty"`
	}{plain: plain(u)}
	if u.ParentID != "" {
		out.ParentReference = map[string]string{"id": u.ParentID}
	}
	return json.Marshal(out)
}

// UpdateDriveItem patches a drive item and returns it. Moving or renaming
// onto a taken name is an *APIError wrapping ErrConflict. The PATCH sets
// absolute values, so callers may mark ctx with RetrySafe.
func (c *Client) UpdateDriveItem(ctx context.Context, driveID, itemID string, u DriveItemUpdate) (*DriveItem, error) {
	var it DriveItem
	err := c.Send(ctx, http.MethodPatch, Pathf("/drives/%s/items/%s", driveID, itemID), u, &it,
		WithResource(ClassDrive, driveID), WithOp("update drive item"))
	if err != nil {
		return nil, err
	}
	return &it, nil
}

// ReplaceContent replaces the content of the existing file itemID with
// size bytes from r, keeping the item's id, name, sharing and version
// history (the old content becomes a version). Files up to smallMax bytes
// (at most 250 MB) go in one PUT …/items/{id}/content
// (driveitem-put-content), larger ones through an upload session created
// on the item (POST …/items/{id}/createUploadSession,
// driveitem-createuploadsession); fsi, when set, is sent with the session
// (a PUT cannot carry it: patch it afterwards). A PUT is retried only when
// r is an io.Seeker.
func (c *Client) ReplaceContent(ctx context.Context, driveID, itemID string, r io.Reader, size, smallMax int64, fsi *FileSystemInfo) (*DriveItem, error) {
	smallMax = min(smallMax, maxSmallUpload)
	if size <= smallMax {
		req := Request{
			Op: "replace file content", Method: http.MethodPut,
			Path:   Pathf("/drives/%s/items/%s/content", driveID, itemID),
			Header: http.Header{"Content-Type": {"application/octet-stream"}},
			Body:   io.LimitReader(r, size), Class: ClassDrive, Resource: driveID,
		}
		if rs, ok := r.(io.ReadSeeker); ok {
			sec, err := newSectionSeeker(rs, size)
			if err != nil {
				return nil, fmt.Errorf("graph: replace content of %s: %w", itemID, err)
			}
			req.Body = sec
		}
		var it DriveItem
		if err := c.doJSON(ctx, &req, &it); err != nil {
			return nil, err
		}
		return &it, nil
	}
	item := map[string]any{"@microsoft.graph.conflictBehavior": ConflictReplace, "fileSize": size}
	if fsi != nil {
		item["fileSystemInfo"] = fsi
	}
	var sess UploadSession
	err := c.Send(ctx, http.MethodPost, Pathf("/drives/%s/items/%s/createUploadSession", driveID, itemID),
		map[string]any{"item": item}, &sess, WithResource(ClassDrive, driveID), WithRetrySafe())
	if err != nil {
		return nil, err
	}
	if sess.UploadURL == "" {
		return nil, fmt.Errorf("graph: create upload session for %s: no uploadUrl", itemID)
	}
	s := sessionUpload{url: sess.UploadURL, size: size, class: ClassDrive, resource: driveID, op: "replace file content",
		fragment: c.opts.UploadFragmentSize}
	_, _, body, err := c.upload(ctx, s, r)
	if err != nil {
		c.cancelSession(ctx, s)
		return nil, err
	}
	var it DriveItem
	if err := json.Unmarshal(body, &it); err != nil {
		return nil, fmt.Errorf("graph: replace content of %s: decode item: %w", itemID, err)
	}
	it.Raw = body
	return &it, nil
}
