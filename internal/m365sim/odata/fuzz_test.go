package odata

import (
	"errors"
	"reflect"
	"testing"
)

var fuzzFilterSeeds = []string{
	"subject eq 'hi'",
	"subject eq %",
	"a eq 1 and (b eq 2 or not c)",
	"NOT startsWith(displayName, 'Conf') or endswith(mail,'@x.com')",
	"assignedLicenses/any(x:x/skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67)",
	"emailAddresses/any(a:a/address eq 'x')",
	"m/any(x: x/r/all(y: y ne null))",
	"department in ('Retail', 'Sales', null)",
	"receivedDateTime ge 2024-01-01T00:00:00Z and receivedDateTime lt 2024-02-01",
	"t le 2024-01-01T10:20:30.1234567+02:00",
	"assignedLicenses/$count eq 0",
	"n gt -1.5e3 and m eq 00000000-0000-0000-0000-000000000000",
	"(((a)))",
	"'it''s'",
	"startswith(a,'b') eq true",
	"groupTypes/any()",
	"a eq 'unterminated",
	"a/all()",
	"x eq 2024-02-30",
	"",
}

// sampleItems exercise Eval on every value shape.
var sampleItems = []map[string]any{
	nil,
	{},
	{"a": 1.0, "b": "x", "c": true, "n": nil, "m": []any{map[string]any{"r": []any{"q"}}}, "subject": "hi",
		"t": "2024-01-01T00:00:00Z", "department": "Retail", "groupTypes": []any{"Unified"},
		"assignedLicenses": []any{map[string]any{"skuId": "184efa21-98c3-4e5d-95ab-d07053a96e67"}}},
}

// checkFilterInvariants: a parsed filter prints to a string that parses
// back to an equal tree, and evaluating or inspecting it never panics.
func checkFilterInvariants(t *testing.T, e *Expr) {
	t.Helper()
	s := e.String()
	again, err := ParseFilter(s)
	if err != nil {
		t.Fatalf("String() = %q does not re-parse: %v", s, err)
	}
	if !reflect.DeepEqual(e, again) {
		t.Fatalf("round trip of %q changed the tree", s)
	}
	if s2 := again.String(); s2 != s {
		t.Fatalf("String() not stable: %q then %q", s, s2)
	}
	_ = e.Props()
	_ = e.Ops()
	for _, item := range sampleItems {
		if _, err := e.Eval(item); err != nil {
			var oe *Error
			if !errors.As(err, &oe) {
				t.Fatalf("Eval error %v is not an *Error", err)
			}
		}
	}
}

func FuzzFilter(f *testing.F) {
	for _, s := range fuzzFilterSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := ParseFilter(src)
		if err != nil {
			var oe *Error
			if !errors.As(err, &oe) || oe.Status != 400 || oe.Message == "" {
				t.Fatalf("ParseFilter(%q) error %v is not a 400 *Error", src, err)
			}
			return
		}
		checkFilterInvariants(t, e)
	})
}

var allRules = []Rules{
	{}, Users, Groups, GroupMembers, Messages, MailFolders, Events, Contacts, DriveChildren,
	UsersDelta, GroupsDelta, MessagesDelta, CalendarViewDelta, DriveDelta,
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"$top=5&$skip=1&$select=id,displayName&$count=true",
		"$filter=startswith(displayName,'a')&$orderby=displayName desc&$count=true",
		"$expand=members($select=id;$top=5),children($expand=children)",
		`$search="displayName:Video" OR "description:prod"`,
		"top=1&$top=2",
		"$foo=1",
		"$filter=subject eq %25",
		"$deltatoken=&$skiptoken=abc&token=latest&startDateTime=2024-01-01",
		"$orderby=a sideways",
		"$expand=a(",
		"$select=",
		"$filter=id eq 'a' or id eq 'b'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := ParseRawQuery(raw)
		if err != nil {
			var oe *Error
			if !errors.As(err, &oe) || oe.Status != 400 {
				t.Fatalf("ParseRawQuery(%q) error %v is not a 400 *Error", raw, err)
			}
			return
		}
		if q.Filter != nil {
			checkFilterInvariants(t, q.Filter)
		}
		for _, r := range allRules {
			if err := q.Check(r, false); err != nil {
				var oe *Error
				if !errors.As(err, &oe) || oe.Status != 400 || oe.Code == "" {
					t.Fatalf("Check error %v is not a 400 *Error with a code", err)
				}
			}
			_ = q.Check(r, true)
		}
		Sort(append([]map[string]any(nil), sampleItems[1:]...), q.OrderBy)
		for _, item := range sampleItems {
			Project(item, q.Select)
		}
	})
}
