package tenant

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// ErrBadMIME is wrapped by ParseMIME's errors: the input is not a message
// Graph would accept (it answers 400 Bad Request).
var ErrBadMIME = errors.New("malformed MIME")

// Limits that keep hostile input from costing unbounded work.
const (
	maxMIMEDepth = 20   // nested multiparts
	maxMIMEParts = 2000 // parts in one message
)

// ParseMIME reads an RFC 5322 message and returns the Graph message
// properties it implies and its attachments, as Exchange does when a
// message is created from MIME: subject, from, sender, toRecipients,
// ccRecipients, bccRecipients, replyTo, sentDateTime (Date),
// receivedDateTime (the newest Received header, else Date),
// internetMessageId, body (the HTML part if any, else the text part),
// bodyPreview, hasAttachments (inline parts don't count) and importance
// (Importance, X-Priority, X-MSMail-Priority, Priority).
//
// Attachments have no id; the caller assigns one. File attachments hold
// their decoded bytes as Bytes; an embedded message/rfc822 becomes an item
// attachment holding its MIME. Header-only messages are fine. Input that
// is empty, whose header does not parse, or whose multipart structure or
// transfer encoding is broken gives an error wrapping ErrBadMIME that says
// what was wrong.
func ParseMIME(r io.Reader) (Props, []*Attachment, error) {
	props, atts, _, err := parseMIME(r)
	return props, atts, err
}

// parseMIME is ParseMIME that also returns the message header.
func parseMIME(r io.Reader) (Props, []*Attachment, mail.Header, error) {
	br := bufio.NewReader(r)
	if err := skipLeadingSpace(br); err != nil {
		return nil, nil, nil, err
	}
	msg, err := mail.ReadMessage(br)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: header: %v", ErrBadMIME, err)
	}
	if len(msg.Header) == 0 {
		return nil, nil, nil, fmt.Errorf("%w: no header fields", ErrBadMIME)
	}
	p := &mimeParser{}
	props := headerProps(msg.Header)
	if s, _ := props["sentDateTime"].(string); s != "" {
		p.date, _ = time.Parse(time.RFC3339, s)
	}
	if err := p.walk(textproto.MIMEHeader(msg.Header), msg.Body, 0); err != nil {
		return nil, nil, nil, fmt.Errorf("%w: %v", ErrBadMIME, err)
	}
	body := Props{"contentType": "text", "content": p.text}
	if p.hasHTML {
		body = Props{"contentType": "html", "content": p.html}
	}
	props["body"] = body
	previewSrc := p.text
	if !p.hasText {
		previewSrc = htmlToText(p.html)
	}
	props["bodyPreview"] = bodyPreview(previewSrc)
	has := false
	for _, a := range p.atts {
		if inline, _ := a.Props["isInline"].(bool); !inline {
			has = true
		}
	}
	props["hasAttachments"] = has
	return props, p.atts, msg.Header, nil
}

// skipLeadingSpace fails on empty input; leading blank lines would
// otherwise read as an empty header.
func skipLeadingSpace(br *bufio.Reader) error {
	for {
		b, err := br.Peek(1)
		if err != nil {
			return fmt.Errorf("%w: empty message", ErrBadMIME)
		}
		if b[0] != '\r' && b[0] != '\n' && b[0] != ' ' && b[0] != '\t' {
			return nil
		}
		if _, err := br.ReadByte(); err != nil {
			return fmt.Errorf("%w: empty message", ErrBadMIME)
		}
	}
}

// headerProps maps the message header to Graph properties.
func headerProps(h mail.Header) Props {
	p := Props{
		"subject":           decodeHeader(h.Get("Subject")),
		"toRecipients":      parseRecipients(h.Get("To")),
		"ccRecipients":      parseRecipients(h.Get("Cc")),
		"bccRecipients":     parseRecipients(h.Get("Bcc")),
		"replyTo":           parseRecipients(h.Get("Reply-To")),
		"internetMessageId": validUTF8(strings.TrimSpace(h.Get("Message-Id"))),
		"importance":        importance(h),
		"from":              nil,
		"sender":            nil,
	}
	if from := parseRecipients(h.Get("From")); len(from) > 0 {
		p["from"], p["sender"] = from[0], from[0]
	}
	if s := parseRecipients(h.Get("Sender")); len(s) > 0 {
		p["sender"] = s[0]
	}
	if d, err := mail.ParseDate(h.Get("Date")); err == nil {
		p["sentDateTime"] = Timestamp(d)
		p["receivedDateTime"] = Timestamp(d)
	}
	// Received headers are prepended by each hop, so the first one is the
	// final delivery; its date follows the last ';'.
	if rcv := h["Received"]; len(rcv) > 0 {
		if i := strings.LastIndexByte(rcv[0], ';'); i >= 0 {
			if d, err := mail.ParseDate(strings.TrimSpace(rcv[0][i+1:])); err == nil {
				p["receivedDateTime"] = Timestamp(d)
			}
		}
	}
	return p
}

// importance reads the priority headers mail clients write.
func importance(h mail.Header) string {
	v := strings.ToLower(strings.TrimSpace(h.Get("Importance")))
	if v == "high" || v == "low" || v == "normal" {
		return v
	}
	if xp := strings.TrimSpace(h.Get("X-Priority")); xp != "" {
		switch xp[0] {
		case '1', '2':
			return "high"
		case '4', '5':
			return "low"
		}
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("X-Msmail-Priority"))) {
	case "high":
		return "high"
	case "low":
		return "low"
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Priority"))) {
	case "urgent":
		return "high"
	case "non-urgent":
		return "low"
	}
	return "normal"
}

// headerDecoder decodes RFC 2047 words in UTF-8, US-ASCII, ISO-8859-1 and
// Windows-1252.
var headerDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// decodeHeader decodes encoded words; a header it cannot decode is kept
// as it came.
func decodeHeader(s string) string {
	d, err := headerDecoder.DecodeHeader(s)
	if err != nil {
		d = s
	}
	return validUTF8(d)
}

// parseRecipients returns Graph recipients for an address list header; a
// list net/mail rejects is split on commas and kept as raw addresses.
func parseRecipients(v string) []any {
	out := []any{}
	if strings.TrimSpace(v) == "" {
		return out
	}
	ap := mail.AddressParser{WordDecoder: headerDecoder}
	list, err := ap.ParseList(v)
	if err != nil {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, Props{"emailAddress": Props{"name": validUTF8(s), "address": validUTF8(s)}})
			}
		}
		return out
	}
	for _, a := range list {
		name := a.Name
		if name == "" {
			name = a.Address
		}
		out = append(out, Props{"emailAddress": Props{"name": validUTF8(name), "address": validUTF8(a.Address)}})
	}
	return out
}

// mimeParser collects the body and attachments while walking the parts.
type mimeParser struct {
	text, html       string
	hasText, hasHTML bool
	atts             []*Attachment
	parts            int
	date             time.Time // the message's Date, for attachments without one
}

// walk handles one entity: multiparts recurse, the first text and HTML
// parts that are not attachments become the body, everything else is an
// attachment.
func (p *mimeParser) walk(h textproto.MIMEHeader, body io.Reader, depth int) error {
	if depth > maxMIMEDepth {
		return fmt.Errorf("multipart nesting deeper than %d", maxMIMEDepth)
	}
	if p.parts++; p.parts > maxMIMEParts {
		return fmt.Errorf("more than %d parts", maxMIMEParts)
	}
	mt, params := mediaType(h.Get("Content-Type"))
	if strings.HasPrefix(mt, "multipart/") {
		return p.multipart(mt, params, body, depth)
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	name = decodeHeader(name)
	raw, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("part %q (%s): %v", name, mt, err)
	}
	data, err := decodeTransfer(h.Get("Content-Transfer-Encoding"), raw)
	if err != nil {
		return fmt.Errorf("part %q (%s): %v", name, mt, err)
	}
	isBody := (mt == "text/plain" || mt == "text/html") && disp != "attachment" && name == ""
	switch {
	case isBody && mt == "text/html" && !p.hasHTML:
		p.html, p.hasHTML = decodeCharset(params["charset"], data), true
		return nil
	case isBody && mt == "text/plain" && !p.hasText:
		p.text, p.hasText = decodeCharset(params["charset"], data), true
		return nil
	}
	p.attachment(h, mt, disp, dparams, name, data)
	return nil
}

func (p *mimeParser) multipart(mt string, params map[string]string, body io.Reader, depth int) error {
	boundary := params["boundary"]
	if boundary == "" {
		return fmt.Errorf("%s without a boundary parameter", mt)
	}
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF { // exactly EOF: the closing delimiter was seen
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %v", mt, err)
		}
		if err := p.walk(part.Header, part, depth+1); err != nil {
			return err
		}
	}
}

// attachment records a part that is not body text.
func (p *mimeParser) attachment(h textproto.MIMEHeader, mt, disp string, dparams map[string]string, name string, data []byte) {
	cid := strings.Trim(strings.TrimSpace(h.Get("Content-Id")), "<>")
	inline := disp == "inline" || (disp == "" && cid != "")
	kind, otype := "file", "#microsoft.graph.fileAttachment"
	if mt == "message/rfc822" {
		kind, otype, inline = "item", "#microsoft.graph.itemAttachment", false
		if name == "" {
			if m, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
				name = decodeHeader(m.Header.Get("Subject"))
			}
		}
	}
	if name == "" {
		name = fmt.Sprintf("ATT%05d", len(p.atts)+1)
	}
	modified := p.date
	if d, err := mail.ParseDate(dparams["modification-date"]); err == nil {
		modified = d
	}
	props := Props{
		"@odata.type": otype,
		"name":        validUTF8(name),
		"contentType": mt,
		"size":        float64(len(data)),
		"isInline":    inline,
		"contentId":   nil,
	}
	if cid != "" && kind == "file" {
		props["contentId"] = validUTF8(cid)
	}
	if !modified.IsZero() {
		props["lastModifiedDateTime"] = Timestamp(modified)
	}
	p.atts = append(p.atts, &Attachment{Kind: kind, Props: props, Content: Bytes(data)})
}

// mediaType returns the lower-case media type and its parameters; a
// missing or unparsable Content-Type means text/plain (RFC 2045 §5.2).
func mediaType(ct string) (string, map[string]string) {
	if strings.TrimSpace(ct) == "" {
		return "text/plain", map[string]string{}
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) || !strings.Contains(mt, "/") {
		return "text/plain", map[string]string{}
	}
	return mt, params
}

// decodeTransfer undoes a Content-Transfer-Encoding. Broken base64 is an
// error; broken quoted-printable is kept as it came, as mail clients
// display it; unknown encodings pass through as 8bit.
func decodeTransfer(cte string, raw []byte) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return io.ReadAll(base64.NewDecoder(base64.StdEncoding, &blankStripper{r: bytes.NewReader(raw)}))
	case "quoted-printable":
		if data, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw))); err == nil {
			return data, nil
		}
	}
	return raw, nil
}

// blankStripper drops spaces and tabs, which some mailers leave in base64
// lines (the decoder already ignores CR and LF).
type blankStripper struct{ r io.Reader }

func (b *blankStripper) Read(p []byte) (int, error) {
	for {
		n, err := b.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			if c != ' ' && c != '\t' {
				p[k] = c
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}
