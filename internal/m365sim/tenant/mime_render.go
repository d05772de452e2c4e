package tenant

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"
)

// RenderMIME writes m as an RFC 5322 message, as Graph's
// GET /messages/{id}/$value returns it.
//
// A message created from MIME (m.MIME set) is written verbatim, byte for
// byte. Otherwise the MIME is rendered from m.Props and m.Attachments:
// From, To, Cc, Bcc, Reply-To, Subject (RFC 2047 when needed), Date (from
// sentDateTime), Message-ID, In-Reply-To and References (from the MAPI
// extended properties "String 0x1042" and "String 0x1039"), importance;
// an HTML body becomes multipart/alternative with a derived text part,
// inline attachments join it in multipart/related, and other attachments
// make it multipart/mixed, base64-encoded. Text goes out as UTF-8
// quoted-printable, with every line break (LF, CR, CRLF) written as CRLF
// as RFC 5322 requires. Attachment content streams from
// its Blob, so memory stays flat for any message size. The output is
// deterministic: boundaries derive from the internetMessageId and never
// from the message's (move-dependent) id.
//
// RenderMIME reads m without locking; the caller holds the tenant's read
// lock or owns m. Errors come from w.
func RenderMIME(w io.Writer, m *Message) error {
	if m.MIME != nil {
		if _, err := io.Copy(w, Reader(m.MIME)); err != nil {
			return fmt.Errorf("render mime: %w", err)
		}
		return nil
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	r := &renderer{w: bw, m: m, key: boundaryKey(m)}
	r.message()
	if r.err == nil {
		r.err = bw.Flush()
	}
	if r.err != nil {
		return fmt.Errorf("render mime: %w", r.err)
	}
	return nil
}

// boundaryKey is the stable identity boundaries derive from.
func boundaryKey(m *Message) string {
	if id, _ := m.Props["internetMessageId"].(string); id != "" {
		return id
	}
	return m.ImmutableID
}

// renderer writes one message; the first write error sticks and stops
// further output.
type renderer struct {
	w   *bufio.Writer
	m   *Message
	key string
	err error
}

func (r *renderer) write(s string) {
	if r.err == nil {
		_, r.err = r.w.WriteString(s)
	}
}

func (r *renderer) header(name, value string) {
	if value != "" {
		r.write(name + ": " + value + "\r\n")
	}
}

// entity is a MIME entity: its own header fields and a body writer.
type entity struct {
	header [][2]string
	body   func()
}

func (r *renderer) message() {
	p := r.m.Props
	r.header("From", addressList("From", []any{p["from"]}))
	if s, ok := p["sender"].(map[string]any); ok && recipientAddress(s) != recipientAddress(p["from"]) {
		r.header("Sender", recipientAddress(s))
	}
	r.header("To", addressList("To", p["toRecipients"]))
	r.header("Cc", addressList("Cc", p["ccRecipients"]))
	r.header("Bcc", addressList("Bcc", p["bccRecipients"]))
	r.header("Reply-To", addressList("Reply-To", p["replyTo"]))
	if s, _ := p["subject"].(string); s != "" {
		r.header("Subject", unstructured("Subject", s))
	}
	if ci, _ := p["conversationIndex"].(string); ci != "" {
		r.header("Thread-Index", sanitizeHeader(ci))
	}
	if d, ok := messageDate(p); ok {
		r.header("Date", d.Format("Mon, 2 Jan 2006 15:04:05 -0700"))
	}
	if id, _ := p["internetMessageId"].(string); id != "" {
		r.header("Message-ID", sanitizeHeader(id))
	}
	r.header("In-Reply-To", sanitizeHeader(r.m.ExtProps[extInReplyTo]))
	r.header("References", foldAtSpaces(len("References: "), sanitizeHeader(r.m.ExtProps[extReferences])))
	switch imp, _ := p["importance"].(string); imp {
	case "high":
		r.header("Importance", "high")
		r.header("X-Priority", "1")
	case "low":
		r.header("Importance", "low")
		r.header("X-Priority", "5")
	}
	if has, _ := p["hasAttachments"].(bool); has {
		r.header("X-MS-Has-Attach", "yes")
	}
	e := r.tree()
	for _, h := range e.header {
		r.header(h[0], h[1])
	}
	r.header("MIME-Version", "1.0")
	r.write("\r\n")
	e.body()
}

// messageDate returns the Date header's time: sentDateTime, else
// receivedDateTime, else createdDateTime.
func messageDate(p Props) (time.Time, bool) {
	for _, k := range []string{"sentDateTime", "receivedDateTime", "createdDateTime"} {
		if s, _ := p[k].(string); s != "" {
			if t, err := time.Parse(time.RFC3339, s); err == nil {
				return t.UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// tree builds the body structure: alternative (or a single text part),
// wrapped in related for inline attachments and mixed for the others.
func (r *renderer) tree() entity {
	body, _ := r.m.Props["body"].(map[string]any)
	content, _ := body["content"].(string)
	content = validUTF8(content)
	var e entity
	if typ, _ := body["contentType"].(string); strings.EqualFold(typ, "html") {
		e = r.multipart("alternative", 2, nil,
			r.textPart("plain", htmlToText(content)), r.textPart("html", content))
	} else {
		e = r.textPart("plain", content)
	}
	var inline, attached []entity
	for _, a := range r.m.Attachments {
		isInline, _ := a.Props["isInline"].(bool)
		switch {
		case a.Kind == "reference":
			continue // a link; Exchange renders no MIME part for it
		case isInline && a.Kind != "item":
			inline = append(inline, r.attachmentPart(a, true))
		default:
			attached = append(attached, r.attachmentPart(a, false))
		}
	}
	if len(inline) > 0 {
		e = r.multipart("related", 1, []param{{"type", "multipart/alternative"}}, append([]entity{e}, inline...)...)
	}
	if len(attached) > 0 {
		e = r.multipart("mixed", 0, nil, append([]entity{e}, attached...)...)
	}
	return e
}

// multipart returns a multipart entity; level makes nested boundaries
// distinct.
func (r *renderer) multipart(sub string, level int, params []param, parts ...entity) entity {
	boundary := fmt.Sprintf("_%03d_%016X%08X_", level, SeedOf(r.key, level), uint32(SeedOf(r.key, "b", level)))
	ct := "multipart/" + sub + "; boundary=\"" + boundary + "\""
	for _, p := range params {
		ct += "; " + p.key + "=" + quoteParam(p.value)
	}
	return entity{
		header: [][2]string{{"Content-Type", ct}},
		body: func() {
			for _, p := range parts {
				r.write("--" + boundary + "\r\n")
				for _, h := range p.header {
					r.header(h[0], h[1])
				}
				r.write("\r\n")
				p.body()
				r.write("\r\n")
			}
			r.write("--" + boundary + "--\r\n")
		},
	}
}

// textPart returns a quoted-printable UTF-8 text part.
func (r *renderer) textPart(sub, text string) entity {
	return entity{
		header: [][2]string{
			{"Content-Type", "text/" + sub + "; charset=\"utf-8\""},
			{"Content-Transfer-Encoding", "quoted-printable"},
		},
		body: func() {
			if r.err != nil {
				return
			}
			qp := quotedprintable.NewWriter(r.w)
			if _, r.err = io.WriteString(qp, text); r.err == nil {
				r.err = qp.Close()
			}
		},
	}
}

// attachmentPart returns a file attachment as a base64 part streamed from
// its Blob, or an item attachment as message/rfc822.
func (r *renderer) attachmentPart(a *Attachment, inline bool) entity {
	name, _ := a.Props["name"].(string)
	ct, _ := a.Props["contentType"].(string)
	if mt, _, err := mime.ParseMediaType(ct); err != nil || !strings.Contains(mt, "/") {
		ct = "application/octet-stream"
	} else {
		ct = mt
	}
	disp := "attachment"
	if inline {
		disp = "inline"
	}
	dparams := []param{{"filename", name}}
	if a.Content != nil {
		dparams = append(dparams, param{"size", fmt.Sprint(a.Content.Size())})
	}
	if s, _ := a.Props["lastModifiedDateTime"].(string); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			d := t.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
			dparams = append(dparams, param{"creation-date", d}, param{"modification-date", d})
		}
	}
	if a.Kind == "item" {
		ct = "message/rfc822"
	}
	e := entity{header: [][2]string{
		{"Content-Type", paramHeader(ct, param{"name", name})},
		{"Content-Description", unstructured("Content-Description", name)},
		{"Content-Disposition", paramHeader(disp, dparams...)},
	}}
	if cid, _ := a.Props["contentId"].(string); cid != "" {
		e.header = append(e.header, [2]string{"Content-ID", "<" + sanitizeHeader(strings.Trim(cid, "<>")) + ">"})
	}
	if a.Kind == "item" {
		e.body = func() { r.copyBlob(r.w, a.Content) }
		return e
	}
	e.header = append(e.header, [2]string{"Content-Transfer-Encoding", "base64"})
	e.body = func() {
		lb := &lineBreaker{w: r.w}
		enc := base64.NewEncoder(base64.StdEncoding, lb)
		r.copyBlob(enc, a.Content)
		if r.err == nil {
			r.err = enc.Close()
		}
		if r.err == nil {
			r.err = lb.end()
		}
	}
	return e
}

func (r *renderer) copyBlob(w io.Writer, b Blob) {
	if r.err != nil || b == nil {
		return
	}
	_, r.err = io.CopyBuffer(w, Reader(b), make([]byte, 48<<10))
}

// lineBreaker breaks base64 output into 76-character lines (RFC 2045).
type lineBreaker struct {
	w   io.Writer
	col int
}

const base64Line = 76

func (l *lineBreaker) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(len(p), base64Line-l.col)
		if _, err := l.w.Write(p[:k]); err != nil {
			return n, err
		}
		n += k
		l.col += k
		p = p[k:]
		if l.col == base64Line {
			if _, err := io.WriteString(l.w, "\r\n"); err != nil {
				return n, err
			}
			l.col = 0
		}
	}
	return n, nil
}

// end terminates a partial last line.
func (l *lineBreaker) end() error {
	if l.col == 0 {
		return nil
	}
	l.col = 0
	_, err := io.WriteString(l.w, "\r\n")
	return err
}
