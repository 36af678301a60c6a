package ctxflow

import (
	"go/constant"
	"go/token"
	"go/types"
	"time"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// State is what is known about the deadline of a context.Context value.
type State uint8

const (
	// Unknown: the value comes from somewhere the analysis cannot see (the
	// result of an arbitrary call, a global). Rules never report it.
	Unknown State = iota
	// Inherited: a parameter, a receiver field or a closure capture of one. The
	// caller owns its deadline and is judged at its own call site.
	Inherited
	// Deadline: bounded by WithTimeout or WithDeadline on every path.
	Deadline
	// MaybeNoDeadline: unbounded on some path and something else on another.
	MaybeNoDeadline
	// NoDeadline: Background, TODO or WithoutCancel (or only derivations by
	// WithCancel/WithValue of those) on every path.
	NoDeadline
)

func (s State) String() string {
	switch s {
	case Inherited:
		return "inherited"
	case Deadline:
		return "deadline"
	case MaybeNoDeadline:
		return "maybe-no-deadline"
	case NoDeadline:
		return "no-deadline"
	}
	return "unknown"
}

// Unbounded reports whether the state may lack a deadline.
func (s State) Unbounded() bool { return s == NoDeadline || s == MaybeNoDeadline }

// Origin says where a context value came from and what that implies.
type Origin struct {
	State State
	// Desc names the deciding expression for messages: "context.Background()",
	// "context.WithTimeout(…)", "http.NewRequest", "parameter ctx".
	Desc string
	// Pos is the position of the deciding call (its Lparen in SSA terms is
	// mapped back to the call's start) or parameter.
	Pos token.Pos
	// Param is the parameter the value was inherited from (possibly a parameter
	// of an enclosing function, for closures), or nil.
	Param *ssa.Parameter
	// Field is set when the value was inherited from a struct field.
	Field bool
	// Kept is that field when only this package can set it (an object's
	// kept context), and KeptBy the parameter or capture whose field it is.
	Kept   *types.Var
	KeptBy ssa.Value
	// StoredRoot is set when the value is a root kept in a struct field
	// that the package only ever sets to a bare root (fieldRoot).
	StoredRoot bool
	// DerivedFrom is, for a context WithTimeout or WithDeadline made from
	// a context parameter (State Deadline), that parameter: the wait still
	// ends with the caller's cancellation and any earlier deadline.
	DerivedFrom *ssa.Parameter
	// Request is set when the value is (*http.Request).Context() of a request
	// the function received: the server owns that context.
	Request bool
	// Signal is set when the value derives from signal.NotifyContext.
	Signal bool
	// Detached is set when the root is context.WithoutCancel: deliberately
	// detached work, which still needs a budget of its own.
	Detached bool
	// NewRequest is set when the value is the context of a request built by
	// http.NewRequest (context.Background).
	NewRequest bool
	// RootFn is the function that made the root (Background, TODO,
	// WithoutCancel) the value comes from, when it comes from one on the
	// path that decides; Rooted is set when the value is a deadline derived
	// from such a root (WithTimeout(context.Background(), d)).
	RootFn *ssa.Function
	Rooted bool
	// Root describes that root: "context.Background()".
	Root string
	// Timeout is the constant duration of the WithTimeout that bounds the value,
	// or 0 when it is not a constant (or the bound is a WithDeadline).
	Timeout time.Duration
	// Bounder is the WithTimeout/WithDeadline call that gives the Deadline state.
	Bounder *ssa.Call
}

// ContextFunc reports how fn derives a context, for rules that look at
// context constructors themselves (sharedeadline).
func ContextFunc(fn *types.Func) (root, parent, deadline bool) {
	return knowledge.RoleOf(fn).Derivation()
}

// Classify returns the origin of a context.Context value.
// It is safe for concurrent use: rules of one package run in parallel.
func (r *Result) Classify(v ssa.Value) Origin {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.beginQuery(v.Parent())
	return r.classify(v, 0)
}

// maxDepth bounds the walk through long chains of phis and loads; beyond it
// the value is Unknown, which is never reported.
const maxDepth = 64

func (r *Result) classify(v ssa.Value, depth int) Origin {
	if isHTTPRequestPtr(v.Type()) {
		// A request carries its context: a helper's request parameter
		// reaches a wait as a context parameter does.
		return r.requestOrigin(v, depth)
	}
	if o, ok := r.origins[v]; ok {
		return o
	}
	if depth > maxDepth || !r.step() {
		return Origin{}
	}
	// Cycles through phis resolve to "no information" from the back edge.
	r.origins[v] = Origin{State: cycle}
	o := r.classifyUncached(v, depth+1)
	r.origins[v] = o
	return o
}

// cycle is an internal state for a value still being classified; merge skips it.
const cycle State = 255

func (r *Result) classifyUncached(v ssa.Value, depth int) Origin {
	switch v := v.(type) {
	case *ssa.Parameter:
		return Origin{State: Inherited, Desc: "parameter " + v.Name(), Pos: v.Pos(), Param: v}
	case *ssa.FreeVar:
		if b := r.binding(v); b != nil {
			return r.classify(b, depth)
		}
		return Origin{State: Inherited, Desc: "captured " + v.Name(), Pos: v.Pos()}
	case *ssa.Call:
		return r.classifyCall(v, depth)
	case *ssa.Extract:
		if call, ok := v.Tuple.(*ssa.Call); ok && v.Index == 0 {
			return r.classifyCall(call, depth)
		}
	case *ssa.Phi:
		return r.mergeEdges(v, depth)
	case *ssa.ChangeInterface:
		return r.classify(v.X, depth)
	case *ssa.MakeInterface:
		return r.classify(v.X, depth)
	case *ssa.ChangeType:
		return r.classify(v.X, depth)
	case *ssa.TypeAssert:
		if !v.CommaOk {
			return r.classify(v.X, depth)
		}
	case *ssa.UnOp:
		if v.Op == token.MUL {
			return r.classifyLoad(v.X, depth)
		}
	case *ssa.Field:
		if o, ok := r.fieldRoot(structField(v.X.Type(), v.Field), depth); ok {
			return o
		}
		if r.rootedInParam(v.X) {
			return r.keptOrigin(Origin{State: Inherited, Desc: "field " + fieldName(v.X.Type(), v.Field), Pos: v.Pos(), Field: true}, structField(v.X.Type(), v.Field), v.X)
		}
	}
	return Origin{}
}

// classifyLoad classifies *addr.
func (r *Result) classifyLoad(addr ssa.Value, depth int) Origin {
	switch a := addr.(type) {
	case *ssa.Alloc:
		return r.mergeStores(a, depth)
	case *ssa.FreeVar:
		if b := r.binding(a); b != nil {
			if alloc, ok := b.(*ssa.Alloc); ok {
				return r.mergeStores(alloc, depth)
			}
		}
		return Origin{State: Inherited, Desc: "captured " + a.Name(), Pos: a.Pos()}
	case *ssa.FieldAddr:
		if o, ok := r.fieldRoot(structField(a.X.Type(), a.Field), depth); ok {
			return o
		}
		if r.rootedInParam(a.X) {
			return r.keptOrigin(Origin{State: Inherited, Desc: "field " + fieldName(a.X.Type(), a.Field), Pos: a.Pos(), Field: true}, structField(a.X.Type(), a.Field), a.X)
		}
	}
	return Origin{}
}

// fieldRoot classifies a context field that only this package can set (an
// unexported field) and that every store in the package sets to a bare root,
// context.Background() or TODO() (a constructor's `ctx: context.TODO()`):
// nobody can cancel it or give it a deadline, so every wait given it is
// unbounded. A field set from anything else (WithCancel, a parameter) is an
// object's lifecycle, judged as inherited.
func (r *Result) fieldRoot(f *types.Var, depth int) (Origin, bool) {
	if f == nil || f.Exported() || !knowledge.IsContext(f.Type()) {
		return Origin{}, false
	}
	r.indexStores()
	stores := r.stores[f]
	if len(stores) == 0 {
		return Origin{}, false
	}
	var first Origin
	for i, val := range stores {
		call, ok := StripInterface(val).(*ssa.Call)
		if !ok {
			return Origin{}, false
		}
		if callee, _, _ := SplitCall(call.Common()); knowledge.RoleOf(callee) != knowledge.CtxRoot {
			return Origin{}, false
		}
		o := r.classify(call, depth)
		if o.State != NoDeadline {
			return Origin{}, false
		}
		if i == 0 {
			first = o
		}
	}
	first.Desc += " (stored in field " + f.Name() + ")"
	first.RootFn, first.Rooted = nil, false // made elsewhere: no function here starts it
	first.StoredRoot = true
	return first, true
}

// rootedInParam reports whether v is a parameter, a capture, or a field path
// from one: the caller's state.
func (r *Result) rootedInParam(v ssa.Value) bool { return fieldPathRoot(v, false) != nil }

// fieldPathRoot returns the parameter or captured variable v is, or is a
// field path from (a load of p.f, a field of a struct value p), or nil;
// with throughSpills, a local a parameter is stored in once counts as the
// parameter (a value receiver spilled to the stack).
func fieldPathRoot(v ssa.Value, throughSpills bool) ssa.Value {
	for i := 0; i < maxDepth; i++ {
		switch x := v.(type) {
		case *ssa.Parameter, *ssa.FreeVar:
			return x
		case *ssa.FieldAddr:
			v = x.X
		case *ssa.Field:
			v = x.X
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return nil
			}
			v = x.X
		case *ssa.Alloc:
			stored := StoredOnce(x)
			if !throughSpills || stored == nil {
				return nil
			}
			v = stored
		default:
			return nil
		}
	}
	return nil
}

func fieldName(t types.Type, i int) string {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	if s, ok := t.Underlying().(*types.Struct); ok && i < s.NumFields() {
		return s.Field(i).Name()
	}
	return "field"
}

// mergeStores merges every value stored to a local variable. If the variable's
// address escapes to a call, something else may store to it: Unknown.
func (r *Result) mergeStores(a *ssa.Alloc, depth int) Origin {
	var origins []Origin
	for _, ref := range *a.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store:
			if ref.Addr == a {
				origins = append(origins, r.classify(ref.Val, depth))
			} else {
				return Origin{}
			}
		case ssa.CallInstruction:
			return Origin{}
		}
	}
	return merge(origins)
}

func (r *Result) mergeEdges(phi *ssa.Phi, depth int) Origin {
	origins := make([]Origin, 0, len(phi.Edges))
	for _, e := range phi.Edges {
		origins = append(origins, r.classify(e, depth))
	}
	// `if ctx == nil { ctx = context.Background() }` is a nil guard, not a
	// context without deadline: the edge that was tested decides.
	if i := nilGuardedEdge(phi); i >= 0 {
		return origins[i]
	}
	if kept := nilFallbacksDropped(phi, origins); len(kept) < len(origins) && len(kept) > 0 {
		return merge(kept)
	}
	for i := range phi.Edges {
		// A root taken only where the caller's context was found to have
		// no deadline (`if d, ok := ctx.Deadline(); ok { c =
		// WithDeadline(c, d) }`: boulder's multiSource copies the
		// caller's deadline when there is one): there the caller had none
		// to give either; what the wait lacks is the caller's.
		if origins[i].State.Unbounded() && r.noDeadlineEdge(phi, i) {
			origins[i] = Origin{State: Inherited, Desc: origins[i].Desc, Pos: origins[i].Pos}
		}
	}
	return merge(origins)
}

// noDeadlineEdge reports whether phi's edge i is only taken where a test
// found, from `_, ok := ctx.Deadline()` on a context the caller handed
// over, that it carries no deadline: the edge is the false branch of `if
// ok`, or leaves a block under that branch.
func (r *Result) noDeadlineEdge(phi *ssa.Phi, i int) bool {
	pred := phi.Block().Preds[i]
	if iff := r.deadlineOkTest(pred); iff != nil {
		return pred.Succs[1] == phi.Block() && pred.Succs[0] != phi.Block()
	}
	for b := pred; b.Idom() != nil; b = b.Idom() {
		p := b.Idom()
		if r.deadlineOkTest(p) != nil {
			return len(p.Succs[1].Preds) == 1 && p.Succs[1].Dominates(pred)
		}
	}
	return false
}

// deadlineOkTest returns the If that ends block b when it tests the ok of
// a caller's context's Deadline(), or nil.
func (r *Result) deadlineOkTest(b *ssa.BasicBlock) *ssa.If {
	if len(b.Instrs) == 0 {
		return nil
	}
	iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return nil
	}
	call := DeadlineResult(iff.Cond, 1)
	if call == nil {
		return nil
	}
	if _, recv, _ := SplitCall(call.Common()); recv == nil || r.classify(recv, 0).State != Inherited {
		return nil
	}
	return iff
}

// DeadlineResult returns the ctx.Deadline() call whose result index
// (0 the time, 1 the ok) v is, or nil.
func DeadlineResult(v ssa.Value, index int) *ssa.Call {
	ext, ok := v.(*ssa.Extract)
	if !ok || ext.Index != index {
		return nil
	}
	call, ok := ext.Tuple.(*ssa.Call)
	if !ok {
		return nil
	}
	if fn, _, _ := SplitCall(call.Common()); knowledge.RoleOf(fn) != knowledge.CtxDeadlineOf {
		return nil
	}
	return call
}

// nilFallbacksDropped returns the origins of phi's edges without those that
// are a root made only where another edge was found nil (fiber's Destroy:
// `ctx = s.ctx; if s.gctx != nil { ctx = s.gctx } else if ctx == nil { ctx =
// context.Background() }`): a nil guard with more than two ways in.
func nilFallbacksDropped(phi *ssa.Phi, origins []Origin) []Origin {
	var kept []Origin
	for i, e := range phi.Edges {
		if root, ok := e.(*ssa.Call); ok && nilFallback(phi, root) {
			continue
		}
		kept = append(kept, origins[i])
	}
	return kept
}

// nilFallback reports whether root, a context root, is made in a block
// entered only from a test that found another edge of phi nil.
func nilFallback(phi *ssa.Phi, root *ssa.Call) bool {
	if fn, _, _ := SplitCall(root.Common()); knowledge.RoleOf(fn) != knowledge.CtxRoot {
		return false
	}
	tested := foundNil(root.Block())
	if tested == nil {
		return false
	}
	for _, e := range phi.Edges {
		if e == tested {
			return true
		}
	}
	return false
}

// foundNil returns the value a test found nil when block b is entered only
// from the nil side of `x == nil` (or `x != nil`), or nil.
func foundNil(b *ssa.BasicBlock) ssa.Value {
	if tested, nilSide := nilTestInto(b); nilSide {
		return tested
	}
	return nil
}

// nilTestInto returns the value compared with nil by the test that is the
// only way into block b (`x == nil` or `x != nil`), and whether b is that
// test's nil side; nil when b is entered otherwise.
func nilTestInto(b *ssa.BasicBlock) (tested ssa.Value, nilSide bool) {
	if len(b.Preds) != 1 || len(b.Preds[0].Instrs) == 0 {
		return nil, false
	}
	guard := b.Preds[0]
	iff, ok := guard.Instrs[len(guard.Instrs)-1].(*ssa.If)
	if !ok {
		return nil, false
	}
	bin, ok := iff.Cond.(*ssa.BinOp)
	if !ok || (bin.Op != token.EQL && bin.Op != token.NEQ) {
		return nil, false
	}
	switch {
	case isNil(bin.X):
		tested = bin.Y
	case isNil(bin.Y):
		tested = bin.X
	default:
		return nil, false
	}
	return tested, bin.Op == token.EQL && b == guard.Succs[0] || bin.Op == token.NEQ && b == guard.Succs[1]
}

// nilDefaultEdge reports whether phi's edge i arrives only from the true
// side of a test that found another of its edges, a parameter, nil: `if hc
// == nil { hc = http.DefaultClient }`, the value used when the caller gives
// none.
func nilDefaultEdge(phi *ssa.Phi, i int) bool {
	preds := phi.Block().Preds
	if i >= len(preds) {
		return false
	}
	tested := foundNil(preds[i])
	if _, param := tested.(*ssa.Parameter); !param {
		return false // a field the package fills: the nil test is defensive
	}
	for j, e := range phi.Edges {
		if j != i && e == tested {
			return true
		}
	}
	return false
}

// nilGuardedEdge returns the index of the phi edge v that arrives straight
// from `if v == nil` (or `!= nil`) while the other edges are context roots,
// or -1.
func nilGuardedEdge(phi *ssa.Phi) int {
	if len(phi.Edges) != 2 {
		return -1
	}
	for i, e := range phi.Edges {
		preds := phi.Block().Preds
		if i >= len(preds) || len(preds[i].Instrs) == 0 {
			continue
		}
		ifInstr, ok := preds[i].Instrs[len(preds[i].Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		bin, ok := ifInstr.Cond.(*ssa.BinOp)
		if !ok || (bin.Op != token.EQL && bin.Op != token.NEQ) {
			continue
		}
		if (bin.X == e && isNil(bin.Y)) || (bin.Y == e && isNil(bin.X)) {
			if other, ok := phi.Edges[1-i].(*ssa.Call); ok {
				if fn, _, _ := SplitCall(other.Common()); knowledge.RoleOf(fn) == knowledge.CtxRoot {
					return i
				}
			}
		}
	}
	return -1
}

func isNil(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.IsNil()
}

// merge returns the weakest of several origins: any unbounded path makes the
// result (maybe) unbounded; otherwise any unknown makes it unknown.
func merge(origins []Origin) Origin {
	var out, unbounded Origin
	n, nUnbounded, maybe := 0, 0, false
	for _, o := range origins {
		if o.State == cycle {
			continue
		}
		n++
		if o.State.Unbounded() {
			if nUnbounded == 0 {
				unbounded = o
			}
			nUnbounded++
			maybe = maybe || o.State == MaybeNoDeadline
			continue
		}
		if n-nUnbounded == 1 {
			out = o
			continue
		}
		switch {
		case o.State == Unknown || out.State == Unknown:
			out = Origin{}
		case o.State == Inherited && out.State == Deadline:
			out = o
		case o.State == Deadline && out.State == Deadline && o.Timeout != out.Timeout:
			out.Timeout, out.Bounder = 0, nil
		}
	}
	switch {
	case n == 0:
		return Origin{State: cycle}
	case nUnbounded > 0:
		if nUnbounded < n || maybe {
			unbounded.State = MaybeNoDeadline
		}
		return unbounded
	}
	return out
}

func (r *Result) classifyCall(call *ssa.Call, depth int) Origin {
	fn, recv, args := SplitCall(call.Common())
	if fn == nil {
		return Origin{}
	}
	switch role := knowledge.RoleOf(fn); role {
	case knowledge.CtxRoot, knowledge.CtxDetach:
		desc := ShortName(fn) + "()"
		if len(args) > 0 {
			desc = ShortName(fn) + "(…)"
		}
		return Origin{State: NoDeadline, Desc: desc, Pos: call.Pos(), Detached: role == knowledge.CtxDetach, RootFn: call.Parent(), Root: desc}
	case knowledge.CtxCancel, knowledge.CtxValue, knowledge.CtxGroup:
		if len(args) == 0 {
			return Origin{}
		}
		return r.classify(args[0], depth)
	case knowledge.CtxSignal:
		if len(args) == 0 {
			return Origin{}
		}
		o := r.classify(args[0], depth)
		if o.State.Unbounded() {
			// A signal-cancelled context in main is the user's deadline (Ctrl-C).
			return Origin{State: Inherited, Desc: "signal.NotifyContext(…)", Pos: call.Pos(), Signal: true}
		}
		return o
	case knowledge.CtxTimeout, knowledge.CtxDeadline:
		o := Origin{State: Deadline, Desc: ShortName(fn) + "(…)", Pos: call.Pos(), Bounder: call}
		if len(args) > 0 {
			switch parent := r.classify(args[0], depth); {
			case parent.State.Unbounded() && parent.RootFn != nil:
				o.RootFn, o.Rooted = parent.RootFn, true
				o.Root = ShortName(fn) + "(" + parent.Root + ", …)"
			case parent.State == Inherited && parent.Param != nil && !parent.Request:
				o.DerivedFrom = parent.Param
			case parent.State == Deadline:
				o.DerivedFrom = parent.DerivedFrom
			}
		}
		if role == knowledge.CtxTimeout && len(args) > 1 {
			if c, ok := args[1].(*ssa.Const); ok && c.Value != nil && c.Value.Kind() == constant.Int {
				if d, exact := constant.Int64Val(c.Value); exact {
					o.Timeout = time.Duration(d)
				}
			}
		}
		return o
	}
	if knowledge.RoleOf(fn) == knowledge.HTTPRequestContext && recv != nil {
		req := r.requestOrigin(recv, depth)
		if req.State == Inherited || req.State == Unknown {
			return Origin{State: Inherited, Desc: "(*http.Request).Context()", Pos: call.Pos(), Request: true, Param: req.Param}
		}
		return req
	}
	if k := r.passedContext(call, fn); k >= 0 && k < len(args) {
		return r.classify(args[k], depth)
	}
	if o, ok := r.returnedRoot(call, depth); ok {
		return o
	}
	if recv != nil && r.contextAccessor(call.Call.StaticCallee()) {
		// A wrapper handed in that carries its caller's context (m3's
		// ctx.GoContext()): the caller's, like a context parameter; the
		// function's own receiver's is the object's lifecycle.
		if p := paramRoot(recv); p != nil {
			desc := p.Name() + "." + fn.Name() + "()"
			if isReceiver(p.Parent(), p) {
				return Origin{State: Inherited, Desc: desc, Pos: call.Pos(), Field: true}
			}
			return Origin{State: Inherited, Desc: desc, Pos: call.Pos(), Param: p}
		}
	}
	return Origin{}
}

// contextAccessor reports whether fn, a method of this package that takes
// nothing, returns a context its receiver holds in a field on every path
// (m3's Context.GoContext()).
func (r *Result) contextAccessor(fn *ssa.Function) bool {
	if fn == nil || fn.Pkg != r.Pkg || fn.Signature.Recv() == nil || len(fn.Params) != 1 || len(fn.Blocks) == 0 || fn.Signature.Results().Len() != 1 || !knowledge.IsContext(fn.Signature.Results().At(0).Type()) {
		return false
	}
	rets := Returns(fn)
	for _, ret := range rets {
		if paramRoot(Returned(ret, 0)) != fn.Params[0] {
			return false
		}
	}
	return len(rets) > 0
}

// paramRoot returns the parameter v is, or is a field path from, looking
// through spilled receivers, or nil.
func paramRoot(v ssa.Value) *ssa.Parameter {
	p, _ := fieldPathRoot(v, true).(*ssa.Parameter)
	return p
}

// returnedRoot classifies a call of a function of this package that takes
// no context and returns a bare root of its own making on every path
// (harbor's orm.Context(), context.Background() decorated with an ORM): the
// caller makes that root by calling it, so it is the caller's root, made at
// the call.
func (r *Result) returnedRoot(call *ssa.Call, depth int) (Origin, bool) {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg != r.Pkg || len(callee.Blocks) == 0 || callee == call.Parent() || callee.Parent() != nil {
		return Origin{}, false
	}
	// The context is the only result, or the first (ctx, cancel: the
	// autoscaler's getContextWithCancel returning WithCancel(Background())).
	if t, tuple := call.Type().(*types.Tuple); tuple && (t.Len() == 0 || !knowledge.IsContext(t.At(0).Type())) || !tuple && !knowledge.IsContext(call.Type()) {
		return Origin{}, false
	}
	for _, p := range callee.Params {
		if carriesContext(p.Type()) || knowledge.EmbedsContext(p.Type()) || knowledge.EmbedsRequest(p.Type()) || knowledge.RequestAccessor(p.Type()) != "" {
			return Origin{}, false
		}
	}
	root := ""
	for _, ret := range Returns(callee) {
		o := r.classify(ret.Results[0], depth+1)
		if o.State != NoDeadline || o.Detached || o.RootFn != callee {
			return Origin{}, false
		}
		root = o.RootDesc()
	}
	if root == "" {
		return Origin{}, false
	}
	desc := ShortName(callee.Object().(*types.Func)) + "()"
	return Origin{State: NoDeadline, Desc: desc, Pos: call.Pos(), RootFn: call.Parent(), Root: desc + ", a fresh " + root}, true
}

// OwnLifecycle reports whether f, a context field only this package can
// set, holds the object's own lifecycle: every store to it is a context the
// package makes from a root of its own (context.WithCancel(Background()):
// ipfs-cluster's Consensus.ctx), not one a caller handed in (a batch that
// keeps the ctx it was opened with is the caller's).
func (r *Result) OwnLifecycle(f *types.Var) bool {
	if f == nil || f.Exported() || !knowledge.IsContext(f.Type()) {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.indexStores()
	stores := r.stores[f]
	for _, v := range stores {
		o := r.classify(v, 0)
		if o.State != NoDeadline || o.RootFn == nil || o.Detached {
			return false
		}
	}
	return len(stores) > 0
}

// FreshBudgetMaker reports whether fn, a function of this package that
// takes no context, returns on every path a context it bounds with
// WithTimeout or WithDeadline of a root it makes itself (opentofu's
// getContextWithTimeout: context.WithTimeout(context.Background(), d)),
// and how that budget is made. A caller with a context of its own that
// calls it starts a fresh budget as surely as if it wrote the call.
func (r *Result) FreshBudgetMaker(fn *ssa.Function) (string, bool) {
	if fn == nil || fn.Pkg != r.Pkg || len(fn.Blocks) == 0 || fn.Parent() != nil {
		return "", false
	}
	res := fn.Signature.Results()
	if res.Len() == 0 || !knowledge.IsContext(res.At(0).Type()) {
		return "", false
	}
	for _, p := range fn.Params {
		if carriesContext(p.Type()) || knowledge.EmbedsContext(p.Type()) || knowledge.EmbedsRequest(p.Type()) || knowledge.RequestAccessor(p.Type()) != "" {
			return "", false
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.beginQuery(fn)
	made := ""
	for _, ret := range Returns(fn) {
		o := r.classify(ret.Results[0], 0)
		if o.State != Deadline || !o.Rooted || o.RootFn != fn || o.DerivedFrom != nil {
			return "", false
		}
		made = o.RootDesc()
	}
	return made, made != ""
}

// passedContext returns the index (receiver excluded) of the context
// parameter that a called function returns, decorated with values but with
// no deadline or cancellation of its own (containerd's
// namespaces.WithNamespace, a package's WithLease), or -1: its context is
// the one the caller passed. Known for the package's own functions from
// their SSA, for others' from their Summary fact.
func (r *Result) passedContext(call *ssa.Call, fn *types.Func) int {
	if callee := call.Call.StaticCallee(); callee != nil && callee.Pkg == r.Pkg && len(callee.Blocks) > 0 {
		return r.passThrough(callee)
	}
	if fn.Pkg() != nil && fn.Pkg() != r.Pass.Pkg && !call.Call.IsInvoke() {
		var fact Summary
		if r.Pass.ImportObjectFact(fn.Origin(), &fact) && fact.Passes > 0 {
			return fact.Passes - 1
		}
	}
	return -1
}

// PassedContext is passedContext for rules: the index (receiver excluded)
// of the context argument a call returns decorated, or -1.
func (r *Result) PassedContext(call *ssa.Call) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn, _, _ := SplitCall(call.Common())
	if fn == nil {
		return -1
	}
	return r.passedContext(call, fn)
}

// passThrough is passedContext for a function of this package, memoised
// (a function being looked at answers -1 to the calls it makes of itself).
func (r *Result) passThrough(fn *ssa.Function) int {
	if k, ok := r.passes[fn]; ok {
		return k
	}
	r.passes[fn] = -1
	k := r.passThroughUncached(fn)
	r.passes[fn] = k
	return k
}

func (r *Result) passThroughUncached(fn *ssa.Function) int {
	results := fn.Signature.Results()
	at := -1
	for i := range results.Len() {
		if knowledge.IsContext(results.At(i).Type()) {
			if at >= 0 {
				return -1
			}
			at = i
		}
	}
	if at < 0 {
		return -1
	}
	param := -1
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		o := r.classify(ret.Results[at], 0)
		if o.State != Inherited || o.Param == nil || o.Param.Parent() != fn || o.Request || o.Field {
			return -1
		}
		k := SigParam(o.Param)
		if k < 0 || param >= 0 && k != param {
			return -1
		}
		param = k
	}
	return param
}

// RequestOrigin returns the origin of the context carried by an *http.Request value.
// It is safe for concurrent use.
func (r *Result) RequestOrigin(v ssa.Value) Origin {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.beginQuery(v.Parent())
	return r.requestOrigin(v, 0)
}

// requestOrigin is memoised like classify: a request picked from many
// branches (phis of phis) is judged once per value.
func (r *Result) requestOrigin(v ssa.Value, depth int) Origin {
	if o, ok := r.requests[v]; ok {
		return o
	}
	if depth > maxDepth || !r.step() {
		return Origin{}
	}
	r.requests[v] = Origin{State: cycle}
	o := r.requestOriginUncached(v, depth+1)
	r.requests[v] = o
	return o
}

func (r *Result) requestOriginUncached(v ssa.Value, depth int) Origin {
	switch v := v.(type) {
	case *ssa.Parameter:
		// A request handed to a handler (beside its ResponseWriter) is the
		// server's, its context the server's to end; any other request
		// parameter is the caller's, sent on its behalf (a helper that
		// does client.Do(req)), and its context the caller's, like a
		// context parameter.
		return Origin{State: Inherited, Desc: "request " + v.Name(), Pos: v.Pos(), Param: v, Request: servesRequest(v.Parent())}
	case *ssa.UnOp:
		// A request a closure captures (the cell of a variable assigned
		// once): the value it holds.
		if u := r.underlyingLocal(v); u != ssa.Value(v) {
			if _, cell := u.(*ssa.Alloc); !cell {
				return r.requestOrigin(u, depth+1)
			}
		}
	case *ssa.Extract:
		if call, ok := v.Tuple.(*ssa.Call); ok {
			if v.Index == 0 {
				if o := r.requestOrigin(call, depth+1); o.State != Unknown {
					return o
				}
			}
			return r.returnedRequest(call, v.Index, depth+1)
		}
	case *ssa.Phi:
		var origins []Origin
		for _, e := range v.Edges {
			if e == v {
				continue
			}
			origins = append(origins, r.requestOrigin(e, depth+1))
		}
		return merge(origins)
	case *ssa.Alloc:
		// &http.Request{…}: a literal cannot set the request's context, so
		// Context() is context.Background() (go-zero's gateway built the
		// upstream request this way).
		if knowledge.TypeRole(v.Type()) == knowledge.HTTPRequestType && !wholeStore(v) {
			return Origin{State: NoDeadline, Desc: "an http.Request literal", Pos: v.Pos(), NewRequest: true, RootFn: v.Parent(), Root: "an http.Request literal"}
		}
	case *ssa.Call:
		fn, _, args := SplitCall(v.Common())
		if fn == nil {
			return Origin{}
		}
		if len(args) == 0 {
			return r.returnedRequest(v, 0, depth+1)
		}
		switch knowledge.RoleOf(fn) {
		case knowledge.HTTPNewRequest:
			return Origin{State: NoDeadline, Desc: "http.NewRequest", Pos: v.Pos(), NewRequest: true, RootFn: v.Parent(), Root: "http.NewRequest"}
		case knowledge.HTTPNewRequestWithCtx, knowledge.HTTPRequestWithContext:
			return r.classify(args[0], depth+1)
		}
		if _, tuple := v.Type().(*types.Tuple); !tuple {
			return r.returnedRequest(v, 0, depth+1)
		}
	}
	return Origin{}
}

// wholeStore reports whether a whole value is stored into the allocation
// (`r2 := new(http.Request); *r2 = *r`: a copy that keeps r's context).
func wholeStore(a *ssa.Alloc) bool {
	for _, ref := range *a.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == a {
			return true
		}
	}
	return false
}

// returnedRequest is the origin of the request that a function of this
// package returns as result idx (pulsar's request.toHTTP builds it with
// http.NewRequest): what every return gives there, unless one returns a
// request it was given (its caller's, judged at the call) or one the
// search cannot tell.
func (r *Result) returnedRequest(call *ssa.Call, idx, depth int) Origin {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg != r.Pkg || len(callee.Blocks) == 0 || callee == call.Parent() {
		return Origin{}
	}
	var origins []Origin
	for _, ret := range Returns(callee) {
		if idx >= len(ret.Results) {
			continue
		}
		if IsNilConst(ret.Results[idx]) || returnsFoundError(ret) {
			continue // an error path: no request its caller sends
		}
		o := r.requestOrigin(ret.Results[idx], depth+1)
		mapped := false
		if o.State == Inherited && o.Param != nil && o.Param.Parent() == callee {
			// The request carries a context the helper was given
			// (tekton's createOutgoingRequest: original.Clone(ctx)), or is
			// the request it was given (heimdall's CloneRequest): the one
			// this call passes.
			o, mapped = r.passedOrigin(call, o, depth), true
		}
		if o.State == cycle {
			continue // the request a retry loop remakes from itself
		}
		if o.State == Unknown || o.State == Inherited && !mapped {
			return Origin{}
		}
		origins = append(origins, o)
	}
	if len(origins) == 0 {
		return Origin{}
	}
	return merge(origins)
}

// returnsFoundError reports whether ret returns, as its last result, an
// error a test on the way found non-nil (`if err != nil { return req, err
// }` after http.NewRequest, fn's callToHTTPRequest): a caller that checks
// the error never uses the other results of that return.
func returnsFoundError(ret *ssa.Return) bool {
	n := len(ret.Results)
	if n < 2 || !ErrorLast(ret.Parent().Signature) {
		return false
	}
	errv := ret.Results[n-1]
	for b := ret.Block(); b != nil; b = b.Idom() {
		if tested, nilSide := nilTestInto(b); tested == errv && !nilSide {
			return true
		}
	}
	return false
}

// passedOrigin maps an origin that is a parameter of call's callee (its
// context, or its request's) to what the call passes there.
func (r *Result) passedOrigin(call *ssa.Call, o Origin, depth int) Origin {
	callee := call.Call.StaticCallee()
	for i, p := range callee.Params {
		if p != o.Param || i >= len(call.Call.Args) {
			continue
		}
		if o.Request {
			return r.requestOrigin(call.Call.Args[i], depth+1)
		}
		return r.classify(call.Call.Args[i], depth+1)
	}
	return Origin{}
}

// Binding returns the value a closure's free variable was bound to where
// the closure was made, or nil.
func (r *Result) Binding(fv *ssa.FreeVar) ssa.Value { return r.binding(fv) }

// binding returns the value a closure's free variable was bound to in its
// enclosing function, or nil.
func (r *Result) binding(fv *ssa.FreeVar) ssa.Value {
	fn := fv.Parent()
	mc := r.closures[fn]
	if mc == nil {
		return nil
	}
	for i, f := range fn.FreeVars {
		if f == fv && i < len(mc.Bindings) {
			return mc.Bindings[i]
		}
	}
	return nil
}

// RootDesc describes the context the origin's function makes itself.
func (o Origin) RootDesc() string {
	if o.Root != "" {
		return o.Root
	}
	return o.Desc
}

// SplitCall returns the function or method a call statically denotes
// (including methods called through interfaces, method values and method
// expressions), its receiver (nil for functions) and its other arguments. fn
// is nil for a dynamic call.
func SplitCall(c *ssa.CallCommon) (fn *types.Func, recv ssa.Value, args []ssa.Value) {
	if c.IsInvoke() {
		return c.Method, c.Value, c.Args
	}
	switch v := c.Value.(type) {
	case *ssa.Function:
		obj, ok := v.Object().(*types.Func)
		if !ok {
			return nil, nil, c.Args
		}
		if obj.Signature().Recv() != nil && len(c.Args) > 0 {
			return obj, c.Args[0], c.Args[1:]
		}
		return obj, nil, c.Args
	case *ssa.MakeClosure:
		if fn, ok := v.Fn.(*ssa.Function); ok && len(v.Bindings) == 1 {
			// A bound method wrapper: the receiver is its only binding.
			if obj, ok := fn.Object().(*types.Func); ok && obj.Signature().Recv() != nil && fn.Signature.Recv() == nil && fn.Synthetic != "" {
				return obj, v.Bindings[0], c.Args
			}
		}
	}
	return nil, nil, c.Args
}

// servesRequest reports whether fn (or the function it is nested in) is a
// handler: it has an http.ResponseWriter parameter.
func servesRequest(fn *ssa.Function) bool {
	for f := fn; f != nil; f = f.Parent() {
		for _, p := range f.Params {
			if knowledge.TypeRole(p.Type()) == knowledge.HTTPResponseWriterType {
				return true
			}
		}
	}
	return false
}
