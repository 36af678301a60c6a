package swallowcancel

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkDropped reports, in a function literal that runs as a goroutine or
// a callback (passed to a call, returning nothing), an error that may be a
// cancellation and is dropped, when the literal reports its other errors
// (sends them on a channel, stores them where its starter reads them):
// that error had no other way back.
func (c *checker) checkDropped(f *fnInfo) {
	if f.fn.Parent() == nil || f.fn.Signature.Results().Len() > 0 {
		return
	}
	kind := c.literalKind(f.fn)
	if kind == "" || !reportsErrors(f.fn) {
		return
	}
	for _, b := range f.fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok || !errorDropped(call) {
				continue
			}
			srcs := c.res.CallErrSources(call)
			if len(srcs) == 0 {
				continue
			}
			pos := call.Pos()
			if expr := c.res.Syntax.CallExpr(call.Pos()); expr != nil {
				pos = expr.Pos()
			}
			c.pass.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
				"the %s drops an error that may be a context cancellation%s although it reports its other errors: report this one too, or the caller takes the abandoned work for done",
				kind, sourceText(srcs))})
		}
	}
}

// literalKind says how a function literal runs: "goroutine" when started
// with go, "callback" when passed to a call; "" otherwise.
func (c *checker) literalKind(fn *ssa.Function) string {
	parent := fn.Parent()
	for _, b := range parent.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Go:
				if isLiteral(instr.Call.Value, fn) {
					return "goroutine"
				}
			case *ssa.Call:
				for _, a := range instr.Call.Args {
					if isLiteral(a, fn) {
						return "callback"
					}
				}
			}
		}
	}
	return ""
}

func isLiteral(v ssa.Value, fn *ssa.Function) bool {
	switch v := v.(type) {
	case *ssa.MakeClosure:
		return v.Fn == fn
	case *ssa.Function:
		return v == fn
	}
	return false
}

// reportsErrors reports whether fn sends an error on a channel or stores
// one where its starter can read it (a captured variable, a field).
func reportsErrors(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Send:
				if knowledge.IsError(instr.X.Type()) {
					return true
				}
			case *ssa.Store:
				if !knowledge.IsError(instr.Val.Type()) {
					continue
				}
				switch instr.Addr.(type) {
				case *ssa.FreeVar, *ssa.FieldAddr, *ssa.Global, *ssa.IndexAddr:
					return true
				}
			}
		}
	}
	return false
}

// errorDropped reports whether a call's error result is never used.
func errorDropped(call *ssa.Call) bool {
	t := call.Type()
	if tuple, ok := t.(*types.Tuple); ok {
		if tuple.Len() == 0 || !knowledge.IsError(tuple.At(tuple.Len()-1).Type()) {
			return false
		}
		for _, ref := range *call.Referrers() {
			if x, ok := ref.(*ssa.Extract); ok && x.Index == tuple.Len()-1 && len(*x.Referrers()) > 0 {
				return false
			}
		}
		return true
	}
	return knowledge.IsError(t) && len(*call.Referrers()) == 0
}

// checkRangeDone reports `for range ctx.Done()`: the Done channel is
// closed, never sent on, so the body never runs and the loop ends as soon
// as the context is done.
func (c *checker) checkRangeDone(f *fnInfo) {
	for _, b := range f.fn.Blocks {
		for _, instr := range b.Instrs {
			recv, ok := instr.(*ssa.UnOp)
			if !ok || recv.Op != token.ARROW || !recv.CommaOk {
				continue
			}
			ch, ok := recv.X.(*ssa.Call)
			if !ok {
				continue
			}
			fn, _, _ := ctxflow.SplitCall(ch.Common())
			if knowledge.RoleOf(fn) != knowledge.CtxDone {
				continue
			}
			cur, ok := c.res.Syntax.Enclosing(recv.Pos(), recv.Pos(), (*ast.RangeStmt)(nil))
			if !ok {
				continue
			}
			rs := cur.Node().(*ast.RangeStmt)
			c.pass.Report(analysis.Diagnostic{Pos: rs.Pos(), End: rs.X.End(), Message: "for range over ctx.Done() never runs its body: the Done channel is closed, never sent on, so the loop just ends once the context is done; wait with <-ctx.Done() and then act"})
		}
	}
}

// checkClosedOnDone reports a goroutine that closes a channel of errors
// (directly or deferred) and, when its context is done, returns without
// sending the cancellation on it: the reader sees a stream that ended
// cleanly.
func (c *checker) checkClosedOnDone(f *fnInfo) {
	if f.fn.Parent() == nil || c.literalKind(f.fn) != "goroutine" {
		return
	}
	closed := closedErrorChans(f.fn)
	if len(closed) == 0 {
		return
	}
	for _, d := range c.res.Dones(f.fn) {
		if !c.foreignContext(f, d) {
			continue
		}
		for _, ret := range returnsAll(f.fn) {
			if !d.Covers(ret.Block(), len(ret.Block().Instrs)-1) || sendsBefore(d, ret, closed) {
				continue
			}
			c.pass.Report(analysis.Diagnostic{Pos: ret.Pos(), Message: fmt.Sprintf(
				"the goroutine returns when %s is done and closes its error channel without sending the cancellation: readers take the stream for complete; send %s.Err() on it first",
				c.ctxName(d), c.ctxName(d))})
			return
		}
	}
}

// closedErrorChans returns the channels of errors fn closes.
func closedErrorChans(fn *ssa.Function) []ssa.Value {
	var out []ssa.Value
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			ci, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			builtin, ok := ci.Common().Value.(*ssa.Builtin)
			if !ok || builtin.Name() != "close" || len(ci.Common().Args) != 1 {
				continue
			}
			ch := ci.Common().Args[0]
			if t, ok := ch.Type().Underlying().(*types.Chan); ok && knowledge.IsError(t.Elem()) {
				out = append(out, ch)
			}
		}
	}
	return out
}

func returnsAll(fn *ssa.Function) []*ssa.Return {
	var out []*ssa.Return
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			out = append(out, ret)
		}
	}
	return out
}

// sendsBefore reports whether, once the context is done, the function
// sends on one of the closed channels on some path: it reports the
// cancellation, at least in the cases it chose to (containerd sends all
// but its own context.Canceled).
func sendsBefore(d *ctxflow.Done, ret *ssa.Return, chans []ssa.Value) bool {
	for _, b := range ret.Parent().Blocks {
		if !d.Covers(b, len(b.Instrs)-1) {
			continue
		}
		for _, instr := range b.Instrs {
			if s, ok := instr.(*ssa.Send); ok {
				for _, ch := range chans {
					if sameVariable(s.Chan, ch) {
						return true
					}
				}
			}
		}
	}
	return false
}

// sameVariable reports whether two values are the same value or loads of
// the same variable (a captured variable is loaded anew at each use).
func sameVariable(a, b ssa.Value) bool {
	if a == b {
		return true
	}
	la, ok1 := a.(*ssa.UnOp)
	lb, ok2 := b.(*ssa.UnOp)
	return ok1 && ok2 && la.Op == token.MUL && lb.Op == token.MUL && la.X == lb.X
}
