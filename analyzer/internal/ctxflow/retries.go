package ctxflow

import (
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// summarizeRetries records the func parameters whose errors fn retries
// (Summary.Retries): fn calls the parameter in a loop, a failure goes
// round again, and nothing in the loop can learn of a cancellation (no
// context, no channel, no other function given the error). A function
// that hands its parameter to one that retries it retries it too. What
// the loop does to stop (a bound, an error type the caller picks) does not
// matter: until it stops, a cancelled context fails every attempt at once.
func (r *Result) summarizeRetries(fn *ssa.Function) bool {
	changed := false
	var loops []*Loop
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok || call.Call.IsInvoke() {
				continue
			}
			if p, ok := call.Call.Value.(*ssa.Parameter); ok && p.Parent() == fn {
				if loops == nil {
					loops = Loops(fn)
				}
				if idx := SigParam(p); idx >= 0 && retriesFailure(loops, call) {
					s := r.summaryOf(fn)
					changed = s.addRetry(idx) || changed
					if loop, sig, _ := attemptInLoop(loops, call); flagGoesRoundOn(loop, call, sig, false) {
						changed = addIndex(&s.StopsOnTrue, idx) || changed
					}
				}
				continue
			}
			changed = r.propagateRetries(fn, call) || changed
		}
	}
	return changed
}

// propagateRetries adds to fn's summary its parameters that it passes as
// they are to a parameter the callee retries.
func (r *Result) propagateRetries(fn *ssa.Function, call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	if callee == nil || !takesFunc(callee.Signature) {
		return false
	}
	var s *Summary
	if callee.Pkg == fn.Pkg {
		s = r.summary[callee]
	} else if obj, ok := callee.Object().(*types.Func); ok {
		var f Summary
		if r.Pass.ImportObjectFact(obj, &f) {
			s = &f
		}
	}
	if s == nil || len(s.Retries) == 0 {
		return false
	}
	offset := 0
	if callee.Signature.Recv() != nil {
		offset = 1 // the receiver is the first argument of a static method call
	}
	changed := false
	for _, k := range s.Retries {
		if k+offset >= len(call.Call.Args) {
			continue
		}
		if p, ok := call.Call.Args[k+offset].(*ssa.Parameter); ok && p.Parent() == fn {
			if idx := SigParam(p); idx >= 0 {
				mine := r.summaryOf(fn)
				changed = mine.addRetry(idx) || changed
				if slices.Contains(s.StopsOnTrue, k) {
					changed = addIndex(&mine.StopsOnTrue, idx) || changed
				}
			}
		}
	}
	return changed
}

// retriesFailure reports whether call, a call of a func parameter whose
// last result is an error, is in a loop where that error, found non-nil,
// leads back round the loop, and the loop cannot learn of a cancellation.
func retriesFailure(loops []*Loop, call *ssa.Call) bool {
	loop, sig, errVal := attemptInLoop(loops, call)
	if errVal == nil {
		return false
	}
	goesRound := flagGoesRoundOn(loop, call, sig, true) || failureGoesRound(loop, errVal)
	return goesRound && !retriesOnlyChosenErrors(loop, errVal) && !loopCanLearnOfCancellation(loop, call, errVal)
}

// GoesRoundOnFailure reports whether call, of a function whose last
// result is an error, is in a loop where that error, found non-nil, can
// lead back round the loop, for any error, not only ones a test picked:
// what retriesFailure asks, without asking whether the loop could learn of
// a cancellation.
func GoesRoundOnFailure(loops []*Loop, call *ssa.Call) bool {
	loop, _, errVal := attemptInLoop(loops, call)
	return errVal != nil && failureGoesRound(loop, errVal) && !retriesOnlyChosenErrors(loop, errVal)
}

// attemptInLoop returns the innermost loop around call, a call of a
// function whose last result is an error, its signature and that error's
// value; a nil error value when call is no such attempt.
func attemptInLoop(loops []*Loop, call *ssa.Call) (*Loop, *types.Signature, ssa.Value) {
	sig, ok := call.Call.Signature().Underlying().(*types.Signature)
	if !ok || !ErrorLast(sig) {
		return nil, nil, nil
	}
	loop := Innermost(loops, call.Block())
	if loop == nil {
		return nil, nil, nil
	}
	return loop, sig, lastResult(call, sig)
}

// failureGoesRound reports whether a test of errVal against nil sends a
// failure round the loop.
func failureGoesRound(loop *Loop, errVal ssa.Value) bool {
	for _, ref := range *errVal.Referrers() {
		cmp, ok := ref.(*ssa.BinOp)
		if !ok || (cmp.Op != token.NEQ && cmp.Op != token.EQL) || !IsNilConst(cmp.Y) {
			continue
		}
		for _, use := range *cmp.Referrers() {
			iff, ok := use.(*ssa.If)
			if !ok {
				continue
			}
			failure := iff.Block().Succs[0]
			if cmp.Op == token.EQL {
				failure = iff.Block().Succs[1]
			}
			if loop.Blocks[failure] {
				return true
			}
		}
	}
	return false
}

// lastResult returns the value of call's last result, or nil when it is
// not used apart.
func lastResult(call *ssa.Call, sig *types.Signature) ssa.Value {
	n := sig.Results().Len()
	if n == 1 {
		return call
	}
	for _, ref := range *call.Referrers() {
		if ex, ok := ref.(*ssa.Extract); ok && ex.Index == n-1 {
			return ex
		}
	}
	return nil
}

// flagGoesRoundOn reports whether call, of a function whose first result
// is a bool, is in a loop that goes round when that bool equals want and
// leaves when it does not: the function says which failures to retry
// (rclone's pacer, func() (retry bool, err error), goes round on true;
// release-manager's try.Do, func(int) (stop bool, err error), on false).
func flagGoesRoundOn(loop *Loop, call *ssa.Call, sig *types.Signature, want bool) bool {
	if loop == nil || sig.Results().Len() < 2 {
		return false
	}
	if b, ok := sig.Results().At(0).Type().Underlying().(*types.Basic); !ok || b.Kind() != types.Bool {
		return false
	}
	for _, ref := range *call.Referrers() {
		ex, ok := ref.(*ssa.Extract)
		if !ok || ex.Index != 0 {
			continue
		}
		for _, use := range *ex.Referrers() {
			cond, negated := ssa.Value(ex), false
			if not, ok := use.(*ssa.UnOp); ok && not.Op == token.NOT {
				cond, negated = not, true
			}
			for _, u := range *cond.Referrers() {
				iff, ok := u.(*ssa.If)
				if !ok {
					continue
				}
				onTrue, onFalse := iff.Block().Succs[0], iff.Block().Succs[1]
				if negated {
					onTrue, onFalse = onFalse, onTrue
				}
				round, leave := onTrue, onFalse
				if !want {
					round, leave = onFalse, onTrue
				}
				if loop.Blocks[round] && !loop.Blocks[leave] {
					return true
				}
			}
		}
	}
	return false
}

// retriesOnlyChosenErrors reports whether the loop goes round only for
// errors a test picked (errors.Is(err, driver.ErrBadConn), err == ErrBusy)
// and leaves for any other: database/sql's retry of bad connections is no
// retry of a cancellation.
func retriesOnlyChosenErrors(loop *Loop, errVal ssa.Value) bool {
	return LeavesUnlessChosen(loop, func(tested ssa.Value) bool { return Unconvert(tested) == errVal })
}

// LeavesUnlessChosen reports whether the loop ends with a test of an error
// against a particular one (errors.Is(err, target), err == target) that
// stays in the loop when it matches and leaves when it does not, for an
// error that is(err) accepts: any other error, a cancellation included,
// ends the loop.
func LeavesUnlessChosen(loop *Loop, is func(err ssa.Value) bool) bool {
	for b := range loop.Blocks {
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		cond, negated := iff.Cond, false
		if not, ok := cond.(*ssa.UnOp); ok && not.Op == token.NOT {
			cond, negated = not.X, true
		}
		tested := identityTested(cond)
		if tested == nil || !is(tested) {
			continue
		}
		matched, other := b.Succs[0], b.Succs[1]
		if negated {
			matched, other = other, matched
		}
		if loop.Blocks[matched] && !loop.Blocks[other] {
			return true
		}
	}
	return false
}

// identityTested returns the error that cond compares with a particular
// error (errors.Is(err, target), err == target with target not nil), or nil.
func identityTested(cond ssa.Value) ssa.Value {
	switch x := cond.(type) {
	case *ssa.Call:
		fn, _, args := SplitCall(x.Common())
		if knowledge.RoleOf(fn) == knowledge.ErrorsIs && len(args) == 2 {
			return args[0]
		}
	case *ssa.BinOp:
		if x.Op == token.EQL && !IsNilConst(x.Y) && !IsNilConst(x.X) && knowledge.IsError(x.X.Type()) {
			return x.X
		}
	}
	return nil
}

// loopCanLearnOfCancellation reports whether anything in the loop could
// see a cancellation: a context's Done, Err or Cause, a call given a
// context or a request, a test against context.Canceled or
// DeadlineExceeded, a receive or a select (a stop channel), or a call of
// another function value given the error (the caller's own judgement).
func loopCanLearnOfCancellation(loop *Loop, retried *ssa.Call, errVal ssa.Value) bool {
	if loop.Waits() {
		return true
	}
	for b := range loop.Blocks {
		for _, instr := range b.Instrs {
			if SentinelLoad(instr) != knowledge.NoRole {
				return true
			}
			switch x := instr.(type) {
			case ssa.CallInstruction:
				if x == ssa.CallInstruction(retried) {
					continue
				}
				common := x.Common()
				fn, _, _ := SplitCall(common)
				switch knowledge.RoleOf(fn) {
				case knowledge.CtxDone, knowledge.CtxErr, knowledge.CtxCause:
					return true
				}
				if common.IsInvoke() && carriesContext(common.Value.Type()) {
					return true
				}
				for _, a := range common.Args {
					if carriesContext(a.Type()) {
						return true
					}
				}
				if common.StaticCallee() == nil && !common.IsInvoke() {
					for _, a := range common.Args {
						if Unconvert(a) == errVal {
							return true // notify(err) or shouldRetry(err): the caller decides
						}
					}
				}
			}
		}
	}
	return false
}

// Waits reports whether the loop receives from a channel or selects on
// one that may be a stop channel: a pause on a clock alone (a one-case
// select on a Ticker, as consul-terraform-sync's withRetry paused) cannot
// end it.
func (l *Loop) Waits() bool {
	for b := range l.Blocks {
		for _, instr := range b.Instrs {
			switch x := instr.(type) {
			case *ssa.Select:
				for _, st := range x.States {
					if !ClockChan(st.Chan) {
						return true
					}
				}
			case *ssa.UnOp:
				if x.Op == token.ARROW && !ClockChan(x.X) {
					return true
				}
			}
		}
	}
	return false
}

// BlockWaits reports whether b receives from a channel or selects.
func BlockWaits(b *ssa.BasicBlock) bool {
	for _, instr := range b.Instrs {
		switch x := instr.(type) {
		case *ssa.Select:
			return true
		case *ssa.UnOp:
			if x.Op == token.ARROW {
				return true
			}
		}
	}
	return false
}

// SentinelLoad returns CtxCanceled or CtxDeadlineErr when instr loads
// context.Canceled or context.DeadlineExceeded, else NoRole.
func SentinelLoad(instr ssa.Instruction) knowledge.Role {
	x, ok := instr.(*ssa.UnOp)
	if !ok || x.Op != token.MUL {
		return knowledge.NoRole
	}
	g, ok := x.X.(*ssa.Global)
	if !ok {
		return knowledge.NoRole
	}
	if v, ok := g.Object().(*types.Var); ok {
		switch role := knowledge.VarRole(v); role {
		case knowledge.CtxCanceled, knowledge.CtxDeadlineErr:
			return role
		}
	}
	return knowledge.NoRole
}

func (s *Summary) addRetry(i int) bool {
	return addIndex(&s.Retries, i)
}

// addIndex adds i to the set *list, reporting whether it was new.
func addIndex(list *[]int, i int) bool {
	if slices.Contains(*list, i) {
		return false
	}
	*list = append(*list, i)
	slices.Sort(*list)
	return true
}

// takesFunc reports whether a signature has a parameter of func type: only
// such a function can retry one.
func takesFunc(sig *types.Signature) bool {
	for i := range sig.Params().Len() {
		if _, ok := sig.Params().At(i).Type().Underlying().(*types.Signature); ok {
			return true
		}
	}
	return false
}
