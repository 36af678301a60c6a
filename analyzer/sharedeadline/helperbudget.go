package sharedeadline

import (
	"fmt"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// helperBudget reports a call of a helper of the package that takes no
// context and returns a budget of its own making from a root
// (ctxflow.FreshBudgetMaker: opentofu's getContextWithTimeout), made where
// the caller has a context of its own — in scope, or received in a
// parameter named _ — when the budget goes on to bound a wait. It is
// freshBudget's bug one call away: the stage outlives its caller.
func (c *checker) helperBudget(fn *ssa.Function, call *ssa.Call) {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg != c.res.Pkg {
		return
	}
	made, ok := c.res.FreshBudgetMaker(callee)
	if !ok {
		return
	}
	expr := c.res.Syntax.CallExpr(call.Pos())
	if expr == nil {
		return
	}
	inScope := c.res.ContextInScope(fn, expr.Pos())
	discarded := inScope == "" && ctxflow.DiscardsContext(fn)
	if inScope == "" && !discarded || c.detached(fn, call) || !c.freshUsedForWork(call, true) {
		return
	}
	obj, ok := callee.Object().(*types.Func)
	if !ok {
		return // a synthetic function: nothing to name
	}
	name := ctxflow.ShortName(obj)
	msg := fmt.Sprintf("%s starts a fresh budget, %s, that ignores %s's deadline and cancellation: the stage can outlive its caller; give %s a context parameter, pass %s and derive the budget from it", name, made, inScope, name, inScope)
	if discarded {
		msg = fmt.Sprintf("%s starts a fresh budget, %s, while this function discards the context it receives (its parameter is _): the stage can outlive its caller; name that parameter, give %s a context parameter and derive the budget from it", name, made, name)
	}
	d := analysis.Diagnostic{Pos: expr.Fun.Pos(), End: expr.Fun.End(), Message: msg}
	for _, k := range c.callsAt(call) {
		if fix := c.threadContextFix(k); fix != nil {
			d.SuggestedFixes = []analysis.SuggestedFix{*fix}
		}
	}
	c.pass.Report(d)
}
