package ctxflow

import (
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// Wrapped reports whether fn is a context-free convenience form of a call
// that waits, whose callers are the ones to judge. A wrapper is recognised
// by its shape, not its name: a declared function or method with no
// context (or request) parameter whose body does nothing but pass every
// one of its parameters, plus a fresh root context (and constants), to one
// exported function or method, and return that call's results, itself
// exported: the context-taking form is part of the same API, so callers
// have the choice:
//
//	func (db *DB) Query(q string, args ...any) (*Rows, error) {
//		return db.QueryContext(context.Background(), q, args...)
//	}
//	func LookupHost(host string) ([]string, error) {
//		return DefaultResolver.LookupHost(context.Background(), host)
//	}
//
// Such functions are APIs that offer a context-free form on purpose; their
// callers are the ones to judge. A function of the catalog (a sink itself)
// is a wrapper of whatever it calls.
func (r *Result) Wrapped(fn *ssa.Function) bool {
	// The memos behind calledByForeignCode fill lazily; rules may ask
	// from their own goroutines.
	r.mu.Lock()
	defer r.mu.Unlock()
	outer := Outermost(fn)
	obj := funcObject(outer)
	if obj != nil && r.Catalog.Lookup(obj) != nil {
		return true
	}
	if r.calledByForeignCode(outer) {
		return false
	}
	return r.forwardingCall(outer) != nil || obj != nil && ContextTwin(obj) != nil
}

// calledByForeignCode reports whether fn is a method the package hands to
// another package behind an interface of that package (a value of its type
// converted to the interface, which has the method) whose package offers no
// context form of it: crypto.Signer's Sign, called by x509.CreateCertificate.
// Its callers are that package's code, which cannot pass a context: a root
// fn starts is fn's own finding, not a context-free form left to callers
// (spire's KeyManagerSigner.Sign passed context.Background() to a plugin
// RPC). An interface whose package has the context form as well
// (database/sql/driver's Prepare beside PrepareContext) leaves fn a form.
func (r *Result) calledByForeignCode(fn *ssa.Function) bool {
	known, ok := r.foreignCalled[fn]
	if !ok {
		known = r.calledByForeignCodeUncached(fn)
		if r.foreignCalled == nil {
			r.foreignCalled = map[*ssa.Function]bool{}
		}
		r.foreignCalled[fn] = known
	}
	return known
}

func (r *Result) calledByForeignCodeUncached(fn *ssa.Function) bool {
	obj := funcObject(fn)
	if obj == nil || obj.Signature().Recv() == nil {
		return false
	}
	named := receiverNamed(obj.Signature().Recv().Type())
	if named == nil {
		return false
	}
	for _, iface := range r.foreignInterfaces(named) {
		m, _, _ := types.LookupFieldOrMethod(iface, false, nil, obj.Name())
		mf, ok := m.(*types.Func)
		if !ok || !types.Identical(mf.Signature(), withoutRecv(obj.Signature())) && !types.Identical(withoutRecv(mf.Signature()), withoutRecv(obj.Signature())) {
			continue
		}
		if !offersContextForm(iface.Obj().Pkg(), mf.Signature()) {
			return true
		}
	}
	return false
}

// foreignInterfaces returns the named interface types of other packages
// that the package converts values of type named (or *named) to.
func (r *Result) foreignInterfaces(named *types.Named) []*types.Named {
	if r.convertedTo == nil {
		r.convertedTo = map[*types.TypeName][]*types.Named{}
		seen := map[[2]types.Object]bool{}
		for _, fn := range r.SrcFuncs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					mi, ok := instr.(*ssa.MakeInterface)
					if !ok {
						continue
					}
					to, ok := types.Unalias(mi.Type()).(*types.Named)
					from := receiverNamed(mi.X.Type())
					if !ok || from == nil || to.Obj().Pkg() == nil || to.Obj().Pkg() == r.Pass.Pkg || !types.IsInterface(to) {
						continue
					}
					key := [2]types.Object{from.Obj(), to.Obj()}
					if !seen[key] {
						seen[key] = true
						r.convertedTo[from.Obj()] = append(r.convertedTo[from.Obj()], to)
					}
				}
			}
		}
	}
	return r.convertedTo[named.Obj()]
}

// offersContextForm reports whether pkg declares an interface method or a
// function that takes a leading context, then plain's parameters (and
// possibly more: database/sql/driver's BeginTx(ctx, opts) beside Begin()),
// with plain's results.
func offersContextForm(pkg *types.Package, plain *types.Signature) bool {
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		switch o := scope.Lookup(name).(type) {
		case *types.Func:
			if extendsWithContext(o.Signature(), plain) {
				return true
			}
		case *types.TypeName:
			if it, ok := o.Type().Underlying().(*types.Interface); ok {
				for m := range it.Methods() {
					if extendsWithContext(m.Signature(), plain) {
						return true
					}
				}
			}
		}
	}
	return false
}

// extendsWithContext reports whether twin takes a context, then plain's
// parameters, then possibly more, and returns plain's results.
func extendsWithContext(twin, plain *types.Signature) bool {
	tp, pp := twin.Params(), plain.Params()
	if tp.Len() < pp.Len()+1 || !knowledge.IsContext(tp.At(0).Type()) {
		return false
	}
	for i := range pp.Len() {
		if !types.Identical(tp.At(i+1).Type(), pp.At(i).Type()) {
			return false
		}
	}
	return types.Identical(twin.Results(), plain.Results())
}

// withoutRecv returns sig without its receiver.
func withoutRecv(sig *types.Signature) *types.Signature {
	return types.NewSignatureType(nil, nil, nil, sig.Params(), sig.Results(), sig.Variadic())
}

// noteDeferred records that fn, if it is a context-free form of an API
// (not a catalog sink, which the catalog describes; not a closure, which
// may run later), makes a wait nothing bounds, for its callers to be told.
func (r *Result) noteDeferred(fn *ssa.Function, d DeferredWait) bool {
	if s := r.summary[fn]; s != nil && s.Deferred != nil {
		return false
	}
	if r.contextForm(fn) == nil {
		return false
	}
	d.Twin, d.TwinFits = r.twinOf(fn)
	r.summaryOf(fn).Deferred = &d
	return true
}

// twinOf names the context-taking twin of fn, a context-free form, and
// says whether a call can be rewritten to it (it takes fn's parameters
// after a leading context); "" when fn is no such form, or forwards to
// another context-free form.
func (r *Result) twinOf(fn *ssa.Function) (name string, fits bool) {
	twin := r.contextForm(fn)
	if twin == nil || !HasContextParam(twin) {
		return "", false
	}
	return twin.Name(), isContextForm(twin.Signature(), funcObject(fn).Signature())
}

// contextForm returns what a context-free form of an API (not a catalog
// sink, which the catalog describes; not a closure, which may run later)
// forwards to, or the twin its package offers beside it; nil for any other
// function.
func (r *Result) contextForm(fn *ssa.Function) *types.Func {
	if twin, ok := r.twins[fn]; ok {
		return twin
	}
	var twin *types.Func
	if obj := funcObject(fn); fn.Parent() == nil && obj != nil && !hasContextParamSSA(fn) && r.Catalog.Lookup(obj) == nil && !r.calledByForeignCode(fn) {
		if call := r.forwardingCall(fn); call != nil {
			twin, _, _ = SplitCall(call.Common())
		} else {
			twin = ContextTwin(obj)
		}
	}
	r.twins[fn] = twin
	return twin
}

// ContextTwin returns the context-taking form that fn's package offers
// beside it, or nil: a function (or a method of the same type) of the same
// package whose parameters are fn's after a leading context.Context, with
// the same results (sqlx's Connect and ConnectContext, the Query and
// QueryContext of its statement wrapper), both exported. Found by signature, not name;
// when several fit, none is taken. fn, which takes no context, is then
// the deliberate context-free form of that API, and its callers the ones
// to judge, as for a function that forwards to its context form.
func ContextTwin(fn *types.Func) *types.Func {
	sig := fn.Signature()
	if !fn.Exported() {
		return nil // an API offers its context-free forms under exported names
	}
	if sig.Params().Len() == 0 {
		// Close() error beside Shutdown(ctx) error, Detached() beside
		// All(ctx): without parameters to match, the shape says nothing.
		return nil
	}
	for v := range sig.Params().Variables() {
		if knowledge.IsContext(v.Type()) {
			return nil
		}
	}
	var candidates []*types.Func
	if recv := sig.Recv(); recv != nil {
		named := receiverNamed(recv.Type())
		if named == nil {
			return nil
		}
		for m := range named.Methods() {
			candidates = append(candidates, m)
		}
	} else if fn.Pkg() != nil {
		scope := fn.Pkg().Scope()
		for _, name := range scope.Names() {
			if f, ok := scope.Lookup(name).(*types.Func); ok {
				candidates = append(candidates, f)
			}
		}
	}
	var twin *types.Func
	for _, c := range candidates {
		if c == fn || !c.Exported() || !isContextForm(c.Signature(), sig) {
			continue // the callers of the exported form must be able to call its twin
		}
		if twin != nil {
			return nil // ambiguous
		}
		twin = c
	}
	if twin == nil {
		return nil
	}
	for _, c := range candidates {
		if c != fn && isContextForm(twin.Signature(), c.Signature()) {
			return nil // the twin would serve two context-free forms: not a pair
		}
	}
	return twin
}

// isContextForm reports whether twin's parameters are plain's after a
// leading context.Context, with identical results.
func isContextForm(twin, plain *types.Signature) bool {
	tp, pp := twin.Params(), plain.Params()
	if tp.Len() != pp.Len()+1 || !knowledge.IsContext(tp.At(0).Type()) || twin.Variadic() != plain.Variadic() {
		return false
	}
	for i := range pp.Len() {
		if !types.Identical(tp.At(i+1).Type(), pp.At(i).Type()) {
			return false
		}
	}
	tr, pr := twin.Results(), plain.Results()
	if tr.Len() != pr.Len() {
		return false
	}
	for i := range pr.Len() {
		if !types.Identical(tr.At(i).Type(), pr.At(i).Type()) {
			return false
		}
	}
	return true
}

// receiverNamed returns the named type of a method receiver (T or *T).
func receiverNamed(t types.Type) *types.Named {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, _ := types.Unalias(t).(*types.Named)
	return named
}

func (r *Result) forwardingCall(fn *ssa.Function) *ssa.Call {
	obj := funcObject(fn)
	if obj == nil || !obj.Exported() || len(fn.Blocks) == 0 || len(fn.AnonFuncs) > 0 {
		return nil // an API offers its context-free forms under exported names
	}
	for _, p := range fn.Params {
		if knowledge.IsContext(p.Type()) || knowledge.TypeRole(p.Type()) == knowledge.HTTPRequestType {
			return nil
		}
	}
	var forward *ssa.Call
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Call:
				callee, _, _ := SplitCall(instr.Common())
				if knowledge.RoleOf(callee) == knowledge.CtxRoot {
					continue
				}
				if forward != nil {
					return nil // more than one call: it does more than forward
				}
				forward = instr
			case *ssa.MakeInterface, *ssa.ChangeType, *ssa.ChangeInterface, *ssa.Slice, *ssa.Extract,
				*ssa.Return, *ssa.Jump, *ssa.DebugRef, *ssa.FieldAddr, *ssa.Field:
			case *ssa.UnOp:
				if _, ok := instr.X.(*ssa.Global); !ok && instr.Op.String() != "*" {
					return nil
				}
			default:
				return nil
			}
		}
	}
	if forward == nil || !passesRoot(forward) || !returnsOnly(fn, forward) {
		return nil
	}
	if callee, _, _ := SplitCall(forward.Common()); callee == nil || !callee.Exported() || callee.Pkg() != obj.Pkg() {
		// The context-taking form must be offered to the same callers: a
		// function forwarding to another package's API gives its own
		// callers no context-taking choice, so the root it passes is its
		// own finding.
		return nil
	}
	used := map[ssa.Value]bool{}
	for _, a := range append([]ssa.Value{forward.Common().Value}, forward.Common().Args...) {
		used[underlyingValue(a)] = true
	}
	for _, p := range fn.Params {
		if !used[p] {
			return nil
		}
	}
	return forward
}

// returnsOnly reports whether fn has results and every return returns
// exactly the results of call, in order.
func returnsOnly(fn *ssa.Function, call *ssa.Call) bool {
	n := fn.Signature.Results().Len()
	if n == 0 {
		return false
	}
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		for i, v := range ret.Results {
			v = underlyingValue(v)
			if n == 1 && v == call {
				continue
			}
			if x, ok := v.(*ssa.Extract); !ok || x.Tuple != call || x.Index != i {
				return false
			}
		}
	}
	return true
}

// passesRoot reports whether a call is given a fresh root context.
func passesRoot(call *ssa.Call) bool {
	for _, a := range call.Common().Args {
		if c, ok := a.(*ssa.Call); ok {
			callee, _, _ := SplitCall(c.Common())
			if knowledge.RoleOf(callee) == knowledge.CtxRoot {
				return true
			}
		}
	}
	return false
}

// underlyingValue looks through conversions and field selections to the
// value a parameter is forwarded as.
func underlyingValue(v ssa.Value) ssa.Value {
	for {
		switch x := Unconvert(v).(type) {
		case *ssa.Slice:
			v = x.X
		case *ssa.Field:
			v = x.X
		case *ssa.FieldAddr:
			v = x.X
		case *ssa.UnOp:
			if _, ok := x.X.(*ssa.Global); ok {
				return x
			}
			v = x.X
		default:
			return x
		}
	}
}
