package ctxflow

import (
	"go/types"
	"time"

	"golang.org/x/tools/go/ssa"
)

// Small SSA value helpers the core and the rules share.

// StripInterface looks through conversions to and between interfaces.
func StripInterface(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.MakeInterface:
			v = x.X
		case *ssa.ChangeInterface:
			v = x.X
		default:
			return v
		}
	}
}

// Unconvert looks through interface and type conversions.
func Unconvert(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.MakeInterface:
			v = x.X
		case *ssa.ChangeInterface:
			v = x.X
		case *ssa.ChangeType:
			v = x.X
		default:
			return v
		}
	}
}

// IsNilConst reports whether v is a nil constant, through conversions.
func IsNilConst(v ssa.Value) bool {
	c, ok := Unconvert(v).(*ssa.Const)
	return ok && c.IsNil()
}

// StoredOnce returns the one value stored into a local cell (a variable
// that closures capture, or whose address is taken), or nil.
func StoredOnce(a *ssa.Alloc) ssa.Value {
	var stored ssa.Value
	for _, ref := range *a.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == a {
			if stored != nil {
				return nil
			}
			stored = st.Val
		}
	}
	return stored
}

// Underlying looks through what closures and conversions put between a
// value and its source: a captured variable's binding, the cell of a
// local stored once, interface conversions.
func (r *Result) Underlying(v ssa.Value) ssa.Value { return r.underlyingLocal(v) }

// FuncValue returns the function a func-typed value denotes: a declared
// function or a literal, or nil.
func FuncValue(v ssa.Value) *ssa.Function {
	switch x := Unconvert(v).(type) {
	case *ssa.Function:
		return x
	case *ssa.MakeClosure:
		fn, _ := x.Fn.(*ssa.Function)
		return fn
	}
	return nil
}

// ConstantGlobal returns the constant a package variable always holds: the
// one constant every store to it outside test files stores (net/http's
// `var rstAvoidanceDelay = 500 * time.Millisecond`, a variable only so that
// tests can change it), or nil.
func (r *Result) ConstantGlobal(g *ssa.Global) *ssa.Const {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.constGlobals[g]; ok {
		return c
	}
	if r.constGlobals == nil {
		r.constGlobals = map[*ssa.Global]*ssa.Const{}
	}
	c := r.constantGlobal(g)
	r.constGlobals[g] = c
	return c
}

func (r *Result) constantGlobal(g *ssa.Global) *ssa.Const {
	var only *ssa.Const
	for _, fn := range r.allFuncs() {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				st, ok := instr.(*ssa.Store)
				if !ok || st.Addr != g {
					continue
				}
				pos := st.Pos()
				if !pos.IsValid() {
					pos = fn.Pos()
				}
				if pos.IsValid() && r.Syntax.InTestFile(pos) {
					continue
				}
				c, ok := st.Val.(*ssa.Const)
				if !ok || only != nil && (c.Value == nil || only.Value == nil || c.Value.ExactString() != only.Value.ExactString()) {
					return nil
				}
				only = c
			}
		}
	}
	return only
}

// Returns lists fn's return instructions that give results.
func Returns(fn *ssa.Function) []*ssa.Return {
	var out []*ssa.Return
	for _, b := range fn.Blocks {
		if len(b.Instrs) == 0 {
			continue
		}
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && len(ret.Results) > 0 {
			out = append(out, ret)
		}
	}
	return out
}

// NoticeablePause is the shortest pause a cancelled caller is kept waiting
// by that the rules report: shorter throttles (etcd's 50 ms lease renewal)
// are left alone.
const NoticeablePause = 200 * time.Millisecond

// KnownConcrete reports whether the interface value v is known to hold one
// concrete type: it is made from one (MakeInterface), or returned by a
// function of this package every return of which makes it from the same
// type (a constructor such as yggdrasil's SOCKS5 returning Dialer).
func (r *Result) KnownConcrete(v ssa.Value) bool {
	return concreteOf(r.Pkg, v, 0) != nil
}

func concreteOf(pkg *ssa.Package, v ssa.Value, depth int) types.Type {
	if depth > 2 || v == nil {
		return nil
	}
	switch x := v.(type) {
	case *ssa.MakeInterface:
		return x.X.Type()
	case *ssa.ChangeInterface:
		return concreteOf(pkg, x.X, depth+1)
	case *ssa.Extract:
		call, ok := x.Tuple.(*ssa.Call)
		if !ok {
			return nil
		}
		return returnedConcrete(pkg, call, x.Index, depth)
	case *ssa.Call:
		return returnedConcrete(pkg, x, 0, depth)
	}
	return nil
}

// returnedConcrete is concreteOf for result i of a call of a function of
// pkg: the one type every return makes that result from, or nil.
func returnedConcrete(pkg *ssa.Package, call *ssa.Call, i int, depth int) types.Type {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg != pkg || pkg == nil || len(callee.Blocks) == 0 {
		return nil
	}
	var out types.Type
	for _, ret := range Returns(callee) {
		if i >= len(ret.Results) {
			return nil
		}
		v := Returned(ret, i)
		if IsNilConst(v) {
			continue // the error path: no value to call
		}
		t := concreteOf(pkg, v, depth+1)
		if t == nil || out != nil && !types.Identical(out, t) {
			return nil
		}
		out = t
	}
	return out
}
