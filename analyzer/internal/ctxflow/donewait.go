package ctxflow

import (
	"go/build"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// doneWait names, in messages, a wait a context governs through its Done
// channel.
const doneWait = DoneWait

// DoneWait is ParamReach.Wait for a wait governed through its context's
// Done channel (a select between an answer and ctx.Done()).
const DoneWait = "a select on its context's Done"

// summarizeDoneWaits records the context parameters fn waits on through a
// blocking select, outside any loop or in one that waits for a condition
// (loopAnswers), that has a case on ctx.Done() and
// receives from another channel that is no timer (a response fed by a
// reader goroutine: gocql's exec), and returns an error when the context
// ends first: the context is that wait's cancellation, whatever else bounds
// it. The reach is marked
// bounded, since the other channel may be anything (a queue of the process,
// a timer), so a root given to it is no missing deadline; a caller's context
// dropped for it still is (sharedeadline). Done once: it feeds on nothing
// the fixed point computes. Not for the standard library, whose selects on
// Done are the internals of waits the catalog already judges (the
// resolver's lookups, which the system bounds, behind net.Listen).
func (r *Result) summarizeDoneWaits(fn *ssa.Function) {
	var loops []*Loop // computed at the first select in a loop
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			sel, ok := instr.(*ssa.Select)
			if ok && sel.Blocking && InLoop(b) && loops == nil {
				loops = Loops(fn)
			}
			if !ok {
				continue
			}
			wait := doneWait
			done := answerWait(fn, sel, loops)
			if done == nil {
				if done = pollWait(fn, sel, loops); done == nil {
					continue
				}
				wait = PollWait
			}
			o := r.classify(done.Call.Value, 0)
			if o.State != Inherited || o.Param == nil {
				continue
			}
			c := &Call{Instr: done, Fn: fn}
			r.noteReach(c, o, ParamReach{Wait: wait, Bounded: true}, nil, false)
		}
	}
}

// PollWait is ParamReach.Wait for a loop that polls a condition, pausing
// on a clock between looks, until the condition holds or its context ends.
const PollWait = "a poll that only its context's Done can end"

// pollWait returns the call of a context's Done that sel, in a loop of fn,
// pauses on beside clocks only (a ticker, time.After), when fn fails once
// the context ends first and returns a nil error where the loop's
// condition holds (swarmkit's WaitForLeader: `for l == 0 { select { case
// <-ticker.C: case <-ctx.Done(): return ctx.Err() } … }; return nil`): a
// wait for a condition, which only its context bounds. A loop with no way
// to a nil error serves until cancelled; one with another channel to
// receive from is answerWait's.
func pollWait(fn *ssa.Function, sel *ssa.Select, loops []*Loop) *ssa.Call {
	b := sel.Block()
	if !sel.Blocking || !InLoop(b) {
		return nil
	}
	loop := Innermost(loops, b)
	if loop == nil {
		return nil
	}
	var done *ssa.Call
	doneIdx := -1
	for i, st := range sel.States {
		if st.Dir != types.RecvOnly {
			return nil
		}
		if d := doneCall(st.Chan); d != nil && done == nil {
			done, doneIdx = d, i
			continue
		}
		if TimeoutChan(st.Chan) == "" {
			return nil
		}
	}
	if done == nil || len(sel.States) < 2 || !FailsAfterCase(fn, sel, doneIdx) {
		return nil
	}
	for _, ret := range Returns(fn) {
		if loop.Header.Dominates(ret.Block()) && len(ret.Results) > 0 && IsNilConst(Returned(ret, len(ret.Results)-1)) {
			return done
		}
	}
	return nil
}

// answerWait returns the call of a context's Done that sel, in fn, waits
// on beside an answer: sel blocks, outside any loop or in one that waits
// for a condition (loopAnswers), receives from another channel that is no
// timer, and fn returns an error when the context ends first. nil for a
// select that pauses or serves until cancelled. loops is fn's, or nil when
// sel is in no loop.
func answerWait(fn *ssa.Function, sel *ssa.Select, loops []*Loop) *ssa.Call {
	b := sel.Block()
	if !sel.Blocking || InLoop(b) && !loopAnswers(fn, Innermost(loops, b)) {
		return nil // a select in a loop serves until cancelled: a lifetime, not a wait for an answer
	}
	var done *ssa.Call
	doneIdx := -1
	other := false
	for i, st := range sel.States {
		if st.Dir != types.RecvOnly {
			continue
		}
		if d := doneCall(st.Chan); d != nil && done == nil {
			done, doneIdx = d, i
			continue
		}
		if TimeoutChan(st.Chan) == "" {
			other = true // not a pause: time.After, a Timer's or Ticker's C
		}
	}
	if done == nil || !other || !FailsAfterCase(fn, sel, doneIdx) {
		return nil
	}
	return done
}

// WaitsOnDone reports whether done, a call of a context's Done in fn, is
// received in a select that waits for an answer (answerWait): the context
// is that wait's cancellation (psql-wire's Shutdown waited for its
// connections' WaitGroup or the context).
func WaitsOnDone(fn *ssa.Function, done *ssa.Call) bool {
	var loops []*Loop
	for _, ref := range *done.Referrers() {
		sel, ok := ref.(*ssa.Select)
		if !ok {
			continue
		}
		if InLoop(sel.Block()) && loops == nil {
			loops = Loops(fn)
		}
		if answerWait(fn, sel, loops) == done {
			return true
		}
	}
	return false
}

// loopAnswers reports whether loop, around a select, is a wait for an
// answer: fn returns a value beside its error, and a way out of the loop
// returns a value that is no nil constant with a nil error (quic-go's
// OpenStreamSync waits for stream credit, then returns the stream). A loop
// that only ever ends in an error, or in a bare nil, serves until told to
// stop.
func loopAnswers(fn *ssa.Function, loop *Loop) bool {
	if loop == nil || fn.Signature.Results().Len() < 2 || !ErrorLast(fn.Signature) {
		return false
	}
	for _, ret := range Returns(fn) {
		if !loop.Header.Dominates(ret.Block()) {
			continue // a return before the loop
		}
		n := len(ret.Results)
		if IsNilConst(Returned(ret, n-1)) && !IsNilConst(Returned(ret, 0)) {
			if _, zero := Returned(ret, 0).(*ssa.Const); !zero {
				return true
			}
		}
	}
	return false
}

// FailsAfterCase reports whether fn returns an error, and every return
// after case i of sel returns a non-nil one (at least one does): the case
// ends a wait in failure. For the case on a context's Done: the wait was
// for an answer that did not come; a function that returns nil when its
// context ends was serving until then (cli's ForwardPortToListener): a
// lifetime. For a timer's case: a timeout.
func FailsAfterCase(fn *ssa.Function, sel *ssa.Select, i int) bool {
	if !ErrorLast(fn.Signature) {
		return false
	}
	caseBlock := SelectCase(sel, i)
	if caseBlock == nil {
		return false
	}
	found := false
	for _, ret := range Returns(fn) {
		if !caseBlock.Dominates(ret.Block()) {
			continue
		}
		if len(ret.Results) == 0 || IsNilConst(Returned(ret, len(ret.Results)-1)) {
			return false
		}
		found = true
	}
	return found
}

// doneCall returns the ctx.Done() call a channel comes from, or nil. Phis
// (var ctxDone <-chan struct{}; if ctx != nil { ctxDone = ctx.Done() }) are
// followed to a bounded depth: a loop's phi may reach itself.
func doneCall(ch ssa.Value) *ssa.Call { return doneCallDepth(ch, 0) }

func doneCallDepth(ch ssa.Value, depth int) *ssa.Call {
	if depth > 3 {
		return nil
	}
	switch v := ch.(type) {
	case *ssa.Call:
		if callee, _, _ := SplitCall(v.Common()); knowledge.RoleOf(callee) == knowledge.CtxDone {
			return v
		}
	case *ssa.Phi:
		var found *ssa.Call
		for _, e := range v.Edges {
			if IsNilConst(e) || e == ssa.Value(v) {
				continue
			}
			d := doneCallDepth(e, depth+1)
			if d == nil || found != nil && found != d {
				return nil
			}
			found = d
		}
		return found
	}
	return nil
}

// TimeoutChan names a channel that stands for a timeout or a cancellation
// in a select: ctx.Done(), time.After/Tick, a Timer's or Ticker's C; "" for
// any other channel.
func TimeoutChan(v ssa.Value) string {
	switch v := v.(type) {
	case *ssa.Call:
		callee, _, _ := SplitCall(v.Common())
		switch knowledge.RoleOf(callee) {
		case knowledge.CtxDone:
			return "ctx.Done()"
		case knowledge.TimeAfter:
			return "time." + callee.Name()
		}
	case *ssa.UnOp:
		if fa, ok := v.X.(*ssa.FieldAddr); ok && v.Op == token.MUL {
			switch knowledge.TypeRole(fa.X.Type()) {
			case knowledge.TimeTimerType:
				return "the Timer's C"
			case knowledge.TimeTickerTyp:
				return "the Ticker's C"
			}
		}
	}
	return ""
}

// IsDoneChan reports whether a select's channel is a context's Done (a
// call of it, or a variable holding one).
func IsDoneChan(v ssa.Value) bool { return doneCall(v) != nil }

// ClockChan reports whether a channel in a select fires on a clock:
// time.After or Tick, a Timer's or Ticker's C (a pause, not an answer).
func ClockChan(v ssa.Value) bool {
	n := TimeoutChan(v)
	return n != "" && n != "ctx.Done()"
}

// inGOROOT reports whether the package's files lie in the Go tree: the
// standard library, told by where it is and not by the shape of its path
// (a module named "myapp" has no dot either).
func (r *Result) inGOROOT() bool {
	root := build.Default.GOROOT
	if root == "" || len(r.Pass.Files) == 0 {
		return false
	}
	name := r.Pass.Fset.File(r.Pass.Files[0].Pos()).Name()
	return strings.HasPrefix(filepath.Clean(name), filepath.Join(filepath.Clean(root), "src")+string(filepath.Separator))
}

// GivenContext reports whether a call is given a context, as an argument or
// as the receiver of a method of context.Context.
func GivenContext(common *ssa.CallCommon) bool {
	if common.IsInvoke() && knowledge.IsContext(common.Value.Type()) {
		return true
	}
	for _, a := range common.Args {
		if knowledge.IsContext(a.Type()) {
			return true
		}
	}
	return false
}

// InGOROOT reports whether the package analyzed is one of the standard
// library's: some checks judge how a program uses the library, not how
// the library is built (net/http's own Serve is no server of a program's).
func (r *Result) InGOROOT() bool { return r.inGOROOT() }
