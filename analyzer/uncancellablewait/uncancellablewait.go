package uncancellablewait

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

//go:embed doc.go
var doc string

// Analyzer is uncancellablewait on the shared core. uncancellablewait has no settings.
var Analyzer = New(ctxflow.Analyzer)

// New returns uncancellablewait on the given core.
func New(core *analysis.Analyzer) *analysis.Analyzer {
	a := &analysis.Analyzer{
		Name:     "uncancellablewait",
		Doc:      lintutil.ExtractDoc(doc, "uncancellablewait"),
		URL:      lintutil.URL("uncancellablewait"),
		Requires: []*analysis.Analyzer{core},
	}
	a.Run = lintutil.Run(a.Name, func(pass *analysis.Pass) (any, error) {
		return run(pass, pass.ResultOf[core].(*ctxflow.Result))
	})
	return a
}

// longSleep is where a constant sleep starts to matter on its own.
const longSleep = time.Second

func run(pass *analysis.Pass, res *ctxflow.Result) (any, error) {
	sleepers := map[*ssa.Function]*sleeper{}
	for fn, instr := range res.Instrs() {
		call, ok := instr.(*ssa.Call)
		if !ok {
			continue
		}
		if callee, _, _ := ctxflow.SplitCall(call.Common()); knowledge.RoleOf(callee) != knowledge.TimeSleep {
			if p, ok := call.Call.Value.(*ssa.Parameter); ok && len(call.Call.Args) == 1 && filledWithSleep(res, p, map[*ssa.Parameter]bool{}, 0) {
				check(pass, res, fn, call, "time.Sleep through "+p.Name(), true)
				continue
			}
			if f := sleepField(res, call); f != nil {
				check(pass, res, fn, call, "time.Sleep through the "+f.Name()+" field", false)
				continue
			}
			checkSleeperCall(pass, res, fn, call, sleepers)
			continue
		}
		check(pass, res, fn, call, "time.Sleep", true)
	}
	return nil, nil
}

// noticeablePause is the shortest constant pause in a loop that checks the
// context on every round that is still reported: cancellation waits for
// it.
const noticeablePause = ctxflow.NoticeablePause

// check judges a sleep; fixable says whether rewriting the call into a
// select keeps what it does (not for a field an option may fill: the
// rewrite would drop the hook, a test's fake sleep).
func check(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, call *ssa.Call, what string, fixable bool) {
	expr := res.Syntax.CallExpr(call.Pos())
	if expr == nil || res.Syntax.Skip(expr.Pos(), false) {
		return
	}
	ctx := res.ContextInScope(fn, expr.Pos())
	d, isConst := sleepDuration(res, call.Common().Args[0])
	if ctx == "" {
		checkLoopContext(pass, res, call, expr, d, isConst)
		return
	}
	var why string
	switch loop := ctxflow.LoopBlocks(call.Block()); {
	case !isConst:
		why = "a computed duration"
	case d >= longSleep:
		why = d.String()
	case loop != nil && !consultsEveryRound(loop, call.Block()):
		why = "in a loop that can go round without consulting a context"
	case loop != nil && d >= noticeablePause:
		// A pause between attempts: the loop looks at the context, but
		// not during the pause, so cancellation waits for it (moby's
		// 500 ms daemon poll and tailscale's 250 ms ConnectContext retry
		// were both fixed upstream; a 50 ms throttle is left alone).
		why = "a " + d.String() + " pause in a loop"
	default:
		return
	}
	diag := analysis.Diagnostic{
		Pos: expr.Pos(), End: expr.End(),
		Message: fmt.Sprintf("%s (%s) ignores %s: cancellation and deadlines wait for the whole sleep; select on %s.Done() and time.After instead", what, why, ctx, ctx),
	}
	if fixable {
		if fix := selectFix(pass, res, expr, ctx); fix != nil {
			diag.SuggestedFixes = []analysis.SuggestedFix{*fix}
		}
	}
	pass.Report(diag)
}

// checkLoopContext judges a sleep with no caller's context in scope, in a
// loop that checks a context itself (its Done or Err: a context it made
// with a deadline, or one it reaches through a value, resty's
// resp.Request.ctx): the sleep ignores the context the loop is watching,
// and a pause long enough to notice (or computed) keeps the loop from
// ending when that context does (moby's daemon poll slept 500 ms between
// pings under a 60 s context).
func checkLoopContext(pass *analysis.Pass, res *ctxflow.Result, call *ssa.Call, expr *ast.CallExpr, d time.Duration, isConst bool) {
	loop := ctxflow.LoopBlocks(call.Block())
	if loop == nil || isConst && d < noticeablePause {
		return
	}
	how := "checks"
	watched, fixable := checkedContext(pass, res, loop, expr)
	if watched == "" {
		how = "works under"
		watched, fixable = keptWorkContext(pass, res, loop, expr)
	}
	if watched == "" || onlyWhenNil(pass, res, expr, watched) {
		return
	}
	why := d.String()
	if !isConst {
		why = "a computed duration"
	}
	diag := analysis.Diagnostic{
		Pos: expr.Pos(), End: expr.End(),
		Message: fmt.Sprintf("time.Sleep (%s) ignores %s, which this loop %s: once it is done the loop still waits for the whole sleep; select on %s.Done() and time.After instead", why, watched, how, watched),
	}
	if fixable {
		if fix := selectFix(pass, res, expr, watched); fix != nil {
			diag.SuggestedFixes = []analysis.SuggestedFix{*fix}
		}
	}
	pass.Report(diag)
}

// onlyWhenNil reports whether the sleep runs only where the watched context
// is nil (nats.go: `if o.ctx != nil { select … } else { time.Sleep(…) }`):
// there is nothing to wait on.
func onlyWhenNil(pass *analysis.Pass, res *ctxflow.Result, sleep *ast.CallExpr, watched string) bool {
	if f := res.Syntax.File(sleep.Pos()); f != nil {
		path, _ := astutil.PathEnclosingInterval(f, sleep.Pos(), sleep.End())
		for i := 1; i < len(path); i++ {
			iff, ok := path[i].(*ast.IfStmt)
			if !ok {
				continue
			}
			cond, ok := ast.Unparen(iff.Cond).(*ast.BinaryExpr)
			if !ok || (cond.Op != token.EQL && cond.Op != token.NEQ) {
				continue
			}
			var other ast.Expr
			switch {
			case isNil(pass, cond.Y):
				other = cond.X
			case isNil(pass, cond.X):
				other = cond.Y
			default:
				continue
			}
			if types.ExprString(other) != watched {
				continue
			}
			inBody := path[i-1] == iff.Body
			if inBody == (cond.Op == token.EQL) {
				return true
			}
		}
	}
	return false
}

func isNil(pass *analysis.Pass, e ast.Expr) bool {
	tv, ok := pass.TypesInfo.Types[e]
	return ok && tv.IsNil()
}

// checkedContext returns the source of the first context whose Done or Err
// the loop calls, and whether that is a variable the sleep's position sees
// as the same one (so a fix can wait on it there), or "".
func checkedContext(pass *analysis.Pass, res *ctxflow.Result, loop []*ssa.BasicBlock, sleep *ast.CallExpr) (string, bool) {
	for _, b := range loop {
		for _, instr := range b.Instrs {
			ci, ok := instr.(ssa.CallInstruction)
			if !ok || !ci.Common().IsInvoke() || !knowledge.IsContext(ci.Common().Value.Type()) {
				continue
			}
			if role := knowledge.RoleOf(ci.Common().Method); role != knowledge.CtxDone && role != knowledge.CtxErr {
				continue
			}
			expr := res.Syntax.CallExpr(ci.Pos())
			if expr == nil {
				continue
			}
			sel, ok := ast.Unparen(expr.Fun).(*ast.SelectorExpr)
			if !ok {
				continue
			}
			return types.ExprString(sel.X), sameVariableAt(pass, sel.X, sleep.Pos())
		}
	}
	return "", false
}

// keptWorkContext returns the source of a context kept in a field of a
// parameter or receiver (an object's lifetime: wal-g's
// MongodService.Context) that the loop hands to a call which waits with it,
// and whether the sleep's position sees the same base variable (so a fix
// can wait on it there), or "". The loop's work stops when that context
// ends; its sleep does not.
func keptWorkContext(pass *analysis.Pass, res *ctxflow.Result, loop []*ssa.BasicBlock, sleep *ast.CallExpr) (string, bool) {
	for _, b := range loop {
		for _, instr := range b.Instrs {
			ci, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			for _, k := range res.CallsAt(ci) {
				for i, a := range k.Args {
					if !knowledge.IsContext(a.Type()) || !waitsWith(res, k, i) {
						continue
					}
					if o := res.Classify(a); o.State != ctxflow.Inherited || !o.Field {
						continue
					}
					if text, fixable := keptFieldText(pass, res, ci, i, sleep); text != "" {
						return text, fixable
					}
				}
			}
		}
	}
	return "", false
}

// waitsWith reports whether call k waits with its argument i as context:
// a sink's context, or a parameter its summary says reaches a wait.
func waitsWith(res *ctxflow.Result, k *ctxflow.Call, i int) bool {
	if k.Sink != nil {
		idx, ok := k.Sink.Context.Index()
		return ok && idx == i
	}
	s := k.Summary
	if s == nil && k.Target != nil {
		s = res.Summary(k.Target)
	}
	return s.ReachOf(i) != nil
}

// keptFieldText returns the source of argument i of ci when it is a field
// selection (m.ctx), and whether its base is a variable the sleep sees.
func keptFieldText(pass *analysis.Pass, res *ctxflow.Result, ci ssa.CallInstruction, i int, sleep *ast.CallExpr) (string, bool) {
	expr := res.Syntax.CallExpr(ci.Pos())
	if expr == nil {
		return "", false
	}
	args := expr.Args // Call.Args leaves the receiver out, as the source does
	if i >= len(args) {
		return "", false
	}
	sel, ok := ast.Unparen(args[i]).(*ast.SelectorExpr)
	if !ok || !knowledge.IsContext(pass.TypesInfo.TypeOf(sel)) {
		return "", false
	}
	return types.ExprString(sel), sameVariableAt(pass, sel.X, sleep.Pos())
}

// sameVariableAt reports whether x is an identifier that names, at pos,
// the variable it names where it is written (so a fix at pos can use it).
func sameVariableAt(pass *analysis.Pass, x ast.Expr, pos token.Pos) bool {
	id, ok := ast.Unparen(x).(*ast.Ident)
	if !ok {
		return false
	}
	scope := pass.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return false
	}
	_, obj := scope.LookupParent(id.Name, pos)
	return obj != nil && obj == pass.TypesInfo.Uses[id]
}

// sleepDuration returns the longest a sleep of v can last when that is
// known: a constant, or time.Until(t.Add(c)) — at most c for a t that is
// not in the future, the time of the last run (franz-go's metadata loop
// sleeps until 10 ms after its last update), or a package variable that
// only ever holds one constant outside tests.
func sleepDuration(res *ctxflow.Result, v ssa.Value) (time.Duration, bool) {
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		if g, ok := load.X.(*ssa.Global); ok {
			if c := res.ConstantGlobal(g); c != nil {
				v = c // a variable only tests change
			}
		}
	}
	if call, ok := v.(*ssa.Call); ok {
		if callee, _, args := ctxflow.SplitCall(call.Common()); knowledge.RoleOf(callee) == knowledge.TimeUntil && len(args) == 1 {
			if add, ok := args[0].(*ssa.Call); ok {
				if callee, _, args := ctxflow.SplitCall(add.Common()); knowledge.RoleOf(callee) == knowledge.TimeAdd && len(args) == 1 {
					return sleepDuration(res, args[0])
				}
			}
		}
	}
	c, ok := v.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
		return 0, false
	}
	n, exact := constant.Int64Val(c.Value)
	return time.Duration(n), exact
}

// consultsEveryRound reports whether every way round the loop from the
// sleep's block back to it passes a block that consults a context (calls a
// context's method, or passes a context to a call, which may return its
// error and end the loop). A check on one branch only (temporal's
// ReserveSlot watched ctx.Done() only while throttling) leaves the other
// rounds deaf to it.
func consultsEveryRound(loop []*ssa.BasicBlock, sleep *ssa.BasicBlock) bool {
	in := map[*ssa.BasicBlock]bool{}
	for _, b := range loop {
		in[b] = true
	}
	if consults(sleep) {
		return true
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), sleep.Succs...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if b == sleep {
			return false // round again without a word from the context
		}
		if seen[b] || !in[b] || consults(b) {
			continue
		}
		seen[b] = true
		stack = append(stack, b.Succs...)
	}
	return true
}

func consults(b *ssa.BasicBlock) bool {
	for _, instr := range b.Instrs {
		ci, ok := instr.(ssa.CallInstruction)
		if !ok {
			continue
		}
		if ctxflow.GivenContext(ci.Common()) {
			return true
		}
	}
	return false
}

// selectFix replaces `time.Sleep(d)` with a select that also returns when
// ctx is done.
func selectFix(pass *analysis.Pass, res *ctxflow.Result, expr *ast.CallExpr, ctx string) *analysis.SuggestedFix {
	if !res.Syntax.Editable(expr.Pos()) || len(expr.Args) != 1 {
		return nil
	}
	file, stmt, fnType := fixutil.Enclosing(pass, expr)
	es, ok := stmt.(*ast.ExprStmt)
	if !ok || es.X != expr || fnType == nil {
		return nil
	}
	timeName := fixutil.ImportName(file, "time")
	if timeName == "" {
		return nil
	}
	var ret string
	if fnType.Results == nil || len(fnType.Results.List) == 0 {
		ret = "return"
	} else {
		zeros, ok := fixutil.ZeroResults(pass, file, fnType)
		if !ok {
			return nil
		}
		ret = "return " + strings.Join(append(zeros, ctx+".Err()"), ", ")
	}
	indent := fixutil.LineIndent(pass, stmt.Pos())
	var b bytes.Buffer
	fmt.Fprintf(&b, "select {\ncase <-%s.Done():\n\t%s\ncase <-%s.After(%s):\n}", ctx, ret, timeName, types.ExprString(expr.Args[0]))
	return &analysis.SuggestedFix{
		Message:   fmt.Sprintf("Wait on %s.Done() too", ctx),
		TextEdits: []analysis.TextEdit{{Pos: stmt.Pos(), End: stmt.End(), NewText: []byte(strings.ReplaceAll(b.String(), "\n", "\n"+indent))}},
	}
}

// sleeper describes a function of the package that takes no context and
// sleeps: param is the index of its parameter that gives the duration, or
// -1 when the duration is its own (long, or computed).
type sleeper struct {
	fn    *ssa.Function
	param int
}

// sleeperOf returns what fn's sleep is, or nil when fn takes a context, has
// no body, or never calls time.Sleep for a duration worth reporting
// (memoised: nil entries too).
func sleeperOf(res *ctxflow.Result, fn *ssa.Function, memo map[*ssa.Function]*sleeper) *sleeper {
	if s, ok := memo[fn]; ok {
		return s
	}
	memo[fn] = nil
	if len(fn.Blocks) == 0 {
		return nil
	}
	for _, p := range fn.Params {
		// A struct that embeds a context (goreleaser's *context.Context)
		// is one: the sleeper takes a context, and is judged where it
		// sleeps.
		if ctxflow.CarriesContext(p.Type()) || knowledge.EmbedsContext(p.Type()) {
			return nil
		}
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			if callee, _, _ := ctxflow.SplitCall(call.Common()); knowledge.RoleOf(callee) != knowledge.TimeSleep {
				continue
			}
			arg := call.Common().Args[0]
			if p, ok := arg.(*ssa.Parameter); ok {
				for i, q := range fn.Params {
					if q == p {
						memo[fn] = &sleeper{fn: fn, param: i}
						return memo[fn]
					}
				}
			}
			if d, isConst := sleepDuration(res, arg); !isConst || d >= longSleep {
				memo[fn] = &sleeper{fn: fn, param: -1}
				return memo[fn]
			}
		}
	}
	return nil
}

// checkSleeperCall judges a call, where a caller's context is in scope, of
// a function of the package that takes no context and sleeps with
// time.Sleep — or of a method of an interface of the package one of whose
// implementations there (not in test files) does (client-go's BackoffManager.Sleep, whose NoBackoff and
// URLBackoff slept the Retry-After delay with time.Sleep while the request
// had a ctx): the sleep cannot see the context, so cancellation waits for
// it. A duration the caller passes is judged like a direct sleep's.
func checkSleeperCall(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, call *ssa.Call, memo map[*ssa.Function]*sleeper) {
	common := call.Common()
	var candidates []*ssa.Function
	offset := 0
	switch {
	case common.IsInvoke():
		// Only an interface of the package: the implementations it has
		// are what it was written for. Any type may implement io.Writer
		// or net.Conn (a test's slow writer among them).
		if ctxflow.HasContextParam(common.Method) || common.Method.Pkg() != fn.Pkg.Pkg {
			return
		}
		for _, impl := range res.Implementations(common.Method) {
			if !res.Syntax.Skip(impl.Pos(), false) {
				candidates = append(candidates, impl)
			}
		}
		offset = 1 // the implementation's receiver comes first
	default:
		callee := common.StaticCallee()
		if callee == nil || callee.Pkg != fn.Pkg || callee.Parent() != nil {
			return
		}
		candidates = []*ssa.Function{callee}
	}
	var found *sleeper
	for _, c := range candidates {
		if s := sleeperOf(res, c, memo); s != nil {
			found = s
			break
		}
	}
	if found == nil {
		return
	}
	if found.param >= 0 {
		// The caller gives the duration: judge it where it is given.
		i := found.param - offset
		if common.Signature().Recv() != nil && !common.IsInvoke() {
			i = found.param // a static method call passes its receiver in Args
		}
		if i < 0 || i >= len(common.Args) {
			return
		}
		if d, isConst := sleepDuration(res, common.Args[i]); isConst && d < longSleep {
			return
		}
	}
	// Looked up last: this runs for every call of the package, and most
	// calls are of no sleeper.
	expr := res.Syntax.CallExpr(call.Pos())
	if expr == nil || res.Syntax.Skip(expr.Pos(), false) {
		return
	}
	ctx := res.ContextInScope(fn, expr.Pos())
	if ctx == "" {
		return
	}
	name := found.fn.Name()
	if obj, ok := found.fn.Object().(*types.Func); ok {
		name = ctxflow.ShortName(obj)
	}
	pass.Report(analysis.Diagnostic{
		Pos: expr.Pos(), End: expr.End(),
		Message: fmt.Sprintf("%s takes no context and sleeps with time.Sleep, so %s's cancellation and deadline wait for the whole sleep: give it %s and select on %s.Done() and time.After there", name, ctx, ctx, ctx),
	})
}

// sleepField returns the func field a call goes through (t.sleep(d)) when
// the package fills that field, which only it can reach, with time.Sleep
// and otherwise only with parameters — a default that an option or a test
// hook may replace (tdarr-exporter's ClientTransport slept between retries
// through its sleep field, time.Sleep unless WithSleep was given): the
// sleep the code runs is time.Sleep's.
func sleepField(res *ctxflow.Result, call *ssa.Call) *types.Var {
	load, ok := call.Call.Value.(*ssa.UnOp)
	if !ok || load.Op != token.MUL || len(call.Call.Args) != 1 {
		return nil
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	f := res.PrivateField(fa)
	if f == nil {
		return nil
	}
	sleep := false
	for _, v := range res.StoredInField(f) {
		switch v := v.(type) {
		case *ssa.Function:
			if obj, ok := v.Object().(*types.Func); !ok || knowledge.RoleOf(obj) != knowledge.TimeSleep {
				return nil
			}
			sleep = true
		case *ssa.Parameter:
			// A hook's argument.
		case *ssa.UnOp:
			// An option's argument: WithSleep(fn) returns a literal that
			// stores its captured fn.
			if _, captured := v.X.(*ssa.FreeVar); !captured || v.Op != token.MUL {
				return nil
			}
		default:
			return nil
		}
	}
	if !sleep {
		return nil
	}
	return f
}

// maxSleepParamDepth bounds filledWithSleep's walk up through callers.
const maxSleepParamDepth = 4

// filledWithSleep reports whether p, a func parameter of an unexported
// function, is time.Sleep at every call of the package: each passes
// time.Sleep itself or a parameter of its own that is filled so
// (goreleaser's rateLimitChecker slept through sleepFn, which every caller
// passed as time.Sleep). A function forwarding the parameter to itself
// adds nothing.
func filledWithSleep(res *ctxflow.Result, p *ssa.Parameter, seen map[*ssa.Parameter]bool, depth int) bool {
	if depth > maxSleepParamDepth {
		return false
	}
	if seen[p] {
		return true
	}
	seen[p] = true
	fn := p.Parent()
	idx := slices.Index(fn.Params, p)
	calls := res.PrivateCallers(fn)
	if idx < 0 || len(calls) == 0 {
		return false
	}
	for _, c := range calls {
		common := c.Instr.Common()
		if common.IsInvoke() || idx >= len(common.Args) {
			return false
		}
		switch a := common.Args[idx].(type) {
		case *ssa.Function:
			if obj, ok := a.Object().(*types.Func); !ok || knowledge.RoleOf(obj) != knowledge.TimeSleep {
				return false
			}
		case *ssa.Parameter:
			if !filledWithSleep(res, a, seen, depth+1) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
