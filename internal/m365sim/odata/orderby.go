package odata

import (
	"slices"
	"strings"
)

// OrderTerm is one $orderby key: a property path and its direction.
type OrderTerm struct {
	Path []string
	Desc bool
}

// String prints the term as it appears in $orderby ("receivedDateTime desc").
func (t OrderTerm) String() string {
	s := strings.Join(t.Path, "/")
	if t.Desc {
		s += " desc"
	}
	return s
}

// parseOrderBy reads "path [asc|desc], …".
func parseOrderBy(src string) ([]OrderTerm, error) {
	var out []OrderTerm
	for _, item := range splitTopLevel(src, ',') {
		fields := strings.Fields(item)
		if len(fields) == 0 || len(fields) > 2 {
			return nil, badRequest("Invalid $orderby term '%s' in '%s': expected a property path optionally followed by 'asc' or 'desc'.",
				strings.TrimSpace(item), src)
		}
		t := OrderTerm{}
		if len(fields) == 2 {
			switch strings.ToLower(fields[1]) {
			case "asc":
			case "desc":
				t.Desc = true
			default:
				return nil, badRequest("Invalid $orderby direction '%s' in '%s': expected 'asc' or 'desc'.", fields[1], src)
			}
		}
		path, err := parsePropPath(fields[0])
		if err != nil {
			return nil, badRequest("Invalid $orderby property '%s' in '%s'.", fields[0], src)
		}
		t.Path = path
		out = append(out, t)
	}
	return out, nil
}

// parsePropPath splits a/b/c and checks each segment is an identifier.
func parsePropPath(s string) ([]string, error) {
	segs := strings.Split(s, "/")
	for _, seg := range segs {
		if seg == "" || !isIdentStart(seg[0]) || strings.HasPrefix(seg, "$") {
			return nil, badRequest("invalid property path %q", s)
		}
		for i := 1; i < len(seg); i++ {
			if !isIdentChar(seg[i]) {
				return nil, badRequest("invalid property path %q", s)
			}
		}
	}
	return segs, nil
}

// Sort orders items by $orderby terms, keeping the input order of items
// that compare equal (a stable sort). Nulls and missing properties sort
// first in ascending order, as OData specifies; strings compare without
// regard to case, and two strings that both read as dates compare as
// times. Values of different types order by type: bool, number, then
// string.
func Sort(items []map[string]any, order []OrderTerm) {
	if len(order) == 0 {
		return
	}
	slices.SortStableFunc(items, func(a, b map[string]any) int {
		for _, t := range order {
			c := orderCompare(resolve(&evalScope{root: a}, t.Path), resolve(&evalScope{root: b}, t.Path))
			if t.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
}

// orderCompare is a total order over JSON values for sorting.
func orderCompare(a, b any) int {
	ra, rb := typeRank(a), typeRank(b)
	if ra != rb {
		return ra - rb
	}
	if x, ok := a.(string); ok {
		y := b.(string)
		if tx, ok := parseTime(x); ok {
			if ty, ok := parseTime(y); ok {
				return tx.Compare(ty)
			}
		}
		return compareFold(x, y)
	}
	if c, ok := compareValues(a, b); ok {
		return c
	}
	return 0 // objects and arrays keep their input order
}

func typeRank(v any) int {
	switch v.(type) {
	case nil:
		return 0
	case bool:
		return 1
	case float64:
		return 2
	case string:
		return 3
	}
	return 4
}
