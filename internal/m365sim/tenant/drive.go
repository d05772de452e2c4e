package tenant

import "time"

// NewDrive creates a OneDrive for Business drive owned by the user with an
// empty root folder. Hold the write lock.
func (t *Tenant) NewDrive(owner *User) *Drive {
	// OneDrive for Business drive ids are "b!" and 64 base64url characters.
	d := &Drive{ID: "b!" + encodeID("", t.nextRand(), t.nextRand(), t.nextRand(), t.nextRand(), t.nextRand(), t.nextRand()),
		Owner: owner.ID, Items: make(map[string]*DriveItem)}
	d.Props = Props{"driveType": "business", "name": "OneDrive", "description": "",
		"owner": Props{"user": Props{"id": owner.ID, "displayName": owner.Props["displayName"], "email": owner.UPN}}}
	root := &DriveItem{ID: t.NewDriveItemID(), Name: "root", Folder: true,
		Props: Props{"createdDateTime": Timestamp(t.Created), "lastModifiedDateTime": Timestamp(t.Created)}}
	root.Version = t.NextSeq()
	d.RootID = root.ID
	d.Items[root.ID] = root
	d.Log.Record(root.Version, root.ID, false, "")
	return d
}

// Item returns the live item with id, or nil.
func (d *Drive) Item(id string) *DriveItem {
	if id == "root" {
		id = d.RootID
	}
	it := d.Items[id]
	if it == nil || it.Deleted {
		return nil
	}
	return it
}

// Child returns the live child of parent named name (case-insensitive, as
// OneDrive names are), or nil.
func (d *Drive) Child(parent *DriveItem, name string) *DriveItem {
	for _, id := range parent.Children {
		if c := d.Items[id]; c != nil && !c.Deleted && lower(c.Name) == lower(name) {
			return c
		}
	}
	return nil
}

// AddItem creates it under parent. Hold the write lock.
func (t *Tenant) AddItem(d *Drive, parent *DriveItem, it *DriveItem) {
	if it.ID == "" {
		it.ID = t.NewDriveItemID()
	}
	if it.Props == nil {
		it.Props = Props{}
	}
	it.ParentID = parent.ID
	it.Version = t.NextSeq()
	d.Items[it.ID] = it
	parent.Children = append(parent.Children, it.ID)
	d.Log.Record(it.Version, it.ID, false, "")
}

// SetContent replaces a file's content, keeping the old content as a version.
// Hold the write lock.
func (t *Tenant) SetContent(d *Drive, it *DriveItem, content Blob, modified time.Time) {
	if it.Content != nil {
		it.Versions = append(it.Versions, &FileVersion{
			ID: itoa(int64(len(it.Versions)+1)) + ".0", Content: it.Content, Modified: t.itemModified(it)})
	}
	it.Content = content
	it.Props["lastModifiedDateTime"] = Timestamp(modified)
	t.touchItem(d, it)
}

func (t *Tenant) itemModified(it *DriveItem) time.Time {
	s, _ := it.Props["lastModifiedDateTime"].(string)
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t.Created
	}
	return tm
}

// UpdateItem merges props into it and, when name or parent change, renames
// or moves it. Hold the write lock.
func (t *Tenant) UpdateItem(d *Drive, it *DriveItem, props Props, name string, newParent *DriveItem) {
	for k, v := range props {
		it.Props[k] = v
	}
	if name != "" {
		it.Name = name
	}
	if newParent != nil && newParent.ID != it.ParentID {
		old := d.Items[it.ParentID]
		old.Children = removeID(old.Children, it.ID)
		newParent.Children = append(newParent.Children, it.ID)
		it.ParentID = newParent.ID
	}
	t.touchItem(d, it)
}

func (t *Tenant) touchItem(d *Drive, it *DriveItem) {
	it.Version = t.NextSeq()
	d.Log.Record(it.Version, it.ID, false, "")
}

// DeleteItem deletes it and, for a folder, everything below it. Hold the
// write lock.
func (t *Tenant) DeleteItem(d *Drive, it *DriveItem) {
	for _, c := range it.Children {
		if ch := d.Items[c]; ch != nil && !ch.Deleted {
			t.DeleteItem(d, ch)
		}
	}
	it.Deleted = true
	it.Version = t.NextSeq()
	d.Log.Record(it.Version, it.ID, true, "deleted")
	if p := d.Items[it.ParentID]; p != nil {
		p.Children = removeID(p.Children, it.ID)
	}
}

// Path returns the item's path below the root ("/drive/root:/a/b" form is
// built by the caller), e.g. "/Documents/x".
func (d *Drive) Path(it *DriveItem) string {
	if it.ID == d.RootID {
		return ""
	}
	p := d.Items[it.ParentID]
	if p == nil {
		return "/" + it.Name
	}
	return d.Path(p) + "/" + it.Name
}

// Size returns the item's size: a file's content size, or the sum below a
// folder.
func (d *Drive) Size(it *DriveItem) int64 {
	if !it.Folder {
		if it.Content == nil {
			return 0
		}
		return it.Content.Size()
	}
	var n int64
	for _, c := range it.Children {
		if ch := d.Items[c]; ch != nil && !ch.Deleted {
			n += d.Size(ch)
		}
	}
	return n
}

func removeID(ids []string, id string) []string {
	for i, v := range ids {
		if v == id {
			return append(ids[:i:i], ids[i+1:]...)
		}
	}
	return ids
}
