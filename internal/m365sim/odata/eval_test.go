package odata

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// testItems decodes JSON the way the emulator's store hands items over.
func testItem(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test item: %v", err)
	}
	return m
}

const userJSON = `{
	"id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
	"displayName": "Adele Vance",
	"userPrincipalName": "AdeleV@contoso.test",
	"mail": "AdeleV@contoso.test",
	"accountEnabled": true,
	"department": "Retail",
	"companyName": null,
	"employeeCount": 12,
	"createdDateTime": "2023-06-01T08:30:00Z",
	"assignedLicenses": [
		{"skuId": "184efa21-98c3-4e5d-95ab-d07053a96e67", "disabledPlans": []},
		{"skuId": "c7df2760-2c81-4ef7-b578-5b5392b571df", "disabledPlans": []}
	],
	"imAddresses": ["adelev@contoso.test"],
	"businessPhones": [],
	"proxyAddresses": ["SMTP:AdeleV@contoso.test", "smtp:adele@contoso.onmicrosoft.com"]
}`

const messageJSON = `{
	"id": "AAMkAGI2",
	"subject": "Let's meet for lunch?",
	"importance": "normal",
	"isRead": false,
	"receivedDateTime": "2024-04-15T09:10:11Z",
	"from": {"emailAddress": {"name": "Dana", "address": "DanaS@contoso.test"}},
	"start": {"dateTime": "2024-04-20T10:00:00.0000000", "timeZone": "UTC"},
	"categories": ["Red", "Blue"]
}`

func TestEval(t *testing.T) {
	user := testItem(t, userJSON)
	msg := testItem(t, messageJSON)
	for _, tc := range []struct {
		item   map[string]any
		filter string
		want   bool
	}{
		{user, "displayName eq 'adele vance'", true}, // case-insensitive
		{user, "DISPLAYNAME eq 'Adele Vance'", true}, // property names too
		{user, "displayName ne 'Adele Vance'", false},
		{user, "startswith(displayName, 'ADE')", true},
		{user, "endswith(mail, '@CONTOSO.test')", true},
		{user, "contains(displayName, 'e va')", true},
		{user, "startswith(companyName, 'x')", false}, // null never matches
		{user, "companyName eq null", true},
		{user, "companyName ne null", false},
		{user, "missingProp eq null", true},
		{user, "mail ne null", true},
		{user, "department in ('Sales', 'retail')", true},
		{user, "department in ('Sales', 'HR')", false},
		{user, "companyName in (null, 'Microsoft')", true},
		{user, "accountEnabled eq true", true},
		{user, "accountEnabled", true},
		{user, "not accountEnabled", false},
		{user, "employeeCount gt 10 and employeeCount le 12", true},
		{user, "employeeCount lt 12", false},
		{user, "employeeCount eq 12.0", true},
		{user, "id eq 87D349ED-44D7-43E1-9A83-5F2406DEE5BD", true}, // GUID vs string, case-insensitive
		{user, "id eq '87d349ed-44d7-43e1-9a83-5f2406dee5bd'", true},
		{user, "createdDateTime ge 2023-06-01T08:30:00Z", true},
		{user, "createdDateTime gt 2023-06-01T10:29:00+02:00", true}, // 08:29Z
		{user, "createdDateTime lt 2023-06-01", false},
		{user, "createdDateTime ge 2023-06-01 and createdDateTime lt 2023-06-02", true},
		{user, "assignedLicenses/any(x:x/skuId eq c7df2760-2c81-4ef7-b578-5b5392b571df)", true},
		{user, "assignedLicenses/any(x:x/skuId eq 00000000-0000-0000-0000-000000000000)", false},
		{user, "assignedLicenses/all(x:x/disabledPlans/$count eq 0)", true},
		{user, "assignedLicenses/$count eq 2", true},
		{user, "businessPhones/$count eq 0", true},
		{user, "businessPhones/any()", false},
		{user, "imAddresses/any()", true},
		{user, "imAddresses/any(i:i eq 'ADELEV@contoso.test')", true},
		{user, "proxyAddresses/any(p:endswith(p, 'onmicrosoft.com'))", true},
		{user, "not (proxyAddresses/any(p:startswith(p, 'x500:')))", true},
		{user, "noSuchCollection/any(x:x eq 1)", false},
		{user, "noSuchCollection/all(x:x eq 1)", true},
		{user, "(displayName eq 'x' or department eq 'Retail') and accountEnabled", true},
		{user, "startswith(displayName, 'Adele') eq true", true},
		{msg, "subject eq 'let''s meet for lunch?'", true},
		{msg, "from/emailAddress/address eq 'danas@contoso.test'", true},
		{msg, "from/emailAddress/missing eq null", true},
		{msg, "isRead eq false", true},
		{msg, "receivedDateTime ge 2024-04-15T00:00:00Z and receivedDateTime lt 2024-04-16", true},
		{msg, "ReceivedDateTime ge 2024-04-16", false},
		{msg, "start/dateTime ge '2024-04-20T08:00'", true},          // string comparison, as the docs do it
		{msg, "start/dateTime lt 2024-04-20T10:00:01Z", true},        // zone-less dateTime read as UTC
		{msg, "categories/any(c: c eq 'blue' and c ne 'red')", true}, // range variable
		{msg, "categories/any(c: c eq 'blue' and subject ne null)", true},
		{msg, "importance in ('low', 'high')", false},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			e, err := ParseFilter(tc.filter)
			if err != nil {
				t.Fatalf("ParseFilter: %v", err)
			}
			got, err := e.Eval(tc.item)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if got != tc.want {
				t.Fatalf("Eval = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEvalTypeErrors(t *testing.T) {
	user := testItem(t, userJSON)
	for _, tc := range []struct {
		filter, want string
	}{
		{"displayName eq 5", "Found operand types 'Edm.String' and 'Edm.Double' for operator kind 'Equal'."},
		{"employeeCount ge 'x'", "Found operand types 'Edm.Double' and 'Edm.String' for operator kind 'GreaterThanOrEqual'."},
		{"displayName gt 2024-01-01", "Found operand types 'Edm.String' and 'Edm.Date'"},
		{"startswith(employeeCount, '1')", "needs string arguments"},
		{"displayName/any(x: x eq 'a')", "needs a collection"},
		{"displayName", "is not a Boolean value"},
		{"assignedLicenses eq 'x'", "'Collection' and 'Edm.String'"},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			e, err := ParseFilter(tc.filter)
			if err != nil {
				t.Fatalf("ParseFilter: %v", err)
			}
			_, err = e.Eval(user)
			var oe *Error
			if !errors.As(err, &oe) || oe.Status != 400 {
				t.Fatalf("Eval error = %v, want a 400 *Error", err)
			}
			if !strings.Contains(oe.Message, tc.want) {
				t.Fatalf("message %q does not contain %q", oe.Message, tc.want)
			}
		})
	}
}

func TestEvalNumberTypes(t *testing.T) {
	e, err := ParseFilter("n eq 3 and m gt 2 and j lt 10")
	if err != nil {
		t.Fatal(err)
	}
	item := map[string]any{"n": 3, "m": int64(5), "j": json.Number("9")}
	if ok, err := e.Eval(item); err != nil || !ok {
		t.Fatalf("Eval = %v, %v; want true", ok, err)
	}
}
