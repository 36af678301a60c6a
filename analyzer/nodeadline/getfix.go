package nodeadline

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// getFix rewrites a statement `resp, err := http.Get(url)` (also Head, Post,
// and the same methods on a client) into a request built with the caller's
// context and sent by the same client:
//
//	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
//	if err != nil {
//		return nil, err
//	}
//	resp, err := http.DefaultClient.Do(req)
//
// It is offered only when that is type-correct without further thought: the
// call is the whole right-hand side of a two-value assignment whose error
// variable is named, the enclosing function returns an error last and every
// other result has a writable zero value, and the names it introduces are free.
func getFix(pass *analysis.Pass, res *ctxflow.Result, c *ctxflow.Call, call *ast.CallExpr, inScope string) *analysis.SuggestedFix {
	method := map[string]string{"Get": "MethodGet", "Head": "MethodHead", "Post": "MethodPost"}[c.Callee.Name()]
	if inScope == "" || method == "" || call.Ellipsis.IsValid() || !res.Editable(call.Pos()) {
		return nil
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	file, stmt, fnType := enclosing(pass, call)
	if stmt == nil || fnType == nil || len(stmt.Lhs) != 2 || len(stmt.Rhs) != 1 || stmt.Rhs[0] != call {
		return nil
	}
	errIdent, ok := stmt.Lhs[1].(*ast.Ident)
	if !ok || errIdent.Name == "_" {
		return nil
	}
	httpName := importName(file, "net/http")
	if httpName == "" {
		return nil
	}
	scope := pass.Pkg.Scope().Innermost(call.Pos())
	if stmt.Tok == token.ASSIGN {
		// `resp, err = …` must keep assigning the same err: it has to live in this scope.
		if obj := pass.TypesInfo.Uses[errIdent]; obj == nil || obj.Parent() != scope {
			return nil
		}
	}
	reqName := freshName(scope, call.Pos(), "req")
	zeros, ok := zeroResults(pass, file, fnType)
	if !ok {
		return nil
	}
	client := httpName + ".DefaultClient"
	if c.Callee.Signature().Recv() != nil {
		client = types.ExprString(sel.X)
	}
	var body, header string
	args := call.Args
	switch method {
	case "MethodPost":
		if len(args) != 3 {
			return nil
		}
		body = types.ExprString(args[2])
		header = fmt.Sprintf("%s.Header.Set(\"Content-Type\", %s)\n", reqName, types.ExprString(args[1]))
	default:
		if len(args) != 1 {
			return nil
		}
		body = "nil"
	}
	indent := lineIndent(pass, stmt.Pos())
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s, %s := %s.NewRequestWithContext(%s, %s.%s, %s, %s)\n", reqName, errIdent.Name, httpName, inScope, httpName, method, types.ExprString(args[0]), body)
	fmt.Fprintf(&b, "if %s != nil {\n\treturn %s\n}\n", errIdent.Name, strings.Join(append(zeros, errIdent.Name), ", "))
	b.WriteString(header)
	tok := stmt.Tok.String()
	if id, ok := stmt.Lhs[0].(*ast.Ident); ok && id.Name == "_" && stmt.Tok == token.DEFINE {
		tok = "="
	}
	fmt.Fprintf(&b, "%s, %s %s %s.Do(%s)", types.ExprString(stmt.Lhs[0]), errIdent.Name, tok, client, reqName)
	text := strings.ReplaceAll(b.String(), "\n", "\n"+indent)
	if _, err := format.Source([]byte("package p\nfunc _() {\n" + b.String() + "\n}")); err != nil {
		return nil
	}
	return &analysis.SuggestedFix{
		Message:   fmt.Sprintf("Build the request with %s.NewRequestWithContext(%s, …) and send it with %s.Do", httpName, inScope, client),
		TextEdits: []analysis.TextEdit{{Pos: stmt.Pos(), End: stmt.End(), NewText: []byte(text)}},
	}
}

// enclosing returns the file, the assignment statement whose right-hand side
// is call, and the type of the innermost function around it.
func enclosing(pass *analysis.Pass, call *ast.CallExpr) (*ast.File, *ast.AssignStmt, *ast.FuncType) {
	for _, f := range pass.Files {
		if f.FileStart > call.Pos() || call.Pos() > f.FileEnd {
			continue
		}
		var stmt *ast.AssignStmt
		var fnType *ast.FuncType
		var parent ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil || n.Pos() > call.Pos() || n.End() < call.End() {
				return false
			}
			switch n := n.(type) {
			case *ast.FuncDecl:
				fnType, stmt = n.Type, nil
			case *ast.FuncLit:
				fnType, stmt = n.Type, nil
			case *ast.AssignStmt:
				// Only a statement of a block can become several statements
				// (not the init of an if, for or switch).
				switch parent.(type) {
				case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
					if len(n.Rhs) == 1 && n.Rhs[0] == call {
						stmt = n
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

func importName(f *ast.File, path string) string {
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

func freshName(scope *types.Scope, pos token.Pos, base string) string {
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

// zeroResults returns the zero values of all results but the last, which
// must be error.
func zeroResults(pass *analysis.Pass, file *ast.File, fnType *ast.FuncType) ([]string, bool) {
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
	if len(types_) == 0 || types.TypeString(types_[len(types_)-1], nil) != "error" {
		return nil, false
	}
	qual := func(p *types.Package) string {
		if p == pass.Pkg {
			return ""
		}
		if name := importName(file, p.Path()); name != "" {
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

// lineIndent returns the whitespace that starts pos's line.
func lineIndent(pass *analysis.Pass, pos token.Pos) string {
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
