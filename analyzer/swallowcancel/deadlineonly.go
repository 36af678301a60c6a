package swallowcancel

import (
	"fmt"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkDeadlineOnly reports a retry loop whose only way out on a failure is
// a test for context.DeadlineExceeded, when the context the attempt is given
// carries the caller's cancellation (the caller's own, or a timeout the
// function derived from it): once the caller cancels, every attempt fails
// at once with context.Canceled, which the test does not catch, and the
// loop goes round forever — the derived timeout never fires, since a
// context's Err stays Canceled once it is (flyctl's WaitForStart slept and
// retried until the process died; the fix returns on Canceled too).
func (c *checker) checkDeadlineOnly(f *fnInfo) {
	for _, b := range f.fn.Blocks {
		t := ctxflow.CancelTestOf(b)
		if t == nil || t.Sentinel != knowledge.CtxDeadlineErr {
			continue
		}
		loop := ctxflow.Innermost(f.loops, b)
		call := callOf(t.Err)
		if loop == nil || call == nil || !loop.Blocks[call.Block()] || loop.Blocks[t.Holds] {
			continue
		}
		ctx := attemptContext(call)
		if ctx == nil || !c.carriesCallerCancel(f, ctx) || c.seesCancellation(loop, false) {
			continue
		}
		if !exitsOnlyOn(loop, t.Holds, t.Err) {
			continue
		}
		c.pass.Report(analysis.Diagnostic{Pos: t.Pos, Message: fmt.Sprintf(
			"the loop stops on context.DeadlineExceeded but retries context.Canceled (from %s): once the caller cancels, every attempt fails at once with Canceled and the loop never ends; return when errors.Is(err, context.Canceled) too (or when ctx.Err() != nil)",
			c.callName(call))})
	}
}

// attemptContext returns the context argument of call, or nil.
func attemptContext(call *ssa.Call) ssa.Value {
	for _, a := range call.Common().Args {
		if knowledge.IsContext(a.Type()) {
			return a
		}
	}
	return nil
}

// carriesCallerCancel reports whether ctx is the caller's context, or a
// timeout or deadline the function derived from it whose cancel function it
// only defers: a Canceled from it is the caller's.
func (c *checker) carriesCallerCancel(f *fnInfo, ctx ssa.Value) bool {
	for i := 0; i < 4; i++ {
		if c.res.Classify(ctx).State == ctxflow.Inherited {
			return true
		}
		ex, ok := ctx.(*ssa.Extract)
		if !ok || ex.Index != 0 {
			return false
		}
		derive, ok := ex.Tuple.(*ssa.Call)
		if !ok {
			return false
		}
		callee, _, args := ctxflow.SplitCall(derive.Common())
		switch knowledge.RoleOf(callee) {
		case knowledge.CtxTimeout, knowledge.CtxDeadline:
		default:
			return false
		}
		if len(args) == 0 || !onlyDeferred(derive) {
			return false
		}
		ctx = args[0]
	}
	return false
}

// onlyDeferred reports whether the cancel function derive returns is only
// deferred (or dropped): the function never cancels the context itself
// while it works.
func onlyDeferred(derive *ssa.Call) bool {
	for _, ref := range *derive.Referrers() {
		ex, ok := ref.(*ssa.Extract)
		if !ok || ex.Index != 1 {
			continue
		}
		for _, u := range *ex.Referrers() {
			switch u := u.(type) {
			case *ssa.Defer:
				if u.Call.Value != ex {
					return false
				}
			case *ssa.DebugRef:
			default:
				return false
			}
		}
	}
	return true
}

// exitsOnlyOn reports whether every way out of the loop is where the
// deadline test held or where err was found nil: no other failure ends it.
func exitsOnlyOn(loop *ctxflow.Loop, holds *ssa.BasicBlock, err ssa.Value) bool {
	var nilSides []*ssa.BasicBlock
	for b := range loop.Blocks {
		if cmp, onNil := nilTest(b); cmp != nil && ctxflow.StripInterface(cmp.X) == ctxflow.StripInterface(err) {
			nilSides = append(nilSides, onNil)
		}
	}
	exits := loop.Exits()
	if len(exits) == 0 {
		return false
	}
	for _, e := range exits {
		if e[1] == holds || holds.Dominates(e[0]) {
			continue
		}
		ok := false
		for _, s := range nilSides {
			if s == e[1] || s.Dominates(e[0]) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	// A return inside the loop that is not on those sides ends it too.
	for b := range loop.Blocks {
		if _, ret := b.Instrs[len(b.Instrs)-1].(*ssa.Return); !ret || holds.Dominates(b) {
			continue
		}
		ok := false
		for _, s := range nilSides {
			ok = ok || s.Dominates(b)
		}
		if !ok {
			return false
		}
	}
	return true
}
