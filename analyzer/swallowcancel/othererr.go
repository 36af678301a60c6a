package swallowcancel

import (
	"fmt"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// otherContextErrAt reports a return, at instruction idx of its block, of
// another context's error once some context is known done there (any
// context: the function's own, a field's), and says whether it did.
func (c *checker) otherContextErrAt(dones []*ctxflow.Done, ret *ssa.Return, idx int) bool {
	for _, d := range dones {
		if d.Covers(ret.Block(), idx) && c.reportOtherContextErr(dones, d, errResult(ret), ret) {
			return true
		}
	}
	return false
}

// reportOtherContextErr reports a return, once d's context is done, of
// the error of another context — Err() or context.Cause of a context that
// is not d's, nor made from it, nor known done there — returned as it is or
// through wrappers that return nil for nil (go-ethlibs' transport, told
// its own t.ctx was done, returned wrap(ctx.Err(), …) of the caller's ctx,
// which is still live: (nil, nil), success). It says whether it reported.
func (c *checker) reportOtherContextErr(dones []*ctxflow.Done, d *ctxflow.Done, v ssa.Value, ret *ssa.Return) bool {
	if d.Ctx == nil {
		return false
	}
	errCall, ok := c.unwrapNilSafe(v).(*ssa.Call)
	if !ok {
		return false
	}
	callee, recv, args := ctxflow.SplitCall(errCall.Common())
	var other ssa.Value
	switch knowledge.RoleOf(callee) {
	case knowledge.CtxErr:
		other = recv
	case knowledge.CtxCause:
		if len(args) > 0 {
			other = args[0]
		}
	}
	if other == nil {
		return false
	}
	mine := ctxflow.Unconvert(d.Ctx)
	other = ctxflow.Unconvert(other)
	if sameContext(mine, other) || madeFrom(other, mine, 0, true) || madeFrom(mine, other, 0, false) {
		// Made from the done one: done too. The done one made from the
		// other with no deadline on the way (WithCancel, WithValue):
		// done, most likely, because the other is.
		return false
	}
	idx := len(ret.Block().Instrs) - 1
	for _, o := range dones {
		if o.Ctx != nil && sameContext(ctxflow.Unconvert(o.Ctx), other) && o.Covers(ret.Block(), idx) {
			return false // that context is known done here too
		}
	}
	doneName := c.contextText(d.Ctx)
	otherName := c.receiverText(errCall)
	if otherName == "" {
		otherName = c.contextText(other)
	}
	if doneName == "" || otherName == "" || doneName == otherName {
		return false
	}
	diag := analysis.Diagnostic{Pos: c.valuePos(v, ret), Message: fmt.Sprintf(
		"when %s is done this returns the error of %s, another context, which is nil while %s is live: the caller is told the work finished when it was abandoned; return %s.Err()",
		doneName, otherName, otherName, doneName)}
	if e := c.res.Syntax.CallExpr(errCall.Pos()); e != nil && c.res.Syntax.Editable(e.Pos()) && knowledge.RoleOf(callee) == knowledge.CtxErr {
		if sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr); ok && c.visibleAs(doneName, d.Pos, e.Pos()) {
			diag.SuggestedFixes = []analysis.SuggestedFix{{
				Message:   "Return " + doneName + ".Err()",
				TextEdits: []analysis.TextEdit{{Pos: sel.X.Pos(), End: sel.X.End(), NewText: []byte(doneName)}},
			}}
		}
	}
	c.pass.Report(diag)
	return true
}

// unwrapNilSafe returns the error v passes on, through wrappers that
// return nil for nil (nilSafeWrapArg), a few deep: v itself when it is no
// such wrapper's result.
func (c *checker) unwrapNilSafe(v ssa.Value) ssa.Value {
	u := ctxflow.StripInterface(v)
	for range 4 {
		call, ok := u.(*ssa.Call)
		if ex, isExtract := u.(*ssa.Extract); isExtract {
			// The error result of a call with several results.
			call, ok = ex.Tuple.(*ssa.Call)
			ok = ok && ex.Index == ex.Tuple.Type().(*types.Tuple).Len()-1
		}
		if !ok {
			break
		}
		arg, ok := c.nilSafeWrapArg(call)
		if !ok {
			break
		}
		u = ctxflow.StripInterface(arg)
	}
	return u
}

// sameContext reports whether a and b are the same context: the same
// value, or loads of the same field of the same object.
func sameContext(a, b ssa.Value) bool {
	if a == b {
		return true
	}
	la, ok1 := a.(*ssa.UnOp)
	lb, ok2 := b.(*ssa.UnOp)
	if !ok1 || !ok2 {
		return false
	}
	fa, ok1 := la.X.(*ssa.FieldAddr)
	fb, ok2 := lb.X.(*ssa.FieldAddr)
	return ok1 && ok2 && fa.X == fb.X && fa.Field == fb.Field
}

// madeFrom reports whether ctx derives from parent through With*
// derivations (WithTimeout and WithDeadline too when withDeadline), a few
// steps deep.
func madeFrom(ctx, parent ssa.Value, depth int, withDeadline bool) bool {
	if depth > 4 {
		return false
	}
	ex, ok := ctx.(*ssa.Extract)
	var call *ssa.Call
	if ok {
		call, _ = ex.Tuple.(*ssa.Call)
	} else {
		call, _ = ctx.(*ssa.Call)
	}
	if call == nil {
		return false
	}
	callee, _, args := ctxflow.SplitCall(call.Common())
	_, inherits, deadline := knowledge.RoleOf(callee).Derivation()
	if !inherits && !(deadline && withDeadline) || len(args) == 0 {
		return false
	}
	p := ctxflow.Unconvert(args[0])
	return sameContext(p, parent) || madeFrom(p, parent, depth+1, withDeadline)
}

// contextText is how the source names a context value: the receiver
// expression of a Done or Err call on it (t.ctx, tctx); "" when there is
// none with syntax.
func (c *checker) contextText(v ssa.Value) string {
	refs := v.Referrers()
	if refs == nil {
		return ""
	}
	for _, ref := range *refs {
		call, ok := ref.(*ssa.Call)
		if !ok {
			continue
		}
		if text := c.receiverText(call); text != "" {
			return text
		}
	}
	return ""
}

// receiverText returns the receiver expression of a call of a context's
// Done or Err method, from the source.
func (c *checker) receiverText(call *ssa.Call) string {
	callee, _, _ := ctxflow.SplitCall(call.Common())
	if r := knowledge.RoleOf(callee); r != knowledge.CtxDone && r != knowledge.CtxErr {
		return ""
	}
	e := c.res.Syntax.CallExpr(call.Pos())
	if e == nil {
		return ""
	}
	sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	return types.ExprString(sel.X)
}

// replacedDerivedBudget reports a return, where a budget the function
// derived from its caller's context (WithTimeout, WithDeadline of a
// context parameter) is known done, of a fresh error that does not wrap
// the context's: the budget is the function's own to answer, but it is
// also done when the caller cancelled, and that cancellation is then
// reported as the function's own failure (ydb's cluster.Get answered
// ErrNoAvailableConns; fixed with ctx.Err()). It says whether it reported.
func (c *checker) replacedDerivedBudget(f *fnInfo, dones []*ctxflow.Done, ret *ssa.Return, idx int) bool {
	for _, d := range dones {
		if !d.Covers(ret.Block(), idx) || d.Ctx == nil || d.Origin.DerivedFrom == nil || d.Origin.Field || d.Origin.Signal {
			continue
		}
		parent := d.Origin.DerivedFrom
		v := errResult(ret)
		fr, ok := c.freshError(v, d.Err)
		if !ok || c.wrapsContextErr(v) || translatedInField(v) || formatsError(v) || consulted(parent) || c.toldKind(ret) {
			continue
		}
		name := c.contextText(d.Ctx)
		if name == "" {
			name = "the budget"
		}
		c.pass.Report(analysis.Diagnostic{Pos: c.valuePos(v, ret), Message: fmt.Sprintf(
			"%s replaces the cancellation of %s, a budget this function derived from the caller's %s, when it is done: it is done too when the caller cancels, and the caller's context.Canceled comes back as this error; return %s.Err() or wrap it with %%w",
			fr.desc, name, parent.Name(), name)})
		return true
	}
	return false
}

// formatsError reports whether v is an fmt.Errorf that formats an error
// without %w: the Errorf check's finding, not this one.
func formatsError(v ssa.Value) bool {
	args, ok := errorfOf(ctxflow.StripInterface(v))
	if !ok {
		return false
	}
	for _, a := range args {
		if knowledge.IsError(ctxflow.StripInterface(a.Value).Type()) {
			return true
		}
	}
	return false
}

// consulted reports whether the function looks at ctx itself (its Err, Done or
// Cause): a function that tells the caller's cancellation from its own
// budget running out answers each as it chooses.
func consulted(ctx ssa.Value) bool {
	for _, ref := range *ctx.Referrers() {
		call, ok := ref.(*ssa.Call)
		if !ok {
			continue
		}
		callee, recv, args := ctxflow.SplitCall(call.Common())
		switch knowledge.RoleOf(callee) {
		case knowledge.CtxErr, knowledge.CtxDone:
			if recv == ctx {
				return true
			}
		case knowledge.CtxCause:
			if len(args) > 0 && args[0] == ctx {
				return true
			}
		}
	}
	return false
}

// toldKind reports whether ret runs only after a test of which
// cancellation an error is (errors.Is(cctx.Err(),
// context.DeadlineExceeded)): a function that tells a deadline from a
// cancel translates each into its own vocabulary on purpose (etcd's
// ErrTimeout and ErrCanceled).
func (c *checker) toldKind(ret *ssa.Return) bool {
	for b := ret.Block().Idom(); b != nil; b = b.Idom() {
		if c.cancelTestOf(b) != nil {
			return true
		}
	}
	return false
}
