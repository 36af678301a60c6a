package swallowcancel

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// staleNil reports whether v, the error a return passes on where a
// context is done, is an earlier call's error that a test on the way found
// nil — directly, or through wrappers that return nil for a nil error
// (pkg/errors.Wrap and kin, or a helper of the package that begins with
// `if err == nil { return nil }`). On that path the return is nil: the
// caller is told the work finished (prysm's isDataAvailable returned
// errors.Wrap(err, "context deadline waiting for blob sidecars") with the
// err of a lookup that had succeeded). It returns the stale error value.
//
// The author wrote an error there, so the run-until-cancelled exemption
// of a bare `return nil` does not apply.
//
// An error made in the same loop as the done point is the last attempt's
// (a service loop returning its last tick's error on shutdown): that is
// the last-attempt check's business, which wants it known non-nil — unless
// every test on the way let only nil through (go-cloud's WatchVariable
// returned on a read error, then waited and returned the read's err).
func (c *checker) staleNil(v ssa.Value, ret *ssa.Return, doneAt *ssa.BasicBlock) (ssa.Value, bool) {
	u := c.unwrapNilSafe(v)
	var madeIn *ssa.BasicBlock
	switch x := u.(type) {
	case *ssa.Extract:
		if call, ok := x.Tuple.(*ssa.Call); ok && !contextErr(call) {
			madeIn = call.Block()
		}
	case *ssa.Call:
		if !contextErr(x) {
			madeIn = x.Block()
		}
	case *ssa.Phi:
		// A loop's error variable (immudb's `for err == nil { … }`):
		// each round's value, tested at the loop's head; only when every
		// value it merges is a call's error, none the context's own.
		if phiOfCallErrors(x) {
			madeIn = x.Block()
		}
	}
	if madeIn == nil {
		return nil, false // a parameter, a constant, the context's own error: not a stale result
	}
	if madeIn == ret.Block() {
		return nil, false // made on the way out itself
	}
	found, alwaysNil := false, true
	for _, b := range ret.Parent().Blocks {
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		nilSide := nilEdge(iff, u)
		if nilSide == nil {
			continue
		}
		if reachesAvoiding(nilSide, ret.Block(), madeIn) {
			found = true
		}
		other := b.Succs[0]
		if other == nilSide {
			other = b.Succs[1]
		}
		if reachesAvoiding(other, ret.Block(), madeIn) {
			alwaysNil = false
		}
	}
	if found && slices.Contains(ctxflow.LoopBlocks(doneAt), madeIn) && !alwaysNil {
		// Made in the done point's loop and maybe not nil: the last
		// attempt's error, the last-attempt check's business.
		return nil, false
	}
	if found {
		return u, true
	}
	return nil, false
}

// contextErr reports whether call is ctx.Err() or context.Cause(ctx).
func contextErr(call *ssa.Call) bool {
	callee, _, _ := ctxflow.SplitCall(call.Common())
	role := knowledge.RoleOf(callee)
	return role == knowledge.CtxErr || role == knowledge.CtxCause
}

// phiOfCallErrors reports whether every value the phi merges is the error
// result of a call that is not a context's own error, through other such
// phis (a few).
func phiOfCallErrors(p *ssa.Phi) bool {
	seen := map[*ssa.Phi]bool{}
	var ok func(v ssa.Value) bool
	ok = func(v ssa.Value) bool {
		switch x := ctxflow.StripInterface(v).(type) {
		case *ssa.Extract:
			call, isCall := x.Tuple.(*ssa.Call)
			return isCall && !contextErr(call)
		case *ssa.Call:
			return !contextErr(x)
		case *ssa.Phi:
			if seen[x] {
				return true
			}
			if len(seen) > 8 {
				return false
			}
			seen[x] = true
			for _, e := range x.Edges {
				if !ok(e) {
					return false
				}
			}
			return true
		}
		return false
	}
	return ok(p)
}

// reportStaleNil reports a return of a stale nil error once d's context
// is done (staleNil), and says whether it did.
func (c *checker) reportStaleNil(d *ctxflow.Done, v ssa.Value, ret *ssa.Return) bool {
	at := d.Block
	if d.Instr != nil {
		at = d.Instr.Block()
	}
	stale, ok := c.staleNil(v, ret, at)
	if !ok {
		return false
	}
	what := "this error"
	if call := calledBy(stale); call != "" {
		what = "the error of " + call
	}
	_, fix := c.doneNames(d)
	diag := analysis.Diagnostic{Pos: c.valuePos(v, ret), Message: fmt.Sprintf(
		"when %s is done this returns %s, which a test on the way found nil: the return is then nil and tells the caller the work finished when it was abandoned; return %s there (or wrap it with %%w)",
		c.ctxName(d), what, fix)}
	c.staleFix(&diag, ret, fix, d.Pos)
	c.pass.Report(diag)
	return true
}

// calledBy names the call whose result v is, for messages.
func calledBy(v ssa.Value) string {
	if x, ok := v.(*ssa.Extract); ok {
		v = x.Tuple
	}
	call, ok := v.(*ssa.Call)
	if !ok {
		return ""
	}
	if callee, _, _ := ctxflow.SplitCall(call.Common()); callee != nil {
		return ctxflow.ShortName(callee)
	}
	return ""
}

// nilSafeWrapArg returns the error a call wraps when the call returns nil
// for a nil error: a catalog wrapper (pkg/errors), or a function of the
// package whose entry tests that parameter against nil and returns nil.
func (c *checker) nilSafeWrapArg(call *ssa.Call) (ssa.Value, bool) {
	callee, _, args := ctxflow.SplitCall(call.Common())
	if knowledge.RoleOf(callee) == knowledge.ErrWrapNilSafe {
		if len(args) > 0 {
			return args[0], true
		}
		return nil, false
	}
	fn := call.Common().StaticCallee()
	if fn == nil || fn.Pkg != c.res.Pkg || len(fn.Blocks) == 0 {
		return nil, false
	}
	if i, ok := passesOnOnly(fn); ok && i < len(call.Common().Args) {
		return call.Common().Args[i], true
	}
	entry := fn.Blocks[0]
	iff, ok := entry.Instrs[len(entry.Instrs)-1].(*ssa.If)
	if !ok {
		return nil, false
	}
	for i, p := range fn.Params {
		if !knowledge.IsError(p.Type()) || i >= len(call.Common().Args) {
			continue
		}
		side := nilEdge(iff, p)
		if side == nil || len(side.Instrs) == 0 {
			continue
		}
		if r, ok := side.Instrs[len(side.Instrs)-1].(*ssa.Return); ok && len(r.Results) > 0 && ctxflow.IsNilConst(r.Results[len(r.Results)-1]) {
			return call.Common().Args[i], true
		}
	}
	return nil, false
}

// passesOnOnly returns the index of fn's one error parameter when every
// return of fn gives as its error either nil or that parameter unchanged
// (go-cloud's checkSameErr closure, which answers "no change" with nil or
// passes err on): given a nil error, it returns nil.
func passesOnOnly(fn *ssa.Function) (int, bool) {
	if !ctxflow.ErrorLast(fn.Signature) {
		return 0, false
	}
	r := classifyErrorReturns(fn)
	return r.param, r.param >= 0 && r.other == 0 && r.wrapped == 0 && r.same > 0
}

// nilEdge returns the successor of iff taken when v is nil, if iff tests
// v against nil (v == nil, v != nil), or nil.
func nilEdge(iff *ssa.If, v ssa.Value) *ssa.BasicBlock {
	cmp, ok := iff.Cond.(*ssa.BinOp)
	if !ok || cmp.Op != token.EQL && cmp.Op != token.NEQ {
		return nil
	}
	x, y := ctxflow.StripInterface(cmp.X), ctxflow.StripInterface(cmp.Y)
	if !(x == v && ctxflow.IsNilConst(cmp.Y) || y == v && ctxflow.IsNilConst(cmp.X)) {
		return nil
	}
	if cmp.Op == token.EQL {
		return iff.Block().Succs[0]
	}
	return iff.Block().Succs[1]
}

// reachesAvoiding reports whether to can be reached from from in the
// control-flow graph without passing through avoid, where the value tested
// is made anew (the next round of a loop): one pass over the blocks.
func reachesAvoiding(from, to, avoid *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{}
	work := []*ssa.BasicBlock{from}
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		if b == to {
			return true
		}
		if seen[b] || b == avoid {
			continue
		}
		seen[b] = true
		work = append(work, b.Succs...)
	}
	return false
}

// staleFix offers to put fix (ctx.Err()) where the return names the stale
// error variable, when exactly one error variable appears in the returned
// expression.
func (c *checker) staleFix(d *analysis.Diagnostic, ret *ssa.Return, fix string, from token.Pos) {
	e := c.lastResult(ret)
	if e == nil || !c.res.Syntax.Editable(e.Pos()) || !c.visibleAs(fix, from, e.Pos()) {
		return
	}
	var found []*ast.Ident
	ast.Inspect(e, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		if v, ok := c.pass.TypesInfo.Uses[id].(*types.Var); ok && knowledge.IsError(v.Type()) {
			found = append(found, id)
		}
		return true
	})
	if len(found) != 1 {
		return
	}
	id := found[0]
	d.SuggestedFixes = []analysis.SuggestedFix{{
		Message:   "Pass on " + fix,
		TextEdits: []analysis.TextEdit{{Pos: id.Pos(), End: id.End(), NewText: []byte(fix)}},
	}}
}
