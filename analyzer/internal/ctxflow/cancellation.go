package ctxflow

// This file answers two questions for the rules that follow errors rather
// than contexts (swallowcancel): may this error be a cancellation of a
// context the function was given, and does this function own the
// cancellation of the contexts it uses.

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// Cancellations answers "may the error this call returns be a context
// cancellation?" for one package. Make one per pass with
// Result.Cancellations; it is not safe for concurrent use.
type Cancellations struct {
	r     *Result
	calls map[token.Pos]*Call // by Lparen
}

// Cancellations indexes the package's judged calls by position.
func (r *Result) Cancellations() *Cancellations {
	c := &Cancellations{r: r, calls: map[token.Pos]*Call{}}
	for _, call := range r.Calls {
		if call.Instr == nil || call.Instr.Common() == nil {
			continue
		}
		c.calls[call.Instr.Common().Pos()] = call
	}
	return c
}

// Source says where the error result of call may get a context cancellation
// from, for messages ("ctx.Err()", "(*sql.DB).ExecContext",
// "store.Load, which passes ctx to (*http.Client).Do"), or returns "" when it
// cannot be one. An error may be a cancellation when it comes from:
//
//   - ctx.Err() or context.Cause(ctx) on any context;
//   - a sink of the catalog (a call that waits on the network, a database…)
//     given a context, or a request carrying one, that can be cancelled: a
//     context inherited from the caller (parameter, field, capture) or
//     derived from one. A Background, TODO or WithoutCancel context, or an
//     http.NewRequest, is never cancelled; a context of unknown origin is
//     not counted;
//   - a call to a function whose context parameter reaches such a sink (the
//     ReachesSink summary, or its fact for an imported function), given a
//     context that can be cancelled as above.
//
// Calls that take a context but never wait (http.NewRequestWithContext,
// context.WithValue) are not sinks and have no summary, so they never
// count. Without SSA (a package with nothing context-related, or one that
// failed to build) only ctx.Err() and context.Cause count.
func (c *Cancellations) Source(call *ast.CallExpr) string {
	if c == nil || call == nil {
		return ""
	}
	info := c.r.Pass.TypesInfo
	callee, _ := typeutil.Callee(info, call).(*types.Func)
	if callee != nil && callee.FullName() == "context.Cause" {
		return "context.Cause"
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Err" && len(call.Args) == 0 {
		if t := info.TypeOf(sel.X); t != nil && knowledge.IsContext(t) {
			return types.ExprString(sel.X) + ".Err()"
		}
	}
	k := c.calls[call.Lparen]
	if k == nil {
		return ""
	}
	if k.Sink != nil {
		v := c.r.Judge(k)
		if v.HasContext && Cancellable(v.Ctx.State) {
			return k.CalleeName()
		}
		return ""
	}
	if k.Reaches == nil {
		return ""
	}
	for _, p := range k.Reaches.Params {
		if p.Param < 0 || p.Param >= len(k.Args) {
			continue
		}
		if Cancellable(c.r.Classify(k.Args[p.Param]).State) {
			return k.CalleeName() + ", which passes " + p.Name + " to " + p.Sink
		}
	}
	return ""
}

// Cancellable reports whether a context in state s can be cancelled by
// someone the function does not control: inherited from the caller, or
// derived from something cancellable. NoDeadline contexts are never
// cancelled; Unknown ones are not counted (precision first).
func Cancellable(s State) bool {
	return s == Inherited || s == Deadline || s == MaybeNoDeadline
}

// OwnsCancellation reports whether body (not counting nested function
// literals, which are judged on their own) creates a cancellable context of
// its own: context.WithCancel, WithCancelCause, WithTimeout, WithDeadline
// (and their Cause forms), signal.NotifyContext or errgroup.WithContext (an
// errgroup cancels its context when a member fails: the group owns it). A
// function that owns the cancellation may absorb it: it caused it.
func OwnsCancellation(info *types.Info, body *ast.BlockStmt) bool {
	if info == nil || body == nil {
		return false
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found {
			return false
		}
		if _, lit := n.(*ast.FuncLit); lit {
			return false
		}
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		callee, ok := typeutil.Callee(info, call).(*types.Func)
		if !ok {
			return true
		}
		_, parent, deadline := ContextFunc(callee)
		if deadline || parent && callee.Name() != "WithValue" || callee.Origin().FullName() == "golang.org/x/sync/errgroup.WithContext" {
			found = true
		}
		return true
	})
	return found
}
