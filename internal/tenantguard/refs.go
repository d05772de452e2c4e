package tenantguard

import (
	"context"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// Ref describes a directory object that configuration objects refer to by
// id, so that a restore into another tenant can find its counterpart by
// name. Missing marks an id the directory no longer knows (a policy that
// still names a deleted group); Error records why it could not be read.
type Ref struct {
	Type              string `json:"type"` // user, group, role or principal (user or group, unresolved)
	DisplayName       string `json:"displayName,omitempty"`
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
	Missing           bool   `json:"missing,omitempty"`
	Error             string `json:"error,omitempty"`
}

// Special values that stand for no directory object.
var notObjects = map[string]bool{"All": true, "None": true, "GuestsOrExternalUsers": true, "all_users": true, "": true}

// refCollector gathers referenced ids while kinds are collected. It is
// used under the collector's lock.
type refCollector struct {
	ids   map[string]string // id -> type
	roles map[string]string // role definition id and template id -> display name
}

func newRefCollector() *refCollector {
	return &refCollector{ids: map[string]string{}, roles: map[string]string{}}
}

func (rc *refCollector) add(typ string, ids ...any) {
	for _, v := range ids {
		id, _ := v.(string)
		if notObjects[id] {
			continue
		}
		if old, ok := rc.ids[id]; ok && old != "principal" {
			continue
		}
		rc.ids[id] = typ
	}
}

func list(m map[string]any, k string) []any { s, _ := m[k].([]any); return s }
func sub(m map[string]any, k string) map[string]any {
	s, _ := m[k].(map[string]any)
	return s
}

// dirRef is one reference of a configuration object to a directory
// object: a user, group, role or principal (user or group).
type dirRef struct{ typ, id string }

// directoryRefs returns the directory objects o refers to, special values
// ("All", "all_users", …) left out.
func directoryRefs(k *Kind, o map[string]any) []dirRef {
	var out []dirRef
	add := func(typ string, ids ...any) {
		for _, v := range ids {
			if id, _ := v.(string); !notObjects[id] {
				out = append(out, dirRef{typ, id})
			}
		}
	}
	switch k.Name {
	case "conditionalAccessPolicies":
		u := sub(sub(o, "conditions"), "users")
		add("user", append(list(u, "includeUsers"), list(u, "excludeUsers")...)...)
		add("group", append(list(u, "includeGroups"), list(u, "excludeGroups")...)...)
		add("role", append(list(u, "includeRoles"), list(u, "excludeRoles")...)...)
	case "roleAssignments", "roleEligibilitySchedules":
		add("principal", o["principalId"])
		add("role", o["roleDefinitionId"])
	case "roleManagementPolicyAssignments":
		add("role", o["roleDefinitionId"])
	case "deviceCompliancePolicies", "deviceConfigurations":
		for _, a := range list(o, "assignments") {
			am, _ := a.(map[string]any)
			add("group", sub(am, "target")["groupId"])
		}
	case "authenticationMethodConfigurations":
		for _, t := range append(list(o, "includeTargets"), list(o, "excludeTargets")...) {
			tm, _ := t.(map[string]any)
			if tm["targetType"] == "group" {
				add("group", tm["id"])
			}
		}
	}
	return out
}

// scan records the references of one kind's objects.
func (rc *refCollector) scan(k *Kind, objs []map[string]any) {
	for _, o := range objs {
		for _, r := range directoryRefs(k, o) {
			rc.add(r.typ, r.id)
		}
		if k.Name == "roleDefinitions" {
			name, _ := o["displayName"].(string)
			for _, p := range []string{"id", "templateId"} {
				if id, ok := o[p].(string); ok && id != "" {
					rc.roles[id] = name
				}
			}
		}
	}
}

// resolve reads the display names of the collected ids, workers at a
// time. Failures are recorded in the Ref, never returned; only the end of
// ctx is.
func (rc *refCollector) resolve(ctx context.Context, c *graph.Client, workers int) (map[string]Ref, error) {
	out := map[string]Ref{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for _, id := range sortedKeys(rc.ids) {
		typ := rc.ids[id]
		if typ == "role" {
			if name, ok := rc.roles[id]; ok {
				// The lookups already started write out too.
				mu.Lock()
				out[id] = Ref{Type: "role", DisplayName: name}
				mu.Unlock()
				continue
			}
		}
		g.Go(func() error {
			ref := lookupRef(gctx, c, id, typ)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			mu.Lock()
			out[id] = ref
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

func lookupRef(ctx context.Context, c *graph.Client, id, typ string) Ref {
	var obj struct {
		DisplayName       string `json:"displayName"`
		UserPrincipalName string `json:"userPrincipalName"`
	}
	get := func(path, sel string) error {
		return c.Get(ctx, graph.Pathf(path, id), &obj, graph.WithQuery(url.Values{"$select": {sel}}),
			graph.WithOp("tenantguard: resolve reference"))
	}
	var err error
	switch typ {
	case "user":
		err = get("/users/%s", "id,displayName,userPrincipalName")
	case "group":
		err = get("/groups/%s", "id,displayName")
	case "role":
		err = get("/roleManagement/directory/roleDefinitions/%s", "id,displayName")
	default: // a principal: a user or a group
		typ = "user"
		if err = get("/users/%s", "id,displayName,userPrincipalName"); graph.IsNotFound(err) {
			typ = "group"
			err = get("/groups/%s", "id,displayName")
		}
		if graph.IsNotFound(err) {
			typ = "principal"
		}
	}
	switch {
	case err == nil:
		return Ref{Type: typ, DisplayName: obj.DisplayName, UserPrincipalName: obj.UserPrincipalName}
	case graph.IsNotFound(err):
		return Ref{Type: typ, Missing: true}
	default:
		return Ref{Type: typ, Error: strings.TrimPrefix(err.Error(), "graph: ")}
	}
}
