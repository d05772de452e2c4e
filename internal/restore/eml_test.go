package restore

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

const mixedMessage = "From: a@x.test\r\nSubject: =?iso-8859-1?q?Gr=FC=DFe?=\r\nIn-Reply-To: <p@x.test>\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n" +
	"--m\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n" +
	"--a\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe\r\n" +
	"--a\r\nContent-Type: multipart/related; boundary=\"r\"\r\n\r\n" +
	"--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hi <img src=\"cid:img1\"></p>\r\n" +
	"--r\r\nContent-Type: image/png\r\nContent-ID: <img1>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\nGgo=\r\n" +
	"--r--\r\n--a--\r\n" +
	"--m\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf\r\n" +
	"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n" +
	"--m\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nbody\r\n" +
	"--m--\r\n"

func TestParseMessage(t *testing.T) {
	for _, tc := range []struct {
		name, mime string
		html, text string
		atts       []string // name|type|cid|inline|content
	}{
		{"mixed", mixedMessage, "<p>Hi <img src=\"cid:img1\"></p>", "Grüße",
			[]string{"attachment3.png|image/png|img1|true|\x89PNG\r\n\x1a\n", "résumé.pdf|application/pdf||false|%PDF-1.4\n",
				"message.eml|message/rfc822||false|Subject: inner\r\n\r\nbody"}},
		{"plain qp", "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 =\r\nlong\r\n",
			"", "café long\r\n", nil},
		{"no content type", "Subject: x\r\n\r\nhello\r\n", "", "hello\r\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pm, err := parseMessage(strings.NewReader(tc.mime))
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(pm.html) != strings.TrimSpace(tc.html) || strings.TrimSpace(pm.text) != strings.TrimSpace(tc.text) {
				t.Errorf("body html %q text %q, want %q %q", pm.html, pm.text, tc.html, tc.text)
			}
			var got []string
			for _, a := range pm.inline {
				got = append(got, strings.Join([]string{a.name, a.contentType, a.contentID, boolStr(a.inline), string(a.data)}, "|"))
			}
			if strings.Join(got, "\n") != strings.Join(tc.atts, "\n") {
				t.Errorf("attachments\n%q\nwant\n%q", got, tc.atts)
			}
		})
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// TestParseMessageDeferred checks that attachments beyond the inline
// budget are measured, not held, and stream back intact.
func TestParseMessageDeferred(t *testing.T) {
	old := inlineAttachmentBudget
	inlineAttachmentBudget = 4
	t.Cleanup(func() { inlineAttachmentBudget = old })
	pm, err := parseMessage(strings.NewReader(mixedMessage))
	if err != nil {
		t.Fatal(err)
	}
	if len(pm.inline) != 0 || len(pm.deferred) != 3 {
		t.Fatalf("%d inline, %d deferred attachments", len(pm.inline), len(pm.deferred))
	}
	var got []string
	err = streamAttachments(strings.NewReader(mixedMessage), pm.deferred, func(a attachment, body io.Reader) error {
		b, err := io.ReadAll(body)
		if int64(len(b)) != a.size {
			t.Errorf("%s: %d bytes, measured %d", a.name, len(b), a.size)
		}
		got = append(got, a.name+"|"+string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1] != "résumé.pdf|%PDF-1.4\n" {
		t.Fatalf("streamed %q", got)
	}
}

// FuzzParseMessage checks that no input makes the parser panic, and that
// what it defers streams back with the measured sizes.
func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(mixedMessage))
	f.Add([]byte("Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n--b--"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pm, err := parseMessage(bytes.NewReader(data))
		if err != nil {
			return
		}
		all := append(append([]attachment(nil), pm.inline...), pm.deferred...)
		err = streamAttachments(bytes.NewReader(data), all, func(a attachment, body io.Reader) error {
			b, err := io.ReadAll(body)
			if err == nil && int64(len(b)) != a.size {
				t.Fatalf("%s: %d bytes, measured %d", a.name, len(b), a.size)
			}
			return err
		})
		if err != nil {
			t.Fatalf("second parse failed after the first succeeded: %v", err)
		}
	})
}
