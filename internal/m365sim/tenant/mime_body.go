package tenant

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// previewLen is the length of Graph's bodyPreview, in characters.
// https://learn.microsoft.com/graph/api/resources/message ("The first 255
// characters of the message body. It is in text format.")
const previewLen = 255

// bodyPreview returns the first 255 characters of text with runs of white
// space collapsed, as Outlook shows it in a message list.
func bodyPreview(text string) string {
	var b strings.Builder
	n := 0
	space := false
	for _, c := range text {
		if unicode.IsSpace(c) {
			space = b.Len() > 0
			continue
		}
		if space {
			if n++; n > previewLen {
				break
			}
			b.WriteByte(' ')
			space = false
		}
		if n++; n > previewLen {
			break
		}
		b.WriteRune(c)
	}
	return b.String()
}

// blockTags end a line when they open or close.
var blockTags = map[string]bool{
	"br": true, "div": true, "p": true, "tr": true, "li": true, "hr": true, "table": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true,
}

// htmlToText renders an HTML body as plain text lines joined by CRLF: tags
// are dropped, block elements end lines, head, style and script content is
// skipped, entities are decoded and white space collapses as a browser
// would collapse it. It accepts any input, well-formed or not.
func htmlToText(s string) string {
	var lines []string
	var line strings.Builder
	skip := "" // closing tag we are skipping to, e.g. "style"
	flush := func() {
		lines = append(lines, strings.TrimSpace(html.UnescapeString(line.String())))
		line.Reset()
	}
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			lt = len(s)
		}
		if skip == "" {
			appendCollapsed(&line, s[:lt])
		}
		s = s[lt:]
		if s == "" {
			break
		}
		gt := strings.IndexByte(s, '>')
		if gt < 0 {
			if skip == "" {
				appendCollapsed(&line, s)
			}
			break
		}
		name, closing := tagName(s[1:gt])
		s = s[gt+1:]
		switch {
		case skip != "":
			if closing && name == skip {
				skip = ""
			}
		case !closing && (name == "head" || name == "style" || name == "script" || name == "title"):
			skip = name
		case blockTags[name]:
			flush()
		}
	}
	flush()
	// Drop leading and trailing blank lines and squeeze runs of them.
	var out []string
	for _, l := range lines {
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\r\n")
}

// tagName returns the lower-case element name of a tag's inner text and
// whether it is a closing tag.
func tagName(inner string) (string, bool) {
	closing := strings.HasPrefix(inner, "/")
	inner = strings.TrimPrefix(inner, "/")
	end := strings.IndexFunc(inner, func(r rune) bool { return unicode.IsSpace(r) || r == '/' })
	if end >= 0 {
		inner = inner[:end]
	}
	return strings.ToLower(inner), closing
}

// appendCollapsed appends text with every run of white space (including
// the source's own line breaks) turned into one space.
func appendCollapsed(b *strings.Builder, text string) {
	space := false
	for _, c := range text {
		if unicode.IsSpace(c) {
			space = true
			continue
		}
		if space {
			spaceOnce(b)
		}
		space = false
		b.WriteRune(c)
	}
	if space {
		spaceOnce(b)
	}
}

// spaceOnce appends a space unless b is empty or already ends with one.
func spaceOnce(b *strings.Builder) {
	if b.Len() > 0 && !strings.HasSuffix(b.String(), " ") {
		b.WriteByte(' ')
	}
}

// validUTF8 returns s with invalid byte sequences replaced by U+FFFD, so
// that Props always hold valid JSON strings.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
