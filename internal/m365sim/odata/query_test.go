package odata

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func mustQuery(t testing.TB, raw string) url.Values {
	t.Helper()
	v, err := SplitQuery(raw)
	if err != nil {
		t.Fatalf("bad test query %q: %v", raw, err)
	}
	return v
}

func TestParseOptions(t *testing.T) {
	q, err := Parse(mustQuery(t, "$top=5&SKIP=3&$select=id, displayName ,mail&$Filter=startswith(displayName,'a')"+
		"&$orderby=displayName desc,mail&count=TRUE&$search=%22displayName:Video%22&$skiptoken=X%27445%27"+
		"&$deltatoken=&$format=json&startDateTime=2024-01-01&changeType=created"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if q.Top != 5 || q.Skip != 3 || !q.Count {
		t.Errorf("Top, Skip, Count = %d, %d, %v", q.Top, q.Skip, q.Count)
	}
	if want := []string{"id", "displayName", "mail"}; !slices.Equal(q.Select, want) {
		t.Errorf("Select = %q, want %q", q.Select, want)
	}
	if q.Filter == nil || q.Filter.String() != "startswith(displayName, 'a')" || q.FilterText != "startswith(displayName,'a')" {
		t.Errorf("Filter = %v (%q)", q.Filter, q.FilterText)
	}
	if len(q.OrderBy) != 2 || q.OrderBy[0].String() != "displayName desc" || q.OrderBy[1].String() != "mail" {
		t.Errorf("OrderBy = %v", q.OrderBy)
	}
	if q.Search != `"displayName:Video"` || q.SearchText() != "displayName:Video" {
		t.Errorf("Search = %q, SearchText = %q", q.Search, q.SearchText())
	}
	if q.SkipToken != "X'445'" || q.Format != "json" {
		t.Errorf("SkipToken, Format = %q, %q", q.SkipToken, q.Format)
	}
	// An empty $deltatoken is present (the 410 Location carries one).
	if !q.Has("$deltatoken") || !q.Has("DeltaToken") || q.DeltaToken != "" {
		t.Errorf("Has($deltatoken) = %v, DeltaToken = %q", q.Has("$deltatoken"), q.DeltaToken)
	}
	if q.Has("$expand") || q.Has("nonsense") {
		t.Error("Has reports options that were not given")
	}
	if q.Custom.Get("startDateTime") != "2024-01-01" || q.Custom.Get("changeType") != "created" || len(q.Custom) != 2 {
		t.Errorf("Custom = %v", q.Custom)
	}
}

func TestParseEmpty(t *testing.T) {
	q, err := Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if q.Filter != nil || q.Has("$top") || q.Custom != nil {
		t.Fatalf("empty query parsed as %+v", q)
	}
}

func TestParseExpand(t *testing.T) {
	q, err := Parse(mustQuery(t, "$expand=members($select=id,displayName;$top=5),microsoft.graph.itemAttachment/item,children($expand=children($select=id))"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(q.Expand) != 3 {
		t.Fatalf("Expand = %+v", q.Expand)
	}
	m := q.Expand[0]
	if m.Path != "members" || !slices.Equal(m.Query.Select, []string{"id", "displayName"}) || m.Query.Top != 5 {
		t.Errorf("members expand = %+v / %+v", m, m.Query)
	}
	if q.Expand[1].Path != "microsoft.graph.itemAttachment/item" || q.Expand[1].Query == nil {
		t.Errorf("cast expand = %+v", q.Expand[1])
	}
	inner := q.Expand[2].Query.Expand
	if len(inner) != 1 || inner[0].Path != "children" || !slices.Equal(inner[0].Query.Select, []string{"id"}) {
		t.Errorf("nested expand = %+v", inner)
	}
}

func TestParseErrors(t *testing.T) {
	deep := "$expand=" + strings.Repeat("a($expand=", maxExpandDepth+1) + "b" + strings.Repeat(")", maxExpandDepth+1)
	for _, tc := range []struct {
		raw, want string
	}{
		{"$top=abc", "Invalid value 'abc' for $top query option found. The $top query option requires a non-negative integer value."},
		{"$top=-1", "Invalid value '-1' for $top query option found."},
		{"$skip=1.5", "Invalid value '1.5' for $skip query option found."},
		{"$top=1&top=2", "Query option '$top' was specified more than once."},
		{"$top=1&$top=1", "Query option '$top' was specified more than once."},
		{"$foo=1", "The query parameter '$foo' is not supported."},
		{"$apply=groupby(x)", "The query parameter '$apply' is not supported."},
		{"$select=", "Term '' is not valid in a $select or $expand expression."},
		{"$select=a,,b", "Term '' is not valid"},
		{"$select=a b", "Term 'a b' is not valid"},
		{"$count=yes", "Invalid value 'yes' for $count query option found."},
		{"$orderby=a sideways", "Invalid $orderby direction 'sideways'"},
		{"$orderby=a desc extra", "Invalid $orderby term 'a desc extra'"},
		{"$orderby=a,", "Invalid $orderby term ''"},
		{"$orderby=a//b", "Invalid $orderby property 'a//b'"},
		{"$filter=subject eq %25", "Syntax error: character '%' is not valid at position 12 in 'subject eq %'."},
		{"$search=%22abc", "unterminated quoted string at position 1"},
		{"$search=", "The $search query option must not be empty."},
		{"$expand=a(", "Term 'a(' is not valid"},
		{"$expand=a($foo=1)", "The query parameter '$foo' is not supported."},
		{"$expand=a(custom=1)", "The query parameter 'custom' is not supported."},
		{"$expand=a($top=x)", "Invalid value 'x' for $top"},
		{deep, "nested more than 8 levels"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			_, err := Parse(mustQuery(t, tc.raw))
			var oe *Error
			if !errors.As(err, &oe) {
				t.Fatalf("Parse error = %v, want *Error", err)
			}
			if oe.Status != 400 || oe.Code != "BadRequest" || !strings.Contains(oe.Message, tc.want) {
				t.Fatalf("got %d %s %q, want 400 BadRequest containing %q", oe.Status, oe.Code, oe.Message, tc.want)
			}
		})
	}
}

func TestSplitQuery(t *testing.T) {
	v, err := SplitQuery("$expand=a($select=x;$top=1)&b=%3B&b=2&&c&$filter=a+eq+1")
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"$expand": {"a($select=x;$top=1)"}, "b": {";", "2"}, "c": {""}, "$filter": {"a eq 1"}}
	if len(v) != len(want) {
		t.Fatalf("SplitQuery = %v, want %v", v, want)
	}
	for k, vals := range want {
		if !slices.Equal(v[k], vals) {
			t.Errorf("%s = %q, want %q", k, v[k], vals)
		}
	}
	if _, err := SplitQuery("$filter=%zz"); err == nil {
		t.Error("SplitQuery accepted a bad escape")
	}
	q, err := ParseRawQuery("$expand=members($select=id;$top=2)")
	if err != nil || q.Expand[0].Query.Top != 2 {
		t.Fatalf("ParseRawQuery = %+v, %v", q, err)
	}
}

func TestSplitTopLevel(t *testing.T) {
	got := splitTopLevel("a(b,c),d('x,y'),'it''s,ok',e", ',')
	want := []string{"a(b,c)", "d('x,y')", "'it''s,ok'", "e"}
	if !slices.Equal(got, want) {
		t.Fatalf("splitTopLevel = %q, want %q", got, want)
	}
}
