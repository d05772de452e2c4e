package odata

import (
	"strings"
)

// Kind says what an Expr node is.
type Kind int

const (
	// KindLogical is "and" or "or" (Op) over Args[0] and Args[1].
	KindLogical Kind = iota + 1
	// KindNot negates Args[0].
	KindNot
	// KindCompare is Args[0] Op Args[1], Op one of eq ne gt ge lt le.
	KindCompare
	// KindIn is Args[0] in (Args[1:]...).
	KindIn
	// KindFunc is a call of startswith, endswith or contains (Op) on Args.
	KindFunc
	// KindLambda is Path/any(Var: Args[0]) or Path/all(…); any() has no Args.
	KindLambda
	// KindPath is a property path; Path[0] may be a lambda range variable.
	KindPath
	// KindLiteral is a constant, see Lit.
	KindLiteral
)

// Expr is a node of a parsed $filter. Op is always lower case; property
// names keep the caller's spelling (Graph matches them case-insensitively).
// An Expr is not modified after parsing and is safe for concurrent use.
type Expr struct {
	Kind Kind
	Op   string
	Args []*Expr
	Path []string
	Var  string
	Lit  Literal
}

// LitType is the type of a literal.
type LitType int

const (
	LitString LitType = iota + 1
	LitNumber
	LitBool
	LitNull
	LitGUID
	LitDate
	LitDateTime
)

// Literal is a constant in a filter. Text is the decoded string for
// LitString and the source spelling for every other type ("true", "1.5",
// "2024-01-01T00:00:00Z", a GUID).
type Literal struct {
	Type LitType
	Text string
}

// String prints the filter in a canonical form that ParseFilter turns back
// into an equal tree: lower-case keywords, single spaces, and parentheses
// only where precedence needs them.
func (e *Expr) String() string {
	var b strings.Builder
	e.write(&b)
	return b.String()
}

// precedence orders node kinds from loosest (or) to tightest (operands).
func (e *Expr) precedence() int {
	switch e.Kind {
	case KindLogical:
		if e.Op == "or" {
			return 1
		}
		return 2
	case KindNot:
		return 3
	}
	return 4
}

func (e *Expr) write(b *strings.Builder) {
	switch e.Kind {
	case KindLogical:
		l, r := e.Args[0], e.Args[1]
		writeWrapped(b, l, l.precedence() < e.precedence())
		b.WriteString(" " + e.Op + " ")
		// Parsing is left-associative, so a right child of equal precedence
		// needs parentheses to keep its shape.
		writeWrapped(b, r, r.precedence() <= e.precedence())
	case KindNot:
		b.WriteString("not (")
		e.Args[0].write(b)
		b.WriteString(")")
	case KindCompare:
		writeOperand(b, e.Args[0])
		b.WriteString(" " + e.Op + " ")
		writeOperand(b, e.Args[1])
	case KindIn:
		writeOperand(b, e.Args[0])
		b.WriteString(" in (")
		for i, a := range e.Args[1:] {
			if i > 0 {
				b.WriteString(", ")
			}
			writeOperand(b, a)
		}
		b.WriteString(")")
	case KindFunc:
		b.WriteString(e.Op + "(")
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeOperand(b, a)
		}
		b.WriteString(")")
	case KindLambda:
		b.WriteString(strings.Join(e.Path, "/") + "/" + e.Op + "(")
		if len(e.Args) > 0 {
			b.WriteString(e.Var + ": ")
			e.Args[0].write(b)
		}
		b.WriteString(")")
	case KindPath:
		b.WriteString(strings.Join(e.Path, "/"))
	case KindLiteral:
		if e.Lit.Type == LitString {
			b.WriteString("'" + strings.ReplaceAll(e.Lit.Text, "'", "''") + "'")
		} else {
			b.WriteString(e.Lit.Text)
		}
	}
}

func writeWrapped(b *strings.Builder, e *Expr, paren bool) {
	if paren {
		b.WriteString("(")
	}
	e.write(b)
	if paren {
		b.WriteString(")")
	}
}

// writeOperand wraps boolean sub-expressions used as operands so that
// "(a eq 1) eq true" keeps its shape.
func writeOperand(b *strings.Builder, e *Expr) {
	switch e.Kind {
	case KindLogical, KindNot, KindCompare, KindIn:
		writeWrapped(b, e, true)
	default:
		e.write(b)
	}
}

// Walk calls fn for e and then, if fn returns true, for each child in
// source order.
func (e *Expr) Walk(fn func(*Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	for _, a := range e.Args {
		a.Walk(fn)
	}
}

// Use is one application of an operator to a property, the unit a
// per-resource whitelist decides on. Path is the property path joined with
// '/' as written ("from/emailAddress/address"); inside a lambda the range
// variable is replaced by the collection's path, so
// assignedLicenses/any(x:x/skuId eq …) yields {"assignedLicenses/skuId",
// "eq"} and {"assignedLicenses", "any"}. Connectives (and, or, not) have an
// empty Path. A trailing /$count adds {collection, "$count"}. A bare
// boolean property counts as "eq".
type Use struct {
	Path string
	Op   string
}

// Uses lists every (property, operator) pair in the filter in source order,
// duplicates removed.
func (e *Expr) Uses() []Use {
	var out []Use
	seen := map[Use]bool{}
	add := func(u Use) {
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	e.collectUses(nil, add)
	return out
}

// varScope maps lambda range variables to the path of their collection.
type varScope struct {
	name   string
	path   []string
	parent *varScope
}

func (s *varScope) lookup(name string) ([]string, bool) {
	for ; s != nil; s = s.parent {
		if s.name == name {
			return s.path, true
		}
	}
	return nil, false
}

// fullPath replaces a leading range variable with its collection path.
func (s *varScope) fullPath(p []string) []string {
	if len(p) > 0 {
		if base, ok := s.lookup(p[0]); ok {
			return append(append([]string(nil), base...), p[1:]...)
		}
	}
	return p
}

func (e *Expr) collectUses(sc *varScope, add func(Use)) {
	// opOnOperands charges op to every property path among the operands.
	opOnOperands := func(op string, operands []*Expr) {
		for _, a := range operands {
			if a.Kind == KindPath {
				addPath(sc, a.Path, op, add)
			} else {
				a.collectUses(sc, add)
			}
		}
	}
	switch e.Kind {
	case KindLogical, KindNot:
		add(Use{Op: e.Op})
		for _, a := range e.Args {
			a.collectUses(sc, add)
		}
	case KindCompare, KindFunc:
		opOnOperands(e.Op, e.Args)
	case KindIn:
		opOnOperands("in", e.Args)
	case KindLambda:
		coll := sc.fullPath(e.Path)
		addPath(sc, e.Path, e.Op, add)
		if len(e.Args) > 0 {
			e.Args[0].collectUses(&varScope{name: e.Var, path: coll, parent: sc}, add)
		}
	case KindPath:
		addPath(sc, e.Path, "eq", add)
	}
}

func addPath(sc *varScope, p []string, op string, add func(Use)) {
	full := sc.fullPath(p)
	if n := len(full); n > 1 && full[n-1] == "$count" {
		add(Use{Path: strings.Join(full[:n-1], "/"), Op: "$count"})
		full = full[:n-1]
	}
	add(Use{Path: strings.Join(full, "/"), Op: op})
}

// Props lists the property paths the filter reads, in source order without
// duplicates (see Use for how lambdas and /$count are reported).
func (e *Expr) Props() []string {
	var out []string
	seen := map[string]bool{}
	for _, u := range e.Uses() {
		if u.Path != "" && !seen[u.Path] {
			seen[u.Path] = true
			out = append(out, u.Path)
		}
	}
	return out
}

// Ops lists the operators and functions the filter uses (eq, and, not,
// startswith, in, any, $count, …), in source order without duplicates.
func (e *Expr) Ops() []string {
	var out []string
	seen := map[string]bool{}
	for _, u := range e.Uses() {
		if !seen[u.Op] {
			seen[u.Op] = true
			out = append(out, u.Op)
		}
	}
	return out
}
