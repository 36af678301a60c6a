package sharedeadline

import (
	"fmt"
	"go/ast"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// fixedBudgetBare reports a wait that takes no context and runs on a
// client's (or dialer's) own Timeout, made where a caller's context is in
// scope — directly, or in a helper of the package that takes none (the
// helper's Bare summary, Bounded): the client's fixed budget stands in for
// the caller's deadline, and the caller's cancellation never reaches the
// wait (kuma's metrics hijacker scraped each application with
// httpClient.Get under the client's 10 s Timeout while serving a scrape
// whose request carried its own deadline). Waits with no bound, or one
// configured elsewhere, are nodeadline's; a function this rule reported
// in already (an unused context parameter, a root) is not told again;
// goroutines that outlive the call are detached work.
func (c *checker) fixedBudgetBare(call *ctxflow.Call, reportedIn func(*ssa.Function) bool) {
	ci, ok := call.Instr.(*ssa.Call)
	if !ok || reportedIn(call.Fn) {
		return
	}
	expr, inScope := c.attachedCall(call.Fn, ci)
	if expr == nil {
		return
	}
	d := analysis.Diagnostic{Pos: expr.Fun.Pos(), End: expr.Fun.End()}
	switch {
	case knowledge.RoleOf(call.Callee) == knowledge.NetDialTimeout:
		// Its timeout argument is the budget (cortex's readiness probe
		// dialled with a fixed second while serving a request).
		if len(expr.Args) != 3 || expr.Ellipsis.IsValid() || len(ci.Call.Args) != 3 || fromContext(ci.Call.Args[2], 0, map[ssa.Value]bool{}) {
			// A timeout computed from a context's deadline (grafana
			// agent's dial: 30 s, or less if ctx's deadline is nearer)
			// shares that deadline.
			return
		}
		d.Message = fmt.Sprintf("%s cannot take %s: it runs on the fixed timeout it is given, which ignores %s's deadline and cancellation; use (&net.Dialer{Timeout: …}).DialContext(%s, …)", call.CalleeName(), inScope, inScope, inScope)
		if fix := dialTimeoutFix(c.pass, expr, inScope, c.res.Syntax.Editable(expr.Pos())); fix != nil {
			d.SuggestedFixes = []analysis.SuggestedFix{*fix}
		}
	case call.Sink != nil:
		s := call.Sink
		if s.Bound != knowledge.BoundByClientTimeout && s.Bound != knowledge.BoundByDialerTimeout || s.HasContext() {
			return
		}
		if v := c.res.Judge(call); v.HasContext || v.Recv != ctxflow.ReceiverBounded {
			return
		}
		var use string
		switch {
		case s.ContextForm != "":
			use = s.ContextForm + "(" + inScope + ", …)"
		case s.Kind == knowledge.HTTP:
			use = "a request from http.NewRequestWithContext(" + inScope + ", …), sent with Do"
		default:
			return
		}
		d.Message = fmt.Sprintf("%s cannot take %s: it runs on its %s's own Timeout, a fixed budget that ignores %s's deadline and cancellation; use %s", call.CalleeName(), inScope, recvNoun(s), inScope, use)
		if s.ContextForm != "" {
			if fix := fixutil.ToContextForm(expr, c.res.Syntax.Editable(expr.Pos()), s.ContextForm, inScope, s.AppendArgs); fix != nil {
				d.SuggestedFixes = []analysis.SuggestedFix{*fix}
			}
		}
	case call.Target != nil && call.Target.Pkg == call.Fn.Pkg:
		s := c.res.Summary(call.Target)
		if s == nil || s.Bare == nil || !s.Bare.Bounded || s.Root != nil {
			return
		}
		wait := s.Bare.Wait
		if s.Bare.Via != "" {
			wait += " via " + s.Bare.Via
		}
		d.Message = fmt.Sprintf("%s takes no context and waits in %s, which runs on its client's own Timeout: %s's deadline and cancellation never reach the wait; give %s a context parameter, pass %s and send with it",
			call.CalleeName(), wait, inScope, call.CalleeName(), inScope)
	default:
		return
	}
	c.pass.Report(d)
}

// fromContext reports whether the value v is computed from a context: a
// Deadline() call, or a call given a context (a helper that reads one), a
// few operations deep.
func fromContext(v ssa.Value, depth int, seen map[ssa.Value]bool) bool {
	if depth > 6 || seen[v] {
		return false
	}
	seen[v] = true
	switch x := v.(type) {
	case *ssa.Phi:
		for _, e := range x.Edges {
			if fromContext(e, depth+1, seen) {
				return true
			}
		}
	case *ssa.BinOp:
		return fromContext(x.X, depth+1, seen) || fromContext(x.Y, depth+1, seen)
	case *ssa.Convert:
		return fromContext(x.X, depth+1, seen)
	case *ssa.Extract:
		return fromContext(x.Tuple, depth+1, seen)
	case *ssa.Call:
		callee, _, args := ctxflow.SplitCall(x.Common())
		if knowledge.RoleOf(callee) == knowledge.CtxDeadlineOf {
			return true
		}
		for _, a := range args {
			if knowledge.IsContext(a.Type()) || fromContext(a, depth+1, seen) {
				return true
			}
		}
	}
	return false
}

// dialTimeoutFix rewrites net.DialTimeout(network, address, timeout) as
// (&net.Dialer{Timeout: timeout}).DialContext(ctx, network, address): the
// same budget, and the caller's deadline and cancellation too.
func dialTimeoutFix(pass *analysis.Pass, call *ast.CallExpr, inScope string, editable bool) *analysis.SuggestedFix {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || !editable {
		return nil
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok {
		return nil
	}
	text := func(e ast.Expr) string { return fixutil.Source(pass, e) }
	network, address, timeout := text(call.Args[0]), text(call.Args[1]), text(call.Args[2])
	if network == "" || address == "" || timeout == "" {
		return nil
	}
	repl := fmt.Sprintf("(&%s.Dialer{Timeout: %s}).DialContext(%s, %s, %s)", pkg.Name, timeout, inScope, network, address)
	return &analysis.SuggestedFix{
		Message:   fmt.Sprintf("Use (&%s.Dialer{Timeout: …}).DialContext(%s, …)", pkg.Name, inScope),
		TextEdits: []analysis.TextEdit{{Pos: call.Pos(), End: call.End(), NewText: []byte(repl)}},
	}
}

func recvNoun(s *knowledge.Sink) string {
	if s.Bound == knowledge.BoundByDialerTimeout {
		return "dialer"
	}
	return "client"
}

// attachedCall returns the syntax of a call made during fn's own work (no
// detached goroutine or deferred cleanup) where a caller's context is in
// scope, and that context's expression; nil otherwise.
func (c *checker) attachedCall(fn *ssa.Function, ci *ssa.Call) (*ast.CallExpr, string) {
	expr := c.res.Syntax.CallExpr(ci.Pos())
	if expr == nil {
		return nil, ""
	}
	inScope := c.res.ContextInScope(fn, expr.Pos())
	if inScope == "" || c.res.DetachedWork(fn, ci) {
		return nil, ""
	}
	return expr, inScope
}
