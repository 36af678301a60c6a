package sharedeadline

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// retryAttempt: a per-attempt WithTimeout inside a loop that retries until
// an error is nil and that nothing else bounds, derived from a parent
// without a deadline: the total wait is attempts × the budget.
func (c *checker) retryAttempt(fn *ssa.Function, loops []*ctxflow.Loop, call *ssa.Call, expr *ast.CallExpr, callee *types.Func) {
	if knowledge.RoleOf(callee) != knowledge.CtxTimeout {
		return
	}
	loop := ctxflow.Innermost(loops, call.Block())
	if loop == nil || c.detached(fn, call) || inMainOrInit(fn) {
		return // a background job: retrying until it succeeds is its purpose
	}
	parent := c.res.Classify(call.Common().Args[0])
	if !parent.State.Unbounded() || !retryLoop(loop) {
		return
	}
	forStmt := c.loopStmt(expr)
	if forStmt == nil {
		return
	}
	d := budgetText(call, expr, callee)
	has := "has no deadline"
	if parent.State == ctxflow.MaybeNoDeadline {
		has = "may have no deadline"
	}
	kind := "endless retry loop"
	if forStmt.Cond != nil {
		kind = "retry-until-success loop"
	}
	c.pass.Report(analysis.Diagnostic{
		Pos: expr.Pos(), End: expr.End(),
		Message: fmt.Sprintf("each attempt gets %s, but the %s has no attempt limit and the parent %s %s: the total wait, attempts × %s, is unbounded; put one deadline on the parent before the loop, or bound the attempts", d, kind, parent.Desc, has, d),
		Related: []analysis.RelatedInformation{{Pos: forStmt.Pos(), End: forStmt.For + 3, Message: "the retry loop"}},
	})
}

// loopStmt returns the for statement around expr (not a range loop).
func (c *checker) loopStmt(expr *ast.CallExpr) *ast.ForStmt {
	cur, ok := c.res.Syntax.Enclosing(expr.Pos(), expr.End(), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncLit)(nil))
	if !ok {
		return nil
	}
	loop, _ := cur.Node().(*ast.ForStmt)
	return loop
}

// retryLoop reports whether every way out of the loop is taken on success
// (where an error was just found nil), and there is one: a loop that
// repeats until something works, with no attempt limit, bound or clock. A
// loop with no way out at all is a periodic worker, not a retry.
func retryLoop(loop *ctxflow.Loop) bool {
	exits := loop.Exits()
	if len(exits) == 0 {
		return false
	}
	var nilWays []*ssa.BasicBlock
	for b := range loop.Blocks {
		if s := nilWay(b); s != nil {
			nilWays = append(nilWays, s)
		}
	}
	for _, e := range exits {
		if s := nilWay(e[0]); s == e[1] {
			continue
		}
		onSuccess := false
		for _, s := range nilWays {
			if s != loop.Header && loop.Blocks[s] && s.Dominates(e[0]) {
				onSuccess = true
				break
			}
		}
		if !onSuccess {
			return false // a bound, a counter, or a way out on failure
		}
	}
	return true
}

// nilWay returns the successor of b taken when b's closing test finds an
// error nil (err == nil: the true branch; err != nil: the false branch).
func nilWay(b *ssa.BasicBlock) *ssa.BasicBlock {
	if len(b.Instrs) == 0 {
		return nil
	}
	iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return nil
	}
	cmp, ok := iff.Cond.(*ssa.BinOp)
	if !ok || !knowledge.IsError(cmp.X.Type()) {
		return nil
	}
	if call, ok := cmp.X.(*ssa.Call); ok {
		if fn, _, _ := ctxflow.SplitCall(call.Common()); knowledge.RoleOf(fn) == knowledge.CtxErr || knowledge.RoleOf(fn) == knowledge.CtxCause {
			return nil // a look at the context: a bound, not a success
		}
	}
	if c, ok := cmp.Y.(*ssa.Const); !ok || !c.IsNil() {
		return nil
	}
	switch cmp.Op {
	case token.EQL:
		return b.Succs[0]
	case token.NEQ:
		return b.Succs[1]
	}
	return nil
}

// inMainOrInit reports whether fn is (a closure in) package main's main or
// an init function: startup code with no caller to answer to.
func inMainOrInit(fn *ssa.Function) bool {
	fn = ctxflow.Outermost(fn)
	if fn.Signature.Recv() != nil || fn.Pkg == nil {
		return false
	}
	return fn.Name() == "main" && fn.Pkg.Pkg.Name() == "main" || fn.Synthetic == "package initializer" || isInit(fn)
}

// isInit reports whether fn is one of the package's init functions (which
// go/ssa names init#1, init#2, …).
func isInit(fn *ssa.Function) bool {
	obj, ok := fn.Object().(*types.Func)
	return ok && obj.Name() == "init" && obj.Signature().Recv() == nil
}
