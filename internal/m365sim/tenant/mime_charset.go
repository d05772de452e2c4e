package tenant

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Charsets: UTF-8 and US-ASCII pass through; ISO-8859-1 and Windows-1252,
// the commonest legacy ones in Western mail, are converted. Other
// charsets are not decoded (golang.org/x/text is not a dependency); their
// bytes are kept with invalid UTF-8 replaced.

// cp1252High maps Windows-1252 bytes 0x80-0x9F; the rest of the charset
// equals ISO-8859-1. Zero marks the five undefined bytes.
var cp1252High = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// singleByte returns the decoding table kind for a charset name: "latin1",
// "cp1252", "utf8" (also for ASCII and unlabelled text) or "" (unknown).
func singleByte(charset string) string {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"`)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return "utf8"
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1":
		return "latin1"
	case "windows-1252", "cp1252", "x-cp1252":
		return "cp1252"
	}
	return ""
}

// decodeCharset converts text in charset to a valid UTF-8 string.
func decodeCharset(charset string, data []byte) string {
	kind := singleByte(charset)
	if kind != "latin1" && kind != "cp1252" {
		return validUTF8(string(data))
	}
	var b strings.Builder
	b.Grow(len(data))
	for _, c := range data {
		r := rune(c)
		if kind == "cp1252" && c >= 0x80 && c < 0xa0 {
			if r = cp1252High[c-0x80]; r == 0 {
				r = utf8.RuneError
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// charsetReader is mime.WordDecoder's hook for charsets other than UTF-8,
// US-ASCII and ISO-8859-1.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	kind := singleByte(charset)
	if kind == "" {
		return nil, fmt.Errorf("unhandled charset %q", charset)
	}
	data, err := io.ReadAll(input)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader([]byte(decodeCharset(charset, data))), nil
}
