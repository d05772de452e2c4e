package tenantguard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// ObjectChange is how one object differs between two snapshots.
type ObjectChange struct {
	Key         string          `json:"key"`
	OldKey      string          `json:"oldKey,omitempty"`      // when matched by MatchBy under another key
	DisplayName string          `json:"displayName,omitempty"` // from the newer side, else the older
	Op          string          `json:"op"`                    // added, removed or changed
	Changes     []Change        `json:"changes,omitempty"`     // for changed objects
	Old         json.RawMessage `json:"old,omitempty"`         // the removed object
	New         json.RawMessage `json:"new,omitempty"`         // the added object
}

// Change is one difference inside an object. Path names the property in
// dots ("conditions.users.includeUsers"); an element of an array of
// objects with ids is named by its id in brackets
// ("rules[Expiration_EndUser_Assignment].maximumDuration"). Old or New is
// absent when the property is missing on that side. For arrays compared as
// sets, Added and Removed list the elements that differ.
type Change struct {
	Path    string          `json:"path"`
	Old     json.RawMessage `json:"old,omitempty"`
	New     json.RawMessage `json:"new,omitempty"`
	Added   []any           `json:"added,omitempty"`
	Removed []any           `json:"removed,omitempty"`
}

// KindDiff is the difference of one kind. A kind that failed to collect on
// either side is Unknown: its objects are not compared, so nothing in it
// is reported as removed or changed.
type KindDiff struct {
	Kind    string         `json:"kind"`
	Unknown bool           `json:"unknown,omitempty"`
	Reason  string         `json:"reason,omitempty"` // why it is unknown
	Objects []ObjectChange `json:"objects,omitempty"`
}

// Result is the difference between two snapshots, kinds in registry
// order. Matched lists objects found under a new key by their MatchBy
// property (a named location deleted and recreated, or restored into
// another tenant); they count as changes only if something else differs,
// and references to the old key in later kinds compare equal to the new.
type Result struct {
	Kinds   []KindDiff `json:"kinds"`
	Matched []Match    `json:"matched,omitempty"`
}

// Match is an object matched by its MatchBy property under a new key.
type Match struct {
	Kind   string `json:"kind"`
	OldKey string `json:"oldKey"`
	NewKey string `json:"newKey"`
	By     string `json:"by"` // the property, e.g. displayName
}

// Changed counts the objects added, removed or changed.
func (r Result) Changed() int {
	n := 0
	for _, k := range r.Kinds {
		n += len(k.Objects)
	}
	return n
}

// Unknown lists the kinds that could not be compared.
func (r Result) Unknown() []string {
	var out []string
	for _, k := range r.Kinds {
		if k.Unknown {
			out = append(out, k.Kind)
		}
	}
	return out
}

// Diff compares snapshot a (older) with b (newer) kind by kind, in
// registry order. Objects are matched by key, then those left over by
// their kind's MatchBy property when its value is unique on both sides.
// Volatile properties were stripped when the snapshots were taken and
// arrays are stored sorted, so sets compare as sets.
func Diff(a, b *State) Result {
	var res Result
	remap := map[string]string{} // old key -> new key of matched objects
	for _, name := range diffKinds(a, b) {
		kd := KindDiff{Kind: name}
		ra, oka := a.Kinds[name]
		rb, okb := b.Kinds[name]
		switch {
		case !oka || !okb:
			kd.Unknown, kd.Reason = true, "not collected in both snapshots"
		case !ra.Known():
			kd.Unknown, kd.Reason = true, "older snapshot: "+reason(ra)
		case !rb.Known():
			kd.Unknown, kd.Reason = true, "newer snapshot: "+reason(rb)
		default:
			var matched []Match
			kd.Objects, matched = diffObjects(Lookup(name), a.Objects[name], b.Objects[name], remap)
			for _, m := range matched {
				m.Kind = name
				res.Matched = append(res.Matched, m)
				remap[m.OldKey] = m.NewKey
			}
		}
		if kd.Unknown || len(kd.Objects) > 0 {
			res.Kinds = append(res.Kinds, kd)
		}
	}
	return res
}

func reason(r KindResult) string {
	if r.Status == StatusForbidden && r.Permission != "" {
		return fmt.Sprintf("forbidden (grant %s): %s", r.Permission, r.Error)
	}
	return string(r.Status) + ": " + r.Error
}

// diffKinds returns the kinds of either snapshot, registered ones in
// registry order and then any others by name.
func diffKinds(a, b *State) []string {
	seen := map[string]bool{}
	for n := range a.Kinds {
		seen[n] = true
	}
	for n := range b.Kinds {
		seen[n] = true
	}
	var out []string
	for _, k := range Registry {
		if seen[k.Name] {
			out = append(out, k.Name)
			delete(seen, k.Name)
		}
	}
	return append(out, sortedKeys(seen)...)
}

func diffObjects(k *Kind, a, b map[string][]byte, remap map[string]string) ([]ObjectChange, []Match) {
	var out []ObjectChange
	var matched []Match
	keys := map[string]bool{}
	for key := range a {
		keys[key] = true
	}
	for key := range b {
		keys[key] = true
	}
	var onlyA, onlyB []string
	for _, key := range sortedKeys(keys) {
		oa, ob := a[key], b[key]
		switch {
		case oa == nil:
			onlyB = append(onlyB, key)
		case ob == nil:
			onlyA = append(onlyA, key)
		default:
			if oc, ok := compareObjects(k, key, "", oa, ob, remap); ok {
				out = append(out, oc)
			}
		}
	}
	pairs := matchBy(k, a, b, onlyA, onlyB)
	for _, key := range onlyA {
		if nk, ok := pairs[key]; ok {
			matched = append(matched, Match{OldKey: key, NewKey: nk, By: k.MatchBy})
			if oc, ok := compareObjects(k, nk, key, a[key], b[nk], remap); ok {
				out = append(out, oc)
			}
			continue
		}
		out = append(out, ObjectChange{Key: key, Op: "removed", DisplayName: displayName(a[key]), Old: json.RawMessage(a[key])})
	}
	paired := map[string]bool{}
	for _, nk := range pairs {
		paired[nk] = true
	}
	for _, key := range onlyB {
		if !paired[key] {
			out = append(out, ObjectChange{Key: key, Op: "added", DisplayName: displayName(b[key]), New: json.RawMessage(b[key])})
		}
	}
	slices.SortStableFunc(out, func(x, y ObjectChange) int { return strings.Compare(x.Key, y.Key) })
	return out, matched
}

// matchBy pairs objects only in a with objects only in b whose MatchBy
// values are equal and unique on each side.
func matchBy(k *Kind, a, b map[string][]byte, onlyA, onlyB []string) map[string]string {
	if k == nil || k.MatchBy == "" || len(onlyA) == 0 || len(onlyB) == 0 {
		return nil
	}
	index := func(objs map[string][]byte, keys []string) map[string]string {
		out, dup := map[string]string{}, map[string]bool{}
		for _, key := range keys {
			m, err := decodeJSON(objs[key])
			v, _ := m[k.MatchBy].(string)
			if err != nil || v == "" {
				continue
			}
			if _, seen := out[v]; seen {
				dup[v] = true
			}
			out[v] = key
		}
		for v := range dup {
			delete(out, v)
		}
		return out
	}
	ia, ib := index(a, onlyA), index(b, onlyB)
	pairs := map[string]string{}
	for v, ka := range ia {
		if kb, ok := ib[v]; ok {
			pairs[ka] = kb
		}
	}
	return pairs
}

// compareObjects compares two versions of an object (oldKey set when they
// were matched under different keys) with the old one's references
// remapped; ok is false when they are the same.
func compareObjects(k *Kind, key, oldKey string, oa, ob []byte, remap map[string]string) (ObjectChange, bool) {
	va, erra := decodeJSON(oa)
	vb, errb := decodeJSON(ob)
	if erra != nil || errb != nil {
		if bytes.Equal(oa, ob) {
			return ObjectChange{}, false
		}
		return ObjectChange{Key: key, OldKey: oldKey, Op: "changed", Changes: []Change{{Old: oa, New: ob}}}, true
	}
	if oldKey != "" && k != nil { // the key itself is expected to differ
		delete(va, k.key())
		delete(vb, k.key())
	}
	if len(remap) > 0 {
		va = remapValue(va, remap).(map[string]any)
		if k != nil {
			va = canonicalize(k, "", va, false).(map[string]any) // remapped sets sort anew
		}
	} else if oldKey == "" && bytes.Equal(oa, ob) {
		return ObjectChange{}, false
	}
	changes := diffValue(k, "", va, vb, nil)
	if len(changes) == 0 {
		return ObjectChange{}, false
	}
	return ObjectChange{Key: key, OldKey: oldKey, Op: "changed", DisplayName: displayName(ob), Changes: changes}, true
}

// remapValue replaces every string equal to an old key by its new key.
func remapValue(v any, remap map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = remapValue(e, remap)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = remapValue(e, remap)
		}
		return out
	case string:
		if n, ok := remap[x]; ok {
			return n
		}
	}
	return v
}

func displayName(b []byte) string {
	var v struct {
		DisplayName string `json:"displayName"`
	}
	_ = json.Unmarshal(b, &v)
	return v.DisplayName
}

func raw(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// diffValue appends the differences of a and b at path. A nil side that
// is absent is represented by a missing Old or New.
func diffValue(k *Kind, path string, a, b any, out []Change) []Change {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := map[string]bool{}
		for key := range av {
			keys[key] = true
		}
		for key := range bv {
			keys[key] = true
		}
		for _, key := range sortedKeys(keys) {
			ea, ina := av[key]
			eb, inb := bv[key]
			p := joinPath(path, key)
			switch {
			case !ina:
				out = append(out, Change{Path: p, New: raw(eb)})
			case !inb:
				out = append(out, Change{Path: p, Old: raw(ea)})
			default:
				out = diffValue(k, p, ea, eb, out)
			}
		}
		return out
	case []any:
		bv, ok := b.([]any)
		if !ok {
			break
		}
		if ida, idb := byID(av), byID(bv); ida != nil && idb != nil {
			return diffByID(k, path, ida, idb, out)
		}
		if bytes.Equal(raw(av), raw(bv)) {
			return out
		}
		c := Change{Path: path, Old: raw(av), New: raw(bv)}
		if k == nil || !slices.Contains(k.Ordered, path) {
			c.Added, c.Removed = setDiff(bv, av), setDiff(av, bv)
		}
		return append(out, c)
	}
	if !bytes.Equal(raw(a), raw(b)) {
		out = append(out, Change{Path: path, Old: raw(a), New: raw(b)})
	}
	return out
}

// byID indexes an array whose elements are all objects with a string id;
// nil otherwise (or when empty).
func byID(s []any) map[string]any {
	if len(s) == 0 {
		return nil
	}
	m := make(map[string]any, len(s))
	for _, e := range s {
		o, ok := e.(map[string]any)
		if !ok {
			return nil
		}
		id, ok := o["id"].(string)
		if !ok {
			return nil
		}
		m[id] = o
	}
	return m
}

func diffByID(k *Kind, path string, a, b map[string]any, out []Change) []Change {
	keys := map[string]bool{}
	for id := range a {
		keys[id] = true
	}
	for id := range b {
		keys[id] = true
	}
	for _, id := range sortedKeys(keys) {
		p := path + "[" + strings.ReplaceAll(id, "]", "%5D") + "]"
		ea, ina := a[id]
		eb, inb := b[id]
		switch {
		case !ina:
			out = append(out, Change{Path: p, New: raw(eb)})
		case !inb:
			out = append(out, Change{Path: p, Old: raw(ea)})
		default:
			out = diffValue(k, p, ea, eb, out)
		}
	}
	return out
}

// setDiff returns the elements of a that b lacks, as multisets.
func setDiff(a, b []any) []any {
	count := map[string]int{}
	for _, e := range b {
		count[string(raw(e))]++
	}
	var out []any
	for _, e := range a {
		key := string(raw(e))
		if count[key] > 0 {
			count[key]--
			continue
		}
		out = append(out, e)
	}
	return out
}
