package swallowcancel

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkRetriedByHelper reports an error that may be a cancellation,
// returned by a function handed to a retry helper that cannot learn of a
// cancellation (Summary.Retries): once the context is done every attempt
// fails at once, and the helper retries until its own limit (axiom-go's
// client retried a cancelled request for ten seconds). An error a
// cancellation test found to be something else is not reported: that test
// is where the function stops the retries (backoff.Permanent).
func (c *checker) checkRetriedByHelper(f *fnInfo) {
	for _, call := range c.res.CallsIn(f.fn) {
		if call.Summary == nil {
			continue
		}
		for _, k := range call.Summary.Retries {
			if k < len(call.Args) {
				c.checkRetriedFunc(call, call.Args[k], slices.Contains(call.Summary.StopsOnTrue, k))
			}
		}
	}
}

// checkRetriedFunc reports the returns of the function literal (or
// function of this package) op whose error may be a cancellation.
// stopsOnTrue says which value of op's bool first result, if it has one,
// ends the helper's loop.
func (c *checker) checkRetriedFunc(call *ctxflow.Call, op ssa.Value, stopsOnTrue bool) {
	fn := ctxflow.FuncValue(op)
	if fn == nil || len(fn.Blocks) == 0 || fn.Pkg != c.res.Pkg || c.res.Syntax.Skip(fn.Pos(), false) {
		return
	}
	f := &fnInfo{fn: fn, loops: ctxflow.Loops(fn), errLast: true}
	for _, ret := range ctxflow.Returns(fn) {
		if saysStop(fn, ret, stopsOnTrue) || c.contextLiveAt(ret.Block(), 0) {
			// (false, err) to a pacer: the function tells the helper not to retry;
			// or a test found the context still live on the way here.
			continue
		}
		returned := errResult(ret)
		v := storedBefore(ret, returned)
		if ctxflow.IsNilConst(v) || c.notCancellation(ret.Block(), returned, false) || c.notCancellation(ret.Block(), v, false) {
			continue
		}
		srcs := c.retriedFailures(f, v, ret)
		if len(srcs) == 0 {
			continue
		}
		pos := c.valuePos(v, ret)
		if c.reportedAt[pos] {
			continue
		}
		c.reportedAt[pos] = true
		name := call.CalleeName()
		c.pass.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
			"%s retries this error, which may be a context cancellation%s, and never looks at a context: once the context is done it keeps retrying until its own limit; when errors.Is(err, context.Canceled), return the error in a form %s does not retry",
			name, sourceText(srcs), name)})
	}
}

// storedBefore looks through the load of a captured or local variable
// (`if resp, err = c.Do(req); err != nil { return err }` inside a closure
// that assigns its enclosing function's err) to the value stored last on
// the way to the return: the nearest store in a dominating block.
func storedBefore(ret *ssa.Return, v ssa.Value) ssa.Value {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return v
	}
	switch load.X.(type) {
	case *ssa.FreeVar, *ssa.Alloc:
	default:
		return v
	}
	end := len(ret.Block().Instrs)
	for b := ret.Block(); b != nil; b = b.Idom() {
		if b != ret.Block() {
			end = len(b.Instrs)
		}
		for k := end - 1; k >= 0; k-- {
			if st, ok := b.Instrs[k].(*ssa.Store); ok && st.Addr == load.X {
				return st.Val
			}
		}
	}
	return v
}

// saysStop reports whether a return of a function whose first result is a
// bool returns there the constant that ends the helper's loop: false for a
// retry flag (rclone's pacer), true for a stop flag (release-manager's
// try.Do).
func saysStop(fn *ssa.Function, ret *ssa.Return, stopsOnTrue bool) bool {
	if fn.Signature.Results().Len() < 2 || len(ret.Results) == 0 {
		return false
	}
	if b, ok := fn.Signature.Results().At(0).Type().Underlying().(*types.Basic); !ok || b.Kind() != types.Bool {
		return false
	}
	c, ok := ret.Results[0].(*ssa.Const)
	return ok && c.Value != nil && c.Value.Kind() == constant.Bool && constant.BoolVal(c.Value) == stopsOnTrue
}

// maxLiveDepth bounds how deep contextLiveAt follows predicates of the
// package.
const maxLiveDepth = 3

type liveKey struct {
	fn   *ssa.Function
	want bool
}

// contextLiveAt reports whether b runs only where a test found a context
// not done: the nil side of ctx.Err(), or the side of a call of a predicate
// of the package that it takes only while its context is live — rclone's
// fserrors.ContextError(ctx, &err), false unless ctx.Err() is set, and
// shouldRetry helpers that return true only after such a test. An error
// there is no cancellation of that context.
func (c *checker) contextLiveAt(b *ssa.BasicBlock, depth int) bool {
	for iff, holds := range ctxflow.Guards(b) {
		if c.liveOnEdge(iff.Cond, holds, depth) {
			return true
		}
	}
	return false
}

// liveOnEdge reports whether cond having the value holds shows a context
// live.
func (c *checker) liveOnEdge(cond ssa.Value, holds bool, depth int) bool {
	if not, ok := cond.(*ssa.UnOp); ok && not.Op == token.NOT {
		return c.liveOnEdge(not.X, !holds, depth)
	}
	switch v := cond.(type) {
	case *ssa.BinOp:
		// ctx.Err() != nil false, or ctx.Err() == nil true.
		if v.Op != token.NEQ && v.Op != token.EQL || !ctxflow.IsNilConst(v.Y) {
			return false
		}
		call, ok := v.X.(*ssa.Call)
		if !ok {
			return false
		}
		if fn, _, _ := ctxflow.SplitCall(call.Common()); knowledge.RoleOf(fn) != knowledge.CtxErr {
			return false
		}
		return (v.Op == token.EQL) == holds
	case *ssa.Call:
		return c.liveOn(v.Call.StaticCallee(), holds, depth)
	case *ssa.Extract:
		if call, ok := v.Tuple.(*ssa.Call); ok && v.Index == 0 {
			return c.liveOn(call.Call.StaticCallee(), holds, depth)
		}
	}
	return false
}

// liveOn reports whether fn, a function of the package whose first result
// is a bool, returns want only where a test found a context live.
func (c *checker) liveOn(fn *ssa.Function, want bool, depth int) bool {
	if fn == nil || fn.Pkg != c.res.Pkg || len(fn.Blocks) == 0 || depth >= maxLiveDepth {
		return false
	}
	key := liveKey{fn, want}
	if v, ok := c.live[key]; ok {
		return v
	}
	if c.live == nil {
		c.live = map[liveKey]bool{}
	}
	c.live[key] = false // a cycle proves nothing
	res := fn.Signature.Results()
	if res.Len() == 0 {
		return false
	}
	if b, ok := res.At(0).Type().Underlying().(*types.Basic); !ok || b.Kind() != types.Bool {
		return false
	}
	out := false
	for _, ret := range ctxflow.Returns(fn) {
		if len(ret.Results) == 0 {
			return false
		}
		if k, ok := ret.Results[0].(*ssa.Const); ok && k.Value != nil && k.Value.Kind() == constant.Bool && constant.BoolVal(k.Value) != want {
			continue // never want here
		}
		if !c.contextLiveAt(ret.Block(), depth+1) {
			return false
		}
		out = true
	}
	c.live[key] = out
	return out
}

// checkIgnoredContextRetry reports a retry helper that takes a context and
// never uses it: it calls a function it was given in a loop and goes round
// after a failure, with no receive or select in the loop that could stop
// it. The caller's attempt runs under the caller's context, so once that is
// done every attempt fails at once and the helper retries until its own
// limit (kopia's internalRetry took ctx and never looked at it; the fix
// returns ctx.Err() before each attempt).
func (c *checker) checkIgnoredContextRetry(f *fnInfo) {
	obj, isFunc := f.fn.Object().(*types.Func)
	if f.fn.Parent() != nil || !isFunc {
		return
	}
	var ctx *ssa.Parameter
	for _, p := range f.fn.Params {
		if knowledge.IsContext(p.Type()) && unused(p) {
			ctx = p
		}
	}
	if ctx == nil {
		return
	}
	for _, b := range f.fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			attempt, ok := call.Call.Value.(*ssa.Parameter)
			if !ok || attempt.Parent() != f.fn || !ctxflow.GoesRoundOnFailure(f.loops, call) {
				continue
			}
			if loop := ctxflow.Innermost(f.loops, call.Block()); loop == nil || loop.Waits() {
				continue
			}
			name := ctx.Name()
			if name == "" || name == "_" {
				name = "its context"
			}
			c.pass.Report(analysis.Diagnostic{Pos: call.Pos(), Message: fmt.Sprintf(
				"%s retries %s after a failure but never looks at %s, which it takes: once the caller's context is done every attempt fails at once and the loop runs to its own limit; return ctx.Err() before each attempt",
				ctxflow.ShortName(obj), attempt.Name(), name)})
			return
		}
	}
}

// unused reports whether a parameter is never used.
func unused(p *ssa.Parameter) bool {
	for _, r := range *p.Referrers() {
		if _, ok := r.(*ssa.DebugRef); !ok {
			return false
		}
	}
	return true
}
