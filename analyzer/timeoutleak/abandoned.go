package timeoutleak

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// checkAbandonedRange reports a range over a channel that a goroutine feeds
// with plain sends in a loop, when the range can stop early (a return or
// break) with nothing left to receive:
//
//	merged := merge(readers...) // a goroutine sends every key on it
//	for v := range merged {
//		if err := fn(v); err != nil {
//			return err // the sender blocks forever on its next send
//		}
//	}
//
// influxdb's FileStore.WalkKeys leaked its reader and merge goroutines this
// way on every aborted walk. The channel is one the function makes and feeds
// itself, or one a function of the package returns after starting its
// feeder; it is unbuffered or has a constant buffer (a sender of an unknown
// number of values fills any constant buffer). Senders that can give up (a
// send in a select), channels received from anywhere else (a drain after the
// loop, a deferred drain) and channels whose buffer is computed are not
// reported.
func checkAbandonedRange(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, recv *ssa.UnOp) {
	if recv.Op != token.ARROW || !recv.CommaOk {
		return
	}
	ch := recv.X
	if !onlyReceivedBy(ch, recv) {
		return
	}
	feeder := fedChannel(res, ch)
	if feeder == "" {
		return
	}
	loop := ctxflow.Innermost(ctxflow.Loops(fn), recv.Block())
	if loop == nil {
		return
	}
	done := rangeDone(recv)
	if done == nil {
		return
	}
	for _, b := range fn.Blocks {
		if !loop.Blocks[b] {
			continue
		}
		for _, s := range b.Succs {
			if loop.Blocks[s] || b == done.Block() && s == done.Block().Succs[1] {
				continue
			}
			pos := exitPos(s, done.Block().Succs[1])
			if !pos.IsValid() {
				pos = recv.Pos()
			}
			if res.Syntax.Skip(pos, false) {
				return
			}
			pass.Report(analysis.Diagnostic{
				Pos: pos,
				Message: fmt.Sprintf("leaving the range over this channel early stops receiving from it, but %s keeps sending on it with a plain send: the sender blocks forever (a leak each time); drain the channel before leaving (for range ch {}), or give the sender a done channel to select on",
					feeder),
			})
			return
		}
	}
}

// rangeDone returns the If that ends a range over a channel: it tests the
// receive's ok and leaves the loop (Succs[1]) when the channel is closed.
func rangeDone(recv *ssa.UnOp) *ssa.If {
	for _, r := range *recv.Referrers() {
		ext, ok := r.(*ssa.Extract)
		if !ok || ext.Index != 1 {
			continue
		}
		for _, u := range *ext.Referrers() {
			if iff, ok := u.(*ssa.If); ok && iff.Cond == ext {
				return iff
			}
		}
	}
	return nil
}

// exitPos is where an early way out of the loop leaves: the return it runs
// into; none for a break (it joins the loop's normal exit).
func exitPos(b, normal *ssa.BasicBlock) token.Pos {
	for i := 0; i < 8 && b != nil && b != normal; i++ {
		switch last := b.Instrs[len(b.Instrs)-1].(type) {
		case *ssa.Return:
			return last.Pos()
		case *ssa.Jump:
			b = b.Succs[0]
		default:
			return token.NoPos
		}
	}
	return token.NoPos
}

// onlyReceivedBy reports whether the range's receive is the only receive
// from the channel value in its function: other uses (handing it to the
// goroutines, closing it) are feeds' to judge.
func onlyReceivedBy(ch ssa.Value, recv *ssa.UnOp) bool {
	for _, r := range *ch.Referrers() {
		switch r := r.(type) {
		case *ssa.UnOp:
			if r != recv {
				return false
			}
		case *ssa.Select:
			return false
		}
	}
	return true
}

// fedChannel names what feeds ch with plain sends in a loop: "the goroutine
// this function starts" when ch is made here, "the goroutine that F starts"
// when it is the result of F, a function of the package that makes the
// channel, starts the feeder and returns it, "each goroutine F starts" when
// it is a parameter every call of the package fills with a channel F makes
// and feeds (prebid's collectHookResponses, ranging over the responses of
// executeGroup's hooks). "" otherwise.
func fedChannel(res *ctxflow.Result, ch ssa.Value) string {
	if c := chanOf(ch); c != nil {
		if feeds(c, false) {
			return "the goroutine this function starts"
		}
		return ""
	}
	if p, ok := ch.(*ssa.Parameter); ok {
		return fedParam(res, p)
	}
	call, ok := ch.(*ssa.Call)
	if !ok {
		return ""
	}
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg != ch.Parent().Pkg || callee.Signature.Results().Len() != 1 {
		return ""
	}
	for _, ret := range ctxflow.Returns(callee) {
		if c := chanOf(ret.Results[0]); c != nil && feeds(c, true) {
			return "the goroutine that " + callee.Name() + " starts"
		}
	}
	return ""
}

// feeds reports whether a channel with no buffer or a constant one is given
// only to goroutines (started where it is made) that send on it with plain
// sends, one of them in a loop; besides that it may only be closed,
// returned (when returned is set) or received (otherwise: the range that
// asks, which checks it is the only receive).
func feeds(c *channel, returned bool) bool {
	if _, ok := c.mk.Size.(*ssa.Const); !ok {
		return false
	}
	parent := c.mk.Parent()
	started := goroutines(parent)
	var here []ssa.Value             // values denoting the channel in the function that makes it
	var there []ssa.Value            // values denoting it in the goroutines
	perRound := map[ssa.Value]bool{} // goroutine values whose go statement runs once per round of a loop
	if c.cell == nil {
		here = append(here, c.mk)
	} else {
		for _, r := range *c.mk.Referrers() {
			if st, ok := r.(*ssa.Store); !ok || st.Addr != c.cell {
				if _, ok := r.(*ssa.DebugRef); !ok {
					return false
				}
			}
		}
		for _, r := range *c.cell.Referrers() {
			switch r := r.(type) {
			case *ssa.Store, *ssa.DebugRef:
			case *ssa.UnOp:
				if r.Op != token.MUL {
					return false
				}
				here = append(here, r)
			case *ssa.MakeClosure:
				anon := r.Fn.(*ssa.Function)
				if started[anon] == nil {
					return false
				}
				for i, b := range r.Bindings {
					if b == ssa.Value(c.cell) && i < len(anon.FreeVars) {
						loads, ok := loadsOf(anon.FreeVars[i])
						if !ok {
							return false
						}
						there = append(there, loads...)
						for _, l := range loads {
							perRound[l] = ctxflow.InLoop(started[anon].Block())
						}
					}
				}
			default:
				return false
			}
		}
	}
	for i := 0; i < len(here); i++ {
		v := here[i]
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef, *ssa.Store:
				if st, ok := r.(*ssa.Store); ok && st.Val == v {
					return false // kept elsewhere
				}
			case *ssa.Return:
				if !returned {
					return false
				}
			case *ssa.UnOp:
				if r.Op != token.ARROW || returned {
					return false
				}
			case *ssa.MakeClosure:
				anon := r.Fn.(*ssa.Function)
				if started[anon] == nil {
					return false
				}
				for i, b := range r.Bindings {
					if b == v && i < len(anon.FreeVars) {
						there = append(there, anon.FreeVars[i])
						perRound[anon.FreeVars[i]] = ctxflow.InLoop(started[anon].Block())
					}
				}
			case *ssa.ChangeType:
				here = append(here, r) // chan T given as chan<- T
			case *ssa.Go:
				callee, isFn := r.Call.Value.(*ssa.Function)
				if mc, ok := r.Call.Value.(*ssa.MakeClosure); ok {
					callee, isFn = mc.Fn.(*ssa.Function), true
				}
				if !isFn {
					return false
				}
				for i, a := range r.Call.Args {
					if a == v && i < len(callee.Params) {
						there = append(there, callee.Params[i])
						perRound[callee.Params[i]] = ctxflow.InLoop(r.Block())
					}
				}
			case *ssa.Call:
				if b, ok := r.Call.Value.(*ssa.Builtin); ok && (b.Name() == "close" || b.Name() == "len" || b.Name() == "cap") {
					continue
				}
				if returned || !rangesOver(r, v) {
					return false
				}
			default:
				return false
			}
		}
	}
	looping := false
	for _, v := range there {
		ok, loops, plain := sendsInLoop(v, 0)
		if !ok {
			return false
		}
		looping = looping || loops || plain && perRound[v]
	}
	return looping
}

// loadsOf returns the loads of a captured variable (a closure's free
// variable holding its address); ok=false if it is used otherwise.
func loadsOf(addr ssa.Value) (loads []ssa.Value, ok bool) {
	for _, r := range *addr.Referrers() {
		switch r := r.(type) {
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return nil, false
			}
			loads = append(loads, r)
		case *ssa.DebugRef:
		default:
			return nil, false
		}
	}
	return loads, true
}

// sendsInLoop reports whether a goroutine's channel is only sent on and
// closed (ok), whether it has a plain send, and whether a plain send sits
// in a loop. A send in a select may give up; a goroutine of a loop
// (openfga's resolveDirectUserSet) whose error path sends plainly blocks
// there all the same.
func sendsInLoop(v ssa.Value, depth int) (ok, loops, plain bool) {
	if depth > maxSendDepth {
		return false, false, false
	}
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.ChangeType:
			// chan T given as chan<- T
			o, l, p := sendsInLoop(r, depth+1)
			if !o {
				return false, false, false
			}
			loops, plain = loops || l, plain || p
		case *ssa.Send:
			if r.Chan != v {
				return false, false, false
			}
			plain = true
			if ctxflow.InLoop(r.Block()) {
				loops = true
			}
		case *ssa.Select:
			for _, st := range r.States {
				if st.Chan == v && st.Dir != types.SendOnly {
					return false, false, false
				}
			}
		case *ssa.Call:
			if b, ok := r.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" {
				continue
			}
			// A helper of the package the goroutine hands the channel to
			// (prebid's executeHook): its sends are the goroutine's.
			p := passedParam(r, v)
			if p == nil {
				return false, false, false
			}
			o, l, pl := sendsInLoop(p, depth+1)
			if !o {
				return false, false, false
			}
			loops, plain = loops || l || pl && ctxflow.InLoop(r.Block()), plain || pl
		case *ssa.Defer:
			if b, ok := r.Call.Value.(*ssa.Builtin); !ok || b.Name() != "close" {
				return false, false, false
			}
		default:
			return false, false, false // passed on: it may give up
		}
	}
	return true, loops, plain
}

// maxSendDepth bounds how far sendsInLoop follows a channel through the
// package's helpers and conversions.
const maxSendDepth = 4

// passedParam returns the parameter of the package's function that a
// static call hands v to, as its only argument of that value (the body of
// a generic instance is judged by its origin's); nil if v goes elsewhere.
func passedParam(call *ssa.Call, v ssa.Value) *ssa.Parameter {
	callee := call.Call.StaticCallee()
	if callee == nil {
		return nil
	}
	if o := callee.Origin(); o != nil {
		callee = o
	}
	if callee.Pkg != call.Parent().Pkg || len(callee.Blocks) == 0 || callee.Signature.Recv() != nil && len(callee.Params) != len(call.Call.Args) {
		return nil
	}
	var p *ssa.Parameter
	for i, a := range call.Call.Args {
		if a != v {
			continue
		}
		if p != nil || i >= len(callee.Params) {
			return nil
		}
		p = callee.Params[i]
	}
	return p
}

// rangesOver reports whether call hands the channel v to a function of the
// package that only ranges over it (and may check its length).
func rangesOver(call *ssa.Call, v ssa.Value) bool {
	p := passedParam(call, v)
	if p == nil {
		return false
	}
	var ch ssa.Value = p
	ranges := 0
	for _, r := range *ch.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.UnOp:
			if r.Op != token.ARROW || !r.CommaOk || rangeDone(r) == nil {
				return false
			}
			ranges++
		default:
			return false
		}
	}
	return ranges == 1
}

// fedParam names the goroutines feeding a channel parameter of a range
// helper: every call of the package passes a channel its caller makes and
// feeds (feeds, which asks rangesOver of the call). Functions others can
// call are left alone: their callers are not all known.
func fedParam(res *ctxflow.Result, p *ssa.Parameter) string {
	fn := p.Parent()
	callers := res.PrivateCallers(fn) // unexported, never used as a value: all its calls are here
	if len(callers) == 0 {
		return ""
	}
	idx := slices.Index(fn.Params, p)
	name := ""
	for _, c := range callers {
		common := c.Instr.Common()
		if common.IsInvoke() || idx < 0 || idx >= len(common.Args) {
			return ""
		}
		ch := chanOf(ctxflow.Unconvert(common.Args[idx]))
		if ch == nil || !feeds(ch, false) {
			return ""
		}
		name = "each goroutine " + c.Fn.Name() + " starts"
	}
	return name
}
