package export

import (
	"io"
	"strings"
	"unicode/utf8"
)

// Content lines of iCalendar (RFC 5545 §3.1) and vCard (RFC 6350 §3.2):
// NAME;PARAM=VALUE:value, ended by CRLF, folded to lines of at most 75
// octets by CRLF and one space, never inside a UTF-8 sequence.

// lineWriter writes content lines; the first error sticks.
type lineWriter struct {
	w   io.Writer
	err error
}

// line writes name (with its parameters) and an already escaped value.
func (l *lineWriter) line(name, value string) {
	if l.err != nil {
		return
	}
	_, l.err = io.WriteString(l.w, fold(name+":"+value))
}

// text writes a TEXT value, escaped; an empty value is left out.
func (l *lineWriter) text(name, value string) {
	if value != "" {
		l.line(name, escapeText(value))
	}
}

// fold folds one content line and adds its CRLF.
func fold(s string) string {
	const limit = 75
	if len(s) <= limit {
		return s + "\r\n"
	}
	var b strings.Builder
	width := limit // the first line has 75 octets; the others a space and 74
	for len(s) > width {
		n := width
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		b.WriteString(s[:n])
		b.WriteString("\r\n ")
		s = s[n:]
		width = limit - 1
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}

// escapeText escapes a TEXT value: backslash, semicolon, comma and
// newlines (RFC 5545 §3.3.11, RFC 6350 §3.4). Other control characters
// are not allowed in content lines and are dropped.
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n', '\r':
			b.WriteString(`\n`)
		case '\t':
			b.WriteByte(' ')
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// paramValue quotes a parameter value (a name in CN=…) when it holds
// characters that end a parameter; DQUOTE itself cannot be quoted and is
// replaced (RFC 6868's ^' escape is not widely read).
func paramValue(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
	if strings.ContainsAny(s, ";:,") {
		return `"` + s + `"`
	}
	return s
}
