package cleanupctx

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkOutlivedRequest reports a goroutine that an HTTP handler starts and
// does not wait for, handed the request's context to wait with:
//
//	err := handler(ctx, w, r)
//	go svc.PublishWebhook(ctx, noun, verb, buf) // the POSTs run after the handler returned
//	return err
//
// The server cancels the request's context as soon as the handler returns,
// so the goroutine's waits fail at once with context.Canceled
// (ssi-service's webhook middleware; the fix gave PublishWebhook its own
// context.WithTimeout(context.Background(), …)). The request's context is
// r.Context() of the *http.Request the handler serves (beside its
// http.ResponseWriter), or a context parameter of a function that also
// takes both. The handler waits for the goroutine, and nothing is said,
// when after the go statement it receives from a channel, selects, or
// waits on a sync.WaitGroup, or when the goroutine is given a channel or a
// WaitGroup to answer on.
func checkOutlivedRequest(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, calls []*ctxflow.Call, used map[*ctxflow.Call][]use) {
	for _, c := range calls {
		g, ok := c.Instr.(*ssa.Go)
		if !ok {
			continue
		}
		for _, u := range used[c] {
			if u.cancelSafe || !requestScoped(res, fn, u.ctx) {
				continue
			}
			if joined(fn, g) || res.Syntax.Skip(g.Pos(), false) {
				break
			}
			pass.Report(analysis.Diagnostic{
				Pos: g.Pos(),
				Message: fmt.Sprintf("this goroutine waits in %s with %s, the request's context, but the handler returns without waiting for it, and the server cancels that context then: the wait fails at once with context.Canceled; give the goroutine a context of its own, context.WithTimeout(context.WithoutCancel(%s), d)",
					u.what, ctxName(held(u.ctx)), ctxName(held(u.ctx))),
			})
			break
		}
	}
}

// requestScoped reports whether v is the context of the request fn serves:
// (*http.Request).Context() of fn's request parameter, or fn's context
// parameter when fn also takes an http.ResponseWriter and an
// *http.Request (a framework's handler signature). A context derived from
// it without context.WithoutCancel ends with it.
func requestScoped(res *ctxflow.Result, fn *ssa.Function, v ssa.Value) bool {
	// A captured request or context: the value its variable holds.
	o := res.Classify(held(v))
	if o.Detached || o.Param == nil || o.Param.Parent() != fn {
		return false
	}
	if o.Request {
		return true
	}
	if !knowledge.IsContext(o.Param.Type()) {
		return false
	}
	var writer, request bool
	for _, p := range fn.Params {
		switch {
		case knowledge.TypeRole(p.Type()) == knowledge.HTTPResponseWriterType:
			writer = true
		case knowledge.IsRequestPointer(p.Type()):
			request = true
		}
	}
	return writer && request
}

// joined reports whether fn may wait for the goroutine g starts: g is given
// a channel or a WaitGroup (directly or captured), or fn receives from a
// channel, selects or waits on a WaitGroup after the go statement.
func joined(fn *ssa.Function, g *ssa.Go) bool {
	given := append([]ssa.Value{}, g.Call.Args...)
	if mc, ok := g.Call.Value.(*ssa.MakeClosure); ok {
		given = append(given, mc.Bindings...)
	}
	for _, v := range given {
		if signals(v.Type()) {
			return true
		}
	}
	seen := map[*ssa.BasicBlock]bool{}
	var visit func(b *ssa.BasicBlock, from int) bool
	visit = func(b *ssa.BasicBlock, from int) bool {
		for _, instr := range b.Instrs[from:] {
			switch x := instr.(type) {
			case *ssa.UnOp:
				if x.Op == token.ARROW {
					return true
				}
			case *ssa.Select:
				return true
			case ssa.CallInstruction:
				if callee, _, _ := ctxflow.SplitCall(x.Common()); callee != nil && knowledge.RoleOf(callee) == knowledge.WaitGroupWait {
					return true
				}
			}
		}
		for _, s := range b.Succs {
			if !seen[s] {
				seen[s] = true
				if visit(s, 0) {
					return true
				}
			}
		}
		return false
	}
	for i, instr := range g.Block().Instrs {
		if instr == ssa.Instruction(g) {
			return visit(g.Block(), i+1)
		}
	}
	return true
}

// signals reports whether a value of type t lets a goroutine tell its
// starter it is done: a channel, a sync.WaitGroup (or a pointer to one).
func signals(t types.Type) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	if _, ok := t.Underlying().(*types.Chan); ok {
		return true
	}
	_, ptr := types.Unalias(t).(*types.Pointer)
	return !ptr && knowledge.TypeRole(t) == knowledge.WaitGroupType // TypeRole would look through a second pointer
}

// held is the value a captured variable's cell holds, or v itself.
func held(v ssa.Value) ssa.Value {
	if cell, ok := v.(*ssa.Alloc); ok {
		if s := ctxflow.StoredOnce(cell); s != nil {
			return s
		}
	}
	return v
}
