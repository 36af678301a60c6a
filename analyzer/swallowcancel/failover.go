package swallowcancel

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// blamedTarget returns the call by which a failover loop blames the target
// of a failed attempt for a failure that may be the caller's cancellation:
// each round picks a target (a node, a client, an endpoint), calls it, and
// on failure hands that target to a function of the package that changes
// state (marks it unhealthy, drops it from the pool) in a statement of its
// own (a getter whose result is used blames nothing) before going round to
// the next, and nothing in the loop looks at the context or tests for a
// cancellation. Once the caller gives up, every remaining target fails at
// once and is blamed in turn (typesense-go marked every node unhealthy;
// rpcx removed its cached clients), so a cancelled request degrades the
// pool for the requests after it. Retrying different targets is no harm
// in itself (a DNS client trying each server): only the blame is reported.
func (c *checker) blamedTarget(loop *ctxflow.Loop, failure *ssa.BasicBlock, call *ssa.Call) *ssa.Call {
	if c.seesCancellation(loop, true) {
		return nil
	}
	onWay := wayBack(loop, failure, call.Block())
	for _, b := range failure.Parent().Blocks {
		if !onWay[b] {
			continue
		}
		for _, instr := range b.Instrs {
			blame, ok := instr.(*ssa.Call)
			if !ok || blame == call {
				continue
			}
			if refs := blame.Referrers(); refs != nil && len(*refs) > 0 {
				continue // a result used (a getter's, gocql's host.ConnectAddress() in a log line): no action
			}
			callee := blame.Common().StaticCallee()
			if callee == nil || callee.Pkg != c.res.Pkg || len(callee.Blocks) == 0 || !mutates(callee, 2) {
				continue
			}
			for _, a := range blame.Common().Args {
				if roundTarget(loop, ctxflow.Unconvert(a), call) {
					return blame
				}
			}
		}
	}
	return nil
}

// roundTarget reports whether v is picked anew on each round, before the
// attempt, and is no result of the attempt (its error): a node from
// getNextNode, a client from selectClient, nodes[i].
func roundTarget(loop *ctxflow.Loop, v ssa.Value, attempt *ssa.Call) bool {
	instr, ok := v.(ssa.Instruction)
	if !ok || !loop.Blocks[instr.Block()] || loop.Invariant(v) {
		return false
	}
	if ex, ok := v.(*ssa.Extract); ok && ex.Tuple == attempt {
		return false
	}
	if _, isPhi := v.(*ssa.Phi); !isPhi && !ctxflow.RunsBefore(instr, attempt) {
		return false
	}
	if role := knowledge.TypeRole(v.Type()); role == knowledge.TimeTimeType || role == knowledge.TimeDuration || knowledge.IsContext(v.Type()) {
		return false // a time, a duration, a context: no target
	}
	_, basic := v.Type().Underlying().(*types.Basic)
	return !basic && !knowledge.IsError(v.Type())
}

// seesCancellation reports whether anything in the loop looks at a context
// (Done, Err, Cause, a select) or loads a sentinel it counts
// (context.Canceled, and DeadlineExceeded when deadlineToo), itself or in a
// function of the package it calls (rpcx's fix: contextCanceled(err)).
func (c *checker) seesCancellation(loop *ctxflow.Loop, deadlineToo bool) bool {
	return c.loopSees(loop, deadlineToo, nil, false)
}

// loopSees is seesCancellation, leaving out the attempt's call and its
// callee's body (attempt may be nil), and with receives too counting as
// a wait the context may end.
func (c *checker) loopSees(loop *ctxflow.Loop, deadlineToo bool, attempt *ssa.Call, receives bool) bool {
	sees := func(instr ssa.Instruction) bool {
		switch ctxflow.SentinelLoad(instr) {
		case knowledge.CtxCanceled:
			return true
		case knowledge.CtxDeadlineErr:
			return deadlineToo
		}
		switch x := instr.(type) {
		case *ssa.Select:
			return true // a wait the context may end
		case *ssa.UnOp:
			return receives && x.Op == token.ARROW
		}
		return asksContext(instr)
	}
	return c.loopAny(loop, attempt, sees)
}

// loopAny reports whether sees holds for an instruction of the loop or of
// a function of the package that the loop calls, leaving out the attempt's
// call and its callee's body (attempt may be nil).
func (c *checker) loopAny(loop *ctxflow.Loop, attempt *ssa.Call, sees func(ssa.Instruction) bool) bool {
	var own *ssa.Function
	if attempt != nil {
		own = attempt.Call.StaticCallee()
	}
	for b := range loop.Blocks {
		for _, instr := range b.Instrs {
			if sees(instr) {
				return true
			}
			ci, ok := instr.(ssa.CallInstruction)
			if !ok || attempt != nil && ci == ssa.CallInstruction(attempt) {
				continue
			}
			if callee := ci.Common().StaticCallee(); callee != nil && callee != own && callee.Pkg == c.res.Pkg {
				for _, cb := range callee.Blocks {
					for _, in := range cb.Instrs {
						if sees(in) {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// mutates reports whether fn changes state beyond its locals: it stores
// through a pointer, updates a map, or deletes from one, itself or in the
// package's functions it calls, depth levels down.
func mutates(fn *ssa.Function, depth int) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch x := instr.(type) {
			case *ssa.Store:
				if _, local := x.Addr.(*ssa.Alloc); !local {
					return true
				}
			case *ssa.MapUpdate:
				return true
			case ssa.CallInstruction:
				if bi, ok := x.Common().Value.(*ssa.Builtin); ok && bi.Name() == "delete" {
					return true
				}
				if callee := x.Common().StaticCallee(); depth > 0 && callee != nil && callee.Pkg == fn.Pkg && len(callee.Blocks) > 0 && mutates(callee, depth-1) {
					return true
				}
			}
		}
	}
	return false
}

// reportBlame reports a failover loop's blame of a cancelled attempt.
// callerCancellations keeps the sources whose context is the caller's: a
// budget the function makes for each attempt is the target's to meet.
func callerCancellations(srcs []ctxflow.ErrSource) []ctxflow.ErrSource {
	var out []ctxflow.ErrSource
	for _, s := range srcs {
		if s.Ctx.State == ctxflow.Inherited {
			out = append(out, s)
		}
	}
	return out
}

func (c *checker) reportBlame(blame *ssa.Call, srcs []ctxflow.ErrSource, at token.Pos) {
	name := "a function of the package"
	if callee := blame.Common().StaticCallee(); callee != nil {
		name = callee.Name()
	}
	c.pass.Report(analysis.Diagnostic{Pos: at, Message: fmt.Sprintf(
		"after err, which may be a context cancellation%s, the loop blames the target it tried (%s) and goes on to the next: once the caller gives up every remaining target fails at once and is blamed too; return when ctx.Err() != nil before blaming",
		sourceText(srcs), name),
		Related: []analysis.RelatedInformation{{Pos: blame.Pos(), Message: "the target blamed"}}})
}
