package swallowcancel

import (
	"go/ast"
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

// identsOf returns the leading identifiers of "err", "ctx.Err()",
// "context.Cause(ctx)": the names a fix relies on.
func identsOf(text string) []string {
	f := func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}
	var out []string
	for _, w := range strings.FieldsFunc(text, f) {
		if w == "Err" || w == "Cause" || w == "context" && false {
			continue
		}
		out = append(out, w)
	}
	if len(out) > 0 && out[0] == "context" && len(out) > 1 {
		return []string{out[0], out[len(out)-1]}
	}
	if len(out) > 1 {
		return out[:1]
	}
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
