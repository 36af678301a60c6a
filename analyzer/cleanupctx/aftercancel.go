package cleanupctx

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkAfterCancel reports a call given a context after that context's
// own cancel function was called on the way to it (rocketmq's async send
// called cancel() first in its completion callback, then the user's
// handler with the context it had just ended): the callee gets a context
// that is already done. Counted are the calls the rule judges anyway
// (waits, cleanups, functions whose summary says the context reaches one)
// and calls of function values the function was handed — a callback handed
// a context is handed it to use. Reading the context's state (Err, Cause) or decorating it is no
// use.
func checkAfterCancel(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, judged map[ssa.CallInstruction]bool) {
	var cancels []*ssa.Call
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok && cancelledCtx(res, call) != nil {
				cancels = append(cancels, call)
			}
		}
	}
	if len(cancels) == 0 {
		return
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			if !judged[ssa.CallInstruction(call)] && !isCallback(res, call) {
				continue // neither a wait the rule knows nor a callback
			}
			for _, a := range call.Call.Args {
				if !knowledge.IsContext(a.Type()) {
					continue
				}
				for _, cancel := range cancels {
					if cancel == call || capturedValue(res, a) != cancelledCtx(res, cancel) || !ctxflow.RunsBefore(cancel, call) || madeToBeCancelled(cancelledCtx(res, cancel), cancel) {
						continue
					}
					expr := res.Syntax.CallExpr(call.Pos())
					if expr == nil || res.Syntax.Skip(expr.Pos(), false) {
						continue
					}
					pass.Report(analysis.Diagnostic{
						Pos: expr.Pos(), End: expr.End(),
						Message: fmt.Sprintf("%s is given a context its own cancel function has already ended (called above), so it gets a done context and fails at once: call cancel after it (defer cancel())", callName(res, call)),
						Related: []analysis.RelatedInformation{{Pos: cancel.Pos(), Message: "cancelled here"}},
					})
					return // one finding per function: the fix moves the cancel
				}
			}
		}
	}
}

// cancelledCtx returns the context whose cancel function call calls (the
// second result of context.WithCancel, WithTimeout or WithDeadline, or
// their Cause forms, directly or captured), or nil.
func cancelledCtx(res *ctxflow.Result, call *ssa.Call) ssa.Value {
	if call.Call.IsInvoke() || call.Call.StaticCallee() != nil {
		return nil
	}
	ex, ok := res.Underlying(call.Call.Value).(*ssa.Extract)
	if !ok || ex.Index != 1 {
		return nil
	}
	mk, ok := ex.Tuple.(*ssa.Call)
	if !ok {
		return nil
	}
	callee, _, _ := ctxflow.SplitCall(mk.Common())
	if !knowledge.RoleOf(callee).Cancellable() {
		return nil
	}
	for _, ref := range *mk.Referrers() {
		if ctx, ok := ref.(*ssa.Extract); ok && ctx.Index == 0 {
			return ctx
		}
	}
	return nil
}

// isCallback reports whether call calls a function value the function was
// handed (a parameter, or a capture of one): a package variable holding a
// function (containerd's `log.G`) is no callback.
func isCallback(res *ctxflow.Result, call *ssa.Call) bool {
	if call.Call.IsInvoke() || call.Call.StaticCallee() != nil {
		return false
	}
	_, param := res.Underlying(call.Call.Value).(*ssa.Parameter)
	return param
}

// callName names the callee for the message.
func callName(res *ctxflow.Result, call *ssa.Call) string {
	for _, c := range res.CallsAt(call) {
		return c.CalleeName()
	}
	if expr := res.Syntax.CallExpr(call.Pos()); expr != nil {
		return types.ExprString(expr.Fun)
	}
	return "the call"
}

// capturedValue is res.Underlying, and for a variable a closure captures by
// reference (a cell: rocketmq's callback captured ctx, reassigned by
// `ctx, cancel := context.WithTimeout(ctx, …)` before the closure was
// made), the value stored last before the closure is made, when every
// store to it runs before that.
func capturedValue(res *ctxflow.Result, v ssa.Value) ssa.Value {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return res.Underlying(v)
	}
	fv, ok := load.X.(*ssa.FreeVar)
	if !ok {
		return res.Underlying(v)
	}
	cell, ok := res.Binding(fv).(*ssa.Alloc)
	if !ok {
		return res.Underlying(v)
	}
	var mk *ssa.MakeClosure
	var stores []*ssa.Store
	for _, ref := range *cell.Referrers() {
		switch x := ref.(type) {
		case *ssa.MakeClosure:
			if x.Fn == fv.Parent() {
				mk = x
			}
		case *ssa.Store:
			if x.Addr == cell {
				stores = append(stores, x)
			}
		}
	}
	if mk == nil {
		return res.Underlying(v)
	}
	var last *ssa.Store
	for _, st := range stores {
		if !ctxflow.RunsBefore(st, mk) {
			return res.Underlying(v) // changed after the closure is made
		}
		if last == nil || ctxflow.RunsBefore(last, st) {
			last = st
		}
	}
	if last == nil {
		return res.Underlying(v)
	}
	return res.Underlying(last.Val)
}

// madeToBeCancelled reports whether the context is used only after its
// cancel: a context cancelled on purpose before anything gets it (pgx's
// Conn.die: `ctx, cancel := context.WithCancel(context.Background());
// cancel() // force immediate hard cancel; c.pgConn.Close(ctx)`).
func madeToBeCancelled(ctx ssa.Value, cancel *ssa.Call) bool {
	if ctx == nil || ctx.Referrers() == nil {
		return false
	}
	for _, ref := range *ctx.Referrers() {
		if _, debug := ref.(*ssa.DebugRef); debug {
			continue
		}
		if ref.Block() == nil || ref.Parent() != cancel.Parent() || !ctxflow.RunsBefore(cancel, ref) {
			return false
		}
	}
	return true
}
