package tenant

import (
	"path"
	"strings"
)

// newDriveFolderNames are names for folders users create.
var newDriveFolderNames = []string{"New folder", "Übergabe 2025", "📁 Inbox scans", "Q4 #plan 50%", "Ideas", "見積書"}

// renameSuffixes are what users append when they rename a file.
var renameSuffixes = []string{" – final", " (edited)", " v2", " ✅", " #2", " copy"}

// mutDrive is one drive's items for the run, in tree order.
type mutDrive struct {
	u       *User
	d       *Drive
	folders []*DriveItem // including the root
}

// drives runs the OneDrive changes: adds first, then content changes,
// renames and moves, deletes last, so a deleted folder never holds an
// item changed earlier in the run.
func (m *mutator) drives() error {
	var drives []*mutDrive
	var files, folders []*DriveItem
	where := map[*DriveItem]*mutDrive{}
	for _, u := range m.t.Users {
		if u.Deleted || u.Drive == nil {
			continue
		}
		md := &mutDrive{u: u, d: u.Drive}
		walkDrive(u.Drive, u.Drive.Item("root"), func(it *DriveItem) {
			where[it] = md
			switch {
			case !it.Folder:
				files = append(files, it)
			case it.ID != u.Drive.RootID:
				folders = append(folders, it)
				md.folders = append(md.folders, it)
			default:
				md.folders = append(md.folders, it)
			}
		})
		drives = append(drives, md)
	}
	if len(drives) == 0 {
		return nil
	}
	for k := 0; k < m.o.NewDriveFolders; k++ {
		md := pick(m.r, drives)
		parent := pick(m.r, md.folders)
		at := m.at()
		who := identity(md.u)
		it := &DriveItem{Name: uniqueName(md.d, parent, pick(m.r, newDriveFolderNames)), Folder: true,
			Props: itemProps(at, at, who, who)}
		m.t.AddItem(md.d, parent, it)
		m.touched[it] = true
		md.folders = append(md.folders, it) // new files may land in it
		m.record(Change{Kind: KindDriveItem, Op: OpAdd, User: md.u.ID, Container: md.d.ID, ID: it.ID, Name: it.Name})
	}
	for k := 0; k < m.o.NewFiles; k++ {
		if err := m.newFile(pick(m.r, drives), k); err != nil {
			return err
		}
	}
	for k := 0; k < m.o.ChangedFiles; k++ {
		it, ok := pickUntouched(m, files)
		if !ok {
			break
		}
		if err := m.changeFile(where[it], it); err != nil {
			return err
		}
	}
	for k := 0; k < m.o.RenamedFiles; k++ {
		if it, ok := pickUntouched(m, files); ok {
			ext := path.Ext(it.Name)
			m.rename(where[it], it, strings.TrimSuffix(it.Name, ext)+pick(m.r, renameSuffixes)+ext)
		}
	}
	for k := 0; k < m.o.RenamedDriveFolders; k++ {
		if it, ok := pickUntouched(m, folders); ok {
			m.rename(where[it], it, it.Name+pick(m.r, renameSuffixes))
		}
	}
	for k := 0; k < m.o.MovedFiles; k++ {
		if it, ok := pickUntouched(m, files); ok {
			m.move(where[it], it)
		}
	}
	for k := 0; k < m.o.MovedDriveFolders; k++ {
		if it, ok := pickUntouched(m, folders); ok {
			m.move(where[it], it)
		}
	}
	for k := 0; k < m.o.DeletedFiles; k++ {
		if it, ok := pickUntouched(m, files); ok {
			m.deleteItem(where[it], it)
		}
	}
	for k := 0; k < m.o.DeletedDriveFolders; k++ {
		if it, ok := m.pickDeletableFolder(folders, where); ok {
			m.deleteItem(where[it], it)
		}
	}
	// Last, so that the changes above draw the same random numbers with or
	// without sharing changes.
	items := append(append([]*DriveItem(nil), files...), folders...)
	for k := 0; k < m.o.SharingChanges; k++ {
		if it, ok := pickUntouched(m, items); ok {
			m.share(where[it], it, drives)
		}
	}
	return nil
}

// share removes one of it's direct grants or, when it has none, grants a
// colleague or group read access. It does not change the item's
// lastModifiedDateTime: sharing is not an edit.
func (m *mutator) share(md *mutDrive, it *DriveItem, drives []*mutDrive) {
	m.touched[it] = true
	for _, p := range it.Permissions {
		if _, isLink := p["link"]; !isLink {
			id, _ := p["id"].(string)
			m.t.RemovePermission(md.d, it, id)
			m.record(Change{Kind: KindDriveItem, Op: OpShare, User: md.u.ID, Container: md.d.ID, ID: it.ID})
			return
		}
	}
	var to Grantee
	if g := m.t.Groups; len(g) > 0 && m.r.chance(0.3) {
		to.Group = pick(m.r, g)
	} else {
		other := pick(m.r, drives)
		if other.u == md.u {
			return
		}
		to.User = other.u
	}
	m.t.AddPermission(md.d, it, GrantProps(PermissionID(it, m.t.Seq()+1), to, []string{RoleRead}, md.u))
	m.record(Change{Kind: KindDriveItem, Op: OpShare, User: md.u.ID, Container: md.d.ID, ID: it.ID})
}

// walkDrive calls fn for it and every live item below it, parents first,
// children in creation order.
func walkDrive(d *Drive, it *DriveItem, fn func(*DriveItem)) {
	fn(it)
	for _, id := range it.Children {
		if c := d.Items[id]; c != nil && !c.Deleted {
			walkDrive(d, c, fn)
		}
	}
}

// newFile adds a file of a random type to a random folder of md.
func (m *mutator) newFile(md *mutDrive, k int) error {
	ft := fileTypes[m.r.weighted(fileTypeWeights)]
	parent := pick(m.r, md.folders)
	at := m.at()
	size := m.r.lognormal(ft.median, ft.sigma, 0, min(m.g.o.MaxFileSize, 64<<20))
	content := contentFor(SeedOf(m.t.Seed, "mutate-file", m.o.Seed, k), ft, size)
	who := identity(md.u)
	it := newFileItem(uniqueName(md.d, parent, fileName(m.r, ft, 900+k)), ft, content, at, at, who, who)
	if err := hashFile(it); err != nil {
		return err
	}
	m.t.AddItem(md.d, parent, it)
	m.touched[it] = true
	m.record(Change{Kind: KindDriveItem, Op: OpAdd, User: md.u.ID, Container: md.d.ID, ID: it.ID, Name: it.Name})
	return nil
}

// changeFile saves new content, keeping the old as a version.
func (m *mutator) changeFile(md *mutDrive, it *DriveItem) error {
	at := m.at()
	var size int64 = 1024
	if it.Content != nil {
		size = max(1, it.Content.Size()*int64(75+m.r.intn(50))/100)
	}
	file, _ := it.Props["file"].(map[string]any)
	mime, _ := file["mimeType"].(string)
	ft := fileTypeByExt(strings.TrimPrefix(path.Ext(it.Name), "."))
	if mime == "" {
		mime = ft.mime
	}
	content := contentFor(SeedOf(m.t.Seed, "mutate-edit", m.o.Seed, it.ID), ft, size)
	m.touched[it] = true
	setFileContent(m.t, md.d, it, mime, content, at, identity(md.u))
	if err := hashFile(it); err != nil {
		return err
	}
	m.record(Change{Kind: KindDriveItem, Op: OpUpdate, User: md.u.ID, Container: md.d.ID, ID: it.ID})
	return nil
}

func (m *mutator) rename(md *mutDrive, it *DriveItem, name string) {
	name = uniqueName(md.d, md.d.Items[it.ParentID], name)
	m.touched[it] = true
	m.t.UpdateItem(md.d, it, Props{"lastModifiedDateTime": Timestamp(m.at())}, name, nil)
	m.record(Change{Kind: KindDriveItem, Op: OpRename, User: md.u.ID, Container: md.d.ID, ID: it.ID, Name: name})
}

// move puts it into another folder of its drive that is not below it,
// renaming it if the target has a child of the same name.
func (m *mutator) move(md *mutDrive, it *DriveItem) {
	var targets []*DriveItem
	for _, f := range md.folders {
		if !f.Deleted && f.ID != it.ParentID && !isBelow(md.d, f, it) {
			targets = append(targets, f)
		}
	}
	if len(targets) == 0 {
		return
	}
	dst := pick(m.r, targets)
	name := ""
	if d := md.d.Child(dst, it.Name); d != nil {
		name = uniqueName(md.d, dst, it.Name)
	}
	old := it.ParentID
	m.touched[it] = true
	m.t.UpdateItem(md.d, it, Props{"lastModifiedDateTime": Timestamp(m.at())}, name, dst)
	m.record(Change{Kind: KindDriveItem, Op: OpMove, User: md.u.ID, Container: md.d.ID, ID: it.ID,
		OldContainer: old, Name: it.Name})
}

// isBelow reports whether x is it or one of its descendants.
func isBelow(d *Drive, x, it *DriveItem) bool {
	for cur := x; cur != nil; cur = d.Items[cur.ParentID] {
		if cur == it {
			return true
		}
		if cur.ID == d.RootID {
			return false
		}
	}
	return false
}

// pickDeletableFolder returns a folder whose whole subtree is untouched.
func (m *mutator) pickDeletableFolder(folders []*DriveItem, where map[*DriveItem]*mutDrive) (*DriveItem, bool) {
	off := m.r.intn(len(folders) + 1)
	for i := range folders {
		f := folders[(off+i)%len(folders)]
		if f.Deleted || m.touched[f] {
			continue
		}
		clean := true
		walkDrive(where[f].d, f, func(it *DriveItem) { clean = clean && !m.touched[it] })
		if clean {
			return f, true
		}
	}
	return nil, false
}

// deleteItem deletes it and, for a folder, everything below it; each
// removed item is reported.
func (m *mutator) deleteItem(md *mutDrive, it *DriveItem) {
	walkDrive(md.d, it, func(x *DriveItem) {
		m.touched[x] = true
		m.record(Change{Kind: KindDriveItem, Op: OpDelete, User: md.u.ID, Container: md.d.ID, ID: x.ID})
	})
	m.t.DeleteItem(md.d, it)
	m.at()
}
