package cleanupctx

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

// checkStaleBudgets reports a cleanup whose timeout was started before
// the wait for the moment to clean up:
//
//	ctxShutDown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
//	defer cancel()
//	go func() {
//		<-ctx.Done()                    // may come hours later
//		api.srv.Shutdown(ctxShutDown)   // the 5 s ran out long ago
//	}()
//
// The clock of a WithTimeout runs from the call, so a budget made for the
// cleanup alone is spent while the cleanup waits for its trigger (a
// channel receive or a select with no clock case); when the trigger comes
// late the cleanup fails at once (consul-terraform-sync's API server; the
// fix made the timeout inside the Done branch). With a deferred cancel and
// a goroutine the function does not wait for, it is cancelled outright.
//
// Only a budget whose every use is such a cleanup is judged: a context
// that also bounds the work before the trigger, or that the trigger
// itself waits on, is one budget for the whole job, which is what
// sharedeadline asks for.
func checkStaleBudgets(pass *analysis.Pass, res *ctxflow.Result, byFn map[*ssa.Function][]*ctxflow.Call, usesOf func(*ctxflow.Call) []use) {
	type late struct {
		call    *ctxflow.Call
		what    string
		trigger ssa.Instruction
	}
	byBudget := map[*ssa.Call][]late{}
	var order []*ssa.Call
	for _, fn := range res.SrcFuncs {
		if res.Syntax.Skip(fn.Pos(), false) {
			continue
		}
		lintutil.Guard(pass, "cleanupctx", fn, func() {
			for _, c := range byFn[fn] {
				if _, ok := c.Instr.(*ssa.Call); !ok {
					continue // a goroutine's or a deferred call's cleanups are judged where they run
				}
				for _, u := range usesOf(c) {
					if !u.cleanup || u.cancelSafe {
						continue
					}
					budget := timeoutOf(res, u.ctx)
					if budget == nil {
						continue
					}
					trigger := triggerBefore(fn, c.Instr, budget)
					if trigger == nil {
						continue
					}
					if byBudget[budget] == nil {
						order = append(order, budget)
					}
					byBudget[budget] = append(byBudget[budget], late{c, u.what, trigger})
				}
			}
		})
	}
	for _, budget := range order {
		lates := byBudget[budget]
		allowed := map[ssa.Instruction]bool{}
		for _, l := range lates {
			allowed[l.call.Instr] = true
		}
		if !onlyUsedBy(ctxValueOf(budget), allowed, map[ssa.Value]bool{}) {
			continue
		}
		for _, l := range lates {
			expr := res.Syntax.CallExpr(l.call.Instr.Common().Pos())
			if expr == nil || res.Syntax.Skip(expr.Pos(), false) {
				continue
			}
			pass.Report(analysis.Diagnostic{
				Pos: expr.Pos(), End: expr.End(),
				Message: fmt.Sprintf("%s is given a timeout that started before the wait for the moment to clean up: when that wait lasts longer than the timeout, the context is already expired and the cleanup fails at once; call context.WithTimeout just before the cleanup",
					l.what),
				Related: []analysis.RelatedInformation{
					{Pos: budget.Pos(), Message: "the timeout starts here"},
					{Pos: triggerPos(l.trigger), Message: "the cleanup waits for its moment here"},
				},
			})
		}
	}
}

// timeoutOf returns the context.WithTimeout call a context value is the
// context of, looking through captured variables and cells stored once.
func timeoutOf(res *ctxflow.Result, v ssa.Value) *ssa.Call {
	for i := 0; i < 8; i++ {
		v = held(v)
		switch x := v.(type) {
		case *ssa.FreeVar:
			if v = res.Binding(x); v == nil {
				return nil
			}
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return nil
			}
			v = x.X
		case *ssa.Extract:
			call, ok := x.Tuple.(*ssa.Call)
			if !ok || x.Index != 0 {
				return nil
			}
			if fn, _, _ := ctxflow.SplitCall(call.Common()); knowledge.RoleOf(fn) == knowledge.CtxTimeout {
				return call
			}
			return nil
		default:
			return nil
		}
	}
	return nil
}

// ctxValueOf returns the context a WithTimeout call returns, or nil.
func ctxValueOf(call *ssa.Call) ssa.Value {
	for _, ref := range *call.Referrers() {
		if x, ok := ref.(*ssa.Extract); ok && x.Index == 0 {
			return x
		}
	}
	return nil
}

// triggerBefore returns the wait for a trigger that runs before instr on
// every path to it, in fn, after the budget is made: a receive or a select
// with no clock case (a pause of known length is no trigger). nil if none.
func triggerBefore(fn *ssa.Function, instr ssa.Instruction, budget *ssa.Call) ssa.Instruction {
	for _, b := range fn.Blocks {
		if !b.Dominates(instr.Block()) {
			continue
		}
		for _, in := range b.Instrs {
			if b == instr.Block() && in == instr {
				break
			}
			if !isTrigger(in) {
				continue
			}
			if budget.Parent() == fn && !ctxflow.RunsBefore(budget, in) {
				continue
			}
			return in
		}
	}
	return nil
}

func isTrigger(in ssa.Instruction) bool {
	switch x := in.(type) {
	case *ssa.UnOp:
		return x.Op == token.ARROW && !ctxflow.ClockChan(x.X)
	case *ssa.Select:
		if !x.Blocking {
			return false
		}
		for _, st := range x.States {
			if st.Dir != types.RecvOnly || ctxflow.ClockChan(st.Chan) {
				return false // a send, or a case that fires on a clock
			}
		}
		return len(x.States) > 0
	}
	return false
}

func triggerPos(in ssa.Instruction) token.Pos {
	if u, ok := in.(*ssa.UnOp); ok {
		return u.Pos()
	}
	return in.Pos()
}

// onlyUsedBy reports whether every use of v (through captures, the cell
// it is stored once into, and loads of either) is one of the allowed
// instructions or a debug reference.
func onlyUsedBy(v ssa.Value, allowed map[ssa.Instruction]bool, seen map[ssa.Value]bool) bool {
	if v == nil || seen[v] {
		return v != nil
	}
	seen[v] = true
	refs := v.Referrers()
	if refs == nil {
		return true
	}
	for _, ref := range *refs {
		if allowed[ref] {
			continue
		}
		switch x := ref.(type) {
		case *ssa.DebugRef:
		case *ssa.MakeClosure:
			lit := x.Fn.(*ssa.Function)
			for i, b := range x.Bindings {
				if b == v && !onlyUsedBy(lit.FreeVars[i], allowed, seen) {
					return false
				}
			}
		case *ssa.Store:
			if _, isCell := v.(*ssa.Alloc); isCell && x.Addr == v {
				continue // the one store into the cell, checked below
			}
			cell, ok := x.Addr.(*ssa.Alloc)
			if !ok || x.Val != v || ctxflow.StoredOnce(cell) != v || !onlyUsedBy(cell, allowed, seen) {
				return false
			}
		case *ssa.UnOp:
			if x.Op != token.MUL || !onlyUsedBy(x, allowed, seen) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
