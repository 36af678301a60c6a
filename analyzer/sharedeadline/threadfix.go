package sharedeadline

import (
	"go/ast"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// threadContextFix threads the callers' context into a helper of this
// package that starts its own root: the helper gains a first parameter
// ctx context.Context, its roots become ctx, and every call passes the
// context its caller holds. It is offered only when every call site has a
// context to pass and nothing outside the package can call the helper, and
// only on the first call site's finding (the one fix repairs them all).
func (c *checker) threadContextFix(call *ctxflow.Call) *analysis.SuggestedFix {
	helper := call.Target
	if helper == nil || !c.res.RootReportedAtCallers(helper) {
		return nil
	}
	callers := c.res.CallersOf(helper)
	sort.Slice(callers, func(i, j int) bool { return c.res.Pos(callers[i]) < c.res.Pos(callers[j]) })
	if callers[0] != call {
		return nil
	}
	cur, ok := c.res.Syntax.Enclosing(helper.Pos(), helper.Pos(), (*ast.FuncDecl)(nil))
	if !ok {
		return nil
	}
	decl := cur.Node().(*ast.FuncDecl)
	file := c.res.Syntax.File(decl.Pos())
	if file == nil || !c.res.Syntax.Editable(decl.Pos()) {
		return nil
	}
	pkgName := fixutil.ImportName(file, "context")
	if pkgName == "" {
		return nil
	}
	scope := c.pass.TypesInfo.Scopes[decl.Type]
	name := "ctx"
	if scope != nil {
		if _, obj := scope.LookupParent(name, decl.Body.Pos()); obj != nil {
			return nil // a ctx is already visible in the helper
		}
		for _, n := range scope.Names() {
			if n == name {
				return nil
			}
		}
	}
	param := name + " " + pkgName + ".Context"
	if decl.Type.Params.NumFields() > 0 {
		param += ", "
	}
	edits := []analysis.TextEdit{{Pos: decl.Type.Params.Opening + 1, End: decl.Type.Params.Opening + 1, NewText: []byte(param)}}
	roots := 0
	for _, b := range helper.Blocks {
		for _, instr := range b.Instrs {
			root, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			if fn, _, _ := ctxflow.SplitCall(root.Common()); knowledge.RoleOf(fn) != knowledge.CtxRoot {
				continue
			}
			expr := c.res.Syntax.CallExpr(root.Pos())
			if expr == nil {
				return nil
			}
			edits = append(edits, analysis.TextEdit{Pos: expr.Pos(), End: expr.End(), NewText: []byte(name)})
			roots++
		}
	}
	if roots == 0 {
		return nil // the root is in a helper the helper calls: not one edit away
	}
	for _, k := range callers {
		expr := c.res.Syntax.CallExpr(k.Instr.Common().Pos())
		inScope := c.res.ContextInScope(k.Fn, c.res.Pos(k))
		if expr == nil || inScope == "" || !c.res.Syntax.Editable(expr.Pos()) {
			return nil
		}
		arg := inScope
		if len(expr.Args) > 0 {
			arg += ", "
		}
		edits = append(edits, analysis.TextEdit{Pos: expr.Lparen + 1, End: expr.Lparen + 1, NewText: []byte(arg)})
	}
	return &analysis.SuggestedFix{
		Message:   "Pass the caller's context to " + strings.TrimPrefix(call.CalleeName(), "("),
		TextEdits: edits,
	}
}
