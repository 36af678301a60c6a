package swallowcancel

import (
	"fmt"
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkRetry reports loops that retry work after an error that may be a
// cancellation without ever looking at the context. Once the context is
// done every attempt fails at once, and such a loop never ends. A loop is
// such a retry loop, by flow:
//   - it repeats the same call: every argument of the failing call is the
//     same on each round (a loop over items, whose call takes something
//     received or indexed in the loop, only skips on continue);
//   - a failure goes round again (through continue, a sleep, or the end of
//     the body);
//   - it cannot end on a failure: no return of an error that may be
//     non-nil, no exit that a failure can take (a bound, a counter, a
//     break), no panic and no call that does not return;
//   - nothing in it consults a context (Done, Err, Cause, a cancellation
//     test, or another call given the same context).
func (c *checker) checkRetry(f *fnInfo) {
	reported := map[*ctxflow.Loop]bool{}
	for _, b := range f.fn.Blocks {
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		cmp, ok := iff.Cond.(*ssa.BinOp)
		if !ok || (cmp.Op != token.NEQ && cmp.Op != token.EQL) || !ctxflow.IsNilConst(cmp.Y) {
			continue
		}
		loop := ctxflow.Innermost(f.loops, b)
		if loop == nil || reported[loop] {
			continue
		}
		call := callOf(cmp.X)
		if call == nil || !loop.Blocks[call.Block()] || !sameWork(loop, call) {
			continue
		}
		srcs := c.cancellations(f, cmp.X, iff)
		if len(srcs) == 0 {
			continue
		}
		failure, success := b.Succs[0], b.Succs[1]
		if cmp.Op == token.EQL {
			failure, success = success, failure
		}
		if !loop.Blocks[failure] || !c.retryOnly(f, loop, b, success, call) {
			continue
		}
		reported[loop] = true
		pos := c.retryPos(loop, failure, cmp.Pos())
		c.pass.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
			"retrying after err, which may be a context cancellation%s, without checking the context: once it is done every attempt fails at once and the loop never ends; return when ctx.Err() != nil",
			sourceText(srcs))})
	}
}

// sameWork reports whether every operand of the call is loop-invariant.
func sameWork(loop *ctxflow.Loop, call *ssa.Call) bool {
	common := call.Common()
	if !loop.Invariant(common.Value) {
		return false
	}
	for _, a := range common.Args {
		if !loop.Invariant(ctxflow.Unconvert(a)) {
			return false
		}
	}
	return true
}

// retryOnly checks that a failure stays in the loop and that the loop
// cannot end but on success and never consults a context.
func (c *checker) retryOnly(f *fnInfo, loop *ctxflow.Loop, test, success *ssa.BasicBlock, call *ssa.Call) bool {
	for b := range loop.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Return:
				if len(instr.Results) > 0 && !ctxflow.IsNilConst(errResult(instr)) {
					return false // can end on a failure
				}
			case *ssa.Panic:
				return false
			case *ssa.Select:
				for _, st := range instr.States {
					if c.consultsContext(st.Chan, call) {
						return false
					}
				}
			case ssa.CallInstruction:
				if c.callConsults(instr, call) {
					return false
				}
			case *ssa.UnOp:
				if instr.Op == token.ARROW && c.consultsContext(instr.X, call) {
					return false
				}
			case *ssa.If:
				if c.cancelTestOf(b) != nil {
					return false
				}
			}
		}
	}
	for _, e := range loop.Exits() {
		onSuccess := e[0] == test && e[1] == success || loop.Blocks[success] && success.Dominates(e[0])
		if !onSuccess {
			return false // an exit a failure can take: bounded, or a break
		}
	}
	return true
}

// consultsContext reports whether ch is a context's Done channel.
func (c *checker) consultsContext(ch ssa.Value, _ *ssa.Call) bool {
	call, ok := ch.(*ssa.Call)
	if !ok {
		return false
	}
	fn, _, _ := ctxflow.SplitCall(call.Common())
	return knowledge.RoleOf(fn) == knowledge.CtxDone
}

// callConsults reports whether a call in the loop looks at a context: its
// Done, Err or Cause, a call that never returns, or another call given the
// context the failing call was given (it may check it).
func (c *checker) callConsults(ci ssa.CallInstruction, failing *ssa.Call) bool {
	fn, _, args := ctxflow.SplitCall(ci.Common())
	switch knowledge.RoleOf(fn) {
	case knowledge.CtxDone, knowledge.CtxErr, knowledge.CtxCause, knowledge.NoReturn:
		return true
	}
	if ci == ssa.CallInstruction(failing) {
		return false
	}
	for _, a := range args {
		if !knowledge.IsContext(a.Type()) {
			continue
		}
		for _, b := range failing.Common().Args {
			if ctxflow.Unconvert(a) == ctxflow.Unconvert(b) {
				return true
			}
		}
	}
	return false
}

// retryPos points at what sends a failure round again: a time.Sleep on the
// failure path, else the continue statement, else the test.
func (c *checker) retryPos(loop *ctxflow.Loop, failure *ssa.BasicBlock, testPos token.Pos) token.Pos {
	for b := range loop.Blocks {
		if !failure.Dominates(b) {
			continue
		}
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok {
				fn, _, _ := ctxflow.SplitCall(call.Common())
				if knowledge.RoleOf(fn) == knowledge.TimeSleep {
					if expr := c.res.Syntax.CallExpr(call.Pos()); expr != nil {
						return expr.Pos()
					}
				}
			}
		}
	}
	if stmt := c.enclosingBranch(testPos); stmt != nil {
		if br := findBranch(stmt, token.CONTINUE); br != nil {
			return br.Pos()
		}
	}
	if cur, ok := c.res.Syntax.Enclosing(testPos, testPos, (*ast.IfStmt)(nil)); ok {
		return cur.Node().Pos()
	}
	return testPos
}
