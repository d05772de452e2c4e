package tenant

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseMIME feeds arbitrary bytes to ParseMIME: it must not panic,
// and what it accepts must be valid Graph JSON with consistent sizes.
func FuzzParseMIME(f *testing.F) {
	for _, seed := range []string{
		"Subject: hi\r\n\r\nbody",
		"Subject: only a header\r\n",
		"From: =?utf-8?q?Jos=C3=A9?= <j@x.test>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" +
			"Content-Type: text/html\r\n\r\n<p>x</p>\r\n--b\r\nContent-Type: image/png\r\nContent-ID: <a>\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\naGk=\r\n--b--\r\n",
		"Content-Type: multipart/alternative; boundary=\"x\"\r\n\r\n--x\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=C3=A9=\r\n--x--",
		"Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\n",
		"Content-Type: text/plain; charset=koi8-r\r\nSubject: =?koi8-r?q?=F0?=\r\n\r\n\xf0\xf1",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n",
		"\x00",
	} {
		f.Add([]byte(seed))
	}
	// A rendered generated message, with attachments.
	tn := mustGenerate(f, SmallGenOptions(1))
	for _, m := range sortedMessages(members(tn)[0].Mailbox) {
		if len(m.Attachments) > 0 && m.Attachments[len(m.Attachments)-1].Content.Size() < 20000 {
			var buf bytes.Buffer
			RenderMIME(&buf, m)
			f.Add(buf.Bytes())
			break
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		props, atts, err := ParseMIME(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := checkJSONValue("props", props); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"subject", "internetMessageId", "bodyPreview"} {
			if s, _ := props[k].(string); !utf8.ValidString(s) {
				t.Fatalf("%s is not valid UTF-8: %q", k, s)
			}
		}
		if n := utf8.RuneCountInString(props["bodyPreview"].(string)); n > previewLen {
			t.Fatalf("bodyPreview of %d characters", n)
		}
		for _, a := range atts {
			if err := checkJSONValue("attachment", a.Props); err != nil {
				t.Fatal(err)
			}
			if a.Props["size"] != float64(a.Content.Size()) {
				t.Fatalf("attachment size %v, content %d bytes", a.Props["size"], a.Content.Size())
			}
		}
	})
}

var simpleAddress = regexp.MustCompile(`^[a-z0-9]+(\.[a-z0-9]+)*@[a-z0-9]+(\.[a-z0-9]+)+$`)

// FuzzRenderParse renders messages with arbitrary subjects, names, bodies
// and attachment names and parses them back: what RenderMIME writes must
// parse, and the values must survive exactly (after the header
// sanitising RenderMIME documents).
func FuzzRenderParse(f *testing.F) {
	f.Add("Quarterly review", "Ann Lee", "ann@x.test", "Hello\r\nworld", "report.pdf", []byte("%PDF"))
	f.Add("RE: Réunion d'équipe – ordre du jour 🏔️", "佐藤 健", "ken.sato@x.test", "<p>x</p>", "résumé.docx", []byte{0, 1, 2})
	f.Add("  spaced  out  ", "\"quoted\" <name>", "o'brien@x.test", "", "", []byte{})
	f.Add("=?utf-8?q?not_encoded?=", "a,b;c", "x@y", "line\rcr\nlf", strings.Repeat("long name ", 40)+".txt", []byte("x"))
	f.Add(strings.Repeat("word ", 300), "", "a@b.c", strings.Repeat("é", 2000), "a\"b\\c.txt", bytes.Repeat([]byte{0xff}, 1000))
	f.Fuzz(func(t *testing.T, subject, name, addr, body, attName string, content []byte) {
		m := &Message{ImmutableID: "fuzz", Props: Props{
			"subject":           subject,
			"from":              Props{"emailAddress": Props{"name": name, "address": addr}},
			"toRecipients":      []any{Props{"emailAddress": Props{"name": name, "address": addr}}},
			"body":              Props{"contentType": "text", "content": body},
			"internetMessageId": "<fuzz@x.test>",
			"sentDateTime":      "2025-01-02T03:04:05Z",
		}}
		m.Attachments = []*Attachment{{Kind: "file", Content: Bytes(content),
			Props: attachmentProps(attName, "application/octet-stream", int64(len(content)), false, "", defaultGenNow)}}
		var buf bytes.Buffer
		if err := RenderMIME(&buf, m); err != nil {
			t.Fatal(err)
		}
		props, atts, err := ParseMIME(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("rendered MIME does not parse: %v\n%s", err, buf.Bytes())
		}
		if got, want := props["subject"], sanitizeHeader(subject); got != want {
			t.Errorf("subject %q, want %q", got, want)
		}
		got := props["body"].(Props)["content"].(string)
		if norm(got) != norm(validUTF8(body)) {
			t.Errorf("body %q, want %q", got, body)
		}
		if len(atts) != 1 || !bytes.Equal(atts[0].Content.(Bytes), content) {
			t.Fatalf("attachment content did not survive")
		}
		if wantName := sanitizeHeader(attName); wantName != "" && atts[0].Props["name"] != wantName {
			t.Errorf("attachment name %q, want %q", atts[0].Props["name"], wantName)
		}
		if simpleAddress.MatchString(addr) {
			from := props["from"].(Props)["emailAddress"].(Props)
			if from["address"] != addr {
				t.Errorf("from address %q, want %q", from["address"], addr)
			}
		}
	})
}

// norm makes line endings comparable: every line break (CRLF, LF or a
// lone CR) comes back from quoted-printable as CRLF.
func norm(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
