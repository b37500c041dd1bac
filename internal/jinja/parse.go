package jinja

import (
	"fmt"
	"strings"
)

// Expressions.
type (
	expr      interface{}
	litExpr   struct{ v Value }
	nameExpr  struct{ name string }
	listExpr  struct{ items []expr }
	tupleExpr struct{ items []expr }
	dictExpr  struct{ keys, vals []expr }
	attrExpr  struct {
		obj  expr
		name string
	}
	indexExpr struct{ obj, index expr }
	sliceExpr struct{ obj, lo, hi, step expr }
	callExpr  struct {
		fn   expr
		args argList
	}
	filterExpr struct {
		name string
		in   expr
		args argList
	}
	testExpr struct {
		name   string
		in     expr
		args   argList
		negate bool
	}
	unaryExpr struct {
		op string
		x  expr
	}
	binExpr struct {
		op   string
		l, r expr
	}
	condExpr struct{ cond, yes, no expr }
)

// argList is a call's positional and keyword arguments.
type argList struct {
	pos     []expr
	kwNames []string
	kwVals  []expr
}

// Statements.
type (
	node     interface{}
	textNode struct{ s string }
	outNode  struct {
		x    expr
		line int
	}
	ifNode struct {
		conds  []expr
		bodies [][]node
		els    []node
		line   int
	}
	forNode struct {
		targets   []string
		iter      expr
		cond      expr
		body, els []node
		line      int
	}
	setNode struct {
		targets []string // one name, several (unpacking), or "ns.attr"
		x       expr
		body    []node // {% set x %}...{% endset %}
		line    int
	}
	macroNode struct {
		name     string
		params   []string
		defaults []expr // nil where a parameter has no default
		body     []node
		line     int
	}
	loopCtlNode struct {
		brk  bool
		line int
	}
	seqNode struct{ body []node } // {% generation %}: rendered as its body
)

// parser builds the statement tree from segments.
type parser struct {
	segs []segment
	i    int
}

// errAt is a parse or render error located at a template line.
func errAt(line int, format string, args ...any) error {
	return &lineError{line: line, msg: fmt.Sprintf(format, args...)}
}

type lineError struct {
	line int
	msg  string
	err  error // the cause, when there is one to unwrap (ErrRaised)
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }
func (e *lineError) Unwrap() error { return e.err }

// wrapAt locates err at a line, keeping it for errors.Is.
func wrapAt(line int, err error) error {
	return &lineError{line: line, msg: err.Error(), err: err}
}

// parseBody reads nodes until one of the end tags (or the end of the
// template when none is given) and returns that tag's name and its segment.
func (p *parser) parseBody(ends ...string) ([]node, string, segment, error) {
	var out []node
	for p.i < len(p.segs) {
		s := p.segs[p.i]
		p.i++
		switch s.kind {
		case segText:
			out = append(out, &textNode{s.text})
		case segVar:
			x, err := parseExprSource(s.text, s.line)
			if err != nil {
				return nil, "", s, err
			}
			out = append(out, &outNode{x: x, line: s.line})
		case segBlock:
			name := firstWord(s.text)
			for _, e := range ends {
				if name == e {
					return out, name, s, nil
				}
			}
			n, err := p.parseStatement(name, s)
			if err != nil {
				return nil, "", s, err
			}
			if n != nil {
				out = append(out, n)
			}
		}
	}
	if len(ends) > 0 {
		line := 0
		if len(p.segs) > 0 {
			line = p.segs[len(p.segs)-1].line
		}
		return nil, "", segment{}, errAt(line, "unexpected end of template: missing {%% %s %%}", strings.Join(ends, " or "))
	}
	return out, "", segment{}, nil
}

func (p *parser) parseStatement(name string, s segment) (node, error) {
	rest := strings.TrimSpace(strings.TrimSpace(s.text)[len(name):])
	switch name {
	case "if":
		n := &ifNode{line: s.line}
		cond := rest
		for {
			c, err := parseExprSource(cond, s.line)
			if err != nil {
				return nil, err
			}
			body, end, es, err := p.parseBody("elif", "else", "endif")
			if err != nil {
				return nil, err
			}
			n.conds, n.bodies = append(n.conds, c), append(n.bodies, body)
			switch end {
			case "elif":
				cond = strings.TrimSpace(strings.TrimSpace(es.text)[len("elif"):])
				continue
			case "else":
				if n.els, _, _, err = p.parseBody("endif"); err != nil {
					return nil, err
				}
			}
			return n, nil
		}
	case "for":
		return p.parseFor(rest, s)
	case "set":
		return p.parseSet(rest, s)
	case "macro":
		return p.parseMacro(rest, s)
	case "generation":
		body, _, _, err := p.parseBody("endgeneration")
		if err != nil {
			return nil, err
		}
		return &seqNode{body}, nil
	case "break", "continue":
		return &loopCtlNode{brk: name == "break", line: s.line}, nil
	case "elif", "else", "endif", "endfor", "endmacro", "endset", "endgeneration", "endraw":
		return nil, errAt(s.line, "unexpected {%% %s %%}", name)
	case "":
		return nil, errAt(s.line, "empty {%% %%} tag")
	}
	return nil, errAt(s.line, "the {%% %s %%} tag is not supported in chat templates", name)
}

func (p *parser) parseFor(rest string, s segment) (node, error) {
	toks, err := lex(rest)
	if err != nil {
		return nil, errAt(s.line, "%v", err)
	}
	ep := &exprParser{toks: toks, line: s.line}
	n := &forNode{line: s.line}
	for {
		t := ep.next()
		if t.kind != tokName {
			return nil, errAt(s.line, "for: expected a loop variable, got %s", t)
		}
		n.targets = append(n.targets, t.s)
		if !ep.acceptOp(",") {
			break
		}
	}
	if t := ep.next(); t.kind != tokName || t.s != "in" {
		return nil, errAt(s.line, "for: expected 'in', got %s", t)
	}
	ep.noCond = true
	if n.iter, err = ep.parseTupleOrExpr(true); err != nil {
		return nil, err
	}
	ep.noCond = false
	if ep.acceptName("if") {
		if n.cond, err = ep.parseExpr(); err != nil {
			return nil, err
		}
	}
	if ep.acceptName("recursive") {
		return nil, errAt(s.line, "recursive for loops are not supported")
	}
	if err := ep.expectEOF(); err != nil {
		return nil, err
	}
	body, end, _, err := p.parseBody("else", "endfor")
	if err != nil {
		return nil, err
	}
	n.body = body
	if end == "else" {
		if n.els, _, _, err = p.parseBody("endfor"); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (p *parser) parseSet(rest string, s segment) (node, error) {
	toks, err := lex(rest)
	if err != nil {
		return nil, errAt(s.line, "%v", err)
	}
	ep := &exprParser{toks: toks, line: s.line}
	n := &setNode{line: s.line}
	for {
		t := ep.next()
		if t.kind != tokName {
			return nil, errAt(s.line, "set: expected a name, got %s", t)
		}
		target := t.s
		if ep.acceptOp(".") {
			a := ep.next()
			if a.kind != tokName {
				return nil, errAt(s.line, "set: expected an attribute name, got %s", a)
			}
			target += "." + a.s
		}
		n.targets = append(n.targets, target)
		if !ep.acceptOp(",") {
			break
		}
	}
	if ep.peek().kind == tokEOF {
		if len(n.targets) != 1 {
			return nil, errAt(s.line, "a {%% set %%} block assigns one name")
		}
		body, _, _, err := p.parseBody("endset")
		if err != nil {
			return nil, err
		}
		n.body = body
		return n, nil
	}
	if !ep.acceptOp("=") {
		return nil, errAt(s.line, "set: expected '=', got %s", ep.peek())
	}
	if n.x, err = ep.parseTupleOrExpr(true); err != nil {
		return nil, err
	}
	return n, ep.expectEOF()
}

func (p *parser) parseMacro(rest string, s segment) (node, error) {
	toks, err := lex(rest)
	if err != nil {
		return nil, errAt(s.line, "%v", err)
	}
	ep := &exprParser{toks: toks, line: s.line}
	t := ep.next()
	if t.kind != tokName {
		return nil, errAt(s.line, "macro: expected a name, got %s", t)
	}
	n := &macroNode{name: t.s, line: s.line}
	if !ep.acceptOp("(") {
		return nil, errAt(s.line, "macro %s: expected '('", n.name)
	}
	for !ep.acceptOp(")") {
		a := ep.next()
		if a.kind != tokName {
			return nil, errAt(s.line, "macro %s: expected a parameter name, got %s", n.name, a)
		}
		var def expr
		if ep.acceptOp("=") {
			if def, err = ep.parseExpr(); err != nil {
				return nil, err
			}
		}
		n.params, n.defaults = append(n.params, a.s), append(n.defaults, def)
		if !ep.acceptOp(",") {
			if !ep.acceptOp(")") {
				return nil, errAt(s.line, "macro %s: expected ',' or ')', got %s", n.name, ep.peek())
			}
			break
		}
	}
	if err := ep.expectEOF(); err != nil {
		return nil, err
	}
	body, _, _, err := p.parseBody("endmacro")
	if err != nil {
		return nil, err
	}
	n.body = body
	return n, nil
}

// exprParser parses one tag's expression tokens (Jinja2's grammar and
// precedence: conditional, or, and, not, comparisons and in/not in, + -,
// ~, * / // %, **, unary, then postfix, filters and tests).
type exprParser struct {
	toks []token
	i    int
	line int
	// noCond stops at a top-level "if" (a for loop's iterable, where
	// "if" starts the loop filter rather than a conditional expression).
	noCond bool
}

func parseExprSource(src string, line int) (expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, errAt(line, "%v", err)
	}
	ep := &exprParser{toks: toks, line: line}
	x, err := ep.parseTupleOrExpr(false)
	if err != nil {
		return nil, err
	}
	return x, ep.expectEOF()
}

func (ep *exprParser) peek() token { return ep.toks[ep.i] }
func (ep *exprParser) next() token {
	t := ep.toks[ep.i]
	if t.kind != tokEOF {
		ep.i++
	}
	return t
}
func (ep *exprParser) isOp(op string) bool {
	t := ep.peek()
	return t.kind == tokOp && t.s == op
}
func (ep *exprParser) isName(n string) bool {
	t := ep.peek()
	return t.kind == tokName && t.s == n
}
func (ep *exprParser) acceptOp(op string) bool {
	if ep.isOp(op) {
		ep.i++
		return true
	}
	return false
}
func (ep *exprParser) acceptName(n string) bool {
	if ep.isName(n) {
		ep.i++
		return true
	}
	return false
}
func (ep *exprParser) expectOp(op string) error {
	if !ep.acceptOp(op) {
		return errAt(ep.line, "expected '%s', got %s", op, ep.peek())
	}
	return nil
}
func (ep *exprParser) expectEOF() error {
	if t := ep.peek(); t.kind != tokEOF {
		return errAt(ep.line, "unexpected %s", t)
	}
	return nil
}

// parseTupleOrExpr parses "a" or "a, b, ..." (a tuple without parentheses,
// as {% set %} and {% for %} allow).
func (ep *exprParser) parseTupleOrExpr(allowTuple bool) (expr, error) {
	x, err := ep.parseExpr()
	if err != nil || !allowTuple || !ep.isOp(",") {
		return x, err
	}
	items := []expr{x}
	for ep.acceptOp(",") {
		if ep.peek().kind == tokEOF || ep.isName("if") {
			break
		}
		y, err := ep.parseExpr()
		if err != nil {
			return nil, err
		}
		items = append(items, y)
	}
	return &tupleExpr{items}, nil
}

func (ep *exprParser) parseExpr() (expr, error) {
	x, err := ep.parseOr()
	if err != nil {
		return nil, err
	}
	for !ep.noCond && ep.acceptName("if") {
		cond, err := ep.parseOr()
		if err != nil {
			return nil, err
		}
		var no expr
		if ep.acceptName("else") {
			if no, err = ep.parseExpr(); err != nil {
				return nil, err
			}
		}
		x = &condExpr{cond: cond, yes: x, no: no}
	}
	return x, nil
}

func (ep *exprParser) parseOr() (expr, error) {
	x, err := ep.parseAnd()
	for err == nil && ep.acceptName("or") {
		var y expr
		if y, err = ep.parseAnd(); err == nil {
			x = &binExpr{op: "or", l: x, r: y}
		}
	}
	return x, err
}

func (ep *exprParser) parseAnd() (expr, error) {
	x, err := ep.parseNot()
	for err == nil && ep.acceptName("and") {
		var y expr
		if y, err = ep.parseNot(); err == nil {
			x = &binExpr{op: "and", l: x, r: y}
		}
	}
	return x, err
}

func (ep *exprParser) parseNot() (expr, error) {
	if ep.acceptName("not") {
		x, err := ep.parseNot()
		return &unaryExpr{op: "not", x: x}, err
	}
	return ep.parseCompare()
}

func (ep *exprParser) parseCompare() (expr, error) {
	x, err := ep.parseMath1()
	if err != nil {
		return nil, err
	}
	for {
		var op string
		t := ep.peek()
		switch {
		case t.kind == tokOp && (t.s == "==" || t.s == "!=" || t.s == "<" || t.s == ">" || t.s == "<=" || t.s == ">="):
			op = t.s
			ep.i++
		case t.kind == tokName && t.s == "in":
			op = "in"
			ep.i++
		case t.kind == tokName && t.s == "not" && ep.toks[ep.i+1].kind == tokName && ep.toks[ep.i+1].s == "in":
			op = "not in"
			ep.i += 2
		default:
			return x, nil
		}
		y, err := ep.parseMath1()
		if err != nil {
			return nil, err
		}
		x = &binExpr{op: op, l: x, r: y}
	}
}

func (ep *exprParser) parseMath1() (expr, error) {
	x, err := ep.parseConcat()
	for err == nil && (ep.isOp("+") || ep.isOp("-")) {
		op := ep.next().s
		var y expr
		if y, err = ep.parseConcat(); err == nil {
			x = &binExpr{op: op, l: x, r: y}
		}
	}
	return x, err
}

func (ep *exprParser) parseConcat() (expr, error) {
	x, err := ep.parseMath2()
	for err == nil && ep.acceptOp("~") {
		var y expr
		if y, err = ep.parseMath2(); err == nil {
			x = &binExpr{op: "~", l: x, r: y}
		}
	}
	return x, err
}

func (ep *exprParser) parseMath2() (expr, error) {
	x, err := ep.parsePow()
	for err == nil && (ep.isOp("*") || ep.isOp("/") || ep.isOp("//") || ep.isOp("%")) {
		op := ep.next().s
		var y expr
		if y, err = ep.parsePow(); err == nil {
			x = &binExpr{op: op, l: x, r: y}
		}
	}
	return x, err
}

func (ep *exprParser) parsePow() (expr, error) {
	x, err := ep.parseUnary(true)
	for err == nil && ep.acceptOp("**") {
		var y expr
		if y, err = ep.parseUnary(true); err == nil {
			x = &binExpr{op: "**", l: x, r: y}
		}
	}
	return x, err
}

func (ep *exprParser) parseUnary(withFilter bool) (expr, error) {
	var x expr
	var err error
	switch {
	case ep.isOp("-") || ep.isOp("+"):
		op := ep.next().s
		var y expr
		if y, err = ep.parseUnary(false); err != nil {
			return nil, err
		}
		x = &unaryExpr{op: op, x: y}
	default:
		if x, err = ep.parsePrimary(); err != nil {
			return nil, err
		}
		if x, err = ep.parsePostfix(x); err != nil {
			return nil, err
		}
	}
	if withFilter {
		return ep.parseFilterExpr(x)
	}
	return x, nil
}

func (ep *exprParser) parsePrimary() (expr, error) {
	t := ep.next()
	if t.kind == tokOp && (t.s == "(" || t.s == "[" || t.s == "{") {
		defer func(saved bool) { ep.noCond = saved }(ep.noCond)
		ep.noCond = false // brackets reopen the full expression grammar
	}
	switch t.kind {
	case tokString:
		s := t.s
		for ep.peek().kind == tokString { // adjacent literals concatenate
			s += ep.next().s
		}
		return &litExpr{s}, nil
	case tokNumber:
		return &litExpr{t.num}, nil
	case tokName:
		switch t.s {
		case "true", "True":
			return &litExpr{true}, nil
		case "false", "False":
			return &litExpr{false}, nil
		case "none", "None":
			return &litExpr{nil}, nil
		}
		return &nameExpr{t.s}, nil
	case tokOp:
		switch t.s {
		case "(":
			if ep.acceptOp(")") {
				return &tupleExpr{}, nil
			}
			x, err := ep.parseExpr()
			if err != nil {
				return nil, err
			}
			if ep.isOp(",") {
				items := []expr{x}
				for ep.acceptOp(",") {
					if ep.isOp(")") {
						break
					}
					y, err := ep.parseExpr()
					if err != nil {
						return nil, err
					}
					items = append(items, y)
				}
				x = &tupleExpr{items}
			}
			return x, ep.expectOp(")")
		case "[":
			var items []expr
			for !ep.acceptOp("]") {
				y, err := ep.parseExpr()
				if err != nil {
					return nil, err
				}
				items = append(items, y)
				if !ep.acceptOp(",") {
					if err := ep.expectOp("]"); err != nil {
						return nil, err
					}
					break
				}
			}
			return &listExpr{items}, nil
		case "{":
			d := &dictExpr{}
			for !ep.acceptOp("}") {
				k, err := ep.parseExpr()
				if err != nil {
					return nil, err
				}
				if err := ep.expectOp(":"); err != nil {
					return nil, err
				}
				v, err := ep.parseExpr()
				if err != nil {
					return nil, err
				}
				d.keys, d.vals = append(d.keys, k), append(d.vals, v)
				if !ep.acceptOp(",") {
					if err := ep.expectOp("}"); err != nil {
						return nil, err
					}
					break
				}
			}
			return d, nil
		}
	}
	return nil, errAt(ep.line, "unexpected %s", t)
}

func (ep *exprParser) parsePostfix(x expr) (expr, error) {
	for {
		switch {
		case ep.acceptOp("."):
			t := ep.next()
			switch t.kind {
			case tokName:
				x = &attrExpr{obj: x, name: t.s}
			case tokNumber:
				x = &indexExpr{obj: x, index: &litExpr{t.num}}
			default:
				return nil, errAt(ep.line, "expected an attribute name after '.', got %s", t)
			}
		case ep.acceptOp("["):
			var parts [3]expr
			n, colon := 0, false
			for {
				if ep.isOp(":") {
					ep.i++
					colon = true
					n++
					if n > 2 {
						return nil, errAt(ep.line, "a slice has at most three parts")
					}
					continue
				}
				if ep.isOp("]") {
					break
				}
				y, err := ep.parseExpr()
				if err != nil {
					return nil, err
				}
				parts[n] = y
			}
			ep.i++ // ]
			if colon {
				x = &sliceExpr{obj: x, lo: parts[0], hi: parts[1], step: parts[2]}
			} else {
				if parts[0] == nil {
					return nil, errAt(ep.line, "empty subscript")
				}
				x = &indexExpr{obj: x, index: parts[0]}
			}
		case ep.isOp("("):
			args, err := ep.parseArgs()
			if err != nil {
				return nil, err
			}
			x = &callExpr{fn: x, args: args}
		default:
			return x, nil
		}
	}
}

// parseArgs parses "(a, b, k=v)".
func (ep *exprParser) parseArgs() (argList, error) {
	var a argList
	if err := ep.expectOp("("); err != nil {
		return a, err
	}
	for !ep.acceptOp(")") {
		if ep.peek().kind == tokName && ep.toks[ep.i+1].kind == tokOp && ep.toks[ep.i+1].s == "=" {
			name := ep.next().s
			ep.i++
			v, err := ep.parseExpr()
			if err != nil {
				return a, err
			}
			a.kwNames, a.kwVals = append(a.kwNames, name), append(a.kwVals, v)
		} else {
			if ep.isOp("*") || ep.isOp("**") {
				return a, errAt(ep.line, "*args and **kwargs in calls are not supported")
			}
			v, err := ep.parseExpr()
			if err != nil {
				return a, err
			}
			if len(a.kwNames) > 0 {
				return a, errAt(ep.line, "a positional argument follows a keyword argument")
			}
			a.pos = append(a.pos, v)
		}
		if !ep.acceptOp(",") {
			if err := ep.expectOp(")"); err != nil {
				return a, err
			}
			break
		}
	}
	return a, nil
}

func (ep *exprParser) parseFilterExpr(x expr) (expr, error) {
	for {
		switch {
		case ep.acceptOp("|"):
			t := ep.next()
			if t.kind != tokName {
				return nil, errAt(ep.line, "expected a filter name after '|', got %s", t)
			}
			name := t.s
			for ep.isOp(".") && ep.toks[ep.i+1].kind == tokName {
				ep.i++
				name += "." + ep.next().s
			}
			f := &filterExpr{name: name, in: x}
			if ep.isOp("(") {
				args, err := ep.parseArgs()
				if err != nil {
					return nil, err
				}
				f.args = args
			}
			x = f
		case ep.acceptName("is"):
			negate := ep.acceptName("not")
			t := ep.next()
			if t.kind != tokName {
				return nil, errAt(ep.line, "expected a test name after 'is', got %s", t)
			}
			te := &testExpr{name: t.s, in: x, negate: negate}
			switch nt := ep.peek(); {
			case ep.isOp("("):
				args, err := ep.parseArgs()
				if err != nil {
					return nil, err
				}
				te.args = args
			case nt.kind == tokString || nt.kind == tokNumber ||
				nt.kind == tokName && nt.s != "else" && nt.s != "or" && nt.s != "and" && nt.s != "if" && nt.s != "is" && nt.s != "in" && nt.s != "not" ||
				ep.isOp("[") || ep.isOp("{"):
				// A test with one argument may omit the parentheses: "is divisibleby 3".
				arg, err := ep.parsePrimary()
				if err != nil {
					return nil, err
				}
				if arg, err = ep.parsePostfix(arg); err != nil {
					return nil, err
				}
				te.args.pos = []expr{arg}
			}
			x = te
		default:
			return x, nil
		}
	}
}
