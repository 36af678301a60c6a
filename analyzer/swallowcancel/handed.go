package swallowcancel

import (
	"fmt"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// maxReportDepth bounds how many calls of the package an error parameter
// is followed through to the send or store that reports it.
const maxReportDepth = 3

// checkHandedFresh reports a fresh error handed, where a context the
// function did not make is known done, to a function of the package that
// reports it (sends it on a channel, stores it in a field): the error the
// readers get in place of the cancellation says nothing errors.Is can see
// (flux's executionState.do aborted its results with errors.New("context
// done")). The return checks judge what the function itself returns; this
// one covers the functions that report by handing over, goroutines above
// all, which return nothing.
func (c *checker) checkHandedFresh(f *fnInfo) {
	dones := c.res.Dones(f.fn)
	if len(dones) == 0 {
		return
	}
	for _, b := range f.fn.Blocks {
		for i, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			callee := call.Call.StaticCallee()
			// A function that hands the error over and returns nothing: one
			// that returns something (a result carrying the error) is
			// judged by what the caller does with that, in the return
			// checks.
			if callee == nil || callee.Pkg != f.fn.Pkg || len(callee.Blocks) == 0 || callee.Signature.Results().Len() > 0 {
				continue
			}
			d := c.foreignDoneAt(f, dones, b, i, false)
			if d == nil {
				continue
			}
			for k, arg := range call.Call.Args {
				if !knowledge.IsError(arg.Type()) || k >= len(callee.Params) {
					continue
				}
				// Only a new message (errors.New, an Errorf without %w): a
				// sentinel or an error type handed over on done is often
				// the object's own "closed" status, which readers test for.
				if _, made := ctxflow.StripInterface(arg).(*ssa.Call); !made {
					continue
				}
				fr, ok := c.freshError(arg, d.Err)
				if !ok || c.wrapsContextErr(arg) || !reportsParam(callee.Params[k], 0) {
					continue
				}
				_, fix := c.doneNames(d)
				diag := analysis.Diagnostic{Pos: call.Pos(), Message: fmt.Sprintf(
					"%s handed to %s in place of %s's cancellation when it is done: whoever reads the error it reports cannot tell the work was cancelled (errors.Is(err, context.Canceled) is false); pass %s or wrap it with %%w",
					fr.desc, c.callName(call), c.ctxName(d), fix)}
				if e := c.res.Syntax.CallExpr(call.Pos()); e != nil && k-recvOffset(call) >= 0 && k-recvOffset(call) < len(e.Args) {
					a := e.Args[k-recvOffset(call)]
					diag.Pos, diag.End = a.Pos(), a.End()
					if c.res.Syntax.Editable(a.Pos()) && c.visibleAs(fix, d.Pos, a.Pos()) {
						diag.SuggestedFixes = []analysis.SuggestedFix{{
							Message:   "Pass " + fix,
							TextEdits: []analysis.TextEdit{{Pos: a.Pos(), End: a.End(), NewText: []byte(fix)}},
						}}
					}
				}
				c.pass.Report(diag)
			}
		}
	}
}

// foreignDoneAt returns the done point of a context the function did not
// make that covers instruction i of block b (or, with breaks, that a done
// test breaks out of a loop straight to b), or nil.
func (c *checker) foreignDoneAt(f *fnInfo, dones []*ctxflow.Done, b *ssa.BasicBlock, i int, breaks bool) *ctxflow.Done {
	for _, x := range dones {
		if (x.Covers(b, i) || breaks && c.breaksOutTo(x, b)) && c.foreignContext(f, x) {
			return x
		}
	}
	return nil
}

// recvOffset is 1 for a static method call, whose receiver is the first
// SSA argument but not one of the call expression's.
func recvOffset(call *ssa.Call) int {
	if fn := call.Call.StaticCallee(); fn != nil && fn.Signature.Recv() != nil {
		return 1
	}
	return 0
}

// reportsParam reports whether the error parameter p reaches, as it is, a
// send on a channel or a store where others read it (a field, a package
// variable, a captured variable, an element), in its function or in
// functions of the package it is passed to.
func reportsParam(p *ssa.Parameter, depth int) bool {
	for _, ref := range *p.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Send:
			if ref.X == p {
				return true
			}
		case *ssa.Store:
			if ref.Val != p {
				continue
			}
			switch addr := ref.Addr.(type) {
			case *ssa.FieldAddr:
				if _, local := addr.X.(*ssa.Alloc); !local {
					return true // a field of a value others hold, not one being built
				}
			case *ssa.Global, *ssa.FreeVar, *ssa.IndexAddr:
				return true
			}
		case *ssa.Call:
			callee := ref.Call.StaticCallee()
			if depth >= maxReportDepth || callee == nil || callee.Pkg != p.Parent().Pkg || len(callee.Blocks) == 0 {
				continue
			}
			for k, a := range ref.Call.Args {
				if a == p && k < len(callee.Params) && reportsParam(callee.Params[k], depth+1) {
					return true
				}
			}
		}
	}
	return false
}

// checkCompletedNil reports a completion call given a nil error where a
// context the function did not make is known done (or a test that found
// it done breaks out of a loop straight to the call), when the same
// function, on the same receiver, is given a real error elsewhere in the
// function: that call is how the function reports its outcome, and nil
// tells the receiver the work finished (oxia's leaderController.Read:
// `if ctx.Err() != nil { break }`, then cb.OnComplete(nil)).
func (c *checker) checkCompletedNil(f *fnInfo) {
	dones := c.res.Dones(f.fn)
	if len(dones) == 0 {
		return
	}
	for _, b := range f.fn.Blocks {
		for i, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			d := c.foreignDoneAt(f, dones, b, i, true)
			if d == nil {
				continue
			}
			for k, arg := range call.Call.Args {
				if !knowledge.IsError(arg.Type()) || !ctxflow.IsNilConst(arg) || !reportsErrorsThrough(f.fn, call, k) {
					continue
				}
				e := c.res.Syntax.CallExpr(call.Pos())
				at := k - recvOffset(call)
				if e == nil || at < 0 || at >= len(e.Args) {
					continue
				}
				a := e.Args[at]
				_, fix := c.doneNames(d)
				diag := analysis.Diagnostic{Pos: a.Pos(), End: a.End(), Message: fmt.Sprintf(
					"%s is given a nil error when %s is done, though it is how this function reports its failures: the receiver takes the abandoned work for finished; pass %s",
					c.callName(call), c.ctxName(d), fix)}
				if c.res.Syntax.Editable(a.Pos()) && c.visibleAs(fix, d.Pos, a.Pos()) {
					diag.SuggestedFixes = []analysis.SuggestedFix{{
						Message:   "Pass " + fix,
						TextEdits: []analysis.TextEdit{{Pos: a.Pos(), End: a.End(), NewText: []byte(fix)}},
					}}
				}
				c.pass.Report(diag)
			}
		}
	}
}

// reportsErrorsThrough reports whether fn also makes the same call as call
// (the same function or method, on the same receiver or function value)
// with a non-nil error in argument k.
func reportsErrorsThrough(fn *ssa.Function, call *ssa.Call, k int) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			other, ok := instr.(*ssa.Call)
			if !ok || other == call || k >= len(other.Call.Args) || ctxflow.IsNilConst(other.Call.Args[k]) {
				continue
			}
			if sameCallee(call.Common(), other.Common()) {
				return true
			}
		}
	}
	return false
}

// sameCallee reports whether two calls call the same function or method
// on the same receiver or function value.
func sameCallee(a, b *ssa.CallCommon) bool {
	if a.IsInvoke() != b.IsInvoke() {
		return false
	}
	if a.IsInvoke() {
		return a.Method == b.Method && sameVariable(a.Value, b.Value)
	}
	if fa, fb := a.StaticCallee(), b.StaticCallee(); fa != nil || fb != nil {
		if fa != fb {
			return false
		}
		if fa.Signature.Recv() != nil {
			return len(a.Args) > 0 && len(b.Args) > 0 && sameVariable(a.Args[0], b.Args[0])
		}
		return true
	}
	return sameVariable(a.Value, b.Value)
}
