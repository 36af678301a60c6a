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
	"slices"
	"sort"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/noreturn"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/syntax"
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
		Requires:   []*analysis.Analyzer{noreturn.Analyzer},
		ResultType: reflect.TypeFor[*Result](),
		FactTypes:  []analysis.Fact{new(Summary), new(Relevant)},
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
	// Syntax maps SSA positions back to the source and says which files
	// rules report in.
	Syntax *syntax.Index
	// Calls lists every static call in SrcFuncs to a sink or to a function
	// whose context parameter reaches one, in source order.
	Calls []*Call

	// mu guards the memo tables below: the rules of one package query the
	// Result concurrently.
	mu       sync.Mutex
	origins  map[ssa.Value]Origin
	closures map[*ssa.Function]*ssa.MakeClosure
	summary  map[*ssa.Function]*Summary
	// twins memoises contextForm: nil for a function that is no
	// context-free form of an API.
	twins map[*ssa.Function]*types.Func
	// passes memoises passThrough.
	passes  map[*ssa.Function]int
	errs    map[ssa.Value][]ErrSource
	callsAt map[ssa.CallInstruction][]*Call
	dones   map[*ssa.Function][]*Done
	// workCtxMemo memoises workContexts per outermost function.
	workCtxMemo map[*ssa.Function][]workContext
	// funcValues: functions the package uses other than by calling them.
	funcValues map[*ssa.Function]bool
	// deadlineCallers memoises deadlineSetByCallers; watchdogs,
	// fieldClosedOnDone.
	deadlineCallers map[*ssa.Function]bool
	watchdogs       map[*types.Var]bool
	fieldDeadlines  map[*types.Var]bool // fields of connections the package sets a read deadline on, all found at once (fieldDeadlineSet)
	// dialedConns and fixedConnDeadlines memoise DialedConn and
	// FixedConnDeadline (false / "" while being decided: cycles end there).
	dialedConns map[any]bool
	// convertedTo: the foreign interfaces the package converts each of
	// its named types to (calledByForeignCode).
	convertedTo        map[*types.TypeName][]*types.Named
	foreignCalled      map[*ssa.Function]bool // calledByForeignCode, memoised: it scans interface packages' scopes
	fixedConnDeadlines map[*ssa.Function]string
	// failed: functions whose analysis panicked (see guard).
	failed map[*ssa.Function]bool
	// passedFuncs memoises passedFunc.
	passedFuncs map[*ssa.Parameter]ssa.Value
	// callers: the package's calls of each of its functions.
	callers map[*ssa.Function][]*Call
	// methods and imported: catalog methods by parts, and the packages
	// this one imports, for interfaces that stand for catalog types.
	methods  []knowledge.Method
	imported map[string]*types.Package
	// stores indexes every store to a struct field (*types.Var) or package
	// variable (*ssa.Global), built on first use.
	stores map[any][]ssa.Value
	// loads indexes every load of a struct field of this package's types
	// (built on first use by FieldLoads).
	loads map[*types.Var][]ssa.Value
	// constGlobals memoises ConstantGlobal (nil: not one constant).
	constGlobals  map[*ssa.Global]*ssa.Const
	boundSetLater bool
	requests      map[ssa.Value]Origin
	bounds        map[boundKey]Boundedness
	drivers       map[any]driverOrigin // memo of driverOf and storedDriver
	embeddedOnly  int8                 // memo of opensOnlySelfBounding: 0 unknown, 1 yes, -1 no
	// impls memoises the in-package implementations of interface
	// methods; byMethod indexes the package's concrete types by the
	// names of their methods.
	impls    map[*types.Func][]*ssa.Function
	byMethod map[string][]*types.TypeName

	// The step guard of the current query (see budget.go).
	steps   int
	queryFn interface{ String() string }
	gaveUp  bool
}

// Call is a call the rules may judge: a call that waits, a cleanup, or a
// call to a function (declared, a method, a closure, an interface method)
// of which something is known.
type Call struct {
	Instr  ssa.CallInstruction
	Fn     *ssa.Function // the enclosing function
	Callee *types.Func   // nil for a closure
	// Target is the called SSA function when it belongs to this package (a
	// static call or a closure), else nil.
	Target *ssa.Function
	Recv   ssa.Value   // receiver, nil for functions
	Args   []ssa.Value // arguments, receiver excluded
	// Sink is the catalog entry of Callee, or nil.
	Sink *knowledge.Sink
	// Cleanup is set when Callee is a cleanup call.
	Cleanup *knowledge.Cleanup
	// Summary is what is known of the callee (a fact for another package's
	// function, the union over implementations for an interface method),
	// filled in when the package's summaries are complete; nil for sinks.
	Summary *Summary
}

// Pos returns the start of the call expression in source.
func (r *Result) Pos(c *Call) token.Pos {
	if e := r.Syntax.CallExpr(c.Instr.Common().Pos()); e != nil {
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
		summary:  map[*ssa.Function]*Summary{},
		twins:    map[*ssa.Function]*types.Func{},
		passes:   map[*ssa.Function]int{},
		errs:     map[ssa.Value][]ErrSource{},
		callsAt:  map[ssa.CallInstruction][]*Call{},
		dones:    map[*ssa.Function][]*Done{},
		failed:   map[*ssa.Function]bool{},
		callers:  map[*ssa.Function][]*Call{},
		requests: map[ssa.Value]Origin{},
		bounds:   map[boundKey]Boundedness{},
		drivers:  map[any]driverOrigin{},
	}
	if err := r.checkUserSinks(); err != nil {
		return nil, err
	}
	r.Syntax = syntax.New(pass, inspector.New(syntax.Reportable(pass.Files)))
	relevant := r.relevance()
	if !(needsSSA(pass.Pkg) && r.usesAnythingJudged() || startsGoroutinesAndWaits(pass)) {
		return r, nil
	}
	if err := r.buildSSA(); err != nil {
		return r, nil // type errors and the like: silence, not a crash
	}
	r.indexClosures()
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

// startsGoroutinesAndWaits reports whether the package's files start a
// goroutine and hold a select or a range over a channel: what timeoutleak
// judges needs neither a context nor the network (a worker pool that gives
// up on a quit channel, a producer feeding a range).
func startsGoroutinesAndWaits(pass *analysis.Pass) bool {
	goes, waits := false, false
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				goes = true
			case *ast.SelectStmt:
				waits = true
			case *ast.RangeStmt:
				if tv, ok := pass.TypesInfo.Types[n.X]; ok && tv.Type != nil {
					if _, isChan := tv.Type.Underlying().(*types.Chan); isChan {
						waits = true
					}
				}
			}
			return !(goes && waits)
		})
		if goes && waits {
			return true
		}
	}
	return false
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
	prog.SetNoReturn(pass.ResultOf[noreturn.Analyzer].(*noreturn.Result).NoReturn)
	for _, p := range pass.Pkg.Imports() {
		prog.CreatePackage(p, nil, nil, true)
	}
	files, info := r.leanFiles()
	pkg := prog.CreatePackage(pass.Pkg, files, info, false)
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
			if f := prog.FuncValue(obj); f != nil {
				r.SrcFuncs = withLiterals(r.SrcFuncs, f)
			}
		}
	}
	// Literals in package variables' initializers (harbor's
	// DefaultConfig{ReadOnly: func(r *http.Request) bool {…}}) belong to
	// the synthetic init, which has no syntax of its own.
	if init := pkg.Func("init"); init != nil {
		for _, anon := range init.AnonFuncs {
			r.SrcFuncs = withLiterals(r.SrcFuncs, anon)
		}
	}
	return nil
}

// withLiterals appends f and the function literals nested in it.
func withLiterals(fns []*ssa.Function, f *ssa.Function) []*ssa.Function {
	fns = append(fns, f)
	for _, anon := range f.AnonFuncs {
		fns = withLiterals(fns, anon)
	}
	return fns
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

// findCalls collects the calls the rules and the summaries look at: every
// call with a static callee or a closure, except those to functions that
// can matter to nothing (another package's function without a fact and
// not in the catalog).
func (r *Result) findCalls() {
	for _, fn := range r.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				var c *Call
				r.guard(fn, func() { c = r.newCall(fn, ci) })
				if c != nil {
					r.Calls = append(r.Calls, c)
					r.callsAt[ci] = append(r.callsAt[ci], c)
					if c.Target != nil {
						r.callers[c.Target] = append(r.callers[c.Target], c)
					}
				}
			}
		}
	}
}

func (r *Result) newCall(fn *ssa.Function, ci ssa.CallInstruction) *Call {
	common := ci.Common()
	if !common.IsInvoke() {
		if f := r.fieldFunc(common.Value); f != nil {
			// A call through a func-typed field only this package sets,
			// to one function: a call of that function.
			common = &ssa.CallCommon{Value: f, Args: common.Args}
		} else if p, ok := common.Value.(*ssa.Parameter); ok {
			// A call of a func-typed parameter every call of the package
			// fills with one function (go-micro's A2A dispatcher handed
			// its invoke closure from serve to send): a call of that one.
			if f := r.passedFunc(p); f != nil {
				common = &ssa.CallCommon{Value: f, Args: common.Args}
			}
		}
	}
	if target := closureTarget(common.Value); target != nil && !common.IsInvoke() {
		return &Call{Instr: ci, Fn: fn, Target: target, Args: common.Args}
	}
	callee, recv, args := SplitCall(common)
	if callee == nil {
		return nil
	}
	if concrete := devirtualize(callee, recv); concrete != nil {
		callee, recv = concrete, recv.(*ssa.MakeInterface).X
	}
	if knowledge.Inert(callee) {
		return nil
	}
	c := &Call{Instr: ci, Fn: fn, Callee: callee, Recv: recv, Args: args}
	c.Sink = r.Catalog.Lookup(callee)
	c.Cleanup = knowledge.CleanupOf(callee)
	switch {
	case c.Sink != nil, c.Cleanup != nil:
	case callee.Pkg() == r.Pass.Pkg && !isInterfaceMethod(callee):
		if r.Pkg != nil {
			c.Target = r.Pkg.Prog.FuncValue(callee.Origin())
		}
		if c.Target == nil {
			return nil
		}
	case isInterfaceMethod(callee):
		// Facts of the interface's package and implementations in this
		// one are looked up as the summaries grow; an interface that a
		// catalog type satisfies may stand for it.
		c.Sink, c.Cleanup = r.knownViaInterface(callee)
	default:
		var fact Summary
		if !r.Pass.ImportObjectFact(callee.Origin(), &fact) {
			return nil
		}
		c.Summary = &fact
	}
	return c
}

// knownViaInterface returns the catalog wait or cleanup an interface
// method stands for, when a type of the catalog satisfies the interface
// and its method of that name is the entry: an interface declared for
// *http.Client's Do (to mock it in tests) waits like Do; one that
// *http.Server satisfies shuts down like its Shutdown. Only types of
// packages this package imports (directly or not) are considered: those
// are the ones that can stand behind the interface here.
func (r *Result) knownViaInterface(m *types.Func) (*knowledge.Sink, *knowledge.Cleanup) {
	iface, ok := m.Signature().Recv().Type().Underlying().(*types.Interface)
	if !ok {
		return nil, nil
	}
	for _, km := range r.catalogMethods() {
		if km.Name != m.Name() {
			continue
		}
		pkg := r.importedPackage(km.Pkg)
		if pkg == nil {
			continue
		}
		tn, ok := pkg.Scope().Lookup(km.Type).(*types.TypeName)
		if !ok {
			continue
		}
		var t types.Type = tn.Type()
		if km.Pointer {
			t = types.NewPointer(t)
		}
		if !types.Implements(t, iface) {
			continue
		}
		if km.Sink != nil && !km.Sink.HasContext() && km.Sink.Request == knowledge.NoArg {
			// An interface whose method takes no context: not being
			// cancellable is the interface's design, and no call through
			// it can do otherwise (sarama's proxy.Dialer.Dial).
			return nil, nil
		}
		if km.Sink != nil {
			s := *km.Sink
			// The bound stays the catalog type's: the value behind the
			// interface is configured where the analysis cannot see, so
			// a client that may have a Timeout stays unknown, not
			// unbounded.
			s.Func = m.FullName()
			return &s, nil
		}
		return nil, km.Cleanup
	}
	return nil, nil
}

func (r *Result) catalogMethods() []knowledge.Method {
	if r.methods == nil {
		r.methods = r.Catalog.Methods()
	}
	return r.methods
}

// importedPackage finds a package among this package's imports, direct or
// indirect.
func (r *Result) importedPackage(path string) *types.Package {
	if r.imported == nil {
		r.imported = map[string]*types.Package{}
		var visit func(p *types.Package)
		visit = func(p *types.Package) {
			for _, imp := range p.Imports() {
				if _, ok := r.imported[imp.Path()]; !ok {
					r.imported[imp.Path()] = imp
					visit(imp)
				}
			}
		}
		visit(r.Pass.Pkg)
	}
	return r.imported[path]
}

// closureTarget returns the function literal a call calls directly, or nil.
// fieldFunc returns the function a call through a func-typed struct field
// of this package reaches when every value the package stores there is the
// same function, method value or closure (kafka-go's connPool.dial, set
// once to defaultDialer.DialContext); else nil. An exported field may also
// hold what a user stores, but the package's own value is its default
// (go-redis' Options.Dialer, set to a net.Dialer's DialContext when the
// user left it nil), and the call is judged by that default.
func (r *Result) fieldFunc(v ssa.Value) ssa.Value {
	var f *types.Var
	switch x := v.(type) {
	case *ssa.UnOp:
		if fa, ok := x.X.(*ssa.FieldAddr); ok && x.Op == token.MUL {
			f = structField(fa.X.Type(), fa.Field)
		}
	case *ssa.Field:
		f = structField(x.X.Type(), x.Field)
	}
	if f == nil || f.Pkg() != r.Pass.Pkg {
		return nil
	}
	if _, ok := f.Type().Underlying().(*types.Signature); !ok {
		return nil
	}
	r.indexStores()
	var only ssa.Value
	for _, val := range r.stores[f] {
		if p, ok := val.(*ssa.Parameter); ok {
			// A constructor or adder that stores the function it is
			// given (opa-control-plane's Pool.Add(fn)): what the
			// package's calls of it pass.
			if val = r.passedFunc(p); val == nil {
				return nil
			}
		}
		switch val.(type) {
		case *ssa.Function, *ssa.MakeClosure:
		default:
			if IsNilConst(val) {
				continue // cleared: a nil func is never called (gophercloud's throwaway client)
			}
			return nil // a parameter, a value from elsewhere
		}
		if only != nil && !sameFuncValue(only, val) {
			return nil
		}
		only = val
	}
	return only
}

// passedFunc returns the one function value that every static call of
// the package passes for parameter p of a declared function (not a
// closure), or nil: no call, different functions, something else, or a
// function the package also uses as a value (then calls through that
// value pass who knows what). A caller's own parameter passed on is
// followed to what its callers pass (serve handing invoke to send).
// Memoised per parameter; a cycle of parameters gives nil.
func (r *Result) passedFunc(p *ssa.Parameter) ssa.Value {
	if v, ok := r.passedFuncs[p]; ok {
		return v
	}
	if r.passedFuncs == nil {
		r.passedFuncs = map[*ssa.Parameter]ssa.Value{}
	}
	r.passedFuncs[p] = nil
	g := p.Parent()
	idx := slices.Index(g.Params, p)
	if g.Parent() != nil || idx < 0 {
		return nil
	}
	if r.usedAsValue(g) {
		return nil
	}
	var only ssa.Value
	for _, fn := range r.allFuncs() {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok || ci.Common().StaticCallee() != g {
					continue
				}
				args := ci.Common().Args
				if idx >= len(args) {
					return nil
				}
				val := Unconvert(args[idx]) // a literal given a named func type
				if q, ok := val.(*ssa.Parameter); ok && q != p {
					if val = r.passedFunc(q); val == nil {
						return nil
					}
				}
				if _, ok := val.(*ssa.Function); !ok {
					if _, ok := val.(*ssa.MakeClosure); !ok {
						return nil
					}
				}
				if only != nil && !sameFuncValue(only, val) {
					return nil
				}
				only = val
			}
		}
	}
	r.passedFuncs[p] = only
	return only
}

// sameFuncValue reports whether two function values are the same function
// bound to the same values.
func sameFuncValue(a, b ssa.Value) bool {
	if a == b {
		return true
	}
	ma, ok1 := a.(*ssa.MakeClosure)
	mb, ok2 := b.(*ssa.MakeClosure)
	if !ok1 || !ok2 || ma.Fn != mb.Fn || len(ma.Bindings) != len(mb.Bindings) {
		return false
	}
	for i := range ma.Bindings {
		if ma.Bindings[i] != mb.Bindings[i] {
			return false
		}
	}
	return true
}

func closureTarget(v ssa.Value) *ssa.Function {
	switch v := v.(type) {
	case *ssa.MakeClosure:
		if f, ok := v.Fn.(*ssa.Function); ok && f.Synthetic == "" && f.Parent() != nil {
			return f
		}
	case *ssa.Function:
		if v.Parent() != nil && v.Synthetic == "" {
			return v // a literal that captures nothing
		}
	}
	return nil
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

// ShortName renders a function as users write it: "http.Get",
// "(*sql.DB).QueryContext", "(*pgxpool.Pool).Query".
func ShortName(fn *types.Func) string { return knowledge.ShortName(fn) }

// ContextInScope returns an expression that denotes a caller-owned context at
// pos inside fn (a context parameter of fn or of a function enclosing it,
// r.Context() of a request parameter, or the context an interface-typed
// parameter carries, stream.Context() of a gRPC stream), or "" if there is
// none. Fixes use it;
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
	var request, carrier string
	for f := fn; f != nil; f = f.Parent() {
		for _, p := range f.Params {
			if !visible(p) {
				continue
			}
			switch expr, kind := paramContext(f, p); kind {
			case contextParam:
				return expr
			case requestParam:
				if request == "" && !r.hijacksWriterOf(f) {
					request = expr
				}
			case carrierParam:
				if carrier == "" {
					carrier = expr
				}
			}
		}
	}
	if request != "" {
		return request
	}
	return carrier
}

// hijacksWriterOf reports whether fn hijacks an http.ResponseWriter
// parameter of its own (gorilla's Upgrade(w, r, nil)): its request's context
// then no longer ends when the client goes away.
func (r *Result) hijacksWriterOf(fn *ssa.Function) bool {
	for _, p := range fn.Params {
		if knowledge.TypeRole(p.Type()) == knowledge.HTTPResponseWriterType && r.hijacks(fn, p) {
			return true
		}
	}
	return false
}

// DiscardsContext reports whether fn, or a function enclosing it, receives
// a context in a parameter it leaves unnamed or names _ (an interface
// method's implementation: `func (s *store) List(_ context.Context, …)`):
// the caller's context is there, and the function throws it away.
func DiscardsContext(fn *ssa.Function) bool {
	for f := fn; f != nil; f = f.Parent() {
		for _, p := range f.Params {
			if knowledge.IsContext(p.Type()) && (p.Object() == nil || p.Name() == "_" || p.Name() == "") {
				return true
			}
		}
	}
	return false
}

// The ways a parameter brings its function a caller's context, in the
// order ContextInScope prefers them.
const (
	noContext = iota
	contextParam
	requestParam
	carrierParam
)

// paramContext says how parameter p of fn brings it a caller's context, and
// the expression that denotes that context: a context (or a struct
// embedding one), a request (r.Context()), or an interface whose
// implementation hands over the context of the call it stands for (a gRPC
// stream's Context()). A concrete type with such a method may be an object
// with a lifetime of its own (cobra's Command, tls.ClientHelloInfo), not a
// call; a receiver's context is its own.
func paramContext(fn *ssa.Function, p *ssa.Parameter) (string, int) {
	t := p.Type()
	switch {
	case knowledge.IsContext(t) || knowledge.EmbedsContext(t):
		return p.Name(), contextParam
	case knowledge.TypeRole(t) == knowledge.HTTPRequestType || knowledge.EmbedsRequest(t):
		return p.Name() + ".Context()", requestParam
	case !isReceiver(fn, p) && knowledge.RequestAccessor(t) != "":
		return p.Name() + knowledge.RequestAccessor(t) + ".Context()", requestParam
	case types.IsInterface(t) && !isReceiver(fn, p):
		if m := ContextMethod(t); m != "" {
			return p.Name() + "." + m + "()", carrierParam
		}
	case !isReceiver(fn, p):
		if f := contextField(t); f != "" {
			return p.Name() + "." + f, carrierParam
		}
	}
	return "", noContext
}

// contextField returns the name of the exported context.Context field of
// the struct t points to (a command request's Context: kubo's
// cmds.Request), or "": the caller filled it in for this call. Only
// through a pointer, and never a receiver's (an object's own lifetime).
func contextField(t types.Type) string {
	ptr, ok := types.Unalias(t).(*types.Pointer)
	if !ok {
		return ""
	}
	st, ok := ptr.Elem().Underlying().(*types.Struct)
	if !ok {
		return ""
	}
	for f := range st.Fields() {
		if f.Exported() && !f.Embedded() && knowledge.IsContext(f.Type()) {
			return f.Name()
		}
	}
	return ""
}

func isReceiver(fn *ssa.Function, p *ssa.Parameter) bool {
	return fn.Signature.Recv() != nil && len(fn.Params) > 0 && fn.Params[0] == p
}

// ContextMethod returns the name of a method of t (or *t) that takes
// nothing and returns a context — a carrier of its caller's context, such
// as a gRPC stream's Context() — or "".
func ContextMethod(t types.Type) string {
	if !types.IsInterface(t) {
		if _, isPtr := t.Underlying().(*types.Pointer); !isPtr {
			t = types.NewPointer(t)
		}
	}
	ms := types.NewMethodSet(t)
	for i := range ms.Len() {
		sig, ok := ms.At(i).Obj().Type().(*types.Signature)
		if ok && ms.At(i).Obj().Exported() && sig.Params().Len() == 0 && sig.Results().Len() == 1 && knowledge.IsContext(sig.Results().At(0).Type()) {
			return ms.At(i).Obj().Name()
		}
	}
	return ""
}

func isHTTPRequestPtr(t types.Type) bool {
	_, ok := t.(*types.Pointer)
	return ok && knowledge.TypeRole(t) == knowledge.HTTPRequestType
}

// sortedParams is a deterministic order for fact entries.
func sortedParams(ps []ParamReach) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Param < ps[j].Param })
}
