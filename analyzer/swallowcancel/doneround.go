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

// checkDoneCaseGoesRound reports a `case <-ctx.Done():` in a loop after
// which the loop goes round again, when the loop does not otherwise look at
// the context: once the context is done the select returns at once, and the
// loop spins, or retries work the caller gave up on, for ever.
//
// An empty case is reported as such. A case with statements is reported
// when, by flow, it cannot end the loop: it stores nothing, changes no
// variable the loop carries (a `stopped = true` flag, a new ctx), starts
// nothing, and every way out of the loop from it is the success of a call
// given the same context — which cannot succeed once that context is done
// (loop's SweepHtlcTimeoutAction logged ctx.Err() in the case and went on
// publishing the sweep with the done ctx).
func (c *checker) checkDoneCaseGoesRound(f *fnInfo) {
	for _, d := range append(c.res.Dones(f.fn), c.res.FoldedDoneCases(f.fn)...) {
		sel, ok := d.Instr.(*ssa.Select)
		if !ok || !c.foreignContext(f, d) {
			continue
		}
		loop := ctxflow.Innermost(f.loops, sel.Block())
		if loop == nil || !loop.Blocks[d.Block] {
			continue // not in a loop, or the case leaves it
		}
		clause := c.commClause(sel, d)
		if clause == nil {
			continue
		}
		breaks := onlyPlainBreak(clause.Body)
		empty := len(clause.Body) == 0 || breaks
		var body func(*ssa.BasicBlock) bool
		if !empty {
			if d.Empty || !c.caseGoesRound(loop, d) {
				continue
			}
			body = d.Block.Dominates
		}
		if consultsOtherwise(loop, sel, body) || endsOnContextCall(loop, d.Ctx) {
			continue // the loop checks ctx itself
		}
		fix := "return"
		if f.errLast {
			_, fix = c.doneNames(d)
			fix = "return " + fix
		}
		name := c.ctxName(d)
		msg := fmt.Sprintf("this case <-%s.Done() does nothing, so the loop goes round again after %s is done: %s", name, name, fix)
		if breaks {
			msg = fmt.Sprintf("this break leaves only the select, not the loop, so the loop goes round again after %s is done and never ends: %s (or break to a label on the loop)", name, fix)
		} else if !empty {
			msg = fmt.Sprintf("this case <-%s.Done() does not leave the loop, so it goes round again after %s is done and never ends: each round fails at once or picks this case again; %s", name, name, fix)
		}
		pos, end := clause.Pos(), clause.Colon+1
		if breaks {
			pos, end = clause.Body[0].Pos(), clause.Body[0].End()
		}
		c.pass.Report(analysis.Diagnostic{Pos: pos, End: end, Message: msg})
	}
}

// onlyPlainBreak reports whether a case's statements are unlabelled
// breaks, which leave the select, not the loop around it (p2's
// CommitWithRetries: `case <-ctx.Done(): break` went on retrying).
func onlyPlainBreak(body []ast.Stmt) bool {
	for _, st := range body {
		br, ok := st.(*ast.BranchStmt)
		if !ok || br.Tok != token.BREAK || br.Label != nil {
			return false
		}
	}
	return len(body) > 0
}

// caseGoesRound reports whether, from the start of the done case d, the
// loop can only go round again or leave on the success of a call given
// d's context (every exit the case can reach, on this round or a later
// one). The case's own blocks (those d.Block dominates) must store
// nothing, start nothing and hand no new value to a variable the loop
// carries.
func (c *checker) caseGoesRound(loop *ctxflow.Loop, d *ctxflow.Done) bool {
	if d.Ctx == nil {
		return false
	}
	ctx := ctxflow.Unconvert(d.Ctx)
	results := map[ssa.Value]bool{}
	for b := range loop.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok {
				for _, a := range call.Common().Args {
					if ctxflow.Unconvert(a) == ctx {
						results[call] = true
					}
				}
			}
		}
	}
	if len(results) == 0 {
		return false // nothing retried with the done context
	}
	inCase := d.Block.Dominates
	return walkLoop(loop, d.Block,
		func(x *ssa.BasicBlock) bool {
			return carriesNothingNew(x, inCase) && (!inCase(x) || changesNothing(x, inCase))
		},
		func(x *ssa.BasicBlock, i int) bool {
			return successExit(x, i, results) || impossibleCase(x, x.Succs[i])
		})
}

// walkLoop visits the blocks of the loop reachable from start (itself
// included, on this round and later ones) and reports whether every one
// passes visit, has a successor (no call that never returns), and leaves
// the loop only by edges exit accepts (edge i of block x).
func walkLoop(loop *ctxflow.Loop, start *ssa.BasicBlock, visit func(*ssa.BasicBlock) bool, exit func(x *ssa.BasicBlock, i int) bool) bool {
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{start}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[x] {
			continue
		}
		seen[x] = true
		if !visit(x) || len(x.Succs) == 0 {
			return false
		}
		for i, s := range x.Succs {
			if loop.Blocks[s] {
				stack = append(stack, s)
			} else if !exit(x, i) {
				return false
			}
		}
	}
	return true
}

// changesNothing reports whether block b stores nothing but into memory
// the case made (a variadic call's argument array), sends nothing and
// starts nothing: what it runs can only be calls (a log line).
func changesNothing(b *ssa.BasicBlock, inCase func(*ssa.BasicBlock) bool) bool {
	for _, instr := range b.Instrs {
		switch instr := instr.(type) {
		case *ssa.Store:
			if !madeIn(instr.Addr, inCase) {
				return false
			}
		case *ssa.MapUpdate, *ssa.Send, *ssa.Go, *ssa.Defer, *ssa.Return, *ssa.Panic:
			return false
		case *ssa.Call:
			if fn, _, _ := ctxflow.SplitCall(instr.Common()); knowledge.RoleOf(fn) == knowledge.NoReturn {
				return false
			}
		}
	}
	return true
}

// impossibleCase reports whether b, reached from from, is the panic go/ssa
// places after the last case of a blocking select, which never runs.
func impossibleCase(from, b *ssa.BasicBlock) bool {
	iff, ok := from.Instrs[len(from.Instrs)-1].(*ssa.If)
	if !ok {
		return false
	}
	cmp, ok := iff.Cond.(*ssa.BinOp)
	if !ok {
		return false
	}
	if ex, ok := cmp.X.(*ssa.Extract); !ok || ex.Index != 0 {
		return false
	} else if _, ok := ex.Tuple.(*ssa.Select); !ok {
		return false
	}
	for _, instr := range b.Instrs {
		switch x := instr.(type) {
		case *ssa.MakeInterface:
			if _, ok := x.X.(*ssa.Const); !ok {
				return false
			}
		case *ssa.Panic:
			_, ok := x.X.(*ssa.MakeInterface)
			return ok
		case *ssa.DebugRef:
		default:
			return false
		}
	}
	return false
}

// madeIn reports whether addr is an element or field of memory allocated
// in a block inCase accepts.
func madeIn(addr ssa.Value, inCase func(*ssa.BasicBlock) bool) bool {
	for range 4 {
		switch x := addr.(type) {
		case *ssa.IndexAddr:
			addr = x.X
		case *ssa.FieldAddr:
			addr = x.X
		case *ssa.Alloc:
			return x.Block() != nil && inCase(x.Block())
		default:
			return false
		}
	}
	return false
}

// carriesNothingNew reports whether no φ of block b takes, from a block of
// the case, a constant or a value the case computed: a flag set to stop the
// loop, a new context.
func carriesNothingNew(b *ssa.BasicBlock, inCase func(*ssa.BasicBlock) bool) bool {
	for _, instr := range b.Instrs {
		phi, ok := instr.(*ssa.Phi)
		if !ok {
			break
		}
		for i, e := range phi.Edges {
			if !inCase(b.Preds[i]) {
				continue
			}
			if _, ok := e.(*ssa.Const); ok {
				return false
			}
			if in, ok := e.(ssa.Instruction); ok && in.Block() != nil && inCase(in.Block()) {
				return false
			}
		}
	}
	return true
}

// successExit reports whether the edge from b to its successor i leaves on
// the success of one of the calls: b ends in `if err == nil` (or `!= nil`
// with the exit on its else) on an error one of them returned.
func successExit(b *ssa.BasicBlock, i int, calls map[ssa.Value]bool) bool {
	iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return false
	}
	cmp, ok := iff.Cond.(*ssa.BinOp)
	if !ok || !ctxflow.IsNilConst(cmp.Y) || !dependsOn(cmp.X, calls, 0) {
		return false
	}
	return cmp.Op == token.EQL && i == 0 || cmp.Op == token.NEQ && i == 1
}

// consultsOtherwise reports whether the loop looks at a context other than
// through the select's own Done case: Err, Cause, or another Done. Calls in
// the blocks inCase accepts (the done case's own: a log line naming
// ctx.Err()) do not count.
func consultsOtherwise(loop *ctxflow.Loop, sel *ssa.Select, inCase func(*ssa.BasicBlock) bool) bool {
	for b := range loop.Blocks {
		if inCase != nil && inCase(b) {
			continue
		}
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			fn, _, _ := ctxflow.SplitCall(call.Common())
			switch knowledge.RoleOf(fn) {
			case knowledge.CtxErr, knowledge.CtxCause:
				return true
			case knowledge.CtxDone:
				used := false
				for _, st := range sel.States {
					used = used || st.Chan == call
				}
				if !used {
					return true
				}
			}
		}
	}
	return false
}
