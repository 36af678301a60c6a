// Package ctxflow is deadlinelint's shared core. It answers, once per
// package, the question every rule asks: where did this context.Context come
// from, and does it carry a deadline? It also finds the calls that wait on the
// outside world (see package sinks), says what bounds each, and exports a fact
// for functions whose context parameter reaches such a call, so that callers in
// other packages are judged at their own call sites.
//
// ctxflow reports nothing. Rules require its Analyzer and read its *Result.
package ctxflow

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"iter"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// Config is the core's configuration. It is one for a whole suite, because
// every rule asks the same core: a call that waits on the outside world
// waits for every rule. The zero value is the built-in catalog.
type Config struct {
	// Sinks extends the catalog (the -sinks flag of the command).
	Sinks knowledge.List
}

// Analyzer is the core with the default configuration, which the rules'
// default Analyzers require.
var Analyzer = New(new(Config))

// New returns a core that reads cfg when it first runs: drivers set cfg
// (from flags or settings) before any package is analysed. Rules built on
// one core share its per-package Result; a run must use one core only,
// since its fact types may belong to one analyzer.
func New(cfg *Config) *analysis.Analyzer {
	var (
		once    sync.Once
		catalog *knowledge.Catalog
	)
	return &analysis.Analyzer{
		Name:       "ctxflow",
		Doc:        "classify context.Context values by deadline and find calls that wait on the outside world (reports nothing)",
		URL:        "https://github.com/deadlinelint/deadlinelint#how-it-works",
		Requires:   []*analysis.Analyzer{inspect.Analyzer, ctrlflow.Analyzer},
		ResultType: reflect.TypeFor[*Result](),
		FactTypes:  []analysis.Fact{new(ReachesSink), new(Relevant)},
		Run: func(pass *analysis.Pass) (any, error) {
			once.Do(func() { catalog = knowledge.New(cfg.Sinks.Entries()) })
			return run(pass, catalog)
		},
	}
}

// Result is the per-package answer shared by every rule.
type Result struct {
	Pass    *analysis.Pass
	Catalog *knowledge.Catalog
	// Pkg and SrcFuncs are the package's SSA form, or nil when the package has
	// no context-related code and none was built.
	Pkg      *ssa.Package
	SrcFuncs []*ssa.Function
	// Calls lists every static call in SrcFuncs to a sink or to a function
	// whose context parameter reaches one, in source order.
	Calls []*Call

	// mu guards the memo tables below: the rules of one package query the
	// Result concurrently.
	mu       sync.Mutex
	origins  map[ssa.Value]Origin
	closures map[*ssa.Function]*ssa.MakeClosure
	summary  map[*ssa.Function]*ReachesSink
	callExpr map[token.Pos]*ast.CallExpr
	// stores indexes every store to a struct field (*types.Var) or package
	// variable (*ssa.Global), built on first use.
	stores        map[any][]ssa.Value
	boundSetLater bool
	requests      map[ssa.Value]Origin
	bounds        map[boundKey]Boundedness

	// The step guard of the current query (see budget.go).
	steps   int
	queryFn interface{ String() string }
	gaveUp  bool
}

// Call is a call the rules may judge.
type Call struct {
	Instr  ssa.CallInstruction
	Fn     *ssa.Function // the enclosing function
	Callee *types.Func
	Recv   ssa.Value   // receiver, nil for functions
	Args   []ssa.Value // arguments, receiver excluded
	// Sink is the catalog entry of Callee, or nil.
	Sink *knowledge.Sink
	// Reaches is Callee's summary (a fact for imported functions), or nil.
	Reaches *ReachesSink
}

// Pos returns the start of the call expression in source.
func (r *Result) Pos(c *Call) token.Pos {
	if e := r.CallExpr(c.Instr.Common().Pos()); e != nil {
		return e.Pos()
	}
	return c.Instr.Common().Pos()
}

func run(pass *analysis.Pass, catalog *knowledge.Catalog) (res any, err error) {
	r := &Result{
		Pass:     pass,
		Catalog:  catalog,
		origins:  map[ssa.Value]Origin{},
		closures: map[*ssa.Function]*ssa.MakeClosure{},
		summary:  map[*ssa.Function]*ReachesSink{},
		requests: map[ssa.Value]Origin{},
		bounds:   map[boundKey]Boundedness{},
	}
	if err := r.checkUserSinks(); err != nil {
		return nil, err
	}
	relevant := r.relevance()
	if !needsSSA(pass.Pkg) || !r.usesAnythingJudged() {
		return r, nil
	}
	if err := r.buildSSA(); err != nil {
		return r, nil // type errors and the like: silence, not a crash
	}
	r.indexClosures()
	r.indexCallExprs()
	r.findCalls()
	r.summarize()
	if relevant {
		r.exportFacts()
	}
	return r, nil
}

// checkUserSinks rejects a -sinks entry that does not fit the function it
// names, as soon as a package uses that function: a context index beyond
// the parameters, or at a parameter that is not a context.Context, would
// otherwise make every call a finding.
func (r *Result) checkUserSinks() error {
	seen := map[*types.Func]bool{}
	check := func(obj types.Object) error {
		fn, ok := obj.(*types.Func)
		if !ok || seen[fn] {
			return nil
		}
		seen[fn] = true
		s := r.Catalog.Lookup(fn)
		if s == nil || s.Kind != knowledge.User || !s.HasContext() {
			return nil
		}
		params := fn.Origin().Signature().Params()
		i, _ := s.Context.Index()
		switch {
		case i >= params.Len():
			return fmt.Errorf("-sinks entry %s: %s has %d parameters (receiver excluded), so the context index must be below %d, or none", s.Entry, ShortName(fn), params.Len(), params.Len())
		case !knowledge.IsContext(params.At(i).Type()):
			return fmt.Errorf("-sinks entry %s: parameter %d of %s is a %s, not a context.Context", s.Entry, i, ShortName(fn), params.At(i).Type())
		}
		return nil
	}
	for _, obj := range r.Pass.TypesInfo.Uses {
		if err := check(obj); err != nil {
			return err
		}
	}
	for _, obj := range r.Pass.TypesInfo.Defs {
		if err := check(obj); err != nil {
			return err
		}
	}
	return nil
}

// needsSSA reports whether pkg can contain anything the rules look at: only
// packages that (transitively) import context or a sink's package do. This
// keeps the cost on dependencies that `go vet` analyses for facts low.
func needsSSA(pkg *types.Package) bool {
	seen := map[*types.Package]bool{}
	var visit func(p *types.Package) bool
	visit = func(p *types.Package) bool {
		if seen[p] {
			return false
		}
		seen[p] = true
		switch p.Path() {
		case "context", "net", "net/http", "database/sql", "crypto/tls":
			return true
		}
		for _, imp := range p.Imports() {
			if visit(imp) {
				return true
			}
		}
		return false
	}
	return visit(pkg)
}

// judgedPackages are the packages whose functions the rules look at.
var judgedPackages = map[string]bool{
	"context": true, "time": true, "net": true, "net/http": true, "database/sql": true, "crypto/tls": true,
	"os/signal": true, "golang.org/x/sync/errgroup": true,
}

// usesAnythingJudged reports whether the package declares a context.Context
// variable (a parameter: facts) or uses a function of a judged package or of
// the sink catalog. Building SSA is most of the core's cost, and under go vet
// the core runs on every dependency for facts: most of them use none of this.
func (r *Result) usesAnythingJudged() bool {
	info := r.Pass.TypesInfo
	for _, obj := range info.Defs {
		if v, ok := obj.(*types.Var); ok && knowledge.IsContext(v.Type()) {
			return true
		}
	}
	for _, obj := range info.Uses {
		fn, ok := obj.(*types.Func)
		if !ok || fn.Pkg() == nil {
			continue
		}
		if judgedPackages[fn.Pkg().Path()] || r.Catalog.Lookup(fn) != nil {
			return true
		}
	}
	return false
}

// buildSSA builds the package's SSA form as buildssa does. ctxflow builds it
// itself, rather than requiring buildssa, so that packages with nothing to
// look at pay nothing.
func (r *Result) buildSSA() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("building SSA for %s: %v\n%s", r.Pass.Pkg.Path(), p, debug.Stack())
		}
	}()
	pass := r.Pass
	prog := ssa.NewProgram(pass.Fset, 0)
	prog.SetNoReturn(pass.ResultOf[ctrlflow.Analyzer].(*ctrlflow.CFGs).NoReturn)
	for _, p := range pass.Pkg.Imports() {
		prog.CreatePackage(p, nil, nil, true)
	}
	pkg := prog.CreatePackage(pass.Pkg, pass.Files, pass.TypesInfo, false)
	pkg.Build()
	r.Pkg = pkg
	for _, file := range pass.Files {
		for _, decl := range file.Decls {
			decl, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			obj, ok := pass.TypesInfo.Defs[decl.Name].(*types.Func)
			if !ok {
				continue
			}
			f := prog.FuncValue(obj)
			if f == nil {
				continue
			}
			var add func(f *ssa.Function)
			add = func(f *ssa.Function) {
				r.SrcFuncs = append(r.SrcFuncs, f)
				for _, anon := range f.AnonFuncs {
					add(anon)
				}
			}
			add(f)
		}
	}
	return nil
}

func (r *Result) indexClosures() {
	for _, fn := range r.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeClosure); ok {
					if f, ok := mc.Fn.(*ssa.Function); ok {
						r.closures[f] = mc
					}
				}
			}
		}
	}
}

// findCalls collects the calls to sinks and to summarized functions. Summaries
// of same-package functions are filled in by summarize, so every static call to
// a function of this package is kept for now.
func (r *Result) findCalls() {
	for _, fn := range r.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				callee, recv, args := splitCall(ci.Common())
				if callee == nil {
					continue
				}
				if concrete := devirtualize(callee, recv); concrete != nil {
					callee, recv = concrete, recv.(*ssa.MakeInterface).X
				}
				c := &Call{Instr: ci, Fn: fn, Callee: callee, Recv: recv, Args: args}
				c.Sink = r.Catalog.Lookup(callee)
				if c.Sink == nil {
					if callee.Pkg() == r.Pass.Pkg {
						if !hasContextParam(callee) {
							continue
						}
					} else {
						var fact ReachesSink
						if !r.Pass.ImportObjectFact(callee.Origin(), &fact) {
							continue
						}
						c.Reaches = &fact
					}
				}
				r.Calls = append(r.Calls, c)
			}
		}
	}
}

// devirtualize returns the concrete method an interface call reaches when
// the receiver was converted to the interface right there (var s Storer =
// &Store{}; s.Load(ctx)), or nil.
func devirtualize(method *types.Func, recv ssa.Value) *types.Func {
	mi, ok := recv.(*ssa.MakeInterface)
	if !ok || method.Signature().Recv() == nil || !types.IsInterface(method.Signature().Recv().Type()) {
		return nil
	}
	obj, _, _ := types.LookupFieldOrMethod(mi.X.Type(), true, method.Pkg(), method.Name())
	fn, _ := obj.(*types.Func)
	return fn
}

func hasContextParam(fn *types.Func) bool {
	params := fn.Signature().Params()
	for i := range params.Len() {
		if knowledge.IsContext(params.At(i).Type()) {
			return true
		}
	}
	return false
}

// Instrs yields every instruction of the package's source functions
// (closures included) with its function, in source order.
func (r *Result) Instrs() iter.Seq2[*ssa.Function, ssa.Instruction] {
	return func(yield func(*ssa.Function, ssa.Instruction) bool) {
		for _, fn := range r.SrcFuncs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					if !yield(fn, instr) {
						return
					}
				}
			}
		}
	}
}

// CallExpr maps an SSA call position (the Lparen) back to its call
// expression. The index is built in run, so concurrent reads are safe.
func (r *Result) CallExpr(lparen token.Pos) *ast.CallExpr {
	return r.callExpr[lparen]
}

func (r *Result) indexCallExprs() {
	r.callExpr = map[token.Pos]*ast.CallExpr{}
	ins := r.Pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for n := range ins.Root().Preorder((*ast.CallExpr)(nil)) {
		call := n.Node().(*ast.CallExpr)
		r.callExpr[call.Lparen] = call
	}
}

// ShortName renders a function as users write it: "http.Get",
// "(*sql.DB).QueryContext", "(*pgxpool.Pool).Query".
func ShortName(fn *types.Func) string { return knowledge.ShortName(fn) }

// ContextInScope returns an expression that denotes a caller-owned context at
// pos inside fn (a context parameter of fn or of a function enclosing it, or
// r.Context() of a request parameter), or "" if there is none. Fixes use it;
// they never invent context.TODO().
func (r *Result) ContextInScope(fn *ssa.Function, pos token.Pos) string {
	scope := r.Pass.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return ""
	}
	visible := func(p *ssa.Parameter) bool {
		obj := p.Object()
		if obj == nil || p.Name() == "_" || p.Name() == "" {
			return false
		}
		_, found := scope.LookupParent(p.Name(), pos)
		return found == obj
	}
	var request string
	for f := fn; f != nil; f = f.Parent() {
		for _, p := range f.Params {
			if !visible(p) {
				continue
			}
			if knowledge.IsContext(p.Type()) {
				return p.Name()
			}
			if request == "" && isHTTPRequestPtr(p.Type()) {
				request = p.Name() + ".Context()"
			}
		}
	}
	return request
}

func isHTTPRequestPtr(t types.Type) bool {
	_, ok := t.(*types.Pointer)
	return ok && knowledge.TypeRole(t) == knowledge.HTTPRequestType
}

// InTestFile reports whether pos is in a _test.go file.
func (r *Result) InTestFile(pos token.Pos) bool {
	return strings.HasSuffix(r.Pass.Fset.Position(pos).Filename, "_test.go")
}

// InGeneratedFile reports whether pos is in a generated file. cgo's output
// is not: it is the user's code, rewritten (see Editable).
func (r *Result) InGeneratedFile(pos token.Pos) bool {
	f := r.file(pos)
	return f == nil || ast.IsGenerated(f) && !isCgoOutput(f)
}

// Editable reports whether a fix may edit the file at pos: not generated,
// and not cgo output (whose positions are mapped through //line directives
// to a file other than the one parsed).
func (r *Result) Editable(pos token.Pos) bool {
	f := r.file(pos)
	if f == nil || ast.IsGenerated(f) {
		return false
	}
	return r.Pass.Fset.Position(pos).Filename == r.Pass.Fset.File(pos).Name()
}

func (r *Result) file(pos token.Pos) *ast.File {
	for _, f := range r.Pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

func isCgoOutput(f *ast.File) bool {
	for _, g := range f.Comments {
		if g.Pos() > f.Package {
			break
		}
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, "// Code generated by cmd/cgo") {
				return true
			}
		}
	}
	return false
}

// sortedParams is a deterministic order for fact entries.
func sortedParams(ps []ParamReach) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Param < ps[j].Param })
}
