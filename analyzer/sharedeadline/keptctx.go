package sharedeadline

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// keptContextBudget reports WithTimeout(context.Background(), d) (or TODO,
// or a WithDeadline) in a method that receives no context while its
// receiver keeps one for its lifetime: a context field the package fills
// with a context that can end (the constructor's ctx, a WithCancel whose
// cancel the object's Stop calls), which the method never reads. The fresh
// budget goes on after the object is stopped (swarmkit's Node.LeaderAddr
// waited ten seconds for a leader of a node already shut down; the fix
// derived from n.Ctx). A method that reads the field, or calls a function
// kept in a field of its receiver (a cancel: a Stop method that must
// outlive the object's context), chose otherwise. It reports whether it
// reported.
func (c *checker) keptContextBudget(fn *ssa.Function, call *ssa.Call, expr *ast.CallExpr, callee *types.Func) bool {
	rootFn := derivedFromRoot(call)
	if rootFn == nil {
		return false
	}
	method := ctxflow.Outermost(fn)
	if c.res.ContextInScope(fn, expr.Pos()) != "" || ctxflow.DiscardsContext(fn) || method.Signature.Recv() == nil || len(method.Params) == 0 {
		return false
	}
	recv := method.Params[0]
	if recv.Name() == "" || recv.Name() == "_" {
		return false
	}
	field := c.keptContextField(recv.Type())
	if field == nil || readsFieldOrCallsKept(method, recv, field) {
		return false
	}
	if c.detached(fn, call) || !c.freshUsedForWork(call, false) || copiesDeadline(call) {
		return false
	}
	kept := recv.Name() + "." + field.Name()
	what := "deadline " + types.ExprString(expr.Args[1])
	if knowledge.RoleOf(callee) == knowledge.CtxTimeout {
		what = budgetText(call, expr, callee) + " budget"
	}
	d := analysis.Diagnostic{
		Pos: expr.Args[0].Pos(), End: expr.Args[0].End(),
		Message: fmt.Sprintf("%s(context.%s(), …) starts a fresh %s while %s keeps the context it lives by, %s: the wait goes on after %s is stopped; derive it from %s",
			ctxflow.ShortName(callee), rootFn.Name(), what, recv.Name(), kept, recv.Name(), kept),
	}
	if fix := fixutil.ReplaceContextRoot(c.pass, expr.Args[0], kept, c.res.Syntax.Editable(expr.Pos())); fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	c.pass.Report(d)
	return true
}

// keptContextField returns the context.Context field of the struct t
// points to, when this package stores into it a context that can end
// (not a bare Background or TODO, nor WithoutCancel) and nothing else; or
// nil. Only a struct of this package, with one such field.
func (c *checker) keptContextField(t types.Type) *types.Var {
	ptr, ok := types.Unalias(t).(*types.Pointer)
	if !ok {
		return nil
	}
	named, ok := types.Unalias(ptr.Elem()).(*types.Named)
	if !ok || named.Obj().Pkg() != c.pass.Pkg {
		return nil
	}
	st, ok := named.Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	var field *types.Var
	for f := range st.Fields() {
		if f.Embedded() || !knowledge.IsContext(f.Type()) {
			continue
		}
		if field != nil {
			return nil // several: which one the method lives by is a guess
		}
		field = f
	}
	if field == nil {
		return nil
	}
	stores := c.res.StoredInField(field)
	if len(stores) == 0 {
		return nil
	}
	for _, v := range stores {
		if isRootCall(v) || c.res.Classify(v).Detached {
			return nil
		}
	}
	return field
}

// readsFieldOrCallsKept reports whether fn (or a literal in it) reads field
// of its receiver, or calls a function value kept in a field of the
// receiver (a cancel function: a Stop method).
func readsFieldOrCallsKept(fn *ssa.Function, recv *ssa.Parameter, field *types.Var) bool {
	for _, f := range append([]*ssa.Function{fn}, fn.AnonFuncs...) {
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				switch x := instr.(type) {
				case *ssa.FieldAddr:
					if fieldOf(x) == field && !onlyStored(x) {
						return true
					}
				case ssa.CallInstruction:
					if load, ok := x.Common().Value.(*ssa.UnOp); ok && load.Op == token.MUL {
						if fa, ok := load.X.(*ssa.FieldAddr); ok && fa.X == ssa.Value(recv) {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

func fieldOf(fa *ssa.FieldAddr) *types.Var {
	t := fa.X.Type()
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	if s, ok := t.Underlying().(*types.Struct); ok && fa.Field < s.NumFields() {
		return s.Field(fa.Field)
	}
	return nil
}

// onlyStored reports whether the address is only stored to.
func onlyStored(fa *ssa.FieldAddr) bool {
	for _, r := range *fa.Referrers() {
		if st, ok := r.(*ssa.Store); !ok || st.Addr != ssa.Value(fa) {
			return false
		}
	}
	return true
}
