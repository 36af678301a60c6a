package timeoutleak

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkProducer reports a function that takes a context, starts a
// goroutine feeding a channel with plain sends in a loop, and returns the
// channel: the goroutine runs under the context (it is given it), so its
// callers stop reading once the context is done — and the goroutine then
// blocks forever on its next send. go-memdb's WatchSet.WatchCh looped
// `triggerCh <- w.WatchCtx(ctx)` on an unbuffered channel; the fix sends
// once into a buffer of one. The send belongs in a select with
// `case <-ctx.Done():`. Only unbuffered channels: with a buffer, a
// consumer that stops on the context still leaves room for the send that
// reports it (etcd's GetStream, one slot for its closing error), and how
// far a larger buffer carries is the callers' contract.
func checkProducer(pass *analysis.Pass, res *ctxflow.Result, mk *ssa.MakeChan) {
	fn := mk.Parent()
	if !unbuffered(mk) || fn.Parent() != nil || !returnsChan(fn, mk) {
		return
	}
	ctx := contextParam(fn)
	if ctx == nil {
		return
	}
	c := &channel{mk: mk, cell: cellOf(mk)}
	if !feeds(c, true) {
		return
	}
	for anon, g := range goroutines(fn) {
		if g.Parent() != fn || !givenTo(anon, ctx) {
			continue
		}
		for _, b := range anon.Blocks {
			for _, instr := range b.Instrs {
				send, ok := instr.(*ssa.Send)
				if !ok || !ctxflow.InLoop(b) {
					continue
				}
				if !denotes(fn, anon, send.Chan, c) {
					continue
				}
				if res.Syntax.Skip(send.Pos(), false) {
					return
				}
				pass.Report(analysis.Diagnostic{Pos: send.Pos(), Message: fmt.Sprintf(
					"this goroutine feeds the channel %s returns with a plain send and runs under %s: a caller that stops reading once %s is done (or leaves early) leaves it blocked here forever; send in a select with case <-%s.Done(): return",
					fn.Name(), ctx.Name(), ctx.Name(), ctx.Name())})
				return
			}
		}
	}
}

// returnsChan reports whether fn returns the channel mk makes.
func returnsChan(fn *ssa.Function, mk *ssa.MakeChan) bool {
	for _, ret := range ctxflow.Returns(fn) {
		for _, v := range ret.Results {
			if ch := chanOf(ctxflow.Unconvert(v)); ch != nil && ch.mk == mk {
				return true
			}
		}
	}
	return false
}

// contextParam returns fn's named context parameter, or nil.
func contextParam(fn *ssa.Function) *ssa.Parameter {
	for _, p := range fn.Params {
		if knowledge.IsContext(p.Type()) && p.Name() != "_" && p.Name() != "" {
			return p
		}
	}
	return nil
}

// givenTo reports whether the goroutine anon is given p: a free variable
// bound to it, or an argument of its go statement.
func givenTo(anon *ssa.Function, p *ssa.Parameter) bool {
	for _, fv := range anon.FreeVars {
		if types.Identical(fv.Type(), p.Type()) && len(*fv.Referrers()) > 0 {
			return true
		}
		if ptr, ok := fv.Type().(*types.Pointer); ok && types.Identical(ptr.Elem(), p.Type()) {
			return true
		}
	}
	return false
}

// denotes reports whether v, in the goroutine anon that fn starts, is the
// channel c: its make, or a load of the variable holding it, captured.
func denotes(fn, anon *ssa.Function, v ssa.Value, c *channel) bool {
	if v == ssa.Value(c.mk) {
		return true
	}
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		v = load.X
	}
	fv, ok := v.(*ssa.FreeVar)
	if !ok {
		return false
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			mc, ok := instr.(*ssa.MakeClosure)
			if !ok || mc.Fn != anon {
				continue
			}
			for i, bound := range mc.Bindings {
				if i < len(anon.FreeVars) && anon.FreeVars[i] == fv && (bound == ssa.Value(c.mk) || c.cell != nil && bound == ssa.Value(c.cell)) {
					return true
				}
			}
		}
	}
	return false
}
