package ctxflow

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// DetachedWork reports whether a fresh context made at call, in fn, belongs to
// work that must outlive or follow the caller's context, by flow: fn is a
// function literal run on another schedule (started with go, deferred,
// handed to a runner or registered), the call runs once a context is known
// done or an error is known to be a cancellation (cleanup after it), the
// new context itself is handed to a goroutine, or its cancel function (or a
// derived context's) is kept in a field: an object's lifetime.
func (r *Result) DetachedWork(fn *ssa.Function, call *ssa.Call) bool {
	for f := fn; f.Parent() != nil && !ownsContext(f); f = f.Parent() {
		// A literal that receives its own context (a handler returned as
		// an http.HandlerFunc) runs under that context, whoever runs it.
		if r.UsedAsValue(f) && !r.Awaited(f) && !r.CalledDuringCall(f) && !r.HandedWithContext(f) {
			return true
		}
	}
	return r.detachedWhere(fn, call)
}

// detachedWhere is DetachedWork without the literal's schedule: for a
// context the literal itself works under (a work context it uses), the
// schedule it runs on does not detach it.
func (r *Result) detachedWhere(fn *ssa.Function, call *ssa.Call) bool {
	for _, d := range r.Dones(fn) {
		if d.Covers(call.Block(), IndexOf(call)) {
			return true
		}
	}
	if afterCancellationTest(fn, call) {
		return true
	}
	return cancelKept(call, 0)
}

// cancelKept reports whether the cancel function of the fresh context made
// at v, or of one derived from it, is kept in a struct field or package
// variable: whoever holds the object ends the work, on its own schedule
// (cli's codespaces invoker keeps the port forwarder's cancel in cancelPF).
func cancelKept(v ssa.Value, depth int) bool {
	if depth > 4 || v.Referrers() == nil {
		return false
	}
	for _, ref := range *v.Referrers() {
		switch x := ref.(type) {
		case *ssa.Extract:
			if x.Index == 0 && cancelKept(x, depth+1) {
				return true
			}
			if x.Index == 1 && storedAway(x) {
				return true
			}
		case *ssa.Call:
			callee, _, args := SplitCall(x.Common())
			if _, parent, _ := knowledge.RoleOf(callee).Derivation(); parent && len(args) > 0 && args[0] == v && cancelKept(x, depth+1) {
				return true
			}
		}
	}
	return false
}

// storedAway reports whether a value is stored in a struct field or a
// package variable.
func storedAway(v ssa.Value) bool {
	for _, ref := range *v.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Val == v {
			switch st.Addr.(type) {
			case *ssa.FieldAddr, *ssa.Global:
				return true
			}
		}
	}
	return false
}

// ownsContext reports whether fn has a context of its own: a parameter
// that is a context or carries one (a request, an interface such as a gRPC
// stream with its Context(); as for ContextInScope, a concrete type with
// such a method, tls.ClientHelloInfo, may be an object of its own).
func ownsContext(fn *ssa.Function) bool {
	for _, p := range fn.Params {
		if _, kind := paramContext(fn, p); kind != noContext {
			return true
		}
	}
	return false
}

// afterCancellationTest reports whether the call runs only where an error
// was found to be context.Canceled or DeadlineExceeded.
func afterCancellationTest(fn *ssa.Function, call *ssa.Call) bool {
	for _, b := range fn.Blocks {
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		var other ssa.Value
		switch cond := iff.Cond.(type) {
		case *ssa.Call:
			callee, _, args := SplitCall(cond.Common())
			if knowledge.RoleOf(callee) == knowledge.ErrorsIs && len(args) == 2 {
				other = args[1]
			}
		case *ssa.BinOp:
			if cond.Op == token.EQL {
				other = cond.Y
			}
		}
		if other == nil || !isSentinel(other) {
			continue
		}
		if t := b.Succs[0]; len(t.Preds) == 1 && t.Dominates(call.Block()) {
			return true
		}
	}
	return false
}

func isSentinel(v ssa.Value) bool {
	for {
		switch x := v.(type) {
		case *ssa.MakeInterface:
			v = x.X
		case *ssa.UnOp:
			g, ok := x.X.(*ssa.Global)
			if !ok || x.Op != token.MUL {
				return false
			}
			obj, _ := g.Object().(*types.Var)
			role := knowledge.VarRole(obj)
			return role == knowledge.CtxCanceled || role == knowledge.CtxDeadlineErr
		default:
			return false
		}
	}
}

// CallerContextDropped reports whether o, the context a call's wait runs
// under, is a root the function made where its caller's context is in
// scope — or one a constructor kept in a field — so that the caller's
// deadline and cancellation stop at this call.
// inScope is the caller's context to pass, or "" when the function receives
// it in a parameter named _ (discarded). Deliberately detached work (a
// goroutine, a registered callback, a call after the context is known
// done) does not count.
func (r *Result) CallerContextDropped(c *Call, o Origin) (inScope string, discarded, ok bool) {
	if o.State != NoDeadline || o.Detached || !o.Pos.IsValid() || !(o.RootFn != nil || o.NewRequest || o.StoredRoot) {
		return "", false, false
	}
	if !o.StoredRoot {
		if outer := outermostWritten(c.Fn); outer.Syntax() == nil || o.Pos < outer.Syntax().Pos() || o.Pos >= outer.Syntax().End() {
			return "", false, false // made elsewhere: a root the caller handed over is judged there
		}
	}
	ci, isCall := c.Instr.(*ssa.Call)
	expr := r.Syntax.CallExpr(c.Instr.Common().Pos())
	if !isCall || expr == nil {
		return "", false, false
	}
	inScope = r.ContextInScope(c.Fn, expr.Pos())
	discarded = inScope == "" && DiscardsContext(c.Fn)
	if inScope == "" && !discarded || r.DetachedWork(c.Fn, ci) {
		return "", false, false
	}
	if root := rootCall(o); root != nil && cancelKept(root, 0) {
		return "", false, false
	}
	return inScope, discarded, true
}

// outermostWritten returns the outermost function around fn that has
// syntax: a literal in a package variable's initializer (harbor's
// DefaultConfig.ReadOnly) has the synthetic init as its parent.
func outermostWritten(fn *ssa.Function) *ssa.Function {
	for fn.Parent() != nil && fn.Parent().Syntax() != nil {
		fn = fn.Parent()
	}
	return fn
}

// rootCall returns the call that made a root origin (Background, TODO, a
// derivation of one), or nil.
func rootCall(o Origin) *ssa.Call {
	if o.RootFn == nil {
		return nil
	}
	for _, b := range o.RootFn.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok && call.Pos() == o.Pos {
				return call
			}
		}
	}
	return nil
}

// implementedRoot returns, for a method of an interface of this package,
// the summary of its implementation here when every implementation the
// package has is of an unexported type and starts its own root that
// reaches a wait (infra's OIDC.GetUserInfo, implemented once, by a type
// whose constructor returns it as the interface): whichever of them runs,
// the caller's context stops at the call. Implementations elsewhere (a
// test's fake) are not seen; an exported implementation says there are.
func (r *Result) implementedRoot(m *types.Func) *Summary {
	if m.Pkg() != r.Pass.Pkg {
		return nil // another package's interface (oauth2.TokenSource): its signature is not this package's to change
	}
	impls := r.Implementations(m)
	if len(impls) == 0 || len(impls) > maxRootImplementations {
		return nil
	}
	var first *Summary
	for _, impl := range impls {
		if recv := impl.Signature.Recv(); recv == nil || exportedType(recv.Type()) {
			// An exported implementation (go-plugin's GRPCClient proxy,
			// client-go's DiscoveryClient) stands beside others made
			// elsewhere; an unexported one behind the interface is how the
			// package hands its one service out.
			return nil
		}
		s := r.Summary(impl)
		if s == nil || s.Root == nil || s.Deferred != nil || hasContextParamSSA(impl) {
			return nil
		}
		if first == nil {
			first = s
		}
	}
	return first
}

// triesContextForm reports whether fn asks the interface value v for a
// form that takes a context (`if dc, ok := d.(DialerContext); ok`): the
// call without one is its fallback for implementations that lack it
// (lib/pq's Dialer), and the caller already hands its context where it can.
func triesContextForm(fn *ssa.Function, v ssa.Value) bool {
	refs := v.Referrers()
	if refs == nil {
		return false // a constant (a generic instance's zero receiver), a global
	}
	for _, ref := range *refs {
		ta, ok := ref.(*ssa.TypeAssert)
		if !ok || ta.Parent() != fn {
			continue
		}
		iface, ok := ta.AssertedType.Underlying().(*types.Interface)
		if !ok {
			continue
		}
		for m := range iface.Methods() {
			if params := m.Signature().Params(); params.Len() > 0 && knowledge.IsContext(params.At(0).Type()) {
				return true
			}
		}
	}
	return false
}

// exportedType reports whether t, or the type t points to, is an exported
// named type.
func exportedType(t types.Type) bool {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	return ok && named.Obj().Exported()
}

// fieldValue reports whether v is loaded from a struct field: an
// interface kept in an object is filled by whoever built it, often with an
// implementation from elsewhere (client-go's wrappers around a legacy
// delegate, go-plugin's Impl).
func fieldValue(v ssa.Value) bool {
	_, byValue := v.(*ssa.Field)
	return byValue || loadedField(v) != nil
}

// maxRootImplementations is the most implementations implementedRoot
// asks about: beyond, the interface is a plug-in point, not a seam.
const maxRootImplementations = 4

// HelperRoot returns, for a call from a function that holds a caller's
// context (in scope, or received as _ when discarded), the summary of the
// helper it calls when that helper takes no context and starts its own
// root that reaches a wait: the caller's deadline and cancellation stop
// there. It returns nil for catalog sinks and context-free API forms
// (nodeadline's: use the context form), literals (judged where they are
// written), helpers that take a context (passing it is the caller's
// choice), interface methods unless every implementation the package has
// starts such a root (implementedRoot), and work detached on purpose.
func (r *Result) HelperRoot(call *Call) (s *Summary, inScope string, discarded bool) {
	return r.helperRoot(call, false)
}

// HelperRootUnderWork is HelperRoot where a context the caller made for
// its work (WorkContextInScope: a stop it hands out, a signal) counts as
// the caller's too: the helper's own root escapes that stop.
func (r *Result) HelperRootUnderWork(call *Call) (s *Summary, inScope string, discarded bool) {
	return r.helperRoot(call, true)
}

func (r *Result) helperRoot(call *Call, work bool) (s *Summary, inScope string, discarded bool) {
	if call.Sink != nil {
		return nil, "", false
	}
	s = call.Summary
	if s == nil && call.Target != nil {
		s = r.Summary(call.Target)
	}
	if common := call.Instr.Common(); common.IsInvoke() {
		s = nil
		if !triesContextForm(call.Fn, common.Value) && !fieldValue(common.Value) {
			s = r.implementedRoot(common.Method)
		}
	}
	if s == nil || s.Root == nil || call.Target != nil && call.Target.Parent() != nil || s.Deferred != nil {
		return nil, "", false
	}
	if call.Callee != nil && HasContextParam(call.Callee) {
		return nil, "", false
	}
	inScope = r.ContextInScope(call.Fn, r.Pos(call))
	discarded = inScope == "" && DiscardsContext(call.Fn)
	ci, ok := call.Instr.(*ssa.Call)
	if inScope == "" && !discarded && work && ok {
		// The literal's schedule detaches nothing when the literal works
		// under that context itself.
		if inScope = r.WorkContextInScope(call.Fn, r.Pos(call)); inScope != "" && r.detachedWhere(call.Fn, ci) {
			return nil, "", false
		}
		if inScope != "" {
			return s, inScope, false
		}
	}
	if inScope == "" && !discarded || !ok || r.DetachedWork(call.Fn, ci) {
		return nil, "", false
	}
	return s, inScope, discarded
}
