// Package fixutil holds the pieces suggested fixes share: import names,
// fresh identifiers, zero values and indentation.
package fixutil

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// ImportName returns the name under which f imports path, or "" if it does
// not (or imports it as _ or .).
func ImportName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		if strings.Trim(imp.Path.Value, `"`) != path {
			continue
		}
		if imp.Name == nil {
			return path[strings.LastIndex(path, "/")+1:]
		}
		if imp.Name.Name == "_" || imp.Name.Name == "." {
			return ""
		}
		return imp.Name.Name
	}
	return ""
}

// FreshName returns base, or base2, base3, … : the first not visible at pos.
func FreshName(scope *types.Scope, pos token.Pos, base string) string {
	name := base
	for i := 2; ; i++ {
		if scope == nil {
			return name
		}
		if _, obj := scope.LookupParent(name, pos); obj == nil {
			return name
		}
		name = fmt.Sprintf("%s%d", base, i)
	}
}

// ZeroResults returns the zero values of all results but the last, which
// must be error.
func ZeroResults(pass *analysis.Pass, file *ast.File, fnType *ast.FuncType) ([]string, bool) {
	if fnType.Results == nil {
		return nil, false
	}
	var types_ []types.Type
	for _, field := range fnType.Results.List {
		t := pass.TypesInfo.TypeOf(field.Type)
		if t == nil {
			return nil, false
		}
		n := max(1, len(field.Names))
		for range n {
			types_ = append(types_, t)
		}
	}
	if len(types_) == 0 || !knowledge.IsError(types_[len(types_)-1]) {
		return nil, false
	}
	qual := func(p *types.Package) string {
		if p == pass.Pkg {
			return ""
		}
		if name := ImportName(file, p.Path()); name != "" {
			return name
		}
		return notImported
	}
	var zeros []string
	for _, t := range types_[:len(types_)-1] {
		z, ok := zeroValue(t, qual)
		if !ok {
			return nil, false
		}
		zeros = append(zeros, z)
	}
	return zeros, true
}

// notImported marks a type whose package this file does not import.
const notImported = "\x00"

func zeroValue(t types.Type, qual types.Qualifier) (string, bool) {
	if _, ok := types.Unalias(t).(*types.TypeParam); ok {
		return "", false // its zero value has no literal; leave it to the user
	}
	switch u := t.Underlying().(type) {
	case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		return "nil", true
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return "false", true
		case u.Info()&types.IsString != 0:
			return `""`, true
		case u.Info()&types.IsNumeric != 0:
			return "0", true
		}
	case *types.Struct, *types.Array:
		if named, ok := types.Unalias(t).(*types.Named); ok && named.TypeArgs() == nil {
			s := types.TypeString(t, qual)
			if strings.Contains(s, notImported) {
				return "", false
			}
			return s + "{}", true
		}
	}
	return "", false
}

// LineIndent returns the whitespace that starts pos's line.
func LineIndent(pass *analysis.Pass, pos token.Pos) string {
	tf := pass.Fset.File(pos)
	content, err := pass.ReadFile(tf.Name())
	if err != nil {
		return "\t"
	}
	start := tf.LineStart(tf.Line(pos))
	off := tf.Offset(start)
	end := off
	for end < len(content) && (content[end] == ' ' || content[end] == '\t') {
		end++
	}
	return string(content[off:end])
}

// Enclosing returns the file holding node, the innermost statement around it
// that is a direct element of a block (so it can become several statements;
// not the init of an if, for or switch), and the type of the innermost
// function around it. stmt is nil when that statement is not a block element.
func Enclosing(pass *analysis.Pass, node ast.Node) (file *ast.File, stmt ast.Stmt, fnType *ast.FuncType) {
	for _, f := range pass.Files {
		if f.FileStart > node.Pos() || node.Pos() > f.FileEnd {
			continue
		}
		var parent ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil || n.Pos() > node.Pos() || n.End() < node.End() {
				return false
			}
			switch n := n.(type) {
			case *ast.FuncDecl:
				fnType, stmt = n.Type, nil
			case *ast.FuncLit:
				fnType, stmt = n.Type, nil
			case ast.Stmt:
				switch parent.(type) {
				case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
					stmt = n
				default:
					if _, isBlock := n.(*ast.BlockStmt); !isBlock {
						stmt = nil
					}
				}
			}
			parent = n
			return true
		})
		return f, stmt, fnType
	}
	return nil, nil, nil
}

// ReplaceContextRoot replaces a literal context.Background() or
// context.TODO() argument with the caller's context in scope.
func ReplaceContextRoot(pass *analysis.Pass, arg ast.Expr, inScope string, editable bool) *analysis.SuggestedFix {
	if inScope == "" || !editable {
		return nil
	}
	call, ok := ast.Unparen(arg).(*ast.CallExpr)
	if !ok || len(call.Args) != 0 {
		return nil
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	if fn, ok := pass.TypesInfo.Uses[sel.Sel].(*types.Func); !ok || knowledge.RoleOf(fn) != knowledge.CtxRoot {
		return nil
	}
	return &analysis.SuggestedFix{
		Message:   "Derive from " + inScope,
		TextEdits: []analysis.TextEdit{{Pos: arg.Pos(), End: arg.End(), NewText: []byte(inScope)}},
	}
}

// ToContextForm rewrites a call of a context-free form to its context form:
// x.F(args) becomes x.Form(inScope, args[, extra]). Nil when there is no
// context to pass, the call spreads a slice (the rewrite could not add an
// argument before it safely) or is not written as a selector, or the file
// is not editable.
func ToContextForm(call *ast.CallExpr, editable bool, form, inScope, extra string) *analysis.SuggestedFix {
	if inScope == "" || call == nil || call.Ellipsis.IsValid() || !editable {
		return nil
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	insert := inScope
	if len(call.Args) > 0 {
		insert += ", "
	}
	edits := []analysis.TextEdit{
		{Pos: sel.Sel.Pos(), End: sel.Sel.End(), NewText: []byte(form)},
		{Pos: call.Lparen + 1, End: call.Lparen + 1, NewText: []byte(insert)},
	}
	if extra != "" {
		edits = append(edits, analysis.TextEdit{Pos: call.Rparen, End: call.Rparen, NewText: []byte(", " + extra)})
	}
	return &analysis.SuggestedFix{Message: fmt.Sprintf("Use %s(%s, …)", form, inScope), TextEdits: edits}
}

// Source returns the source text of node as written, or "" when the file
// cannot be read.
func Source(pass *analysis.Pass, node ast.Node) string {
	tf := pass.Fset.File(node.Pos())
	if tf == nil {
		return ""
	}
	content, err := pass.ReadFile(tf.Name())
	if err != nil {
		return ""
	}
	start, end := tf.Offset(node.Pos()), tf.Offset(node.End())
	if start < 0 || end > len(content) || start > end {
		return ""
	}
	return string(content[start:end])
}
