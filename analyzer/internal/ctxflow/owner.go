package ctxflow

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// Owned reports whether the function fn (or one enclosing it) owns the
// cancellation of the context value ctx: ctx derives, through WithValue and
// the like, from a constructor fn itself called that hands it a way to
// cancel (WithCancel, WithTimeout, WithDeadline and their Cause forms,
// signal.NotifyContext, errgroup.WithContext). A function that caused a
// cancellation may absorb it. When ctx is nil, the question is whether fn
// makes any such context: what an error of unknown origin may carry.
func (r *Result) Owned(fn *ssa.Function, ctx ssa.Value) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ctx == nil {
		return makesCancellable(fn)
	}
	return r.owned(fn, ctx, map[ssa.Value]bool{})
}

func (r *Result) owned(fn *ssa.Function, v ssa.Value, seen map[ssa.Value]bool) bool {
	if v == nil || seen[v] {
		return false
	}
	seen[v] = true
	switch v := v.(type) {
	case *ssa.Extract:
		return r.owned(fn, v.Tuple, seen)
	case *ssa.Call:
		callee, _, args := SplitCall(v.Common())
		role := knowledge.RoleOf(callee)
		if role.Cancellable() && encloses(v.Parent(), fn) {
			return true
		}
		if _, parent, _ := role.Derivation(); parent && len(args) > 0 {
			return r.owned(fn, args[0], seen)
		}
		if role == knowledge.CtxTimeout || role == knowledge.CtxDeadline {
			return false // made elsewhere (the role is cancellable, the place is not fn)
		}
	case *ssa.Phi:
		for _, e := range v.Edges {
			if r.owned(fn, e, seen) {
				return true
			}
		}
	case *ssa.FreeVar:
		if b := r.binding(v); b != nil {
			return r.owned(fn, b, seen)
		}
	case *ssa.ChangeInterface:
		return r.owned(fn, v.X, seen)
	case *ssa.MakeInterface:
		return r.owned(fn, v.X, seen)
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return false
		}
		addr := v.X
		if fv, ok := addr.(*ssa.FreeVar); ok {
			addr = r.binding(fv)
		}
		if a, ok := addr.(*ssa.Alloc); ok {
			for _, ref := range *a.Referrers() {
				if st, ok := ref.(*ssa.Store); ok && st.Addr == a && r.owned(fn, st.Val, seen) {
					return true
				}
			}
		}
	}
	return false
}

// encloses reports whether outer is fn or a function enclosing it.
func encloses(outer, fn *ssa.Function) bool {
	for f := fn; f != nil; f = f.Parent() {
		if f == outer {
			return true
		}
	}
	return false
}

// makesCancellable reports whether fn or a function enclosing it calls a
// constructor of a cancellable context.
func makesCancellable(fn *ssa.Function) bool {
	for f := fn; f != nil; f = f.Parent() {
		if callsRole(f, knowledge.Role.Cancellable) {
			return true
		}
	}
	return false
}

// callsRole reports whether fn's own body calls a function whose catalog
// role satisfies want.
func callsRole(fn *ssa.Function, want func(knowledge.Role) bool) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok {
				if callee, _, _ := SplitCall(call.Common()); want(knowledge.RoleOf(callee)) {
					return true
				}
			}
		}
	}
	return false
}

// MakesDeadline reports whether fn, a function enclosing it or a literal
// within it sets a deadline (WithTimeout, WithDeadline and their Cause
// forms): a context.DeadlineExceeded of unknown origin may be its own.
func MakesDeadline(fn *ssa.Function) bool {
	for f := fn; f != nil; f = f.Parent() {
		if setsDeadline(f, f == fn, 0) {
			return true
		}
	}
	return false
}

func setsDeadline(fn *ssa.Function, literals bool, depth int) bool {
	if callsRole(fn, func(role knowledge.Role) bool { return role == knowledge.CtxTimeout || role == knowledge.CtxDeadline }) {
		return true
	}
	if literals && depth < 4 {
		for _, anon := range fn.AnonFuncs {
			if setsDeadline(anon, true, depth+1) {
				return true
			}
		}
	}
	return false
}

// UsedAsValue reports whether the package uses fn (a declared function, a
// method or a literal) other than by calling it: started with go, deferred,
// passed to a function, stored or returned. Such a function runs on
// someone else's schedule (a runner, a callback, a goroutine).
func (r *Result) UsedAsValue(fn *ssa.Function) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.usedAsValue(fn)
}

// usedAsValue is UsedAsValue with r.mu held.
func (r *Result) usedAsValue(fn *ssa.Function) bool {
	if r.funcValues == nil {
		r.funcValues = map[*ssa.Function]bool{}
		for _, f := range r.allFuncs() {
			for _, b := range f.Blocks {
				for _, instr := range b.Instrs {
					r.noteFuncValues(instr)
				}
			}
		}
	}
	return r.funcValues[fn]
}

func (r *Result) noteFuncValues(instr ssa.Instruction) {
	mark := func(v ssa.Value) {
		switch v := v.(type) {
		case *ssa.Function:
			r.funcValues[v] = true
			if v.Synthetic != "" && v.Object() != nil {
				// A bound or thunk wrapper: the method it wraps.
				if m := r.Pkg.Prog.FuncValue(funcOf(v)); m != nil {
					r.funcValues[m] = true
				}
			}
		case *ssa.MakeClosure:
			if f, ok := v.Fn.(*ssa.Function); ok {
				r.funcValues[f] = true
				if f.Synthetic != "" && f.Object() != nil {
					if m := r.Pkg.Prog.FuncValue(funcOf(f)); m != nil {
						r.funcValues[m] = true
					}
				}
			}
		}
	}
	switch instr := instr.(type) {
	case *ssa.Go:
		mark(instr.Call.Value)
		for _, a := range instr.Call.Args {
			mark(a)
		}
		return
	case *ssa.Defer:
		mark(instr.Call.Value)
		for _, a := range instr.Call.Args {
			mark(a)
		}
		return
	case ssa.CallInstruction:
		for _, a := range instr.Common().Args {
			mark(a)
		}
		return
	case *ssa.MakeClosure:
		return // its own Fn is called or used where it goes
	}
	var ops []*ssa.Value
	for _, op := range instr.Operands(ops) {
		if op != nil {
			mark(*op)
		}
	}
}

// funcOf returns the method a synthetic wrapper stands for.
func funcOf(f *ssa.Function) *types.Func {
	fn, _ := f.Object().(*types.Func)
	return fn
}

// Awaited reports whether lit, a function literal, is a goroutine its
// enclosing function waits for: lit is only ever started with go, and
// sends on a channel that the enclosing function receives from (the
// result of work made cancellable: go func() { ch <- work() }(); select {
// case r := <-ch: …; case <-ctx.Done(): … }). Such a goroutine does the
// function's work, not detached work of its own.
func (r *Result) Awaited(lit *ssa.Function) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.awaited(lit)
}

// DeferredOnly reports whether the closure's one use is a defer that calls
// it: the literal runs as the function returns, as part of its call.
func DeferredOnly(mc *ssa.MakeClosure) bool {
	refs := mc.Referrers()
	if refs == nil || len(*refs) != 1 {
		return false
	}
	d, ok := (*refs)[0].(*ssa.Defer)
	return ok && d.Call.Value == ssa.Value(mc)
}

// MakeClosureOf returns the one MakeClosure that makes the function
// literal lit, or nil (a literal that captures nothing is no closure).
func (r *Result) MakeClosureOf(lit *ssa.Function) *ssa.MakeClosure {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closures[lit]
}

func (r *Result) awaited(lit *ssa.Function) bool {
	parent := lit.Parent()
	mc := r.closures[lit]
	if parent == nil || mc == nil || mc.Parent() != parent {
		return false
	}
	for _, ref := range *mc.Referrers() {
		g, ok := ref.(*ssa.Go)
		if !ok || g.Call.Value != mc {
			return false
		}
	}
	received := map[ssa.Value]bool{} // channels the parent receives from
	waited := map[ssa.Value]bool{}   // contexts whose Done it receives from, WaitGroups it waits on
	recv := func(ch ssa.Value) {
		received[r.underlyingLocal(ch)] = true
		if call, ok := ch.(*ssa.Call); ok {
			if fn, ctx, _ := SplitCall(call.Common()); knowledge.RoleOf(fn) == knowledge.CtxDone && ctx != nil {
				waited[r.underlyingLocal(ctx)] = true
			}
		}
	}
	for _, b := range parent.Blocks {
		for _, instr := range b.Instrs {
			switch x := instr.(type) {
			case *ssa.UnOp:
				if x.Op == token.ARROW {
					recv(x.X)
				}
			case *ssa.Select:
				for _, st := range x.States {
					if st.Dir == types.RecvOnly {
						recv(st.Chan)
					}
				}
			case *ssa.Call:
				if fn, wg, _ := SplitCall(x.Common()); knowledge.RoleOf(fn) == knowledge.WaitGroupWait && wg != nil {
					waited[r.underlyingLocal(wg)] = true
				}
			}
		}
	}
	for _, b := range lit.Blocks {
		for _, instr := range b.Instrs {
			switch x := instr.(type) {
			case *ssa.Send:
				if received[r.underlyingLocal(x.Chan)] {
					return true
				}
			case *ssa.Select:
				for _, st := range x.States {
					if st.Dir == types.SendOnly && received[r.underlyingLocal(st.Chan)] {
						return true
					}
				}
			case ssa.CallInstruction:
				if r.signalsParent(x.Common(), received, waited) {
					return true
				}
			}
		}
	}
	return false
}

// signalsParent reports whether a call in a goroutine tells its parent it
// is over: it closes a channel the parent receives from, calls Done on a
// WaitGroup the parent waits on, or cancels a context whose Done the parent
// receives from (podman's pull: `defer cancel()` in the goroutine, `case
// <-runCtx.Done()` in the handler).
func (r *Result) signalsParent(common *ssa.CallCommon, received, waited map[ssa.Value]bool) bool {
	if b, ok := common.Value.(*ssa.Builtin); ok {
		return b.Name() == "close" && len(common.Args) == 1 && received[r.underlyingLocal(common.Args[0])]
	}
	if fn, wg, _ := SplitCall(common); knowledge.RoleOf(fn) == knowledge.WaitGroupDone && wg != nil {
		return waited[r.underlyingLocal(wg)]
	}
	if common.IsInvoke() || common.StaticCallee() != nil {
		return false
	}
	cancel, ok := r.underlyingLocal(common.Value).(*ssa.Extract)
	if !ok || cancel.Index != 1 {
		return false
	}
	made, ok := cancel.Tuple.(*ssa.Call)
	if !ok {
		return false
	}
	if fn, _, _ := SplitCall(made.Common()); fn == nil || !knowledge.RoleOf(fn).Cancellable() {
		return false
	}
	for _, ref := range *made.Referrers() {
		if ctx, ok := ref.(*ssa.Extract); ok && ctx.Index == 0 && waited[ctx] {
			return true
		}
	}
	return false
}
