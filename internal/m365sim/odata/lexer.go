package odata

import (
	"strings"
	"unicode/utf8"
)

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokGUID
	tokDate
	tokDateTime
	tokLParen
	tokRParen
	tokComma
	tokSlash
	tokColon
)

// token is one lexeme of a $filter. text is the decoded value for strings
// (quotes removed, doubled quotes folded) and the source spelling for everything else.
type token struct {
	kind tokenKind
	text string
	pos  int // byte offset in the source
}

// lex splits a $filter into tokens. Errors name the offending character and
// its position the way Graph's OData parser does ("Syntax error: character
// '%' is not valid at position 12 in 'subject eq %'."), positions counted
// from 1 in characters.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
			continue
		case c == '(' || c == ')' || c == ',' || c == '/' || c == ':':
			toks = append(toks, token{kind: punctKind(c), text: string(c), pos: i})
			i++
			continue
		case c == '\'':
			s, n, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokString, text: s, pos: i})
			i += n
			continue
		}
		if n := guidLen(src[i:]); n > 0 {
			toks = append(toks, token{kind: tokGUID, text: src[i : i+n], pos: i})
			i += n
			continue
		}
		if isDigit(c) {
			if kind, n, ok := dateLen(src[i:]); ok {
				text := src[i : i+n]
				if !validDateLiteral(kind, text) {
					return nil, badRequest("Syntax error: '%s' is not a valid date or time at position %d in '%s'.",
						text, charPos(src, i), src)
				}
				toks = append(toks, token{kind: kind, text: text, pos: i})
				i += n
				continue
			}
		}
		if isDigit(c) || (c == '-' && i+1 < len(src) && isDigit(src[i+1])) {
			n := numberLen(src[i:])
			if end := i + n; end < len(src) && isIdentChar(src[end]) {
				return nil, invalidChar(src, end)
			}
			toks = append(toks, token{kind: tokNumber, text: src[i : i+n], pos: i})
			i += n
			continue
		}
		if isIdentStart(c) {
			n := 1
			for i+n < len(src) && isIdentChar(src[i+n]) {
				n++
			}
			toks = append(toks, token{kind: tokIdent, text: src[i : i+n], pos: i})
			i += n
			continue
		}
		return nil, invalidChar(src, i)
	}
	toks = append(toks, token{kind: tokEOF, pos: len(src)})
	return toks, nil
}

func punctKind(c byte) tokenKind {
	switch c {
	case '(':
		return tokLParen
	case ')':
		return tokRParen
	case ',':
		return tokComma
	case '/':
		return tokSlash
	}
	return tokColon
}

// lexString reads a quoted literal starting at the quote src[start]. It
// returns the decoded text and the number of bytes consumed.
func lexString(src string, start int) (string, int, error) {
	var b strings.Builder
	i := start + 1
	for i < len(src) {
		if src[i] != '\'' {
			b.WriteByte(src[i])
			i++
			continue
		}
		if i+1 < len(src) && src[i+1] == '\'' { // '' is an escaped quote
			b.WriteByte('\'')
			i += 2
			continue
		}
		return b.String(), i + 1 - start, nil
	}
	return "", 0, badRequest("There is an unterminated string literal at position %d in '%s'.", charPos(src, start), src)
}

func invalidChar(src string, i int) error {
	r, _ := utf8.DecodeRuneInString(src[i:])
	return badRequest("Syntax error: character '%c' is not valid at position %d in '%s'.", r, charPos(src, i), src)
}

// charPos converts a byte offset into the 1-based character position Graph
// reports.
func charPos(src string, off int) int {
	if off > len(src) {
		off = len(src)
	}
	return utf8.RuneCountInString(src[:off]) + 1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// isIdentChar allows '.' so namespace-qualified segments such as
// microsoft.graph.user stay one identifier.
func isIdentChar(c byte) bool {
	return isIdentStart(c) || isDigit(c) || c == '.'
}

// guidLen returns 36 if s starts with an 8-4-4-4-12 hex GUID that is not
// glued to a longer identifier, else 0.
func guidLen(s string) int {
	const n = 36
	if len(s) < n || (len(s) > n && (isIdentChar(s[n]) || s[n] == '-')) {
		return 0
	}
	for i := 0; i < n; i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return 0
			}
		default:
			if !isHex(s[i]) {
				return 0
			}
		}
	}
	return n
}

// dateLen recognises yyyy-mm-dd, optionally followed by
// Thh:mm[:ss[.fffffff]][Z|±hh:mm], at the start of s.
func dateLen(s string) (tokenKind, int, bool) {
	if !matchDigits(s, "dddd-dd-dd") {
		return 0, 0, false
	}
	i := 10
	if i >= len(s) || (s[i] != 'T' && s[i] != 't') {
		if i < len(s) && (isIdentChar(s[i]) || s[i] == '-' || s[i] == ':') {
			return 0, 0, false
		}
		return tokDate, i, true
	}
	if !matchDigits(s[i+1:], "dd:dd") {
		return 0, 0, false
	}
	i += 6
	if matchDigits(s[i:], ":dd") {
		i += 3
		if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
			i++
			for i < len(s) && isDigit(s[i]) {
				i++
			}
		}
	}
	switch {
	case i < len(s) && (s[i] == 'Z' || s[i] == 'z'):
		i++
	case i < len(s) && (s[i] == '+' || s[i] == '-') && matchDigits(s[i+1:], "dd:dd"):
		i += 6
	}
	if i < len(s) && (isIdentChar(s[i]) || s[i] == ':' || s[i] == '-' || s[i] == '+') {
		return 0, 0, false
	}
	return tokDateTime, i, true
}

// matchDigits reports whether s starts with pattern, where 'd' stands for
// any digit and every other byte must match itself.
func matchDigits(s, pattern string) bool {
	if len(s) < len(pattern) {
		return false
	}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == 'd' {
			if !isDigit(s[i]) {
				return false
			}
		} else if s[i] != pattern[i] {
			return false
		}
	}
	return true
}

// numberLen returns the length of -?digits(.digits)?([eE][+-]?digits)?.
func numberLen(s string) int {
	i := 0
	if s[0] == '-' {
		i++
	}
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	return i
}
