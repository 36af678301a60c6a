package swallowcancel

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"time"

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
func (c *checker) checkRetry(f *fnInfo) map[*ctxflow.Loop]bool {
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
		if call == nil || !loop.Blocks[call.Block()] {
			continue
		}
		same := sameWork(loop, call)
		srcs := c.cancellationsIn(f, cmp.X, iff, loop)
		if len(srcs) == 0 {
			continue
		}
		failure, success := b.Succs[0], b.Succs[1]
		if cmp.Op == token.EQL {
			failure, success = success, failure
		}
		if !loop.Blocks[failure] {
			continue
		}
		switch {
		case !same:
			// Each round tries something else (the next node): no retry
			// of the same work, but a failover may blame each target.
		case c.retryOnly(f, loop, b, success, call):
			reported[loop] = true
			pos := c.retryPos(loop, failure, cmp.Pos())
			c.pass.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
				"retrying after err, which may be a context cancellation%s, without checking the context: once it is done every attempt fails at once and the loop never ends; return when ctx.Err() != nil",
				sourceText(srcs))})
		case c.pausedRetry(loop, failure, call) != nil:
			reported[loop] = true
			pause := c.pausedRetry(loop, failure, call)
			// At the attempt: uncancellablewait may speak of the pause.
			pos := cmp.Pos()
			if expr := c.res.Syntax.CallExpr(call.Pos()); expr != nil {
				pos = expr.Pos()
			}
			c.pass.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
				"retrying after err, which may be a context cancellation%s, pausing between attempts without checking the context: once it is done every attempt fails at once and the loop sleeps through all its attempts before giving up; return when errors.Is(err, context.Canceled) or ctx.Err() != nil",
				sourceText(srcs)),
				Related: []analysis.RelatedInformation{{Pos: pause.Pos(), Message: "the pause between attempts"}}})
		}
		if callers := callerCancellations(srcs); !reported[loop] && len(callers) > 0 {
			if blame := c.blamedTarget(loop, failure, call); blame != nil {
				reported[loop] = true
				c.reportBlame(blame, callers, cmp.Pos())
			}
		}
		if callers := callerCancellations(srcs); !reported[loop] && len(callers) > 0 {
			if ret, v, fr := c.replacedAfterRetries(f, loop, call, cmp); ret != nil {
				reported[loop] = true
				c.pass.Report(analysis.Diagnostic{Pos: c.valuePos(v, ret), Message: fmt.Sprintf(
					"%s, returned once the attempts are used up, replaces their errors, which may be a context cancellation%s, and the loop drops each one unread: a cancelled caller is told something else failed; when ctx.Err() != nil (or errors.Is(err, context.Canceled)), stop and return that error",
					fr.desc, sourceText(callers)),
					Related: []analysis.RelatedInformation{{Pos: cmp.Pos(), Message: "the failed attempt, dropped"}}})
			}
		}
	}
	return reported
}

// replacedAfterRetries returns a return after the loop that gives a fresh
// error (a sentinel, errors.New) in place of the attempts' errors, when
// the loop repeats the call a bounded number of times (the same work, or
// the next of several targets), drops each failure unread (the error is
// only compared with nil or handed to a print that returns nothing), and
// nothing in the loop or on the way to that return looks at a context
// (speedtest-go's HTTPPing: every failed ping counted, then
// ErrConnectTimeout; dendrite's lookupEvent logged each server's failure,
// then "wasn't able to find event via N servers"). A cancelled
// caller's error becomes another one: errors.Is(err, context.Canceled) is
// false upstream.
func (c *checker) replacedAfterRetries(f *fnInfo, loop *ctxflow.Loop, call *ssa.Call, cmp *ssa.BinOp) (*ssa.Return, ssa.Value, fresh) {
	if !onlyNilTestedOrPrinted(cmp.X, c.res.Pkg) || c.loopMayStop(loop, call, true) {
		return nil, nil, fresh{}
	}
	for _, ret := range ctxflow.Returns(f.fn) {
		if loop.Blocks[ret.Block()] || len(ret.Results) == 0 || !reachableFrom(loop, ret.Block()) || c.contextLiveAt(ret.Block(), 0) {
			continue
		}
		v := errResult(ret)
		if !knowledge.IsError(v.Type()) {
			continue
		}
		if fr, ok := c.freshError(v, cmp.X); ok {
			return ret, v, fr
		}
	}
	return nil, nil, fresh{}
}

// onlyNilTestedOrPrinted reports whether err is used only in comparisons
// with nil and as an argument (itself or in a variadic ...any) of calls of
// another package's functions that return nothing (log.Printf): it is
// dropped after being read for a message.
func onlyNilTestedOrPrinted(err ssa.Value, pkg *ssa.Package) bool {
	refs := err.Referrers()
	if refs == nil || len(*refs) == 0 {
		return false
	}
	printed := func(call ssa.CallInstruction) bool {
		callee := call.Common().StaticCallee()
		return callee != nil && callee.Pkg != pkg && callee.Signature.Results().Len() == 0
	}
	for _, r := range *refs {
		switch x := r.(type) {
		case *ssa.BinOp:
			if x.Op != token.NEQ && x.Op != token.EQL || !ctxflow.IsNilConst(x.Y) {
				return false
			}
		case ssa.CallInstruction:
			if !printed(x) {
				return false
			}
		case *ssa.MakeInterface, *ssa.ChangeInterface:
			if !printedVararg(x.(ssa.Value), printed) {
				return false
			}
		case *ssa.DebugRef:
		default:
			return false
		}
	}
	return true
}

// printedVararg reports whether v is only stored into the array of a
// variadic argument whose slice only goes to calls print accepts.
func printedVararg(v ssa.Value, print func(ssa.CallInstruction) bool) bool {
	for _, r := range *v.Referrers() {
		st, ok := r.(*ssa.Store)
		if !ok || st.Val != v {
			return false
		}
		ia, ok := st.Addr.(*ssa.IndexAddr)
		if !ok {
			return false
		}
		arr, ok := ia.X.(*ssa.Alloc)
		if !ok {
			return false
		}
		for _, u := range *arr.Referrers() {
			switch u := u.(type) {
			case *ssa.IndexAddr:
			case *ssa.Slice:
				for _, su := range *u.Referrers() {
					call, ok := su.(ssa.CallInstruction)
					if !ok || !print(call) {
						return false
					}
				}
			default:
				return false
			}
		}
	}
	return true
}

// reachableFrom reports whether block b, outside the loop, is reached from
// one of its exits without coming back into it.
func reachableFrom(loop *ctxflow.Loop, b *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{}
	var work []*ssa.BasicBlock
	for _, e := range loop.Exits() {
		work = append(work, e[1])
	}
	for len(work) > 0 {
		x := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[x] || loop.Blocks[x] {
			continue
		}
		if x == b {
			return true
		}
		seen[x] = true
		work = append(work, x.Succs...)
	}
	return false
}

// pausedRetry returns the pause (a time.Sleep on the failure path) of a
// retry loop that a counter or a bound may end but that goes round after a
// failure without returning it and without consulting a context (harness'
// pingDatabase pinged 30 times a second apart whatever the error): once
// the context is done each attempt fails at once and the loop sleeps
// through its budget. Only pauses of noticeable length count.
func (c *checker) pausedRetry(loop *ctxflow.Loop, failure *ssa.BasicBlock, call *ssa.Call) *ssa.Call {
	if c.loopMayStop(loop, call, true) {
		return nil
	}
	// The first noticeable sleep on the way from the failure back to the
	// attempt — after the failure, or at the top of the next round
	// (`if i > 0 { time.Sleep(…) }`) — in block order (the loop's blocks
	// are a set).
	return c.pauseOnWayBack(loop, failure, call)
}

// wayBack returns the loop's blocks that the failure can reach without
// passing through the attempt's block again.
func wayBack(loop *ctxflow.Loop, failure, attempt *ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	seen := map[*ssa.BasicBlock]bool{}
	work := []*ssa.BasicBlock{failure}
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[b] || !loop.Blocks[b] || b == attempt {
			continue
		}
		seen[b] = true
		work = append(work, b.Succs...)
	}
	return seen
}

// handsOnError reports whether a call of a function value is given the
// failing call's error (retryable(err)): the caller decides, and may stop
// on a cancellation.
func handsOnError(ci ssa.CallInstruction, failing *ssa.Call) bool {
	common := ci.Common()
	if common.StaticCallee() != nil || common.IsInvoke() {
		return false
	}
	for _, a := range common.Args {
		if ex, ok := ctxflow.Unconvert(a).(*ssa.Extract); ok && ex.Tuple == failing {
			return true
		}
		if ctxflow.Unconvert(a) == ssa.Value(failing) {
			return true
		}
	}
	return false
}

// minRetryPause is the total pause a retry loop must be able to take after
// a cancellation to be reported: three one-second attempts are a wait a
// caller hardly notices, thirty are not.
const minRetryPause = 10 * time.Second

// longRetry reports whether the loop's pauses can add up to minRetryPause:
// a constant pause times a constant bound on its rounds (a counter compared
// with a constant), or any pause when either is unknown.
func longRetry(loop *ctxflow.Loop, pause *ssa.Call) bool {
	k, ok := pause.Call.Args[0].(*ssa.Const)
	if !ok || k.Value == nil || k.Value.Kind() != constant.Int {
		return true
	}
	d, _ := constant.Int64Val(k.Value)
	rounds := loopBound(loop)
	return rounds < 0 || time.Duration(d)*time.Duration(rounds) >= minRetryPause
}

// loopBound returns the constant a loop's counter is compared with to stay
// in it (i < n, i <= n), as a number of rounds, or -1.
func loopBound(loop *ctxflow.Loop) int64 {
	for _, e := range loop.Exits() {
		iff, ok := e[0].Instrs[len(e[0].Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		cmp, ok := iff.Cond.(*ssa.BinOp)
		if !ok {
			continue
		}
		if _, isPhi := cmp.X.(*ssa.Phi); !isPhi {
			continue
		}
		k, ok := cmp.Y.(*ssa.Const)
		if !ok || k.Value == nil || k.Value.Kind() != constant.Int {
			continue
		}
		n, _ := constant.Int64Val(k.Value)
		switch cmp.Op {
		case token.LSS:
			return n
		case token.LEQ:
			return n + 1
		}
	}
	return -1
}

// noticeableSleep reports whether call is a time.Sleep of noticeable length.
func noticeableSleep(call *ssa.Call) bool {
	fn, _, args := ctxflow.SplitCall(call.Common())
	return knowledge.RoleOf(fn) == knowledge.TimeSleep && len(args) == 1 && noticeable(args[0])
}

// noticeable reports whether a pause is long enough to delay a cancelled
// caller: a constant of 200 ms or more, or a computed one.
func noticeable(d ssa.Value) bool {
	k, ok := d.(*ssa.Const)
	if !ok || k.Value == nil || k.Value.Kind() != constant.Int {
		return true
	}
	n, _ := constant.Int64Val(k.Value)
	return n >= int64(ctxflow.NoticeablePause)
}

// sameWork reports whether every operand of the call is loop-invariant,
// or remade each round from its own previous value (heimdall's
// `request, err = CloneRequest(request, getBody)` before each attempt):
// the same work again, unlike a value taken from a collection per round.
func sameWork(loop *ctxflow.Loop, call *ssa.Call) bool {
	common := call.Common()
	if !loop.Invariant(common.Value) {
		return false
	}
	for _, a := range common.Args {
		a = ctxflow.Unconvert(a)
		if loop.Invariant(a) || sameRequest(loop, a) {
			continue
		}
		if p, ok := a.(*ssa.Phi); !ok || !loop.Blocks[p.Block()] || !remadeFromItself(loop, p) {
			return false
		}
	}
	return true
}

// sameRequest reports whether a is a request http.NewRequest or
// NewRequestWithContext builds in the loop from what is the same every
// round (constellation's health probe: the same URL, the same context): a
// request made anew for each attempt of the same work.
func sameRequest(loop *ctxflow.Loop, a ssa.Value) bool {
	ex, ok := a.(*ssa.Extract)
	if !ok || ex.Index != 0 {
		return false
	}
	call, ok := ex.Tuple.(*ssa.Call)
	if !ok {
		return false
	}
	callee, _, args := ctxflow.SplitCall(call.Common())
	switch knowledge.RoleOf(callee) {
	case knowledge.HTTPNewRequest, knowledge.HTTPNewRequestWithCtx:
	default:
		return false
	}
	for _, arg := range args {
		arg = ctxflow.Unconvert(arg)
		if load, ok := arg.(*ssa.UnOp); ok && load.Op == token.MUL {
			if _, global := load.X.(*ssa.Global); global {
				continue // a package variable read each round (http.NoBody)
			}
		}
		if !loop.Invariant(arg) {
			return false
		}
	}
	return true
}

// remadeFromItself reports whether the phi p, of the loop, only ever
// holds its value from before the loop or what a call in the loop makes of
// it: following p's edges within the loop reaches phis and calls, and
// every such call takes one of those phis.
func remadeFromItself(loop *ctxflow.Loop, p *ssa.Phi) bool {
	phis := map[*ssa.Phi]bool{}
	var calls []*ssa.Call
	work := []*ssa.Phi{p}
	for len(work) > 0 {
		phi := work[len(work)-1]
		work = work[:len(work)-1]
		if phis[phi] {
			continue
		}
		if len(phis) > 16 {
			return false
		}
		phis[phi] = true
		for i, e := range phi.Edges {
			if phi.Block() == loop.Header && !loop.Blocks[phi.Block().Preds[i]] {
				continue // the value from before the loop
			}
			e = ctxflow.Unconvert(e)
			if ex, ok := e.(*ssa.Extract); ok {
				e = ex.Tuple
			}
			switch x := e.(type) {
			case *ssa.Phi:
				if !loop.Blocks[x.Block()] {
					return false
				}
				work = append(work, x)
			case *ssa.Call:
				if !loop.Blocks[x.Block()] {
					return false
				}
				calls = append(calls, x)
			default:
				return false
			}
		}
	}
	for _, call := range calls {
		takes := false
		for _, a := range call.Call.Args {
			if ph, ok := ctxflow.Unconvert(a).(*ssa.Phi); ok && phis[ph] {
				takes = true
			}
		}
		if !takes {
			return false
		}
	}
	return len(calls) > 0
}

// retryOnly checks that a failure stays in the loop and that the loop
// cannot end but on success and never consults a context.
func (c *checker) retryOnly(f *fnInfo, loop *ctxflow.Loop, test, success *ssa.BasicBlock, call *ssa.Call) bool {
	if c.loopMayStop(loop, call, false) {
		return false
	}
	for _, e := range loop.Exits() {
		onSuccess := e[0] == test && e[1] == success || loop.Blocks[success] && success.Dominates(e[0])
		if !onSuccess {
			return false // an exit a failure can take: bounded, or a break
		}
	}
	return true
}

// loopMayStop reports whether something in the loop can stop the retries
// of call's failures: a return of an error that may be non-nil, a panic, a
// cancellation test, a look at a context (its Done, Err or Cause, another
// call given the same context). With anyWait, any receive or select (a
// stop channel, a timer chosen over the context) and a function value
// handed the error (the caller's judgement) count too.
func (c *checker) loopMayStop(loop *ctxflow.Loop, call *ssa.Call, anyWait bool) bool {
	noWayOut := loopHasNoWayOut(loop)
	for b := range loop.Blocks {
		for _, instr := range b.Instrs {
			if ci, ok := instr.(ssa.CallInstruction); ok && noWayOut && !asksContext(ci) {
				// Another call given the context cannot stop a loop with
				// no exit, no return and no panic (indigo's resync worker
				// waited for readiness with its ctx and logged the next
				// call's error): only one that never returns can.
				if fn, _, _ := ctxflow.SplitCall(ci.Common()); knowledge.RoleOf(fn) == knowledge.NoReturn {
					return true
				}
				continue
			}
			switch instr := instr.(type) {
			case *ssa.Return:
				if len(instr.Results) > 0 && !ctxflow.IsNilConst(errResult(instr)) && !otherCallsError(loop, errResult(instr), call) {
					return true // can end on a failure
				}
			case *ssa.Panic:
				return true
			case *ssa.Select:
				if anyWait {
					return true
				}
				for _, st := range instr.States {
					if c.consultsContext(st.Chan, call) {
						return true
					}
				}
			case ssa.CallInstruction:
				if c.callConsults(instr, call) || anyWait && handsOnError(instr, call) {
					return true
				}
			case *ssa.UnOp:
				if instr.Op == token.ARROW && (anyWait || c.consultsContext(instr.X, call)) {
					return true
				}
			case *ssa.If:
				if c.cancelTestOf(b) != nil {
					return true
				}
			}
		}
	}
	return false
}

// loopHasNoWayOut reports whether nothing in the loop leaves it: no exit
// edge, no return, no panic.
func loopHasNoWayOut(loop *ctxflow.Loop) bool {
	if len(loop.Exits()) > 0 {
		return false
	}
	for b := range loop.Blocks {
		switch b.Instrs[len(b.Instrs)-1].(type) {
		case *ssa.Return, *ssa.Panic:
			return false
		}
	}
	return true
}

// otherCallsError reports whether err, returned in the loop, is the error
// of another call of the loop than the failing attempt (preparing the next
// attempt: heimdall's CloneRequest): that exit is taken when that call
// fails, not when the attempt does. A call given the attempt's context
// consults it and is judged by callConsults.
func otherCallsError(loop *ctxflow.Loop, err ssa.Value, failing *ssa.Call) bool {
	if call, ok := ctxflow.StripInterface(err).(*ssa.Call); ok {
		// fmt.Errorf("…: %w", err) of that other call's error
		// (constellation's "unable to create request").
		callee, _, _ := ctxflow.SplitCall(call.Common())
		if knowledge.RoleOf(callee) != knowledge.FmtErrorf {
			return false
		}
		found := false
		for _, a := range ctxflow.ErrorfArgs(call.Common()) {
			if !knowledge.IsError(a.Value.Type()) {
				continue
			}
			if !otherCallsError(loop, a.Value, failing) {
				return false
			}
			found = true
		}
		return found
	}
	ex, ok := ctxflow.Unconvert(err).(*ssa.Extract)
	if !ok {
		return false
	}
	other, ok := ex.Tuple.(*ssa.Call)
	return ok && other != failing && loop.Blocks[other.Block()]
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
	if callee := ci.Common().StaticCallee(); callee != nil && callee.Pkg == c.res.Pkg && looksAtContext(callee) {
		return true // a judge of the package that asks a context (stripe's shouldRetry: req.Context().Err())
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

// looksAtContext reports whether fn itself calls a context's Done, Err or
// Cause.
func looksAtContext(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if asksContext(instr) {
				return true
			}
		}
	}
	return false
}

// asksContext reports whether instr calls a context's Done, Err or Cause.
func asksContext(instr ssa.Instruction) bool {
	ci, ok := instr.(ssa.CallInstruction)
	if !ok {
		return false
	}
	fn, _, _ := ctxflow.SplitCall(ci.Common())
	switch knowledge.RoleOf(fn) {
	case knowledge.CtxDone, knowledge.CtxErr, knowledge.CtxCause:
		return true
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
