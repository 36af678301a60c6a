package ctxflow

import (
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// summarizeEndsOnDone records the context parameters on whose cancellation
// the channel fn returns is closed without a word: fn makes the channel,
// returns it, and starts a goroutine that closes it and, once that context
// is done, returns without sending on it (minio-go's ListObjects: `case
// <-ctx.Done(): return` under a deferred close). A range over the channel
// then ends exactly as when the stream is complete.
func (r *Result) summarizeEndsOnDone(fn *ssa.Function) bool {
	if fn.Parent() != nil || !hasContextParamSSA(fn) {
		return false
	}
	res := fn.Signature.Results()
	if res.Len() != 1 {
		return false
	}
	if _, ok := res.At(0).Type().Underlying().(*types.Chan); !ok {
		return false
	}
	s := r.summaryOf(fn)
	changed := false
	for _, ret := range Returns(fn) {
		if idx, ok := r.forwardedEndsOnDone(fn, ret.Results[0]); ok && !slices.Contains(s.EndsOnDone, idx) {
			// The channel of a call that ends silently on a context fn
			// passes on (minio-go's ListObjects returning listObjectsV2's).
			s.EndsOnDone = append(s.EndsOnDone, idx)
			changed = true
			continue
		}
		mk, cell := returnedChan(ret.Results[0])
		if mk == nil {
			continue
		}
		var held ssa.Value = mk
		if cell != nil {
			held = cell
		}
		for _, idx := range r.silentFeeders(fn, held) {
			if !slices.Contains(s.EndsOnDone, idx) {
				s.EndsOnDone = append(s.EndsOnDone, idx)
				changed = true
			}
		}
	}
	return changed
}

// forwardedEndsOnDone reports whether v, a value fn returns, is the channel
// of a call whose summary says it ends silently on a context that fn passes
// there from a parameter of its own, and that parameter's index.
func (r *Result) forwardedEndsOnDone(fn *ssa.Function, v ssa.Value) (int, bool) {
	for i := 0; i < 3; i++ {
		if ct, ok := v.(*ssa.ChangeType); ok {
			v = ct.X
		}
	}
	call, ok := v.(*ssa.Call)
	if !ok {
		return 0, false
	}
	for _, c := range r.callsAt[call] {
		s := r.calleeSummary(c)
		if s == nil {
			continue
		}
		for _, i := range s.EndsOnDone {
			if i >= len(c.Args) {
				continue
			}
			if p, ok := r.underlyingLocal(c.Args[i]).(*ssa.Parameter); ok && p.Parent() == fn {
				if idx := SigParam(p); idx >= 0 {
					return idx, true
				}
			}
		}
	}
	return 0, false
}

// returnedChan returns the channel a returned value was made as (through a
// conversion to a receive-only channel, or the variable a closure captures),
// and the variable's cell when there is one; nil if it is anything else.
func returnedChan(v ssa.Value) (*ssa.MakeChan, *ssa.Alloc) {
	if ct, ok := v.(*ssa.ChangeType); ok {
		v = ct.X
	}
	return LocalChan(v)
}

// LocalChan returns the channel v denotes when it was made here: the make
// itself, or a load of the variable (cell) a closure captures, assigned once
// from a make (then the cell too); nil otherwise.
func LocalChan(v ssa.Value) (*ssa.MakeChan, *ssa.Alloc) {
	switch v := v.(type) {
	case *ssa.MakeChan:
		return v, nil
	case *ssa.UnOp:
		cell, ok := v.X.(*ssa.Alloc)
		if !ok || v.Op != token.MUL {
			return nil, nil
		}
		var mk *ssa.MakeChan
		for _, ref := range *cell.Referrers() {
			if st, ok := ref.(*ssa.Store); ok && st.Addr == cell {
				m, ok := st.Val.(*ssa.MakeChan)
				if !ok || mk != nil {
					return nil, nil // assigned more than once, or not from a make
				}
				mk = m
			}
		}
		if mk != nil {
			return mk, cell
		}
	}
	return nil, nil
}

// silentFeeders returns the signature indexes of fn's context parameters
// on whose Done a goroutine fn starts, given the channel (held: the make, or
// the cell of the variable that holds it), returns without sending on it,
// where that goroutine also closes it.
func (r *Result) silentFeeders(fn *ssa.Function, held ssa.Value) []int {
	var out []int
	for _, ref := range *held.Referrers() {
		mc, ok := ref.(*ssa.MakeClosure)
		if !ok || !startedWithGo(mc) {
			continue
		}
		anon := mc.Fn.(*ssa.Function)
		var chans []ssa.Value
		for i, b := range mc.Bindings {
			if b != held || i >= len(anon.FreeVars) {
				continue
			}
			fv := anon.FreeVars[i]
			if _, isCell := held.(*ssa.Alloc); !isCell {
				chans = append(chans, fv)
				continue
			}
			for _, u := range *fv.Referrers() {
				if load, ok := u.(*ssa.UnOp); ok && load.Op == token.MUL {
					chans = append(chans, load)
				}
			}
		}
		if len(chans) == 0 || !slices.ContainsFunc(chans, func(ch ssa.Value) bool { return closesChan(ch) }) {
			continue
		}
		for _, d := range r.donesLocked(anon) {
			o := d.Origin
			if o.State != Inherited || o.Param == nil || o.Param.Parent() != fn || o.Request || d.Empty {
				continue
			}
			if !returnsWithoutSending(anon, d, chans) {
				continue
			}
			if idx := SigParam(o.Param); idx >= 0 && !slices.Contains(out, idx) {
				out = append(out, idx)
			}
		}
	}
	return out
}

// startedWithGo reports whether a closure is started with a go statement.
func startedWithGo(mc *ssa.MakeClosure) bool {
	for _, ref := range *mc.Referrers() {
		if g, ok := ref.(*ssa.Go); ok && g.Call.Value == ssa.Value(mc) {
			return true
		}
	}
	return false
}

// closesChan reports whether ch is closed (directly or deferred).
func closesChan(ch ssa.Value) bool {
	for _, ref := range *ch.Referrers() {
		var common *ssa.CallCommon
		switch x := ref.(type) {
		case *ssa.Call:
			common = x.Common()
		case *ssa.Defer:
			common = x.Common()
		default:
			continue
		}
		if b, ok := common.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(common.Args) == 1 && common.Args[0] == ch {
			return true
		}
	}
	return false
}

// returnsWithoutSending reports whether a return of fn lies where the
// context is known done, with no send on ch in the blocks the done point
// dominates.
func returnsWithoutSending(fn *ssa.Function, d *Done, chans []ssa.Value) bool {
	returns := false
	for _, b := range fn.Blocks {
		if !d.Block.Dominates(b) {
			continue
		}
		for _, instr := range b.Instrs {
			switch x := instr.(type) {
			case *ssa.Send:
				if slices.Contains(chans, x.Chan) {
					return false
				}
			case *ssa.Select:
				for _, st := range x.States {
					if st.Dir == types.SendOnly && slices.Contains(chans, st.Chan) {
						return false
					}
				}
			case *ssa.Return:
				returns = true
			}
		}
	}
	return returns
}
