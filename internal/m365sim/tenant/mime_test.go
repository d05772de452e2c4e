package tenant

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

func TestRenderMIMEVerbatim(t *testing.T) {
	raw := "Subject: kept as is\n\nbody without CR\r\nand a stray \x00 byte"
	m := &Message{MIME: Bytes(raw), Props: Props{"subject": "ignored", "body": Props{"contentType": "text", "content": "x"}}}
	var buf bytes.Buffer
	if err := RenderMIME(&buf, m); err != nil {
		t.Fatal(err)
	}
	if buf.String() != raw {
		t.Fatalf("got %q, want the stored MIME %q", buf.String(), raw)
	}
}

// TestRenderParseRoundTrip renders every generated message and parses it
// back: the properties and attachment bytes must survive.
func TestRenderParseRoundTrip(t *testing.T) {
	tn := mustGenerate(t, SmallGenOptions(17))
	n := 0
	for _, u := range members(tn) {
		for _, m := range sortedMessages(u.Mailbox) {
			var buf bytes.Buffer
			if err := RenderMIME(&buf, m); err != nil {
				t.Fatal(err)
			}
			props, atts, err := ParseMIME(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("parse rendered %s: %v", m.ID, err)
			}
			compareParsed(t, m, props, atts)
			n++
		}
	}
	if n == 0 {
		t.Fatal("no messages generated")
	}
}

func compareParsed(t *testing.T, m *Message, props Props, atts []*Attachment) {
	t.Helper()
	for _, k := range []string{"subject", "internetMessageId", "importance", "hasAttachments", "bodyPreview"} {
		if props[k] != m.Props[k] {
			t.Errorf("%s: %s = %#v after the round trip, was %#v", m.ID, k, props[k], m.Props[k])
		}
	}
	if m.Props["sentDateTime"] != nil && props["sentDateTime"] != m.Props["sentDateTime"] {
		t.Errorf("%s: sentDateTime %v, was %v", m.ID, props["sentDateTime"], m.Props["sentDateTime"])
	}
	for _, k := range []string{"from", "toRecipients", "ccRecipients"} {
		if got, want := string(mustJSON(t, props[k])), string(mustJSON(t, m.Props[k])); got != want {
			t.Errorf("%s: %s = %s, was %s", m.ID, k, got, want)
		}
	}
	if got, want := props["body"].(Props)["content"], m.Props["body"].(Props)["content"]; got != want {
		t.Errorf("%s: body changed in the round trip", m.ID)
	}
	if len(atts) != len(m.Attachments) {
		t.Fatalf("%s: %d attachments parsed, %d rendered", m.ID, len(atts), len(m.Attachments))
	}
	for i, a := range atts {
		w := m.Attachments[i]
		for _, k := range []string{"name", "contentType", "isInline", "contentId", "size"} {
			if a.Props[k] != w.Props[k] {
				t.Errorf("%s attachment %d: %s = %#v, was %#v", m.ID, i, k, a.Props[k], w.Props[k])
			}
		}
		if blobSum(t, a.Content) != blobSum(t, w.Content) {
			t.Errorf("%s attachment %q: content differs", m.ID, w.Props["name"])
		}
	}
}

func blobSum(t *testing.T, b Blob) [32]byte {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, Reader(b)); err != nil {
		t.Fatal(err)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// TestRenderMIMEFormat checks the rendering rules: CRLF lines of at most
// 998 characters, 7-bit output, base64 lines of 76, and output that does
// not change with the message's REST id (which changes on a move).
func TestRenderMIMEFormat(t *testing.T) {
	tn := mustGenerate(t, SmallGenOptions(23))
	for _, u := range members(tn) {
		for _, m := range sortedMessages(u.Mailbox) {
			var a, b bytes.Buffer
			RenderMIME(&a, m)
			moved := *m
			moved.ID, moved.FolderID = "AAMkADmoved", "elsewhere"
			RenderMIME(&b, &moved)
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatalf("%s: rendering depends on the REST id or folder", m.ID)
			}
			checkMIMELines(t, m.ID, a.Bytes())
		}
	}
}

func checkMIMELines(t *testing.T, id string, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Errorf("%s: output does not end with CRLF", id)
	}
	inBase64 := false
	for i, line := range bytes.Split(bytes.TrimSuffix(raw, []byte("\r\n")), []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Fatalf("%s line %d: bare CR or LF", id, i+1)
		}
		if len(line) > 998 {
			t.Fatalf("%s line %d: %d characters", id, i+1, len(line))
		}
		for _, c := range line {
			if c >= 0x80 {
				t.Fatalf("%s line %d: 8-bit byte in %q", id, i+1, line)
			}
		}
		switch {
		case bytes.Equal(line, []byte("Content-Transfer-Encoding: base64")):
			inBase64 = true
		case bytes.HasPrefix(line, []byte("--")):
			inBase64 = false
		case inBase64 && len(line) > 76:
			t.Fatalf("%s line %d: base64 line of %d characters", id, i+1, len(line))
		}
	}
}

// TestRenderMIMEStreams renders a message with a 300 MB attachment and
// checks that memory use stays flat.
func TestRenderMIMEStreams(t *testing.T) {
	const size = 300 << 20
	m := &Message{ImmutableID: "x", Props: Props{"subject": "big", "internetMessageId": "<big@test>",
		"body": Props{"contentType": "html", "content": "<p>see attached</p>"}}}
	m.Attachments = []*Attachment{{Kind: "file", Content: Generated{Seed: 1, Len: size},
		Props: attachmentProps("big.bin", "application/octet-stream", size, false, "", defaultGenNow)}}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var c countingWriter
	if err := RenderMIME(&c, m); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if c.n < size*4/3 {
		t.Fatalf("rendered %d bytes for a %d-byte attachment", c.n, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("rendering allocated %d bytes; want it to stream", alloc)
	}
}

func TestParseMIME(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     map[string]any // property -> value (compared as JSON)
		atts     []Props        // name, contentType, isInline, contentId, size of each attachment
	}{
		{"text", "From: Ann <ann@x.test>\r\nTo: bob@y.test, \"Cole, D\" <cd@y.test>\r\n" +
			"Subject: =?iso-8859-1?q?caf=E9?=\r\nDate: Tue, 4 Mar 2025 10:00:00 +0100\r\nMessage-ID: <1@x.test>\r\n\r\nHello\r\nworld\r\n",
			map[string]any{"subject": "café", "sentDateTime": "2025-03-04T09:00:00Z", "internetMessageId": "<1@x.test>",
				"from": Props{"emailAddress": Props{"name": "Ann", "address": "ann@x.test"}},
				"toRecipients": []any{Props{"emailAddress": Props{"name": "bob@y.test", "address": "bob@y.test"}},
					Props{"emailAddress": Props{"name": "Cole, D", "address": "cd@y.test"}}},
				"body": Props{"contentType": "text", "content": "Hello\r\nworld\r\n"}, "bodyPreview": "Hello world",
				"hasAttachments": false, "importance": "normal"}, nil},
		{"alternative-prefers-html", "Subject: alt\r\nContent-Type: multipart/alternative; boundary=b1\r\n\r\n" +
			"--b1\r\nContent-Type: text/plain\r\n\r\nplain words\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html <b>words</b></p>\r\n--b1--\r\n",
			map[string]any{"body": Props{"contentType": "html", "content": "<p>html <b>words</b></p>"}, "bodyPreview": "plain words"}, nil},
		{"html-only-preview", "Subject: h\r\nContent-Type: text/html\r\n\r\n<html><head><style>x{}</style></head><body><div>Hi&nbsp;there</div><div>second</div></body></html>",
			map[string]any{"bodyPreview": "Hi there second"}, nil}, // no-break space collapses too
		{"attachments", "Subject: a\r\nX-Priority: 1 (Highest)\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n" +
			"--m\r\nContent-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n<img src=cid:img1>\r\n" +
			"--r\r\nContent-Type: image/png\r\nContent-ID: <img1>\r\nContent-Transfer-Encoding: base64\r\n\r\naGVs\r\nbG8=\r\n--r--\r\n" +
			"--m\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0x\r\n--m--\r\n",
			map[string]any{"hasAttachments": true, "importance": "high"},
			[]Props{{"name": "ATT00001", "contentType": "image/png", "isInline": true, "contentId": "img1", "size": float64(5)},
				{"name": "résumé.pdf", "contentType": "application/pdf", "isInline": false, "contentId": nil, "size": float64(6)}}},
		{"inline-only", "Subject: i\r\nImportance: Low\r\nContent-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\nx\r\n" +
			"--r\r\nContent-Type: image/gif; name=\"=?utf-8?b?bG9nb+KEoi5naWY=?=\"\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\nR0lG\r\n--r--\r\n",
			map[string]any{"hasAttachments": false, "importance": "low"},
			[]Props{{"name": "logo™.gif", "contentType": "image/gif", "isInline": true, "contentId": nil, "size": float64(3)}}},
		{"received", "Received: from mx (mx.test) by mbx; Wed, 5 Mar 2025 08:00:00 +0000\r\nReceived: from a by b; Wed, 5 Mar 2025 07:00:00 +0000\r\n" +
			"Date: Wed, 5 Mar 2025 06:59:00 +0000\r\nSubject: r\r\n\r\n.",
			map[string]any{"receivedDateTime": "2025-03-05T08:00:00Z", "sentDateTime": "2025-03-05T06:59:00Z"}, nil},
		{"item-attachment", "Subject: fwd\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nsee below\r\n" +
			"--z\r\nContent-Type: message/rfc822\r\n\r\nSubject: the original\r\nFrom: o@x.test\r\n\r\nold body\r\n--z--\r\n",
			map[string]any{"hasAttachments": true},
			[]Props{{"name": "the original", "contentType": "message/rfc822", "isInline": false, "contentId": nil, "size": float64(49)}}},
		{"latin1-quoted-printable", "Subject: q\r\nContent-Type: text/plain; charset=\"ISO-8859-1\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nna=EFve soft=\r\nbreak",
			map[string]any{"body": Props{"contentType": "text", "content": "naïve softbreak"}}, nil},
		{"broken-quoted-printable-kept", "Subject: q\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n100=% sure =ZZ",
			map[string]any{"body": Props{"contentType": "text", "content": "100=% sure =ZZ"}}, nil},
		{"windows-1252", "Subject: w\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\x93quoted\x94 \x80",
			map[string]any{"body": Props{"contentType": "text", "content": "“quoted” €"}}, nil},
		{"header-only", "Subject: only a header\r\n",
			map[string]any{"subject": "only a header", "body": Props{"contentType": "text", "content": ""}, "hasAttachments": false, "from": nil}, nil},
		{"lf-only-and-leading-blank-lines", "\n\nSubject: lf\nFrom: x@y.test\n\nbody\n",
			map[string]any{"subject": "lf", "body": Props{"contentType": "text", "content": "body\n"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props, atts, err := ParseMIME(strings.NewReader(tc.in))
			if err != nil {
				t.Fatalf("ParseMIME: %v", err)
			}
			if err := checkJSONValue("props", props); err != nil {
				t.Error(err)
			}
			for k, want := range tc.want {
				if got, w := string(mustJSON(t, props[k])), string(mustJSON(t, want)); got != w {
					t.Errorf("%s = %s, want %s", k, got, w)
				}
			}
			if len(atts) != len(tc.atts) {
				t.Fatalf("%d attachments, want %d", len(atts), len(tc.atts))
			}
			for i, want := range tc.atts {
				for k, v := range want {
					if got := atts[i].Props[k]; got != v {
						t.Errorf("attachment %d: %s = %#v, want %#v", i, k, got, v)
					}
				}
				if atts[i].Content.Size() != int64(want["size"].(float64)) {
					t.Errorf("attachment %d: %d content bytes, size says %v", i, atts[i].Content.Size(), want["size"])
				}
			}
		})
	}
}

func TestParseMIMEErrors(t *testing.T) {
	nested := "Subject: deep\r\n"
	for i := 0; i < 25; i++ {
		nested += fmt.Sprintf("Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "empty message"},
		{"blank", " \r\n\r\n", "empty message"},
		{"not-a-header", "hello world\r\n\r\nbody", "header"},
		{"no-header-fields", "\x00\r\n\r\nbody", "header"},
		{"no-boundary", "Subject: x\r\nContent-Type: multipart/mixed\r\n\r\n--b\r\n", "without a boundary"},
		{"no-parts", "Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\nno delimiter anywhere\r\n", "multipart/mixed"},
		{"unterminated", "Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n", "unexpected EOF"},
		{"bad-base64", "Subject: x\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n", "illegal base64"},
		{"too-deep", nested, "deeper than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseMIME(strings.NewReader(tc.in))
			if !errors.Is(err, ErrBadMIME) {
				t.Fatalf("error %v, want ErrBadMIME", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}
