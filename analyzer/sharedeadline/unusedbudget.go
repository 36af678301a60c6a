package sharedeadline

import (
	"fmt"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// unusedBudget reports a budget made and never applied:
//
//	ctx, cancel := context.WithTimeout(context.Background(), pullTimeout)
//	defer cancel()
//	reader, err := d.client.ImagePull(d.ctx, ref, opts) // waits on another context
//	if errors.Is(ctx.Err(), context.DeadlineExceeded) { … }
//
// The new context is only asked for its Err (never handed to a call, never
// waited on through Done), and only after a wait of the same function that
// runs on another context: the budget bounds nothing, and the code reads as if it bounded
// that wait (nomad's image pulls had no timeout this way).
func (c *checker) unusedBudget(fn *ssa.Function, call *ssa.Call, expr *ast.CallExpr, callee *types.Func) {
	made := resultContext(call)
	if made == nil || !onlyErrRead(made) {
		return
	}
	for _, w := range c.res.CallsIn(fn) {
		other := c.waitContext(w)
		if other == nil || other == made || !ctxflow.RunsBefore(call, w.Instr) || !readAfter(made, w.Instr) {
			continue
		}
		what := "another context"
		if e := c.res.Syntax.CallExpr(w.Instr.Common().Pos()); e != nil {
			for _, a := range e.Args {
				if tv, ok := c.pass.TypesInfo.Types[a]; ok && knowledge.IsContext(tv.Type) {
					what = types.ExprString(a)
					break
				}
			}
		}
		c.pass.Report(analysis.Diagnostic{
			Pos: expr.Pos(), End: expr.End(),
			Message: fmt.Sprintf("the budget %s makes bounds nothing: only its Err is read, while %s waits on %s; give the wait this context (derived from %s)",
				ctxflow.ShortName(callee), w.CalleeName(), what, what),
		})
		return
	}
}

// readAfter reports whether every read of the context's Err runs after the
// wait: the budget is consulted only to judge that wait. A budget read
// before some work (a loop that stops when it expires) bounds that work.
func readAfter(ctx ssa.Value, wait ssa.Instruction) bool {
	for _, u := range *ctx.Referrers() {
		if call, ok := u.(*ssa.Call); ok && !ctxflow.RunsBefore(wait, call) {
			return false
		}
	}
	return true
}

// resultContext returns the context a derivation returns (the first result
// of WithTimeout and the like), or nil.
func resultContext(call *ssa.Call) ssa.Value {
	for _, r := range *call.Referrers() {
		if e, ok := r.(*ssa.Extract); ok && e.Index == 0 && knowledge.IsContext(e.Type()) {
			return e
		}
	}
	return nil
}

// onlyErrRead reports whether a context's only uses are calls of its Err
// method (at least one).
func onlyErrRead(ctx ssa.Value) bool {
	read := false
	for _, u := range *ctx.Referrers() {
		switch u := u.(type) {
		case *ssa.DebugRef:
		case *ssa.Call:
			callee, recv, _ := ctxflow.SplitCall(u.Common())
			if recv != ctx || knowledge.RoleOf(callee) != knowledge.CtxErr {
				return false
			}
			read = true
		default:
			return false
		}
	}
	return read
}

// waitContext returns the context a call waits on: the context argument of
// a sink, or a context argument the callee's summary says reaches a wait;
// nil if none.
func (c *checker) waitContext(w *ctxflow.Call) ssa.Value {
	if w.Sink != nil {
		if i, ok := w.Sink.Context.In(len(w.Args)); ok {
			return w.Args[i]
		}
		return nil
	}
	s := w.Summary
	if s == nil && w.Target != nil {
		s = c.res.Summary(w.Target)
	}
	if s == nil {
		return nil
	}
	for i, a := range w.Args {
		if knowledge.IsContext(a.Type()) && s.ReachOf(i) != nil {
			return a
		}
	}
	return nil
}
