package jinja

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// Template is a parsed template.
type Template struct {
	name string
	root []node
}

// Parse parses template source; name is used in error messages.
func Parse(name, src string) (*Template, error) {
	segs, err := split(src)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	p := &parser{segs: segs}
	root, _, _, err := p.parseBody()
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return &Template{name: name, root: root}, nil
}

// ErrRaised is wrapped by the error of a template that called raise_exception.
var ErrRaised = errors.New("the chat template raised an error")

// Render runs the template with the given variables (Jinja2's context).
func (t *Template) Render(vars map[string]Value) (string, error) { return t.render(vars, maxBuilt) }

// render is Render with built bytes of strings allowed (see charge).
func (t *Template) render(vars map[string]Value, built int64) (string, error) {
	return t.renderWith(&renderer{maxBuilt: built}, vars)
}

// renderWith renders with r, whose counts then tell what the render used.
func (t *Template) renderWith(r *renderer, vars map[string]Value) (string, error) {
	r.tmpl = t
	root := &scope{vars: map[string]Value{}}
	for k, v := range globals(r) {
		root.vars[k] = v
	}
	for k, v := range vars {
		root.vars[k] = v
	}
	r.root = root
	var b strings.Builder
	if err := r.exec(t.root, root, &b); err != nil {
		if errors.Is(err, errBreak) || errors.Is(err, errContinue) {
			err = fmt.Errorf("break or continue outside a loop")
		}
		return "", fmt.Errorf("template %s: %w", t.name, err)
	}
	if b.Len() > maxOutput {
		return "", fmt.Errorf("template %s: the output is over %d MiB", t.name, maxOutput>>20)
	}
	return b.String(), nil
}

type scope struct {
	vars   map[string]Value
	parent *scope
}

func (s *scope) lookup(name string) (Value, bool) {
	for c := s; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

func (s *scope) child() *scope { return &scope{vars: map[string]Value{}, parent: s} }

type renderer struct {
	tmpl      *Template
	root      *scope
	steps     int
	depth     int
	built     int64 // bytes of strings built by expressions (see charge)
	readBytes int64 // bytes of strings and lists read (see read)
	maxBuilt  int64 // the limit of built: maxBuilt (tests lower it)
}

var (
	errBreak    = errors.New("break")
	errContinue = errors.New("continue")
)

func (r *renderer) step(line int) error {
	r.steps++
	if r.steps > maxSteps {
		return errAt(line, "the template ran for too long (over %d steps)", maxSteps)
	}
	return nil
}

func (r *renderer) exec(nodes []node, sc *scope, b *strings.Builder) error {
	for _, n := range nodes {
		if b.Len() > maxOutput {
			return fmt.Errorf("the template's output is over %d MiB", maxOutput>>20)
		}
		switch n := n.(type) {
		case *textNode:
			b.WriteString(n.s)
		case *outNode:
			v, err := r.eval(n.x, sc, n.line)
			if err != nil {
				return err
			}
			switch v.(type) {
			case Func, *Macro, *loopState:
				// Python prints these with a memory address: nothing a
				// prompt could mean to contain.
				return errAt(n.line, "cannot print a %s (call it?)", typeName(v))
			}
			b.WriteString(pyStr(v))
		case *ifNode:
			done := false
			for i, c := range n.conds {
				v, err := r.eval(c, sc, n.line)
				if err != nil {
					return err
				}
				if truthy(v) {
					if err := r.exec(n.bodies[i], sc, b); err != nil {
						return err
					}
					done = true
					break
				}
			}
			if !done && n.els != nil {
				if err := r.exec(n.els, sc, b); err != nil {
					return err
				}
			}
		case *forNode:
			if err := r.execFor(n, sc, b); err != nil {
				return err
			}
		case *setNode:
			if err := r.execSet(n, sc); err != nil {
				return err
			}
		case *macroNode:
			sc.vars[n.name] = &Macro{name: n.name, node: n, r: r}
		case *loopCtlNode:
			if n.brk {
				return errBreak
			}
			return errContinue
		case *seqNode:
			if err := r.exec(n.body, sc, b); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *renderer) execFor(n *forNode, sc *scope, b *strings.Builder) error {
	iv, err := r.eval(n.iter, sc, n.line)
	if err != nil {
		return err
	}
	if err := r.read(n.line, iv); err != nil {
		return err
	}
	if str, ok := iv.(string); ok { // taken apart into characters
		if err := r.readN(n.line, 4*int64(len(str))); err != nil {
			return err
		}
	}
	items, err := iterate(iv)
	if err != nil {
		return errAt(n.line, "%v", err)
	}
	if n.cond != nil { // {% for x in xs if cond %}: filtered before the loop counts
		var kept []Value
		for _, it := range items {
			if err := r.step(n.line); err != nil { // each condition is a step, as each pass of the body
				return err
			}
			inner := sc.child()
			if err := bindTargets(inner, n.targets, it, n.line); err != nil {
				return err
			}
			c, err := r.eval(n.cond, inner, n.line)
			if err != nil {
				return err
			}
			if truthy(c) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	if len(items) == 0 {
		if n.els != nil {
			return r.exec(n.els, sc, b)
		}
		return nil
	}
	for i, it := range items {
		if err := r.step(n.line); err != nil {
			return err
		}
		inner := sc.child() // a loop body's assignments stay in the loop, as in Jinja2
		inner.vars["loop"] = &loopState{items: items, i: i}
		if err := bindTargets(inner, n.targets, it, n.line); err != nil {
			return err
		}
		err := r.exec(n.body, inner, b)
		switch {
		case errors.Is(err, errBreak):
			return nil
		case errors.Is(err, errContinue):
		case err != nil:
			return err
		}
	}
	return nil
}

// bindTargets assigns a loop or set value to one name or unpacks it.
func bindTargets(sc *scope, targets []string, v Value, line int) error {
	if len(targets) == 1 {
		sc.vars[targets[0]] = v
		return nil
	}
	items, err := iterate(v)
	if err != nil {
		return errAt(line, "cannot unpack: %v", err)
	}
	if len(items) != len(targets) {
		return errAt(line, "cannot unpack %d values into %d names", len(items), len(targets))
	}
	for i, t := range targets {
		sc.vars[t] = items[i]
	}
	return nil
}

func (r *renderer) execSet(n *setNode, sc *scope) error {
	var v Value
	if n.body != nil {
		var b strings.Builder
		if err := r.exec(n.body, sc, &b); err != nil {
			return err
		}
		v = b.String()
	} else {
		var err error
		if v, err = r.eval(n.x, sc, n.line); err != nil {
			return err
		}
	}
	if len(n.targets) == 1 {
		if ns, attr, ok := strings.Cut(n.targets[0], "."); ok {
			nv, _ := sc.lookup(ns)
			nsv, isNS := nv.(*Namespace)
			if !isNS {
				return errAt(n.line, "cannot assign attribute %q on a %s: only a namespace() takes attribute assignments", attr, typeName(nv))
			}
			nsv.attrs.Set(attr, v)
			return nil
		}
	}
	return bindTargets(sc, n.targets, v, n.line)
}

// Macro is a {% macro %}: callable, returning its rendered body.
type Macro struct {
	name string
	node *macroNode
	r    *renderer
}

func (m *Macro) call(args []Value, kwargs *Dict, line int) (Value, error) {
	r := m.r
	if r.depth >= maxDepth {
		return nil, errAt(line, "macro %s: recursion deeper than %d", m.name, maxDepth)
	}
	n := m.node
	if len(args) > len(n.params) {
		return nil, errAt(line, "macro %s takes %d arguments, got %d", m.name, len(n.params), len(args))
	}
	sc := r.root.child()
	for i, p := range n.params {
		switch {
		case i < len(args):
			sc.vars[p] = args[i]
		case n.defaults[i] != nil:
			v, err := r.eval(n.defaults[i], sc, n.line)
			if err != nil {
				return nil, err
			}
			sc.vars[p] = v
		default:
			sc.vars[p] = Undefined{Hint: fmt.Sprintf("'%s' is undefined", p)}
		}
	}
	if kwargs != nil {
		for _, k := range kwargs.keys {
			found := false
			for _, p := range n.params {
				found = found || p == k
			}
			if !found {
				return nil, errAt(line, "macro %s has no parameter %q", m.name, k)
			}
			sc.vars[k] = kwargs.m[k]
		}
	}
	r.depth++
	defer func() { r.depth-- }()
	var b strings.Builder
	if err := r.exec(n.body, sc, &b); err != nil {
		return nil, err
	}
	return b.String(), nil
}

// loopState is the loop variable of a for loop.
type loopState struct {
	items []Value
	i     int
}

func (l *loopState) attr(name string) (Value, bool) {
	n := len(l.items)
	switch name {
	case "index":
		return int64(l.i + 1), true
	case "index0":
		return int64(l.i), true
	case "revindex":
		return int64(n - l.i), true
	case "revindex0":
		return int64(n - l.i - 1), true
	case "first":
		return l.i == 0, true
	case "last":
		return l.i == n-1, true
	case "length":
		return int64(n), true
	case "depth":
		return int64(1), true
	case "depth0":
		return int64(0), true
	case "previtem":
		if l.i > 0 {
			return l.items[l.i-1], true
		}
		return Undefined{Hint: "there is no previous item"}, true
	case "nextitem":
		if l.i < n-1 {
			return l.items[l.i+1], true
		}
		return Undefined{Hint: "there is no next item"}, true
	case "cycle":
		return Func(func(args []Value, _ *Dict) (Value, error) {
			if len(args) == 0 {
				return nil, fmt.Errorf("loop.cycle needs at least one value")
			}
			return args[l.i%len(args)], nil
		}), true
	}
	return nil, false
}

func (r *renderer) eval(x expr, sc *scope, line int) (Value, error) {
	switch x := x.(type) {
	case *litExpr:
		return x.v, nil
	case *nameExpr:
		if v, ok := sc.lookup(x.name); ok {
			return v, nil
		}
		return Undefined{Hint: fmt.Sprintf("'%s' is undefined", x.name)}, nil
	case *listExpr:
		return r.evalAll(x.items, sc, line)
	case *tupleExpr:
		items, err := r.evalAll(x.items, sc, line)
		return Tuple(items), err
	case *dictExpr:
		d := NewDict()
		for i := range x.keys {
			k, err := r.eval(x.keys[i], sc, line)
			if err != nil {
				return nil, err
			}
			v, err := r.eval(x.vals[i], sc, line)
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, errAt(line, "dict keys must be strings here, got %s", typeName(k))
			}
			d.Set(ks, v)
		}
		return d, nil
	case *attrExpr:
		obj, err := r.eval(x.obj, sc, line)
		if err != nil {
			return nil, err
		}
		if err := r.readByMethod(obj, line); err != nil {
			return nil, err
		}
		return getAttr(obj, x.name, line)
	case *indexExpr:
		obj, err := r.eval(x.obj, sc, line)
		if err != nil {
			return nil, err
		}
		idx, err := r.eval(x.index, sc, line)
		if err != nil {
			return nil, err
		}
		if str, ok := obj.(string); ok { // indexed by characters: walked from the start
			if err := r.read(line, str); err != nil {
				return nil, err
			}
		}
		return getItem(obj, idx, line)
	case *sliceExpr:
		return r.evalSlice(x, sc, line)
	case *callExpr:
		fn, err := r.eval(x.fn, sc, line)
		if err != nil {
			return nil, err
		}
		args, kwargs, err := r.evalArgs(x.args, sc, line)
		if err != nil {
			return nil, err
		}
		v, err := callValue(fn, args, kwargs, line)
		if err == nil {
			err = r.charge(v, line)
		}
		return v, err
	case *filterExpr:
		in, err := r.eval(x.in, sc, line)
		if err != nil {
			return nil, err
		}
		args, kwargs, err := r.evalArgs(x.args, sc, line)
		if err != nil {
			return nil, err
		}
		v, err := r.applyFilter(x.name, in, args, kwargs, line)
		if err == nil {
			err = r.charge(v, line)
		}
		return v, err
	case *testExpr:
		in, err := r.eval(x.in, sc, line)
		if err != nil {
			return nil, err
		}
		args, _, err := r.evalArgs(x.args, sc, line)
		if err != nil {
			return nil, err
		}
		ok, err := applyTest(x.name, in, args, line)
		if err != nil {
			return nil, err
		}
		return ok != x.negate, nil
	case *unaryExpr:
		v, err := r.eval(x.x, sc, line)
		if err != nil {
			return nil, err
		}
		switch x.op {
		case "not":
			return !truthy(v), nil
		case "-":
			switch n := v.(type) {
			case int64:
				return -n, nil
			case float64:
				return -n, nil
			case bool:
				if n {
					return int64(-1), nil
				}
				return int64(0), nil
			}
			return nil, errAt(line, "bad operand type for unary -: '%s'", typeName(v))
		case "+":
			if _, ok := number(v); !ok {
				return nil, errAt(line, "bad operand type for unary +: '%s'", typeName(v))
			}
			return v, nil
		}
	case *binExpr:
		v, err := r.evalBinary(x, sc, line)
		if err == nil {
			err = r.charge(v, line)
		}
		return v, err
	case *condExpr:
		c, err := r.eval(x.cond, sc, line)
		if err != nil {
			return nil, err
		}
		if truthy(c) {
			return r.eval(x.yes, sc, line)
		}
		if x.no == nil {
			return Undefined{Hint: "the conditional expression has no else branch"}, nil
		}
		return r.eval(x.no, sc, line)
	}
	return nil, errAt(line, "cannot evaluate %T", x)
}

// evalAll evaluates expressions in order.
func (r *renderer) evalAll(xs []expr, sc *scope, line int) ([]Value, error) {
	out := make([]Value, 0, len(xs))
	for _, e := range xs {
		v, err := r.eval(e, sc, line)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (r *renderer) evalArgs(a argList, sc *scope, line int) ([]Value, *Dict, error) {
	var args []Value
	if len(a.pos) > 0 {
		var err error
		if args, err = r.evalAll(a.pos, sc, line); err != nil {
			return nil, nil, err
		}
	}
	var kwargs *Dict
	if len(a.kwNames) > 0 {
		kwargs = NewDict()
		for i, k := range a.kwNames {
			v, err := r.eval(a.kwVals[i], sc, line)
			if err != nil {
				return nil, nil, err
			}
			kwargs.Set(k, v)
		}
	}
	return args, kwargs, nil
}

func callValue(fn Value, args []Value, kwargs *Dict, line int) (Value, error) {
	switch f := fn.(type) {
	case *Macro:
		return f.call(args, kwargs, line)
	case Func:
		v, err := f(args, kwargs)
		if err != nil {
			var le *lineError
			if errors.As(err, &le) {
				return nil, err
			}
			return nil, wrapAt(line, err)
		}
		return v, nil
	case Undefined:
		return nil, errAt(line, "%v", f.err())
	}
	return nil, errAt(line, "'%s' object is not callable", typeName(fn))
}

func (r *renderer) evalBinary(x *binExpr, sc *scope, line int) (Value, error) {
	l, err := r.eval(x.l, sc, line)
	if err != nil {
		return nil, err
	}
	switch x.op { // short-circuit: Python returns the deciding operand
	case "and":
		if !truthy(l) {
			return l, nil
		}
		return r.eval(x.r, sc, line)
	case "or":
		if truthy(l) {
			return l, nil
		}
		return r.eval(x.r, sc, line)
	}
	rv, err := r.eval(x.r, sc, line)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "==", "!=", "<", ">", "<=", ">=", "in", "not in": // the rest build, and are charged
		if err := r.read(line, l, rv); err != nil {
			return nil, err
		}
	}
	v, err := binary(x.op, l, rv)
	if err != nil {
		return nil, errAt(line, "%v", err)
	}
	return v, nil
}

// binary applies an operator with Python's semantics.
func binary(op string, l, r Value) (Value, error) {
	switch op {
	case "==":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	case "<", ">", "<=", ">=":
		c, err := compare(l, r)
		if err != nil {
			return nil, err
		}
		return map[string]bool{"<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0}[op], nil
	case "in", "not in":
		in, err := contains(r, l)
		if err != nil {
			return nil, err
		}
		return in == (op == "in"), nil
	case "~":
		a, b := pyStr(l), pyStr(r)
		if err := checkLen("~", int64(len(a))+int64(len(b))); err != nil {
			return nil, err
		}
		return a + b, nil
	}
	if u, ok := l.(Undefined); ok {
		return nil, u.err()
	}
	if u, ok := r.(Undefined); ok {
		return nil, u.err()
	}
	switch op {
	case "+":
		switch a := l.(type) {
		case string:
			if b, ok := r.(string); ok {
				if err := checkLen("+", int64(len(a))+int64(len(b))); err != nil {
					return nil, err
				}
				return a + b, nil
			}
		case []Value:
			if b, ok := r.([]Value); ok {
				if err := checkItems("+", int64(len(a))+int64(len(b))); err != nil {
					return nil, err
				}
				return append(append(make([]Value, 0, len(a)+len(b)), a...), b...), nil
			}
		case Tuple:
			if b, ok := r.(Tuple); ok {
				if err := checkItems("+", int64(len(a))+int64(len(b))); err != nil {
					return nil, err
				}
				return append(append(make(Tuple, 0, len(a)+len(b)), a...), b...), nil
			}
		}
	case "*":
		if s, ok := l.(string); ok {
			if n, ok := r.(int64); ok {
				if n <= 0 || s == "" {
					return "", nil
				}
				if n > maxOutput/int64(len(s)) { // n·len(s) past the limit (the product could wrap)
					return nil, errTooLong("string repetition")
				}
				return strings.Repeat(s, int(n)), nil
			}
		}
	case "%":
		if s, ok := l.(string); ok {
			return percentFormat(s, r)
		}
	}
	ai, aInt := intOf(l)
	bi, bInt := intOf(r)
	fa, aNum := number(l)
	fb, bNum := number(r)
	if !aNum || !bNum {
		return nil, fmt.Errorf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(l), typeName(r))
	}
	if aInt && bInt {
		switch op {
		case "+":
			return ai + bi, nil
		case "-":
			return ai - bi, nil
		case "*":
			return ai * bi, nil
		case "//", "%":
			if bi == 0 {
				return nil, fmt.Errorf("integer division or modulo by zero")
			}
			q, m := ai/bi, ai%bi
			if m != 0 && (m < 0) != (bi < 0) { // Python floors
				q--
				m += bi
			}
			if op == "//" {
				return q, nil
			}
			return m, nil
		case "**":
			if bi >= 0 {
				return intPow(ai, bi), nil
			}
		}
	}
	switch op {
	case "+":
		return fa + fb, nil
	case "-":
		return fa - fb, nil
	case "*":
		return fa * fb, nil
	case "/":
		if fb == 0 {
			return nil, fmt.Errorf("division by zero")
		}
		return fa / fb, nil
	case "//":
		if fb == 0 {
			return nil, fmt.Errorf("float floor division by zero")
		}
		return math.Floor(fa / fb), nil
	case "%":
		if fb == 0 {
			return nil, fmt.Errorf("float modulo")
		}
		m := math.Mod(fa, fb)
		if m != 0 && (m < 0) != (fb < 0) {
			m += fb
		}
		return m, nil
	case "**":
		return math.Pow(fa, fb), nil
	}
	return nil, fmt.Errorf("unsupported operator %s", op)
}

// intPow is a to the power b (b ≥ 0) by squaring: a hostile exponent
// costs 63 steps, not 2⁶³. int64 wraps where Python's integers would grow.
func intPow(a, b int64) int64 {
	res := int64(1)
	for ; b > 0; b >>= 1 {
		if b&1 == 1 {
			res *= a
		}
		a *= a
	}
	return res
}

// intOf returns v as an int when it is an int or a bool.
func intOf(v Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// contains is Python's "needle in haystack".
func contains(hay, needle Value) (bool, error) {
	switch h := hay.(type) {
	case string:
		n, ok := needle.(string)
		if !ok {
			return false, fmt.Errorf("'in <string>' requires string as left operand, not %s", typeName(needle))
		}
		return strings.Contains(h, n), nil
	case []Value, Tuple:
		for _, e := range seqOf(h) {
			if equal(e, needle) {
				return true, nil
			}
		}
		return false, nil
	case *Dict:
		k, ok := needle.(string)
		if !ok {
			return false, nil
		}
		_, in := h.Get(k)
		return in, nil
	case Undefined:
		return false, h.err()
	}
	return false, fmt.Errorf("argument of type '%s' is not iterable", typeName(hay))
}

func (r *renderer) evalSlice(x *sliceExpr, sc *scope, line int) (Value, error) {
	obj, err := r.eval(x.obj, sc, line)
	if err != nil {
		return nil, err
	}
	if err := r.read(line, obj); err != nil {
		return nil, err
	}
	if str, ok := obj.(string); ok { // taken apart into characters
		if err := r.readN(line, 4*int64(len(str))); err != nil {
			return nil, err
		}
	}
	var bounds [3]*int64
	for i, e := range []expr{x.lo, x.hi, x.step} {
		if e == nil {
			continue
		}
		v, err := r.eval(e, sc, line)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		n, ok := intOf(v)
		if !ok {
			return nil, errAt(line, "slice indices must be integers or None, not %s", typeName(v))
		}
		bounds[i] = &n
	}
	var items []Value
	var runes []rune
	n := 0
	switch o := obj.(type) {
	case string:
		runes = []rune(o)
		n = len(runes)
	case []Value, Tuple:
		items = seqOf(o)
		n = len(items)
	case Undefined:
		return nil, errAt(line, "%v", o.err())
	default:
		return nil, errAt(line, "'%s' object is not subscriptable", typeName(obj))
	}
	idx, err := sliceIndices(n, bounds)
	if err != nil {
		return nil, errAt(line, "%v", err)
	}
	switch obj.(type) {
	case string:
		out := make([]rune, len(idx))
		for i, j := range idx {
			out[i] = runes[j]
		}
		return string(out), nil
	case Tuple:
		out := make(Tuple, len(idx))
		for i, j := range idx {
			out[i] = items[j]
		}
		return out, nil
	}
	out := make([]Value, len(idx))
	for i, j := range idx {
		out[i] = items[j]
	}
	return out, nil
}

// sliceIndices lists the positions Python's s[lo:hi:step] selects.
func sliceIndices(n int, b [3]*int64) ([]int, error) {
	step := int64(1)
	if b[2] != nil {
		step = *b[2]
		if step == 0 {
			return nil, fmt.Errorf("slice step cannot be zero")
		}
	}
	clamp := func(p *int64, def int64, lo, hi int64) int64 {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += int64(n)
		}
		return max(lo, min(v, hi))
	}
	var out []int
	if step > 0 {
		lo, hi := clamp(b[0], 0, 0, int64(n)), clamp(b[1], int64(n), 0, int64(n))
		for i := lo; i < hi; i += step {
			out = append(out, int(i))
		}
	} else {
		lo, hi := clamp(b[0], int64(n)-1, -1, int64(n)-1), clamp(b[1], -1, -1, int64(n)-1)
		if b[1] != nil && *b[1] < 0 && *b[1]+int64(n) < 0 {
			hi = -1
		}
		for i := lo; i > hi; i += step {
			out = append(out, int(i))
		}
	}
	return out, nil
}

// getItem is obj[idx]: a key, then an attribute (as Jinja2's getitem does).
func getItem(obj, idx Value, line int) (Value, error) {
	switch o := obj.(type) {
	case *Dict:
		if k, ok := idx.(string); ok {
			if v, ok := o.Get(k); ok {
				return v, nil
			}
			return lookupMethod(obj, k, line)
		}
		return Undefined{Hint: fmt.Sprintf("'dict object' has no attribute %s", pyRepr(idx))}, nil
	case []Value, Tuple, string:
		i, ok := intOf(idx)
		if !ok {
			if s, isStr := idx.(string); isStr {
				return lookupMethod(obj, s, line)
			}
			return nil, errAt(line, "%s indices must be integers, not %s", typeName(obj), typeName(idx))
		}
		var n int
		if s, isStr := o.(string); isStr {
			if i < 0 {
				i += int64(utf8.RuneCountInString(s))
			}
			if c, ok := runeAt(s, i); ok {
				return c, nil
			}
			return Undefined{Hint: "string index out of range"}, nil
		}
		items := seqOf(o)
		n = len(items)
		if i < 0 {
			i += int64(n)
		}
		if i < 0 || i >= int64(n) {
			return Undefined{Hint: fmt.Sprintf("%s index out of range", typeName(obj))}, nil
		}
		return items[i], nil
	case Undefined:
		return nil, errAt(line, "%v", o.err())
	}
	if s, ok := idx.(string); ok {
		return getAttr(obj, s, line)
	}
	return nil, errAt(line, "'%s' object is not subscriptable", typeName(obj))
}

// getAttr is obj.name: a Python attribute (a method), then a key.
func getAttr(obj Value, name string, line int) (Value, error) {
	switch o := obj.(type) {
	case Undefined:
		return nil, errAt(line, "%v", o.err())
	case *Namespace:
		if v, ok := o.attrs.Get(name); ok {
			return v, nil
		}
		return Undefined{Hint: fmt.Sprintf("'Namespace' object has no attribute '%s'", name)}, nil
	case *loopState:
		if v, ok := o.attr(name); ok {
			return v, nil
		}
		return Undefined{Hint: fmt.Sprintf("'LoopContext' object has no attribute '%s'", name)}, nil
	case *Dict:
		if m, err := lookupMethod(obj, name, line); err == nil {
			if _, undef := m.(Undefined); !undef {
				return m, nil
			}
		}
		if v, ok := o.Get(name); ok {
			return v, nil
		}
		return Undefined{Hint: fmt.Sprintf("'dict object' has no attribute '%s'", name)}, nil
	}
	return lookupMethod(obj, name, line)
}

// readByMethod counts a string or list as read by the method about to be
// taken from it (find, count, index, split, … run over it).
func (r *renderer) readByMethod(obj Value, line int) error {
	switch obj.(type) {
	case string, []Value:
		return r.read(line, obj)
	}
	return nil
}

// runeAt is the character at index i of s (Python's s[i] for i ≥ 0),
// walked to without converting the whole string.
func runeAt(s string, i int64) (string, bool) {
	if i < 0 {
		return "", false
	}
	for _, r := range s {
		if i == 0 {
			return string(r), true
		}
		i--
	}
	return "", false
}
