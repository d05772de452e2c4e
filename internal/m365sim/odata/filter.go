package odata

import (
	"strings"
)

// maxDepth bounds nesting (parentheses, not, lambdas) so a hostile filter
// cannot make the recursive parser and evaluator run deep.
const maxDepth = 100

// ParseFilter parses a $filter expression. Errors are *Error values with
// code BadRequest and a message naming the position and text, as Graph's
// OData parser reports them.
func ParseFilter(src string) (*Expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	if p.peek().kind == tokEOF {
		return nil, badRequest("Expression expected at position %d in '%s'.", charPos(src, 0), src)
	}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.syntaxError(t)
	}
	return e, nil
}

type parser struct {
	src   string
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// peekWord reports whether the next token is the keyword w (any case).
func (p *parser) peekWord(w string) bool {
	t := p.peek()
	return t.kind == tokIdent && strings.EqualFold(t.text, w)
}

func (p *parser) syntaxError(t token) error {
	return badRequest("Syntax error at position %d in '%s'.", charPos(p.src, t.pos), p.src)
}

func (p *parser) expect(kind tokenKind, what string) (token, error) {
	t := p.peek()
	if t.kind != kind {
		return t, badRequest("%s expected at position %d in '%s'.", what, charPos(p.src, t.pos), p.src)
	}
	return p.next(), nil
}

// enter guards recursion depth; every successful enter is paired with leave.
func (p *parser) enter(t token) error {
	p.depth++
	if p.depth > maxDepth {
		return badRequest("The filter is nested too deeply at position %d in '%s'; the limit is %d levels.",
			charPos(p.src, t.pos), p.src, maxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) parseOr() (*Expr, error) {
	return p.parseLogical("or", p.parseAnd)
}

func (p *parser) parseAnd() (*Expr, error) {
	return p.parseLogical("and", p.parseUnary)
}

// parseLogical parses operand (op operand)* into a left-leaning tree.
func (p *parser) parseLogical(op string, operand func() (*Expr, error)) (*Expr, error) {
	left, err := operand()
	if err != nil {
		return nil, err
	}
	for p.peekWord(op) {
		p.next()
		right, err := operand()
		if err != nil {
			return nil, err
		}
		left = &Expr{Kind: KindLogical, Op: op, Args: []*Expr{left, right}}
	}
	return left, nil
}

func (p *parser) parseUnary() (*Expr, error) {
	if !p.peekWord("not") {
		return p.parseComparison()
	}
	t := p.next()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	arg, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	return &Expr{Kind: KindNot, Op: "not", Args: []*Expr{arg}}, nil
}

var compareOps = map[string]bool{"eq": true, "ne": true, "gt": true, "ge": true, "lt": true, "le": true}

// reserved words cannot start a property path: they are operators.
var reserved = map[string]bool{
	"and": true, "or": true, "not": true, "in": true,
	"eq": true, "ne": true, "gt": true, "ge": true, "lt": true, "le": true,
}

func (p *parser) parseComparison() (*Expr, error) {
	start := p.peek()
	left, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind == tokIdent {
		op := strings.ToLower(t.text)
		if compareOps[op] {
			p.next()
			right, err := p.parseOperand()
			if err != nil {
				return nil, err
			}
			return &Expr{Kind: KindCompare, Op: op, Args: []*Expr{left, right}}, nil
		}
		if op == "in" {
			p.next()
			return p.parseInList(left)
		}
	}
	// Without an operator the operand must itself be boolean.
	if left.Kind == KindLiteral && left.Lit.Type != LitBool {
		return nil, badRequest("A boolean expression is expected at position %d in '%s'.", charPos(p.src, start.pos), p.src)
	}
	return left, nil
}

func (p *parser) parseInList(left *Expr) (*Expr, error) {
	open, err := p.expect(tokLParen, "'('")
	if err != nil {
		return nil, err
	}
	if err := p.enter(open); err != nil {
		return nil, err
	}
	defer p.leave()
	e := &Expr{Kind: KindIn, Op: "in", Args: []*Expr{left}}
	for {
		item, err := p.parseOperand()
		if err != nil {
			return nil, err
		}
		e.Args = append(e.Args, item)
		if p.peek().kind == tokComma {
			p.next()
			continue
		}
		if _, err := p.expect(tokRParen, "')' or ','"); err != nil {
			return nil, err
		}
		return e, nil
	}
}

func (p *parser) parseOperand() (*Expr, error) {
	t := p.peek()
	switch t.kind {
	case tokLParen:
		p.next()
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tokRParen, "')'"); err != nil {
			return nil, err
		}
		return e, nil
	case tokString:
		p.next()
		return literal(LitString, t.text), nil
	case tokNumber:
		p.next()
		return literal(LitNumber, t.text), nil
	case tokGUID:
		p.next()
		return literal(LitGUID, t.text), nil
	case tokDate:
		p.next()
		return literal(LitDate, t.text), nil
	case tokDateTime:
		p.next()
		return literal(LitDateTime, t.text), nil
	case tokIdent:
		return p.parseIdent()
	}
	return nil, badRequest("Expression expected at position %d in '%s'.", charPos(p.src, t.pos), p.src)
}

func literal(t LitType, text string) *Expr {
	return &Expr{Kind: KindLiteral, Lit: Literal{Type: t, Text: text}}
}

var functions = map[string]bool{"startswith": true, "endswith": true, "contains": true}

// parseIdent parses a keyword literal, a function call or a property path.
func (p *parser) parseIdent() (*Expr, error) {
	t := p.peek()
	word := strings.ToLower(t.text)
	switch word {
	case "true", "false":
		p.next()
		return literal(LitBool, word), nil
	case "null":
		p.next()
		return literal(LitNull, word), nil
	}
	if reserved[word] {
		return nil, badRequest("Expression expected at position %d in '%s'.", charPos(p.src, t.pos), p.src)
	}
	if p.toks[p.i+1].kind == tokLParen {
		if !functions[word] {
			return nil, badRequest("Unknown function '%s' at position %d in '%s'.", t.text, charPos(p.src, t.pos), p.src)
		}
		return p.parseCall(word)
	}
	return p.parsePath()
}

func (p *parser) parseCall(name string) (*Expr, error) {
	p.next() // name
	open := p.next()
	if err := p.enter(open); err != nil {
		return nil, err
	}
	defer p.leave()
	e := &Expr{Kind: KindFunc, Op: name}
	for {
		arg, err := p.parseOperand()
		if err != nil {
			return nil, err
		}
		e.Args = append(e.Args, arg)
		if p.peek().kind != tokComma {
			break
		}
		p.next()
	}
	if _, err := p.expect(tokRParen, "')' or ','"); err != nil {
		return nil, err
	}
	if len(e.Args) != 2 {
		return nil, badRequest("The function '%s' takes 2 arguments, not %d, at position %d in '%s'.",
			name, len(e.Args), charPos(p.src, open.pos), p.src)
	}
	return e, nil
}

// parsePath parses seg ('/' seg)* where the last segment may be $count or
// an any/all lambda.
func (p *parser) parsePath() (*Expr, error) {
	first := p.next()
	if strings.HasPrefix(first.text, "$") {
		return nil, badRequest("Syntax error: '%s' cannot start a property path at position %d in '%s'.",
			first.text, charPos(p.src, first.pos), p.src)
	}
	path := []string{first.text}
	for p.peek().kind == tokSlash {
		p.next()
		seg, err := p.expect(tokIdent, "Property name")
		if err != nil {
			return nil, err
		}
		word := strings.ToLower(seg.text)
		if (word == "any" || word == "all") && p.peek().kind == tokLParen {
			return p.parseLambda(path, word)
		}
		if strings.HasPrefix(seg.text, "$") {
			if word != "$count" {
				return nil, badRequest("Syntax error: '%s' is not a valid path segment at position %d in '%s'.",
					seg.text, charPos(p.src, seg.pos), p.src)
			}
			return &Expr{Kind: KindPath, Path: append(path, "$count")}, nil
		}
		path = append(path, seg.text)
	}
	return &Expr{Kind: KindPath, Path: path}, nil
}

func (p *parser) parseLambda(path []string, op string) (*Expr, error) {
	open := p.next()
	if err := p.enter(open); err != nil {
		return nil, err
	}
	defer p.leave()
	e := &Expr{Kind: KindLambda, Op: op, Path: path}
	if p.peek().kind == tokRParen {
		if op == "all" {
			return nil, badRequest("The 'all' operator needs a range variable and an expression at position %d in '%s'.",
				charPos(p.src, open.pos), p.src)
		}
		p.next()
		return e, nil
	}
	v, err := p.expect(tokIdent, "Range variable")
	if err != nil {
		return nil, err
	}
	if w := strings.ToLower(v.text); reserved[w] || w == "true" || w == "false" || w == "null" ||
		strings.ContainsAny(v.text, "$.") {
		return nil, badRequest("'%s' is not a valid range variable at position %d in '%s'.", v.text, charPos(p.src, v.pos), p.src)
	}
	if _, err := p.expect(tokColon, "':'"); err != nil {
		return nil, err
	}
	body, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tokRParen, "')'"); err != nil {
		return nil, err
	}
	e.Var = v.text
	e.Args = []*Expr{body}
	return e, nil
}
