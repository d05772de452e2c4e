package odata

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseFilterCanonical(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"subject eq 'hi'", "subject eq 'hi'"},
		{"Subject  EQ  'it''s'", "Subject eq 'it''s'"},
		{"from/emailAddress/address eq 'a@b.c'", "from/emailAddress/address eq 'a@b.c'"},
		{"a eq 1 and b eq 2 or c eq 3", "a eq 1 and b eq 2 or c eq 3"},
		{"a eq 1 and (b eq 2 or c eq 3)", "a eq 1 and (b eq 2 or c eq 3)"},
		{"(a eq 1 or b eq 2) and c eq 3", "(a eq 1 or b eq 2) and c eq 3"},
		{"a eq 1 or (b eq 2 or c eq 3)", "a eq 1 or (b eq 2 or c eq 3)"},
		{"NOT startsWith(displayName, 'Conf')", "not (startswith(displayName, 'Conf'))"},
		{"not(companyName eq 'Microsoft')", "not (companyName eq 'Microsoft')"},
		{"not a eq 1 and b", "not (a eq 1) and b"},
		{"department in ('Retail', 'Sales')", "department in ('Retail', 'Sales')"},
		{"companyName in (null, 'Microsoft')", "companyName in (null, 'Microsoft')"},
		{"assignedLicenses/any(x:x/skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67)",
			"assignedLicenses/any(x: x/skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67)"},
		{"emailAddresses/any(a:a/address eq 'x')", "emailAddresses/any(a: a/address eq 'x')"},
		{"proxyAddresses/any (p:endsWith(p, 'OnMicrosoft.com'))", "proxyAddresses/any(p: endswith(p, 'OnMicrosoft.com'))"},
		{"groupTypes/ANY()", "groupTypes/any()"},
		{"assignedLicenses/$count eq 0", "assignedLicenses/$count eq 0"},
		{"ReceivedDateTime ge 2017-04-01 and receivedDateTime lt 2017-05-01",
			"ReceivedDateTime ge 2017-04-01 and receivedDateTime lt 2017-05-01"},
		{"createdDateTime ge 2024-01-01T00:00:00Z", "createdDateTime ge 2024-01-01T00:00:00Z"},
		{"t le 2024-01-01T10:20:30.1234567+02:00", "t le 2024-01-01T10:20:30.1234567+02:00"},
		{"n gt -1.5e3", "n gt -1.5e3"},
		{"isRead eq FALSE", "isRead eq false"},
		{"isRead", "isRead"},
		{"true", "true"},
		{"startswith(a,'b') eq true", "startswith(a, 'b') eq true"},
		{"(a eq 1) eq true", "(a eq 1) eq true"},
		{"scope/microsoft.graph.accessReviewQueryScope/query eq 'x'", "scope/microsoft.graph.accessReviewQueryScope/query eq 'x'"},
		{"members/any(m: m/roles/any(r: r eq 'admin'))", "members/any(m: m/roles/any(r: r eq 'admin'))"},
		{"subject eq '日本語'", "subject eq '日本語'"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			e, err := ParseFilter(tc.in)
			if err != nil {
				t.Fatalf("ParseFilter: %v", err)
			}
			if got := e.String(); got != tc.want {
				t.Fatalf("String() = %q, want %q", got, tc.want)
			}
			again, err := ParseFilter(e.String())
			if err != nil {
				t.Fatalf("re-parse %q: %v", e.String(), err)
			}
			if !reflect.DeepEqual(e, again) {
				t.Fatalf("round trip changed the tree:\n%#v\n%#v", e, again)
			}
		})
	}
}

func TestParseFilterTree(t *testing.T) {
	e, err := ParseFilter("a eq 1 or b eq 'x' and not c")
	if err != nil {
		t.Fatal(err)
	}
	// and binds tighter than or; not applies to the bare path c.
	if e.Kind != KindLogical || e.Op != "or" {
		t.Fatalf("root = %v %q, want or", e.Kind, e.Op)
	}
	and := e.Args[1]
	if and.Kind != KindLogical || and.Op != "and" {
		t.Fatalf("right = %v %q, want and", and.Kind, and.Op)
	}
	if not := and.Args[1]; not.Kind != KindNot || not.Args[0].Kind != KindPath {
		t.Fatalf("and.right = %#v, want not(path)", not)
	}
	if lit := e.Args[0].Args[1]; lit.Lit != (Literal{Type: LitNumber, Text: "1"}) {
		t.Fatalf("literal = %#v", lit.Lit)
	}
}

func TestParseFilterLiteralTypes(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want Literal
	}{
		{"x eq 'a''b'", Literal{LitString, "a'b"}},
		{"x eq 42", Literal{LitNumber, "42"}},
		{"x eq True", Literal{LitBool, "true"}},
		{"x eq NULL", Literal{LitNull, "null"}},
		{"x eq 00000000-0000-0000-0000-0000000000AB", Literal{LitGUID, "00000000-0000-0000-0000-0000000000AB"}},
		{"x eq deadbeef-0000-0000-0000-000000000000", Literal{LitGUID, "deadbeef-0000-0000-0000-000000000000"}},
		{"x eq 2024-02-29", Literal{LitDate, "2024-02-29"}},
		{"x eq 2024-01-01T00:00Z", Literal{LitDateTime, "2024-01-01T00:00Z"}},
	} {
		e, err := ParseFilter(tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		if got := e.Args[1].Lit; got != tc.want {
			t.Errorf("%s: literal %#v, want %#v", tc.src, got, tc.want)
		}
	}
}

func TestParseFilterErrors(t *testing.T) {
	for _, tc := range []struct {
		src, want string
	}{
		// Graph's own example text.
		{"subject eq %", "Syntax error: character '%' is not valid at position 12 in 'subject eq %'."},
		{"", "Expression expected at position 1 in ''."},
		{"subject eq 'abc", "There is an unterminated string literal at position 12 in 'subject eq 'abc'."},
		{"a eq", "Expression expected at position 5 in 'a eq'."},
		{"a eq 1 b", "Syntax error at position 8 in 'a eq 1 b'."},
		{"(a eq 1", "')' expected at position 8 in '(a eq 1'."},
		{"a in ('x' 'y')", "')' or ',' expected at position 11 in 'a in ('x' 'y')'."},
		{"foo(a, 'b')", "Unknown function 'foo' at position 1 in 'foo(a, 'b')'."},
		{"startswith(a)", "The function 'startswith' takes 2 arguments, not 1"},
		{"a eq 12abc", "Syntax error: character 'a' is not valid at position 8 in 'a eq 12abc'."},
		{"'x'", "A boolean expression is expected at position 1 in ''x''."},
		{"and eq 1", "Expression expected at position 1"},
		{"x/all()", "The 'all' operator needs a range variable"},
		{"x/any(not: not eq 1)", "'not' is not a valid range variable"},
		{"x/any(y y eq 1)", "':' expected at position 9"},
		{"$count eq 1", "'$count' cannot start a property path"},
		{"a/$value eq 1", "'$value' is not a valid path segment"},
		{"d eq 2024-02-30", "'2024-02-30' is not a valid date or time at position 6"},
		{"a eq 1 and", "Expression expected at position 11"},
		{"a eq 1 eq 2", "Syntax error at position 8"},
		{"a eq - 1", "Syntax error: character '-' is not valid at position 6"},
		{"ä eq 1", "Syntax error: character 'ä' is not valid at position 1 in 'ä eq 1'."},
		{strings.Repeat("(", maxDepth+1) + "a", "nested too deeply"},
		{strings.Repeat("not ", maxDepth+1) + "a", "nested too deeply"},
	} {
		t.Run(tc.src, func(t *testing.T) {
			_, err := ParseFilter(tc.src)
			var oe *Error
			if !errors.As(err, &oe) {
				t.Fatalf("error %v, want *Error", err)
			}
			if oe.Status != 400 || oe.Code != "BadRequest" {
				t.Errorf("status/code = %d %s, want 400 BadRequest", oe.Status, oe.Code)
			}
			if !strings.Contains(oe.Message, tc.want) {
				t.Errorf("message %q does not contain %q", oe.Message, tc.want)
			}
		})
	}
}

func TestUsesPropsOps(t *testing.T) {
	for _, tc := range []struct {
		src   string
		uses  []Use
		props []string
		ops   []string
	}{
		{
			src:   "subject eq 'x' and not (Importance ne 'low')",
			uses:  []Use{{"", "and"}, {"subject", "eq"}, {"", "not"}, {"Importance", "ne"}},
			props: []string{"subject", "Importance"},
			ops:   []string{"and", "eq", "not", "ne"},
		},
		{
			src:   "assignedLicenses/any(x:x/skuId eq 00000000-0000-0000-0000-000000000001)",
			uses:  []Use{{"assignedLicenses", "any"}, {"assignedLicenses/skuId", "eq"}},
			props: []string{"assignedLicenses", "assignedLicenses/skuId"},
			ops:   []string{"any", "eq"},
		},
		{
			src:   "imAddresses/any(i:i eq 'a') or endswith(mail, '@x.com')",
			uses:  []Use{{"", "or"}, {"imAddresses", "any"}, {"imAddresses", "eq"}, {"mail", "endswith"}},
			props: []string{"imAddresses", "mail"},
			ops:   []string{"or", "any", "eq", "endswith"},
		},
		{
			src:   "assignedLicenses/$count eq 0",
			uses:  []Use{{"assignedLicenses", "$count"}, {"assignedLicenses", "eq"}},
			props: []string{"assignedLicenses"},
			ops:   []string{"$count", "eq"},
		},
		{
			src:   "department in ('a','b') and isRead",
			uses:  []Use{{"", "and"}, {"department", "in"}, {"isRead", "eq"}},
			props: []string{"department", "isRead"},
			ops:   []string{"and", "in", "eq"},
		},
		{
			src:   "a/any(x: x/b/any(y: y/c eq 1 and d eq 2))",
			uses:  []Use{{"a", "any"}, {"a/b", "any"}, {"", "and"}, {"a/b/c", "eq"}, {"d", "eq"}},
			props: []string{"a", "a/b", "a/b/c", "d"},
			ops:   []string{"any", "and", "eq"},
		},
	} {
		t.Run(tc.src, func(t *testing.T) {
			e, err := ParseFilter(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Uses(); !slices.Equal(got, tc.uses) {
				t.Errorf("Uses = %v, want %v", got, tc.uses)
			}
			if got := e.Props(); !slices.Equal(got, tc.props) {
				t.Errorf("Props = %v, want %v", got, tc.props)
			}
			if got := e.Ops(); !slices.Equal(got, tc.ops) {
				t.Errorf("Ops = %v, want %v", got, tc.ops)
			}
		})
	}
}

func TestWalkSkipsChildren(t *testing.T) {
	e, err := ParseFilter("not (a eq 1) and b eq 2")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []Kind
	e.Walk(func(x *Expr) bool {
		kinds = append(kinds, x.Kind)
		return x.Kind != KindNot
	})
	want := []Kind{KindLogical, KindNot, KindCompare, KindPath, KindLiteral}
	if !slices.Equal(kinds, want) {
		t.Fatalf("Walk visited %v, want %v", kinds, want)
	}
}
