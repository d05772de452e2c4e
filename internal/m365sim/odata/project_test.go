package odata

import (
	"maps"
	"slices"
	"testing"
)

func TestProject(t *testing.T) {
	item := map[string]any{
		"id":                   "1",
		"@odata.etag":          `W/"x"`,
		"@removed":             map[string]any{"reason": "deleted"},
		"displayName":          "Adele",
		"mail":                 "a@b",
		"jobTitle":             "CEO",
		"members@delta":        []any{},
		"manager@odata.bind":   "x",
		"from":                 map[string]any{"emailAddress": map[string]any{"address": "x"}},
		"parentReference":      map[string]any{"id": "p"},
		"@microsoft.graph.foo": "kept",
	}
	for _, tc := range []struct {
		name string
		sel  []string
		keep []string
		want []string
	}{
		{"case-insensitive", []string{"DISPLAYNAME", "Mail"}, nil,
			[]string{"@microsoft.graph.foo", "@odata.etag", "@removed", "displayName", "id", "mail"}},
		{"path keeps whole property", []string{"from/emailAddress"}, nil,
			[]string{"@microsoft.graph.foo", "@odata.etag", "@removed", "from", "id"}},
		{"property annotations follow their property", []string{"members"}, nil,
			[]string{"@microsoft.graph.foo", "@odata.etag", "@removed", "id", "members@delta"}},
		{"keep", []string{"mail"}, []string{"parentReference"},
			[]string{"@microsoft.graph.foo", "@odata.etag", "@removed", "id", "mail", "parentReference"}},
		{"unknown names are ignored", []string{"nope"}, nil,
			[]string{"@microsoft.graph.foo", "@odata.etag", "@removed", "id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Project(item, tc.sel, tc.keep...)
			keys := slices.Sorted(maps.Keys(got))
			if !slices.Equal(keys, tc.want) {
				t.Fatalf("keys = %q, want %q", keys, tc.want)
			}
			if len(item) != 11 {
				t.Fatal("Project modified its input")
			}
		})
	}
	if got := Project(item, nil); len(got) != len(item) {
		t.Errorf("empty select dropped keys: %v", got)
	} else if got["extra"] = 1; len(item) != 11 {
		t.Error("Project without $select returned item itself")
	}
	if got := Project(item, []string{"mail", "*"}); len(got) != len(item) {
		t.Errorf("* dropped keys: %v", got)
	}
}

func TestSort(t *testing.T) {
	items := func() []map[string]any {
		return []map[string]any{
			{"id": "a", "name": "beta", "size": 3.0, "when": "2024-01-02T00:00:00Z", "from": map[string]any{"address": "Zed"}},
			{"id": "b", "name": "Alpha", "size": 1.0, "when": "2024-01-01T23:00:00-02:00", "from": map[string]any{"address": "amy"}},
			{"id": "c", "name": "alpha", "size": 2.0, "from": map[string]any{"address": "bob"}},
			{"id": "d", "Name": "gamma", "size": 3.0, "when": "2023-12-31T00:00:00Z"},
		}
	}
	ids := func(xs []map[string]any) []string {
		var out []string
		for _, x := range xs {
			out = append(out, x["id"].(string))
		}
		return out
	}
	for _, tc := range []struct {
		orderby string
		want    []string
	}{
		{"name", []string{"b", "c", "a", "d"}},           // case-insensitive, stable for Alpha/alpha, Name found too
		{"name desc", []string{"d", "a", "b", "c"}},      // stable: b before c still
		{"size desc,name", []string{"a", "d", "c", "b"}}, // tie on size broken by name
		{"when", []string{"c", "d", "a", "b"}},           // null first, then as times: b is 2024-01-02T01:00Z
		{"when desc", []string{"b", "a", "d", "c"}},
		{"from/address", []string{"d", "b", "c", "a"}},
	} {
		t.Run(tc.orderby, func(t *testing.T) {
			q, err := Parse(mustQuery(t, "$orderby="+tc.orderby))
			if err != nil {
				t.Fatal(err)
			}
			xs := items()
			Sort(xs, q.OrderBy)
			if got := ids(xs); !slices.Equal(got, tc.want) {
				t.Fatalf("order = %v, want %v", got, tc.want)
			}
		})
	}
	xs := items()
	Sort(xs, nil)
	if got := ids(xs); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("Sort without terms reordered: %v", got)
	}
}

func TestOrderCompareTypes(t *testing.T) {
	// nil < bool < number < string < other
	vals := []any{nil, false, true, -1.0, 2.0, "a", "B", map[string]any{}}
	for i := range vals {
		for j := range vals {
			c := orderCompare(vals[i], vals[j])
			switch {
			case i < j && c >= 0:
				t.Errorf("orderCompare(%v, %v) = %d, want < 0", vals[i], vals[j], c)
			case i == j && c != 0:
				t.Errorf("orderCompare(%v, %v) = %d, want 0", vals[i], vals[j], c)
			}
		}
	}
}
