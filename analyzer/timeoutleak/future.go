package timeoutleak

import (
	"fmt"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// checkFuture reports a select that receives, in case i, from the channel
// a function of the package returns as a future — it makes the channel
// unbuffered, starts one goroutine that sends on it once, and hands it to
// its caller without receiving (go-sh's Go(f) chan error) — when another
// case leaves without receiving from it: the goroutine then blocks
// forever (go-sh's WaitTimeout, on time.After). The finding is at the
// make, whose buffer is the fix, once per channel. It reports whether
// case i's channel is such a future.
func checkFuture(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, sel *ssa.Select, i int, reported map[*ssa.MakeChan]bool) bool {
	call, mk, u := futureOf(res, sel.States[i].Chan)
	if mk == nil {
		return false
	}
	if reported[mk] {
		return true
	}
	stops := map[*ssa.BasicBlock]bool{}
	for _, ref := range *call.Referrers() {
		switch r := ref.(type) {
		case *ssa.UnOp:
			stops[r.Block()] = true
		case *ssa.Select:
			if r != sel {
				stops[r.Block()] = true
			}
		}
	}
	leaving := -1
	for j := range sel.States {
		if j == i {
			continue
		}
		if exitWithout(ctxflow.SelectCase(sel, j), call, stops) != nil {
			leaving = j
			break
		}
	}
	if leaving < 0 {
		return true
	}
	mkExpr := res.Syntax.CallExpr(mk.Pos())
	if mkExpr == nil || res.Syntax.Skip(mkExpr.Pos(), false) {
		return true
	}
	other := sel.States[leaving]
	when := fmt.Sprintf("when %s is chosen", caseText(res, other))
	if what := ctxflow.TimeoutChan(other.Chan); what != "" && other.Dir == types.RecvOnly {
		when = fmt.Sprintf("when %s fires", what)
	}
	elem := types.TypeString(mk.Type().Underlying().(*types.Chan).Elem(), types.RelativeTo(pass.Pkg))
	callee := call.Common().StaticCallee()
	d := analysis.Diagnostic{
		Pos: mkExpr.Pos(), End: mkExpr.End(),
		Message: fmt.Sprintf("goroutine sends on this unbuffered channel, which %s returns to its callers, and %s stops waiting for it %s: the goroutine then blocks forever (a leak each time); make it buffered: make(chan %s, 1)",
			callee.Name(), ctxflow.LiteralName(fn), when, elem),
		Related: []analysis.RelatedInformation{
			{Pos: u.sends[0].Pos(), Message: "the goroutine's send"},
			{Pos: other.Pos, Message: "the case that stops waiting"},
		},
	}
	addBuffer(res, &d, mkExpr, "1", "one")
	reported[mk] = true
	pass.Report(d)
	return true
}

// futureOf returns, when v is the result of a call of a function of the
// package that returns a future (see checkFuture), the call, the channel's
// make and its uses in that function.
func futureOf(res *ctxflow.Result, v ssa.Value) (*ssa.Call, *ssa.MakeChan, uses) {
	call, ok := ctxflow.Unconvert(v).(*ssa.Call)
	if !ok {
		return nil, nil, uses{}
	}
	callee := call.Common().StaticCallee()
	if callee == nil || callee.Pkg != res.Pkg || len(callee.Blocks) == 0 || callee.Signature.Results().Len() != 1 {
		return nil, nil, uses{}
	}
	var ch *channel
	for _, ret := range ctxflow.Returns(callee) {
		c := chanOf(ctxflow.Unconvert(ret.Results[0]))
		if c == nil || ch != nil && c.mk != ch.mk {
			return nil, nil, uses{}
		}
		ch = c
	}
	if ch == nil || !unbuffered(ch.mk) || ch.mk.Parent() != callee {
		return nil, nil, uses{}
	}
	mk := ch.mk
	u, ok := ch.follow(callee)
	if !ok || !u.returned || len(u.goes) != 1 || len(u.drains) > 0 || len(u.closes) > 0 || len(u.sends) == 0 || !u.sendsOnce() {
		return nil, nil, uses{}
	}
	if ctxflow.InLoop(u.goes[0].Block()) {
		return nil, nil, uses{}
	}
	return call, mk, u
}
