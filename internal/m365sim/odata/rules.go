package odata

import (
	"slices"
	"strings"
)

// Rules describes what one Graph resource accepts in its query options.
// The package's predefined values (Users, Messages, …) are shared and must
// not be modified; build a variant by copying one and replacing whole
// fields (a copy shares its maps and slices with the original). The zero
// value accepts everything except a $top below 1.
type Rules struct {
	// Resource is the entity name Graph uses in messages ("User", "Group").
	Resource string
	// Doc is the documentation page the rules come from.
	Doc string

	// Directory marks Entra ID objects, where ConsistencyLevel: eventual
	// plus $count=true ("advanced query parameters") unlock ne, not,
	// endsWith, $filter together with $orderby, and some properties;
	// $search needs the header alone; and $count=true without the header
	// is ignored rather than rejected.
	// https://learn.microsoft.com/en-us/graph/aad-advanced-queries
	Directory bool

	// DefaultTop is the page size when $top is absent; MaxTop the largest
	// $top accepted (0: no limit). A $top outside 1..MaxTop is answered
	// with TopCode and TopMessage, a format given the requested size and
	// MaxTop ("Invalid page size specified: '%d'. Must be between 1 and %d
	// inclusive."; use %[2]d to name only the bound).
	DefaultTop int
	MaxTop     int
	TopCode    string
	TopMessage string

	// Options lists the system query options the resource supports (OptTop,
	// …); nil means all. Others are answered with UnsupportedCode and
	// UnsupportedMessage, a format taking the option name.
	Options            []string
	UnsupportedCode    string
	UnsupportedMessage string

	// SearchExcludes lists options that cannot accompany $search; they are
	// answered with 400 BadRequest "The query parameter '$orderby' is not
	// supported with '$search'.".
	SearchExcludes []string

	// Filter limits $filter.
	Filter FilterRules

	// OrderBy lists the sortable properties; nil means any.
	OrderBy []OrderRule

	// OrderByLeadsFilter enforces Exchange's rule for $filter with
	// $orderby: the $orderby properties must open the $filter, in the same
	// order, else 400 InefficientFilter.
	// https://learn.microsoft.com/en-us/graph/api/user-list-messages#using-filter-and-orderby-in-the-same-query
	OrderByLeadsFilter bool
}

// FilterRules limits what a $filter may contain.
type FilterRules struct {
	// Props maps property names (case-insensitive) to the operators
	// allowed on them; nil means any property with any operator in Ops. A
	// use of path a/b/c is judged by the longest listed prefix (a/b/c,
	// then a/b, then a).
	Props map[string]PropRule
	// Ops lists the operators allowed anywhere (eq, and, not, startswith,
	// in, any, $count, …); nil means all.
	Ops []string
	// AdvancedOps need advanced query parameters whatever the property
	// (on directory objects: ne, not, endswith, $count).
	AdvancedOps []string
	// MaxTerms caps the number of comparisons, function calls and in-list
	// items (0: no cap), e.g. 50 ids in a users delta filter.
	MaxTerms int
	// Code and Message answer a property or operator that is not allowed;
	// Message is a format taking the property path and Rules.Resource.
	Code    string
	Message string
	// TermsCode and TermsMessage answer more than MaxTerms terms; the
	// message is a format taking MaxTerms.
	TermsCode    string
	TermsMessage string
}

// PropRule lists the operators a property supports by default and those it
// supports only with advanced query parameters.
type PropRule struct {
	Ops      []string
	Advanced []string
}

// OrderRule is one sortable property. Dir restricts the direction ("asc"
// or "desc"; empty allows both). Advanced marks properties sortable only
// with advanced query parameters.
type OrderRule struct {
	Path     string
	Dir      string
	Advanced bool
}

// ops splits a space-separated operator list; it keeps the rule tables
// short.
func ops(s string) []string { return strings.Fields(s) }

// CountRequested reports whether the response should carry @odata.count.
// Directory objects ignore $count=true unless the request also carries
// ConsistencyLevel: eventual (eventual); other resources honour it.
func (q *Query) CountRequested(r Rules, eventual bool) bool {
	return q.Count && (!r.Directory || eventual)
}

// Check validates q against r. eventual reports whether the request carried
// the header ConsistencyLevel: eventual; with $count=true it makes the
// request an advanced query. Check returns nil or an *Error.
func (q *Query) Check(r Rules, eventual bool) error {
	advanced := eventual && q.Count
	for _, o := range allOptions {
		if q.present[o] && r.Options != nil && !slices.Contains(r.Options, o) {
			return newError(orDefault(r.UnsupportedCode, codeBadRequest),
				orDefault(r.UnsupportedMessage, "The query parameter '%s' is not supported."), o)
		}
	}
	if q.present[OptSearch] {
		for _, o := range r.SearchExcludes {
			if q.present[o] {
				return newError(codeBadRequest, "The query parameter '%s' is not supported with '$search'.", o)
			}
		}
	}
	if r.Directory && q.present[OptSearch] && !eventual {
		// Documented text: aad-advanced-queries, error handling section.
		return newError(codeUnsupportedQuery,
			"Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
	}
	if q.present[OptTop] && (q.Top < 1 || (r.MaxTop > 0 && q.Top > r.MaxTop)) {
		msg := r.TopMessage
		switch {
		case msg != "":
		case r.MaxTop > 0:
			msg = "Invalid page size specified: '%d'. Must be between 1 and %d inclusive."
		default:
			msg = "Invalid page size specified: '%d'. Must be at least 1."
		}
		return newError(orDefault(r.TopCode, codeBadRequest), msg, q.Top, r.MaxTop)
	}
	if q.Filter != nil {
		if err := r.checkFilter(q.Filter, advanced); err != nil {
			return err
		}
	}
	if err := r.checkOrderBy(q.OrderBy, advanced); err != nil {
		return err
	}
	if q.Filter != nil && len(q.OrderBy) > 0 {
		if r.Directory && !advanced {
			// "Using $filter and $orderby together is supported only with
			// advanced queries" (aad-advanced-queries). Graph's exact text
			// for this case is not documented; the operator named here is
			// our choice.
			return advancedQueryError("orderby")
		}
		if r.OrderByLeadsFilter && !orderByLeadsFilter(q.OrderBy, q.Filter) {
			return newError("InefficientFilter", "The restriction or sort order is too complex for this operation.")
		}
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (r Rules) checkFilter(f *Expr, advanced bool) error {
	fr := r.Filter
	code := orDefault(fr.Code, codeUnsupportedQuery)
	msg := orDefault(fr.Message, "Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.")
	terms := 0
	f.Walk(func(e *Expr) bool {
		switch e.Kind {
		case KindCompare, KindFunc:
			terms++
		case KindIn:
			terms += len(e.Args) - 1
		}
		return true
	})
	if fr.MaxTerms > 0 && terms > fr.MaxTerms {
		return newError(orDefault(fr.TermsCode, codeBadRequest),
			orDefault(fr.TermsMessage, "The filter has more than %d terms."), fr.MaxTerms)
	}
	for _, u := range f.Uses() {
		if fr.Ops != nil && !slices.Contains(fr.Ops, u.Op) {
			return newError(code, msg, orDefault(u.Path, u.Op), r.Resource)
		}
		needAdvanced := slices.Contains(fr.AdvancedOps, u.Op)
		if u.Path != "" && fr.Props != nil {
			rule, ok := lookupProp(fr.Props, u.Path)
			// any and $count only reach into the collection; the operators
			// inside are judged on their own uses.
			structural := u.Op == "any" || u.Op == "$count"
			switch {
			case !ok:
				return newError(code, msg, u.Path, r.Resource)
			case structural || slices.Contains(rule.Ops, u.Op):
			case slices.Contains(rule.Advanced, u.Op):
				needAdvanced = true
			default:
				return newError(code, msg, u.Path, r.Resource)
			}
		}
		if needAdvanced && !advanced {
			return advancedQueryError(u.Op)
		}
	}
	return nil
}

// lookupProp finds the rule for path or its longest listed prefix.
func lookupProp(props map[string]PropRule, path string) (PropRule, bool) {
	for p := path; ; {
		for k, rule := range props {
			if strings.EqualFold(k, p) {
				return rule, true
			}
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return PropRule{}, false
		}
		p = p[:i]
	}
}

func (r Rules) checkOrderBy(terms []OrderTerm, advanced bool) error {
	if r.OrderBy == nil {
		return nil
	}
	for _, t := range terms {
		path := strings.Join(t.Path, "/")
		var rule *OrderRule
		for i := range r.OrderBy {
			if strings.EqualFold(r.OrderBy[i].Path, path) {
				rule = &r.OrderBy[i]
				break
			}
		}
		dir := "asc"
		if t.Desc {
			dir = "desc"
		}
		if rule == nil || (rule.Dir != "" && rule.Dir != dir) {
			// Not documented verbatim; worded after the filter message.
			return newError(orDefault(r.Filter.Code, codeUnsupportedQuery),
				"Unsupported sort order '%s' specified for resource '%s'.", t.String(), r.Resource)
		}
		if rule.Advanced && !advanced {
			return advancedQueryError("orderby")
		}
	}
	return nil
}

// orderByLeadsFilter checks Exchange's rule: the filter's distinct
// properties, in source order, must start with the $orderby properties in
// the same order. The list-messages page also says every $orderby property
// must appear in the $filter, but the query-parameters page shows
// "$filter=Subject eq 'welcome' and importance eq 'normal'&$orderby=subject,
// importance,receivedDateTime desc" as a working request; we follow the
// example and let $orderby continue past the end of the filter's
// properties.
// https://learn.microsoft.com/en-us/graph/query-parameters#orderby-parameter
func orderByLeadsFilter(order []OrderTerm, f *Expr) bool {
	props := f.Props()
	for i, t := range order {
		if i == len(props) {
			return true
		}
		if !strings.EqualFold(props[i], strings.Join(t.Path, "/")) {
			return false
		}
	}
	return true
}
