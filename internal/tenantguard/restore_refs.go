package tenantguard

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// mapDirectory checks that the users, groups and roles the snapshot's
// objects in scope refer to exist in the tenant. One that does not (a
// restore into another tenant, a deleted group) is looked up by the name
// the snapshot recorded in refs.json: a single match maps the old id to
// the new one; otherwise the id is returned in missing with a message that
// names it. Lookups that fail for another reason (403) leave the id as it
// is: Graph then has the last word.
func (p *RestorePlan) mapDirectory(ctx context.Context, c *graph.Client, snap, live *State, scope []*Kind,
	objs map[string]map[string]map[string]any) (map[string]string, error) {
	types := map[string]string{}
	for _, k := range scope {
		for _, o := range objs["snap/"+k.Name] {
			for _, r := range directoryRefs(k, o) {
				if ref, ok := snap.Refs[r.id]; ok && ref.Type != "" && ref.Type != "principal" {
					r.typ = ref.Type
				}
				types[r.id] = r.typ
			}
		}
	}
	missing := map[string]string{}
	for _, id := range sortedKeys(types) {
		typ := types[id]
		if ref, ok := live.Refs[id]; ok && !ref.Missing && ref.Error == "" {
			continue
		}
		found := lookupRef(ctx, c, id, typ)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !found.Missing {
			continue // exists, or could not be checked
		}
		ref := snap.Refs[id]
		if typ == "principal" && ref.Type != "" {
			typ = ref.Type
		}
		name := ref.DisplayName
		if name == "" && ref.UserPrincipalName == "" {
			missing[id] = fmt.Sprintf("%s %s does not exist in the tenant, and the snapshot has no name to find it by", typ, id)
			continue
		}
		newID, by, n, err := findByName(ctx, c, typ, ref)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		switch {
		case err != nil:
			missing[id] = fmt.Sprintf("%s %q (%s) does not exist in the tenant, and looking it up by name failed: %v", typ, name, id, err)
		case n == 1:
			p.remap[id] = newID
			p.Mappings = append(p.Mappings, Mapping{Old: id, New: newID, Type: typ, By: by})
		case n == 0:
			missing[id] = fmt.Sprintf("%s %q (%s) does not exist in the tenant, and no %s has that name", typ, name, id, typ)
		default:
			missing[id] = fmt.Sprintf("%s %q (%s) does not exist in the tenant, and %d %ss have that name", typ, name, id, n, typ)
		}
	}
	return missing, nil
}

// findByName looks a directory object up by the name the snapshot
// recorded: a user by userPrincipalName, else by displayName. It returns
// the match's id, the property matched and the number of matches.
func findByName(ctx context.Context, c *graph.Client, typ string, ref Ref) (id, by string, n int, err error) {
	if typ == "user" && ref.UserPrincipalName != "" {
		var u struct {
			ID string `json:"id"`
		}
		err := c.Get(ctx, graph.Pathf("/users/%s", ref.UserPrincipalName), &u,
			graph.WithQuery(url.Values{"$select": {"id"}}), graph.WithOp("tenantguard: find user by name"))
		switch {
		case err == nil:
			return u.ID, "userPrincipalName", 1, nil
		case !graph.IsNotFound(err):
			return "", "", 0, err
		}
	}
	if ref.DisplayName == "" {
		return "", "", 0, nil
	}
	path := map[string]string{"user": "/users", "group": "/groups", "role": "/roleManagement/directory/roleDefinitions"}[typ]
	if path == "" {
		return "", "", 0, nil
	}
	q := url.Values{"$filter": {"displayName eq '" + strings.ReplaceAll(ref.DisplayName, "'", "''") + "'"}, "$select": {"id,displayName"}}
	for obj, err := range graph.List[struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	}](ctx, c, path, graph.WithQuery(q), graph.WithOp("tenantguard: find "+typ+" by name")) {
		if err != nil {
			return "", "", 0, err
		}
		if obj.DisplayName == ref.DisplayName { // the filter may be case-insensitive
			id, n = obj.ID, n+1
		}
	}
	return id, "displayName", n, nil
}

// sentPart returns the part of a step's snapshot object a write sends: all
// of it for a create, the changed top-level properties for an update.
func sentPart(st Step) map[string]any {
	if st.Action == ActionCreate {
		return st.snap
	}
	out := map[string]any{}
	for _, p := range topLevel(st.Changes) {
		if v, ok := st.snap[p]; ok {
			out[p] = v
		}
	}
	return out
}

// topLevel returns the top-level properties changes touch, in order.
func topLevel(changes []Change) []string {
	var out []string
	for _, c := range changes {
		p := c.Path
		if i := strings.IndexAny(p, ".["); i >= 0 {
			p = p[:i]
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// refErrors names the missing directory objects the part of the object a
// step sends refers to; "" when there are none.
func (p *RestorePlan) refErrors(k *Kind, st Step, missing map[string]string) string {
	var msgs []string
	for _, r := range directoryRefs(k, sentPart(st)) {
		if m, ok := missing[r.id]; ok && !slices.Contains(msgs, m) {
			msgs = append(msgs, m)
		}
	}
	return strings.Join(msgs, "; ")
}

// specialLocations are location values that name no named location.
var specialLocations = []string{"All", "AllTrusted", "00000000-0000-0000-0000-000000000000"}

// checkConfigRefs fails conditional access steps that would name a named
// location or authentication strength that exists neither in the tenant
// nor among the plan's creations (its kind is outside the scope), rather
// than letting Graph reject them with an id only.
func (p *RestorePlan) checkConfigRefs(objs map[string]map[string]map[string]any) {
	created := map[string]bool{}
	for _, st := range p.Steps {
		if st.Action == ActionCreate {
			created[st.Kind+"/"+st.Key] = true
		}
	}
	exists := func(kind, id string) (bool, bool) {
		live, ok := objs["live/"+kind]
		if !ok {
			return true, false // unknown: let Graph decide
		}
		if created[kind+"/"+id] {
			return true, true
		}
		if nk, ok := p.remap[id]; ok {
			id = nk
		}
		_, there := live[id]
		return there, true
	}
	for i := range p.Steps {
		st := &p.Steps[i]
		if st.Kind != "conditionalAccessPolicies" || st.Error != "" || (st.Action != ActionCreate && st.Action != ActionUpdate) {
			continue
		}
		sent := sentPart(*st)
		loc := sub(sub(sent, "conditions"), "locations")
		var msgs []string
		check := func(kind, what, id string) {
			if ok, _ := exists(kind, id); !ok {
				name := str(objs["snap/"+kind][id], "displayName")
				msgs = append(msgs, fmt.Sprintf("%s %q (%s) does not exist in the tenant and this restore does not create it; include --kind %s",
					what, name, id, kind))
			}
		}
		for _, v := range append(list(loc, "includeLocations"), list(loc, "excludeLocations")...) {
			if id, _ := v.(string); id != "" && !slices.Contains(specialLocations, id) {
				check("namedLocations", "named location", id)
			}
		}
		if id := str(sub(sub(sent, "grantControls"), "authenticationStrength"), "id"); id != "" {
			check("authenticationStrengthPolicies", "authentication strength", id)
		}
		st.Error = strings.Join(msgs, "; ")
	}
}
