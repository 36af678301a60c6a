package sharedeadline

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

//go:embed doc.go
var doc string

// Config is sharedeadline's configuration. The zero value is the default.
type Config struct {
	// Sequential also reports sequential stages that each get the full
	// constant budget from the same parent (-sharedeadline.sequential).
	Sequential bool
}

// Analyzer is sharedeadline with the default configuration on the shared core.
var Analyzer = New(ctxflow.Analyzer, new(Config))

// New returns sharedeadline on the given core. Its flags write into cfg,
// which each run reads: build one analyzer per configuration.
func New(core *analysis.Analyzer, cfg *Config) *analysis.Analyzer {
	a := &analysis.Analyzer{
		Name:     "sharedeadline",
		Doc:      lintutil.ExtractDoc(doc, "sharedeadline"),
		URL:      lintutil.URL("sharedeadline"),
		Requires: []*analysis.Analyzer{core, inspect.Analyzer},
	}
	a.Run = lintutil.Run(a.Name, func(pass *analysis.Pass) (any, error) {
		return run(pass, pass.ResultOf[core].(*ctxflow.Result), cfg)
	})
	a.Flags.BoolVar(&cfg.Sequential, "sequential", cfg.Sequential, "also report sequential stages that each get the full constant budget from the same parent")
	return a
}

type checker struct {
	pass *analysis.Pass
	res  *ctxflow.Result
	root inspector.Cursor
}

func run(pass *analysis.Pass, res *ctxflow.Result, cfg *Config) (any, error) {
	c := &checker{
		pass: pass,
		res:  res,
		root: pass.ResultOf[inspect.Analyzer].(*inspector.Inspector).Root(),
	}
	var bounded []*ssa.Call // WithTimeout calls with a constant budget, for -sequential
	for fn, instr := range c.res.Instrs() {
		call, ok := instr.(*ssa.Call)
		if !ok {
			continue
		}
		c.connDeadline(fn, call)
		if callee := call.Common().StaticCallee(); callee != nil {
			expr := c.res.Syntax.CallExpr(call.Pos())
			if expr == nil || c.res.Syntax.InGeneratedFile(expr.Pos()) || c.res.Syntax.InTestFile(expr.Pos()) {
				continue
			}
			obj, _ := callee.Object().(*types.Func)
			if obj == nil || obj.Pkg() == nil || obj.Pkg().Path() != "context" {
				continue
			}
			_, parent, deadline := ctxflow.ContextFunc(obj)
			switch {
			case deadline && len(expr.Args) >= 2 && len(call.Common().Args) >= 2:
				fresh := c.freshBudget(fn, call, expr, obj)
				c.innerNotShorter(call, expr, obj)
				if !fresh {
					c.retryLoop(fn, call, expr, obj)
				}
				if _, ok := budget(call, obj); ok {
					bounded = append(bounded, call)
				}
				c.rewrapped(call, expr, obj)
			case parent && len(call.Common().Args) >= 1:
				c.rewrapped(call, expr, obj)
			}
		}
	}
	if cfg.Sequential {
		c.sequentialStages(bounded)
	}
	return nil, nil
}

// budget returns a WithTimeout call's constant duration.
func budget(call *ssa.Call, callee *types.Func) (time.Duration, bool) {
	if callee.Name() != "WithTimeout" && callee.Name() != "WithTimeoutCause" || len(call.Common().Args) < 2 {
		return 0, false
	}
	k, ok := call.Common().Args[1].(*ssa.Const)
	if !ok || k.Value == nil || k.Value.Kind() != constant.Int {
		return 0, false
	}
	d, exact := constant.Int64Val(k.Value)
	return time.Duration(d), exact && d > 0
}

// budgetText renders a WithTimeout/WithDeadline call's budget for a message:
// the constant duration ("5s") or the source expression.
func budgetText(call *ssa.Call, expr *ast.CallExpr, callee *types.Func) string {
	if d, ok := budget(call, callee); ok {
		return d.String()
	}
	return types.ExprString(expr.Args[1])
}

// freshBudget: WithTimeout(context.Background(), d) while a received context
// is in scope. It reports whether it reported.
func (c *checker) freshBudget(fn *ssa.Function, call *ssa.Call, expr *ast.CallExpr, callee *types.Func) bool {
	rootCall, ok := call.Common().Args[0].(*ssa.Call)
	if !ok {
		return false
	}
	rootFn := rootCall.Common().StaticCallee()
	if rootFn == nil || rootFn.Pkg == nil || rootFn.Pkg.Pkg.Path() != "context" || (rootFn.Name() != "Background" && rootFn.Name() != "TODO") {
		return false
	}
	inScope := c.res.ContextInScope(fn, expr.Pos())
	if inScope == "" || detached(fn) || afterDone(fn, call) || handedToGoroutine(call) ||
		c.underCancellation(expr) || cleanupOrKept(call) {
		return false
	}
	what := "deadline " + types.ExprString(expr.Args[1])
	if strings.HasPrefix(callee.Name(), "WithTimeout") {
		what = budgetText(call, expr, callee) + " budget"
	}
	d := analysis.Diagnostic{
		Pos: expr.Args[0].Pos(), End: expr.Args[0].End(),
		Message: fmt.Sprintf("%s(context.%s(), …) starts a fresh %s that ignores %s's deadline and cancellation: the stage can outlive its caller; derive it from %s", ctxflow.ShortName(callee), rootFn.Name(), what, inScope, inScope),
	}
	if fix := fixutil.ReplaceContextRoot(c.pass, expr.Args[0], inScope, c.res.Syntax.Editable(expr.Pos())); fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	c.pass.Report(d)
	return true
}

// underCancellation reports whether expr sits in code that runs once a
// context is already done: `case <-ctx.Done():`, `if ctx.Err() != nil {`,
// `if errors.Is(err, context.Canceled) {`. A fresh context there is cleanup
// that must outlive the cancelled one.
func (c *checker) underCancellation(expr *ast.CallExpr) bool {
	cur, ok := c.root.FindNode(expr)
	if !ok {
		return false
	}
	info := c.pass.TypesInfo
	child := cur.Node()
	for anc := range cur.Enclosing() {
		switch n := anc.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return false
		case *ast.CommClause:
			if n.Comm != nil && mentionsCancellation(info, n.Comm) {
				return true
			}
		case *ast.IfStmt:
			if child == ast.Node(n.Body) && mentionsCancellation(info, n.Cond) {
				return true
			}
		}
		child = anc.Node()
	}
	return false
}

// mentionsCancellation reports whether n calls Err or Done on a context or
// names context.Canceled or context.DeadlineExceeded.
func mentionsCancellation(info *types.Info, n ast.Node) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.SelectorExpr:
			if v, ok := info.Uses[m.Sel].(*types.Var); ok && v.Pkg() != nil && v.Pkg().Path() == "context" && (v.Name() == "Canceled" || v.Name() == "DeadlineExceeded") {
				found = true
			}
			if m.Sel.Name == "Err" || m.Sel.Name == "Done" {
				if t := info.TypeOf(m.X); t != nil && knowledge.IsContext(t) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// cleanupNames start the names of calls that release or shut something down:
// a context made for them must survive the caller's cancellation.
var cleanupNames = []string{"shutdown", "close", "unlock", "release", "rollback", "stop", "cleanup", "abort", "disconnect", "terminate", "unregister", "deregister", "teardown"}

// cleanupOrKept reports whether the new context (or its cancel function) is
// kept beyond the call — stored in a field, a global or sent on a channel:
// an object's lifetime, not a stage — or whether it is given to a cleanup
// call (Shutdown, Close, Unlock, Rollback, …).
func cleanupOrKept(call *ssa.Call) bool {
	var queue []ssa.Value
	for _, ref := range *call.Referrers() {
		if ext, ok := ref.(*ssa.Extract); ok {
			queue = append(queue, ext)
		}
	}
	seen := map[ssa.Value]bool{}
	for len(queue) > 0 && len(seen) < 32 {
		v := queue[0]
		queue = queue[1:]
		if seen[v] || v.Referrers() == nil {
			continue
		}
		seen[v] = true
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.Store:
				if ref.Val != v {
					continue
				}
				switch ref.Addr.(type) {
				case *ssa.FieldAddr, *ssa.Global, *ssa.IndexAddr:
					return true
				}
			case *ssa.Send:
				return true
			case *ssa.MakeInterface, *ssa.ChangeType:
				queue = append(queue, ref.(ssa.Value))
			case ssa.CallInstruction:
				common := ref.Common()
				var name string
				if common.IsInvoke() {
					name = common.Method.Name()
				} else if f := common.StaticCallee(); f != nil {
					name = f.Name()
					if f.Pkg != nil && f.Pkg.Pkg.Path() == "context" && strings.HasPrefix(name, "With") {
						if res, ok := ref.(*ssa.Call); ok {
							queue = append(queue, res)
							for _, r := range *res.Referrers() {
								if ext, ok := r.(*ssa.Extract); ok && ext.Index == 0 {
									queue = append(queue, ext)
								}
							}
						}
						continue
					}
				}
				lower := strings.ToLower(name)
				for _, prefix := range cleanupNames {
					if strings.HasPrefix(lower, prefix) {
						return true
					}
				}
			}
		}
	}
	return false
}

// detached reports whether fn is a closure that does not run as part of its
// enclosing call: started with go, deferred, or handed to someone else.
func detached(fn *ssa.Function) bool {
	for f := fn; f.Parent() != nil; f = f.Parent() {
		if refs := f.Referrers(); refs != nil {
			// A closure without free variables is used as a plain function value.
			for _, ref := range *refs {
				if _, ok := ref.(*ssa.MakeClosure); ok {
					continue // judged below
				}
				if call, ok := ref.(*ssa.Call); !ok || call.Call.Value != ssa.Value(f) {
					return true
				}
			}
		}
		for _, b := range f.Parent().Blocks {
			for _, instr := range b.Instrs {
				mc, ok := instr.(*ssa.MakeClosure)
				if !ok || mc.Fn != f {
					continue
				}
				for _, ref := range *mc.Referrers() {
					if call, ok := ref.(*ssa.Call); !ok || call.Call.Value != mc {
						return true
					}
				}
			}
			for _, instr := range b.Instrs {
				switch g := instr.(type) {
				case *ssa.Go:
					if g.Call.Value == ssa.Value(f) {
						return true
					}
				case *ssa.Defer:
					if g.Call.Value == ssa.Value(f) {
						return true
					}
				}
			}
		}
	}
	return false
}

// handedToGoroutine reports whether the new context is given to a go
// statement (go renew(ctx, cancel)) or captured by a closure started with go:
// deliberately detached background work with its own budget.
func handedToGoroutine(call *ssa.Call) bool {
	var values []ssa.Value
	for _, ref := range *call.Referrers() {
		if ext, ok := ref.(*ssa.Extract); ok && ext.Index == 0 {
			values = append(values, ext)
		}
	}
	for _, v := range values {
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.Go:
				return true
			case *ssa.MakeClosure:
				if detached(ref.Fn.(*ssa.Function)) {
					return true
				}
			}
		}
	}
	return false
}

// afterDone reports whether a receive from some context's Done() dominates
// the call: shutdown work after the caller's context ended.
func afterDone(fn *ssa.Function, call *ssa.Call) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch x := instr.(type) {
			case *ssa.UnOp:
				if x.Op == token.ARROW && isDone(x.X) && b.Dominates(call.Block()) {
					return true
				}
			case *ssa.Select:
				for _, st := range x.States {
					if isDone(st.Chan) && b.Dominates(call.Block()) && b != call.Block() {
						return true
					}
				}
			}
		}
	}
	return false
}

func isDone(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	return ok && call.Common().IsInvoke() && call.Common().Method.Name() == "Done" && knowledge.IsContext(call.Common().Value.Type())
}

// innerNotShorter: WithTimeout(parent, d2) where parent already has a
// constant budget d1 <= d2.
func (c *checker) innerNotShorter(call *ssa.Call, expr *ast.CallExpr, callee *types.Func) {
	d2, ok := budget(call, callee)
	if !ok || len(expr.Args) < 2 {
		return
	}
	parent := c.res.Classify(call.Common().Args[0])
	if parent.State != ctxflow.Deadline || parent.Timeout <= 0 || d2 < parent.Timeout {
		return
	}
	d := analysis.Diagnostic{
		Pos: expr.Args[1].Pos(), End: expr.Args[1].End(),
		Message: fmt.Sprintf("inner budget %v can never fire: its parent context already expires within %v; drop the inner timeout or make it shorter than %v", d2, parent.Timeout, parent.Timeout),
	}
	if parent.Bounder != nil {
		d.Related = []analysis.RelatedInformation{{Pos: parent.Bounder.Pos(), Message: fmt.Sprintf("the parent's %v budget", parent.Timeout)}}
	}
	c.pass.Report(d)
}

// rewrapped: ctx = context.WithX(ctx, …) on every iteration of a loop.
func (c *checker) rewrapped(call *ssa.Call, expr *ast.CallExpr, callee *types.Func) {
	phi, ok := call.Common().Args[0].(*ssa.Phi)
	if !ok || !derivesFrom(phi, call, 0, map[*ssa.Phi]bool{}) {
		return
	}
	if callee.Name() == "WithValue" && len(call.Common().Args) >= 2 && !loopInvariant(call.Common().Args[1], call.Block()) {
		return // a different key each round: the loop attaches several values on purpose
	}
	c.pass.Report(analysis.Diagnostic{
		Pos: expr.Pos(), End: expr.End(),
		Message: fmt.Sprintf("%s wraps the context it produced on the previous iteration: budgets chain and values pile up on every pass; derive each iteration's context from the one outside the loop", ctxflow.ShortName(callee)),
	})
}

// loopInvariant reports whether v is the same on every iteration of the loop
// around b: a constant, or a value computed outside the loop.
func loopInvariant(v ssa.Value, b *ssa.BasicBlock) bool {
	for range 4 {
		switch x := v.(type) {
		case *ssa.MakeInterface:
			v = x.X
			continue
		case *ssa.ChangeType:
			v = x.X
			continue
		}
		break
	}
	switch x := v.(type) {
	case *ssa.Const, *ssa.Global, *ssa.Function, *ssa.Parameter, *ssa.FreeVar:
		return true
	case ssa.Instruction:
		for _, lb := range ctxflow.LoopBlocks(b) {
			if x.Block() == lb {
				return false
			}
		}
		return true
	}
	return false
}

// derivesFrom reports whether a phi carries the result of call back around
// a loop (directly, through other phis, or through further derivations).
func derivesFrom(phi *ssa.Phi, call *ssa.Call, depth int, seen map[*ssa.Phi]bool) bool {
	if depth > 8 || seen[phi] {
		return false
	}
	seen[phi] = true
	for _, e := range phi.Edges {
		switch e := e.(type) {
		case *ssa.Call:
			if e == call {
				return true
			}
		case *ssa.Extract:
			if e.Tuple == ssa.Value(call) {
				return true
			}
		case *ssa.Phi:
			if derivesFrom(e, call, depth+1, seen) {
				return true
			}
		}
	}
	return false
}

// retryLoop: a per-attempt WithTimeout inside a retry loop that nothing
// bounds (ctxflow.EnclosingRetryLoop), derived from a parent without a
// deadline.
func (c *checker) retryLoop(fn *ssa.Function, call *ssa.Call, expr *ast.CallExpr, callee *types.Func) {
	if !strings.HasPrefix(callee.Name(), "WithTimeout") || !ctxflow.InLoop(call.Block()) {
		return
	}
	if detached(fn) || inMainOrInit(fn) {
		return // a background job: retrying until it succeeds is its purpose
	}
	parent := c.res.Classify(call.Common().Args[0])
	if !parent.State.Unbounded() {
		return // an outer deadline, or the caller's context: the total is bounded or not ours
	}
	cur, ok := c.root.FindNode(expr)
	if !ok {
		return
	}
	loop := ctxflow.EnclosingRetryLoop(c.pass.TypesInfo, cur)
	if loop == nil {
		return
	}
	d := budgetText(call, expr, callee)
	has := "has no deadline"
	if parent.State == ctxflow.MaybeNoDeadline {
		has = "may have no deadline"
	}
	kind := "endless retry loop"
	if !loop.Endless {
		kind = "retry-until-success loop"
	}
	c.pass.Report(analysis.Diagnostic{
		Pos: expr.Pos(), End: expr.End(),
		Message: fmt.Sprintf("each attempt gets %s, but the %s has no attempt limit and the parent %s %s: the total wait, attempts × %s, is unbounded; put one deadline on the parent before the loop, or bound the attempts", d, kind, parent.Desc, has, d),
		Related: []analysis.RelatedInformation{{Pos: loop.Stmt.Pos(), End: loop.Stmt.For + 3, Message: "the retry loop"}},
	})
}

// inMainOrInit reports whether fn is (a closure in) package main's main or
// an init function: startup code with no caller to answer to.
func inMainOrInit(fn *ssa.Function) bool {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	if fn.Signature.Recv() != nil || fn.Pkg == nil {
		return false
	}
	return fn.Name() == "main" && fn.Pkg.Pkg.Name() == "main" || strings.HasPrefix(fn.Name(), "init#") || fn.Name() == "init"
}

var connDeadlines = map[string]bool{"SetDeadline": true, "SetReadDeadline": true, "SetWriteDeadline": true}

// connDeadline: conn.SetDeadline(time.Now().Add(d)) in a function that
// received a context and never looks at its deadline or Done channel.
func (c *checker) connDeadline(fn *ssa.Function, call *ssa.Call) {
	common := call.Common()
	var method *types.Func
	var recv ssa.Value
	var args []ssa.Value
	if common.IsInvoke() {
		method, recv, args = common.Method, common.Value, common.Args
	} else if static := common.StaticCallee(); static != nil {
		if callee, ok := static.Object().(*types.Func); ok && callee.Signature().Recv() != nil && len(common.Args) > 0 {
			method, recv, args = callee, common.Args[0], common.Args[1:]
		}
	}
	if method == nil || !connDeadlines[method.Name()] || len(args) != 1 || !nowPlus(args[0]) || !dialed(recv) {
		return
	}
	expr := c.res.Syntax.CallExpr(call.Pos())
	if expr == nil || len(expr.Args) != 1 || c.res.Syntax.InGeneratedFile(expr.Pos()) || c.res.Syntax.InTestFile(expr.Pos()) {
		return
	}
	inScope := c.res.ContextInScope(fn, expr.Pos())
	outer := fn
	for outer.Parent() != nil {
		outer = outer.Parent()
	}
	if inScope == "" || consultsDeadline(outer) || sharesWithContext(outer) {
		return
	}
	what := "time.Now().Add(…)"
	if add, ok := ast.Unparen(expr.Args[0]).(*ast.CallExpr); ok && len(add.Args) == 1 {
		what = "time.Now().Add(" + types.ExprString(add.Args[0]) + ")"
	}
	d := analysis.Diagnostic{
		Pos: expr.Pos(), End: expr.End(),
		Message: fmt.Sprintf("%s(%s) ignores %s's deadline: the connection may wait past the caller's budget; use the earlier of the two (%s.Deadline())", method.Name(), what, inScope, inScope),
	}
	if fix := c.earlierDeadlineFix(expr, inScope); fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	c.pass.Report(d)
}

// sharesWithContext reports whether fn (or a closure in it) hands a context
// and a connection to the same call: a helper such as watch(ctx, conn) that
// may close the connection when the context ends.
func sharesWithContext(fn *ssa.Function) bool {
	var visit func(f *ssa.Function) bool
	visit = func(f *ssa.Function) bool {
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				common := ci.Common()
				var ctx, conn bool
				args := common.Args
				if common.IsInvoke() {
					args = append([]ssa.Value{common.Value}, args...)
				}
				for _, a := range args {
					if a == nil {
						continue
					}
					if knowledge.IsContext(a.Type()) {
						ctx = true
					} else if hasSetDeadline(a.Type()) {
						conn = true
					}
				}
				if ctx && conn {
					if callee := common.StaticCallee(); callee == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "context" {
						return true
					}
				}
			}
		}
		for _, anon := range f.AnonFuncs {
			if visit(anon) {
				return true
			}
		}
		return false
	}
	return visit(fn)
}

func hasSetDeadline(t types.Type) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "SetDeadline")
	_, ok := obj.(*types.Func)
	return ok
}

// earlierDeadlineFix rewrites
//
//	c.SetDeadline(time.Now().Add(d))
//
// into
//
//	deadline := time.Now().Add(d)
//	if ctxDeadline, ok := ctx.Deadline(); ok && ctxDeadline.Before(deadline) {
//		deadline = ctxDeadline
//	}
//	c.SetDeadline(deadline)
//
// when the call is part of a statement that can be preceded by others (a
// block element, or the init of an if or switch that is one) and the
// deadline expression uses nothing the statement declares.
func (c *checker) earlierDeadlineFix(expr *ast.CallExpr, inScope string) *analysis.SuggestedFix {
	if !c.res.Syntax.Editable(expr.Pos()) {
		return nil
	}
	cur, ok := c.root.FindNode(expr)
	if !ok {
		return nil
	}
	var stmt ast.Stmt
	for anc := range cur.Enclosing() {
		switch n := anc.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl, *ast.GoStmt, *ast.DeferStmt:
			return nil
		case *ast.ExprStmt, *ast.AssignStmt, *ast.ReturnStmt, *ast.IfStmt, *ast.SwitchStmt:
			switch anc.ParentEdgeKind() {
			case edge.BlockStmt_List, edge.CaseClause_Body, edge.CommClause_Body:
				stmt = n.(ast.Stmt)
			case edge.IfStmt_Init, edge.SwitchStmt_Init:
				continue
			default:
				return nil
			}
		case ast.Stmt:
			return nil
		}
		if stmt != nil {
			break
		}
	}
	if stmt == nil {
		return nil
	}
	arg := expr.Args[0]
	info := c.pass.TypesInfo
	declaredInside := false
	ast.Inspect(arg, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if obj := info.Uses[id]; obj != nil && obj.Pos() >= stmt.Pos() && obj.Pos() < stmt.End() {
				declaredInside = true
			}
		}
		return !declaredInside
	})
	if declaredInside {
		return nil
	}
	tf := c.pass.Fset.File(arg.Pos())
	if tf == nil {
		return nil
	}
	src, err := c.pass.ReadFile(tf.Name())
	if err != nil || tf.Offset(arg.End()) > len(src) {
		return nil
	}
	argText := string(src[tf.Offset(arg.Pos()):tf.Offset(arg.End())])
	scope := enclosingScope(info, cur)
	if scope == nil {
		return nil
	}
	deadline := freshName(scope, stmt.Pos(), "deadline")
	// ctxDeadline and ok live in the new if statement only: shadowing is harmless.
	ctxDeadline, okName := "ctxDeadline", "ok"
	indent := fixutil.LineIndent(c.pass, stmt.Pos())
	text := fmt.Sprintf("%s := %s\n%sif %s, %s := %s.Deadline(); %s && %s.Before(%s) {\n%s\t%s = %s\n%s}\n%s",
		deadline, argText, indent, ctxDeadline, okName, inScope, okName, ctxDeadline, deadline, indent, deadline, ctxDeadline, indent, indent)
	return &analysis.SuggestedFix{
		Message: "Use the earlier of this deadline and " + inScope + "'s",
		TextEdits: []analysis.TextEdit{
			{Pos: stmt.Pos(), End: stmt.Pos(), NewText: []byte(text)},
			{Pos: arg.Pos(), End: arg.End(), NewText: []byte(deadline)},
		},
	}
}

// enclosingScope returns the scope of the innermost block, clause or
// function around cur: where a statement inserted before cur's statement
// declares its names.
func enclosingScope(info *types.Info, cur inspector.Cursor) *types.Scope {
	for anc := range cur.Enclosing() {
		var n ast.Node
		switch x := anc.Node().(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			n = x
		case *ast.FuncDecl:
			n = x.Type
		case *ast.FuncLit:
			n = x.Type
		default:
			continue
		}
		if scope := info.Scopes[n]; scope != nil {
			return scope
		}
	}
	return nil
}

// freshName returns base, base2, … : the first name neither visible at pos
// nor declared anywhere in scope (a later declaration in the same block would
// clash with the new one).
func freshName(scope *types.Scope, pos token.Pos, base string) string {
	name := base
	for i := 2; i < 100; i++ {
		if scope == nil {
			return name
		}
		_, visible := scope.LookupParent(name, pos)
		if visible == nil && scope.Lookup(name) == nil {
			return name
		}
		name = fmt.Sprintf("%s%d", base, i)
	}
	return name
}

// dialed reports whether a connection was dialed in this function: the
// client side of a request, whose budget is the caller's. Accepted server
// connections set their own deadlines by design.
func dialed(v ssa.Value) bool {
	for i := 0; i < 8; i++ {
		switch x := v.(type) {
		case *ssa.Extract:
			v = x.Tuple
		case *ssa.MakeInterface:
			v = x.X
		case *ssa.ChangeInterface:
			v = x.X
		case *ssa.TypeAssert:
			v = x.X
		case *ssa.Call:
			var name string
			if x.Common().IsInvoke() {
				name = x.Common().Method.Name()
			} else if callee := x.Common().StaticCallee(); callee != nil {
				name = callee.Name()
			}
			return strings.HasPrefix(name, "Dial")
		default:
			return false
		}
	}
	return false
}

// nowPlus recognizes time.Now().Add(d).
func nowPlus(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	add := call.Common().StaticCallee()
	if add == nil || add.Name() != "Add" || add.Pkg == nil || add.Pkg.Pkg.Path() != "time" || len(call.Common().Args) != 2 {
		return false
	}
	now, ok := call.Common().Args[0].(*ssa.Call)
	if !ok {
		return false
	}
	nf := now.Common().StaticCallee()
	return nf != nil && nf.Name() == "Now" && nf.Pkg != nil && nf.Pkg.Pkg.Path() == "time"
}

// consultsDeadline reports whether fn or its closures look at a context's
// deadline or Done channel, or register context.AfterFunc.
func consultsDeadline(fn *ssa.Function) bool {
	var visit func(f *ssa.Function) bool
	visit = func(f *ssa.Function) bool {
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				common := ci.Common()
				if common.IsInvoke() && knowledge.IsContext(common.Value.Type()) && (common.Method.Name() == "Deadline" || common.Method.Name() == "Done") {
					return true
				}
				if callee := common.StaticCallee(); callee != nil && callee.Pkg != nil && callee.Pkg.Pkg.Path() == "context" && callee.Name() == "AfterFunc" {
					return true
				}
			}
		}
		for _, anon := range f.AnonFuncs {
			if visit(anon) {
				return true
			}
		}
		return false
	}
	return visit(fn)
}

// sequentialStages: two WithTimeout calls with constant budgets from the same
// parent, one after the other.
func (c *checker) sequentialStages(calls []*ssa.Call) {
	dur := func(call *ssa.Call) time.Duration {
		fn, _ := call.Common().StaticCallee().Object().(*types.Func)
		if fn == nil {
			return 0
		}
		d, _ := budget(call, fn)
		return d
	}
	for i, second := range calls {
		if ctxflow.InLoop(second.Block()) {
			continue // the retry-loop check covers loops
		}
		var prior []*ssa.Call
		for _, first := range calls[:i] {
			if first.Parent() != second.Parent() || first.Common().Args[0] != second.Common().Args[0] {
				continue
			}
			if !first.Block().Dominates(second.Block()) || first.Block() == second.Block() && !before(first, second) {
				continue
			}
			prior = append(prior, first)
		}
		expr := c.res.Syntax.CallExpr(second.Pos())
		if len(prior) == 0 || expr == nil {
			continue
		}
		total := dur(second)
		var each []string
		for _, p := range prior {
			total += dur(p)
			each = append(each, dur(p).String())
		}
		previous := fmt.Sprintf("the previous stage's %s", each[0])
		if len(prior) > 1 {
			previous = fmt.Sprintf("the %d stages before it (%s)", len(prior), strings.Join(each, ", "))
		}
		c.pass.Report(analysis.Diagnostic{
			Pos: expr.Pos(), End: expr.End(),
			Message: fmt.Sprintf("this stage gets a fresh %v from the same parent as %s: together they may take %v; give the stages one deadline (context.WithTimeout around them all, or WithDeadline with a shared time)", dur(second), previous, total),
			Related: []analysis.RelatedInformation{{Pos: prior[len(prior)-1].Pos(), Message: "the previous stage"}},
		})
	}
}

func before(a, b ssa.Instruction) bool {
	for _, x := range a.Block().Instrs {
		if x == a {
			return true
		}
		if x == b {
			return false
		}
	}
	return false
}
