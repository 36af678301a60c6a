package ctxflow

import (
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// DialedConn reports whether v is the client side of a connection: the
// result of a catalog dial (net.Dial, a Dialer, tls.Dial…) or net.DialTimeout, of a function of
// the package that returns one on every path, or a load of a field only this
// package can reach that every store of the package fills with one. Such a
// connection serves a caller, whose context carries the budget; accepted
// server connections set their own deadlines by design, and a connection
// handed in from elsewhere is of unknown origin.
func (r *Result) DialedConn(v ssa.Value) bool { return r.dialedConn(v, 0) }

func (r *Result) dialedConn(v ssa.Value, depth int) bool {
	if depth > 6 {
		return false
	}
	for i := 0; i < 8; i++ {
		switch x := v.(type) {
		case *ssa.Extract:
			v = x.Tuple
			continue
		case *ssa.MakeInterface:
			v = x.X
			continue
		case *ssa.ChangeInterface:
			v = x.X
			continue
		case *ssa.TypeAssert:
			v = x.X
			continue
		case *ssa.Call:
			callee, _, _ := SplitCall(x.Common())
			if knowledge.RoleOf(callee) == knowledge.NetDialTimeout {
				return true
			}
			if s := r.Catalog.Lookup(callee); s != nil {
				return s.Kind == knowledge.Dial
			}
			fn := x.Call.StaticCallee()
			if fn == nil || fn.Pkg != r.Pkg || len(fn.Blocks) == 0 {
				return false
			}
			return r.memoDialed(fn, func() bool { return r.returnsDialed(fn, depth) })
		case *ssa.UnOp:
			fa, ok := x.X.(*ssa.FieldAddr)
			if !ok {
				return false
			}
			f := r.privateField(fa)
			if f == nil {
				return false
			}
			return r.memoDialed(f, func() bool { return r.storesDialed(f, depth) })
		}
		return false
	}
	return false
}

func (r *Result) memoDialed(key any, decide func() bool) bool {
	if known, ok := r.dialedConns[key]; ok {
		return known
	}
	if r.dialedConns == nil {
		r.dialedConns = map[any]bool{}
	}
	r.dialedConns[key] = false
	known := decide()
	r.dialedConns[key] = known
	return known
}

// returnsDialed reports whether every return of fn gives a dialed
// connection or nil (the error path) in its connection-typed result.
func (r *Result) returnsDialed(fn *ssa.Function, depth int) bool {
	res := fn.Signature.Results()
	idx := -1
	for i := range res.Len() {
		if HasDeadlineSetter(res.At(i).Type()) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return false
	}
	var vals []ssa.Value
	for _, ret := range Returns(fn) {
		if idx >= len(ret.Results) {
			return false
		}
		vals = append(vals, ret.Results[idx])
	}
	return r.allDialed(vals, depth)
}

// storesDialed reports whether the package stores only dialed connections
// (or nil) in field f, at least one.
func (r *Result) storesDialed(f *types.Var, depth int) bool {
	r.indexStores()
	return r.allDialed(r.stores[f], depth)
}

// allDialed reports whether every value but nil is a dialed connection, and
// at least one is.
func (r *Result) allDialed(vals []ssa.Value, depth int) bool {
	found := false
	for _, v := range vals {
		if IsNilConst(v) {
			continue
		}
		if !r.dialedConn(v, depth+1) {
			return false
		}
		found = true
	}
	return found
}

// HasDeadlineSetter reports whether values of type t have a read or write
// deadline setter (net.Conn and the like).
func HasDeadlineSetter(t types.Type) bool {
	ms := types.NewMethodSet(t)
	if _, isPtr := t.Underlying().(*types.Pointer); !isPtr && !types.IsInterface(t) {
		ms = types.NewMethodSet(types.NewPointer(t))
	}
	for i := range ms.Len() {
		if fn, ok := ms.At(i).Obj().(*types.Func); ok {
			if read, write := knowledge.DeadlineSetter(fn); read || write {
				return true
			}
		}
	}
	return false
}

// FixedConnDeadline returns the deadline setter (as "SetDeadline(time.Now().Add(…))")
// that fn, a function of the package that receives no context, calls with a
// fixed timeout on a dialed connection (DialedConn) nothing closes when a
// context ends, itself or through such functions of the package it calls;
// "" if none. A caller with a context in scope then waits on the connection
// past that context's deadline.
func (r *Result) FixedConnDeadline(fn *ssa.Function) string {
	if fn == nil || fn.Pkg != r.Pkg || len(fn.Blocks) == 0 || receivesContext(fn) {
		return ""
	}
	if known, ok := r.fixedConnDeadlines[fn]; ok {
		return known
	}
	if r.fixedConnDeadlines == nil {
		r.fixedConnDeadlines = map[*ssa.Function]string{}
	}
	r.fixedConnDeadlines[fn] = ""
	found := r.fixedConnDeadline(fn)
	r.fixedConnDeadlines[fn] = found
	return found
}

func (r *Result) fixedConnDeadline(fn *ssa.Function) string {
	if consultsDeadline(fn) {
		return ""
	}
	for set := range deadlineSets(fn) {
		if !NowPlus(set.arg) || !r.DialedConn(set.recv) {
			continue
		}
		if f := loadedField(stripConversions(set.recv)); f != nil && r.fieldClosedOnDone(f) {
			continue
		}
		return set.callee.Name() + "(time.Now().Add(…))"
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			if w := r.FixedConnDeadline(call.Call.StaticCallee()); w != "" {
				return w
			}
		}
	}
	return ""
}

// receivesContext reports whether fn has a context parameter (or, for a
// literal, captures one).
func receivesContext(fn *ssa.Function) bool {
	for _, p := range fn.Params {
		if knowledge.IsContext(p.Type()) {
			return true
		}
	}
	for _, fv := range fn.FreeVars {
		if knowledge.IsContext(fv.Type()) {
			return true
		}
	}
	return false
}

// LocalListener reports whether the listener v is known to be a Unix-domain
// socket (the result of net.Listen("unix", …)): its clients are local
// processes, not peers across a network.
func LocalListener(v ssa.Value) bool {
	v = StripInterface(v)
	if ex, ok := v.(*ssa.Extract); ok {
		v = ex.Tuple
	}
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	callee, _, args := SplitCall(call.Common())
	return knowledge.RoleOf(callee) == knowledge.NetListen && localNetwork(args)
}
