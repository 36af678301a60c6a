package swallowcancel

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// checkSuccessPath reports a cancellation let through to the success path:
//
//	out, err := handler(msg)
//	if err != nil && !errors.Is(err, context.Canceled) {
//		msg.Nack()
//		return
//	}
//	publish(out) // also runs when handler was cancelled
//	msg.Ack()
//
// The test sends a cancelled call down the same path as a call that
// succeeded, and that path uses the call's other results (zero values, or
// a partial answer) as if the work were done (watermill acknowledged the
// message of a cancelled handler, and it was lost). The error branch must
// leave (it cannot reach the merge), and the merge must also be where a nil
// test of the same error leads: that is what makes it the success path.
// Without other results in use the shape is the common "cancellation is
// how we stop" return, which the other checks judge.
func (c *checker) checkSuccessPath(f *fnInfo) {
	for _, b := range f.fn.Blocks {
		t := c.cancelTestOf(b)
		if t == nil {
			continue
		}
		ext, ok := ctxflow.StripInterface(t.err).(*ssa.Extract)
		if !ok {
			continue
		}
		call, ok := ext.Tuple.(*ssa.Call)
		if !ok {
			continue
		}
		merge := jumpTarget(b.Succs[0])
		if ctxflow.Reaches(b.Succs[1], merge) || !c.successMerge(merge, ext) || c.exemptError(f, ext) || c.foundLive(f, call, b) {
			continue
		}
		used := usedResult(call, ext, merge)
		if used == nil {
			continue
		}
		name := c.errName(t)
		c.pass.Report(analysis.Diagnostic{Pos: t.pos, Message: fmt.Sprintf(
			"when %s is a cancellation this test lets it through to the success path, which uses what %s returned as if the call had succeeded: test for the cancellation inside the error branch, so a cancelled call takes the error path",
			name, c.callName(call))})
	}
}

// foundLive reports whether, between call and the test ending block at, a
// test found a context of the function not done: the cancellation tested
// is then the callee's own budget running out, which the function may
// deliberately treat as "not available" (minio-go falls back to IMDSv1 when
// the token request times out, after returning ctx.Err() if ctx is done).
func (c *checker) foundLive(f *fnInfo, call *ssa.Call, at *ssa.BasicBlock) bool {
	return c.foundNotDone(f, call.Block(), at, nil)
}

// successMerge reports whether merge, the block a cancellation test of ext
// jumps to when the error is a cancellation, is also where the error being
// nil leads: a predecessor ends with a nil test of the same error whose nil
// branch comes straight to it.
func (c *checker) successMerge(merge *ssa.BasicBlock, ext *ssa.Extract) bool {
	for _, p := range merge.Preds {
		cmp, onNil := nilTest(p)
		if cmp == nil || ctxflow.StripInterface(cmp.X) != ext {
			continue
		}
		if jumpTarget(onNil) == merge {
			return true
		}
	}
	return false
}

// usedResult returns a result of call other than the error ext that is used
// in code merge dominates, other than by a comparison with nil, or nil.
func usedResult(call *ssa.Call, ext *ssa.Extract, merge *ssa.BasicBlock) *ssa.Extract {
	for _, r := range *call.Referrers() {
		other, ok := r.(*ssa.Extract)
		if !ok || other.Index == ext.Index || other.Referrers() == nil {
			continue
		}
		for _, u := range *other.Referrers() {
			if u.Block() == nil || !merge.Dominates(u.Block()) {
				continue
			}
			if cmp, ok := u.(*ssa.BinOp); ok && (cmp.Op == token.EQL || cmp.Op == token.NEQ) && (ctxflow.IsNilConst(cmp.X) || ctxflow.IsNilConst(cmp.Y)) {
				continue
			}
			if _, ok := u.(*ssa.DebugRef); ok {
				continue
			}
			return other
		}
	}
	return nil
}
