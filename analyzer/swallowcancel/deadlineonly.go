package swallowcancel

import (
	"fmt"
	"go/token"
	"go/types"

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
		if !exitsOnlyOn(loop, b, t.Holds, t.Err) {
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

// exitsOnlyOn reports whether every way out of the loop is the edge from
// the deadline test (in block test) where it held, or where err was found
// nil: no other failure ends it. Edges are compared, not their targets: a
// range loop's own end may lead to the block the test breaks to.
func exitsOnlyOn(loop *ctxflow.Loop, test, holds *ssa.BasicBlock, err ssa.Value) bool {
	type side struct{ test, onNil *ssa.BasicBlock }
	var nilSides []side
	for b := range loop.Blocks {
		if cmp, onNil := nilTest(b); cmp != nil && ctxflow.StripInterface(cmp.X) == ctxflow.StripInterface(err) {
			nilSides = append(nilSides, side{b, onNil})
		}
	}
	exits := loop.Exits()
	if len(exits) == 0 {
		return false
	}
	for _, e := range exits {
		if e[0] == test && e[1] == holds || holds.Dominates(e[0]) {
			continue
		}
		ok := false
		for _, s := range nilSides {
			if s.test == e[0] && s.onNil == e[1] || s.onNil.Dominates(e[0]) {
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
			ok = ok || s.onNil.Dominates(b)
		}
		if !ok {
			return false
		}
	}
	return true
}

// checkDeadlineRetried reports a retry loop that goes round on
// context.DeadlineExceeded from an attempt given the caller's context (or a
// budget the function derived from it), with nothing else in the loop
// looking at that context: the attempt's own timeout ends in
// DeadlineExceeded, and so does every attempt once the caller's deadline
// has passed, at once — the loop never ends (chain's WaitRead went round
// on isTimeout(err) while the caller's deadline had expired; fixed by
// returning ctx.Err()). The test is a predicate of the package that
// returns such a test of its error parameter (isTimeout); written inline it
// is checkCancelTests' continue after DeadlineExceeded.
func (c *checker) checkDeadlineRetried(f *fnInfo) {
	for _, b := range f.fn.Blocks {
		err, holds, pos := c.deadlineTest(b)
		if err == nil {
			continue
		}
		loop := ctxflow.Innermost(f.loops, b)
		call := callOf(ctxflow.StripInterface(err))
		if loop == nil || call == nil || !loop.Blocks[call.Block()] || !loop.Blocks[holds] {
			continue
		}
		ctx := attemptContext(call)
		if ctx == nil || !c.carriesCallerCancel(f, ctx) || !goesRoundFrom(loop, holds, b) || c.loopConsults(loop, call) {
			continue
		}
		c.pass.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
			"the loop retries context.DeadlineExceeded from %s, which is given the caller's context: once the caller's deadline has passed every attempt fails at once with it and the loop never ends; return ctx.Err() when it is not nil before going round",
			c.callName(call))})
	}
}

// deadlineTest returns the error a block's branch tests for
// context.DeadlineExceeded through a predicate of the package that returns
// such a test of its error parameter (an inline errors.Is or == that
// continues is checkCancelTests'), the successor taken when it is one, and
// the test's position.
func (c *checker) deadlineTest(b *ssa.BasicBlock) (ssa.Value, *ssa.BasicBlock, token.Pos) {
	return c.errPredicateTest(b, deadlinePredicate)
}

// errPredicateTest returns the error a block's branch hands to a predicate of
// the package (a function or a literal capturing nothing, of one error
// parameter) that is accepts, the successor taken when it holds, and the
// test's position.
func (c *checker) errPredicateTest(b *ssa.BasicBlock, is func(*ssa.Function) bool) (ssa.Value, *ssa.BasicBlock, token.Pos) {
	if len(b.Instrs) == 0 {
		return nil, nil, token.NoPos
	}
	iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return nil, nil, token.NoPos
	}
	call, ok := iff.Cond.(*ssa.Call)
	if !ok || len(call.Call.Args) != 1 {
		return nil, nil, token.NoPos
	}
	pred, ok := call.Call.Value.(*ssa.Function)
	if !ok || pred.Pkg != c.res.Pkg || len(pred.Params) != 1 || len(pred.FreeVars) != 0 || !errorPredicate(pred) || !is(pred) {
		return nil, nil, token.NoPos
	}
	return call.Call.Args[0], b.Succs[0], call.Pos()
}

// errorPredicate reports whether fn takes one error and returns a bool.
func errorPredicate(fn *ssa.Function) bool {
	res := fn.Signature.Results()
	if res.Len() != 1 || !knowledge.IsError(fn.Params[0].Type()) {
		return false
	}
	b, ok := res.At(0).Type().Underlying().(*types.Basic)
	return ok && b.Kind() == types.Bool
}

// deadlinePredicate reports whether fn, a function of one error parameter
// returning a bool, returns at some return the test of that parameter
// against context.DeadlineExceeded (`return err == context.DeadlineExceeded`).
func deadlinePredicate(fn *ssa.Function) bool {
	for _, ret := range ctxflow.Returns(fn) {
		var err, other ssa.Value
		switch x := ret.Results[0].(type) {
		case *ssa.BinOp:
			if x.Op != token.EQL {
				continue
			}
			err, other = x.X, x.Y
			if ctxflow.CancelSentinel(x.X) != knowledge.NoRole {
				err, other = x.Y, x.X
			}
		case *ssa.Call:
			callee, _, args := ctxflow.SplitCall(x.Common())
			if knowledge.RoleOf(callee) != knowledge.ErrorsIs || len(args) != 2 {
				continue
			}
			err, other = args[0], args[1]
		default:
			continue
		}
		if ctxflow.CancelSentinel(other) == knowledge.CtxDeadlineErr && ctxflow.StripInterface(err) == ssa.Value(fn.Params[0]) {
			return true
		}
	}
	return false
}

// goesRoundFrom reports whether the loop, entered at holds, can only leave
// through the test block's other successor: no bound, no other return or
// break on the way, on this round or a later one.
func goesRoundFrom(loop *ctxflow.Loop, holds, test *ssa.BasicBlock) bool {
	return walkLoop(loop, holds,
		func(*ssa.BasicBlock) bool { return true },
		func(x *ssa.BasicBlock, _ int) bool { return x == test })
}

// loopConsults reports whether the loop looks at a context other than
// through the attempt: a select or receive (a pause the context may end), a
// context's Done, Err or Cause, a test for context.Canceled, itself or in
// a function of the package it calls other than the attempt's.
func (c *checker) loopConsults(loop *ctxflow.Loop, attempt *ssa.Call) bool {
	return c.loopSees(loop, false, attempt, true)
}

// checkCanceledOnly reports flyctl's mirror image: a retry loop that stops
// when a predicate of the package that sorts errors into retryable or not
// finds the attempt's error to be context.Canceled, the predicate never
// testing for DeadlineExceeded (renterd's abortRetry), and otherwise pauses
// and goes round, when the attempt is given the caller's own context and
// nothing in the loop looks at DeadlineExceeded or at a context. Once the
// caller's deadline has passed every attempt fails at once with
// DeadlineExceeded, which the test lets through, and the loop sleeps
// through its remaining attempts. A per-attempt timeout the function
// derives is left alone: its DeadlineExceeded is a failure worth retrying.
func (c *checker) checkCanceledOnly(f *fnInfo) {
	for _, b := range f.fn.Blocks {
		loop := ctxflow.Innermost(f.loops, b)
		if loop == nil {
			continue
		}
		err, holds, pos := c.canceledTest(b)
		if err == nil || loop.Blocks[holds] {
			continue
		}
		call := callOf(ctxflow.StripInterface(err))
		if call == nil || !loop.Blocks[call.Block()] {
			continue
		}
		ctx := attemptCallerContext(call)
		if ctx == nil || c.res.Classify(ctx).State != ctxflow.Inherited || c.loopSeesDeadline(loop, call) {
			continue
		}
		other := b.Succs[0]
		if other == holds {
			other = b.Succs[1]
		}
		pause := c.pauseOnWayBack(loop, other, call)
		if pause == nil {
			continue
		}
		c.pass.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
			"the loop stops on context.Canceled but retries context.DeadlineExceeded (from %s, given the caller's context): once the caller's deadline has passed every attempt fails at once and the loop sleeps through its remaining attempts; stop when errors.Is(err, context.DeadlineExceeded) too (or when ctx.Err() != nil)",
			c.callName(call)),
			Related: []analysis.RelatedInformation{{Pos: pause.Pos(), Message: "the pause between attempts"}}})
	}
}

// canceledTest returns the error a block's branch tests for
// context.Canceled alone through a predicate of the package (a function or literal of one error parameter
// returning a bool) that tests its parameter for Canceled and never for
// DeadlineExceeded nor looks at a context — with the successor taken when
// it holds and the test's position. An inline test is left alone: written
// at the loop it is often the fix for the cancellation its author saw, the
// caller's context carrying no deadline (harness' pingDatabase); a
// predicate that sorts errors is where DeadlineExceeded goes forgotten.
func (c *checker) canceledTest(b *ssa.BasicBlock) (ssa.Value, *ssa.BasicBlock, token.Pos) {
	return c.errPredicateTest(b, canceledOnlyPredicate)
}

// canceledOnlyPredicate reports whether fn, of one error parameter and a
// bool result, compares that parameter with context.Canceled (errors.Is or
// ==), never loads context.DeadlineExceeded, looks at no context and calls
// nothing of the package that could (its whole judgement is in sight).
func canceledOnlyPredicate(fn *ssa.Function) bool {
	param := ssa.Value(fn.Params[0])
	canceled := false
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if ctxflow.SentinelLoad(instr) == knowledge.CtxDeadlineErr || asksContext(instr) {
				return false
			}
			ci, ok := instr.(ssa.CallInstruction)
			if !ok {
				if cmp, ok := instr.(*ssa.BinOp); ok && cmp.Op == token.EQL && ctxflow.StripInterface(cmp.X) == param && ctxflow.CancelSentinel(cmp.Y) == knowledge.CtxCanceled {
					canceled = true
				}
				continue
			}
			callee, _, args := ctxflow.SplitCall(ci.Common())
			switch knowledge.RoleOf(callee) {
			case knowledge.ErrorsIs:
				if len(args) == 2 && ctxflow.StripInterface(args[0]) == param && ctxflow.CancelSentinel(args[1]) == knowledge.CtxCanceled {
					canceled = true
				}
				continue
			}
			if ci.Common().IsInvoke() && knowledge.IsError(ci.Common().Value.Type()) {
				continue // err.Error(), for a test of the message
			}
			if sc := ci.Common().StaticCallee(); sc == nil || sc.Pkg == fn.Pkg {
				return false // a judgement out of sight
			}
		}
	}
	return canceled
}

// attemptCallerContext returns the context the attempt is given: an
// argument, or an argument of the call that made its receiver
// (s.db.WithContext(ctx).Transaction(fc)); nil when there is none.
func attemptCallerContext(call *ssa.Call) ssa.Value {
	if ctx := attemptContext(call); ctx != nil {
		return ctx
	}
	if _, recv, _ := ctxflow.SplitCall(call.Common()); recv != nil {
		if made, ok := recv.(*ssa.Call); ok {
			return attemptContext(made)
		}
	}
	return nil
}

// loopSeesDeadline reports whether the loop (or a function of the package
// it calls, other than the attempt's) loads context.DeadlineExceeded, looks
// at a context (Done, Err, Cause) or waits in a select or a receive that a
// context may end.
func (c *checker) loopSeesDeadline(loop *ctxflow.Loop, attempt *ssa.Call) bool {
	return c.loopAny(loop, attempt, func(instr ssa.Instruction) bool {
		if ctxflow.SentinelLoad(instr) == knowledge.CtxDeadlineErr {
			return true
		}
		switch x := instr.(type) {
		case *ssa.Select:
			return true
		case *ssa.UnOp:
			return x.Op == token.ARROW
		}
		return asksContext(instr)
	})
}

// pauseOnWayBack returns the first noticeable time.Sleep on the way from
// failure back to the attempt, when the loop's pauses can add up to a
// noticeable wait (longRetry); else nil.
func (c *checker) pauseOnWayBack(loop *ctxflow.Loop, failure *ssa.BasicBlock, call *ssa.Call) *ssa.Call {
	onWay := wayBack(loop, failure, call.Block())
	for _, b := range failure.Parent().Blocks {
		if !onWay[b] {
			continue
		}
		for _, instr := range b.Instrs {
			if sleep, ok := instr.(*ssa.Call); ok && noticeableSleep(sleep) {
				if !longRetry(loop, sleep) {
					return nil
				}
				return sleep
			}
		}
	}
	return nil
}
