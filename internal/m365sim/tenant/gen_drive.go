package tenant

import (
	"fmt"
	"path"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"
)

// maxPathLen is OneDrive's limit on a decoded item path, in characters.
// https://learn.microsoft.com/sharepoint/troubleshoot/administration/invalid-characters-in-file-names
const maxPathLen = 400

// driveFolders is the folder tree of every generated OneDrive, parents
// first. It has spaces, "#", "%", accents, emoji, CJK and Cyrillic names
// and a branch 13 levels deep.
var driveFolders = []string{
	"Documents", "Pictures", "Desktop", "Attachments", "Microsoft Teams Chat Files", "Recordings",
	"Documents/Projects", "Documents/Projects/Phoenix", "Documents/Projects/Ωmega",
	"Documents/Q3 résumé ✈️", "Documents/Budget #2 – 100% final", "Documents/報告書 2024",
	"Documents/Données clients", "Documents/Old stuff (do not delete)", "Documents/Team #1 % share",
	"Documents/Отчёты", "Pictures/Camera Roll", "Pictures/Screenshots",
	"Documents/Archive", "Documents/Archive/2019", "Documents/Archive/2019/Q1",
	"Documents/Archive/2019/Q1/Clients", "Documents/Archive/2019/Q1/Clients/A–M",
	"Documents/Archive/2019/Q1/Clients/A–M/Acme Corp", "Documents/Archive/2019/Q1/Clients/A–M/Acme Corp/Contracts",
	"Documents/Archive/2019/Q1/Clients/A–M/Acme Corp/Contracts/Signed",
	"Documents/Archive/2019/Q1/Clients/A–M/Acme Corp/Contracts/Signed/Scans",
	"Documents/Archive/2019/Q1/Clients/A–M/Acme Corp/Contracts/Signed/Scans/Originals",
	"Documents/Archive/2019/Q1/Clients/A–M/Acme Corp/Contracts/Signed/Scans/Originals/Backup",
	"Documents/Archive/2019/Q1/Clients/A–M/Acme Corp/Contracts/Signed/Scans/Originals/Backup/Do not touch",
}

// longFolders nest below Documents to bring one file's path close to the
// 400-character limit.
var longFolders = []string{
	"Quarterly business review preparation materials – drafts, comments and final versions (do not share externally)",
	"Appendix – supporting data tables, charts, customer interview transcripts and survey results for 2024–2025",
}

// driveState is one member's drive while the generator fills it.
type driveState struct {
	u       *User
	d       *Drive
	folders []*DriveItem // every folder except the root
	byPath  map[string]*DriveItem
}

// drives fills each member's OneDrive.
func (g *generator) drives() error {
	for i, u := range g.members {
		ds := g.driveTree(i, u)
		g.driveFiles(i, ds)
		g.share(i, ds)
	}
	for k := 0; k < g.o.LargeFiles && len(g.members) > 0; k++ {
		u := g.members[k%len(g.members)]
		ds := &driveState{u: u, d: u.Drive}
		parent := ds.d.Child(ds.d.Item("root"), "Recordings")
		ft := fileTypeByExt("mp4")
		at := g.o.Now.Add(-time.Duration(k+1) * 24 * time.Hour)
		name := fmt.Sprintf("All-hands %s (full recording %d).mp4", at.Format("2006-01-02"), k+1)
		blob := Generated{Seed: SeedOf(g.t.Seed, "large", k), Len: g.o.LargeFileSize}
		g.addFile(ds, parent, name, ft, blob, at, at, identity(u))
	}
	return nil
}

// identity returns a Graph identitySet naming u.
// https://learn.microsoft.com/graph/api/resources/identityset
func identity(u *User) Props {
	return Props{"user": Props{"email": u.UPN, "id": u.ID, "displayName": u.Props["displayName"]}}
}

// driveTree creates the folders of driveFolders and the long-path branch.
func (g *generator) driveTree(i int, u *User) *driveState {
	ds := &driveState{u: u, d: u.Drive, byPath: map[string]*DriveItem{}}
	root := ds.d.Item("root")
	created := g.userCreated(u)
	who := identity(u)
	for k, p := range driveFolders {
		parent := root
		if dir := path.Dir(p); dir != "." {
			parent = ds.byPath[dir]
		}
		at := created.Add(time.Duration(k) * time.Hour)
		ds.byPath[p] = g.addFolder(ds, parent, path.Base(p), at, who)
	}
	parent := ds.byPath["Documents"]
	for _, name := range longFolders {
		parent = g.addFolder(ds, parent, name, created.Add(48*time.Hour), who)
	}
	// A file whose path is exactly at the limit.
	prefix := ds.d.Path(parent) + "/"
	stemLen := maxPathLen - utf8.RuneCountInString(prefix) - len(".docx")
	stem := "Résumé of findings " + strings.Repeat("é", max(0, stemLen-len([]rune("Résumé of findings "))))
	ft := fileTypeByExt("docx")
	blob := contentFor(SeedOf(g.t.Seed, "longpath", i), ft, 34567)
	g.addFile(ds, parent, stem+".docx", ft, blob, created.Add(72*time.Hour), created.Add(96*time.Hour), who)
	return ds
}

// userCreated returns the user's createdDateTime.
func (g *generator) userCreated(u *User) time.Time {
	s, _ := u.Props["createdDateTime"].(string)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return g.t.Created
	}
	return t
}

// driveFiles adds the member's files: lognormal count and sizes by type,
// some shared documents, and a few files with earlier versions.
func (g *generator) driveFiles(i int, ds *driveState) {
	r := newRand(g.t.Seed, "files", i)
	n := r.countAround(g.o.FilesPerUser)
	created0 := g.userCreated(ds.u)
	for k := 0; k < n; k++ {
		ft := fileTypes[r.weighted(fileTypeWeights)]
		parent := g.pickFolder(r, ds, ft)
		name := fileName(r, ft, k+1)
		var blob Blob
		if s := pick(r, g.shared); r.chance(0.08) && s.blob.Size() <= g.o.MaxFileSize {
			ft, name, blob = s.ft, s.name, s.blob
		} else {
			size := r.lognormal(ft.median, ft.sigma, 0, g.o.MaxFileSize)
			blob = contentFor(SeedOf(g.t.Seed, "file", i, k), ft, size)
		}
		created := g.ago(r, 300*24*time.Hour, g.o.Now.Sub(created0))
		modified := created.Add(time.Duration(r.intn(int(g.o.Now.Sub(created)/time.Minute)+1)) * time.Minute)
		by := identity(ds.u)
		if r.chance(0.2) {
			by = identity(pick(r, g.members))
		}
		if r.chance(0.06) {
			g.versionedFile(r, ds, parent, name, ft, blob, created, modified, by, SeedOf(g.t.Seed, "v", i, k))
			continue
		}
		g.addFile(ds, parent, name, ft, blob, created, modified, by)
	}
}

// pickFolder chooses where a file goes; pictures mostly go to Pictures.
func (g *generator) pickFolder(r *genRand, ds *driveState, ft fileType) *DriveItem {
	switch {
	case (ft.ext == "jpg" || ft.ext == "png") && r.chance(0.6):
		if ft.ext == "png" {
			return ds.byPath["Pictures/Screenshots"]
		}
		return ds.byPath["Pictures/Camera Roll"]
	case ft.ext == "mp4" && r.chance(0.7):
		return ds.byPath["Recordings"]
	case r.chance(0.1):
		return ds.d.Item("root")
	}
	return pick(r, ds.folders)
}

// versionedFile adds a file with one or two earlier versions: it is created
// with older content, then SetContent keeps that content as a version.
func (g *generator) versionedFile(r *genRand, ds *driveState, parent *DriveItem, name string, ft fileType,
	final Blob, created, modified time.Time, by Props, seed uint64) {
	versions := r.between(1, 2)
	first := contentFor(seed, ft, max(1, final.Size()*int64(7+r.intn(6))/10))
	span := modified.Sub(created) / time.Duration(versions+1)
	it := g.addFile(ds, parent, name, ft, first, created, created, by)
	for v := 1; v <= versions; v++ {
		content, at := final, modified
		if v < versions {
			content = contentFor(SeedOf(seed, v), ft, max(1, final.Size()*9/10))
			at = created.Add(span * time.Duration(v))
		}
		setFileContent(g.t, ds.d, it, ft.mime, content, at, by)
	}
}

// addFolder creates a folder item.
func (g *generator) addFolder(ds *driveState, parent *DriveItem, name string, at time.Time, by Props) *DriveItem {
	it := &DriveItem{Name: uniqueName(ds.d, parent, name), Folder: true, Props: itemProps(at, at, by, by)}
	g.t.AddItem(ds.d, parent, it)
	ds.folders = append(ds.folders, it)
	return it
}

// addFile creates a file item; its quickXorHash is computed, with the
// others, at the end of Generate.
func (g *generator) addFile(ds *driveState, parent *DriveItem, name string, ft fileType, content Blob,
	created, modified time.Time, by Props) *DriveItem {
	it := newFileItem(uniqueName(ds.d, parent, name), ft, content, created, modified, identity(ds.u), by)
	g.t.AddItem(ds.d, parent, it)
	g.pending = append(g.pending, it)
	return it
}

// hashPending computes the quickXorHash of every generated file, on all
// cores: hashing is most of the cost of generating drives.
func (g *generator) hashPending() error {
	var eg errgroup.Group
	eg.SetLimit(runtime.GOMAXPROCS(0))
	for _, it := range g.pending {
		eg.Go(func() error { return hashFile(it) })
	}
	g.pending = nil
	return eg.Wait()
}

// newFileItem returns a file item with its content, file facet and, for
// pictures and videos, media facets. The facet's hash is empty until
// hashFile fills it.
func newFileItem(name string, ft fileType, content Blob, created, modified time.Time, createdBy, modifiedBy Props) *DriveItem {
	it := &DriveItem{Name: name, Content: content, Props: itemProps(created, modified, createdBy, modifiedBy)}
	it.Props["file"] = fileFacet(ft.mime)
	seed := SeedOf(name, content.Size())
	switch ft.ext {
	case "jpg":
		it.Props["image"] = Props{"width": float64(4032), "height": float64(3024)}
		it.Props["photo"] = Props{"takenDateTime": Timestamp(created), "cameraMake": "Contoso", "cameraModel": "Lumen 9"}
	case "png":
		it.Props["image"] = Props{"width": float64(800 + seed%1200), "height": float64(600 + seed%800)}
	case "mp4":
		it.Props["video"] = Props{"width": float64(1920), "height": float64(1080), "bitrate": float64(4_000_000),
			"duration": float64(content.Size() * 8 / 4_000_000 * 1000), "audioChannels": float64(2),
			"audioFormat": "AAC", "fourCC": "avc1", "frameRate": float64(30)}
	}
	return it
}

// fileFacet returns a driveItem's file facet with an empty hash.
// https://learn.microsoft.com/graph/api/resources/file
func fileFacet(mime string) Props {
	return Props{"mimeType": mime, "hashes": Props{"quickXorHash": ""}}
}

// hashFile stores the quickXorHash of it's content in its file facet. It
// writes only to it, so files can be hashed concurrently.
func hashFile(it *DriveItem) error {
	h, err := QuickXorHashBlob(it.Content)
	if err != nil {
		return fmt.Errorf("file %q: %w", it.Name, err)
	}
	file, _ := it.Props["file"].(Props)
	if file == nil {
		file = fileFacet("application/octet-stream")
		it.Props["file"] = file
	}
	file["hashes"] = Props{"quickXorHash": h}
	return nil
}

// setFileContent replaces a file's content through Tenant.SetContent,
// keeping the old content as a version, and updates the props that depend
// on content; the caller then hashes it with hashFile. Hold the write
// lock.
func setFileContent(t *Tenant, d *Drive, it *DriveItem, mime string, content Blob, at time.Time, by Props) {
	it.Props["file"] = fileFacet(mime)
	it.Props["lastModifiedBy"] = cloneProps(by)
	if fsi, _ := it.Props["fileSystemInfo"].(Props); fsi != nil {
		fsi["lastModifiedDateTime"] = Timestamp(at)
	}
	t.SetContent(d, it, content, at)
}

// itemProps returns the props every driveItem has.
// https://learn.microsoft.com/graph/api/resources/driveitem
func itemProps(created, modified time.Time, createdBy, modifiedBy Props) Props {
	return Props{
		"createdDateTime":      Timestamp(created),
		"lastModifiedDateTime": Timestamp(modified),
		"fileSystemInfo":       Props{"createdDateTime": Timestamp(created), "lastModifiedDateTime": Timestamp(modified)},
		"createdBy":            cloneProps(createdBy),
		"lastModifiedBy":       cloneProps(modifiedBy),
	}
}

// uniqueName returns name, or name with " (n)" before its extension when
// parent already has a child of that name (OneDrive names are unique per
// folder, case-insensitively).
func uniqueName(d *Drive, parent *DriveItem, name string) string {
	if d.Child(parent, name) == nil {
		return name
	}
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for n := 2; ; n++ {
		c := fmt.Sprintf("%s (%d)%s", stem, n, ext)
		if d.Child(parent, c) == nil {
			return c
		}
	}
}
