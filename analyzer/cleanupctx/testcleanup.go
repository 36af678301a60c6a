package cleanupctx

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkTestCleanup reports a wait in a function literal registered with
// testing's Cleanup that uses a context cancelled before cleanups run: one
// whose cancel the registering function defers (that function has
// returned by then), the test's own Context (testing cancels it just
// before the cleanups), or one derived from either. gateway-api's
// MustApplyWithCleanup registered `c.Delete(ctx, obj)` with the loop's
// 60 s context and `defer cancel()`: every delete failed at once and the
// objects stayed in the cluster.
//
// These literals exist only in tests and test helpers, which the other
// checks leave alone: a test may wait without a deadline (the test
// binary's -timeout bounds it), but a cleanup given a cancelled context
// does nothing, whoever runs it. So this check judges them.
func checkTestCleanup(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, calls []*ctxflow.Call, used map[*ctxflow.Call][]use) {
	register := testCleanupOf(fn)
	if register == nil {
		return
	}
	parent := fn.Parent()
	for _, c := range calls {
		for _, u := range used[c] {
			if u.cancelSafe {
				continue
			}
			why, related := cancelledBeforeCleanup(res, parent, capturedValue(res, u.ctx))
			if why == "" {
				continue
			}
			expr := res.Syntax.CallExpr(c.Instr.Common().Pos())
			if expr == nil || res.Syntax.InGeneratedFile(expr.Pos()) {
				continue
			}
			name := ctxName(capturedVar(u.ctx))
			pass.Report(analysis.Diagnostic{
				Pos: expr.Pos(), End: expr.End(),
				Message: fmt.Sprintf("%s runs in a function registered with %s, which runs after the test has returned, and the context it captured is cancelled by then (%s): the %s fails at once; give it context.WithTimeout(context.WithoutCancel(%s), d)",
					u.what, callName(res, register), why, noun(u), name),
				Related: related,
			})
			return // one finding per literal: the fix is one context for it
		}
	}
}

// testCleanupOf returns the call that registers the function literal fn
// with testing's Cleanup, or nil.
func testCleanupOf(fn *ssa.Function) *ssa.Call {
	if fn.Parent() == nil {
		return nil
	}
	register := registeredBy(fn.Parent(), fn)
	if register == nil {
		return nil
	}
	if callee, _, _ := ctxflow.SplitCall(register.Common()); knowledge.RoleOf(callee) != knowledge.TestCleanup {
		return nil
	}
	return register
}

// cancelledBeforeCleanup says why the context v, seen from the function
// parent that registers a test cleanup, is cancelled when the cleanup
// runs, or "" when that is not known. It follows derivations (a child of
// a cancelled context is cancelled) up to maxDerivations steps.
func cancelledBeforeCleanup(res *ctxflow.Result, parent *ssa.Function, v ssa.Value) (string, []analysis.RelatedInformation) {
	const maxDerivations = 8
	for range maxDerivations {
		mk := constructorOf(res.Underlying(v))
		if mk == nil || mk.Parent() != parent {
			return "", nil
		}
		callee, _, args := ctxflow.SplitCall(mk.Common())
		switch knowledge.RoleOf(callee) {
		case knowledge.TestContext:
			return "the test's Context is cancelled just before its cleanups run",
				[]analysis.RelatedInformation{{Pos: mk.Pos(), Message: "the test's context"}}
		case knowledge.CtxCancel, knowledge.CtxTimeout, knowledge.CtxDeadline:
			if d := deferredCancel(res, mk); d != nil {
				return fmt.Sprintf("%s defers its cancel", ctxflow.LiteralName(parent)),
					[]analysis.RelatedInformation{
						{Pos: mk.Pos(), Message: "the context is made here"},
						{Pos: d.Pos(), Message: "and cancelled when the function returns"},
					}
			}
		case knowledge.CtxValue, knowledge.CtxSignal, knowledge.CtxGroup:
		default:
			return "", nil // a root, WithoutCancel, or a context from elsewhere
		}
		if len(args) == 0 {
			return "", nil
		}
		v = args[0]
	}
	return "", nil
}

// constructorOf returns the call that made the context v (the call itself
// or the call whose first result v is), or nil.
func constructorOf(v ssa.Value) *ssa.Call {
	switch x := v.(type) {
	case *ssa.Call:
		return x
	case *ssa.Extract:
		if call, ok := x.Tuple.(*ssa.Call); ok && x.Index == 0 {
			return call
		}
	}
	return nil
}

// deferredCancel returns the defer of the cancel function mk (a
// WithCancel, WithTimeout or WithDeadline call) returns, or nil.
func deferredCancel(res *ctxflow.Result, mk *ssa.Call) *ssa.Defer {
	for _, ref := range *mk.Referrers() {
		cancel, ok := ref.(*ssa.Extract)
		if !ok || cancel.Index != 1 {
			continue
		}
		for _, r := range *cancel.Referrers() {
			if d, ok := r.(*ssa.Defer); ok && res.Underlying(d.Call.Value) == ssa.Value(cancel) {
				return d
			}
		}
	}
	return nil
}

// capturedVar returns the free variable v reads (directly, or through
// the cell of a variable captured by reference), for its name, or v.
func capturedVar(v ssa.Value) ssa.Value {
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		v = load.X
	}
	if fv, ok := v.(*ssa.FreeVar); ok {
		return fv
	}
	return v
}
