package catalog

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// ErrBadQuery is wrapped by the errors of ParseDate and Find for query
// input that cannot be used.
var ErrBadQuery = errors.New("bad query")

// dateLayouts are the forms ParseDate accepts, zoned ones first.
var dateLayouts = []struct {
	layout string
	zoned  bool
}{
	{time.RFC3339Nano, true},
	{"2006-01-02", false},
	{"2006-01-02T15:04", false},
	{"2006-01-02T15:04:05", false},
	{"2006-01-02 15:04", false},
	{"2006-01-02 15:04:05", false},
}

// ParseDate parses a date given on the command line: YYYY-MM-DD (midnight
// in loc), YYYY-MM-DDTHH:MM[:SS] (in loc), or RFC 3339 with a zone
// (2025-03-14T09:30:00Z, …+01:00).
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		var t time.Time
		var err error
		if l.zoned {
			t, err = time.Parse(l.layout, s)
		} else {
			t, err = time.ParseInLocation(l.layout, s, loc)
		}
		if err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: date %q: want YYYY-MM-DD, YYYY-MM-DDTHH:MM or RFC 3339 (2025-03-14T09:30:00Z)", ErrBadQuery, s)
}

// words splits s into the words the full-text index knows: runs of
// letters, digits and combining marks that hold at least one letter or
// digit. Everything else separates words, as in FTS5's unicode61
// tokenizer.
func words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r)
	}) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0 {
			out = append(out, w)
		}
	}
	return out
}

// ftsString quotes s as an FTS5 string.
func ftsString(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// matchExpr builds the FTS5 MATCH expression for the text filters of q,
// "" when it has none. Words of the subject or name each match as a word
// prefix, anywhere in the name; sender and recipients match as a phrase
// whose last word is a prefix.
func (q Query) matchExpr() (string, error) {
	var parts []string
	for _, f := range []struct{ flag, value, column string }{
		{"subject", q.Subject, "name"}, {"name", q.Name, "name"},
		{"from", q.From, "sender"}, {"to", q.To, "recipients"},
	} {
		if f.value == "" {
			continue
		}
		ws := words(f.value)
		if len(ws) == 0 {
			return "", fmt.Errorf("%w: --%s %q has no letters or digits to search for", ErrBadQuery, f.flag, f.value)
		}
		if f.column == "name" {
			terms := make([]string, len(ws))
			for i, w := range ws {
				terms[i] = ftsString(w) + "*"
			}
			parts = append(parts, f.column+" : ("+strings.Join(terms, " AND ")+")")
			continue
		}
		parts = append(parts, f.column+" : "+ftsString(strings.Join(ws, " "))+" *")
	}
	return strings.Join(parts, " AND "), nil
}
