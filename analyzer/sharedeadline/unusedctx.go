package sharedeadline

import (
	"fmt"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// unusedContext reports a function that receives a context in a named
// parameter it never reads (an oversight; one named _ is discarded on
// purpose) and, during the call, waits under another one in a shape that
// says so by flow (see waitWithout): the caller hands its deadline and
// cancellation over, and they stop at the signature. prysm's BlockHashByHeight(ctx, …) fetched
// the block with the service's w.ctx; celestia-node's Stop(ctx) began with
// `ctx, cancel := context.WithTimeout(context.Background(), …)`, so even
// its cleanup ignored the caller.
//
// The waits counted are those the function makes itself, during the call:
// a catalog sink, or a function whose summary says its context parameter
// reaches a wait or a cleanup. Work started in a goroutine is not the
// call's. A function where this rule already reported something is left
// to that finding.
func (c *checker) unusedContext(fn *ssa.Function, calls []*ctxflow.Call, reported func(*ssa.Function) bool) {
	param := deadContextParam(fn)
	if param == nil || reported(fn) {
		return
	}
	overwritten := c.overwritten(fn, param)
	for _, call := range calls {
		ci, ok := call.Instr.(*ssa.Call)
		if !ok {
			continue // go and defer: not part of the call
		}
		wait, o, arg := c.waitWithout(call, fn, overwritten)
		if wait == "" {
			continue
		}
		expr := c.res.Syntax.CallExpr(ci.Pos())
		if expr == nil {
			continue
		}
		name := param.Name()
		under := "with no context"
		switch {
		case arg >= 0 && arg < len(expr.Args) && !expr.Ellipsis.IsValid():
			under = "under " + types.ExprString(expr.Args[arg])
			if _, ident := ast.Unparen(expr.Args[arg]).(*ast.Ident); ident && o != nil {
				under += " from " + o.Desc
			}
		case o != nil:
			under = "under " + o.Desc
		}
		advice := fmt.Sprintf("pass %s to the wait (or derive its budget from %s)", name, name)
		if o == nil && arg < 0 {
			advice = fmt.Sprintf("give %s a context parameter and pass %s", call.CalleeName(), name)
		}
		d := analysis.Diagnostic{
			Pos: expr.Fun.Pos(), End: expr.Fun.End(), Category: "unused-context",
			Message: fmt.Sprintf("%s receives %s but never uses it, and %s waits %s: the caller's deadline and cancellation never reach the wait; %s",
				ctxflow.LiteralName(fn), name, wait, under, advice),
			Related: []analysis.RelatedInformation{{Pos: param.Pos(), Message: "the context received here"}},
		}
		if at := c.contextExpr(expr, arg, o); at != nil {
			if fix := c.replaceWithParam(at, name, c.res.Syntax.Editable(at.Pos())); fix != nil {
				d.SuggestedFixes = []analysis.SuggestedFix{*fix}
			}
		}
		c.pass.Report(d)
		return // once per function: one signature drops the context
	}
}

// deadContextParam returns fn's named context parameter when nothing
// reads it (an oversight: a parameter named _ is discarded on purpose),
// or nil. Only declared functions and methods: a function literal's
// signature is often dictated by what it is handed to.
func deadContextParam(fn *ssa.Function) *ssa.Parameter {
	if fn.Parent() != nil || fn.Syntax() == nil {
		return nil
	}
	for _, p := range fn.Params {
		if !knowledge.IsContext(p.Type()) {
			continue
		}
		if refs := p.Referrers(); refs != nil && len(*refs) > 0 {
			return nil // one context is used: the function threads the caller's
		}
		if p.Object() == nil || p.Name() == "_" || p.Name() == "" {
			// Named _: discarded on purpose (caddy's QUIC listener
			// documents why its Accept(_ context.Context) uses its own);
			// the rule's other checks judge roots there.
			return nil
		}
		return p
	}
	return nil
}

// waitWithout says whether call waits under a context that is not the one
// the caller handed in, in one of two shapes that say so by flow: a
// context kept in a field of the receiver (prysm's w.ctx), or, where the
// parameter is overwritten before any use, a root or a budget made from
// one (celestia-node's `ctx, cancel := context.WithTimeout(
// context.Background(), …)`). Other roots are judged by the rule's other
// checks, with their exemptions (cleanup after a cancellation, work kept
// by the object). It returns the wait's name, the context's origin and the
// call's argument that carries it (-1 if none).
func (c *checker) waitWithout(call *ctxflow.Call, fn *ssa.Function, overwritten bool) (string, *ctxflow.Origin, int) {
	accept := func(a ssa.Value, o ctxflow.Origin) bool {
		if ctxflow.ReceiverField(a, fn) {
			return true
		}
		if !overwritten || !c.notCallers(o) {
			return false
		}
		return o.Bounder == nil || !c.res.DetachedWork(fn, o.Bounder)
	}
	if call.Sink != nil {
		if call.Sink.Event {
			return "", nil, -1
		}
		v := c.res.Judge(call)
		if !v.HasContext || v.Recv == ctxflow.ReceiverBounded {
			// A context-free API is nodeadline's (use its context form);
			// a client with a constant Timeout is the bound its author
			// chose.
			return "", nil, -1
		}
		i, ok := call.Sink.Context.In(len(call.Args))
		if !ok || !accept(call.Args[i], v.Ctx) {
			return "", nil, -1
		}
		o := v.Ctx
		return call.CalleeName(), &o, i
	}
	if call.Cleanup != nil {
		if i, ok := call.Cleanup.Context.In(len(call.Args)); ok {
			if o := c.res.Classify(call.Args[i]); accept(call.Args[i], o) {
				return call.CalleeName(), &o, i
			}
		}
		return "", nil, -1
	}
	s := call.Summary
	if s == nil && call.Target != nil {
		s = c.res.Summary(call.Target)
	}
	if s == nil {
		return "", nil, -1
	}
	for i, a := range call.Args {
		p := s.ReachOf(i)
		if p == nil {
			p = s.CleanupOf(i)
		}
		if p == nil || p.Excluded(call.Args) {
			continue
		}
		if o := c.res.Classify(a); accept(a, o) {
			return p.Wait + " via " + call.CalleeName(), &o, i
		}
	}
	if b := s.Bare; b != nil && call.Target != nil && call.Target.Pkg == fn.Pkg {
		// A helper of the package that takes no context and waits
		// through a call that takes none (tiup's Telemetry.Report(ctx)
		// posting through its HTTPClient.Post): the helper can be given
		// one.
		wait := b.Wait
		if b.Via != "" {
			wait += " via " + b.Via
		}
		return wait + " via " + call.CalleeName(), nil, -1
	}
	// A helper that starts its own root is helperRoot's finding; through
	// an interface method that takes no context (client-go's
	// ServerGroupsWithContext adapters) the caller has no way to hand
	// one over.
	return "", nil, -1
}

// overwritten reports whether fn assigns to its parameter p
// (`ctx, cancel := context.WithTimeout(…)` at the top of the body reuses
// the parameter): the author meant the new context to stand for the
// caller's.
func (c *checker) overwritten(fn *ssa.Function, p *ssa.Parameter) bool {
	obj := p.Object()
	body := fn.Syntax()
	if obj == nil || body == nil {
		return false
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || found {
			return !found
		}
		for _, l := range as.Lhs {
			if id, ok := ast.Unparen(l).(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] == obj {
				found = true
			}
		}
		return true
	})
	return found
}

// notCallers reports whether o is known not to be a context fn's caller
// handed in: a root or a budget derived from one.
func (c *checker) notCallers(o ctxflow.Origin) bool {
	switch o.State {
	case ctxflow.NoDeadline, ctxflow.MaybeNoDeadline:
		return o.RootFn != nil || o.NewRequest || o.StoredRoot
	case ctxflow.Deadline:
		return o.Rooted && o.DerivedFrom == nil
	}
	return false
}

// contextExpr returns the expression a fix replaces: the wait's context
// argument, or the root a budget it is given was made from
// (WithTimeout(context.Background(), d) → its Background()).
func (c *checker) contextExpr(expr *ast.CallExpr, arg int, o *ctxflow.Origin) ast.Expr {
	if o != nil && o.State == ctxflow.Deadline && o.Bounder != nil {
		if b := c.res.Syntax.CallExpr(o.Bounder.Pos()); b != nil && len(b.Args) > 0 {
			return b.Args[0]
		}
		return nil
	}
	if arg < 0 || arg >= len(expr.Args) || expr.Ellipsis.IsValid() {
		return nil
	}
	return expr.Args[arg]
}

// replaceWithParam replaces the wait's context argument with the
// parameter: a root call (context.Background(), recognised by its role,
// through fixutil), or a field of the receiver (w.ctx).
func (c *checker) replaceWithParam(arg ast.Expr, name string, editable bool) *analysis.SuggestedFix {
	sel, ok := ast.Unparen(arg).(*ast.SelectorExpr)
	if !ok {
		return fixutil.ReplaceContextRoot(c.pass, arg, name, editable)
	}
	if _, ok := sel.X.(*ast.Ident); !ok || !editable {
		return nil
	}
	return &analysis.SuggestedFix{
		Message:   "Pass " + name,
		TextEdits: []analysis.TextEdit{{Pos: arg.Pos(), End: arg.End(), NewText: []byte(name)}},
	}
}
