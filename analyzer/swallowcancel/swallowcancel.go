package swallowcancel

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

//go:embed doc.go
var doc string

// Config is swallowcancel's configuration. The zero value is the default.
type Config struct {
	// WrapAll counts errors from any call given a context as possible
	// cancellations (-swallowcancel.wrap-all). Off by default: codebases
	// that format errors with %v by style would drown in it.
	WrapAll bool
}

// Analyzer is swallowcancel with the default configuration on the shared core.
var Analyzer = New(ctxflow.Analyzer, new(Config))

// New returns swallowcancel on the given core. Its flags write into cfg,
// which each run reads: build one analyzer per configuration.
func New(core *analysis.Analyzer, cfg *Config) *analysis.Analyzer {
	a := &analysis.Analyzer{
		Name:     "swallowcancel",
		Doc:      lintutil.ExtractDoc(doc, "swallowcancel"),
		URL:      lintutil.URL("swallowcancel"),
		Requires: []*analysis.Analyzer{inspect.Analyzer, core},
	}
	a.Run = lintutil.Run(a.Name, func(pass *analysis.Pass) (any, error) {
		return run(pass, pass.ResultOf[core].(*ctxflow.Result), cfg)
	})
	a.Flags.BoolVar(&cfg.WrapAll, "wrap-all", cfg.WrapAll, "count errors from any call given a context as possible cancellations, not only ctx.Err(), context.Cause, network or database calls and functions that reach them")
	return a
}

// fn is what the checks need to know about the function around a statement.
type fn struct {
	name    string      // "" for function literals
	obj     *types.Func // the declared function, nil for literals
	typ     *ast.FuncType
	body    *ast.BlockStmt
	outer   *fn
	errLast bool // the last result is an error
	owns    bool // derives its own cancellable context (or an enclosing function does)
	serves  bool // has an http.ResponseWriter (or an enclosing function does)
	started bool // a function literal started with a go statement, or a callback without results
	lit     bool // a function literal
	isGo    bool // started with a go statement (not a callback)
	params  map[types.Object]bool
}

func run(pass *analysis.Pass, res *ctxflow.Result, cfg *Config) (any, error) {
	if pass.Pkg.Name() == "main" {
		return nil, nil // a command that ends on Ctrl-C owns its cancellation
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{pass: pass, res: res, cfg: cfg, funcs: map[ast.Node]*fn{}, cancels: res.Cancellations(), background: map[*fn]bool{}}
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		n := cur.Node()
		if res.InGeneratedFile(n.Pos()) || res.InTestFile(n.Pos()) {
			continue
		}
		var f *fn
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Body == nil {
				continue
			}
			f = c.newFn(n.Type, n.Body, nil)
			f.name = n.Name.Name
			f.obj, _ = c.pass.TypesInfo.Defs[n.Name].(*types.Func)
		case *ast.FuncLit:
			var outer *fn
			for p := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
				if p.Node() != n {
					outer = c.funcs[p.Node()]
					break
				}
			}
			f = c.newFn(n.Type, n.Body, outer)
			f.lit = true
			if call, ok := cur.Parent().Node().(*ast.CallExpr); ok {
				if call.Fun == n {
					_, f.started = cur.Parent().Parent().Node().(*ast.GoStmt)
					f.isGo = f.started
				} else if n.Type.Results == nil || len(n.Type.Results.List) == 0 {
					f.started = true // a callback: what it does not store is lost
				}
			}
		}
		c.funcs[n] = f
		if f.owns || f.serves || f.shutdown() {
			continue
		}
		if f.errLast {
			c.checkBody(f)
		}
		if f.started {
			c.checkDropped(f)
		}
	}
	return nil, nil
}

type checker struct {
	pass *analysis.Pass
	res  *ctxflow.Result
	cfg  *Config
	// background memoises runsInBackground, which scans every file.
	background map[*fn]bool
	funcs      map[ast.Node]*fn
	cancels    *ctxflow.Cancellations
}

func (c *checker) newFn(typ *ast.FuncType, body *ast.BlockStmt, outer *fn) *fn {
	f := &fn{typ: typ, body: body, outer: outer, params: map[types.Object]bool{}}
	if typ.Results != nil && len(typ.Results.List) > 0 {
		last := typ.Results.List[len(typ.Results.List)-1]
		f.errLast = isError(c.pass.TypesInfo.TypeOf(last.Type))
	}
	f.serves = outer != nil && outer.serves
	if typ.Params != nil {
		for _, field := range typ.Params.List {
			if isResponseWriter(c.pass.TypesInfo.TypeOf(field.Type)) {
				f.serves = true
			}
			for _, name := range field.Names {
				if obj := c.pass.TypesInfo.Defs[name]; obj != nil && knowledge.IsContext(obj.Type()) {
					f.params[obj] = true
				}
			}
		}
	}
	f.owns = (outer != nil && outer.owns) || ctxflow.OwnsCancellation(c.pass.TypesInfo, body)
	return f
}

// inherited reports whether the context expression is a parameter of f or of
// a function enclosing it.
func (f *fn) inherited(obj types.Object) bool {
	for ; f != nil; f = f.outer {
		if f.params[obj] {
			return true
		}
	}
	return false
}

// checkBody walks f's own statements (not nested function literals).
func (c *checker) checkBody(f *fn) {
	var stack []ast.Node
	ast.Inspect(f.body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if _, lit := n.(*ast.FuncLit); lit {
			return false
		}
		switch n := n.(type) {
		case *ast.IfStmt:
			if errExpr, sentinel, ok := c.cancelTest(n.Cond); ok {
				c.checkAbsorbed(f, n.Body.List, errExpr, sentinel, stack)
			} else if ctxObj, cause := c.ctxErrTest(n.Cond); ctxObj != nil && f.inherited(ctxObj) && !inServiceLoop(stack) && !f.service() {
				c.checkDone(f, n.Body.List, ctxObj, cause)
			} else if errObj := c.errNotNil(n.Cond); errObj != nil {
				c.checkReplaced(f, n, errObj)
				c.checkCtxErrNil(f, n, errObj, stack)
			}
		case *ast.SwitchStmt:
			c.checkSwitch(f, n, stack)
		case *ast.CommClause:
			if ctxObj := c.doneRecv(n.Comm); ctxObj != nil && f.inherited(ctxObj) && !inServiceLoop(stack) && !f.service() {
				c.checkDone(f, n.Body, ctxObj, false)
			}
		case *ast.BlockStmt:
			c.checkWaitThenNil(f, n.List, stack)
		case *ast.CaseClause:
			c.checkWaitThenNil(f, n.Body, stack)
		case *ast.ForStmt:
			c.checkRetry(f, n, stack)
		case *ast.CallExpr:
			var parent ast.Node
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			c.checkErrorf(f, n, parent)
		}
		stack = append(stack, n)
		return true
	})
}

// checkWaitThenNil reports `<-ctx.Done()` as a statement followed by
// `return nil`, in a declared function (not a literal handed to a runner)
// not named like a service, for a context it received: it waited for the
// cancellation and then reported success.
func (c *checker) checkWaitThenNil(f *fn, list []ast.Stmt, stack []ast.Node) {
	if f.lit || f.service() || inServiceLoop(stack) || c.runsInBackground(f) {
		return
	}
	for i, st := range list {
		es, ok := st.(*ast.ExprStmt)
		if !ok {
			continue
		}
		if ctxObj := c.doneRecv(es); ctxObj != nil && f.inherited(ctxObj) {
			c.checkDone(f, list[i+1:], ctxObj, false)
		}
	}
}

// runsInBackground reports whether f looks like a "run until cancelled"
// body: it starts goroutines itself, or the package uses it other than by
// calling it (go f(ctx), g.Go(s.loop), a method value stored for a runner).
// Returning nil once the context is done is then its clean stop.
func (c *checker) runsInBackground(f *fn) bool {
	if v, ok := c.background[f]; ok {
		return v
	}
	v := c.runsInBackgroundUncached(f)
	c.background[f] = v
	return v
}

func (c *checker) runsInBackgroundUncached(f *fn) bool {
	starts := false
	ast.Inspect(f.body, func(n ast.Node) bool {
		if _, ok := n.(*ast.GoStmt); ok {
			starts = true
		}
		_, lit := n.(*ast.FuncLit)
		return !starts && !lit
	})
	if starts || f.obj == nil {
		return starts
	}
	for _, file := range c.pass.Files {
		background := false
		ast.Inspect(file, func(n ast.Node) bool {
			if background {
				return false
			}
			switch n := n.(type) {
			case *ast.GoStmt:
				if c.callsObj(n.Call, f.obj) {
					background = true
				}
			case *ast.CallExpr:
				if c.callsObj(n, f.obj) {
					// a direct call: look at its arguments only
					for _, a := range n.Args {
						ast.Inspect(a, func(m ast.Node) bool {
							if id, ok := m.(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] == f.obj {
								background = true
							}
							return !background
						})
					}
					return false
				}
			case *ast.Ident:
				if c.pass.TypesInfo.Uses[n] == f.obj {
					background = true // used as a value
				}
			}
			return true
		})
		if background {
			return true
		}
	}
	return false
}

// callsObj reports whether call calls obj directly (f(…), x.f(…)).
func (c *checker) callsObj(call *ast.CallExpr, obj types.Object) bool {
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		return c.pass.TypesInfo.Uses[fun] == obj
	case *ast.SelectorExpr:
		return c.pass.TypesInfo.Uses[fun.Sel] == obj
	case *ast.IndexExpr: // generic instantiation f[T](…)
		if id, ok := ast.Unparen(fun.X).(*ast.Ident); ok {
			return c.pass.TypesInfo.Uses[id] == obj
		}
	}
	return false
}

// checkCtxErrNil reports `if err != nil { return nil }` when err was last
// assigned from ctx.Err() or context.Cause(ctx) of a received context.
func (c *checker) checkCtxErrNil(f *fn, ifs *ast.IfStmt, errObj types.Object, stack []ast.Node) {
	if inServiceLoop(stack) || f.service() {
		return
	}
	call := c.lastAssignment(f, errObj, ifs.Cond.Pos())
	if call == nil || c.ctxCheckedBetween(f, call.End(), ifs.Cond.Pos()) {
		return
	}
	ctxObj, cause := c.ctxOfErrCall(call)
	if ctxObj == nil || !f.inherited(ctxObj) {
		return
	}
	for _, st := range ifs.Body.List {
		switch st := st.(type) {
		case *ast.ReturnStmt:
			if nilErr := c.nilError(f, st); nilErr != nil {
				what := ctxObj.Name() + ".Err()"
				if cause {
					what = "context.Cause(" + ctxObj.Name() + ")"
				}
				c.report(nilErr, fmt.Sprintf("returning nil when %s is done (%s = %s) tells the caller the work finished when it was abandoned: return %s", ctxObj.Name(), errObj.Name(), what, errObj.Name()),
					c.replaceFix(nilErr, errObj.Name(), errObj))
			}
			return
		case *ast.ExprStmt, *ast.AssignStmt, *ast.DeclStmt, *ast.IncDecStmt, *ast.DeferStmt, *ast.GoStmt:
			continue
		default:
			return
		}
	}
}

func (c *checker) checkSwitch(f *fn, sw *ast.SwitchStmt, stack []ast.Node) {
	for _, clause := range sw.Body.List {
		cc := clause.(*ast.CaseClause)
		for _, e := range cc.List {
			var errExpr ast.Expr
			var sentinel string
			var ok bool
			if sw.Tag == nil {
				errExpr, sentinel, ok = c.cancelTest(e)
			} else if s := c.sentinel(e); s != "" {
				errExpr, sentinel, ok = sw.Tag, s, true
			}
			if !ok {
				continue
			}
			if len(cc.List) > 1 {
				ok = allCancel(c, cc.List, sw.Tag == nil)
			}
			if ok {
				c.checkAbsorbed(f, cc.Body, errExpr, sentinel, append(stack, sw))
			}
			break
		}
	}
}

func allCancel(c *checker, list []ast.Expr, tagless bool) bool {
	for _, e := range list {
		if tagless {
			if _, _, ok := c.cancelTest(e); !ok {
				return false
			}
		} else if c.sentinel(e) == "" {
			return false
		}
	}
	return true
}

// checkAbsorbed looks at what a branch taken on a cancellation does first:
// return nil, continue, or break out to a return nil. The deadline of a
// Shutdown, Close or Stop call is a shutdown path's to absorb.
func (c *checker) checkAbsorbed(f *fn, body []ast.Stmt, errExpr ast.Expr, sentinel string, stack []ast.Node) {
	if len(body) == 0 || c.fromShutdown(f, errExpr, body[0].Pos()) {
		return
	}
	for _, st := range body {
		switch st := st.(type) {
		case *ast.ReturnStmt:
			if nilErr := c.nilError(f, st); nilErr != nil {
				var fix *analysis.SuggestedFix
				if id, ok := ast.Unparen(errExpr).(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] != nil {
					fix = c.replaceFix(nilErr, id.Name, c.pass.TypesInfo.Uses[id])
				}
				c.report(nilErr, fmt.Sprintf("returning nil when %s is %s tells the caller the work succeeded when it was abandoned: return %s so the cancellation propagates", types.ExprString(errExpr), sentinel, types.ExprString(errExpr)), fix)
			} else if len(st.Results) > 0 {
				c.checkReplacement(st.Results[len(st.Results)-1], errExpr, sentinel)
			}
			return
		case *ast.BranchStmt:
			switch st.Tok {
			case token.CONTINUE:
				c.report(st, fmt.Sprintf("continuing after %s is %s retries work the caller gave up on, past its deadline: return %s instead", types.ExprString(errExpr), sentinel, types.ExprString(errExpr)),
					c.continueFix(f, st, errExpr))
			case token.BREAK:
				if st.Label == nil && c.breakThenNil(f, stack) {
					c.report(st, fmt.Sprintf("breaking out of the loop when %s is %s ends in return nil: the caller is told the work succeeded; return %s instead", types.ExprString(errExpr), sentinel, types.ExprString(errExpr)), nil)
				}
			}
			return
		case *ast.ExprStmt, *ast.AssignStmt, *ast.DeclStmt, *ast.IncDecStmt, *ast.SendStmt, *ast.DeferStmt, *ast.GoStmt:
			continue // cleanup, logging: look further
		default:
			return
		}
	}
}

// checkDone looks at what a branch taken because a received context is done
// does first. The fix returns context.Cause(ctx) when the condition asked for
// the cause or the function reads it elsewhere (a cause is set upstream),
// ctx.Err() otherwise.
func (c *checker) checkDone(f *fn, body []ast.Stmt, ctxObj types.Object, cause bool) {
	for _, st := range body {
		switch st := st.(type) {
		case *ast.ReturnStmt:
			if nilErr := c.nilError(f, st); nilErr != nil {
				name := ctxObj.Name()
				text := name + ".Err()"
				if ctxName := c.contextPkgName(nilErr); ctxName != "" && (cause || c.readsCause(f, ctxObj)) {
					text = ctxName + ".Cause(" + name + ")"
				}
				fix := c.replaceFix(nilErr, text, ctxObj)
				c.report(nilErr, fmt.Sprintf("returning nil when %s is done tells the caller the work finished when it was abandoned: return %s", name, text), fix)
			}
			return
		case *ast.ExprStmt, *ast.AssignStmt, *ast.DeclStmt, *ast.IncDecStmt, *ast.DeferStmt, *ast.GoStmt:
			continue
		default:
			return
		}
	}
}

// nilError returns the literal nil a return statement gives as the error
// result, or nil.
func (c *checker) nilError(f *fn, ret *ast.ReturnStmt) ast.Expr {
	if len(ret.Results) == 0 {
		return nil // naked return: named results, not judged
	}
	last := ret.Results[len(ret.Results)-1]
	if id, ok := ast.Unparen(last).(*ast.Ident); ok && id.Name == "nil" && c.pass.TypesInfo.Uses[id] == types.Universe.Lookup("nil") {
		return last
	}
	return nil
}

// cancelTest recognizes a condition that holds only when an error is a
// cancellation: errors.Is(err, context.Canceled), err == context.Canceled,
// their disjunctions, or a conjunction with one of them. A disjunction that
// also accepts another error (io.EOF, http.ErrServerClosed) is a shutdown
// idiom, not a cancellation test.
func (c *checker) cancelTest(e ast.Expr) (errExpr ast.Expr, sentinel string, ok bool) {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		if fn, _ := typeutil.Callee(c.pass.TypesInfo, e).(*types.Func); fn != nil && fn.FullName() == "errors.Is" && len(e.Args) == 2 {
			if s := c.sentinel(e.Args[1]); s != "" {
				return e.Args[0], s, true
			}
		}
	case *ast.BinaryExpr:
		switch e.Op {
		case token.EQL:
			if s := c.sentinel(e.Y); s != "" {
				return e.X, s, true
			}
			if s := c.sentinel(e.X); s != "" {
				return e.Y, s, true
			}
		case token.LOR:
			x, sx, okx := c.cancelTest(e.X)
			_, sy, oky := c.cancelTest(e.Y)
			if okx && oky {
				if sx != sy {
					sx = "a context cancellation"
				}
				return x, sx, true
			}
		case token.LAND:
			if x, s, ok := c.cancelTest(e.X); ok {
				return x, s, true
			}
			if y, s, ok := c.cancelTest(e.Y); ok {
				return y, s, true
			}
		}
	}
	return nil, "", false
}

// sentinel names context.Canceled or context.DeadlineExceeded, or "".
func (c *checker) sentinel(e ast.Expr) string {
	var id *ast.Ident
	switch e := ast.Unparen(e).(type) {
	case *ast.SelectorExpr:
		id = e.Sel
	case *ast.Ident:
		id = e
	default:
		return ""
	}
	obj, ok := c.pass.TypesInfo.Uses[id].(*types.Var)
	if !ok || obj.Pkg() == nil || obj.Pkg().Path() != "context" {
		return ""
	}
	switch obj.Name() {
	case "Canceled", "DeadlineExceeded":
		return "context." + obj.Name()
	}
	return ""
}

// ctxErrTest recognizes `ctx.Err() != nil` and `context.Cause(ctx) != nil`
// and returns ctx's object (and whether the cause was asked for).
func (c *checker) ctxErrTest(e ast.Expr) (types.Object, bool) {
	bin, ok := ast.Unparen(e).(*ast.BinaryExpr)
	if !ok || bin.Op != token.NEQ {
		return nil, false
	}
	call, ok := ast.Unparen(bin.X).(*ast.CallExpr)
	if !ok || !isNilIdent(bin.Y) {
		return nil, false
	}
	return c.ctxOfErrCall(call)
}

// ctxOfErrCall recognizes ctx.Err() and context.Cause(ctx) on a named
// context and returns ctx's object (and whether it is the Cause form).
func (c *checker) ctxOfErrCall(call *ast.CallExpr) (types.Object, bool) {
	if obj := c.ctxMethodReceiver(call, "Err"); obj != nil {
		return obj, false
	}
	if fn, _ := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func); fn != nil && fn.FullName() == "context.Cause" && len(call.Args) == 1 {
		if id, ok := ast.Unparen(call.Args[0]).(*ast.Ident); ok {
			if obj := c.pass.TypesInfo.Uses[id]; obj != nil && knowledge.IsContext(obj.Type()) {
				return obj, true
			}
		}
	}
	return nil, false
}

// readsCause reports whether f (or a function around it) calls
// context.Cause(ctx) for this context: a cause is set upstream and matters.
func (c *checker) readsCause(f *fn, ctxObj types.Object) bool {
	found := false
	for g := f; g != nil && !found; g = g.outer {
		ast.Inspect(g.body, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok && !found {
				if obj, cause := c.ctxOfErrCall(call); cause && obj == ctxObj {
					found = true
				}
			}
			return !found
		})
	}
	return found
}

// contextPkgName returns the name under which the file around pos imports
// "context", or "".
func (c *checker) contextPkgName(n ast.Node) string {
	file, _, _ := fixutil.Enclosing(c.pass, n)
	if file == nil {
		return ""
	}
	return fixutil.ImportName(file, "context")
}

// doneRecv recognizes `case <-ctx.Done():` and returns ctx's object.
func (c *checker) doneRecv(comm ast.Stmt) types.Object {
	var x ast.Expr
	switch s := comm.(type) {
	case *ast.ExprStmt:
		x = s.X
	case *ast.AssignStmt:
		if len(s.Rhs) == 1 {
			x = s.Rhs[0]
		}
	}
	recv, ok := ast.Unparen(x).(*ast.UnaryExpr)
	if !ok || recv.Op != token.ARROW {
		return nil
	}
	call, ok := ast.Unparen(recv.X).(*ast.CallExpr)
	if !ok {
		return nil
	}
	return c.ctxMethodReceiver(call, "Done")
}

func (c *checker) ctxMethodReceiver(call *ast.CallExpr, method string) types.Object {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != method || len(call.Args) != 0 {
		return nil
	}
	id, ok := ast.Unparen(sel.X).(*ast.Ident)
	if !ok {
		return nil
	}
	obj := c.pass.TypesInfo.Uses[id]
	if obj == nil || !knowledge.IsContext(obj.Type()) {
		return nil
	}
	return obj
}

func isNilIdent(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && id.Name == "nil"
}

// servicePrefixes name functions that run until told to stop: returning nil
// when their context is done is how they report a clean stop.
// (Not Wait or Poll: WaitForReady returning nil when cancelled is a lie.)
var servicePrefixes = []string{"Run", "Serve", "Listen", "Watch", "Forward", "Loop", "Start", "run", "serve", "listen", "watch", "forward", "loop", "start"}

// service reports whether f (or the named function around a literal) is
// named like a long-running service.
func (f *fn) service() bool {
	for ; f != nil; f = f.outer {
		for _, p := range servicePrefixes {
			if strings.HasPrefix(f.name, p) {
				return true
			}
		}
	}
	return false
}

// shutdownPrefixes name functions on a shutdown path: giving up on a
// graceful stop when the context is done, or absorbing the deadline of a
// Shutdown call, is their job.
var shutdownPrefixes = []string{"Shutdown", "Close", "Stop", "shutdown", "close", "stop"}

// fromShutdown reports whether the error expression is a variable last
// assigned from a Shutdown, Close or Stop call.
func (c *checker) fromShutdown(f *fn, errExpr ast.Expr, pos token.Pos) bool {
	id, ok := ast.Unparen(errExpr).(*ast.Ident)
	if !ok || c.pass.TypesInfo.Uses[id] == nil {
		return false
	}
	call := c.lastAssignment(f, c.pass.TypesInfo.Uses[id], pos)
	if call == nil {
		return false
	}
	callee, _ := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	return callee != nil && isShutdownName(callee.Name())
}

func isShutdownName(name string) bool {
	for _, p := range shutdownPrefixes[:3] {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// shutdown reports whether f (or the named function around a literal) is
// named like a shutdown path.
func (f *fn) shutdown() bool {
	for ; f != nil; f = f.outer {
		for _, p := range shutdownPrefixes {
			if strings.HasPrefix(f.name, p) {
				return true
			}
		}
	}
	return false
}

// inServiceLoop reports whether the innermost loop around the statement is
// an endless `for {}`: a service told to stop returns nil by design.
func inServiceLoop(stack []ast.Node) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch s := stack[i].(type) {
		case *ast.ForStmt:
			return s.Cond == nil
		case *ast.RangeStmt:
			return false
		}
	}
	return false
}

// breakThenNil reports whether the loop a break leaves is directly followed
// by `return …, nil` in its block.
func (c *checker) breakThenNil(f *fn, stack []ast.Node) bool {
	for i := len(stack) - 1; i >= 1; i-- {
		switch stack[i].(type) {
		case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			return false // the break leaves the switch or select, not the loop
		case *ast.ForStmt, *ast.RangeStmt:
			block, ok := stack[i-1].(*ast.BlockStmt)
			if !ok {
				return false
			}
			for k, st := range block.List {
				if st == stack[i] && k+1 < len(block.List) {
					ret, ok := block.List[k+1].(*ast.ReturnStmt)
					return ok && c.nilError(f, ret) != nil
				}
			}
			return false
		}
	}
	return false
}

// errNotNil recognizes `err != nil` and returns err's object.
func (c *checker) errNotNil(cond ast.Expr) types.Object {
	bin, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok || bin.Op != token.NEQ || !isNilIdent(bin.Y) {
		return nil
	}
	id, ok := ast.Unparen(bin.X).(*ast.Ident)
	if !ok {
		return nil
	}
	obj := c.pass.TypesInfo.Uses[id]
	if obj == nil || !isError(obj.Type()) {
		return nil
	}
	return obj
}

// checkReplaced reports `if err != nil { return errors.New(…) }` (or an
// Errorf that does not mention err, or a custom error that cannot wrap) when
// err may be a cancellation.
func (c *checker) checkReplaced(f *fn, ifs *ast.IfStmt, errObj types.Object) {
	for _, st := range ifs.Body.List {
		ret, ok := st.(*ast.ReturnStmt)
		if !ok {
			continue
		}
		if len(ret.Results) == 0 {
			return
		}
		res := ret.Results[len(ret.Results)-1]
		what, opaque := c.replacement(res, errObj)
		if what == "" {
			return
		}
		if src := c.cancellationSource(f, errObj, ifs.Cond.Pos()); src != "" {
			c.report(res, fmt.Sprintf("%s replaces %s, which may be a context cancellation (from %s), %s", what, errObj.Name(), src, remedy(opaque, errObj.Name())), nil)
		}
		return
	}
}

// checkReplacement reports a branch taken on a certain cancellation that
// returns a new error in its place.
func (c *checker) checkReplacement(res ast.Expr, errExpr ast.Expr, sentinel string) {
	id, ok := ast.Unparen(errExpr).(*ast.Ident)
	if !ok {
		return
	}
	obj := c.pass.TypesInfo.Uses[id]
	if obj == nil {
		return
	}
	if what, opaque := c.replacement(res, obj); what != "" {
		c.report(res, fmt.Sprintf("%s replaces %s, which is %s, %s", what, id.Name, sentinel, remedy(opaque, id.Name)), nil)
	}
}

// remedy ends a replacement message: what is lost and what to do.
func remedy(opaque *types.Named, name string) string {
	if opaque != nil {
		return fmt.Sprintf("with an error errors.Is cannot see through (no Unwrap method): errors.Is(err, context.Canceled) is false upstream; keep %s in it and give %s an Unwrap method", name, opaque.Obj().Name())
	}
	return fmt.Sprintf("with an error that does not wrap it: errors.Is(err, context.Canceled) is false upstream; wrap it with fmt.Errorf(\"…: %%w\", %s)", name)
}

// replacement describes a returned error expression that stands in for
// errObj without wrapping it, or returns "": errors.New(…) (even of
// err.Error()), fmt.Errorf without err (with err, the %v check speaks), or a
// composite literal of an error type with no Unwrap, Is or As method (then
// the type is returned too).
func (c *checker) replacement(res ast.Expr, errObj types.Object) (string, *types.Named) {
	switch e := ast.Unparen(res).(type) {
	case *ast.CallExpr:
		callee, _ := typeutil.Callee(c.pass.TypesInfo, e).(*types.Func)
		if callee == nil {
			return "", nil
		}
		switch callee.FullName() {
		case "errors.New":
			return "errors.New", nil
		case "fmt.Errorf":
			if !c.mentions(e, errObj) {
				return "fmt.Errorf", nil
			}
		}
	case *ast.UnaryExpr:
		if e.Op == token.AND {
			if _, ok := ast.Unparen(e.X).(*ast.CompositeLit); ok {
				return c.opaqueError(c.pass.TypesInfo.TypeOf(e))
			}
		}
	case *ast.CompositeLit:
		return c.opaqueError(c.pass.TypesInfo.TypeOf(e))
	}
	return "", nil
}

// opaqueError describes the type of a composite literal that is an error
// and has no Unwrap, Is or As method (errors.Is cannot see through it), or
// returns "".
func (c *checker) opaqueError(t types.Type) (string, *types.Named) {
	if t == nil || !types.Implements(t, errorIface()) {
		return "", nil
	}
	named, _ := types.Unalias(t).(*types.Named)
	if ptr, ok := types.Unalias(t).(*types.Pointer); ok {
		named, _ = types.Unalias(ptr.Elem()).(*types.Named)
	}
	if named == nil {
		return "", nil
	}
	for _, m := range []string{"Unwrap", "Is", "As"} {
		if obj, _, _ := types.LookupFieldOrMethod(t, true, nil, m); obj != nil {
			return "", nil
		}
	}
	return "a " + types.TypeString(t, func(p *types.Package) string { return p.Name() }) + " literal", named
}

func errorIface() *types.Interface {
	return types.Universe.Lookup("error").Type().Underlying().(*types.Interface)
}

func (c *checker) mentions(n ast.Node, obj types.Object) bool {
	found := false
	ast.Inspect(n, func(x ast.Node) bool {
		if id, ok := x.(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] == obj {
			found = true
		}
		return !found
	})
	return found
}

// checkDropped reports a goroutine that sends or stores some errors for its
// starter but drops one that may be a cancellation with `_ =`: that error was
// its only way back.
func (c *checker) checkDropped(f *fn) {
	reports := false
	ast.Inspect(f.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.SendStmt:
			if t := c.pass.TypesInfo.TypeOf(n.Value); t != nil && isError(t) {
				reports = true
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if id, ok := lhs.(*ast.Ident); ok && id.Name == "_" {
					continue
				}
				if t := c.pass.TypesInfo.TypeOf(lhs); t != nil && isError(t) && i < len(n.Rhs) {
					if obj := rootObj(c.pass, lhs); obj != nil && !f.declares(obj) {
						reports = true // stored where the starter can see it
					}
				}
			}
		}
		return true
	})
	if !reports {
		return
	}
	who := "the goroutine"
	if !f.isGo {
		who = "the callback"
	}
	ast.Inspect(f.body, func(n ast.Node) bool {
		var call *ast.CallExpr
		var at ast.Node
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt, *ast.GoStmt:
			return false // deferred cleanup and further goroutines are not this path
		case *ast.AssignStmt:
			if len(n.Rhs) != 1 {
				return true
			}
			id, ok := n.Lhs[len(n.Lhs)-1].(*ast.Ident)
			if !ok || id.Name != "_" {
				return true
			}
			call, _ = ast.Unparen(n.Rhs[0]).(*ast.CallExpr)
			if call == nil || !c.lastResultIsError(call, len(n.Lhs)) {
				return true
			}
			at = id
		case *ast.ExprStmt:
			call, _ = ast.Unparen(n.X).(*ast.CallExpr)
			if call == nil || !c.lastResultIsError(call, -1) {
				return true
			}
			at = call
		default:
			return true
		}
		if src := c.callCancellation(call); src != "" {
			c.report(at, fmt.Sprintf("%s drops an error that may be a context cancellation (from %s) although it reports its other errors: the starter never learns the work was abandoned; report this one too", who, src), nil)
		}
		return true
	})
}

// lastResultIsError reports whether call's last result is an error; n is
// the number of results the statement takes (-1: any).
func (c *checker) lastResultIsError(call *ast.CallExpr, n int) bool {
	switch t := c.pass.TypesInfo.TypeOf(call).(type) {
	case *types.Tuple:
		return t.Len() > 0 && (n < 0 || t.Len() == n) && isError(t.At(t.Len()-1).Type())
	case nil:
		return false
	default:
		return (n < 0 || n == 1) && isError(t)
	}
}

// rootObj returns the variable an assignment target writes to (x, x.f, x[i]).
func rootObj(pass *analysis.Pass, e ast.Expr) types.Object {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			return pass.TypesInfo.Uses[x]
		case *ast.SelectorExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		default:
			return nil
		}
	}
}

// declares reports whether obj is declared inside f's body.
func (f *fn) declares(obj types.Object) bool {
	return obj.Pos() >= f.body.Pos() && obj.Pos() < f.body.End()
}

// checkErrorf reports fmt.Errorf formatting a maybe-cancellation error with
// %v or %s (err or err.Error()) when the result is the error the function
// passes on: returned, sent, stored, collected. An Errorf handed to another
// call (a logger) while the original is returned is logging, not replacing.
func (c *checker) checkErrorf(f *fn, call *ast.CallExpr, parent ast.Node) {
	callee, _ := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	if callee == nil || callee.FullName() != "fmt.Errorf" || len(call.Args) < 2 || call.Ellipsis.IsValid() {
		return
	}
	if outer, ok := parent.(*ast.CallExpr); ok && !c.collects(outer) {
		return
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return
	}
	verbs := scanVerbs(lit.Value)
	if verbs == nil {
		return
	}
	for i, v := range verbs {
		if i+1 >= len(call.Args) || (v.verb != 'v' && v.verb != 's') {
			continue
		}
		arg := call.Args[i+1]
		id, viaError := c.errorOperand(arg)
		if id == nil {
			continue
		}
		obj := c.pass.TypesInfo.Uses[id]
		src := c.cancellationSource(f, obj, call.Pos())
		if src == "" {
			continue
		}
		var fix *analysis.SuggestedFix
		if c.res.Editable(lit.Pos()) {
			pos := lit.Pos() + token.Pos(v.offset)
			fix = &analysis.SuggestedFix{
				Message:   "Wrap the error with %w",
				TextEdits: []analysis.TextEdit{{Pos: pos, End: pos + token.Pos(v.width), NewText: []byte("%w")}},
			}
			if viaError {
				fix.TextEdits = append(fix.TextEdits, analysis.TextEdit{Pos: arg.Pos(), End: arg.End(), NewText: []byte(id.Name)})
			}
		}
		c.report(arg, fmt.Sprintf("%%%c formats %s, which may be a context cancellation (from %s), without wrapping it: errors.Is(err, context.Canceled) is false upstream; use %%w", v.verb, types.ExprString(arg), src), fix)
	}
}

// errorOperand recognizes err or err.Error() for a variable err of type
// error, and returns err's identifier (and whether .Error() was called).
func (c *checker) errorOperand(arg ast.Expr) (*ast.Ident, bool) {
	viaError := false
	if call, ok := ast.Unparen(arg).(*ast.CallExpr); ok && len(call.Args) == 0 {
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Error" {
			return nil, false
		}
		arg, viaError = sel.X, true
	}
	id, ok := ast.Unparen(arg).(*ast.Ident)
	if !ok {
		return nil, false
	}
	obj := c.pass.TypesInfo.Uses[id]
	if obj == nil || !isError(obj.Type()) {
		return nil, false
	}
	if _, isVar := obj.(*types.Var); !isVar {
		return nil, false
	}
	return id, viaError
}

// collects reports whether a call that receives an error collects it to
// pass on (append, errors.Join) rather than consuming it (logging).
func (c *checker) collects(call *ast.CallExpr) bool {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := c.pass.TypesInfo.Uses[id].(*types.Builtin); ok && b.Name() == "append" {
			return true
		}
	}
	fn, _ := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	return fn != nil && fn.FullName() == "errors.Join"
}

type verb struct {
	verb          byte
	offset, width int // within the literal's source text
}

// scanVerbs returns the formatting verbs of a format literal in argument
// order, or nil if it uses explicit argument indexes or * widths.
func scanVerbs(raw string) []verb {
	var out []verb
	for i := 0; i < len(raw); i++ {
		if raw[i] != '%' {
			continue
		}
		j := i + 1
		if j < len(raw) && raw[j] == '%' {
			i = j
			continue
		}
		for j < len(raw) && strings.IndexByte("+-# 0123456789.", raw[j]) >= 0 {
			j++
		}
		if j >= len(raw) || raw[j] == '[' || raw[j] == '*' {
			return nil
		}
		out = append(out, verb{verb: raw[j], offset: i, width: j - i + 1})
		i = j
	}
	return out
}

// cancellationSource says where an error variable, as used at pos, may get
// a cancellation from (see ctxflow.Cancellations.Source), or "". It looks at
// the last assignment to the variable before pos, and discounts it when the
// function checks ctx.Err() in between (the context was not done, so the
// error is something else).
func (c *checker) cancellationSource(f *fn, obj types.Object, pos token.Pos) string {
	last := c.lastAssignment(f, obj, pos)
	if last == nil || c.ctxCheckedBetween(f, last.End(), pos) {
		return ""
	}
	return c.callCancellation(last)
}

// lastAssignment returns the call whose result was last (in source order)
// assigned to obj before pos, in f or the functions around it, or nil when
// that assignment is not from a call.
func (c *checker) lastAssignment(f *fn, obj types.Object, pos token.Pos) *ast.CallExpr {
	var last *ast.CallExpr
	seen := false
	for g := f; g != nil && !seen; g = g.outer {
		ast.Inspect(g.body, func(n ast.Node) bool {
			if n == nil || n.Pos() >= pos {
				return false
			}
			switch n := n.(type) {
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					id, ok := lhs.(*ast.Ident)
					if !ok || (c.pass.TypesInfo.Defs[id] != obj && c.pass.TypesInfo.Uses[id] != obj) {
						continue
					}
					seen = true
					last = nil
					if len(n.Rhs) == 1 {
						last, _ = ast.Unparen(n.Rhs[0]).(*ast.CallExpr)
					} else if i < len(n.Rhs) {
						last, _ = ast.Unparen(n.Rhs[i]).(*ast.CallExpr)
					}
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if c.pass.TypesInfo.Defs[id] != obj {
						continue
					}
					seen = true
					last = nil
					if len(n.Values) == 1 {
						last, _ = ast.Unparen(n.Values[0]).(*ast.CallExpr)
					} else if i < len(n.Values) {
						last, _ = ast.Unparen(n.Values[i]).(*ast.CallExpr)
					}
				}
			}
			return true
		})
	}
	return last
}

func (c *checker) ctxChecks(e ast.Expr) bool {
	obj, _ := c.ctxErrTest(e)
	return obj != nil
}

// ctxCheckedBetween reports whether an `if ctx.Err() != nil` that leaves the
// function stands between from and to.
func (c *checker) ctxCheckedBetween(f *fn, from, to token.Pos) bool {
	found := false
	ast.Inspect(f.body, func(n ast.Node) bool {
		if found || n == nil {
			return false
		}
		if ifs, ok := n.(*ast.IfStmt); ok && ifs.Pos() > from && ifs.End() < to && c.ctxChecks(ifs.Cond) {
			for _, st := range ifs.Body.List {
				if _, ok := st.(*ast.ReturnStmt); ok {
					found = true
				}
			}
		}
		return true
	})
	return found
}

// backgroundRequest reports whether the request argument of a sink call is
// a variable last assigned from http.NewRequest: bound to Background, it is
// never cancelled.
func (c *checker) backgroundRequest(call *ast.CallExpr, arg knowledge.Arg) bool {
	args := call.Args
	idx, ok := arg.In(len(args))
	if !ok {
		return false
	}
	id, ok := ast.Unparen(args[idx]).(*ast.Ident)
	if !ok {
		return false
	}
	obj := c.pass.TypesInfo.Uses[id]
	var last *ast.CallExpr
	for _, f := range c.pass.Files {
		if f.FileStart > call.Pos() || call.Pos() > f.FileEnd {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			assign, ok := n.(*ast.AssignStmt)
			if !ok || assign.Pos() >= call.Pos() || len(assign.Rhs) != 1 {
				return n == nil || n.Pos() < call.Pos()
			}
			for _, lhs := range assign.Lhs {
				if l, ok := lhs.(*ast.Ident); ok && (c.pass.TypesInfo.Defs[l] == obj || c.pass.TypesInfo.Uses[l] == obj) {
					last, _ = ast.Unparen(assign.Rhs[0]).(*ast.CallExpr)
				}
			}
			return true
		})
	}
	if last == nil {
		return false
	}
	fn, _ := typeutil.Callee(c.pass.TypesInfo, last).(*types.Func)
	return fn != nil && fn.FullName() == "net/http.NewRequest"
}

// nonWaiting are functions that take a context but never wait, so their
// errors are never cancellations (used without SSA, and by -wrap-all).
var nonWaiting = map[string]bool{
	"net/http.NewRequestWithContext": true,
	"context.WithValue":              true,
}

// callCancellation says where the error of call may get a cancellation from,
// or "". Errors from Shutdown/Close/Stop calls are a shutdown path's to
// judge, not cancellations to propagate.
func (c *checker) callCancellation(call *ast.CallExpr) string {
	callee, _ := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	if callee != nil {
		if isShutdownName(callee.Name()) {
			return ""
		}
		if nonWaiting[callee.Origin().FullName()] {
			return ""
		}
	}
	if src := c.cancels.Source(call); src != "" {
		return src
	}
	if c.res.Pkg == nil && callee != nil {
		// No SSA: a network or database call given a context (or a request
		// carrying one) still counts; its context-free forms never fail with
		// a cancellation.
		if sink := c.res.Catalog.Lookup(callee); sink != nil && (sink.HasContext() || sink.Request != knowledge.NoArg && !c.backgroundRequest(call, sink.Request)) {
			return ctxflow.ShortName(callee)
		}
	}
	if !c.cfg.WrapAll {
		return ""
	}
	for _, a := range call.Args {
		if t := c.pass.TypesInfo.TypeOf(a); t != nil && knowledge.IsContext(t) {
			if callee != nil {
				return "a call given " + types.ExprString(a) + ": " + ctxflow.ShortName(callee)
			}
			return "a call given " + types.ExprString(a)
		}
	}
	return ""
}

func (c *checker) report(n ast.Node, msg string, fix *analysis.SuggestedFix) {
	d := analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Message: msg}
	if fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	c.pass.Report(d)
}

// replaceFix replaces the returned nil with text, if obj (the variable text
// names, or the context it calls a method on) is still visible under its
// name there.
func (c *checker) replaceFix(nilExpr ast.Expr, text string, obj types.Object) *analysis.SuggestedFix {
	if !c.res.Editable(nilExpr.Pos()) || obj == nil {
		return nil
	}
	scope := c.pass.Pkg.Scope().Innermost(nilExpr.Pos())
	if scope == nil {
		return nil
	}
	if _, found := scope.LookupParent(obj.Name(), nilExpr.Pos()); found != obj {
		return nil
	}
	return &analysis.SuggestedFix{
		Message:   "Return " + text,
		TextEdits: []analysis.TextEdit{{Pos: nilExpr.Pos(), End: nilExpr.End(), NewText: []byte(text)}},
	}
}

// continueFix turns `continue` into `return <zeros>, err`.
func (c *checker) continueFix(f *fn, st *ast.BranchStmt, errExpr ast.Expr) *analysis.SuggestedFix {
	id, ok := ast.Unparen(errExpr).(*ast.Ident)
	if !ok || !c.res.Editable(st.Pos()) {
		return nil
	}
	file, _, _ := fixutil.Enclosing(c.pass, st)
	zeros, ok := fixutil.ZeroResults(c.pass, file, f.typ)
	if !ok {
		return nil
	}
	return &analysis.SuggestedFix{
		Message:   "Return " + id.Name,
		TextEdits: []analysis.TextEdit{{Pos: st.Pos(), End: st.End(), NewText: []byte("return " + strings.Join(append(zeros, id.Name), ", "))}},
	}
}

// isResponseWriter: in HTTP serving code, a client that goes away cancels
// the request's context; turning that into success (often with a 499 status)
// is the server's decision, not a swallowed error.
func isResponseWriter(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "net/http" && named.Obj().Name() == "ResponseWriter"
}

func isError(t types.Type) bool {
	return t != nil && types.Identical(t, types.Universe.Lookup("error").Type())
}
