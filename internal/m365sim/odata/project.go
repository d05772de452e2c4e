package odata

import (
	"maps"
	"slices"
	"strings"
)

// Project applies $select to one item and returns a new map; item is not
// modified. Property names match case-insensitively, as Graph's do, and the
// output keeps the item's own spelling. Always kept: "id", instance
// annotations ("@odata.etag", "@removed", any key starting with '@'), and
// the names in keep (for properties a resource returns regardless, such as
// a delta handler's bookkeeping). A property annotation such as
// "members@delta" is kept when its property is. A select path a/b keeps
// the whole of a. An empty sel or "*" keeps every property. The result is
// always a new map (values are shared with item), so the caller may add to
// it without touching item.
func Project(item map[string]any, sel []string, keep ...string) map[string]any {
	if len(sel) == 0 || slices.Contains(sel, "*") {
		return maps.Clone(item)
	}
	want := make(map[string]bool, len(sel)+len(keep)+1)
	for _, s := range sel {
		first, _, _ := strings.Cut(s, "/")
		want[strings.ToLower(first)] = true
	}
	want["id"] = true
	for _, k := range keep {
		want[strings.ToLower(k)] = true
	}
	out := make(map[string]any, len(want))
	for k, v := range item {
		name := k
		if i := strings.IndexByte(k, '@'); i >= 0 {
			if i == 0 {
				out[k] = v
				continue
			}
			name = k[:i] // property annotation: kept with its property
		}
		if want[strings.ToLower(name)] {
			out[k] = v
		}
	}
	return out
}
