package cleanupctx

import (
	"go/token"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// A failedAttempt is a call whose failure an undo handles: the call, its
// error and the block where that error was found not nil.
type failedAttempt struct {
	call    *ssa.Call
	err     ssa.Value
	failure *ssa.BasicBlock
}

// undoneFailure returns the earlier call whose failure instr undoes, when
// instr runs only on the failure side of `err != nil` for an error of a
// call given root (or a context derived from it) that may be root's
// cancellation, and every way on from instr returns that failure (itself or
// wrapped with %w): a rollback between a failed step and the return of its
// error (cloud-api-adaptor's deleteDisk after create failed, stackrox's
// Rollback after a failed Exec). When the step failed because root is
// done, the undo gets a done context and fails at once. A branch that
// returns something else (a fallback's result) undoes nothing.
func undoneFailure(res *ctxflow.Result, fn *ssa.Function, root ssa.Value, instr ssa.Instruction) *failedAttempt {
	for b := instr.Block(); b != nil; b = b.Idom() {
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok || b == instr.Block() {
			continue
		}
		cmp, ok := iff.Cond.(*ssa.BinOp)
		if !ok || cmp.Op != token.NEQ && cmp.Op != token.EQL || !ctxflow.IsNilConst(cmp.Y) {
			continue
		}
		failure := b.Succs[0]
		if cmp.Op == token.EQL {
			failure = b.Succs[1]
		}
		if !failure.Dominates(instr.Block()) {
			continue
		}
		call := attemptCall(cmp.X)
		if call == nil || ssa.Instruction(call) == instr || !failsWithCancelOf(res, fn, cmp.X, root) {
			continue
		}
		if returnsFailure(res, instr, call, cmp.X) {
			return &failedAttempt{call: call, err: cmp.X, failure: failure}
		}
	}
	return nil
}

// attemptCall returns the call whose error v is (its last result).
func attemptCall(v ssa.Value) *ssa.Call { return ctxflow.ResultOf(ctxflow.StripInterface(v)) }

// failsWithCancelOf reports whether err may carry the cancellation of root
// (or of a context derived from it).
func failsWithCancelOf(res *ctxflow.Result, fn *ssa.Function, err ssa.Value, root ssa.Value) bool {
	for _, src := range res.ErrSources(err) {
		if src.CtxValue == nil {
			continue
		}
		if r, _, _ := observed(res, fn, src.CtxValue); r != nil && res.Underlying(r) == res.Underlying(root) {
			return true
		}
	}
	return false
}

// returnsFailure reports whether every way on from instr ends in a return
// whose error result carries the failed call's error (as it is, wrapped,
// or formatted into a message) or the undo's own, some way the step's, and
// no way ends elsewhere (a panic, a loop going round). A branch that only
// returns what instr returns makes instr its work (a fallback, a handler),
// not an undo.
func returnsFailure(res *ctxflow.Result, instr ssa.Instruction, failed *ssa.Call, err ssa.Value) bool {
	undo, _ := instr.(*ssa.Call)
	seen := map[*ssa.BasicBlock]bool{}
	work := []*ssa.BasicBlock{instr.Block()}
	found := false
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		if len(seen) > 64 {
			return false // a long way on: no undo between a step and its return
		}
		switch last := b.Instrs[len(b.Instrs)-1].(type) {
		case *ssa.Return:
			if len(last.Results) == 0 {
				return false
			}
			v := last.Results[len(last.Results)-1]
			switch {
			case carriesCall(res, v, failed, err):
				found = true
			case undo != nil && carriesCall(res, v, undo, nil):
				// the undo's own failure, reported beside the step's
			default:
				return false
			}
		case *ssa.Panic:
			return false
		default:
			if len(b.Succs) == 0 {
				return false
			}
			for _, s := range b.Succs {
				if s.Dominates(instr.Block()) {
					return false // back round a loop
				}
				work = append(work, s)
			}
		}
	}
	return found
}

// carriesCall reports whether the error v is failed's error, itself or
// wrapped (%w, errors.Join), or an Errorf that formats err (any verb).
func carriesCall(res *ctxflow.Result, v ssa.Value, failed *ssa.Call, err ssa.Value) bool {
	if attemptCall(v) == failed {
		return true
	}
	if call, ok := ctxflow.StripInterface(v).(*ssa.Call); ok && err != nil {
		for _, a := range ctxflow.ErrorfArgs(call.Common()) {
			if ctxflow.StripInterface(a.Value) == ctxflow.StripInterface(err) {
				return true
			}
		}
	}
	for _, src := range res.FailureSources(v) {
		if src.At == ssa.Value(failed) {
			return true
		}
	}
	return false
}

// detachedElsewhere reports whether fn also calls what c calls with a
// context that is not root's (context.Background() where root is known
// done: containerd's unpack aborted with Background on <-ctx.Done() and
// with ctx after a failed Commit): handing root at c is a choice its
// author made with the alternative in hand.
func detachedElsewhere(res *ctxflow.Result, fn *ssa.Function, calls []*ctxflow.Call, used map[*ctxflow.Call][]use, c *ctxflow.Call, root ssa.Value) bool {
	for _, d := range calls {
		if d == c || !sameCallee(c, d) {
			continue
		}
		for _, u := range used[d] {
			if r, _, _ := observed(res, fn, u.ctx); r == nil || res.Underlying(r) != res.Underlying(root) {
				return true
			}
		}
		if len(used[d]) == 0 {
			return true // given a context that reaches nothing: not root's
		}
	}
	return false
}

// sameCallee reports whether two calls call the same function or literal.
func sameCallee(c, d *ctxflow.Call) bool {
	if c.Target != nil {
		return c.Target == d.Target
	}
	return c.Callee != nil && c.Callee == d.Callee
}
