package m365sim

import (
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// userDefaults are the properties /users returns without $select.
// https://learn.microsoft.com/en-us/graph/api/user-list#optional-query-parameters
var userDefaults = []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail",
	"mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"}

func withID(id string, props tenant.Props) map[string]any {
	m := maps.Clone(props)
	if m == nil {
		m = map[string]any{}
	}
	m["id"] = id
	return m
}

func userJSON(u *tenant.User) map[string]any { return withID(u.ID, u.Props) }

// defaultSelect applies a resource's default property set when the client
// sent no $select.
func defaultSelect(q *odata.Query, defaults []string) {
	if len(q.Select) == 0 {
		q.Select = defaults
	}
}

func (s *Server) listOrganization(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{DefaultTop: 100, MaxTop: 999})
	if q == nil {
		return
	}
	var items []map[string]any
	s.t(r).Read(func() error {
		items = []map[string]any{withID(s.t(r).ID, s.t(r).Org)}
		return nil
	})
	writePage(w, r, q, odata.Rules{DefaultTop: 100}, items, listOpts{context: "organization"})
}

func (s *Server) listDomains(w http.ResponseWriter, r *http.Request) {
	s.listProps(w, r, "domains", func() []map[string]any {
		out := make([]map[string]any, 0, len(s.t(r).Domains))
		for _, d := range s.t(r).Domains {
			out = append(out, maps.Clone(d))
		}
		return out
	})
}

func (s *Server) listSKUs(w http.ResponseWriter, r *http.Request) {
	s.listProps(w, r, "subscribedSkus", func() []map[string]any {
		out := make([]map[string]any, 0, len(s.t(r).SKUs))
		for _, d := range s.t(r).SKUs {
			out = append(out, maps.Clone(d))
		}
		return out
	})
}

func (s *Server) listProps(w http.ResponseWriter, r *http.Request, ctx string, build func() []map[string]any) {
	rules := odata.Rules{DefaultTop: 100, MaxTop: 999}
	q := parseQuery(w, r, rules)
	if q == nil {
		return
	}
	var items []map[string]any
	s.t(r).Read(func() error { items = build(); return nil })
	writePage(w, r, q, rules, items, listOpts{context: ctx})
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Users)
	if q == nil {
		return
	}
	defaultSelect(q, userDefaults)
	var items []map[string]any
	s.t(r).Read(func() error {
		for _, u := range s.t(r).Users {
			if !u.Deleted {
				items = append(items, userJSON(u))
			}
		}
		return nil
	})
	writePage(w, r, q, odata.Users, items, listOpts{context: "users"})
}

// countUsers serves /users/$count, which needs ConsistencyLevel: eventual
// and answers a bare number as text/plain.
// https://learn.microsoft.com/en-us/graph/aad-advanced-queries
func (s *Server) countUsers(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("ConsistencyLevel") != "eventual" {
		badRequest(w, r, "Request_BadRequest", "$count is not currently supported.")
		return
	}
	n := 0
	s.t(r).Read(func() error {
		for _, u := range s.t(r).Users {
			if !u.Deleted {
				n++
			}
		}
		return nil
	})
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte(strconv.Itoa(n)))
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{})
	if q == nil {
		return
	}
	defaultSelect(q, userDefaults)
	s.withUser(w, r, false, func(u *tenant.User) reply {
		item := odata.Project(userJSON(u), q.Select)
		item["@odata.context"] = contextURL(r, "users/$entity")
		return func() { writeJSON(w, http.StatusOK, item) }
	})
}

func (s *Server) usersDelta(w http.ResponseWriter, r *http.Request) {
	t := s.t(r)
	s.directoryDelta(w, r, odata.UsersDelta, "users", &t.UsersLog, userDefaults, func(id string) map[string]any {
		if u := t.UsersByID[lower(id)]; u != nil && !u.Deleted {
			return userJSON(u)
		}
		return nil
	})
}

// directoryDelta serves /users/delta and /groups/delta: objects that left
// come back as @removed with reason "changed" (soft-deleted, restorable),
// as directory delta reports them.
// https://learn.microsoft.com/en-us/graph/api/user-delta
func (s *Server) directoryDelta(w http.ResponseWriter, r *http.Request, rules odata.Rules, kind string,
	log *tenant.ChangeLog, defaults []string, lookup func(id string) map[string]any) {
	_, c, ok := startDelta(w, r, rules, deltaDirectory)
	if !ok {
		return
	}
	sel := splitSelect(c.tok.Select)
	if len(sel) == 0 {
		sel = defaults
	}
	var page deltaPage
	var items []map[string]any
	valid := true
	t := s.t(r)
	t.Read(func() error {
		page, valid = computeDelta(log, c, t.Seq(), 100)
		for _, e := range page.entries {
			obj := lookup(e.ID)
			if e.Removed || obj == nil {
				items = append(items, removed("#microsoft.graph."+strings.TrimSuffix(kind, "s"), e.ID, "changed"))
				continue
			}
			items = append(items, odata.Project(obj, sel))
		}
		return nil
	})
	path := "/" + kind + "/delta"
	if !valid {
		deltaGone(w, r, deltaDirectory, selfLink(r, path, nil))
		return
	}
	writeDelta(w, r, deltaDirectory, path, nil, kind, page, items)
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Groups)
	if q == nil {
		return
	}
	var items []map[string]any
	s.t(r).Read(func() error {
		for _, g := range s.t(r).Groups {
			if !g.Deleted {
				items = append(items, withID(g.ID, g.Props))
			}
		}
		return nil
	})
	writePage(w, r, q, odata.Groups, items, listOpts{context: "groups"})
}

func (s *Server) group(r *http.Request) *tenant.Group {
	g := s.t(r).GroupsByID[lower(r.PathValue("group"))]
	if g == nil || g.Deleted {
		return nil
	}
	return g
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{})
	if q == nil {
		return
	}
	var item map[string]any
	s.t(r).Read(func() error {
		if g := s.group(r); g != nil {
			item = odata.Project(withID(g.ID, g.Props), q.Select)
		}
		return nil
	})
	if item == nil {
		notFoundUser(w, r, r.PathValue("group"))
		return
	}
	item["@odata.context"] = contextURL(r, "groups/$entity")
	writeJSON(w, http.StatusOK, item)
}

func (s *Server) listGroupMembers(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.GroupMembers)
	if q == nil {
		return
	}
	var items []map[string]any
	found := false
	s.t(r).Read(func() error {
		g := s.group(r)
		if g == nil {
			return nil
		}
		found = true
		for _, id := range g.Members {
			if u := s.t(r).User(id); u != nil {
				m := userJSON(u)
				m["@odata.type"] = "#microsoft.graph.user"
				items = append(items, m)
			}
		}
		return nil
	})
	if !found {
		notFoundUser(w, r, r.PathValue("group"))
		return
	}
	defaultSelect(q, userDefaults)
	writePage(w, r, q, odata.GroupMembers, items, listOpts{context: "directoryObjects", keep: []string{"@odata.type"}})
}

func (s *Server) groupsDelta(w http.ResponseWriter, r *http.Request) {
	t := s.t(r)
	s.directoryDelta(w, r, odata.GroupsDelta, "groups", &t.GroupsLog, nil, func(id string) map[string]any {
		if g := t.GroupsByID[lower(id)]; g != nil && !g.Deleted {
			return withID(g.ID, g.Props)
		}
		return nil
	})
}
