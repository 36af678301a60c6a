package timeoutleak

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// checkSurplusSenders reports an unbuffered channel that more goroutines
// send on than the function receives from it, when one of them sends with
// a plain send: the function takes the first value and goes on, and the
// sender whose value nobody takes blocks forever. okteto's GetDiffHash
// started a timer goroutine that, after its sleep, sent a timeout result
// on the same unbuffered channel the worker answered on; when the worker
// won, the timer goroutine was stuck on its send (the fix: make(chan T, 2)).
// Goroutines and receives must each run at most once per call (none in a
// loop), and the function must receive at most once on any path. mk is
// unbuffered and u are its uses.
func checkSurplusSenders(pass *analysis.Pass, res *ctxflow.Result, mk *ssa.MakeChan, u uses) {
	fn := mk.Parent()
	if len(u.sends) == 0 || len(u.drains) == 0 || len(u.closes) > 0 {
		return
	}
	for _, g := range u.goes {
		if ctxflow.InLoop(g.Block()) || g.Parent() != fn {
			return
		}
	}
	senders := map[*ssa.Function]bool{}
	for _, s := range u.sends {
		if ctxflow.InLoop(s.Block()) {
			return
		}
		senders[s.Parent()] = true
	}
	for _, sel := range u.guarded {
		if ctxflow.InLoop(sel.Block()) {
			return
		}
		senders[sel.Parent()] = true
	}
	for b := range u.drains {
		if ctxflow.InLoop(b) || receivesIn(b, mk) > 1 {
			return
		}
		for c := range u.drains {
			if b != c && ctxflow.Reaches(b, c) {
				return // received twice on some path
			}
		}
	}
	if len(senders) < 2 {
		return
	}
	call := res.Syntax.CallExpr(mk.Pos())
	if call == nil || res.Syntax.Skip(call.Pos(), false) {
		return
	}
	elem := types.TypeString(mk.Type().Underlying().(*types.Chan).Elem(), types.RelativeTo(pass.Pkg))
	d := analysis.Diagnostic{
		Pos: call.Pos(), End: call.End(),
		Message: fmt.Sprintf("%d goroutines send on this unbuffered channel but the function receives from it once: the sender whose value is not taken blocks forever on its plain send (a leak each time); give it a slot per sender: make(chan %s, %d)", len(senders), elem, len(senders)),
		Related: []analysis.RelatedInformation{{Pos: u.sends[0].Pos(), Message: "a plain send that may never be received"}},
	}
	if res.Syntax.Editable(call.Pos()) && len(call.Args) == 1 {
		d.SuggestedFixes = []analysis.SuggestedFix{{
			Message:   "Give the channel a slot per sender",
			TextEdits: []analysis.TextEdit{{Pos: call.Args[0].End(), End: call.Args[0].End(), NewText: fmt.Appendf(nil, ", %d", len(senders))}},
		}}
	}
	pass.Report(d)
}

// receivesIn counts the receives from the channel mk makes in block b.
func receivesIn(b *ssa.BasicBlock, mk *ssa.MakeChan) int {
	n := 0
	is := func(v ssa.Value) bool {
		c := chanOf(v)
		return c != nil && c.mk == mk
	}
	for _, instr := range b.Instrs {
		switch x := instr.(type) {
		case *ssa.UnOp:
			if x.Op == token.ARROW && is(x.X) {
				n++
			}
		case *ssa.Select:
			for _, st := range x.States {
				if st.Dir == types.RecvOnly && is(st.Chan) {
					n++
				}
			}
		}
	}
	return n
}
