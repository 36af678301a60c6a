package swallowcancel

import (
	"fmt"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkDeferredResult reports, in a literal the enclosing function defers,
// a fresh error stored in that function's error result once a caller's
// context is known done:
//
//	defer func() {
//		select {
//		case <-ctx.Done():
//			err = Error.New("upload cancelled by user")
//		default:
//		}
//	}()
//
// The deferred assignment is the function's return, and it replaces the
// cancellation with an error errors.Is cannot see through (storj's
// ecclient put, fixed by joining context.Canceled in).
func (c *checker) checkDeferredResult(f *fnInfo) {
	parent := f.fn.Parent()
	if parent == nil || !ctxflow.ErrorLast(parent.Signature) {
		return
	}
	mc := c.res.MakeClosureOf(f.fn)
	if mc == nil || !ctxflow.DeferredOnly(mc) {
		return
	}
	result := returnedSlot(parent)
	if result == nil {
		return
	}
	dones := c.res.Dones(f.fn)
	if len(dones) == 0 {
		return
	}
	for _, b := range f.fn.Blocks {
		for i, instr := range b.Instrs {
			st, ok := instr.(*ssa.Store)
			if !ok || !knowledge.IsError(st.Val.Type()) || !bindsTo(mc, st.Addr, result) {
				continue
			}
			d := c.foreignDoneAt(f, dones, b, i, false)
			if d == nil {
				continue
			}
			fr, ok := c.freshError(st.Val, d.Err)
			if !ok || c.wrapsContextErr(st.Val) {
				continue
			}
			_, fix := c.doneNames(d)
			c.pass.Report(analysis.Diagnostic{Pos: st.Pos(), Message: fmt.Sprintf(
				"this deferred function sets the function's error to %s once %s is done, replacing the cancellation with an error that does not wrap it: errors.Is(err, context.Canceled) is false upstream; set it to %s or wrap that with %%w",
				fr.desc, c.ctxName(d), fix)})
		}
	}
}

// returnedSlot returns the variable every return of fn loads its error
// result from (a named result a deferred literal can assign), or nil.
func returnedSlot(fn *ssa.Function) *ssa.Alloc {
	var slot *ssa.Alloc
	for _, ret := range ctxflow.Returns(fn) {
		if len(ret.Results) == 0 {
			return nil
		}
		load, ok := ret.Results[len(ret.Results)-1].(*ssa.UnOp)
		if !ok {
			return nil
		}
		a, ok := load.X.(*ssa.Alloc)
		if !ok || slot != nil && a != slot {
			return nil
		}
		slot = a
	}
	return slot
}

// bindsTo reports whether addr, in the closure mc makes, is the free
// variable bound to slot.
func bindsTo(mc *ssa.MakeClosure, addr ssa.Value, slot *ssa.Alloc) bool {
	fv, ok := addr.(*ssa.FreeVar)
	if !ok {
		return false
	}
	fn := mc.Fn.(*ssa.Function)
	for i, b := range mc.Bindings {
		if b == ssa.Value(slot) && i < len(fn.FreeVars) && fn.FreeVars[i] == fv {
			return true
		}
	}
	return false
}
