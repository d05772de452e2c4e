package m365sim

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

func contactFolderJSON(mb *tenant.Mailbox, f *tenant.ContactFolder) map[string]any {
	out := withID(f.ID, f.Props)
	out["parentFolderId"] = f.ParentID
	if f.ParentID == "" && !f.Default {
		out["parentFolderId"] = mb.DefaultContactFolder().ID
	}
	return out
}

func contactJSON(c *tenant.Contact) map[string]any {
	out := withID(c.ID, c.Props)
	ck := tenant.ChangeKey(c.ID, c.Version)
	out["@odata.etag"] = `W/"` + ck + `"`
	out["changeKey"] = ck
	out["parentFolderId"] = c.FolderID
	return out
}

// listContactFolders lists the folders inside the default Contacts folder;
// their parentFolderId is the default folder's id.
// https://learn.microsoft.com/en-us/graph/api/user-list-contactfolders
func (s *Server) listContactFolders(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{DefaultTop: 10, MaxTop: 1000})
	if q == nil {
		return
	}
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		// Only the default folder's direct children: deeper folders are
		// listed by childFolders.
		def := mb.DefaultContactFolder()
		var items []map[string]any
		for _, f := range mb.ContactFolderList {
			if !f.Default && (f.ParentID == def.ID || f.ParentID == "") {
				items = append(items, contactFolderJSON(mb, f))
			}
		}
		return func() {
			writePage(w, r, q, odata.Rules{DefaultTop: 10}, items, listOpts{context: "users('" + u.ID + "')/contactFolders"})
		}
	})
}

// getContactFolder serves one contact folder by id, the default one
// included.
// https://learn.microsoft.com/en-us/graph/api/contactfolder-get
func (s *Server) getContactFolder(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{})
	if q == nil {
		return
	}
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		f := mb.ContactFolders[r.PathValue("cf")]
		if f == nil {
			return func() { notFoundFolder(w, r) }
		}
		out := odata.Project(contactFolderJSON(mb, f), q.Select)
		return func() { writeJSON(w, http.StatusOK, out) }
	})
}

// listContactChildFolders lists the direct child folders of a contact
// folder: "Get a collection of child folders under the specified contact
// folder."
// https://learn.microsoft.com/en-us/graph/api/contactfolder-list-childfolders
func (s *Server) listContactChildFolders(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{DefaultTop: 10, MaxTop: 1000})
	if q == nil {
		return
	}
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		parent := mb.ContactFolders[r.PathValue("cf")]
		if parent == nil {
			return func() { notFoundFolder(w, r) }
		}
		var items []map[string]any
		for _, f := range mb.ContactFolderList {
			if !f.Default && contactFolderJSON(mb, f)["parentFolderId"] == parent.ID {
				items = append(items, contactFolderJSON(mb, f))
			}
		}
		return func() {
			writePage(w, r, q, odata.Rules{DefaultTop: 10}, items, listOpts{context: "users('" + u.ID + "')/contactFolders('" + parent.ID + "')/childFolders"})
		}
	})
}

// createContactFolder creates a contact folder. user-post-contactfolders
// documents "POST /users/{id | userPrincipalName}/contactFolders", which
// creates it "under the user's default contacts folder" (or below the
// folder a parentFolderId in the body names, as its example sends), and
// contactfolder-post-childfolders "POST /users/{id | userPrincipalName}/
// contactFolders/{id}/childFolders", "as a child of a specified folder";
// both answer 201 Created with the contactFolder.
// https://learn.microsoft.com/en-us/graph/api/user-post-contactfolders
// https://learn.microsoft.com/en-us/graph/api/contactfolder-post-childfolders
//
// Neither page documents an answer for a name the parent already has.
// Exchange refuses to create a folder that exists (MS-OXWSFOLD 3.1.4.2
// CreateFolder, which covers Contacts folders: "Trying to create a folder
// that already exists results in an error"); as createMailFolder does, the
// emulator answers 409 ErrorFolderExists, comparing names
// case-insensitively.
// https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxwsfold/f44f8b84-12d6-4dd6-994c-fd235b9cb886
func (s *Server) createContactFolder(w http.ResponseWriter, r *http.Request) {
	var in struct {
		DisplayName    *string `json:"displayName"`
		ParentFolderID string  `json:"parentFolderId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.DisplayName == nil || strings.TrimSpace(*in.DisplayName) == "" {
		badRequest(w, r, "ErrorInvalidRequest", "The request body must contain a displayName.")
		return
	}
	parentID := r.PathValue("cf")
	if parentID == "" {
		parentID = in.ParentFolderID
	}
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		parent := mb.DefaultContactFolder()
		if parentID != "" {
			parent = mb.ContactFolders[parentID]
		}
		if parent == nil {
			return func() { notFoundFolder(w, r) }
		}
		if mb.ContactChild(parent, *in.DisplayName) != nil {
			return func() {
				graphError(w, r, http.StatusConflict, "ErrorFolderExists", "A folder with the specified name already exists.")
			}
		}
		f := s.t(r).AddContactFolder(mb, parent, *in.DisplayName)
		out := contactFolderJSON(mb, f)
		out["@odata.context"] = contextURL(r, "users('"+u.ID+"')/contactFolders/$entity")
		return func() { writeJSON(w, http.StatusCreated, out) }
	})
}

func contactFolderOf(r *http.Request, mb *tenant.Mailbox) *tenant.ContactFolder {
	id := r.PathValue("cf")
	if id == "" {
		return mb.DefaultContactFolder()
	}
	return mb.ContactFolders[id]
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Contacts)
	if q == nil {
		return
	}
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		f := contactFolderOf(r, mb)
		if f == nil {
			return func() { notFoundFolder(w, r) }
		}
		var items []map[string]any
		for _, c := range mb.Contacts {
			if c.FolderID == f.ID {
				items = append(items, contactJSON(c))
			}
		}
		if len(q.OrderBy) == 0 {
			odata.Sort(items, []odata.OrderTerm{{Path: []string{"displayName"}}, {Path: []string{"id"}}})
		}
		return func() {
			writePage(w, r, q, odata.Contacts, items, listOpts{context: "users('" + u.ID + "')/contacts", countAny: true, preferMax: true})
		}
	})
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{})
	if q == nil {
		return
	}
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		c := mb.Contacts[r.PathValue("contact")]
		if c == nil {
			return func() { notFoundItem(w, r) }
		}
		out := odata.Project(contactJSON(c), q.Select, "@odata.etag")
		return func() { writeJSON(w, http.StatusOK, out) }
	})
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeProps(w, r)
	if !ok {
		return
	}
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		f := contactFolderOf(r, mb)
		if f == nil {
			return func() { notFoundFolder(w, r) }
		}
		now := tenant.Timestamp(s.opts.Now())
		in["createdDateTime"], in["lastModifiedDateTime"] = now, now
		c := &tenant.Contact{Props: in}
		s.t(r).AddContact(mb, f, c)
		out := contactJSON(c)
		return func() { writeJSON(w, http.StatusCreated, out) }
	})
}

func (s *Server) updateContact(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeProps(w, r)
	if !ok {
		return
	}
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		c := mb.Contacts[r.PathValue("contact")]
		if c == nil {
			return func() { notFoundItem(w, r) }
		}
		in["lastModifiedDateTime"] = tenant.Timestamp(s.opts.Now())
		s.t(r).UpdateContact(mb, c, in)
		out := contactJSON(c)
		return func() { writeJSON(w, http.StatusOK, out) }
	})
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request) {
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		c := mb.Contacts[r.PathValue("contact")]
		if c == nil {
			return func() { notFoundItem(w, r) }
		}
		s.t(r).DeleteContact(mb, c)
		return func() { w.WriteHeader(http.StatusNoContent) }
	})
}

// contactsDelta serves per-folder contact delta.
// https://learn.microsoft.com/en-us/graph/api/contact-delta
func (s *Server) contactsDelta(w http.ResponseWriter, r *http.Request) {
	_, c, ok := startDelta(w, r, odata.Rules{DefaultTop: 10, MaxTop: 1000}, deltaOutlook)
	if !ok {
		return
	}
	size := outlookPageSize(w, r)
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		f := contactFolderOf(r, mb)
		if f == nil {
			return func() { notFoundFolder(w, r) }
		}
		path := "/users/" + u.ID + "/contactFolders('" + f.ID + "')/contacts/delta"
		if s.faults.TakeDeltaExpiry(f.ID) && !c.tok.Initial {
			return func() { deltaGone(w, r, deltaOutlook, selfLink(r, path, nil)) }
		}
		page, valid := computeDelta(&f.Log, c, s.t(r).Seq(), size)
		if !valid {
			return func() { deltaGone(w, r, deltaOutlook, selfLink(r, path, nil)) }
		}
		sel := splitSelect(c.tok.Select)
		var items []map[string]any
		for _, e := range page.entries {
			ct := mb.Contacts[e.ID]
			if e.Removed || ct == nil || ct.FolderID != f.ID {
				items = append(items, removed("#microsoft.graph.contact", e.ID, "deleted"))
				continue
			}
			items = append(items, odata.Project(contactJSON(ct), sel, "@odata.etag"))
		}
		return func() { writeDelta(w, r, deltaOutlook, path, nil, "Collection(contact)", page, items) }
	})
}
