package cleanupctx

import (
	"fmt"
	"go/ast"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkDerivedWhenDone reports a budget made for cleanup from the context
// that has just been found done, when the new context leaves the done
// branch (flyctl: `case errors.Is(err, context.Canceled): ctx, cancel =
// context.WithTimeout(ctx, time.Second)`, then the final status update
// after the switch): the derived context is done at once, so the wait it
// was made for fails instead of getting its time. The wait itself runs
// where the context is not known done on every path, so the main check
// is silent; the derivation is where the mistake is, and the fix is
// mechanical: derive from context.WithoutCancel(ctx).
func checkDerivedWhenDone(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, calls []*ctxflow.Call, used map[*ctxflow.Call][]use) {
	dones := res.Dones(fn)
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			derive, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			callee, _, args := ctxflow.SplitCall(derive.Common())
			switch knowledge.RoleOf(callee) {
			case knowledge.CtxTimeout, knowledge.CtxDeadline:
			default:
				continue
			}
			if len(args) == 0 {
				continue
			}
			root, _, _ := observed(res, fn, args[0])
			if root == nil {
				continue
			}
			donePos := cancelledAt(res, fn, root, derive)
			if d := doneAt(res, dones, root, derive); d != nil {
				donePos = d.Pos
			}
			if !donePos.IsValid() {
				continue
			}
			target := waitAfterMerge(derive, calls, used)
			if target == nil {
				continue
			}
			expr := res.Syntax.CallExpr(derive.Pos())
			if expr == nil || len(expr.Args) == 0 {
				continue
			}
			name := ctxName(root)
			parent := expr.Args[0]
			diag := analysis.Diagnostic{
				Pos: expr.Pos(), End: expr.End(),
				Message: fmt.Sprintf("%s derives the budget for %s from %s, which is already done here, so the new context is done at once and %s fails instead of getting its time: derive it from context.WithoutCancel(%s)",
					callee.FullName(), target.what, name, target.what, name),
				Related: []analysis.RelatedInformation{{Pos: donePos, Message: "the context is known to be done from here"}},
			}
			if fix := withoutCancelFix(pass, parent); fix != nil {
				diag.SuggestedFixes = []analysis.SuggestedFix{*fix}
			}
			pass.Report(diag)
		}
	}
}

// waitAfterMerge returns the use of a wait or cleanup that gets the
// context derive makes through a join with other paths (a phi): the
// derived context leaves the branch it was made in.
func waitAfterMerge(derive *ssa.Call, calls []*ctxflow.Call, used map[*ctxflow.Call][]use) *use {
	var derived ssa.Value
	for _, ref := range *derive.Referrers() {
		if ex, ok := ref.(*ssa.Extract); ok && ex.Index == 0 {
			derived = ex
		}
	}
	if derived == nil {
		return nil
	}
	phis := map[ssa.Value]bool{}
	for _, ref := range *derived.Referrers() {
		if phi, ok := ref.(*ssa.Phi); ok {
			phis[phi] = true
		}
	}
	if len(phis) == 0 {
		return nil
	}
	for _, c := range calls {
		for i, u := range used[c] {
			if phis[ctxflow.StripInterface(u.ctx)] && !u.cancelSafe {
				return &used[c][i]
			}
		}
	}
	return nil
}

// withoutCancelFix wraps the parent argument in context.WithoutCancel,
// when the file imports context by that name.
func withoutCancelFix(pass *analysis.Pass, parent ast.Expr) *analysis.SuggestedFix {
	var file *ast.File
	for _, f := range pass.Files {
		if f.Pos() <= parent.Pos() && parent.Pos() < f.End() {
			file = f
		}
	}
	if file == nil {
		return nil
	}
	pkg := fixutil.ImportName(file, "context")
	if pkg == "" {
		return nil
	}
	return &analysis.SuggestedFix{
		Message: "derive from context.WithoutCancel",
		TextEdits: []analysis.TextEdit{
			{Pos: parent.Pos(), End: parent.Pos(), NewText: []byte(pkg + ".WithoutCancel(")},
			{Pos: parent.End(), End: parent.End(), NewText: []byte(")")},
		},
	}
}
