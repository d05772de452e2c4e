package export

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestFoldAndEscape(t *testing.T) {
	s := "SUMMARY:" + escapeText(strings.Repeat("Réunion 😀, budget; \\ Q3\n", 12))
	folded := fold(s)
	for _, l := range strings.SplitAfter(folded, "\r\n") {
		if len(l) > 77 || !utf8.ValidString(l) {
			t.Fatalf("line %q: %d octets", l, len(l))
		}
	}
	if unfolded := strings.ReplaceAll(strings.TrimSuffix(folded, "\r\n"), "\r\n ", ""); unfolded != s {
		t.Fatalf("unfolding gives %q", unfolded)
	}
	if got := escapeText("a,b;c\\d\r\ne\tf\x01"); got != `a\,b\;c\\d\ne f` {
		t.Fatalf("escapeText: %q", got)
	}
	if got := paramValue(`Vance, "Adele"`); got != `"Vance, 'Adele'"` {
		t.Fatalf("paramValue: %q", got)
	}
}

func TestWriteEvent(t *testing.T) {
	const js = `{"id":"AAMk1","iCalUId":"040000008200E0","subject":"Budget review, Q3; final",
	 "start":{"dateTime":"2025-03-14T09:30:00.0000000","timeZone":"UTC"},
	 "end":{"dateTime":"2025-03-14T10:00:00.0000000","timeZone":"Europe/Berlin"},
	 "organizer":{"emailAddress":{"name":"Adele Vance","address":"adele@contoso.test"}},
	 "attendees":[{"type":"optional","status":{"response":"accepted"},"emailAddress":{"name":"Lee, Gu","address":"lee@contoso.test"}}],
	 "recurrence":{"pattern":{"type":"weekly","interval":2,"daysOfWeek":["monday","friday"],"firstDayOfWeek":"sunday"},
	   "range":{"type":"endDate","endDate":"2025-06-30"}},
	 "showAs":"busy","sensitivity":"private","lastModifiedDateTime":"2025-03-01T08:00:00Z"}`
	var ev eventJSON
	if err := json.Unmarshal([]byte(js), &ev); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	writeEvent(&lineWriter{w: &b}, &ev, time.Now(), nil)
	out := strings.ReplaceAll(b.String(), "\r\n ", "") // unfold
	for _, want := range []string{
		"BEGIN:VEVENT\r\n", "UID:040000008200E0\r\n", "DTSTART:20250314T093000Z\r\n", "DTEND:20250314T090000Z\r\n",
		"RRULE:FREQ=WEEKLY;BYDAY=MO,FR;WKST=SU;INTERVAL=2;UNTIL=20250630T235959Z\r\n",
		"SUMMARY:Budget review\\, Q3\\; final\r\n", "ORGANIZER;CN=Adele Vance:mailto:adele@contoso.test\r\n",
		"ATTENDEE;CN=\"Lee, Gu\";ROLE=OPT-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:lee@contoso.test\r\n",
		"CLASS:PRIVATE\r\n", "DTSTAMP:20250301T080000Z\r\n", "END:VEVENT\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

func TestWriteContact(t *testing.T) {
	const js = `{"id":"c1","displayName":"Vance, Adele","givenName":"Adele","surname":"Vance",
	 "emailAddresses":[{"name":"Adele","address":"adele@contoso.test"}],"businessPhones":["+1 555 0100"],
	 "mobilePhone":"+1 555 0199","companyName":"Contoso; Ltd","jobTitle":"CFO",
	 "businessAddress":{"street":"1 Main St","city":"Redmond","postalCode":"98052","countryOrRegion":"US"}}`
	var c contactJSON
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	writeContact(&lineWriter{w: &b}, &c)
	out := strings.ReplaceAll(b.String(), "\r\n ", "")
	for _, want := range []string{"BEGIN:VCARD\r\nVERSION:4.0\r\n", "FN:Vance\\, Adele\r\n", "N:Vance;Adele;;;\r\n",
		"EMAIL:adele@contoso.test\r\n", "TEL;TYPE=cell:+1 555 0199\r\n", "ORG:Contoso\\; Ltd;\r\n",
		"ADR;TYPE=work:;;1 Main St;Redmond;;98052;US\r\n", "UID:c1\r\n", "END:VCARD\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}
