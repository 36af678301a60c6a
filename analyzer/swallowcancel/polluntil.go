package swallowcancel

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// pollsUntil reports whether the done point is in a loop that polls for a
// condition: the loop pauses on a clock (a select case on time.After, a
// Timer's or Ticker's C, or a time.Sleep), makes a call that waits on the
// outside world with a context (the poll), and can leave through a return
// of a nil error elsewhere than where the context is done (the condition
// met: compose's waitDependency). Its caller cannot tell "ready" from
// "gave up", so a nil there is no run-until-cancelled idiom: a function
// that runs until cancelled has no other way to succeed. The work may be
// a function value handed a context (an interceptor's invoker), and the
// pause a helper that fails only once the context is done.
func (c *checker) pollsUntil(f *fnInfo, d *ctxflow.Done) bool {
	if d.Instr == nil {
		return false
	}
	loop := ctxflow.Innermost(f.loops, d.Instr.Block())
	if loop == nil {
		return false
	}
	// A pause helper whose failure told the context done is the clock
	// (grpc-middleware's waitRetryBackoff).
	clock, poll := d.Via != nil && loop.Blocks[d.Via.Block()], false
	for b := range loop.Blocks {
		for _, instr := range b.Instrs {
			switch x := instr.(type) {
			case *ssa.Select:
				for _, st := range x.States {
					if st.Dir == types.RecvOnly && ctxflow.ClockChan(st.Chan) {
						clock = true
					}
				}
			case *ssa.UnOp:
				if x.Op == token.ARROW && ctxflow.ClockChan(x.X) {
					clock = true
				}
			case *ssa.Call:
				callee, _, _ := ctxflow.SplitCall(x.Common())
				if knowledge.RoleOf(callee) == knowledge.TimeSleep {
					clock = true
				}
				if x.Call.StaticCallee() == nil && !x.Call.IsInvoke() && givenContext(x) {
					poll = true // a function value handed a context: the work (a gRPC invoker)
				}
				for _, call := range c.res.CallsAt(x) {
					if call.Sink != nil && call.Sink.Context != knowledge.NoArg || call.Summary != nil && (len(call.Summary.Reach) > 0 || len(call.Summary.CancelList) > 0) {
						poll = true
					}
				}
			}
		}
	}
	if !clock || !poll {
		return false
	}
	returns := ctxflow.Returns(f.fn)
	for _, edge := range loop.Exits() {
		for _, ret := range returns {
			if !edge[1].Dominates(ret.Block()) || d.Covers(ret.Block(), len(ret.Block().Instrs)-1) || d.Covers(edge[0], len(edge[0].Instrs)-1) {
				continue
			}
			if v := errResult(ret); v != nil && !c.nonNil(v, 0) && !foundNonNil(v, ret.Block(), nil) {
				return true
			}
		}
	}
	return false
}

// givenContext reports whether a call is handed a context argument.
func givenContext(call *ssa.Call) bool {
	for _, a := range call.Call.Args {
		if knowledge.IsContext(a.Type()) {
			return true
		}
	}
	return false
}
