package tenantguard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// Action is what a restore does with one object.
type Action string

const (
	ActionCreate    Action = "create"       // missing in the tenant: POST
	ActionUpdate    Action = "update"       // differs: PATCH (PUT for the consent policy) of what changed
	ActionDelete    Action = "delete-extra" // in the tenant, not in the snapshot; only with Prune
	ActionUnchanged Action = "unchanged"    // equal, nothing to do
	ActionSkip      Action = "skip"         // would change but is not restored; Reason says why
)

// RestoreOptions select what Plan restores. The zero value restores every
// kind except the privileged ones, and deletes nothing.
type RestoreOptions struct {
	// Kinds restricts the restore to these kinds; nil: every kind.
	Kinds []string
	// IDs restricts it to these objects, by key (id) or display name, as
	// in the snapshot or, for extras Prune deletes, in the tenant.
	IDs []string
	// Prune deletes objects of the restored kinds that the snapshot does
	// not have, in kinds whose collection succeeded on both sides.
	Prune bool
	// AllowPrivileged restores the Privileged kinds (roles, PIM); without
	// it their changes are planned as skipped.
	AllowPrivileged bool
	// TenantID is the target tenant's id, used when Plan collects the live
	// configuration; default the snapshot's tenant.
	TenantID string
	// Workers is passed to Collect; default 4.
	Workers int
	// Now is the clock; nil uses time.Now.
	Now func() time.Time
}

// Step is one object in a restore plan.
type Step struct {
	Kind   string `json:"kind"`
	Action Action `json:"action"`
	// Key is the object's key in the snapshot; for delete-extra, in the
	// tenant. Empty for a step about the whole kind (a skipped kind).
	Key string `json:"key,omitempty"`
	// LiveKey is the tenant's key of the matched object when it differs
	// from Key (matched by display name).
	LiveKey     string   `json:"liveKey,omitempty"`
	DisplayName string   `json:"displayName,omitempty"`
	Changes     []Change `json:"changes,omitempty"` // update: old is the tenant's value, new the snapshot's
	Reason      string   `json:"reason,omitempty"`  // skip: why; otherwise a note
	// Error says why the step cannot be applied (a reference that exists
	// neither in the tenant nor by name); Apply fails the step without
	// calling Graph and goes on with the others.
	Error string `json:"error,omitempty"`
	// Result is set by Apply: ok or failed (with Error), and NewKey is the
	// key Graph gave an object a create made.
	Result string `json:"result,omitempty"`
	NewKey string `json:"newKey,omitempty"`

	snap map[string]any // the snapshot's object, references not yet remapped
	live map[string]any // the tenant's object, if any
}

// Paths returns the JSON paths an update changes.
func (s Step) Paths() []string {
	out := make([]string, len(s.Changes))
	for i, c := range s.Changes {
		out[i] = c.Path
	}
	return out
}

// target returns the key the step writes to in the tenant.
func (s Step) target() string {
	if s.LiveKey != "" {
		return s.LiveKey
	}
	return s.Key
}

// Mapping records how a reference in the snapshot maps to the tenant.
type Mapping struct {
	Old  string `json:"old"`
	New  string `json:"new"`
	Type string `json:"type"` // a kind name, or user, group, role
	By   string `json:"by"`   // displayName, userPrincipalName
}

// RestorePlan is what Plan computed: the steps in the order Apply runs
// them (kinds in registry order, deletions last in reverse order), and the
// references already known to map to other ids in the tenant. It is not
// modified by Apply.
type RestorePlan struct {
	SnapshotID     repo.SnapshotID `json:"snapshotId"`
	SnapshotTenant string          `json:"snapshotTenant"`
	TenantID       string          `json:"tenantId"`
	Options        RestoreOptions  `json:"-"`
	Steps          []Step          `json:"steps"`
	Mappings       []Mapping       `json:"mappings,omitempty"`

	remap   map[string]string // old id -> tenant id, from Mappings
	pending map[string]string // key of an object the plan creates -> placeholder of its new id
}

// Count returns how many steps have the action.
func (p *RestorePlan) Count(a Action) int {
	n := 0
	for _, s := range p.Steps {
		if s.Action == a {
			n++
		}
	}
	return n
}

// Writes reports whether applying the plan would call Graph.
func (p *RestorePlan) Writes() bool {
	for _, s := range p.Steps {
		if s.Action == ActionCreate || s.Action == ActionUpdate || s.Action == ActionDelete {
			return true
		}
	}
	return false
}

func (o RestoreOptions) scope() ([]*Kind, error) {
	if o.Kinds == nil {
		return Registry, nil
	}
	var out []*Kind
	for _, k := range Registry {
		if slices.Contains(o.Kinds, k.Name) {
			out = append(out, k)
		}
	}
	for _, n := range o.Kinds {
		if Lookup(n) == nil {
			return nil, fmt.Errorf("tenantguard: unknown kind %q (known: %v)", n, KindNames())
		}
	}
	return out, nil
}

// withDeps returns the names of kinds and every kind they depend on.
func withDeps(kinds []*Kind) []string {
	seen := map[string]bool{}
	var add func(k *Kind)
	add = func(k *Kind) {
		if k == nil || seen[k.Name] {
			return
		}
		seen[k.Name] = true
		for _, d := range k.DependsOn {
			add(Lookup(d))
		}
	}
	for _, k := range kinds {
		add(k)
	}
	var out []string
	for _, k := range Registry {
		if seen[k.Name] {
			out = append(out, k.Name)
		}
	}
	return out
}

// Plan compares the snapshot with the tenant's configuration and returns
// what a restore would do. live is the tenant's current configuration;
// when nil, Plan collects the kinds in scope and those they depend on
// through c. Plan only reads: it calls Graph to collect and to look up
// the users, groups and roles the snapshot refers to, never to write.
//
// Objects match by key, then by their kind's MatchBy property (unique on
// both sides); a match under another key maps the old key to the new one,
// and every reference to it in later kinds is rewritten. A kind that
// either side failed to read is skipped, never pruned.
func Plan(ctx context.Context, c *graph.Client, snap, live *State, opts RestoreOptions) (*RestorePlan, error) {
	scope, err := opts.scope()
	if err != nil {
		return nil, err
	}
	if opts.TenantID == "" {
		opts.TenantID = snap.TenantID
	}
	if live == nil {
		if live, err = Collect(ctx, c, Options{TenantID: opts.TenantID, Kinds: withDeps(scope), Workers: opts.Workers, Now: opts.Now}); err != nil {
			return nil, err
		}
	}
	p := &RestorePlan{SnapshotID: snap.ID, SnapshotTenant: snap.TenantID, TenantID: live.TenantID, Options: opts,
		remap: map[string]string{}, pending: map[string]string{}}
	objs := map[string]map[string]map[string]any{} // kind -> key -> decoded, for both sides
	decodeAll := func(s *State, side string, k *Kind) (map[string]map[string]any, error) {
		out := map[string]map[string]any{}
		for key, b := range s.Objects[k.Name] {
			m, err := decodeJSON(b)
			if err != nil {
				return nil, fmt.Errorf("tenantguard: %s %s/%s: %w", side, k.Name, key, err)
			}
			out[key] = m
		}
		return out, nil
	}
	// Matches of every kind both sides know, for remapping references
	// even to kinds outside the scope.
	matched := map[string]map[string]string{} // kind -> snapshot key -> live key
	for _, k := range Registry {
		if !snap.Kinds[k.Name].Known() || !live.Kinds[k.Name].Known() {
			continue
		}
		so, err := decodeAll(snap, "snapshot", k)
		if err != nil {
			return nil, err
		}
		lo, err := decodeAll(live, "tenant", k)
		if err != nil {
			return nil, err
		}
		objs["snap/"+k.Name], objs["live/"+k.Name] = so, lo
		matched[k.Name] = matchKeys(k, so, lo)
		for sk, lk := range matched[k.Name] {
			if sk != lk {
				p.remap[sk] = lk
				p.Mappings = append(p.Mappings, Mapping{Old: sk, New: lk, Type: k.Name, By: k.MatchBy})
			}
		}
	}
	missing, err := p.mapDirectory(ctx, c, snap, live, scope, objs)
	if err != nil {
		return nil, err
	}
	var deletes []Step
	for _, k := range scope {
		steps, dels := p.planKind(k, snap, live, objs["snap/"+k.Name], objs["live/"+k.Name], matched[k.Name], missing)
		p.Steps = append(p.Steps, steps...)
		deletes = append(deletes, dels...)
		for _, st := range steps {
			if st.Action == ActionCreate { // later references to it change too
				p.pending[st.Key] = fmt.Sprintf("(new id of %s %q)", k.Name, st.DisplayName)
			}
		}
	}
	slices.Reverse(deletes) // dependents first: a policy before the location it named
	p.Steps = append(p.Steps, deletes...)
	p.checkConfigRefs(objs)
	slices.SortStableFunc(p.Mappings, func(a, b Mapping) int { return strings.Compare(a.Type+a.Old, b.Type+b.Old) })
	return p, nil
}

// matchKeys pairs snapshot objects with live ones: by key, then by MatchBy
// among those left (see matchBy in diff.go).
func matchKeys(k *Kind, so, lo map[string]map[string]any) map[string]string {
	out := map[string]string{}
	var onlyS, onlyL []string
	for key := range so {
		if _, ok := lo[key]; ok {
			out[key] = key
		} else {
			onlyS = append(onlyS, key)
		}
	}
	for key := range lo {
		if _, ok := so[key]; !ok {
			onlyL = append(onlyL, key)
		}
	}
	if k.MatchBy == "" || len(onlyS) == 0 || len(onlyL) == 0 {
		return out
	}
	index := func(objs map[string]map[string]any, keys []string) map[string]string {
		idx, dup := map[string]string{}, map[string]bool{}
		for _, key := range keys {
			v, _ := objs[key][k.MatchBy].(string)
			if v == "" {
				continue
			}
			if _, seen := idx[v]; seen {
				dup[v] = true
			}
			idx[v] = key
		}
		for v := range dup {
			delete(idx, v)
		}
		return idx
	}
	is, il := index(so, onlyS), index(lo, onlyL)
	for v, sk := range is {
		if lk, ok := il[v]; ok {
			out[sk] = lk
		}
	}
	return out
}

// selected reports whether the object is within opts.IDs.
func (o RestoreOptions) selected(key string, obj map[string]any) bool {
	if len(o.IDs) == 0 {
		return true
	}
	name, _ := obj["displayName"].(string)
	return slices.ContainsFunc(o.IDs, func(id string) bool {
		return strings.EqualFold(id, key) || (name != "" && id == name)
	})
}

func skipKind(k *Kind, reason string) Step {
	return Step{Kind: k.Name, Action: ActionSkip, Reason: reason}
}

// planKind returns the create, update, unchanged and skip steps of one
// kind, and its deletions.
func (p *RestorePlan) planKind(k *Kind, snap, live *State, so, lo map[string]map[string]any,
	matched map[string]string, missing map[string]string) (steps, dels []Step) {
	sr, inSnap := snap.Kinds[k.Name]
	lr, inLive := live.Kinds[k.Name]
	switch {
	case !inSnap:
		return []Step{skipKind(k, "not in the snapshot")}, nil
	case !sr.Known():
		return []Step{skipKind(k, "the snapshot could not read this kind ("+reason(sr)+"): unknown is not empty, so nothing is restored or pruned")}, nil
	case !inLive || !lr.Known():
		why := "not read"
		if inLive {
			why = reason(lr)
		}
		return []Step{skipKind(k, "the tenant's current configuration could not be read ("+why+")")}, nil
	}
	var skipWhy string
	switch {
	case k.Restore == RestoreNone:
		skipWhy = "kept for history and assessment; not restorable through Graph"
	case k.Privileged && !p.Options.AllowPrivileged:
		skipWhy = "privileged kind; restore it with --allow-privileged"
	}
	liveUsed := map[string]bool{}
	for _, key := range sortedKeys(so) {
		obj := so[key]
		if !p.Options.selected(key, obj) {
			continue
		}
		st := Step{Kind: k.Name, Key: key, DisplayName: str(obj, "displayName"), snap: obj}
		lk, ok := matched[key]
		if ok {
			liveUsed[lk] = true
			st.live = lo[lk]
			if lk != key {
				st.LiveKey = lk
			}
		}
		p.classify(k, &st)
		if st.Action != ActionUnchanged && st.Action != ActionSkip {
			if skipWhy != "" {
				st.Action, st.Reason = ActionSkip, skipWhy
			} else {
				st.Error = p.refErrors(k, st, missing)
			}
		}
		steps = append(steps, st)
	}
	for _, lk := range sortedKeys(lo) {
		obj := lo[lk]
		if matched := slices.Contains(mapValues(matched), lk); matched || liveUsed[lk] {
			continue
		}
		if !p.Options.Prune || k.Singleton || k.Restore != RestorePostCreate || (k.ReadOnly != nil && k.ReadOnly(obj)) {
			continue
		}
		if !p.Options.selected(lk, obj) {
			continue
		}
		st := Step{Kind: k.Name, Action: ActionDelete, Key: lk, DisplayName: str(obj, "displayName"), live: obj}
		if skipWhy != "" {
			st.Action, st.Reason = ActionSkip, skipWhy+" (would delete it)"
		}
		dels = append(dels, st)
	}
	return steps, dels
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// classify sets the action of a step whose snapshot object is known, and
// the changes of an update.
func (p *RestorePlan) classify(k *Kind, st *Step) {
	switch {
	case k.ReadOnly != nil && k.ReadOnly(st.snap):
		st.Action = ActionUnchanged
		if st.live == nil {
			st.Action, st.Reason = ActionSkip, "built-in object missing from the tenant; it cannot be created"
		}
		return
	case st.live == nil && (k.Singleton || k.Restore == RestorePatchByID):
		st.Action, st.Reason = ActionSkip, "missing from the tenant and cannot be created through Graph"
		return
	case st.live == nil:
		st.Action = ActionCreate
		return
	}
	want := remapWith(k, st.snap, p.planRemap())
	have := deepCopyMap(st.live)
	delete(want, k.key())
	delete(have, k.key())
	changes := diffValue(k, "", have, want, nil)
	if len(changes) == 0 {
		st.Action = ActionUnchanged
		return
	}
	st.Action, st.Changes = ActionUpdate, changes
	if k.Name == "roleAssignments" {
		st.Action, st.Reason = ActionSkip, "a role assignment cannot be changed in place"
	}
}

// planRemap returns the references a plan rewrites: the mapped ones, and
// the objects it creates by a placeholder of their future id.
func (p *RestorePlan) planRemap() map[string]string {
	if len(p.pending) == 0 {
		return p.remap
	}
	m := make(map[string]string, len(p.remap)+len(p.pending))
	for k, v := range p.pending {
		m[k] = v
	}
	for k, v := range p.remap {
		m[k] = v
	}
	return m
}

func remapWith(k *Kind, obj map[string]any, remap map[string]string) map[string]any {
	v := deepCopyMap(obj)
	if len(remap) > 0 {
		v = remapValue(v, remap).(map[string]any)
	}
	return canonicalize(k, "", v, false).(map[string]any)
}

func deepCopyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return remapValue(m, nil).(map[string]any) // remapValue copies maps and slices
}
