package m365sim

import (
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// maxSimpleUpload is the largest body PUT …/content accepts.
// https://learn.microsoft.com/en-us/graph/api/driveitem-put-content
const maxSimpleUpload = 250 << 20

// spoolInMemory is the size up to which uploaded content stays in memory;
// larger uploads go to a temporary file so memory stays flat.
const spoolInMemory = 4 << 20

// getContent answers 302 with the pre-authenticated download URL, as the
// content endpoint does; Range must then be sent to that URL.
func (s *Server) getContent(w http.ResponseWriter, r *http.Request) {
	s.withDrive(w, r, false, func(d *tenant.Drive) reply {
		it := resolveItem(d, r.PathValue("item"))
		if it == nil {
			return func() { notFoundDriveItem(w, r) }
		}
		if it.Folder {
			return func() { badRequest(w, r, "invalidRequest", "Cannot download a folder.") }
		}
		if inm := r.Header.Get("If-None-Match"); inm != "" && inm == it.ETag() {
			return func() { w.WriteHeader(http.StatusNotModified) }
		}
		u := s.downloadURL(r, d.ID, it.ID, "", it.Version)
		return func() {
			w.Header().Set("Location", u)
			w.WriteHeader(http.StatusFound)
		}
	})
}

// spool stores an upload body: in memory when small, else in a temporary
// file that backs the Blob for the emulator's lifetime.
func (s *Server) spool(r io.Reader, limit int64) (tenant.Blob, error) {
	buf := make([]byte, spoolInMemory+1)
	n, err := io.ReadFull(r, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return tenant.Bytes(buf[:n]), nil
	}
	if err != nil {
		return nil, err
	}
	f, err := s.tempFile()
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(buf[:n]); err != nil {
		return nil, err
	}
	m, err := io.Copy(f, io.LimitReader(r, limit-int64(n)+1))
	if err != nil {
		return nil, err
	}
	if int64(n)+m > limit {
		return nil, errTooLarge
	}
	return fileBlob{f: f, n: int64(n) + m}, nil
}

// fileBlob is uploaded content held in a temporary file.
type fileBlob struct {
	f *os.File
	n int64
}

func (b fileBlob) Size() int64                             { return b.n }
func (b fileBlob) ReadAt(p []byte, off int64) (int, error) { return b.f.ReadAt(p, off) }

// putContent uploads a file of at most 250 MB in one request, creating it
// (…/items/{parent}:/{name}:/content) or replacing it (…/items/{id}/content).
func (s *Server) putContent(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > maxSimpleUpload {
		graphError(w, r, http.StatusRequestEntityTooLarge, "invalidRequest",
			"The request is larger than 250 MB; use an upload session (createUploadSession).")
		return
	}
	blob, err := s.spool(r.Body, maxSimpleUpload)
	if err == errTooLarge {
		graphError(w, r, http.StatusRequestEntityTooLarge, "invalidRequest",
			"The request is larger than 250 MB; use an upload session (createUploadSession).")
		return
	}
	if err != nil {
		badRequest(w, r, "invalidRequest", "Cannot read the request body: "+err.Error())
		return
	}
	conflict := r.URL.Query().Get("@microsoft.graph.conflictBehavior")
	hash, err := tenant.QuickXorHashBlob(blob)
	if err != nil {
		graphError(w, r, http.StatusInternalServerError, "generalException", "cannot read the uploaded content")
		return
	}
	s.withDrive(w, r, true, func(d *tenant.Drive) reply {
		res := s.commitFile(r, d, r.PathValue("item"), "", conflict, blob, hash, nil)
		return func() { res.write(w, r) }
	})
}

// commitResult is the outcome of storing a file.
type commitResult struct {
	status int
	item   map[string]any
	fail   func(w http.ResponseWriter, r *http.Request)
}

func (c commitResult) write(w http.ResponseWriter, r *http.Request) {
	if c.fail != nil {
		c.fail(w, r)
		return
	}
	writeJSON(w, c.status, c.item)
}

// commitFile stores blob at ref (an existing file, or a parent with a path
// to a new name, or parentRef plus name). Hold the write lock.
//
// hash is the content's quickXorHash, computed by the caller before it took
// the lock, since hashing a large file takes a while.
func (s *Server) commitFile(r *http.Request, d *tenant.Drive, ref, name, conflict string, blob tenant.Blob, hash string, fsi map[string]any) commitResult {
	now := s.opts.Now()
	var parent, it *tenant.DriveItem
	if name == "" {
		// Addressed by path, the file may exist: the conflict behaviour
		// decides (replace is PUT's default). Addressed by id, it is replaced.
		_, rel, _ := splitPathRef(ref)
		if it = resolveItem(d, ref); it == nil || (rel != "" && !strings.EqualFold(conflict, "replace") && conflict != "") {
			parent, name = resolveParent(d, ref)
			it = nil
		}
	} else {
		parent = resolveItem(d, ref)
	}
	if it == nil {
		if parent == nil || !parent.Folder {
			return commitResult{fail: notFoundDriveItem}
		}
		if e := validName(name); e != "" {
			return commitResult{fail: func(w http.ResponseWriter, r *http.Request) { badRequest(w, r, "invalidRequest", e) }}
		}
		final, ok := resolveConflict(d, parent, name, conflict)
		if !ok {
			return commitResult{fail: nameConflict}
		}
		it = d.Child(parent, final)
		name = final
	}
	if it != nil && it.Folder {
		return commitResult{fail: nameConflict}
	}
	status := http.StatusOK
	if it == nil {
		ts := tenant.Timestamp(now)
		it = &tenant.DriveItem{Name: name, Props: tenant.Props{"createdDateTime": ts, "lastModifiedDateTime": ts,
			"fileSystemInfo": map[string]any{"createdDateTime": ts, "lastModifiedDateTime": ts}}}
		s.t(r).AddItem(d, parent, it)
		status = http.StatusCreated
	}
	if fsi != nil {
		it.Props["fileSystemInfo"] = fsi
	}
	it.Props["file"] = map[string]any{"mimeType": mimeTypeOf(it.Name), "hashes": map[string]any{"quickXorHash": hash}}
	s.t(r).SetContent(d, it, blob, now)
	return commitResult{status: status, item: s.itemJSON(r, d, it, false)}
}

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{DefaultTop: 200, MaxTop: 1000})
	if q == nil {
		return
	}
	s.withDrive(w, r, false, func(d *tenant.Drive) reply {
		it := resolveItem(d, r.PathValue("item"))
		if it == nil || it.Folder {
			return func() { notFoundDriveItem(w, r) }
		}
		cur := strconv.Itoa(len(it.Versions)+1) + ".0"
		items := []map[string]any{{"id": cur, "lastModifiedDateTime": it.Props["lastModifiedDateTime"], "size": it.Content.Size()}}
		for i := len(it.Versions) - 1; i >= 0; i-- {
			v := it.Versions[i]
			items = append(items, map[string]any{"id": v.ID, "lastModifiedDateTime": tenant.Timestamp(v.Modified),
				"size": v.Content.Size(), "@microsoft.graph.downloadUrl": s.downloadURL(r, d.ID, it.ID, v.ID, it.Version)})
		}
		return func() {
			writePage(w, r, q, odata.Rules{DefaultTop: 200}, items, listOpts{context: "drives('" + d.ID + "')/items('" + it.ID + "')/versions"})
		}
	})
}

func (s *Server) getVersionContent(w http.ResponseWriter, r *http.Request) {
	s.withDrive(w, r, false, func(d *tenant.Drive) reply {
		it := resolveItem(d, r.PathValue("item"))
		if it == nil {
			return func() { notFoundDriveItem(w, r) }
		}
		for _, v := range it.Versions {
			if v.ID == r.PathValue("version") {
				u := s.downloadURL(r, d.ID, it.ID, v.ID, it.Version)
				return func() { w.Header().Set("Location", u); w.WriteHeader(http.StatusFound) }
			}
		}
		return func() { notFoundDriveItem(w, r) }
	})
}

func (s *Server) restoreVersion(w http.ResponseWriter, r *http.Request) {
	s.withDrive(w, r, true, func(d *tenant.Drive) reply {
		it := resolveItem(d, r.PathValue("item"))
		if it == nil {
			return func() { notFoundDriveItem(w, r) }
		}
		for _, v := range it.Versions {
			if v.ID == r.PathValue("version") {
				s.t(r).SetContent(d, it, v.Content, s.opts.Now())
				return func() { w.WriteHeader(http.StatusNoContent) }
			}
		}
		return func() { notFoundDriveItem(w, r) }
	})
}

var mimeTypes = map[string]string{
	".txt": "text/plain", ".csv": "text/csv", ".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".png": "image/png", ".zip": "application/x-zip-compressed", ".mp4": "video/mp4",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

func mimeTypeOf(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			if t, ok := mimeTypes[lower(name[i:])]; ok {
				return t
			}
			break
		}
	}
	return "application/octet-stream"
}
