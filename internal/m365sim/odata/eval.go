package odata

import (
	"sort"
	"strings"
)

// Eval reports whether item matches the filter. Property names are matched
// case-insensitively and a missing property reads as null. String
// comparisons ignore case (Entra ID and Exchange both match eq, startswith
// and the like without regard to case); a string compared with a date or
// DateTimeOffset literal is read as a time, so
// "receivedDateTime ge 2024-01-01" works on RFC 3339 strings.
//
// Comparing values of unrelated types (a string property with a number) is
// an *Error, as Graph rejects such filters; comparisons with null never are:
// "x eq null" is true when x is missing or null, and ordering against null is
// false.
func (e *Expr) Eval(item map[string]any) (bool, error) {
	return e.evalBool(&evalScope{root: item})
}

// evalScope binds lambda range variables to the current element.
type evalScope struct {
	root   map[string]any
	name   string
	value  any
	parent *evalScope
}

func (s *evalScope) lookup(name string) (any, bool) {
	for ; s != nil && s.name != ""; s = s.parent {
		if s.name == name {
			return s.value, true
		}
	}
	return nil, false
}

func (e *Expr) evalBool(sc *evalScope) (bool, error) {
	switch e.Kind {
	case KindLogical:
		l, err := e.Args[0].evalBool(sc)
		if err != nil {
			return false, err
		}
		if (e.Op == "and" && !l) || (e.Op == "or" && l) {
			return l, nil
		}
		return e.Args[1].evalBool(sc)
	case KindNot:
		v, err := e.Args[0].evalBool(sc)
		return !v, err
	case KindCompare:
		l, err := e.Args[0].value(sc)
		if err != nil {
			return false, err
		}
		r, err := e.Args[1].value(sc)
		if err != nil {
			return false, err
		}
		return compare(e.Op, l, r)
	case KindIn:
		return e.evalIn(sc)
	case KindFunc:
		return e.evalFunc(sc)
	case KindLambda:
		return e.evalLambda(sc)
	case KindPath, KindLiteral:
		v, err := e.value(sc)
		if err != nil {
			return false, err
		}
		switch b := v.(type) {
		case bool:
			return b, nil
		case nil:
			return false, nil
		}
		return false, badRequest("The expression '%s' is not a Boolean value.", e.String())
	}
	return false, badRequest("The filter node '%s' cannot be evaluated.", e.String())
}

// value computes an operand: a property's value, a literal, or the result
// of a boolean sub-expression.
func (e *Expr) value(sc *evalScope) (any, error) {
	switch e.Kind {
	case KindLiteral:
		return literalValue(e.Lit), nil
	case KindPath:
		return resolve(sc, e.Path), nil
	}
	return e.evalBool(sc)
}

// compare applies a comparison operator with null handled first.
func compare(op string, l, r any) (bool, error) {
	if l == nil || r == nil {
		switch op {
		case "eq":
			return l == nil && r == nil, nil
		case "ne":
			return !(l == nil && r == nil), nil
		}
		return false, nil
	}
	c, ok := compareValues(l, r)
	if !ok {
		return false, incompatible(op, l, r)
	}
	switch op {
	case "eq":
		return c == 0, nil
	case "ne":
		return c != 0, nil
	case "gt":
		return c > 0, nil
	case "ge":
		return c >= 0, nil
	case "lt":
		return c < 0, nil
	}
	return c <= 0, nil // le
}

func (e *Expr) evalIn(sc *evalScope) (bool, error) {
	l, err := e.Args[0].value(sc)
	if err != nil {
		return false, err
	}
	for _, a := range e.Args[1:] {
		r, err := a.value(sc)
		if err != nil {
			return false, err
		}
		if ok, err := compare("eq", l, r); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func (e *Expr) evalFunc(sc *evalScope) (bool, error) {
	var s [2]string
	for i, a := range e.Args {
		v, err := a.value(sc)
		if err != nil {
			return false, err
		}
		switch x := v.(type) {
		case nil:
			return false, nil
		case string:
			s[i] = strings.ToLower(x)
		case guidValue:
			s[i] = strings.ToLower(string(x))
		default:
			return false, badRequest("The function '%s' needs string arguments; found '%s'.", opDisplay(e.Op), edmType(v))
		}
	}
	switch e.Op {
	case "startswith":
		return strings.HasPrefix(s[0], s[1]), nil
	case "endswith":
		return strings.HasSuffix(s[0], s[1]), nil
	}
	return strings.Contains(s[0], s[1]), nil
}

func (e *Expr) evalLambda(sc *evalScope) (bool, error) {
	coll := resolve(sc, e.Path)
	items, ok := coll.([]any)
	if !ok {
		if coll == nil {
			return e.Op == "all", nil // any over nothing is false, all is vacuously true
		}
		return false, badRequest("The '%s' operator needs a collection, but '%s' is '%s'.",
			e.Op, strings.Join(e.Path, "/"), edmType(coll))
	}
	if len(e.Args) == 0 { // any()
		return len(items) > 0, nil
	}
	for _, it := range items {
		ok, err := e.Args[0].evalBool(&evalScope{root: sc.root, name: e.Var, value: normalize(it), parent: sc})
		if err != nil {
			return false, err
		}
		if e.Op == "any" && ok {
			return true, nil
		}
		if e.Op == "all" && !ok {
			return false, nil
		}
	}
	return e.Op == "all", nil
}

// resolve walks a property path from the item or from a bound range
// variable. Missing steps yield nil.
func resolve(sc *evalScope, path []string) any {
	var cur any
	rest := path
	if v, ok := sc.lookup(path[0]); ok {
		cur, rest = v, path[1:]
	} else {
		cur = sc.root
	}
	for _, seg := range rest {
		if seg == "$count" {
			if arr, ok := cur.([]any); ok {
				cur = float64(len(arr))
				continue
			}
			return nil
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = getFold(m, seg)
	}
	return normalize(cur)
}

// getFold looks up a key case-insensitively. An exact match wins; among
// keys differing only in case the smallest is taken so results do not
// depend on map order.
func getFold(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	var matches []string
	for k := range m {
		if strings.EqualFold(k, key) {
			matches = append(matches, k)
		}
	}
	if len(matches) == 0 {
		return nil
	}
	sort.Strings(matches)
	return m[matches[0]]
}
