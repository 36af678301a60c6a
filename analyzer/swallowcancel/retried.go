package swallowcancel

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// checkRetriedByHelper reports an error that may be a cancellation,
// returned by a function handed to a retry helper that cannot learn of a
// cancellation (Summary.Retries): once the context is done every attempt
// fails at once, and the helper retries until its own limit (axiom-go's
// client retried a cancelled request for ten seconds). An error a
// cancellation test found to be something else is not reported: that test
// is where the function stops the retries (backoff.Permanent).
func (c *checker) checkRetriedByHelper(f *fnInfo) {
	for _, call := range c.res.CallsIn(f.fn) {
		if call.Summary == nil {
			continue
		}
		for _, k := range call.Summary.Retries {
			if k < len(call.Args) {
				c.checkRetriedFunc(call, call.Args[k])
			}
		}
	}
}

// checkRetriedFunc reports the returns of the function literal (or
// function of this package) op whose error may be a cancellation.
func (c *checker) checkRetriedFunc(call *ctxflow.Call, op ssa.Value) {
	fn := ctxflow.FuncValue(op)
	if fn == nil || len(fn.Blocks) == 0 || fn.Pkg != c.res.Pkg || c.res.Syntax.Skip(fn.Pos(), false) {
		return
	}
	f := &fnInfo{fn: fn, loops: ctxflow.Loops(fn), errLast: true}
	for _, ret := range returns(fn) {
		returned := errResult(ret)
		v := storedBefore(ret, returned)
		if ctxflow.IsNilConst(v) || c.notCancellation(ret.Block(), returned, false) || c.notCancellation(ret.Block(), v, false) {
			continue
		}
		srcs := c.cancellations(f, v, ret)
		if len(srcs) == 0 {
			continue
		}
		pos := c.valuePos(v, ret)
		if c.reportedAt[pos] {
			continue
		}
		c.reportedAt[pos] = true
		name := call.CalleeName()
		c.pass.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
			"%s retries this error, which may be a context cancellation%s, and never looks at a context: once the context is done it keeps retrying until its own limit; when errors.Is(err, context.Canceled), return the error in a form %s does not retry",
			name, sourceText(srcs), name)})
	}
}

// storedBefore looks through the load of a captured or local variable
// (`if resp, err = c.Do(req); err != nil { return err }` inside a closure
// that assigns its enclosing function's err) to the value stored last on
// the way to the return: the nearest store in a dominating block.
func storedBefore(ret *ssa.Return, v ssa.Value) ssa.Value {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return v
	}
	switch load.X.(type) {
	case *ssa.FreeVar, *ssa.Alloc:
	default:
		return v
	}
	end := len(ret.Block().Instrs)
	for b := ret.Block(); b != nil; b = b.Idom() {
		if b != ret.Block() {
			end = len(b.Instrs)
		}
		for k := end - 1; k >= 0; k-- {
			if st, ok := b.Instrs[k].(*ssa.Store); ok && st.Addr == load.X {
				return st.Val
			}
		}
	}
	return v
}
