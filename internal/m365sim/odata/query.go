package odata

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// System query option names, canonical spelling. Rules.Options and
// Query.Has take these (or any case / '$'-less variant of them).
const (
	OptSelect     = "$select"
	OptFilter     = "$filter"
	OptOrderBy    = "$orderby"
	OptTop        = "$top"
	OptSkip       = "$skip"
	OptCount      = "$count"
	OptExpand     = "$expand"
	OptSearch     = "$search"
	OptSkipToken  = "$skiptoken"
	OptDeltaToken = "$deltatoken"
	OptFormat     = "$format"
)

// allOptions lists the options in the order Check reports problems.
var allOptions = []string{
	OptSelect, OptExpand, OptFilter, OptOrderBy, OptSearch, OptCount,
	OptTop, OptSkip, OptSkipToken, OptDeltaToken, OptFormat,
}

// maxExpandDepth bounds nested $expand options.
const maxExpandDepth = 8

// Query holds the parsed system query options of one request. Fields of
// options that were absent are zero; use Has to tell "absent" from a zero
// value (for example an empty $deltatoken).
type Query struct {
	Select     []string    // $select items, trimmed, as written
	Filter     *Expr       // $filter, nil when absent
	FilterText string      // $filter as received
	OrderBy    []OrderTerm // $orderby
	Top        int         // $top; Check enforces the resource's range
	Skip       int         // $skip
	Count      bool        // $count=true
	Expand     []ExpandItem
	Search     string // $search as received, quotes included
	SkipToken  string
	DeltaToken string
	Format     string

	// Custom holds every parameter that is not a system query option
	// (startDateTime, changeType, token, includeHiddenFolders, …).
	Custom url.Values

	present map[string]bool
}

// ExpandItem is one $expand entry: a navigation property path and the
// options given in parentheses, e.g. members($select=id,displayName).
type ExpandItem struct {
	Path  string
	Query *Query // nested options; never nil
}

// Has reports whether the request carried the option; name may be given
// with or without '$' and in any case.
func (q *Query) Has(name string) bool {
	n, ok := optionName(name)
	return ok && q.present[n]
}

// SearchText returns $search without its surrounding double quotes.
func (q *Query) SearchText() string {
	s := q.Search
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// optionName maps "$TOP", "top", "$top" to "$top"; ok is false for names
// that are not system query options.
func optionName(k string) (string, bool) {
	n := strings.ToLower(k)
	if !strings.HasPrefix(n, "$") {
		n = "$" + n
	}
	for _, o := range allOptions {
		if n == o {
			return o, true
		}
	}
	return "", false
}

// Parse reads the system query options from v. Names are matched
// case-insensitively and the '$' is optional, as Graph v1.0 accepts both
// forms. A name starting with '$' that is not an option, an option given
// twice (also as "$top" and "top"), or a malformed value is an *Error with
// code BadRequest. Parse does not know which resource the query is for:
// call Check with the resource's Rules for limits and whitelists.
func Parse(v url.Values) (*Query, error) {
	return parse(v, 0, false)
}

// ParseRawQuery parses a raw query string (http.Request.URL.RawQuery).
// Use it instead of URL.Query(): Go's query parser drops every pair that
// contains a ';', and OData separates nested $expand options with ';'
// ("$expand=members($select=id;$top=5)").
func ParseRawQuery(raw string) (*Query, error) {
	v, err := SplitQuery(raw)
	if err != nil {
		return nil, err
	}
	return Parse(v)
}

// SplitQuery decodes a raw query string into url.Values, splitting only at
// '&' so that ';' stays part of a value. A malformed percent escape is an
// *Error.
func SplitQuery(raw string) (url.Values, error) {
	v := url.Values{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, badRequest("The query string contains an invalid escape in '%s'.", k)
		}
		value, err := url.QueryUnescape(val)
		if err != nil {
			return nil, badRequest("The query string contains an invalid escape in the value of '%s'.", key)
		}
		v[key] = append(v[key], value)
	}
	return v, nil
}

func parse(v url.Values, depth int, nested bool) (*Query, error) {
	q := &Query{present: map[string]bool{}}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the first error reported must not depend on map order
	for _, k := range keys {
		vals := v[k]
		name, ok := optionName(k)
		if !ok {
			if strings.HasPrefix(k, "$") || nested {
				// ODataLib's text for an unknown system query option.
				return nil, badRequest("The query parameter '%s' is not supported.", k)
			}
			if q.Custom == nil {
				q.Custom = url.Values{}
			}
			q.Custom[k] = append(q.Custom[k], vals...)
			continue
		}
		if q.present[name] || len(vals) > 1 {
			// Observed Graph text for a repeated option
			// (msgraph-sdk-php#127: "Query option '$top' was specified more than once").
			return nil, badRequest("Query option '%s' was specified more than once.", name)
		}
		q.present[name] = true
		if err := q.set(name, vals[0], depth); err != nil {
			return nil, err
		}
	}
	return q, nil
}

func (q *Query) set(name, val string, depth int) error {
	var err error
	switch name {
	case OptTop:
		q.Top, err = parseNonNegative(name, val)
	case OptSkip:
		q.Skip, err = parseNonNegative(name, val)
	case OptSelect:
		q.Select, err = parseSelect(val)
	case OptFilter:
		q.FilterText = val
		q.Filter, err = ParseFilter(val)
	case OptOrderBy:
		q.OrderBy, err = parseOrderBy(val)
	case OptCount:
		switch strings.ToLower(strings.TrimSpace(val)) {
		case "true":
			q.Count = true
		case "false":
		default:
			err = badRequest("Invalid value '%s' for $count query option found. Valid values are 'true' and 'false'.", val)
		}
	case OptExpand:
		q.Expand, err = parseExpand(val, depth)
	case OptSearch:
		q.Search, err = parseSearch(val)
	case OptSkipToken:
		q.SkipToken = val
	case OptDeltaToken:
		q.DeltaToken = val
	case OptFormat:
		q.Format = val
	}
	return err
}

// parseNonNegative reads $top or $skip. The message is ODataLib's for a
// value that is not a non-negative integer.
func parseNonNegative(name, val string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(val))
	if err != nil || n < 0 {
		return 0, badRequest("Invalid value '%s' for %s query option found. The %s query option requires a non-negative integer value.",
			val, name, name)
	}
	return n, nil
}

// parseSelect splits "a, b/c, *" into trimmed items.
func parseSelect(val string) ([]string, error) {
	var out []string
	for _, item := range strings.Split(val, ",") {
		item = strings.TrimSpace(item)
		if !validSelectItem(item) {
			// ODataLib's text for an empty or malformed select term.
			return nil, badRequest("Term '%s' is not valid in a $select or $expand expression.", item)
		}
		out = append(out, item)
	}
	return out, nil
}

func validSelectItem(s string) bool {
	if s == "*" {
		return true
	}
	_, err := parsePropPath(s)
	return err == nil
}

// parseExpand reads "a, b($select=x;$top=5), c/d".
func parseExpand(val string, depth int) ([]ExpandItem, error) {
	if depth >= maxExpandDepth {
		return nil, badRequest("The $expand option is nested more than %d levels deep.", maxExpandDepth)
	}
	var out []ExpandItem
	for _, raw := range splitTopLevel(val, ',') {
		raw = strings.TrimSpace(raw)
		path, opts, hasOpts := strings.Cut(raw, "(")
		path = strings.TrimSpace(path)
		if path != "*" {
			if _, err := parsePropPath(path); err != nil {
				return nil, badRequest("Term '%s' is not valid in a $select or $expand expression.", raw)
			}
		}
		item := ExpandItem{Path: path}
		nested := url.Values{}
		if hasOpts {
			if !strings.HasSuffix(opts, ")") {
				return nil, badRequest("Term '%s' is not valid in a $select or $expand expression.", raw)
			}
			for _, o := range splitTopLevel(strings.TrimSuffix(opts, ")"), ';') {
				k, v, ok := strings.Cut(strings.TrimSpace(o), "=")
				if !ok || k == "" {
					return nil, badRequest("Term '%s' is not valid in a $select or $expand expression.", raw)
				}
				nested.Add(k, v)
			}
		}
		q, err := parse(nested, depth+1, true)
		if err != nil {
			return nil, err
		}
		item.Query = q
		out = append(out, item)
	}
	return out, nil
}

// parseSearch checks that double quotes in $search are balanced. Graph's
// directory search wants "property:value" terms in quotes, Outlook also
// takes bare words; both are kept as written.
func parseSearch(val string) (string, error) {
	if strings.TrimSpace(val) == "" {
		return "", badRequest("The $search query option must not be empty.")
	}
	open := -1
	for i := 0; i < len(val); i++ {
		if val[i] != '"' {
			continue
		}
		if i > 0 && val[i-1] == '\\' {
			continue // \" inside a phrase
		}
		if open < 0 {
			open = i
		} else {
			open = -1
		}
	}
	if open >= 0 {
		return "", badRequest("Syntax error: unterminated quoted string at position %d in '%s'.", charPos(val, open), val)
	}
	return val, nil
}

// splitTopLevel splits s at sep outside parentheses and single-quoted
// strings. Unbalanced input still splits; the pieces' own parsers report
// the error.
func splitTopLevel(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			inQuote = !inQuote // '' toggles twice, which is what an escaped quote needs
		case inQuote:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
