package cleanupctx

import (
	"fmt"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkRegisteredAfterCancel reports a wait in a function literal that is
// registered to run later (handed to a call that keeps it: an HTTP mux)
// and uses a budget its enclosing function made once (WithTimeout,
// WithDeadline) and cancels with `defer cancel()`: the literal runs on
// each request, after the budget expired or the function returned, so the
// wait fails at once (hatchet's health server built one 3 s context in
// Start and gave it to the /live and /ready handlers). A WithCancel
// context is left alone: it stays live while the function runs, and one
// that goes on to serve runs its handlers then. Only literals that
// serve requests (they take an *http.Request) are judged: a handler never
// runs during the call that registers it, whereas a literal handed to an
// unknown function may (a retry helper), and one started with go,
// deferred, awaited or called during the call runs while the context is
// live.
func checkRegisteredAfterCancel(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, calls []*ctxflow.Call, used map[*ctxflow.Call][]use) {
	parent := fn.Parent()
	if parent == nil || !servesRequests(fn) || !res.UsedAsValue(fn) || res.Awaited(fn) || res.CalledDuringCall(fn) {
		return
	}
	runner := registeredBy(parent, fn)
	if runner == nil {
		return // started with go, deferred, stored or returned: not known to run after
	}
	for _, c := range calls {
		for _, u := range used[c] {
			if u.cancelSafe {
				continue
			}
			made, cancel := deferCancelled(res, parent, capturedValue(res, u.ctx))
			if made == nil {
				continue
			}
			expr := res.Syntax.CallExpr(c.Instr.Common().Pos())
			if expr == nil || res.Syntax.Skip(expr.Pos(), false) {
				continue
			}
			pass.Report(analysis.Diagnostic{
				Pos: expr.Pos(), End: expr.End(),
				Message: fmt.Sprintf("%s runs in a function literal handed to %s, which runs it on each request, and the context it captured is a budget %s made once (it expires, and its cancel runs when %s returns): the call fails at once from then on; make the context inside the literal (from the request's)",
					u.what, callName(res, runner), ctxflow.LiteralName(parent), ctxflow.LiteralName(parent)),
				Related: []analysis.RelatedInformation{
					{Pos: made.Pos(), Message: "the context is made here"},
					{Pos: cancel.Pos(), Message: "and cancelled when the function returns"},
				},
			})
			return // one finding per literal: the fix moves the context
		}
	}
}

// registeredBy returns the call of parent that is handed the literal fn as
// an argument (mux.HandleFunc("/live", func…)), when that is the only use
// parent makes of it, or nil.
func registeredBy(parent, fn *ssa.Function) *ssa.Call {
	var by *ssa.Call
	for _, b := range parent.Blocks {
		for _, instr := range b.Instrs {
			mc, ok := instr.(*ssa.MakeClosure)
			if !ok || mc.Fn != fn {
				continue
			}
			for _, ref := range *mc.Referrers() {
				call, ok := ref.(*ssa.Call)
				if !ok || call.Call.Value == mc || by != nil {
					return nil
				}
				by = call
			}
		}
	}
	return by
}

// deferCancelled returns, when v is a context made in parent with a budget
// (WithTimeout, WithDeadline) whose cancel function parent defers, the
// constructor call and the defer.
func deferCancelled(res *ctxflow.Result, parent *ssa.Function, v ssa.Value) (*ssa.Call, *ssa.Defer) {
	mk := constructorOf(v)
	if mk == nil || mk.Parent() != parent {
		return nil, nil
	}
	callee, _, _ := ctxflow.SplitCall(mk.Common())
	if role := knowledge.RoleOf(callee); role != knowledge.CtxTimeout && role != knowledge.CtxDeadline {
		// A WithCancel context stays live while the function runs, and
		// a function that goes on to serve (ListenAndServe) runs its
		// handlers then; a budget expires whatever the function does.
		return nil, nil
	}
	if d := deferredCancel(res, mk); d != nil {
		return mk, d
	}
	return nil, nil
}

// servesRequests reports whether fn takes an *http.Request: a handler,
// run once per request, never by the call that registers it.
func servesRequests(fn *ssa.Function) bool {
	for _, p := range fn.Params {
		if _, ptr := p.Type().(*types.Pointer); ptr && knowledge.TypeRole(p.Type()) == knowledge.HTTPRequestType {
			return true
		}
	}
	return false
}
