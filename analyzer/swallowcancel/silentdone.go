package swallowcancel

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// checkSilentDone reports a call of a function that returns early, without
// a word, once the context it is given is done (its summary's
// SilentOnDone: restic's FutureBlob.Wait), when the caller then goes on to
// return a nil error and never looks at that context again: the
// cancellation is reported as success (restic's saveTree returned a
// zero tree ID). The fix checks ctx.Err() after the call.
func (c *checker) checkSilentDone(f *fnInfo) {
	c.checkSilent(f, func(s *ctxflow.Summary) []int { return s.SilentOnDone },
		func(call *ctxflow.Call, i int, ctx ssa.Value) *ssa.Return {
			if c.res.Classify(ctx).State == ctxflow.Unknown {
				return nil
			}
			ret := nilReturnAfter(f.fn, call.Instr, ctx)
			if ret == nil || !returnsWaitedFor(ret, call, i) {
				return nil
			}
			return ret
		},
		"%[1]s returns early, without a word, once %[2]s is done, and this function then returns a nil error: the abandoned work is reported as finished; check %[2]s.Err() after it")
}

// checkSilent reports a plain call whose summary lists (which) a context
// parameter on whose cancellation the call gives up without a word, when
// accept finds the return of a nil error that then reports the abandoned
// work as done. message has the callee as %[1]s and the context as %[2]s.
func (c *checker) checkSilent(f *fnInfo, which func(*ctxflow.Summary) []int, accept func(call *ctxflow.Call, i int, ctx ssa.Value) *ssa.Return, message string) {
	for _, call := range c.res.CallsIn(f.fn) {
		if _, plain := call.Instr.(*ssa.Call); !plain {
			continue // started with go or deferred: not waited for here
		}
		s := call.Summary
		if s == nil && call.Target != nil {
			s = c.res.Summary(call.Target)
		}
		if s == nil {
			continue
		}
		for _, i := range which(s) {
			if i >= len(call.Args) {
				continue
			}
			ret := accept(call, i, call.Args[i])
			if ret == nil {
				continue
			}
			expr := c.res.Syntax.CallExpr(call.Instr.Common().Pos())
			if expr == nil {
				continue
			}
			name := c.res.ContextInScope(f.fn, expr.Pos())
			if name == "" {
				name = "ctx"
			}
			c.pass.Report(analysis.Diagnostic{
				Pos: expr.Pos(), End: expr.End(),
				Message: fmt.Sprintf(message, call.CalleeName(), name),
				Related: []analysis.RelatedInformation{{Pos: ret.Pos(), Message: "returns nil here"}},
			})
			break
		}
	}
}

// nilReturnAfter returns a return of a nil error that the call reaches
// with no other use of ctx on the way (nor anywhere after the call), or
// nil.
func nilReturnAfter(fn *ssa.Function, call ssa.Instruction, ctx ssa.Value) *ssa.Return {
	for _, ref := range *ctx.Referrers() {
		if _, debug := ref.(*ssa.DebugRef); ref == call || debug || ref.Parent() != fn {
			continue
		}
		if ctxflow.RunsAfter(call, ref) {
			return nil // ctx is looked at (or handed on) afterwards
		}
	}
	for _, ret := range ctxflow.Returns(fn) {
		if ctxflow.RunsAfter(call, ret) && ctxflow.IsNilConst(errResult(ret)) {
			return ret
		}
	}
	return nil
}

// returnsWaitedFor reports whether a return hands back something the
// silent call was to produce, read after it: its receiver or another
// argument than the context, a field of one, or a method's result on one
// (restic returned res.ID() after res.Wait(ctx)). A call whose work is a
// side errand (kafka-go refreshing its metadata cache once the request
// itself succeeded, and returning the response it already had) leaves the
// results alone.
func returnsWaitedFor(ret *ssa.Return, call *ctxflow.Call, ctxArg int) bool {
	targets := map[ssa.Value]bool{}
	if call.Recv != nil {
		targets[call.Recv] = true
	}
	for k, a := range call.Args {
		if k != ctxArg {
			targets[a] = true
		}
	}
	after := func(v ssa.Value) bool {
		instr, ok := v.(ssa.Instruction)
		return ok && ctxflow.RunsAfter(call.Instr, instr)
	}
	for _, r := range ret.Results[:len(ret.Results)-1] {
		r = ctxflow.StripInterface(r)
		if ex, ok := r.(*ssa.Extract); ok {
			r = ex.Tuple
		}
		switch x := r.(type) {
		case *ssa.Call:
			if _, recv, _ := ctxflow.SplitCall(x.Common()); recv != nil && targets[recv] && after(x) {
				return true
			}
		case *ssa.UnOp, *ssa.Field:
			if targets[fieldBase(x)] && after(x) {
				return true
			}
		}
	}
	return false
}

// fieldBase returns the value whose fields a load reads (res for
// res.res.id), or nil.
func fieldBase(v ssa.Value) ssa.Value {
	if u, ok := v.(*ssa.UnOp); ok {
		v = u.X
	}
	for i := 0; i < 8; i++ {
		switch x := v.(type) {
		case *ssa.FieldAddr:
			v = x.X
		case *ssa.Field:
			v = x.X
		default:
			if i == 0 {
				return nil
			}
			return v
		}
	}
	return nil
}

// checkEndsOnDone reports a range over the channel a call returns when that
// channel is closed without a word once the context the call is given is
// done (its summary's EndsOnDone: minio-go's ListObjects), and the function
// then returns a nil error without looking at that context again: a
// cancelled listing passes for a complete one (thanos' objstore Iter). The
// fix returns ctx.Err() after the loop.
func (c *checker) checkEndsOnDone(f *fnInfo) {
	c.checkSilent(f, func(s *ctxflow.Summary) []int { return s.EndsOnDone },
		func(call *ctxflow.Call, _ int, ctx ssa.Value) *ssa.Return {
			ci, _ := call.Instr.(*ssa.Call)
			if o := c.res.Classify(ctx); !ctxflow.Cancellable(o.State) || c.res.Owned(f.fn, ctx) || !rangedOver(ci) {
				return nil
			}
			return nilReturnAfter(f.fn, call.Instr, ctx)
		},
		"the channel %[1]s returns is closed without a word once %[2]s is done, so the range over it ends as if the stream were complete and this function returns a nil error: return %[2]s.Err() after the loop")
}

// rangedOver reports whether the channel a call returns is received from
// with the comma-ok form of a range loop (and nothing else).
func rangedOver(call *ssa.Call) bool {
	ranged := false
	for _, ref := range *call.Referrers() {
		switch x := ref.(type) {
		case *ssa.DebugRef:
		case *ssa.UnOp:
			if x.Op != token.ARROW || !x.CommaOk {
				return false
			}
			ranged = true
		default:
			return false
		}
	}
	return ranged
}
