package tenantguard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/posture"
)

// InventoryOptions configure CollectInventory and CollectContext.
type InventoryOptions struct {
	// Options: TenantID (required), Workers and Now. Options.Kinds, when
	// set, names the kinds to read from Registry and ContextKinds; nil reads
	// them all. Tags are not used.
	Options
	// Collector names the producer in the inventory, e.g. "sg365 1.2.0".
	Collector string
}

// CollectInventory reads every configuration kind (Registry) and every
// context kind (ContextKinds) through c and returns them as a posture
// inventory. Objects go through the same collection and canonical form as a
// configuration snapshot, so a live assessment and one of a snapshot see the
// same data. A kind that fails is recorded as a source with status error,
// naming the permission to grant when Graph answered 403; CollectInventory
// fails only for invalid options or when ctx ends.
func CollectInventory(ctx context.Context, c *graph.Client, opts InventoryOptions) (*posture.Inventory, error) {
	kinds := append(append([]*Kind(nil), Registry...), ContextKinds...)
	s, err := collectKinds(ctx, c, kinds, opts)
	if err != nil {
		return nil, err
	}
	inv := InventoryFromState(s)
	inv.Collector = collectorName(opts.Collector, "live")
	return inv, nil
}

// CollectContext reads the context kinds (ContextKinds, or those of
// opts.Kinds) through c, for assessing a stored configuration snapshot
// that lacks them: pass the result to InventoryFromState after the
// snapshot.
func CollectContext(ctx context.Context, c *graph.Client, opts InventoryOptions) (*State, error) {
	return collectKinds(ctx, c, ContextKinds, opts)
}

func collectorName(name, how string) string {
	if name == "" {
		name = "sg365"
	}
	return name + " tenantguard (" + how + ")"
}

// collectKinds reads kinds (those of opts.Kinds among them, when set),
// opts.Workers at a time, into a State without references.
func collectKinds(ctx context.Context, c *graph.Client, kinds []*Kind, opts InventoryOptions) (*State, error) {
	if opts.Kinds != nil {
		var sel []*Kind
		for _, n := range opts.Kinds {
			k := lookupAny(n)
			if k == nil {
				return nil, fmt.Errorf("tenantguard: unknown kind %q", n)
			}
			for _, want := range kinds {
				if want == k {
					sel = append(sel, k)
				}
			}
		}
		kinds = sel
	}
	base := opts.Options
	base.Kinds = nil // chosen above, also among the context kinds
	o, _, err := base.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &State{TenantID: o.TenantID, Started: o.Now().UTC(),
		Kinds: map[string]KindResult{}, Objects: map[string]map[string][]byte{}}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Workers)
	for _, k := range kinds {
		g.Go(func() error {
			objs, err := collectInventoryKind(gctx, c, k)
			if err != nil && ctx.Err() != nil {
				return ctx.Err() // cancellation is not a collection failure
			}
			res := kindResult(k, len(objs), err, o.Now().UTC())
			mu.Lock()
			defer mu.Unlock()
			s.Kinds[k.Name] = res
			if err == nil {
				s.Objects[k.Name] = objs
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	s.Finished = o.Now().UTC()
	return s, nil
}

func kindResult(k *Kind, n int, err error, at time.Time) KindResult {
	if err == nil {
		return KindResult{Status: StatusOK, Count: n, Time: at}
	}
	res := KindResult{Status: StatusError, Error: err.Error(), Time: at}
	if graph.IsPermission(err) {
		res.Status, res.Permission = StatusForbidden, k.Permission
	}
	return res
}

// collectInventoryKind reads one kind like a snapshot does; for groups it
// adds each group's members.
func collectInventoryKind(ctx context.Context, c *graph.Client, k *Kind) (map[string][]byte, error) {
	objs, all, err := collectKind(ctx, c, k)
	if err != nil || k.Name != "groups" {
		return objs, err
	}
	for _, g := range all {
		id, _ := g["id"].(string)
		var members []any
		for raw, err := range graph.List[json.RawMessage](ctx, c, graph.Pathf("/groups/%s/members", id),
			graph.WithOp("tenantguard: read group members")) {
			if err != nil {
				return nil, fmt.Errorf("members of group %s: %w", id, err)
			}
			m, err := decodeJSON(raw)
			if err != nil {
				return nil, fmt.Errorf("members of group %s: decode: %w", id, err)
			}
			members = append(members, m)
		}
		if members == nil {
			members = []any{}
		}
		g["members"] = members
		b, err := Canonical(k, g)
		if err != nil {
			return nil, err
		}
		objs[id] = b
	}
	return objs, nil
}

// InventoryFromState turns a configuration State into a posture
// inventory: each kind becomes the source of the same name, a collection as
// a JSON array of its objects (in key order) and a singleton as its
// object. Kinds missing from s are taken from the context states, in order
// (a live CollectContext beside a stored snapshot); their sources say so in
// Endpoint. A kind that failed to collect becomes a source with status
// error, and one nobody collected is absent, so rules that need it report
// error. The tenant's display name and default domain come from the
// organization and domains sources when present.
func InventoryFromState(s *State, extra ...*State) *posture.Inventory {
	inv := &posture.Inventory{SchemaVersion: posture.InventorySchemaVersion,
		Tenant: posture.Tenant{ID: s.TenantID}, CollectedAt: s.Finished,
		Sources: map[string]posture.SourceStatus{}, Data: map[string]json.RawMessage{}}
	how := "snapshot " + string(s.ID)
	if s.ID == "" {
		how = "live"
	}
	inv.Collector = collectorName("", how)
	add := func(st *State, name, note string) {
		res := st.Kinds[name]
		endpoint := "GET /v1.0" + kindPath(name)
		if note != "" {
			endpoint += " (" + note + ")"
		}
		if !res.Known() {
			msg := res.Error
			if res.Status == StatusForbidden && res.Permission != "" {
				msg = fmt.Sprintf("forbidden: grant %s (%s)", res.Permission, res.Error)
			}
			if msg == "" {
				msg = string(res.Status)
			}
			inv.Sources[name] = posture.SourceStatus{Status: posture.SourceError, Error: msg, Endpoint: endpoint}
			return
		}
		inv.Sources[name] = posture.SourceStatus{Status: posture.SourceOK, Endpoint: endpoint}
		inv.Data[name] = kindData(name, st.Objects[name])
	}
	for _, name := range sortedKeys(s.Kinds) {
		add(s, name, "")
	}
	var live []string
	for _, cs := range extra {
		for _, name := range sortedKeys(cs.Kinds) {
			if _, ok := inv.Sources[name]; ok {
				continue
			}
			note := "read " + cs.Finished.Format(time.RFC3339)
			if cs.ID != "" {
				note = "from snapshot " + string(cs.ID)
			}
			add(cs, name, note)
			live = append(live, name)
		}
	}
	if len(live) > 0 && s.ID != "" {
		inv.Collector = collectorName("", how+"; read live: "+strings.Join(live, ", "))
	}
	inv.Tenant.DisplayName, inv.Tenant.DefaultDomain = tenantNames(inv)
	return inv
}

// kindPath returns the Graph request of a kind, with its query.
func kindPath(name string) string {
	k := lookupAny(name)
	if k == nil {
		return "/" + name
	}
	if len(k.Query) == 0 {
		return k.Path
	}
	q, err := url.QueryUnescape(k.Query.Encode())
	if err != nil {
		q = k.Query.Encode()
	}
	return k.Path + "?" + q
}

// kindData returns a kind's objects as the inventory stores them.
func kindData(name string, objs map[string][]byte) json.RawMessage {
	if k := lookupAny(name); k != nil && k.Singleton {
		if b, ok := objs[name]; ok {
			return json.RawMessage(bytes.TrimSpace(b))
		}
		return json.RawMessage("null")
	}
	keys := make([]string, 0, len(objs))
	for key := range objs {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, key := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(bytes.TrimSpace(objs[key]))
	}
	buf.WriteByte(']')
	return buf.Bytes()
}

// tenantNames reads the display name from organization and the default
// domain from domains, when collected.
func tenantNames(inv *posture.Inventory) (name, domain string) {
	var orgs []struct {
		DisplayName string `json:"displayName"`
	}
	if json.Unmarshal(inv.Data["organization"], &orgs) == nil && len(orgs) > 0 {
		name = orgs[0].DisplayName
	}
	var domains []struct {
		ID        string `json:"id"`
		IsDefault bool   `json:"isDefault"`
	}
	if json.Unmarshal(inv.Data["domains"], &domains) == nil {
		for _, d := range domains {
			if d.IsDefault {
				domain = d.ID
			}
		}
	}
	return name, domain
}
