package timeoutleak

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// checkRunnerSenders reports a channel with a constant buffer that a
// function literal sends on with a plain send, when the literal is handed
// to a function of the package that calls it once per piece of work (in a
// loop, on worker goroutines or not) and the function reads the channel at
// most as many times as it has slots, after that call returns:
//
//	errCh := make(chan error, 1)
//	ParallelizeUntil(ctx, 16, len(nodes), func(i int) {
//		if err := score(nodes[i]); err != nil {
//			errCh <- err // the second failure blocks forever
//		}
//	})
//	select {
//	case err := <-errCh:
//		return err
//	default:
//	}
//
// Once more pieces fail than the buffer holds, the next sender blocks
// forever — and the runner, which waits for its workers, with it (volcano's
// taintTolerationScore hung the scheduler; the fix gave errCh len(nodes)
// slots). A send in a select (with a default, or a done case) can give up
// and is left alone, as are literals that send in a loop of their own
// (producers), channels received from elsewhere, and runners of other
// packages without a summary.
func checkRunnerSenders(pass *analysis.Pass, res *ctxflow.Result, mk *ssa.MakeChan) {
	size, ok := mk.Size.(*ssa.Const)
	if !ok || size.Value == nil || size.Value.Kind() != constant.Int {
		return
	}
	slots, exact := constant.Int64Val(size.Value)
	if !exact {
		return
	}
	c := &channel{mk: mk, cell: cellOf(mk)}
	var here []ssa.Value // the channel as fn sees it
	lits := map[*ssa.Function][]ssa.Value{}
	var runs []*ssa.Call // the calls that run a sending literal
	if c.cell == nil {
		here = append(here, mk)
	} else {
		for _, r := range *c.cell.Referrers() {
			switch r := r.(type) {
			case *ssa.Store:
				if r.Val != ssa.Value(mk) {
					return // the variable is reassigned
				}
			case *ssa.DebugRef:
			case *ssa.UnOp:
				if r.Op != token.MUL {
					return
				}
				here = append(here, r)
			case *ssa.MakeClosure:
				lit := r.Fn.(*ssa.Function)
				for i, b := range r.Bindings {
					if b == ssa.Value(c.cell) && i < len(lit.FreeVars) {
						loads, ok := loadsOf(lit.FreeVars[i])
						if !ok {
							return
						}
						lits[lit] = append(lits[lit], loads...)
					}
				}
				run := runnerCall(res, r)
				if run == nil {
					return
				}
				runs = append(runs, run)
			default:
				return
			}
		}
	}
	if len(lits) != 1 || len(runs) != 1 {
		return
	}
	run := runs[0]
	for lit, vals := range lits {
		if !sendsOncePlainly(lit, vals) {
			return
		}
	}
	// fn itself only receives, after the run, at most slots times on any
	// path, and never in a loop.
	var receives []*ssa.UnOp
	for _, v := range here {
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.UnOp:
				if r.Op != token.ARROW {
					return
				}
				receives = append(receives, r)
			case *ssa.Select:
				for _, st := range r.States {
					if st.Chan == v && st.Dir != types.RecvOnly {
						return
					}
				}
				receives = append(receives, nil) // counted below by block
				if !ctxflow.RunsBefore(run, r) || ctxflow.InLoop(r.Block()) {
					return
				}
			default:
				return
			}
		}
	}
	for _, r := range receives {
		if r != nil && (!ctxflow.RunsBefore(run, r) || ctxflow.InLoop(r.Block())) {
			return
		}
	}
	if int64(len(receives)) > slots || ctxflow.InLoop(run.Block()) {
		return
	}
	call := res.Syntax.CallExpr(mk.Pos())
	if call == nil || res.Syntax.Skip(call.Pos(), false) {
		return
	}
	name := "the runner"
	if callee := run.Call.StaticCallee(); callee != nil {
		name = callee.Name()
	}
	pass.Report(analysis.Diagnostic{
		Pos: call.Pos(), End: call.End(),
		Message: fmt.Sprintf("the function handed to %s runs once per piece and sends on this channel (%d slot%s) with a plain send, but nothing receives until %s returns: once more pieces send than it holds, the next sender blocks forever and %s with it; give it a slot per piece or send in a select with a default",
			name, slots, plural(slots), name, name),
		Related: []analysis.RelatedInformation{{Pos: run.Pos(), Message: "the runner"}},
	})
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// runnerCall returns the call that mc, a closure, is handed to as an
// argument, when the callee's summary (a fact, for another package's) says
// it calls that parameter once per piece of work (RepeatCalls).
func runnerCall(res *ctxflow.Result, mc *ssa.MakeClosure) *ssa.Call {
	refs := *mc.Referrers()
	if len(refs) != 1 {
		return nil
	}
	call, ok := refs[0].(*ssa.Call)
	if !ok || call.Call.IsInvoke() {
		return nil
	}
	for _, c := range res.CallsAt(call) {
		s := c.Summary
		if s == nil && c.Target != nil {
			s = res.Summary(c.Target)
		}
		if s == nil {
			continue
		}
		for i, a := range c.Args {
			if a == ssa.Value(mc) && slices.Contains(s.RepeatCalls, i) {
				return call
			}
		}
	}
	return nil
}

// sendsOncePlainly reports whether the literal uses the channel (vals, its
// loads of the captured variable) only for plain sends outside any loop of
// its own, at least one.
func sendsOncePlainly(lit *ssa.Function, vals []ssa.Value) bool {
	sends := 0
	for _, v := range vals {
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.Send:
				if r.Chan != v || ctxflow.InLoop(r.Block()) {
					return false
				}
				sends++
			default:
				return false // a select that can give up, a receive, a close, handed on
			}
		}
	}
	return sends > 0
}
