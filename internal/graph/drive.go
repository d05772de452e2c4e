package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// Drive is a OneDrive or document library.
type Drive struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	DriveType string          `json:"driveType"` // personal, business, documentLibrary
	Owner     *IdentitySet    `json:"owner"`
	Quota     *Quota          `json:"quota"`
	Raw       json.RawMessage `json:"-"`
}

// Quota is a drive's storage use in bytes.
type Quota struct {
	Total     int64  `json:"total"`
	Used      int64  `json:"used"`
	Remaining int64  `json:"remaining"`
	Deleted   int64  `json:"deleted"`
	State     string `json:"state"`
}

// DriveItem is a file or folder. Exactly one of File and Folder is set for
// live items; Deleted is set on items a delta reports as removed.
type DriveItem struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ETag                 string          `json:"eTag"`
	CTag                 string          `json:"cTag"`
	Size                 int64           `json:"size"`
	CreatedDateTime      time.Time       `json:"createdDateTime"`
	LastModifiedDateTime time.Time       `json:"lastModifiedDateTime"`
	WebURL               string          `json:"webUrl"`
	ParentReference      *ItemReference  `json:"parentReference"`
	File                 *FileFacet      `json:"file"`
	Folder               *FolderFacet    `json:"folder"`
	Package              *PackageFacet   `json:"package"`
	Root                 *struct{}       `json:"root"`
	Deleted              *DeletedFacet   `json:"deleted"`
	FileSystemInfo       *FileSystemInfo `json:"fileSystemInfo"`
	Shared               *SharedFacet    `json:"shared"`
	// SharedChanged is "True" on items a permission change brought into a
	// delta round (with DriveDeltaOptions.Sharing).
	SharedChanged string `json:"@microsoft.graph.sharedChanged"`
	// DownloadURL is the pre-authenticated content URL listings include
	// (valid for a short time); pass it to Download as DownloadOptions.URL.
	DownloadURL string          `json:"@microsoft.graph.downloadUrl"`
	Raw         json.RawMessage `json:"-"`
}

// ItemReference locates an item's parent. Delta responses omit Path.
type ItemReference struct {
	DriveID   string `json:"driveId"`
	DriveType string `json:"driveType"`
	ID        string `json:"id"`
	Name      string `json:"name"`
	Path      string `json:"path"`
	SiteID    string `json:"siteId"`
}

// FileFacet marks a file.
type FileFacet struct {
	MimeType string  `json:"mimeType"`
	Hashes   *Hashes `json:"hashes"`
}

// Hashes are a file's content hashes; which are present depends on the
// drive type (business drives give quickXorHash).
type Hashes struct {
	QuickXorHash string `json:"quickXorHash"`
	SHA1Hash     string `json:"sha1Hash"`
	SHA256Hash   string `json:"sha256Hash"`
}

// FolderFacet marks a folder.
type FolderFacet struct {
	ChildCount int `json:"childCount"`
}

// PackageFacet marks a package such as a OneNote notebook.
type PackageFacet struct {
	Type string `json:"type"`
}

// DeletedFacet marks a deleted item.
type DeletedFacet struct {
	State string `json:"state"`
}

// FileSystemInfo holds the timestamps a client set, which restores keep.
type FileSystemInfo struct {
	CreatedDateTime      time.Time `json:"createdDateTime,omitzero"`
	LastModifiedDateTime time.Time `json:"lastModifiedDateTime,omitzero"`
}

// DriveItemVersion is a previous version of a file.
type DriveItemVersion struct {
	ID                   string          `json:"id"`
	LastModifiedDateTime time.Time       `json:"lastModifiedDateTime"`
	LastModifiedBy       *IdentitySet    `json:"lastModifiedBy"`
	Size                 int64           `json:"size"`
	Raw                  json.RawMessage `json:"-"`
}

// Permission is a sharing permission on a drive item.
type Permission struct {
	ID                    string          `json:"id"`
	Roles                 []string        `json:"roles"`
	ShareID               string          `json:"shareId"`
	ExpirationDateTime    *time.Time      `json:"expirationDateTime"`
	Link                  *SharingLink    `json:"link"`
	GrantedToV2           *IdentitySet    `json:"grantedToV2"`
	GrantedToIdentitiesV2 []IdentitySet   `json:"grantedToIdentitiesV2"`
	InheritedFrom         *ItemReference  `json:"inheritedFrom"`
	HasPassword           bool            `json:"hasPassword"`
	Raw                   json.RawMessage `json:"-"`
}

// SharingLink describes a sharing link permission.
type SharingLink struct {
	Type   string `json:"type"`  // view, edit, embed
	Scope  string `json:"scope"` // anonymous, organization, users
	WebURL string `json:"webUrl"`
}

// IdentitySet names who an item or permission relates to.
type IdentitySet struct {
	User        *Identity `json:"user"`
	Group       *Identity `json:"group"`
	Application *Identity `json:"application"`
	SiteUser    *Identity `json:"siteUser"`
	SiteGroup   *Identity `json:"siteGroup"`
}

// Identity is one user, group or application.
type Identity struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Email       string `json:"email"`
}

func (m *Drive) setRaw(r json.RawMessage)            { m.Raw = r }
func (m *DriveItem) setRaw(r json.RawMessage)        { m.Raw = r }
func (m *DriveItemVersion) setRaw(r json.RawMessage) { m.Raw = r }
func (m *Permission) setRaw(r json.RawMessage)       { m.Raw = r }

// UserDrive gets a user's OneDrive.
func (c *Client) UserDrive(ctx context.Context, user string) (*Drive, error) {
	var d Drive
	req := Request{Path: userPath(user) + "/drive", Class: ClassDrive}
	if err := c.doJSON(ctx, &req, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// DriveDeltaOptions shape the first round of a drive delta.
type DriveDeltaOptions struct {
	// Latest starts from now: the round returns no items, only a deltaLink
	// (token=latest).
	Latest bool
	Select []string
	// PageSize sets Prefer: odata.maxpagesize.
	PageSize int
	// Sharing asks for the shared facet only on items with their own
	// sharing and for the sharedChanged annotation (sharingPrefer).
	Sharing bool
}

// DriveDelta starts a delta round over a whole drive (GET
// /drives/{id}/root/delta). deltaLink is the previous round's link, or ""
// for a full round. Items of deleted files carry the Deleted facet and are
// yielded as Removed.
func (c *Client) DriveDelta(ctx context.Context, driveID, deltaLink string, opts *DriveDeltaOptions) *DeltaRound[DriveItem] {
	return Delta[DriveItem](ctx, c, Pathf("/drives/%s/root/delta", driveID), deltaLink, func(r *Request) {
		r.Class, r.Resource = ClassDrive, driveID
		if opts == nil {
			return
		}
		if opts.PageSize > 0 {
			DeltaOptions{PageSize: opts.PageSize}.applyPrefer(r)
		}
		if opts.Sharing {
			addPrefer(headerOf(r), sharingPrefer)
		}
		if deltaLink != "" {
			return
		}
		q := url.Values{}
		if opts.Latest {
			q.Set("token", "latest")
		}
		if len(opts.Select) > 0 {
			(&ListOptions{Select: opts.Select}).apply(r)
		}
		WithQuery(q)(r)
	})
}

// DriveItem gets one drive item.
func (c *Client) DriveItem(ctx context.Context, driveID, itemID string, opts *GetOptions) (*DriveItem, error) {
	req := Request{Path: Pathf("/drives/%s/items/%s", driveID, itemID), Class: ClassDrive, Resource: driveID}
	opts.apply(&req)
	var it DriveItem
	if err := c.doJSON(ctx, &req, &it); err != nil {
		return nil, err
	}
	return &it, nil
}

// Children lists a folder's direct children.
func (c *Client) Children(ctx context.Context, driveID, itemID string, opts *ListOptions) iter.Seq2[DriveItem, error] {
	req := Request{Path: Pathf("/drives/%s/items/%s/children", driveID, itemID), Class: ClassDrive, Resource: driveID}
	opts.apply(&req)
	return listRequest[DriveItem](ctx, c, req)
}

// Versions lists a file's versions, newest first.
func (c *Client) Versions(ctx context.Context, driveID, itemID string) iter.Seq2[DriveItemVersion, error] {
	req := Request{Path: Pathf("/drives/%s/items/%s/versions", driveID, itemID), Class: ClassDrive, Resource: driveID}
	return listRequest[DriveItemVersion](ctx, c, req)
}

// Permissions lists an item's sharing permissions: the owner's, the
// item's own and those inherited from its ancestors (InheritedFrom set).
// https://learn.microsoft.com/en-us/graph/api/driveitem-list-permissions
func (c *Client) Permissions(ctx context.Context, driveID, itemID string) iter.Seq2[Permission, error] {
	req := Request{Path: Pathf("/drives/%s/items/%s/permissions", driveID, itemID), Class: ClassDrive, Resource: driveID}
	return listRequest[Permission](ctx, c, req)
}

// Conflict behaviours for uploads (@microsoft.graph.conflictBehavior).
const (
	ConflictFail    = "fail"
	ConflictReplace = "replace"
	ConflictRename  = "rename"
)

// UploadOptions refine uploads.
type UploadOptions struct {
	ConflictBehavior string          // ConflictFail (Graph's default), ConflictReplace or ConflictRename
	FileSystemInfo   *FileSystemInfo // timestamps to keep (large uploads only)
}

// maxSmallUpload is the largest file PUT …/content accepts (driveitem-put-content).
const maxSmallUpload = 250 << 20

// UploadSmall uploads a file of up to 250 MB into a folder with one PUT
// (…/items/{parent}:/{name}:/content). To be retried the body must be an
// io.Seeker (a file, bytes.Reader); otherwise a failed PUT is returned.
func (c *Client) UploadSmall(ctx context.Context, driveID, parentID, name string, r io.Reader, size int64, opts *UploadOptions) (*DriveItem, error) {
	if size > maxSmallUpload {
		return nil, fmt.Errorf("graph: upload %q: %d bytes is over the 250 MB limit of a single PUT; use UploadLarge", name, size)
	}
	req := Request{
		Op: "upload file", Method: http.MethodPut,
		Path:   Pathf("/drives/%s/items/%s:/%s:/content", driveID, parentID, name),
		Header: http.Header{"Content-Type": {"application/octet-stream"}},
		Body:   io.LimitReader(r, size), Class: ClassDrive, Resource: driveID,
	}
	if rs, ok := r.(io.ReadSeeker); ok {
		sec, err := newSectionSeeker(rs, size)
		if err != nil {
			return nil, fmt.Errorf("graph: upload %q: %w", name, err)
		}
		req.Body = sec // seekable, so the PUT can be retried
	}
	if opts != nil && opts.ConflictBehavior != "" {
		req.Query = url.Values{"@microsoft.graph.conflictBehavior": {opts.ConflictBehavior}}
	}
	var it DriveItem
	if err := c.doJSON(ctx, &req, &it); err != nil {
		return nil, err
	}
	return &it, nil
}

// CreateUploadSession opens an upload session for a new file name in a
// folder (driveitem-createuploadsession). size is sent as fileSize so the
// service can refuse an upload that would exceed the quota (507) up front.
func (c *Client) CreateUploadSession(ctx context.Context, driveID, parentID, name string, size int64, opts *UploadOptions) (*UploadSession, error) {
	item := map[string]any{"name": name, "fileSize": size}
	if opts != nil && opts.ConflictBehavior != "" {
		item["@microsoft.graph.conflictBehavior"] = opts.ConflictBehavior
	}
	if opts != nil && opts.FileSystemInfo != nil {
		item["fileSystemInfo"] = opts.FileSystemInfo
	}
	var sess UploadSession
	err := c.Send(ctx, http.MethodPost, Pathf("/drives/%s/items/%s:/%s:/createUploadSession", driveID, parentID, name),
		map[string]any{"item": item}, &sess,
		// A repeated create only leaves an unused session, which expires.
		WithResource(ClassDrive, driveID), WithRetrySafe())
	if err != nil {
		return nil, err
	}
	if sess.UploadURL == "" {
		return nil, fmt.Errorf("graph: create upload session for %q: no uploadUrl", name)
	}
	return &sess, nil
}

// UploadLarge uploads size bytes from r through an upload session, in
// fragments of Options.UploadFragmentSize (memory use is one fragment). The
// upload URL is pre-authenticated and gets no Authorization header. After a
// failed fragment the session's nextExpectedRanges says where to resume; if
// that is before the buffered fragment, r must be an io.Seeker. On failure
// the session is cancelled. A 409 at the last fragment (name conflict) is
// returned as an *APIError wrapping ErrConflict.
func (c *Client) UploadLarge(ctx context.Context, driveID, parentID, name string, r io.Reader, size int64, opts *UploadOptions) (*DriveItem, error) {
	if size <= 0 {
		return nil, fmt.Errorf("graph: upload %q: upload sessions need a non-empty file; use UploadSmall", name)
	}
	sess, err := c.CreateUploadSession(ctx, driveID, parentID, name, size, opts)
	if err != nil {
		return nil, err
	}
	s := sessionUpload{
		url: sess.UploadURL, size: size, class: ClassDrive, resource: driveID, op: "upload file",
		fragment: c.opts.UploadFragmentSize,
	}
	_, _, body, err := c.upload(ctx, s, r)
	if err != nil {
		c.cancelSession(ctx, s)
		return nil, err
	}
	var it DriveItem
	if err := json.Unmarshal(body, &it); err != nil {
		return nil, fmt.Errorf("graph: upload %q: decode item: %w", name, err)
	}
	it.Raw = body
	return &it, nil
}
