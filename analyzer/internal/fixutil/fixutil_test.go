package fixutil_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
)

const src = `package p

import (
	"context"
	str "strings"
	_ "embed"
	"time"
)

type Pair struct{ A, B int }
type Gen[T any] struct{ v T }
type Level int

var _ = str.ToUpper

func scalars(ctx context.Context) (n int, s string, ok bool, err error) {
	return
}

func refs() (*Pair, []int, map[string]int, chan int, func(), any, error) {
	return nil, nil, nil, nil, nil, nil, nil
}

func named() (Pair, Level, time.Duration, time.Time, error) {
	x := ctx0()
	_ = x
	return Pair{}, 0, 0, time.Time{}, nil
}

func generic[T any]() (T, error) {
	var zero T
	return zero, nil
}

func instance() (Gen[int], error) { return Gen[int]{}, nil }

func foreign() (str.Builder, error) { return str.Builder{}, nil }

func array() ([2]int, error) { return [2]int{}, nil }

func noError() (int, bool) { return 0, false }

func noResults() {}

func ctx0() context.Context {
	return context.Background()
}

func roots(ctx context.Context) {
	use(context.Background())
	use(context.TODO())
	use(ctx)
	use(context.WithoutCancel(ctx))
	if true {
			use(context.TODO())
	}
	for i := 0; use(context.TODO()) && i < 1; i++ {
	}
}

func use(context.Context) bool { return true }
`

type fixture struct {
	pass  *analysis.Pass
	file  *ast.File
	funcs map[string]*ast.FuncDecl
}

func load(t *testing.T) *fixture {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}, Scopes: map[ast.Node]*types.Scope{}}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{f}, info)
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{
		pass: &analysis.Pass{Fset: fset, Files: []*ast.File{f}, Pkg: pkg, TypesInfo: info,
			ReadFile: func(name string) ([]byte, error) {
				if name == "p.go" {
					return []byte(src), nil
				}
				return nil, os.ErrNotExist
			}},
		file:  f,
		funcs: map[string]*ast.FuncDecl{},
	}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			fx.funcs[fd.Name.Name] = fd
		}
	}
	return fx
}

func TestImportName(t *testing.T) {
	fx := load(t)
	for path, want := range map[string]string{
		"context": "context", // default name
		"strings": "str",     // renamed
		"embed":   "",        // blank: not usable
		"net":     "",        // not imported
		"time":    "time",
	} {
		if got := fixutil.ImportName(fx.file, path); got != want {
			t.Errorf("ImportName(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestFreshName(t *testing.T) {
	fx := load(t)
	body := fx.funcs["named"].Body
	scope := fx.pass.TypesInfo.Scopes[fx.funcs["named"].Type]
	pos := body.Rbrace
	for base, want := range map[string]string{
		"x":     "x2",    // a local
		"Pair":  "Pair2", // a package-level type
		"ctx":   "ctx",   // ctx is another function's parameter: free here
		"error": "error2",
	} {
		if got := fixutil.FreshName(scope, pos, base); got != want {
			t.Errorf("FreshName(%q) = %q, want %q", base, got, want)
		}
	}
	if got := fixutil.FreshName(nil, pos, "x"); got != "x" {
		t.Errorf("FreshName with no scope = %q, want the base", got)
	}
}

func TestZeroResults(t *testing.T) {
	fx := load(t)
	for fn, want := range map[string]string{
		"scalars":   "0, \"\", false",
		"refs":      "nil, nil, nil, nil, nil, nil",
		"named":     "Pair{}, 0, 0, time.Time{}",
		"generic":   "-", // a type parameter's zero value has no literal
		"instance":  "-", // nor has an instantiated generic struct, without its arguments
		"foreign":   "str.Builder{}",
		"array":     "-",
		"noError":   "-", // the last result is not an error
		"noResults": "-",
	} {
		zeros, ok := fixutil.ZeroResults(fx.pass, fx.file, fx.funcs[fn].Type)
		got := strings.Join(zeros, ", ")
		if !ok {
			got = "-"
		}
		if got != want {
			t.Errorf("ZeroResults(%s) = %q, want %q", fn, got, want)
		}
	}
}

func TestZeroResultsNeedsImport(t *testing.T) {
	fx := load(t)
	// Drop the time import from the file's view: time.Time can no longer be spelled.
	var kept []*ast.ImportSpec
	for _, imp := range fx.file.Imports {
		if imp.Path.Value != `"time"` {
			kept = append(kept, imp)
		}
	}
	fx.file.Imports = kept
	if zeros, ok := fixutil.ZeroResults(fx.pass, fx.file, fx.funcs["named"].Type); ok {
		t.Errorf("ZeroResults without the time import = %q, want no fix", zeros)
	}
}

func TestLineIndentAndEnclosing(t *testing.T) {
	fx := load(t)
	var calls []*ast.CallExpr // the use(…) calls of roots, in order
	ast.Inspect(fx.funcs["roots"], func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "use" {
				calls = append(calls, c)
			}
		}
		return true
	})
	if len(calls) != 6 {
		t.Fatalf("found %d calls of use, want 6", len(calls))
	}
	if got := fixutil.LineIndent(fx.pass, calls[0].Pos()); got != "\t" {
		t.Errorf("LineIndent of a statement = %q, want a tab", got)
	}
	if got := fixutil.LineIndent(fx.pass, calls[4].Pos()); got != "\t\t\t" {
		t.Errorf("LineIndent keeps the line's own (odd) indentation: got %q", got)
	}
	file, stmt, fnType := fixutil.Enclosing(fx.pass, calls[0])
	if file != fx.file || fnType != fx.funcs["roots"].Type {
		t.Error("Enclosing: wrong file or function")
	}
	if es, ok := stmt.(*ast.ExprStmt); !ok || es.X != calls[0] {
		t.Errorf("Enclosing statement of use(…) = %T, want its expression statement", stmt)
	}
	if _, stmt, _ := fixutil.Enclosing(fx.pass, calls[5]); stmt == nil {
		t.Error("Enclosing of a for condition: want the for statement, a block element")
	} else if _, ok := stmt.(*ast.ForStmt); !ok {
		t.Errorf("Enclosing of a for condition = %T, want the for statement", stmt)
	}
	lit := fx.funcs["ctx0"].Body.List[0].(*ast.ReturnStmt).Results[0]
	if _, stmt, fnType := fixutil.Enclosing(fx.pass, lit); fnType != fx.funcs["ctx0"].Type || stmt == nil {
		t.Error("Enclosing of a return value: want the return statement and ctx0")
	}
	outside := &ast.Ident{NamePos: token.Pos(fx.file.FileEnd + 10)}
	if f, _, _ := fixutil.Enclosing(fx.pass, outside); f != nil {
		t.Error("Enclosing of a node outside every file found a file")
	}
}

func TestReplaceContextRoot(t *testing.T) {
	fx := load(t)
	var args []ast.Expr
	ast.Inspect(fx.funcs["roots"], func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "use" {
				args = append(args, c.Args[0])
			}
		}
		return true
	})
	tests := []struct {
		arg      int
		inScope  string
		editable bool
		want     string // new text, or "" for no fix
	}{
		{0, "ctx", true, "ctx"}, // context.Background()
		{1, "ctx", true, "ctx"}, // context.TODO()
		{2, "ctx", true, ""},    // already ctx
		{3, "ctx", true, ""},    // WithoutCancel: a decision, not a root
		{0, "", true, ""},       // no context in scope
		{0, "ctx", false, ""},   // not editable
		{1, "r.Context()", true, "r.Context()"},
	}
	for _, tt := range tests {
		fix := fixutil.ReplaceContextRoot(fx.pass, args[tt.arg], tt.inScope, tt.editable)
		got := ""
		if fix != nil {
			if len(fix.TextEdits) != 1 || fix.TextEdits[0].Pos != args[tt.arg].Pos() || fix.TextEdits[0].End != args[tt.arg].End() {
				t.Errorf("arg %d: the fix must replace exactly the argument", tt.arg)
			}
			got = string(fix.TextEdits[0].NewText)
		}
		if got != tt.want {
			t.Errorf("ReplaceContextRoot(arg %d, %q, %v) = %q, want %q", tt.arg, tt.inScope, tt.editable, got, tt.want)
		}
	}
}
