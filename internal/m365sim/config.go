package m365sim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// The tenant-configuration resources (Entra ID policies, directory roles
// and PIM, Intune policies) share one set of handlers, driven by a
// cfgColl or cfgSingle per resource; see config_routes.go for the table.

// cfgErr is a Graph error a validation produces.
type cfgErr struct {
	status    int
	code, msg string
}

func (e *cfgErr) write(w http.ResponseWriter, r *http.Request) {
	graphError(w, r, e.status, e.code, e.msg)
}

func badConfig(code, msg string) *cfgErr {
	return &cfgErr{status: http.StatusBadRequest, code: code, msg: msg}
}

// cfgColl describes a configuration collection.
type cfgColl struct {
	set     string // tenant.Set*
	context string // @odata.context fragment of the collection, e.g. "identity/conditionalAccess/namedLocations"
	create  bool   // POST creates
	update  bool   // PATCH by key updates
	remove  bool   // DELETE by key deletes
	nav     []string
	// patchBody: PATCH answers 200 with the object (Intune) rather than
	// 204 No Content (Entra).
	patchBody bool
	// stamps are the timestamps the service sets: on create all of them,
	// on update those other than createdDateTime.
	stamps []string
	// notFound answers an unknown key; nil: Request_ResourceNotFound.
	notFound func(w http.ResponseWriter, r *http.Request, id string)
	// prepare validates and completes p before it is stored; old is the
	// stored object on update and nil on create. Hold the write lock.
	prepare func(t *tenant.Tenant, old, p tenant.Props) *cfgErr
	// inUse refuses to delete an object others refer to. Hold the lock.
	inUse func(t *tenant.Tenant, p tenant.Props) *cfgErr
	// fixed marks objects nobody may change (built-in ones).
	fixed func(p tenant.Props) *cfgErr
	// typedPatch: a PATCH body must name the object's @odata.type.
	typedPatch bool
	// needFilter checks a $filter Graph requires on the list.
	needFilter func(q *odata.Query) *cfgErr
}

func (c *cfgColl) missing(w http.ResponseWriter, r *http.Request, id string) {
	if c.notFound != nil {
		c.notFound(w, r, id)
		return
	}
	graphError(w, r, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
}

// cfgRules are the query rules of configuration lists: pages of 100 by
// default, $top up to 999.
var cfgRules = odata.Rules{DefaultTop: 100, MaxTop: 999}

// view returns the JSON of p as Graph shows it: a copy without the
// navigation properties not asked for in $expand.
func (c *cfgColl) view(p tenant.Props, q *odata.Query) map[string]any {
	out := tenant.DeepCopy(p)
	for _, n := range c.nav {
		if !expanded(q, n) {
			delete(out, n)
		}
	}
	return out
}

func expanded(q *odata.Query, nav string) bool {
	if q == nil {
		return false
	}
	for _, e := range q.Expand {
		if strings.EqualFold(e.Path, nav) || e.Path == "*" {
			return true
		}
	}
	return false
}

// checkExpand answers an $expand of something that is not a navigation
// property of the resource.
func (c *cfgColl) checkExpand(w http.ResponseWriter, r *http.Request, q *odata.Query) bool {
	for _, e := range q.Expand {
		if e.Path != "*" && !slices.ContainsFunc(c.nav, func(n string) bool { return strings.EqualFold(n, e.Path) }) {
			badRequest(w, r, "BadRequest", "Could not find a property named '"+e.Path+"' on type 'microsoft.graph."+singular(c.context)+"'.")
			return false
		}
	}
	return true
}

func (s *Server) cfgList(c *cfgColl) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := parseQuery(w, r, cfgRules)
		if q == nil || !c.checkExpand(w, r, q) {
			return
		}
		if c.needFilter != nil {
			if e := c.needFilter(q); e != nil {
				e.write(w, r)
				return
			}
		}
		var items []map[string]any
		t := s.t(r)
		t.Read(func() error {
			for _, p := range t.Config.List(c.set) {
				items = append(items, c.view(p, q))
			}
			return nil
		})
		writePage(w, r, q, cfgRules, items, listOpts{context: c.context, keep: []string{"@odata.type", "tenantId"}})
	}
}

func (s *Server) cfgGet(c *cfgColl) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := parseQuery(w, r, odata.Rules{})
		if q == nil || !c.checkExpand(w, r, q) {
			return
		}
		id := r.PathValue("id")
		var item map[string]any
		t := s.t(r)
		t.Read(func() error {
			if p := t.Config.Find(c.set, id); p != nil {
				item = odata.Project(c.view(p, q), q.Select, "@odata.type", "tenantId")
			}
			return nil
		})
		if item == nil {
			c.missing(w, r, id)
			return
		}
		item["@odata.context"] = contextURL(r, c.context+"/$entity")
		writeJSON(w, http.StatusOK, item)
	}
}

// readOnlyConfigProps are properties a client may send but the service
// owns; they are dropped from request bodies.
var readOnlyConfigProps = []string{"@odata.context", "createdDateTime", "modifiedDateTime", "lastModifiedDateTime", "version"}

func decodeConfig(w http.ResponseWriter, r *http.Request) (tenant.Props, bool) {
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in == nil {
		badRequest(w, r, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return nil, false
	}
	for _, k := range readOnlyConfigProps {
		delete(in, k)
	}
	return in, true
}

func (s *Server) cfgCreate(c *cfgColl) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, ok := decodeConfig(w, r)
		if !ok {
			return
		}
		delete(in, "id")
		var out map[string]any
		t := s.t(r)
		var verr *cfgErr
		t.Write(func() error {
			if c.prepare != nil {
				if verr = c.prepare(t, nil, in); verr != nil {
					return nil
				}
			}
			if c.set != tenant.SetCrossTenantPartners { // partners are keyed by tenantId
				in["id"] = t.NewGUID()
			}
			if c.set == tenant.SetRoleDefinitions { // a custom role is its own template
				in["templateId"] = in["id"]
			}
			now := tenant.Timestamp(t.Now())
			for _, st := range c.stamps {
				in[st] = now
			}
			if c.patchBody { // Intune objects count their versions
				in["version"] = float64(1)
			}
			if c.set == tenant.SetCrossTenantPartners && t.Config.Find(c.set, tenant.KeyOf(in)) != nil {
				verr = &cfgErr{http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue",
					"A configuration for the specified tenant already exists."}
				return nil
			}
			t.Config.Add(c.set, in)
			out = c.view(in, &odata.Query{Expand: navAll(c.nav)})
			return nil
		})
		if verr != nil {
			verr.write(w, r)
			return
		}
		out["@odata.context"] = contextURL(r, c.context+"/$entity")
		writeJSON(w, http.StatusCreated, out)
	}
}

func navAll(nav []string) []odata.ExpandItem {
	out := make([]odata.ExpandItem, len(nav))
	for i, n := range nav {
		out[i] = odata.ExpandItem{Path: n}
	}
	return out
}

func (s *Server) cfgUpdate(c *cfgColl) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, ok := decodeConfig(w, r)
		if !ok {
			return
		}
		if c.typedPatch && in["@odata.type"] == nil {
			badRequest(w, r, "BadRequest", "The request body must name the object's @odata.type.")
			return
		}
		id := r.PathValue("id")
		delete(in, "id")
		t := s.t(r)
		var verr *cfgErr
		found := false
		var out map[string]any
		t.Write(func() error {
			old := t.Config.Find(c.set, id)
			if old == nil {
				return nil
			}
			found = true
			if c.fixed != nil {
				if verr = c.fixed(old); verr != nil {
					return nil
				}
			}
			next := tenant.DeepCopy(old)
			mergeProps(next, in)
			if c.prepare != nil {
				if verr = c.prepare(t, old, next); verr != nil {
					return nil
				}
			}
			now := tenant.Timestamp(t.Now())
			for _, st := range c.stamps {
				if st != "createdDateTime" {
					next[st] = now
				}
			}
			if v, ok := next["version"].(float64); ok {
				next["version"] = v + 1
			}
			clear(old)
			for k, v := range next {
				old[k] = v
			}
			out = c.view(old, nil)
			return nil
		})
		switch {
		case !found:
			c.missing(w, r, id)
		case verr != nil:
			verr.write(w, r)
		case c.patchBody:
			out["@odata.context"] = contextURL(r, c.context+"/$entity")
			writeJSON(w, http.StatusOK, out)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}
}

func (s *Server) cfgDelete(c *cfgColl) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		t := s.t(r)
		var verr *cfgErr
		found := false
		t.Write(func() error {
			p := t.Config.Find(c.set, id)
			if p == nil {
				return nil
			}
			found = true
			if c.fixed != nil {
				if verr = c.fixed(p); verr != nil {
					return nil
				}
			}
			if c.inUse != nil {
				if verr = c.inUse(t, p); verr != nil {
					return nil
				}
			}
			t.Config.Remove(c.set, id)
			return nil
		})
		switch {
		case !found:
			c.missing(w, r, id)
		case verr != nil:
			verr.write(w, r)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}
}

// mergeProps applies a PATCH body: complex (object) values merge property
// by property, everything else (arrays included) is replaced, and a null
// replaces whatever was there.
func mergeProps(dst, patch map[string]any) {
	for k, v := range patch {
		pm, pok := v.(map[string]any)
		dm, dok := dst[k].(map[string]any)
		if pok && dok && !typeChanges(dm, pm) {
			mergeProps(dm, pm)
			continue
		}
		dst[k] = v
	}
}

// typeChanges reports whether a patch of a complex value names another
// derived type, which replaces the value rather than merging into it.
func typeChanges(old, patch map[string]any) bool {
	t, ok := patch["@odata.type"]
	return ok && t != old["@odata.type"]
}

// cfgSingle describes a singleton policy.
type cfgSingle struct {
	name    string // tenant.Single*
	context string // @odata.context fragment, e.g. "policies/authorizationPolicy/$entity"
	prepare func(t *tenant.Tenant, p tenant.Props) *cfgErr
	stamp   string // timestamp set on update, if any
	// extra adds properties computed from other objects (the methods
	// policy's method configurations). Hold a lock.
	extra func(t *tenant.Tenant, out map[string]any)
}

func (s *Server) singleGet(c *cfgSingle) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := parseQuery(w, r, odata.Rules{})
		if q == nil {
			return
		}
		var item map[string]any
		t := s.t(r)
		t.Read(func() error {
			if p := t.Config.Singleton(c.name); p != nil {
				item = tenant.DeepCopy(p)
				if c.extra != nil {
					c.extra(t, item)
				}
				item = odata.Project(item, q.Select, "@odata.type")
			}
			return nil
		})
		if item == nil {
			graphError(w, r, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found for the segment '"+lastSegment(r.URL.Path)+"'.")
			return
		}
		item["@odata.context"] = contextURL(r, c.context)
		writeJSON(w, http.StatusOK, item)
	}
}

func (s *Server) singleUpdate(c *cfgSingle) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, ok := decodeConfig(w, r)
		if !ok {
			return
		}
		delete(in, "id")
		t := s.t(r)
		var verr *cfgErr
		t.Write(func() error {
			next := tenant.DeepCopy(t.Config.Singleton(c.name))
			if next == nil {
				next = tenant.Props{}
			}
			mergeProps(next, in)
			if c.prepare != nil {
				if verr = c.prepare(t, next); verr != nil {
					return nil
				}
			}
			if c.stamp != "" {
				next[c.stamp] = tenant.Timestamp(t.Now())
			}
			t.Config.SetSingleton(c.name, next)
			return nil
		})
		if verr != nil {
			verr.write(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// singleReplace serves PUT of a singleton: the body replaces the policy,
// except the properties the service owns (id, version, which counts the
// updates). The admin consent request policy is updated this way only.
// https://learn.microsoft.com/en-us/graph/api/adminconsentrequestpolicy-update
func (s *Server) singleReplace(c *cfgSingle, required ...string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, ok := decodeConfig(w, r)
		if !ok {
			return
		}
		if e := requiredPresent(in, required...); e != nil {
			e.write(w, r)
			return
		}
		t := s.t(r)
		var verr *cfgErr
		t.Write(func() error {
			old := t.Config.Singleton(c.name)
			next := tenant.DeepCopy(in)
			if old != nil {
				next["id"] = old["id"]
				if v, ok := old["version"].(float64); ok {
					next["version"] = v + 1
				}
			}
			if c.prepare != nil {
				if verr = c.prepare(t, next); verr != nil {
					return nil
				}
			}
			t.Config.SetSingleton(c.name, next)
			return nil
		})
		if verr != nil {
			verr.write(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// requiredPresent checks that a body names each property (null allowed).
func requiredPresent(p map[string]any, names ...string) *cfgErr {
	for _, n := range names {
		if _, ok := p[n]; !ok {
			return badConfig("BadRequest", "The property '"+n+"' is required.")
		}
	}
	return nil
}
