package m365sim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// driveOf resolves the drive a route addresses: /drives/{drive} or
// /users/{user}/drive. Hold the tenant's lock.
func (s *Server) driveOf(r *http.Request) *tenant.Drive {
	if id := r.PathValue("drive"); id != "" {
		return s.t(r).Drives[id]
	}
	if u := s.t(r).User(r.PathValue("user")); u != nil {
		return u.Drive
	}
	return nil
}

// withDrive runs fn with the route's drive under the tenant's lock.
func (s *Server) withDrive(w http.ResponseWriter, r *http.Request, write bool, fn func(d *tenant.Drive) reply) {
	lock := s.t(r).Read
	if write {
		lock = s.t(r).Write
	}
	var out reply
	lock(func() error {
		d := s.driveOf(r)
		if d == nil {
			out = func() { notFoundDriveItem(w, r) }
			return nil
		}
		out = fn(d)
		return nil
	})
	if out != nil {
		out()
	}
}

// resolveItem finds the item an {item} segment addresses: an id, "root",
// or either followed by a relative path. Hold the tenant's lock.
func resolveItem(d *tenant.Drive, ref string) *tenant.DriveItem {
	base, rel, err := splitPathRef(ref)
	if err != nil {
		return nil
	}
	it := d.Item(base)
	for _, name := range strings.Split(rel, "/") {
		if it == nil || name == "" {
			continue
		}
		it = d.Child(it, name)
	}
	return it
}

// resolveParent returns the parent and the last name of a path reference
// whose final item may not exist yet (uploads, creation).
func resolveParent(d *tenant.Drive, ref string) (*tenant.DriveItem, string) {
	base, rel, err := splitPathRef(ref)
	if err != nil || rel == "" {
		return nil, ""
	}
	dir, name := "", rel
	if i := strings.LastIndex(rel, "/"); i >= 0 {
		dir, name = rel[:i], rel[i+1:]
	}
	parent := d.Item(base)
	for _, n := range strings.Split(dir, "/") {
		if parent == nil || n == "" {
			continue
		}
		parent = d.Child(parent, n)
	}
	return parent, name
}

// itemJSON renders a driveItem. inDelta drops parentReference.path, as the
// delta feed does.
func (s *Server) itemJSON(r *http.Request, d *tenant.Drive, it *tenant.DriveItem, inDelta bool) map[string]any {
	out := withID(it.ID, it.Props)
	out["name"] = it.Name
	out["eTag"] = it.ETag()
	// cTag changes with the content only (eTag with any change), as the
	// driveItem resource documents; a file's content generation is its
	// number of versions.
	ctag := it.Version
	if !it.Folder {
		ctag = int64(len(it.Versions) + 1)
	}
	out["cTag"] = `"c:{` + it.ID + `},` + itoa(ctag) + `"`
	out["size"] = d.Size(it)
	out["webUrl"] = baseURL(r) + "/personal/" + d.Owner + "/Documents" + d.Path(it)
	if it.ID == d.RootID {
		out["root"] = map[string]any{}
		out["name"] = "root"
	} else {
		pr := map[string]any{"driveId": d.ID, "driveType": "business", "id": it.ParentID}
		if !inDelta {
			pr["path"] = "/drive/root:" + parentPath(d, it)
		}
		out["parentReference"] = pr
	}
	if sh := sharedFacet(r, d, it, inDelta); sh != nil {
		out["shared"] = sh
	}
	if it.Folder {
		out["folder"] = map[string]any{"childCount": len(it.Children)}
	} else {
		out["@microsoft.graph.downloadUrl"] = s.downloadURL(r, d.ID, it.ID, "", it.Version)
	}
	return out
}

func parentPath(d *tenant.Drive, it *tenant.DriveItem) string {
	p := d.Path(it)
	return p[:strings.LastIndex(p, "/")]
}

func (s *Server) getDrive(w http.ResponseWriter, r *http.Request) {
	s.withDrive(w, r, false, func(d *tenant.Drive) reply {
		out := withID(d.ID, d.Props)
		root := d.Items[d.RootID]
		out["quota"] = map[string]any{"used": d.Size(root), "total": int64(1) << 40, "state": "normal"}
		out["@odata.context"] = contextURL(r, "drives/$entity")
		return func() { writeJSON(w, http.StatusOK, out) }
	})
}

func (s *Server) getDriveItem(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{})
	if q == nil {
		return
	}
	s.withDrive(w, r, false, func(d *tenant.Drive) reply {
		it := resolveItem(d, r.PathValue("item"))
		if it == nil {
			return func() { notFoundDriveItem(w, r) }
		}
		out := odata.Project(s.itemJSON(r, d, it, false), q.Select)
		out["@odata.context"] = contextURL(r, "drives('"+d.ID+"')/items/$entity")
		return func() { writeJSON(w, http.StatusOK, out) }
	})
}

func (s *Server) listChildren(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.DriveChildren)
	if q == nil {
		return
	}
	s.withDrive(w, r, false, func(d *tenant.Drive) reply {
		it := resolveItem(d, r.PathValue("item"))
		if it == nil {
			return func() { notFoundDriveItem(w, r) }
		}
		var items []map[string]any
		for _, id := range it.Children {
			if c := d.Item(id); c != nil {
				items = append(items, s.itemJSON(r, d, c, false))
			}
		}
		return func() {
			writePage(w, r, q, odata.DriveChildren, items, listOpts{context: "drives('" + d.ID + "')/items"})
		}
	})
}

// createChild creates a folder: POST …/children {"name","folder":{}}.
func (s *Server) createChild(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		badRequest(w, r, "invalidRequest", "Cannot read the request body: "+err.Error())
		return
	}
	name, _ := in["name"].(string)
	if _, isFolder := in["folder"]; !isFolder || name == "" {
		badRequest(w, r, "invalidRequest", "A folder needs a name and a folder facet; upload files with PUT …/content or createUploadSession.")
		return
	}
	if err := validName(name); err != "" {
		badRequest(w, r, "invalidRequest", err)
		return
	}
	conflict, _ := in["@microsoft.graph.conflictBehavior"].(string)
	s.withDrive(w, r, true, func(d *tenant.Drive) reply {
		parent := resolveItem(d, r.PathValue("item"))
		if parent == nil || !parent.Folder {
			return func() { notFoundDriveItem(w, r) }
		}
		name, ok := resolveConflict(d, parent, name, conflict)
		if !ok {
			return func() { nameConflict(w, r) }
		}
		now := tenant.Timestamp(s.opts.Now())
		it := &tenant.DriveItem{Name: name, Folder: true, Props: tenant.Props{
			"createdDateTime": now, "lastModifiedDateTime": now,
			"fileSystemInfo": map[string]any{"createdDateTime": now, "lastModifiedDateTime": now}}}
		if fsi, ok := in["fileSystemInfo"].(map[string]any); ok {
			it.Props["fileSystemInfo"] = fsi
		}
		s.t(r).AddItem(d, parent, it)
		out := s.itemJSON(r, d, it, false)
		return func() { writeJSON(w, http.StatusCreated, out) }
	})
}

func nameConflict(w http.ResponseWriter, r *http.Request) {
	graphError(w, r, http.StatusConflict, "nameAlreadyExists", "The specified item name already exists.")
}

// resolveConflict applies @microsoft.graph.conflictBehavior (fail is the
// default): it returns the name to use, or false when the name is taken
// and behaviour is fail. replace is handled by the caller.
func resolveConflict(d *tenant.Drive, parent *tenant.DriveItem, name, behavior string) (string, bool) {
	if d.Child(parent, name) == nil || strings.EqualFold(behavior, "replace") {
		return name, true
	}
	if !strings.EqualFold(behavior, "rename") {
		return "", false
	}
	stem, ext := name, ""
	if i := strings.LastIndex(name, "."); i > 0 {
		stem, ext = name[:i], name[i:]
	}
	for n := 1; ; n++ {
		cand := stem + " " + itoa(int64(n)) + ext
		if d.Child(parent, cand) == nil {
			return cand, true
		}
	}
}

// validName checks OneDrive's naming rules.
// https://support.microsoft.com/office/restrictions-and-limitations-in-onedrive-and-sharepoint
func validName(name string) string {
	if strings.ContainsAny(name, `"*:<>?/\|`) {
		return "The name '" + name + "' contains a character that is not allowed (\" * : < > ? / \\ |)."
	}
	if strings.TrimSpace(name) == "" || strings.HasSuffix(name, ".") && strings.Trim(name, ".") == "" {
		return "The name '" + name + "' is not valid."
	}
	return ""
}

// updateDriveItem renames, moves or updates properties of an item.
func (s *Server) updateDriveItem(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		badRequest(w, r, "invalidRequest", "Cannot read the request body: "+err.Error())
		return
	}
	name, _ := in["name"].(string)
	if name != "" {
		if e := validName(name); e != "" {
			badRequest(w, r, "invalidRequest", e)
			return
		}
	}
	var newParentID string
	if pr, ok := in["parentReference"].(map[string]any); ok {
		newParentID, _ = pr["id"].(string)
	}
	props := tenant.Props{}
	for _, k := range []string{"fileSystemInfo", "description"} {
		if v, ok := in[k]; ok {
			props[k] = v
		}
	}
	s.withDrive(w, r, true, func(d *tenant.Drive) reply {
		it := resolveItem(d, r.PathValue("item"))
		if it == nil || it.ID == d.RootID {
			return func() { notFoundDriveItem(w, r) }
		}
		var np *tenant.DriveItem
		if newParentID != "" {
			if np = d.Item(newParentID); np == nil || !np.Folder {
				return func() { notFoundDriveItem(w, r) }
			}
		}
		target := np
		if target == nil {
			target = d.Items[it.ParentID]
		}
		if name != "" || np != nil {
			n := name
			if n == "" {
				n = it.Name
			}
			if c := d.Child(target, n); c != nil && c != it {
				return func() { nameConflict(w, r) }
			}
		}
		props["lastModifiedDateTime"] = tenant.Timestamp(s.opts.Now())
		s.t(r).UpdateItem(d, it, props, name, np)
		out := s.itemJSON(r, d, it, false)
		return func() { writeJSON(w, http.StatusOK, out) }
	})
}

func (s *Server) deleteDriveItem(w http.ResponseWriter, r *http.Request) {
	s.withDrive(w, r, true, func(d *tenant.Drive) reply {
		it := resolveItem(d, r.PathValue("item"))
		if it == nil || it.ID == d.RootID {
			return func() { notFoundDriveItem(w, r) }
		}
		s.t(r).DeleteItem(d, it)
		return func() { w.WriteHeader(http.StatusNoContent) }
	})
}

// driveDelta serves /root/delta: the latest state of each changed item,
// parents before children, deleted items with a deleted facet and (as
// OneDrive for Business does) without name.
// https://learn.microsoft.com/en-us/graph/api/driveitem-delta
func (s *Server) driveDelta(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.DriveDelta)
	if q == nil {
		return
	}
	c, ok := readDeltaCursor(w, r, deltaDrive)
	if !ok {
		return
	}
	size := q.Top
	if n := maxPageSize(w, r); n > 0 && size == 0 {
		size = n
	}
	if size == 0 {
		size = 200
	}
	roundStart := deltaRoundStart(&c)
	showSharing := showsSharingChanges(r)
	s.withDrive(w, r, false, func(d *tenant.Drive) reply {
		path := "/drives/" + d.ID + "/root/delta"
		if s.faults.TakeDeltaExpiry(d.ID) && !c.tok.Initial {
			return func() { deltaGone(w, r, deltaDrive, selfLink(r, path, nil)) }
		}
		page, valid := computeDelta(&d.Log, c, s.t(r).Seq(), size)
		if !valid {
			return func() { deltaGone(w, r, deltaDrive, selfLink(r, path, nil)) }
		}
		var items []map[string]any
		for _, e := range page.entries {
			it := d.Items[e.ID]
			if e.Removed || it == nil || it.Deleted {
				items = append(items, map[string]any{"id": e.ID, "deleted": map[string]any{"state": "deleted"},
					"parentReference": map[string]any{"driveId": d.ID, "driveType": "business"}})
				continue
			}
			// Delta scopes permission changes to those that matter to the
			// caller; only with the sharing-changes preferences (and
			// Sites.FullControl.All) does an app see them, annotated.
			// https://learn.microsoft.com/en-us/graph/api/driveitem-delta
			switch {
			case c.tok.Initial:
			case !showSharing && it.SharingOnlySince(roundStart):
				continue
			}
			out := odata.Project(s.itemJSON(r, d, it, true), q.Select)
			if showSharing && !c.tok.Initial && it.SharingSeq > roundStart {
				out["@microsoft.graph.sharedChanged"] = "True"
			}
			items = append(items, out)
		}
		return func() { writeDelta(w, r, deltaDrive, path, nil, "Collection(driveItem)", page, items) }
	})
}

// itoa formats a version or counter for ids and tags.
func itoa(v int64) string { return strconv.FormatInt(v, 10) }
