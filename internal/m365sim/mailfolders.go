package m365sim

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

func folderJSON(mb *tenant.Mailbox, f *tenant.MailFolder) map[string]any {
	m := withID(f.ID, f.Props)
	m["parentFolderId"] = f.ParentID
	m["childFolderCount"] = len(mb.ChildFolders(f.ID))
	m["unreadItemCount"] = f.Unread
	m["totalItemCount"] = f.Count
	m["isHidden"] = f.Hidden
	return m
}

// listMailFolders lists the folders under the root ("Top of Information
// Store"); hidden folders only with includeHiddenFolders=true.
// https://learn.microsoft.com/en-us/graph/api/user-list-mailfolders
func (s *Server) listMailFolders(w http.ResponseWriter, r *http.Request) {
	s.listFolders(w, r, "msgfolderroot")
}

func (s *Server) listChildFolders(w http.ResponseWriter, r *http.Request) {
	s.listFolders(w, r, r.PathValue("folder"))
}

func (s *Server) listFolders(w http.ResponseWriter, r *http.Request, parent string) {
	q := parseQuery(w, r, odata.MailFolders)
	if q == nil {
		return
	}
	hidden := strings.EqualFold(r.URL.Query().Get("includeHiddenFolders"), "true")
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		p := mb.Folder(parent)
		if p == nil {
			return func() { notFoundFolder(w, r) }
		}
		var items []map[string]any
		for _, f := range mb.ChildFolders(p.ID) {
			if f.Hidden && !hidden {
				continue
			}
			items = append(items, folderJSON(mb, f))
		}
		return func() {
			writePage(w, r, q, odata.MailFolders, items, listOpts{context: "users('" + u.ID + "')/mailFolders", countAny: true})
		}
	})
}

func (s *Server) getMailFolder(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{})
	if q == nil {
		return
	}
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		f := mb.Folder(r.PathValue("folder"))
		if f == nil {
			return func() { notFoundFolder(w, r) }
		}
		item := odata.Project(folderJSON(mb, f), q.Select)
		item["@odata.context"] = contextURL(r, "users('"+u.ID+"')/mailFolders/$entity")
		return func() { writeJSON(w, http.StatusOK, item) }
	})
}

type folderInput struct {
	DisplayName *string `json:"displayName"`
	IsHidden    bool    `json:"isHidden"`
}

// createMailFolder creates a top-level folder (POST /mailFolders) or a child
// folder (POST /mailFolders/{id}/childFolders). A duplicate name under the
// same parent is 409 ErrorFolderExists, as Exchange answers.
func (s *Server) createMailFolder(w http.ResponseWriter, r *http.Request) {
	var in folderInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.DisplayName == nil || *in.DisplayName == "" {
		badRequest(w, r, "ErrorInvalidRequest", "The request body must contain a displayName.")
		return
	}
	parent := r.PathValue("folder")
	if parent == "" {
		parent = "msgfolderroot"
	}
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		p := mb.Folder(parent)
		if p == nil {
			return func() { notFoundFolder(w, r) }
		}
		for _, c := range mb.ChildFolders(p.ID) {
			if name, _ := c.Props["displayName"].(string); strings.EqualFold(name, *in.DisplayName) {
				return func() {
					graphError(w, r, http.StatusConflict, "ErrorFolderExists", "A folder with the specified name already exists.")
				}
			}
		}
		f := s.t(r).AddFolder(mb, p.ID, *in.DisplayName)
		f.Hidden = in.IsHidden
		item := folderJSON(mb, f)
		item["@odata.context"] = contextURL(r, "users('"+u.ID+"')/mailFolders/$entity")
		return func() { writeJSON(w, http.StatusCreated, item) }
	})
}

func (s *Server) updateMailFolder(w http.ResponseWriter, r *http.Request) {
	var in folderInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.DisplayName == nil {
		badRequest(w, r, "ErrorInvalidRequest", "The request body must contain a displayName.")
		return
	}
	s.withMailbox(w, r, true, func(u *tenant.User, mb *tenant.Mailbox) reply {
		f := mb.Folder(r.PathValue("folder"))
		if f == nil {
			return func() { notFoundFolder(w, r) }
		}
		if f.WellKnown != "" {
			return func() { accessDenied(w, r, denyExchange) }
		}
		s.t(r).UpdateFolder(mb, f, tenant.Props{"displayName": *in.DisplayName})
		item := folderJSON(mb, f)
		return func() { writeJSON(w, http.StatusOK, item) }
	})
}

// mailFoldersDelta returns every folder of the mailbox (nested ones too,
// with parentFolderId), as mailFolder delta tracks the whole hierarchy.
func (s *Server) mailFoldersDelta(w http.ResponseWriter, r *http.Request) {
	_, c, ok := startDelta(w, r, odata.MailFolders, deltaOutlook)
	if !ok {
		return
	}
	size := outlookPageSize(w, r)
	s.withMailbox(w, r, false, func(u *tenant.User, mb *tenant.Mailbox) reply {
		page, valid := computeDelta(&mb.FoldersLog, c, s.t(r).Seq(), size)
		path := "/users/" + u.ID + "/mailFolders/delta"
		if !valid {
			return func() { deltaGone(w, r, deltaOutlook, selfLink(r, path, nil)) }
		}
		var items []map[string]any
		for _, e := range page.entries {
			f := mb.Folders[e.ID]
			if e.Removed || f == nil || f.Deleted {
				items = append(items, removed("#microsoft.graph.mailFolder", e.ID, "deleted"))
				continue
			}
			if f.ParentID == "" || f.Hidden {
				continue // the roots and hidden folders are not part of the user's folder tree
			}
			items = append(items, odata.Project(folderJSON(mb, f), splitSelect(c.tok.Select)))
		}
		return func() { writeDelta(w, r, deltaOutlook, path, nil, "Collection(mailFolder)", page, items) }
	})
}
