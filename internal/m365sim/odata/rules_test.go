package odata

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const endsWithMessage = "Operator 'endsWith' is not supported because the required parameters might be missing. " +
	"Try adding $count=true query parameter and ConsistencyLevel:eventual header. " +
	"Refer to https://aka.ms/graph-docs/advanced-queries for more information"

func TestCheck(t *testing.T) {
	ids := make([]string, 51)
	for i := range ids {
		ids[i] = fmt.Sprintf("id eq '%d'", i)
	}
	const ok = ""
	for _, tc := range []struct {
		name     string
		rules    Rules
		raw      string
		eventual bool
		code     string // "" means Check must succeed
		msg      string // substring of the message
	}{
		// Page sizes.
		{"users top max", Users, "$top=999", false, ok, ""},
		{"users top 1000", Users, "$top=1000", false, "Request_UnsupportedQuery", "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive."},
		{"users top 0", Users, "$top=0", false, "Request_UnsupportedQuery", "Invalid page size specified: '0'."},
		{"messages top 1000", Messages, "$top=1000", false, ok, ""},
		{"messages top 1001", Messages, "$top=1001", false, "BadRequest", "Must be between 1 and 1000 inclusive."},
		{"children top 1001", DriveChildren, "$top=1001", false, "invalidRequest", "The limit of '1000' for Top query has been exceeded"},
		{"zero rules top 0", Rules{}, "$top=0", false, "BadRequest", "Invalid page size specified: '0'."},
		{"zero rules anything", Rules{}, "$top=5000&$skip=3&$filter=endswith(a,'b')&$orderby=c&$search=x", false, ok, ""},

		// Options a resource does not take.
		{"users skip", Users, "$skip=1", false, "Request_BadRequest", "'$skip' is not supported by the service."},
		{"children filter", DriveChildren, "$filter=name eq 'a'", false, "invalidRequest", "'$filter'"},
		{"users delta top", UsersDelta, "$top=5", false, "Request_BadRequest", "'$top' is not supported by the service."},
		{"users delta orderby", UsersDelta, "$orderby=displayName", false, "Request_BadRequest", "'$orderby'"},
		{"calendar delta select", CalendarViewDelta, "$select=subject", false, "BadRequest", "'$select'"},
		{"calendar delta filter", CalendarViewDelta, "$filter=subject eq 'x'", false, "BadRequest", "'$filter'"},
		{"calendar delta tokens", CalendarViewDelta, "$skiptoken=abc&startDateTime=2024-01-01&endDateTime=2024-02-01", false, ok, ""},
		{"messages delta search", MessagesDelta, "$search=pizza", false, "BadRequest", "'$search'"},
		{"drive delta select", DriveDelta, "$select=id,name&$top=10&token=latest", false, ok, ""},
		{"drive delta filter", DriveDelta, "$filter=name eq 'a'", false, "invalidRequest", "'$filter'"},

		// Advanced queries on directory objects (documented message).
		{"endswith plain", Users, "$filter=endswith(mail,'@outlook.com')", false, "Request_UnsupportedQuery", endsWithMessage},
		{"endswith header only", Users, "$filter=endswith(mail,'@outlook.com')", true, "Request_UnsupportedQuery", endsWithMessage},
		{"endswith count only", Users, "$filter=endswith(mail,'@outlook.com')&$count=true", false, "Request_UnsupportedQuery", endsWithMessage},
		{"endswith advanced", Users, "$filter=endswith(mail,'@outlook.com')&$count=true", true, ok, ""},
		{"endswith on displayName", Users, "$filter=endswith(displayName,'x')&$count=true", true, "Request_UnsupportedQuery",
			"Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'."},
		{"ne plain", Users, "$filter=accountEnabled ne true", false, "Request_UnsupportedQuery", "Operator 'ne' is not supported"},
		{"ne advanced", Users, "$filter=accountEnabled ne true&$count=true", true, ok, ""},
		{"not plain", Users, "$filter=NOT startsWith(displayName, 'Conf')", false, "Request_UnsupportedQuery", "Operator 'not' is not supported"},
		{"not advanced", Users, "$filter=NOT startsWith(displayName, 'Conf')&$count=true", true, ok, ""},
		{"eq default", Users, "$filter=accountEnabled eq false", false, ok, ""},
		{"in default", Users, "$filter=department in ('Retail', 'Sales')", false, ok, ""},
		{"in advanced-only", Users, "$filter=createdDateTime in (2024-01-01T00:00:00Z)", false, "Request_UnsupportedQuery", "Operator 'in'"},
		{"advanced-only property", Users, "$filter=companyName eq 'x'", false, "Request_UnsupportedQuery", "Operator 'eq'"},
		{"advanced-only property ok", Users, "$filter=companyName eq 'x'&$count=true", true, ok, ""},
		{"startswith default", Users, "$filter=startswith(userPrincipalName, 'admin')", false, ok, ""},
		{"license any", Users, "$filter=assignedLicenses/any(x:x/skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67)", false, ok, ""},
		{"license count", Users, "$filter=assignedLicenses/$count eq 0", false, "Request_UnsupportedQuery", "Operator '$count'"},
		{"license count advanced", Users, "$filter=assignedLicenses/$count eq 0&$count=true", true, ok, ""},
		{"all lambda", Users, "$filter=assignedLicenses/all(x:x/skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67)", false,
			"Request_UnsupportedQuery", "property 'assignedLicenses' of resource 'User'"},
		{"contains on users", Users, "$filter=contains(displayName,'a')", false, "Request_UnsupportedQuery", "property 'displayName'"},
		{"gt on users", Users, "$filter=createdDateTime gt 2024-01-01T00:00:00Z", false, "Request_UnsupportedQuery", "property 'createdDateTime'"},
		{"unknown property", Users, "$filter=shoeSize eq 42", false, "Request_UnsupportedQuery",
			"Unsupported or invalid query filter clause specified for property 'shoeSize' of resource 'User'."},
		{"property case", Users, "$filter=DisplayName eq 'x'", false, ok, ""},
		{"groups createdDateTime", Groups, "$filter=createdDateTime ge 2021-11-01&$count=true", true, "Request_UnsupportedQuery",
			"Unsupported or invalid query filter clause specified for property 'createdDateTime' of resource 'Group'."},
		{"groups unified", Groups, "$filter=groupTypes/any(c:c eq 'Unified')", false, ok, ""},
		{"groups not unified", Groups, "$filter=NOT groupTypes/any(c:c eq 'Unified')", false, "Request_UnsupportedQuery", "Operator 'not'"},
		{"members any property", GroupMembers, "$filter=startswith(displayName,'a')", false, ok, ""},
		{"members ne", GroupMembers, "$filter=displayName ne 'a'", false, "Request_UnsupportedQuery", "Operator 'ne'"},

		// $search and $count on directory objects.
		{"search no header", Users, `$search="displayName:Video"`, false, "Request_UnsupportedQuery",
			"Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"},
		{"search header", Users, `$search="displayName:Video"`, true, ok, ""},
		{"count without header is not an error", Users, "$count=true", false, ok, ""},

		// Sorting.
		{"users orderby", Users, "$orderby=displayName", false, ok, ""},
		{"users orderby advanced", Users, "$orderby=createdDateTime desc", false, "Request_UnsupportedQuery", "Operator 'orderby'"},
		{"users orderby advanced ok", Users, "$orderby=createdDateTime desc&$count=true", true, ok, ""},
		{"users orderby unsortable", Users, "$orderby=jobTitle", false, "Request_UnsupportedQuery", "Unsupported sort order 'jobTitle'"},
		{"users filter and orderby", Users, "$filter=startswith(displayName,'a')&$orderby=displayName", false, "Request_UnsupportedQuery", "Operator 'orderby'"},
		{"users filter and orderby advanced", Users, "$filter=startswith(displayName,'a')&$orderby=displayName&$count=true", true, ok, ""},

		// Exchange: $orderby properties lead the $filter.
		{"inefficient", Messages, "$filter=subject eq 'x'&$orderby=receivedDateTime desc", false, "InefficientFilter",
			"The restriction or sort order is too complex for this operation."},
		{"efficient", Messages, "$filter=receivedDateTime ge 2024-01-01 and subject eq 'x'&$orderby=receivedDateTime desc", false, ok, ""},
		{"docs example", Messages, "$filter=Subject eq 'welcome' and importance eq 'normal'&$orderby=subject,importance,receivedDateTime desc", false, ok, ""},
		{"wrong order", Messages, "$filter=importance eq 'x' and subject eq 'y'&$orderby=subject,importance", false, "InefficientFilter", ""},
		{"orderby gap", Messages, "$filter=subject eq 'y' and importance eq 'x'&$orderby=subject,receivedDateTime", false, "InefficientFilter", ""},
		{"messages endswith", Messages, "$filter=endswith(subject,'x')", false, "ErrorInvalidUrlQueryFilter",
			"The query filter contains one or more invalid nodes."},
		{"messages ne needs nothing", Messages, "$filter=importance ne 'low'", false, ok, ""},
		{"messages count", Messages, "$count=true&$search=pizza&$skip=10", false, ok, ""},
		{"messages search orderby", Messages, `$search="pizza"&$orderby=subject`, false, "BadRequest",
			"The query parameter '$orderby' is not supported with '$search'."},
		{"messages search filter", Messages, `$search="pizza"&$filter=isRead eq false`, false, "BadRequest", "'$filter' is not supported with '$search'"},
		{"events search filter", Events, `$search="pizza"&$filter=isRead eq false`, false, ok, ""},
		{"events no orderby rule", Events, "$filter=subject eq 'x'&$orderby=start/dateTime", false, ok, ""},

		// Delta restrictions.
		{"users delta ids", UsersDelta, "$filter=id eq '477e9fc6-5de7-4406-bb2a-7e5c83c9ffff' or id eq '004d6a07-fe70-4b92-add5-e6e37b8affff'", false, ok, ""},
		{"users delta 50 ids", UsersDelta, "$filter=" + strings.Join(ids[:50], " or "), false, ok, ""},
		{"users delta 51 ids", UsersDelta, "$filter=" + strings.Join(ids, " or "), false, "Request_UnsupportedQuery", "at most 50 objects"},
		{"users delta and", UsersDelta, "$filter=id eq 'a' and id eq 'b'", false, "Request_UnsupportedQuery", "property 'and'"},
		{"users delta other prop", UsersDelta, "$filter=displayName eq 'a'", false, "Request_UnsupportedQuery", "property 'displayName'"},
		{"users delta ne", UsersDelta, "$filter=id ne 'a'", false, "Request_UnsupportedQuery", "property 'id'"},
		{"groups delta expand", GroupsDelta, "$expand=members&$select=displayName", false, ok, ""},
		{"messages delta ge", MessagesDelta, "$filter=receivedDateTime ge 2024-01-01T00:00:00Z&$orderby=receivedDateTime desc", false, ok, ""},
		{"messages delta gt", MessagesDelta, "$filter=receivedDateTime gt 2024-01-01T00:00:00Z&$select=subject&$top=50", false, ok, ""},
		{"messages delta lt", MessagesDelta, "$filter=receivedDateTime lt 2024-01-01T00:00:00Z", false, "ErrorInvalidUrlQueryFilter", ""},
		{"messages delta subject", MessagesDelta, "$filter=subject eq 'x'", false, "ErrorInvalidUrlQueryFilter", ""},
		{"messages delta two terms", MessagesDelta, "$filter=receivedDateTime ge 2024-01-01 and receivedDateTime gt 2024-01-02", false, "ErrorInvalidUrlQueryFilter", ""},
		{"messages delta asc", MessagesDelta, "$orderby=receivedDateTime", false, "ErrorInvalidUrlQueryFilter", "Unsupported sort order 'receivedDateTime'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(mustQuery(t, tc.raw))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = q.Check(tc.rules, tc.eventual)
			if tc.code == ok {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			var oe *Error
			if !errors.As(err, &oe) {
				t.Fatalf("Check error = %v, want *Error %s", err, tc.code)
			}
			if oe.Status != 400 || oe.Code != tc.code || !strings.Contains(oe.Message, tc.msg) {
				t.Fatalf("got %d %s %q\nwant 400 %s containing %q", oe.Status, oe.Code, oe.Message, tc.code, tc.msg)
			}
		})
	}
}

func TestCountRequested(t *testing.T) {
	q, err := Parse(mustQuery(t, "$count=true"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rules    Rules
		eventual bool
		want     bool
	}{
		{Users, false, false}, // silently ignored without the header
		{Users, true, true},
		{Messages, false, true},
	} {
		if got := q.CountRequested(tc.rules, tc.eventual); got != tc.want {
			t.Errorf("%s eventual=%v: CountRequested = %v, want %v", tc.rules.Resource, tc.eventual, got, tc.want)
		}
	}
	q, _ = Parse(nil)
	if q.CountRequested(Messages, true) {
		t.Error("CountRequested without $count")
	}
}

// Every predefined rule set must cite its page and have a name for
// messages; a typo in an option name would silently allow nothing.
func TestPredefinedRules(t *testing.T) {
	all := map[string]Rules{
		"Users": Users, "Groups": Groups, "GroupMembers": GroupMembers, "Messages": Messages,
		"MailFolders": MailFolders, "Events": Events, "Contacts": Contacts, "DriveChildren": DriveChildren,
		"UsersDelta": UsersDelta, "GroupsDelta": GroupsDelta, "MessagesDelta": MessagesDelta,
		"CalendarViewDelta": CalendarViewDelta, "DriveDelta": DriveDelta,
	}
	for name, r := range all {
		if r.Resource == "" || !strings.HasPrefix(r.Doc, "https://learn.microsoft.com/") {
			t.Errorf("%s: Resource %q, Doc %q", name, r.Resource, r.Doc)
		}
		for _, o := range r.Options {
			if n, ok := optionName(o); !ok || n != o {
				t.Errorf("%s: option %q is not a canonical option name", name, o)
			}
		}
		for _, o := range r.SearchExcludes {
			if n, ok := optionName(o); !ok || n != o {
				t.Errorf("%s: SearchExcludes %q is not a canonical option name", name, o)
			}
		}
		if r.MaxTop > 0 && r.DefaultTop > r.MaxTop {
			t.Errorf("%s: DefaultTop %d > MaxTop %d", name, r.DefaultTop, r.MaxTop)
		}
	}
}

func TestNewErrorFormats(t *testing.T) {
	for _, tc := range []struct {
		format string
		args   []any
		want   string
	}{
		{"no verbs", []any{"a", "b"}, "no verbs"},
		{"one %s", []any{"a", "b"}, "one a"},
		{"second %[2]d", []any{1, 2}, "second 2"},
		{"100%% of %s", []any{"x", "y"}, "100% of x"},
	} {
		if got := newError("C", tc.format, tc.args...).Message; got != tc.want {
			t.Errorf("newError(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
}
