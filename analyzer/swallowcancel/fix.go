package swallowcancel

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
)

// returnStmt returns the return statement of a return instruction, or nil
// (an implicit return at the end of a function).
func (c *checker) returnStmt(ret *ssa.Return) *ast.ReturnStmt {
	if !ret.Pos().IsValid() {
		return nil
	}
	cur, ok := c.res.Syntax.Enclosing(ret.Pos(), ret.Pos(), (*ast.ReturnStmt)(nil))
	if !ok {
		return nil
	}
	return cur.Node().(*ast.ReturnStmt)
}

// lastResult returns the syntax of a return's error result, or nil.
func (c *checker) lastResult(ret *ssa.Return) ast.Expr {
	stmt := c.returnStmt(ret)
	if stmt == nil || len(stmt.Results) == 0 {
		return nil
	}
	return stmt.Results[len(stmt.Results)-1]
}

// nilPos is where to report a `return …, nil`: at the nil.
func (c *checker) nilPos(ret *ssa.Return) token.Pos {
	if e := c.lastResult(ret); e != nil {
		return e.Pos()
	}
	return ret.Pos()
}

// valuePos is where to report the error value a return returns.
func (c *checker) valuePos(v ssa.Value, ret *ssa.Return) token.Pos {
	if e := c.lastResult(ret); e != nil {
		return e.Pos()
	}
	if v.Pos().IsValid() {
		return v.Pos()
	}
	return ret.Pos()
}

// withFix offers to return name (an identifier visible at the return and
// denoting the same variable as at from) instead of nil.
func (c *checker) withFix(d *analysis.Diagnostic, ret *ssa.Return, name string, from token.Pos) {
	e := c.lastResult(ret)
	if e == nil || !c.res.Syntax.Editable(e.Pos()) || !c.visibleAs(name, from, e.Pos()) {
		return
	}
	d.End = e.End()
	d.SuggestedFixes = []analysis.SuggestedFix{{
		Message:   "Return " + name,
		TextEdits: []analysis.TextEdit{{Pos: e.Pos(), End: e.End(), NewText: []byte(name)}},
	}}
}

// visibleAs reports whether the expression text (an identifier, or
// ident.Method() / pkg.Func(ident)) names at to the same objects it names
// at from.
func (c *checker) visibleAs(text string, from, at token.Pos) bool {
	scope := c.pass.Pkg.Scope()
	for _, id := range identsOf(text) {
		inner1 := scope.Innermost(from)
		inner2 := scope.Innermost(at)
		if inner1 == nil || inner2 == nil {
			return false
		}
		_, o1 := inner1.LookupParent(id, from)
		_, o2 := inner2.LookupParent(id, at)
		if o1 == nil || o1 != o2 {
			return false
		}
		if _, isPkg := o1.(*types.PkgName); !isPkg {
			break // only the leading identifier is a variable to check
		}
	}
	return true
}

// identsOf returns the identifiers a fix expression relies on: "err",
// the receiver of "ctx.Err()", the package and argument of
// "context.Cause(ctx)". Selected names (Err, Cause) are not looked up.
func identsOf(text string) []string {
	e, err := parser.ParseExpr(text)
	if err != nil {
		return nil
	}
	var out []string
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(n.X, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok {
					out = append(out, id.Name)
				}
				return true
			})
			return false
		case *ast.Ident:
			out = append(out, n.Name)
		}
		return true
	})
	return out
}

// continueFix offers `return …, name` in place of a continue, with zero
// values for the other results.
func (c *checker) continueFix(d *analysis.Diagnostic, f *fnInfo, br *ast.BranchStmt, name string) {
	if !c.res.Syntax.Editable(br.Pos()) {
		return
	}
	file, _, fnType := fixutil.Enclosing(c.pass, br)
	if file == nil || fnType == nil {
		return
	}
	zeros, ok := fixutil.ZeroResults(c.pass, file, fnType)
	if !ok {
		return
	}
	zeros = append(zeros, name)
	d.SuggestedFixes = []analysis.SuggestedFix{{
		Message:   "Return " + name,
		TextEdits: []analysis.TextEdit{{Pos: br.Pos(), End: br.End(), NewText: []byte("return " + strings.Join(zeros, ", "))}},
	}}
}
