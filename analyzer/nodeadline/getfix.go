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
	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
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
	if inScope == "" || method == "" || call.Ellipsis.IsValid() || !res.Syntax.Editable(call.Pos()) {
		return nil
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	file, blockStmt, fnType := fixutil.Enclosing(pass, call)
	stmt, ok := blockStmt.(*ast.AssignStmt)
	if !ok || fnType == nil || len(stmt.Lhs) != 2 || len(stmt.Rhs) != 1 || stmt.Rhs[0] != call {
		return nil
	}
	errIdent, ok := stmt.Lhs[1].(*ast.Ident)
	if !ok || errIdent.Name == "_" {
		return nil
	}
	httpName := fixutil.ImportName(file, "net/http")
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
	reqName := fixutil.FreshName(scope, call.Pos(), "req")
	zeros, ok := fixutil.ZeroResults(pass, file, fnType)
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
	indent := fixutil.LineIndent(pass, stmt.Pos())
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
