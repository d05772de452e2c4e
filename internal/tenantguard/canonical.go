package tenantguard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// volatileEverywhere are properties stripped at every depth of every kind:
// the service sets them on each write, so they say when, not what.
var volatileEverywhere = []string{"createdDateTime", "modifiedDateTime", "lastModifiedDateTime"}

// isAnnotation reports OData annotations other than @odata.type, which
// names an object's derived type and is needed to restore it. Property
// annotations ("assignments@odata.context") count too.
func isAnnotation(key string) bool {
	i := strings.Index(key, "@odata.")
	return i >= 0 && key[i:] != "@odata.type"
}

// Canonical returns obj as the canonical JSON stored in a snapshot:
// volatile properties and annotations stripped, keys sorted, arrays that
// Graph treats as sets sorted (objects with an "id" by id, everything else
// by its canonical JSON), indented by two spaces, ending in a newline. The
// same configuration always gives the same bytes.
func Canonical(k *Kind, obj map[string]any) ([]byte, error) {
	v := canonicalize(k, "", obj, true)
	return encode(v)
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return buf.Bytes(), nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func canonicalize(k *Kind, path string, v any, top bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for key, e := range x {
			if isAnnotation(key) || slices.Contains(volatileEverywhere, key) || (top && slices.Contains(k.Volatile, key)) {
				continue
			}
			out[key] = canonicalize(k, joinPath(path, key), e, false)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = canonicalize(k, path, e, false)
		}
		if !slices.Contains(k.Ordered, path) {
			sortSet(out)
		}
		return out
	default:
		return v
	}
}

// elemKey orders set elements: objects by id, then by canonical JSON.
func elemKey(v any) string {
	if m, ok := v.(map[string]any); ok {
		if id, ok := m["id"].(string); ok {
			return "0" + id
		}
	}
	b, _ := json.Marshal(v)
	return "1" + string(b)
}

func sortSet(s []any) {
	keys := make([]string, len(s))
	for i, e := range s {
		keys[i] = elemKey(e)
	}
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	sorted := make([]any, len(s))
	for i, j := range idx {
		sorted[i] = s[j]
	}
	copy(s, sorted)
}

// decodeJSON decodes JSON keeping numbers as json.Number, so that values
// round-trip without float formatting changes.
func decodeJSON(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}
