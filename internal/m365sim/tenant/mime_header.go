package tenant

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Header encoding for RenderMIME (RFC 5322 folding, RFC 2047 encoded
// words, RFC 2231 parameters).

// maxEncodedWord is RFC 2047's limit on one encoded word.
const maxEncodedWord = 75

// foldWidth is where RenderMIME folds structured headers; RFC 5322
// recommends lines of at most 78 characters.
const foldWidth = 78

// sanitizeHeader removes what cannot appear in an unstructured header
// value: line breaks and other control characters become spaces, invalid
// UTF-8 becomes U+FFFD.
func sanitizeHeader(s string) string {
	s = validUTF8(s)
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// plainSafe reports whether s survives as a raw header value: printable
// ASCII, no runs of spaces or edge spaces (unfolding would change them),
// nothing that looks like an encoded word, and short enough to fold.
func plainSafe(s string) bool {
	if len(s) > 900 || strings.Contains(s, "=?") || strings.Contains(s, "  ") ||
		strings.TrimSpace(s) != s {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// unstructured returns an unstructured header value (Subject): raw and
// folded at spaces when plainSafe, else RFC 2047 Q-encoded words on
// folded lines. Decoding the result gives back s exactly.
func unstructured(name, s string) string {
	s = sanitizeHeader(s)
	if plainSafe(s) {
		return foldAtSpaces(len(name)+2, s)
	}
	return strings.Join(encodeWords(s), "\r\n ")
}

// foldAtSpaces inserts CRLF before single spaces so lines stay near
// foldWidth; start is the length already on the first line.
func foldAtSpaces(start int, s string) string {
	var b strings.Builder
	col := start
	for i, w := range strings.Split(s, " ") {
		if i > 0 {
			if col+1+len(w) > foldWidth {
				b.WriteString("\r\n ")
				col = 1
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}

// encodeWords Q-encodes s as UTF-8 encoded words of at most 75
// characters, never splitting a character.
func encodeWords(s string) []string {
	const prefix, suffix = "=?utf-8?q?", "?="
	var out []string
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range s {
		var enc string
		switch {
		case r == ' ':
			enc = "_"
		case r < utf8.RuneSelf && (isAlnum(byte(r)) || strings.ContainsRune("!*+-/", r)):
			enc = string(r)
		default:
			var buf [utf8.UTFMax]byte
			n := utf8.EncodeRune(buf[:], r)
			var e strings.Builder
			for _, c := range buf[:n] {
				fmt.Fprintf(&e, "=%02X", c)
			}
			enc = e.String()
		}
		if b.Len()+len(enc)+len(suffix) > maxEncodedWord && b.Len() > len(prefix) {
			b.WriteString(suffix)
			out = append(out, b.String())
			b.Reset()
			b.WriteString(prefix)
		}
		b.WriteString(enc)
	}
	b.WriteString(suffix)
	return append(out, b.String())
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// addressList formats Graph recipients ([{"emailAddress":{name,address}}])
// as a folded address list; recipients without an address are skipped.
func addressList(name string, v any) string {
	list, _ := v.([]any)
	var b strings.Builder
	col := len(name) + 2
	for _, item := range list {
		a := recipientAddress(item)
		if a == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
			col++
			if col+1+len(a) > foldWidth {
				b.WriteString("\r\n")
				col = 0
			}
			b.WriteByte(' ')
			col++
		}
		b.WriteString(a)
		col += len(a)
	}
	return b.String()
}

// recipientAddress formats one Graph recipient, encoding a non-ASCII
// display name (net/mail does RFC 2047 for it).
func recipientAddress(v any) string {
	r, _ := v.(map[string]any)
	ea, _ := r["emailAddress"].(map[string]any)
	addr, _ := ea["address"].(string)
	name, _ := ea["name"].(string)
	addr = strings.TrimSpace(sanitizeHeader(addr))
	if addr == "" {
		return ""
	}
	name = strings.TrimSpace(sanitizeHeader(name))
	if name == addr {
		name = ""
	}
	return (&mail.Address{Name: name, Address: addr}).String()
}

// param is one MIME header parameter; params keep their order so the
// output is deterministic.
type param struct{ key, value string }

// paramHeader formats "value; key=..." with RFC 2231 continuations for
// long or non-ASCII values, each parameter on its own folded line.
func paramHeader(value string, params ...param) string {
	var b strings.Builder
	b.WriteString(value)
	for _, p := range params {
		b.WriteString(";\r\n\t")
		b.WriteString(formatParam(p.key, sanitizeHeader(p.value)))
	}
	return b.String()
}

func formatParam(key, v string) string {
	simple := len(v) <= 60
	for i := 0; i < len(v) && simple; i++ {
		simple = v[i] >= 0x20 && v[i] < 0x7f
	}
	if simple {
		return key + "=" + quoteParam(v)
	}
	// RFC 2231: percent-encoded UTF-8, split into numbered sections.
	var chunks []string
	var cur strings.Builder
	cur.WriteString("utf-8''")
	for _, r := range v {
		var enc string
		if r < utf8.RuneSelf && (isAlnum(byte(r)) || strings.ContainsRune("-._~", r)) {
			enc = string(r)
		} else {
			var buf [utf8.UTFMax]byte
			n := utf8.EncodeRune(buf[:], r)
			var e strings.Builder
			for _, c := range buf[:n] {
				fmt.Fprintf(&e, "%%%02X", c)
			}
			enc = e.String()
		}
		if cur.Len()+len(enc) > 60 && cur.Len() > 0 {
			chunks = append(chunks, cur.String())
			cur.Reset()
		}
		cur.WriteString(enc)
	}
	chunks = append(chunks, cur.String())
	if len(chunks) == 1 {
		return key + "*=" + chunks[0]
	}
	parts := make([]string, len(chunks))
	for i, c := range chunks {
		parts[i] = fmt.Sprintf("%s*%d*=%s", key, i, c)
	}
	return strings.Join(parts, ";\r\n\t")
}

// quoteParam returns v as a quoted-string.
func quoteParam(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
	return b.String()
}
