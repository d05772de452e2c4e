package export

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes is the longest path element written: the limit of ext4,
// XFS, APFS and NTFS (which counts UTF-16 units; 255 bytes of UTF-8 are
// never more than 255 of them).
const MaxNameBytes = 255

// reservedWindows are names Windows refuses for a file, with any
// extension.
var reservedWindows = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true}

// SanitizeName makes s usable as one file name on Linux, macOS and
// Windows and in a zip archive: valid UTF-8; no control characters and
// none of / \ : * ? " < > | (each becomes _); no trailing dots or spaces;
// not empty, ".", ".." or a reserved Windows device name; and at most
// MaxNameBytes bytes, shortened before its extension (ext, e.g. ".eml",
// is kept, and so is the extension of s when it is short) at a character
// boundary. Emoji and other printable characters are kept. It is
// idempotent.
func SanitizeName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteByte('_')
		case strings.ContainsRune(`/\:*?"<>|`, r):
			b.WriteByte('_')
		case unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	s = strings.TrimSpace(b.String())
	s = strings.TrimRight(s, ". ")
	if s == "" {
		s = "_"
	}
	stem, ext := splitExt(s)
	if reservedWindows[strings.ToUpper(stem)] {
		s = "_" + s
		stem = "_" + stem
	}
	if len(s) > MaxNameBytes {
		s = truncateUTF8(stem, MaxNameBytes-len(ext)) + ext
		s = strings.TrimRight(s, ". ")
	}
	return s
}

// splitExt splits a short extension (at most 16 bytes, no spaces) off s.
func splitExt(s string) (stem, ext string) {
	ext = path.Ext(s)
	if ext == s || len(ext) > 16 || strings.ContainsAny(ext, " ") {
		return s, ""
	}
	return strings.TrimSuffix(s, ext), ext
}

// truncateUTF8 cuts s to at most n bytes at a character boundary, and
// without leaving a trailing space or dot.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.TrimRight(s[:n], ". ")
}

// namer gives each output directory's entries unique names. Names are
// compared case-insensitively, because macOS and Windows file systems
// are. It is not safe for concurrent use.
type namer struct {
	used map[string]map[string]bool // dir -> lower-cased names
}

func newNamer() *namer { return &namer{used: map[string]map[string]bool{}} }

// name returns a unique name in dir for name (sanitized already, with ext
// as its extension): name itself, else "stem (2)ext", "stem (3)ext", …,
// shortened to fit MaxNameBytes.
func (n *namer) name(dir, name, ext string) string {
	u := n.used[dir]
	if u == nil {
		u = map[string]bool{}
		n.used[dir] = u
	}
	stem := strings.TrimSuffix(name, ext)
	cand := name
	for i := 2; u[strings.ToLower(cand)]; i++ {
		suffix := fmt.Sprintf(" (%d)", i)
		cand = truncateUTF8(stem, MaxNameBytes-len(suffix)-len(ext)) + suffix + ext
	}
	u[strings.ToLower(cand)] = true
	return cand
}

// join adds a unique, sanitized element name (with extension ext) under
// dir and returns the path.
func (n *namer) join(dir, name, ext string) string {
	clean := SanitizeName(name + ext)
	if ext != "" && !strings.HasSuffix(clean, ext) {
		ext = ""
	}
	return path.Join(dir, n.name(dir, clean, ext))
}

// sanitizePath sanitizes each element of a slash-separated path.
func sanitizePath(p string) string {
	if p == "" {
		return ""
	}
	parts := strings.Split(p, "/")
	for i, e := range parts {
		parts[i] = SanitizeName(e)
	}
	return strings.Join(parts, "/")
}
