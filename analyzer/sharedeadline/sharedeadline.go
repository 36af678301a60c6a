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
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/sinks"
)

//go:embed doc.go
var doc string

var Analyzer = &analysis.Analyzer{
	Name:     "sharedeadline",
	Doc:      lintutil.ExtractDoc(doc, "sharedeadline"),
	URL:      lintutil.URL("sharedeadline"),
	Requires: []*analysis.Analyzer{ctxflow.Analyzer},
	Run:      lintutil.Run("sharedeadline", run),
}

var sequential bool

func init() {
	Analyzer.Flags.BoolVar(&sequential, "sequential", false, "also report sequential stages that each get the full constant budget from the same parent")
}

type checker struct {
	pass *analysis.Pass
	res  *ctxflow.Result
}

func run(pass *analysis.Pass) (any, error) {
	c := &checker{pass: pass, res: pass.ResultOf[ctxflow.Analyzer].(*ctxflow.Result)}
	var bounded []*ssa.Call // WithTimeout calls with a constant budget, for -sequential
	for fn, instr := range c.res.Instrs() {
		call, ok := instr.(*ssa.Call)
		if !ok {
			continue
		}
		if callee := call.Common().StaticCallee(); callee != nil {
			expr := c.res.CallExpr(call.Pos())
			if expr == nil || c.res.InGeneratedFile(expr.Pos()) || c.res.InTestFile(expr.Pos()) {
				continue
			}
			obj, _ := callee.Object().(*types.Func)
			if obj == nil {
				continue
			}
			_, parent, deadline := ctxflow.ContextFunc(obj)
			switch {
			case deadline:
				c.freshBudget(fn, call, expr, obj)
				c.innerNotShorter(call, expr, obj)
				c.retryLoop(call, expr, obj)
				if _, ok := budget(call, obj); ok {
					bounded = append(bounded, call)
				}
				c.rewrapped(call, expr, obj)
			case parent:
				c.rewrapped(call, expr, obj)
			}
		}
		c.connDeadline(fn, call)
	}
	if sequential {
		c.sequentialStages(bounded)
	}
	return nil, nil
}

// budget returns a WithTimeout call's constant duration.
func budget(call *ssa.Call, callee *types.Func) (time.Duration, bool) {
	if callee.Name() != "WithTimeout" && callee.Name() != "WithTimeoutCause" {
		return 0, false
	}
	k, ok := call.Common().Args[1].(*ssa.Const)
	if !ok || k.Value == nil || k.Value.Kind() != constant.Int {
		return 0, false
	}
	d, exact := constant.Int64Val(k.Value)
	return time.Duration(d), exact && d > 0
}

// freshBudget: WithTimeout(context.Background(), d) while a received context
// is in scope.
func (c *checker) freshBudget(fn *ssa.Function, call *ssa.Call, expr *ast.CallExpr, callee *types.Func) {
	rootCall, ok := call.Common().Args[0].(*ssa.Call)
	if !ok {
		return
	}
	rootFn := rootCall.Common().StaticCallee()
	if rootFn == nil || rootFn.Pkg == nil || rootFn.Pkg.Pkg.Path() != "context" || (rootFn.Name() != "Background" && rootFn.Name() != "TODO") {
		return
	}
	inScope := c.res.ContextInScope(fn, expr.Pos())
	if inScope == "" || detached(fn) || afterDone(fn, call) || handedToGoroutine(call) {
		return
	}
	d := analysis.Diagnostic{
		Pos: expr.Args[0].Pos(), End: expr.Args[0].End(),
		Message: fmt.Sprintf("%s(context.%s(), …) starts a fresh budget that ignores %s's deadline and cancellation: the stage can outlive its caller; derive it from %s", ctxflow.ShortName(callee), rootFn.Name(), inScope, inScope),
	}
	if fix := fixutil.ReplaceContextRoot(c.pass, expr.Args[0], inScope, c.res.Editable(expr.Pos())); fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	c.pass.Report(d)
}

// detached reports whether fn is a closure that does not run as part of its
// enclosing call: started with go, deferred, or handed to someone else.
func detached(fn *ssa.Function) bool {
	for f := fn; f.Parent() != nil; f = f.Parent() {
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
	return ok && call.Common().IsInvoke() && call.Common().Method.Name() == "Done" && sinks.IsContext(call.Common().Value.Type())
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
	c.pass.Report(analysis.Diagnostic{
		Pos: expr.Pos(), End: expr.End(),
		Message: fmt.Sprintf("%s wraps the context it produced on the previous iteration: budgets chain and values pile up on every pass; derive each iteration's context from the one outside the loop", ctxflow.ShortName(callee)),
	})
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

// retryLoop: a per-attempt WithTimeout inside an endless loop whose parent
// context has no deadline.
func (c *checker) retryLoop(call *ssa.Call, expr *ast.CallExpr, callee *types.Func) {
	d, ok := budget(call, callee)
	if !ok {
		return
	}
	loop := c.innermostLoop(expr.Pos())
	if loop == nil || loop.Cond != nil {
		return // no loop, or a loop whose condition can bound the attempts
	}
	parent := c.res.Classify(call.Common().Args[0])
	if !parent.State.Unbounded() {
		return
	}
	c.pass.Report(analysis.Diagnostic{
		Pos: expr.Pos(), End: expr.End(),
		Message: fmt.Sprintf("each attempt gets %v, but the endless retry loop has no overall deadline (the parent is %s): attempts × %v is unbounded; put one deadline on the parent around the loop, or bound the attempts", d, parent.Desc, d),
	})
}

func (c *checker) innermostLoop(pos token.Pos) *ast.ForStmt {
	for _, f := range c.pass.Files {
		if f.FileStart > pos || pos > f.FileEnd {
			continue
		}
		var loop *ast.ForStmt
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil || n.Pos() > pos || n.End() < pos {
				return false
			}
			switch n := n.(type) {
			case *ast.FuncLit:
				loop = nil // a loop outside the closure does not repeat this call's budget
			case *ast.ForStmt:
				loop = n
			case *ast.RangeStmt:
				loop = nil // a range is bounded by what it ranges over
			}
			return true
		})
		return loop
	}
	return nil
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
	expr := c.res.CallExpr(call.Pos())
	if expr == nil || c.res.InGeneratedFile(expr.Pos()) || c.res.InTestFile(expr.Pos()) {
		return
	}
	inScope := c.res.ContextInScope(fn, expr.Pos())
	outer := fn
	for outer.Parent() != nil {
		outer = outer.Parent()
	}
	if inScope == "" || consultsDeadline(outer) {
		return
	}
	c.pass.Report(analysis.Diagnostic{
		Pos: expr.Pos(), End: expr.End(),
		Message: fmt.Sprintf("%s(time.Now().Add(…)) ignores %s's deadline: the connection may wait past the caller's budget; use the earlier of the two (%s.Deadline())", method.Name(), inScope, inScope),
	})
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
				if common.IsInvoke() && sinks.IsContext(common.Value.Type()) && (common.Method.Name() == "Deadline" || common.Method.Name() == "Done") {
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
	for i, second := range calls {
		for _, first := range calls[:i] {
			if first.Parent() != second.Parent() || first.Common().Args[0] != second.Common().Args[0] {
				continue
			}
			if !first.Block().Dominates(second.Block()) || first.Block() == second.Block() && !before(first, second) {
				continue
			}
			if ctxflow.InLoop(second.Block()) {
				continue // the retry-loop check covers loops
			}
			expr := c.res.CallExpr(second.Pos())
			if expr == nil {
				continue
			}
			d1, _ := budget(first, first.Common().StaticCallee().Object().(*types.Func))
			d2, _ := budget(second, second.Common().StaticCallee().Object().(*types.Func))
			c.pass.Report(analysis.Diagnostic{
				Pos: expr.Pos(), End: expr.End(),
				Message: fmt.Sprintf("this stage gets a fresh %v from the same parent as the previous stage's %v: together they may take %v; give both stages one deadline (context.WithTimeout around both, or WithDeadline with a shared time)", d2, d1, d1+d2),
				Related: []analysis.RelatedInformation{{Pos: first.Pos(), Message: "the previous stage"}},
			})
			break
		}
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
