package restore

import (
	"bufio"
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

	"golang.org/x/text/encoding/htmlindex"
)

// A stored message is its original MIME. Graph creates a non-draft message
// only from JSON (a MIME upload makes a draft), so a restore takes the
// body and the attachments out of the MIME here and the other properties
// from the JSON sidecar.

// Limits that keep a hostile or broken message from costing unbounded
// work.
const (
	maxMIMEDepth = 20
	maxMIMEParts = 2000
	maxBodyBytes = 64 << 20 // Outlook caps a message at 150 MB in all
)

// leaf is one non-multipart entity of a message, in document order.
type leaf struct {
	index     int
	mediaType string
	params    map[string]string
	header    textproto.MIMEHeader
	related   bool // inside multipart/related
	alt       bool // inside multipart/alternative
	body      io.Reader
}

// walkMIME parses a message and calls fn for each leaf entity with its
// body decoded from its transfer encoding. fn need not read the body.
func walkMIME(r io.Reader, fn func(l *leaf) error) (mail.Header, error) {
	msg, err := mail.ReadMessage(bufio.NewReaderSize(r, 32<<10))
	if err != nil {
		return nil, fmt.Errorf("parse message header: %w", err)
	}
	n := 0
	var walk func(h textproto.MIMEHeader, body io.Reader, depth int, related, alt bool) error
	walk = func(h textproto.MIMEHeader, body io.Reader, depth int, related, alt bool) error {
		mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
		if err != nil || mt == "" {
			mt, params = "text/plain", map[string]string{}
		}
		if strings.HasPrefix(mt, "multipart/") && params["boundary"] != "" && depth < maxMIMEDepth {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return fmt.Errorf("parse %s: %w", mt, err)
				}
				err = walk(p.Header, p, depth+1, related || mt == "multipart/related", mt == "multipart/alternative")
				if err != nil {
					return err
				}
			}
		}
		if n >= maxMIMEParts {
			return fmt.Errorf("more than %d MIME parts", maxMIMEParts)
		}
		l := &leaf{index: n, mediaType: mt, params: params, header: h, related: related, alt: alt,
			body: decodeTransfer(h.Get("Content-Transfer-Encoding"), body)}
		n++
		return fn(l)
	}
	if err := walk(textproto.MIMEHeader(msg.Header), msg.Body, 0, false, false); err != nil {
		return nil, err
	}
	return msg.Header, nil
}

// decodeTransfer undoes a Content-Transfer-Encoding. (multipart.Reader
// already decodes quoted-printable parts and drops their header.)
func decodeTransfer(enc string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Filter{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// base64Filter drops everything that is not base64 alphabet or padding:
// line breaks, spaces, and the stray characters some mailers add, which
// would make encoding/base64 fail.
type base64Filter struct{ r io.Reader }

func (f *base64Filter) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for empty := 0; ; empty++ {
		if empty > 100 {
			return 0, io.ErrNoProgress
		}
		n, err := f.r.Read(p)
		j := 0
		for _, b := range p[:n] {
			if b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '=' {
				p[j] = b
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// attachment is an attachment of a stored message.
type attachment struct {
	index       int // the leaf index, to find it again
	name        string
	contentType string
	contentID   string
	inline      bool
	size        int64
	data        []byte // held for small attachments only
}

// parsedMessage is what a restore takes from the MIME.
type parsedMessage struct {
	header    mail.Header
	html      string
	text      string
	hasHTML   bool
	hasText   bool
	inline    []attachment // small: sent with the create request
	deferred  []attachment // added after the message exists
	bodyBytes int64
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// charsetReader converts text in a named charset to UTF-8.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	cs := strings.ToLower(strings.TrimSpace(charset))
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q", charset)
	}
	return enc.NewDecoder().Reader(r), nil
}

// decodeWords decodes RFC 2047 encoded words, keeping the raw text when
// they are broken.
func decodeWords(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

// isAttachmentLeaf classifies a leaf: attachments have a file name or an
// attachment disposition, or are not text; the first text/html and
// text/plain entities are the body.
func leafAttachment(l *leaf) (a attachment, ok bool) {
	disp, dparams, _ := mime.ParseMediaType(l.header.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = l.params["name"]
	}
	name = decodeWords(name)
	cid := strings.TrimSpace(l.header.Get("Content-Id"))
	cid = strings.TrimSuffix(strings.TrimPrefix(cid, "<"), ">")
	text := l.mediaType == "text/plain" || l.mediaType == "text/html"
	if disp != "attachment" && name == "" && text {
		return attachment{}, false
	}
	if name == "" {
		name = defaultName(l)
	}
	return attachment{index: l.index, name: name, contentType: l.mediaType, contentID: cid,
		inline: disp == "inline" && cid != "" || disp == "" && cid != "" && l.related}, true
}

func defaultName(l *leaf) string {
	if l.mediaType == "message/rfc822" {
		return "message.eml"
	}
	ext := ""
	if exts, _ := mime.ExtensionsByType(l.mediaType); len(exts) > 0 {
		ext = exts[0]
	}
	return fmt.Sprintf("attachment%d%s", l.index+1, ext)
}

// parseMessage reads a stored message: its body, its small attachments
// (up to inlineAttachmentBudget bytes in all) and the positions and sizes
// of the rest, which are streamed later by streamAttachments.
func parseMessage(r io.Reader) (*parsedMessage, error) {
	pm := &parsedMessage{}
	var budget = inlineAttachmentBudget
	h, err := walkMIME(r, func(l *leaf) error {
		a, isAtt := leafAttachment(l)
		if !isAtt {
			if (l.mediaType == "text/html" && pm.hasHTML) || (l.mediaType == "text/plain" && pm.hasText) {
				if l.alt {
					return nil // another alternative of the body
				}
				a, isAtt = attachment{index: l.index, name: defaultName(l), contentType: l.mediaType}, true
			}
		}
		if !isAtt {
			s, err := readText(l)
			if err != nil {
				return err
			}
			pm.bodyBytes += int64(len(s))
			if l.mediaType == "text/html" {
				pm.html, pm.hasHTML = s, true
			} else {
				pm.text, pm.hasText = s, true
			}
			return nil
		}
		// Read up to the budget; beyond it only count.
		buf, err := io.ReadAll(io.LimitReader(l.body, budget+1))
		if err != nil {
			return fmt.Errorf("read attachment %q: %w", a.name, err)
		}
		if int64(len(buf)) <= budget {
			a.data, a.size = buf, int64(len(buf))
			budget -= a.size
			pm.inline = append(pm.inline, a)
			return nil
		}
		rest, err := io.Copy(io.Discard, l.body)
		if err != nil {
			return fmt.Errorf("read attachment %q: %w", a.name, err)
		}
		a.size = int64(len(buf)) + rest
		pm.deferred = append(pm.deferred, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	pm.header = h
	return pm, nil
}

// readText reads a body part and converts it to UTF-8.
func readText(l *leaf) (string, error) {
	r, err := charsetReader(l.params["charset"], l.body)
	if err != nil {
		r = l.body // keep the bytes; Graph will see what it sees
	}
	b, err := io.ReadAll(io.LimitReader(r, maxBodyBytes+1))
	if err != nil {
		return "", fmt.Errorf("read %s body: %w", l.mediaType, err)
	}
	if len(b) > maxBodyBytes {
		return "", errors.New("message body larger than 64 MiB")
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

// streamAttachments parses the message again and calls fn with the
// decoded content of each wanted attachment, in document order.
func streamAttachments(r io.Reader, want []attachment, fn func(a attachment, body io.Reader) error) error {
	byIndex := map[int]attachment{}
	for _, a := range want {
		byIndex[a.index] = a
	}
	_, err := walkMIME(r, func(l *leaf) error {
		a, ok := byIndex[l.index]
		if !ok {
			return nil
		}
		delete(byIndex, l.index)
		return fn(a, io.LimitReader(l.body, a.size))
	})
	if err == nil && len(byIndex) > 0 {
		err = fmt.Errorf("%d attachments not found when reading the message again", len(byIndex))
	}
	return err
}
