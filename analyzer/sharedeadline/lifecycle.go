package sharedeadline

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// lifecycleHelper reports a call, where a caller's context is in scope, of
// a method of the package that takes no context and waits under a context
// its receiver keeps in a field (the object's lifecycle), or one derived
// from it: the caller's deadline and cancellation stop at the call
// (ipfs-cluster's redirectToLeader took `ctx := cc.ctx` and waited for the
// leader and its RPC under it, called from AddPeer(ctx); fixed by giving
// it ctx). Dials are left alone: a connection dialed under the object's
// context is meant to outlive the request that needed it.
func (c *checker) lifecycleHelper(call *ctxflow.Call) {
	ci, ok := call.Instr.(*ssa.Call)
	target := call.Target
	if !ok || target == nil || target.Parent() != nil || target.Signature.Recv() == nil || len(target.Params) == 0 || call.Recv == nil {
		return
	}
	obj, ok := target.Object().(*types.Func)
	if !ok || ctxflow.HasContextParam(obj) {
		return
	}
	field, wait := c.lifecycleWait(target)
	if field == nil {
		return
	}
	expr, inScope := c.attachedCall(call.Fn, ci)
	if expr == nil {
		return
	}
	c.pass.Report(analysis.Diagnostic{
		Pos: expr.Fun.Pos(), End: expr.Fun.End(),
		Message: fmt.Sprintf("%s takes no context and waits under its object's own context (field %s: %s), so %s's deadline and cancellation stop at this call; give it a context parameter and pass %s",
			call.CalleeName(), field.Name(), wait, inScope, inScope),
	})
}

// lifecycleUse is lifecycleWait's answer for one method.
type lifecycleUse struct {
	field *types.Var
	wait  string
}

// lifecycleWait returns the context field of fn's receiver that fn hands,
// loaded or derived (WithTimeout, WithCancel, WithValue), to a wait in its
// own body, and that wait's name — a field that holds the object's own
// lifecycle (ctxflow.OwnLifecycle), not a context a caller handed it: a
// batch that keeps the ctx it was opened with (clickhouse-go's
// batch.closeQuery) waits under its caller's.
func (c *checker) lifecycleWait(fn *ssa.Function) (*types.Var, string) {
	u, ok := c.lifecycle[fn]
	if !ok {
		u.field, u.wait = c.findLifecycleWait(fn)
		c.lifecycle[fn] = u
	}
	return u.field, u.wait
}

func (c *checker) findLifecycleWait(fn *ssa.Function) (*types.Var, string) {
	recv := fn.Params[0]
	for _, k := range c.res.CallsIn(fn) {
		if _, plain := k.Instr.(*ssa.Call); !plain {
			continue
		}
		var args []int
		wait := k.CalleeName()
		switch {
		case k.Sink != nil:
			if k.Sink.Kind == knowledge.Dial || k.Sink.Event {
				continue
			}
			if i, ok := k.Sink.Context.In(len(k.Args)); ok {
				args = append(args, i)
			}
		case k.Summary != nil:
			for _, p := range k.Summary.Reach {
				if !p.BySystem && p.Param < len(k.Args) {
					args = append(args, p.Param)
					wait = p.Wait
				}
			}
		}
		for _, i := range args {
			if f := receiverContextField(k.Args[i], recv); f != nil && c.res.OwnLifecycle(f) {
				return f, wait
			}
		}
	}
	return nil, ""
}

// receiverContextField returns the context field of recv that v is a load
// of, directly or through derivations of it (at most four).
func receiverContextField(v ssa.Value, recv *ssa.Parameter) *types.Var {
	for range 4 {
		v = ctxflow.Unconvert(v)
		switch x := v.(type) {
		case *ssa.UnOp:
			fa, ok := x.X.(*ssa.FieldAddr)
			if x.Op != token.MUL || !ok || fa.X != ssa.Value(recv) {
				return nil
			}
			return ctxflow.FieldOf(fa)
		case *ssa.Extract:
			call, ok := x.Tuple.(*ssa.Call)
			if !ok || x.Index != 0 {
				return nil
			}
			v = derivedFrom(call)
		case *ssa.Call:
			v = derivedFrom(x)
		default:
			return nil
		}
		if v == nil {
			return nil
		}
	}
	return nil
}

// derivedFrom returns the parent a context derivation is made from, or nil.
func derivedFrom(call *ssa.Call) ssa.Value {
	callee, _, args := ctxflow.SplitCall(call.Common())
	if _, parent, deadline := knowledge.RoleOf(callee).Derivation(); !parent && !deadline || len(args) == 0 {
		return nil
	}
	return args[0]
}
