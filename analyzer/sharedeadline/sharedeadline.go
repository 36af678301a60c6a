package sharedeadline

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

//go:embed doc.go
var doc string

// Config is sharedeadline's configuration. The zero value is the default.
type Config struct {
	// Sequential also reports sequential stages that each get the full
	// constant budget from the same parent (-sharedeadline.sequential).
	Sequential bool
}

// Analyzer is sharedeadline with the default configuration on the shared core.
var Analyzer = New(ctxflow.Analyzer, new(Config))

// New returns sharedeadline on the given core. Its flags write into cfg,
// which each run reads: build one analyzer per configuration.
func New(core *analysis.Analyzer, cfg *Config) *analysis.Analyzer {
	a := &analysis.Analyzer{
		Name:     "sharedeadline",
		Doc:      lintutil.ExtractDoc(doc, "sharedeadline"),
		URL:      lintutil.URL("sharedeadline"),
		Requires: []*analysis.Analyzer{core},
	}
	a.Run = lintutil.Run(a.Name, func(pass *analysis.Pass) (any, error) {
		return run(pass, pass.ResultOf[core].(*ctxflow.Result), cfg)
	})
	a.Flags.BoolVar(&cfg.Sequential, "sequential", cfg.Sequential, "also report sequential stages that each get the full constant budget from the same parent")
	return a
}

type checker struct {
	pass *analysis.Pass
	res  *ctxflow.Result
	root inspector.Cursor
	// reportedRoots: roots reported by rootToBoundedWait, once each.
	reportedRoots map[token.Pos]bool
	// lifecycle: what lifecycleWait found for each method, looked up once.
	lifecycle map[*ssa.Function]lifecycleUse
}

func run(pass *analysis.Pass, res *ctxflow.Result, cfg *Config) (any, error) {
	if res.Pkg == nil {
		return nil, nil
	}
	c := &checker{
		pass: pass,
		res:  res,
		root: res.Syntax.Root(),

		reportedRoots: map[token.Pos]bool{},
		lifecycle:     map[*ssa.Function]lifecycleUse{},
	}
	// Where this rule reported, so that a function whose signature drops
	// the context is not reported twice (unusedContext).
	var reportedAt []token.Pos
	report := pass.Report
	pass.Report = func(d analysis.Diagnostic) {
		reportedAt = append(reportedAt, d.Pos)
		report(d)
	}
	reportedIn := func(fn *ssa.Function) bool {
		syn := fn.Syntax()
		if syn == nil {
			// The package initializer (a literal in a var's initializer
			// has it as its outermost function): no one syntax of its own.
			return false
		}
		for _, p := range reportedAt {
			if p >= syn.Pos() && p < syn.End() {
				return true
			}
		}
		return false
	}
	var bounded []*ssa.Call // WithTimeout calls with a constant budget, for -sequential
	for _, fn := range res.SrcFuncs {
		if len(fn.Blocks) == 0 || res.Syntax.Skip(fn.Pos(), false) {
			continue
		}
		lintutil.Guard(pass, "sharedeadline", fn, func() {
			bounded = append(bounded, c.checkFunc(fn)...)
		})
	}
	for _, call := range res.Calls {
		if res.Syntax.Skip(res.Pos(call), false) {
			continue
		}
		lintutil.Guard(pass, "sharedeadline", call.Fn, func() {
			c.helperRoot(call)
			c.funcArgRoot(call)
			c.syncFuncRoot(call)
			c.helperConnDeadline(call)
			c.helperOwnConnDeadline(call)
			c.rootToBoundedWait(call)
			c.lifecycleHelper(call)
		})
	}
	callsOf := map[*ssa.Function][]*ctxflow.Call{}
	for _, call := range res.Calls {
		callsOf[call.Fn] = append(callsOf[call.Fn], call)
	}
	for _, fn := range res.SrcFuncs {
		if len(fn.Blocks) == 0 || res.Syntax.Skip(fn.Pos(), false) {
			continue
		}
		lintutil.Guard(pass, "sharedeadline", fn, func() {
			c.unusedContext(fn, callsOf[fn], reportedIn)
		})
	}
	// After the others: a function this rule reported in already (its
	// unused context parameter, a root it starts) is not told again.
	unused := func(fn *ssa.Function) bool { return reportedIn(ctxflow.Outermost(fn)) }
	for _, call := range res.Calls {
		if res.Syntax.Skip(res.Pos(call), false) {
			continue
		}
		lintutil.Guard(pass, "sharedeadline", call.Fn, func() {
			c.fixedBudgetBare(call, unused)
		})
	}
	if cfg.Sequential {
		c.sequentialStages(bounded)
	}
	return nil, nil
}

// checkFunc looks at the context constructors and deadline setters fn
// calls, and returns its constant WithTimeout calls for -sequential.
func (c *checker) checkFunc(fn *ssa.Function) []*ssa.Call {
	loops := ctxflow.Loops(fn)
	var bounded []*ssa.Call
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if sel, ok := instr.(*ssa.Select); ok {
				c.ownTimerWait(fn, sel)
				continue
			}
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			callee, _, args := ctxflow.SplitCall(call.Common())
			if read, write := knowledge.DeadlineSetter(callee); read || write {
				c.connDeadline(fn, call, callee)
				continue
			}
			expr := c.res.Syntax.CallExpr(call.Pos())
			if expr == nil || len(args) == 0 {
				continue
			}
			role := knowledge.RoleOf(callee)
			_, parent, deadline := role.Derivation()
			switch {
			case deadline && len(expr.Args) >= 2 && len(args) >= 2:
				fresh := c.freshBudget(fn, call, expr, callee) || c.keptContextBudget(fn, call, expr, callee)
				c.innerNotShorter(call, expr, callee)
				c.unusedBudget(fn, call, expr, callee)
				if !fresh {
					c.retryAttempt(fn, loops, call, expr, callee)
				}
				if _, ok := budget(call, callee); ok {
					bounded = append(bounded, call)
				}
				c.rewrapped(loops, call, expr, callee)
			case parent:
				c.rewrapped(loops, call, expr, callee)
			}
		}
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok {
				c.helperBudget(fn, call)
			}
		}
	}
	return bounded
}

// budget returns a WithTimeout call's constant duration.
func budget(call *ssa.Call, callee *types.Func) (time.Duration, bool) {
	if knowledge.RoleOf(callee) != knowledge.CtxTimeout || len(call.Common().Args) < 2 {
		return 0, false
	}
	k, ok := call.Common().Args[1].(*ssa.Const)
	if !ok || k.Value == nil || k.Value.Kind() != constant.Int {
		return 0, false
	}
	d, exact := constant.Int64Val(k.Value)
	return time.Duration(d), exact && d > 0
}

// budgetText renders a WithTimeout/WithDeadline call's budget for a message:
// the constant duration ("5s") or the source expression.
func budgetText(call *ssa.Call, expr *ast.CallExpr, callee *types.Func) string {
	if d, ok := budget(call, callee); ok {
		return d.String()
	}
	return types.ExprString(expr.Args[1])
}

// freshBudget: WithTimeout(context.Background(), d) (or TODO, or a
// WithDeadline) while a caller's context is in scope. It reports whether it
// reported.
func (c *checker) freshBudget(fn *ssa.Function, call *ssa.Call, expr *ast.CallExpr, callee *types.Func) bool {
	rootFn := derivedFromRoot(call)
	if rootFn == nil {
		return false
	}
	inScope := c.res.ContextInScope(fn, expr.Pos())
	if inScope == "" || c.detached(fn, call) || !c.freshUsedForWork(call, false) {
		return false
	}
	what := "deadline " + types.ExprString(expr.Args[1])
	if knowledge.RoleOf(callee) == knowledge.CtxTimeout {
		what = budgetText(call, expr, callee) + " budget"
	}
	if copiesDeadline(call) {
		// WithDeadline(Background(), the caller's own Deadline()): the
		// budget is kept and only the cancellation dropped, on purpose
		// (boulder's multiSource let its Redis lookup outlive a cancelled
		// request, "or it would defeat the purpose").
		return false
	}
	msg := fmt.Sprintf("%s(context.%s(), …) starts a fresh %s that ignores %s's deadline and cancellation: the stage can outlive its caller; derive it from %s", ctxflow.ShortName(callee), rootFn.Name(), what, inScope, inScope)
	d := analysis.Diagnostic{
		Pos: expr.Args[0].Pos(), End: expr.Args[0].End(),
		Message: msg,
	}
	if fix := fixutil.ReplaceContextRoot(c.pass, expr.Args[0], inScope, c.res.Syntax.Editable(expr.Pos())); fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	c.pass.Report(d)
	return true
}

// derivedFromRoot returns context.Background or TODO when a derivation
// (WithTimeout, WithDeadline…) is called on a fresh call of it, or nil.
func derivedFromRoot(call *ssa.Call) *types.Func {
	rootCall, ok := call.Common().Args[0].(*ssa.Call)
	if !ok {
		return nil
	}
	rootFn, _, _ := ctxflow.SplitCall(rootCall.Common())
	if knowledge.RoleOf(rootFn) != knowledge.CtxRoot {
		return nil
	}
	return rootFn
}

// detached reports whether a fresh context made at call, in fn, belongs to
// work that must outlive or follow the caller's context (ctxflow's
// DetachedWork).
func (c *checker) detached(fn *ssa.Function, call *ssa.Call) bool {
	return c.res.DetachedWork(fn, call)
}

// freshUsedForWork follows the new context (and contexts derived from it)
// to what receives it. It is work that should have shared the caller's
// deadline when it reaches a call that waits, is returned, or is not used
// at all; it is deliberate when kept (stored, sent, handed to a goroutine)
// or given to a cleanup (Shutdown, Rollback…, or a function whose context
// reaches one); and, precision first, when it only reaches calls of which
// nothing is known (an interface with no implementation in sight). With
// mustWait, a context nothing uses does not count: a helper's budget left
// unused is the helper's business.
func (c *checker) freshUsedForWork(call *ssa.Call, mustWait bool) bool {
	var queue []ssa.Value
	if _, tuple := call.Type().(*types.Tuple); !tuple {
		queue = append(queue, call)
	}
	for _, ref := range *call.Referrers() {
		if ext, ok := ref.(*ssa.Extract); ok && ext.Index == 0 {
			queue = append(queue, ext)
		}
	}
	seen := map[ssa.Value]bool{}
	waits, unknown, used := false, false, false
	for len(queue) > 0 && len(seen) < 64 {
		v := queue[0]
		queue = queue[1:]
		if seen[v] || v.Referrers() == nil {
			continue
		}
		seen[v] = true
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.Store:
				if ref.Addr == v {
					continue // another value stored in the variable followed
				}
				if alloc, local := ref.Addr.(*ssa.Alloc); local && ref.Val == v && alloc.Heap {
					// A variable a closure captures by reference (the
					// parameter reassigned, then used in a literal): its
					// loads are the context's uses.
					queue = append(queue, alloc)
					continue
				}
				return false // kept: an object's lifetime
			case *ssa.UnOp:
				if ref.Op == token.MUL {
					queue = append(queue, ref)
				}
			case *ssa.Send, *ssa.Go, *ssa.MapUpdate:
				return false // kept: an object's or a goroutine's lifetime
			case *ssa.MakeClosure:
				f, ok := ref.Fn.(*ssa.Function)
				if ctxflow.DeferredOnly(ref) {
					// A deferred literal runs before the function returns:
					// no lifetime of its own keeps the context; what the
					// function body does with it decides (kata's StartVM
					// gave it to a deferred rollback and to the boot calls).
					continue
				}
				if ok && c.res.UsedAsValue(f) && !c.res.CalledDuringCall(f) && !c.res.Awaited(f) {
					return false // captured by detached work
				}
				used = true
				if ok {
					// A literal run during the call (a retry helper's
					// operation: elastic-agent's downloadWithRetries):
					// its uses of the capture (the value, or the variable
					// it loads) are the function's.
					for i, b := range ref.Bindings {
						if b == v && i < len(f.FreeVars) {
							queue = append(queue, f.FreeVars[i])
						}
					}
				}
			case *ssa.Return:
				waits = true
			case *ssa.MakeInterface, *ssa.ChangeType, *ssa.ChangeInterface, *ssa.Phi:
				queue = append(queue, ref.(ssa.Value))
			case ssa.CallInstruction:
				used = true
				if done, ok := ref.(*ssa.Call); ok && isDoneCall(done) && ctxflow.WaitsOnDone(done.Parent(), done) {
					// Its Done received beside an answer the function waits
					// for (psql-wire's Shutdown: the connections'
					// WaitGroup or the context): the context bounds a wait.
					waits = true
					continue
				}
				switch c.useOf(ref, v) {
				case useWait:
					waits = true
				case useCleanup:
					return false
				case useDerive:
					if res, ok := ref.(*ssa.Call); ok {
						queue = append(queue, res)
						for _, r := range *res.Referrers() {
							if ext, ok := r.(*ssa.Extract); ok && ext.Index == 0 {
								queue = append(queue, ext)
							}
						}
					}
				case useUnknown:
					unknown = true
				}
			}
		}
	}
	return waits || !mustWait && !used && !unknown
}

type contextUse int

const (
	useNone contextUse = iota
	useWait
	useCleanup
	useDerive
	useUnknown
)

// useOf says what a call does with the context value v it is given.
func (c *checker) useOf(ci ssa.CallInstruction, v ssa.Value) contextUse {
	callee, _, args := ctxflow.SplitCall(ci.Common())
	if _, parent, deadline := knowledge.RoleOf(callee).Derivation(); parent || deadline {
		return useDerive
	}
	switch knowledge.RoleOf(callee) {
	case knowledge.HTTPNewRequestWithCtx, knowledge.HTTPRequestWithContext:
		return useDerive // the request carries the context to where it is sent
	}
	if callee != nil && knowledge.NonWaiting(callee) {
		return useNone
	}
	if callee != nil && knowledge.CleanupOf(callee) != nil {
		return useCleanup
	}
	if d, ok := ci.(*ssa.Defer); ok && d != nil {
		return useCleanup // deferred: runs as the function exits, cleanup
	}
	if callee == nil && !ci.Common().IsInvoke() {
		return useWait // a function value given the context: injected work (a fetcher, an operation)
	}
	for _, k := range c.callsAt(ci) {
		if k.Sink != nil {
			return useWait
		}
		s := k.Summary
		if s == nil && k.Target != nil {
			s = c.res.Summary(k.Target)
		}
		for i, a := range k.Args {
			if a != v {
				continue
			}
			if s.CleanupOf(i) != nil {
				return useCleanup
			}
			if s != nil && s.Passes == i+1 {
				return useDerive // a decorator: it returns the context with values added
			}
			if s.ReachOf(i) != nil {
				return useWait
			}
		}
		if s != nil {
			return useNone // known, and it neither waits nor cleans up with it
		}
	}
	_ = args
	return useUnknown
}

func (c *checker) callsAt(ci ssa.CallInstruction) []*ctxflow.Call {
	return c.res.CallsAt(ci)
}

// helperRoot reports a call, from a function that holds a caller's
// context, to a helper that takes no context and starts its own root that
// reaches a wait: the caller's deadline and cancellation stop there.
func (c *checker) helperRoot(call *ctxflow.Call) {
	s, inScope, discarded := c.res.HelperRootUnderWork(call)
	if s == nil {
		return
	}
	expr := c.res.Syntax.CallExpr(call.Instr.Common().Pos())
	if expr == nil {
		return
	}
	via := ""
	if s.Root.Via != "" {
		via = " via " + s.Root.Via
	}
	if discarded {
		c.pass.Report(analysis.Diagnostic{
			Pos: expr.Fun.Pos(), End: expr.Fun.End(),
			Message: fmt.Sprintf("%s starts its own %s, which reaches %s%s, while this function discards the context it receives (its parameter is _): the wait ignores the caller's deadline and cancellation; name that parameter and pass it to %s (give it a context parameter)",
				call.CalleeName(), s.Root.Root, s.Root.Wait, via, call.CalleeName()),
		})
		return
	}
	d := analysis.Diagnostic{
		Pos: expr.Fun.Pos(), End: expr.Fun.End(),
		Message: fmt.Sprintf("%s starts its own %s, which reaches %s%s: the wait ignores %s's deadline and cancellation; pass %s to it (and derive from it)",
			call.CalleeName(), s.Root.Root, s.Root.Wait, via, inScope, inScope),
	}
	if s.Root.Twin != "" {
		// An API's context-free form: its context form is the answer.
		d.Message = fmt.Sprintf("%s cannot take %s: it starts its own %s, which reaches %s%s, so the wait ignores %s's deadline and cancellation; use %s(%s, …)",
			call.CalleeName(), inScope, s.Root.Root, s.Root.Wait, via, inScope, s.Root.Twin, inScope)
		if s.Root.TwinFits {
			if fix := fixutil.ToContextForm(expr, c.res.Syntax.Editable(expr.Pos()), s.Root.Twin, inScope, ""); fix != nil {
				d.SuggestedFixes = []analysis.SuggestedFix{*fix}
			}
		}
	} else if fix := c.threadContextFix(call); fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	c.pass.Report(d)
}

// syncFuncRoot reports a function handed, where a caller's context is in
// scope, to a call that runs it during the call (its summary's SyncCalls:
// tailscale's singleflight Do(key, nc.dial)), when that function takes no
// context and starts its own root that reaches a wait: it runs as part of
// this call, and its wait ignores the caller's deadline and cancellation.
// A literal written there is judged where it is written (helperRoot).
func (c *checker) syncFuncRoot(call *ctxflow.Call) {
	s := call.Summary
	if s == nil && call.Target != nil {
		s = c.res.Summary(call.Target)
	}
	ci, ok := call.Instr.(*ssa.Call)
	if s == nil || len(s.SyncCalls) == 0 || !ok {
		return
	}
	expr := c.res.Syntax.CallExpr(call.Instr.Common().Pos())
	if expr == nil || len(expr.Args) != len(call.Args) {
		return
	}
	inScope := c.res.ContextInScope(call.Fn, expr.Pos())
	if inScope == "" || c.detached(call.Fn, ci) {
		return
	}
	for _, i := range s.SyncCalls {
		if i >= len(call.Args) {
			continue
		}
		fn := c.res.CalledFunc(call.Args[i])
		if fn == nil || fn.Parent() != nil || takesContext(fn.Signature) {
			continue
		}
		fs := c.res.Summary(fn)
		if fs == nil || fs.Root == nil {
			continue
		}
		via := ""
		if fs.Root.Via != "" {
			via = " via " + fs.Root.Via
		}
		arg := expr.Args[i]
		c.pass.Report(analysis.Diagnostic{
			Pos: arg.Pos(), End: arg.End(),
			Message: fmt.Sprintf("%s runs %s during the call, and it starts its own %s, which reaches %s%s: that wait ignores %s's deadline and cancellation; give it a context parameter and pass %s",
				call.CalleeName(), types.ExprString(arg), fs.Root.Root, fs.Root.Wait, via, inScope, inScope),
		})
	}
}

// funcArgRoot reports a function handed to a call that calls it where a
// context is in scope (Summary.CallsFunc), when the function starts its own
// root that reaches a wait and takes no context: neither function shows
// the cut alone. Where the function is written with a context of its own
// in scope, the closure is judged there instead.
func (c *checker) funcArgRoot(call *ctxflow.Call) {
	s := call.Summary
	if s == nil && call.Target != nil {
		s = c.res.Summary(call.Target)
	}
	if s == nil {
		return
	}
	expr := c.res.Syntax.CallExpr(call.Instr.Common().Pos())
	if expr == nil || len(expr.Args) != len(call.Args) {
		return
	}
	for _, p := range s.CallsFunc {
		if p.Param >= len(call.Args) {
			continue
		}
		fn := ctxflow.FuncValue(call.Args[p.Param])
		if fn == nil || takesContext(fn.Signature) {
			continue
		}
		fs := c.res.Summary(fn)
		if fs == nil || fs.Root == nil {
			continue
		}
		arg := expr.Args[p.Param]
		if fn.Parent() != nil && c.res.ContextInScope(call.Fn, arg.Pos()) != "" {
			continue // a literal where a context is in scope: judged where it is written
		}
		if p.On > 0 && p.On <= len(call.Args) && c.res.Classify(call.Args[p.On-1]).State != ctxflow.Inherited {
			continue // the context the callee would pass is a root of this caller's: nothing to thread
		}
		what := "this function literal"
		if fn.Parent() == nil {
			what = fn.Name()
		}
		via := ""
		if fs.Root.Via != "" {
			via = " via " + fs.Root.Via
		}
		through := call.CalleeName()
		if p.Via != "" {
			through += " (through " + p.Via + ")"
		}
		c.pass.Report(analysis.Diagnostic{
			Pos: arg.Pos(), End: arg.End(),
			Message: fmt.Sprintf("%s starts its own %s, which reaches %s%s, and %s calls it where %s is in scope: that wait ignores the caller's deadline and cancellation; give %s a context parameter and pass %s to it",
				what, fs.Root.Root, fs.Root.Wait, via, through, p.Wait, p.Name, p.Wait),
		})
	}
}

// takesContext reports whether a signature has a parameter carrying a
// context (a context.Context, an *http.Request).
func takesContext(sig *types.Signature) bool {
	for i := range sig.Params().Len() {
		if ctxflow.CarriesContext(sig.Params().At(i).Type()) {
			return true
		}
	}
	return false
}

// rootToBoundedWait reports a fresh root (context.Background(), TODO(), the
// context http.NewRequest binds), made where a caller's context is in
// scope, that reaches, directly or through a call, a wait that may have a
// bound of its own (a client or dialer configured elsewhere, or with a Timeout from
// configuration): nodeadline cannot say the wait has no deadline, but the
// caller's deadline and cancellation certainly stop here. A root that
// travels in a value (a request handed to a helper that sends it) counts
// as one passed directly. A wait its receiver certainly bounds (a constant
// Timeout) is left alone: that bound is the one its author chose.
func (c *checker) rootToBoundedWait(call *ctxflow.Call) {
	ci, ok := call.Instr.(*ssa.Call)
	if !ok {
		return
	}
	if call.Sink != nil {
		// A direct wait on a client or dialer configured elsewhere (or
		// with a timeout from configuration): nodeadline cannot call it
		// unbounded, but the root drops the caller's context. Waits known
		// unbounded are nodeadline's, which says so already.
		if v := c.res.Judge(call); v.HasContext && v.Recv != ctxflow.ReceiverBounded {
			arg := -1
			if i, ok := call.Sink.Context.In(len(call.Args)); ok {
				arg = i
			}
			reach := call.CalleeName() + " waits under it"
			if v.Recv != ctxflow.ReceiverUnknown {
				reach += " with no other deadline"
			}
			c.droppedRoot(call, ci, v.Ctx, reach, arg)
		}
		return
	}
	s := call.Summary
	if s == nil && call.Target != nil {
		s = c.res.Summary(call.Target)
	}
	if s == nil {
		return
	}
	for _, p := range s.Reach {
		if p.ByReceiver || p.BySystem || p.Param >= len(call.Args) || p.Excluded(call.Args) {
			continue
		}
		via := ""
		if p.Via != "" {
			via = " via " + p.Via
		}
		reach := fmt.Sprintf("%s reaches %s%s", call.CalleeName(), p.Wait, via)
		if !p.Bounded {
			reach += " with no other deadline"
		}
		if c.droppedRoot(call, ci, c.res.Classify(call.Args[p.Param]), reach, p.Param) {
			return
		}
	}
}

// droppedRoot reports o, the context a call's wait runs under, if it is a
// root the function made while a caller's context is in scope (not
// deliberately detached work), or a root a constructor kept in a field
// (jaeger's SpanReader ran its searches on s.ctx, a context.Background()
// stored by NewSpanReader, although every method had the caller's ctx):
// arg is the call's argument that holds it, or -1; reach says how it
// reaches the wait. Each root is reported once, a stored one once per
// function.
func (c *checker) droppedRoot(call *ctxflow.Call, ci *ssa.Call, o ctxflow.Origin, reach string, arg int) bool {
	inScope, discarded, ok := c.res.CallerContextDropped(call, o)
	if !ok {
		return false
	}
	key := o.Pos
	if o.StoredRoot {
		key = call.Fn.Pos()
	}
	expr := c.res.Syntax.CallExpr(call.Instr.Common().Pos())
	if expr.Ellipsis.IsValid() || c.reportedRoots[key] {
		return false
	}
	c.reportedRoots[key] = true
	d := analysis.Diagnostic{Pos: expr.Fun.Pos(), End: expr.Fun.End()}
	switch {
	case discarded:
		// The caller's context arrives in a parameter named _: there is
		// nothing to pass until it has a name, so no fix.
		made := o.Desc
		if o.NewRequest {
			made = "http.NewRequest's context.Background()"
		}
		d.Message = fmt.Sprintf("%s replaces the context this function receives and discards (its parameter is _): %s, which then ignores the caller's deadline and cancellation; name that parameter and pass it", made, reach)
		if arg >= 0 && arg < len(expr.Args) && isRootCall(call.Args[arg]) {
			d.Pos, d.End = expr.Args[arg].Pos(), expr.Args[arg].End()
		}
	case o.NewRequest:
		d.Message = fmt.Sprintf("http.NewRequest binds the request to context.Background(), which drops %s's deadline and cancellation: %s, which then runs on after the caller gave up; build it with http.NewRequestWithContext(%s, …)", inScope, reach, inScope)
		if mk := c.res.Syntax.CallExpr(o.Pos); mk != nil {
			if fix := fixutil.ToContextForm(mk, c.res.Syntax.Editable(mk.Pos()), "NewRequestWithContext", inScope, ""); fix != nil {
				d.SuggestedFixes = []analysis.SuggestedFix{*fix}
			}
		}
	default:
		d.Message = fmt.Sprintf("%s drops %s's deadline and cancellation: %s, which then runs on after the caller gave up; pass %s", o.Desc, inScope, reach, inScope)
		if arg >= 0 && arg < len(expr.Args) && isRootCall(call.Args[arg]) {
			d.Pos, d.End = expr.Args[arg].Pos(), expr.Args[arg].End()
			if fix := fixutil.ReplaceContextRoot(c.pass, expr.Args[arg], inScope, c.res.Syntax.Editable(expr.Pos())); fix != nil {
				d.SuggestedFixes = []analysis.SuggestedFix{*fix}
			}
		}
		if sel, ok := storedRootArg(c.pass, expr, arg); ok && o.StoredRoot && c.res.Syntax.Editable(expr.Pos()) {
			d.SuggestedFixes = []analysis.SuggestedFix{{
				Message:   "Pass " + inScope,
				TextEdits: []analysis.TextEdit{{Pos: sel.Pos(), End: sel.End(), NewText: []byte(inScope)}},
			}}
		}
	}
	if c.pass.Fset.Position(o.Pos).Line != c.pass.Fset.Position(d.Pos).Line {
		d.Related = []analysis.RelatedInformation{{Pos: o.Pos, Message: "made here: " + o.Desc}}
	}
	c.pass.Report(d)
	return true
}

// storedRootArg returns a call's argument arg when it is written as a
// field selection (s.ctx), the form a stored root takes where it is passed.
func storedRootArg(pass *analysis.Pass, expr *ast.CallExpr, arg int) (*ast.SelectorExpr, bool) {
	if arg < 0 || arg >= len(expr.Args) {
		return nil, false
	}
	sel, ok := ast.Unparen(expr.Args[arg]).(*ast.SelectorExpr)
	if !ok {
		return nil, false
	}
	v, ok := pass.TypesInfo.Uses[sel.Sel].(*types.Var)
	return sel, ok && v.IsField()
}

// isRootCall reports whether v is a call of context.Background or TODO,
// written where it is passed.
func isRootCall(v ssa.Value) bool {
	root, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	fn, _, _ := ctxflow.SplitCall(root.Common())
	return knowledge.RoleOf(fn) == knowledge.CtxRoot
}

// helperConnDeadline reports a call that hands a connection dialed here to
// a helper that sets its deadline from a fixed timeout, from a function
// whose context may carry an earlier deadline it never looks at.
func (c *checker) helperConnDeadline(call *ctxflow.Call) {
	s := call.Summary
	if s == nil && call.Target != nil {
		s = c.res.Summary(call.Target)
	}
	if s == nil || len(s.FixedDeadline) == 0 || ctxflow.ConsultsDeadline(call.Fn) {
		return
	}
	pos := c.res.Pos(call)
	inScope := c.res.ContextInScope(call.Fn, pos)
	if inScope == "" {
		return
	}
	for _, p := range s.FixedDeadline {
		if p.Param >= len(call.Args) || !c.res.DialedConn(call.Args[p.Param]) {
			continue
		}
		expr := c.res.Syntax.CallExpr(call.Instr.Common().Pos())
		if expr == nil {
			return
		}
		c.pass.Report(analysis.Diagnostic{
			Pos: expr.Fun.Pos(), End: expr.Fun.End(),
			Message: fmt.Sprintf("%s sets %s on the connection from a fixed timeout, ignoring %s's deadline: the connection may wait past the caller's budget; pass %s and use the earlier of the two", call.CalleeName(), p.Wait, inScope, inScope),
		})
		return
	}
}

// innerNotShorter: WithTimeout(parent, d2) where parent already has a
// constant budget d1 < d2. An equal budget is left alone: a stage given
// "the same 5s" reads as meant (kubearchive's fix derived both of its 5 s
// stages from a 5 s parent), and it changes nothing.
func (c *checker) innerNotShorter(call *ssa.Call, expr *ast.CallExpr, callee *types.Func) {
	d2, ok := budget(call, callee)
	if !ok || len(expr.Args) < 2 {
		return
	}
	parent := c.res.Classify(call.Common().Args[0])
	if parent.State != ctxflow.Deadline || parent.Timeout <= 0 || d2 <= parent.Timeout {
		return
	}
	d := analysis.Diagnostic{
		Pos: expr.Args[1].Pos(), End: expr.Args[1].End(),
		Message: fmt.Sprintf("inner budget %v can never fire: its parent context already expires within %v; drop the inner timeout or make it shorter than %v", d2, parent.Timeout, parent.Timeout),
	}
	if parent.Bounder != nil {
		d.Related = []analysis.RelatedInformation{{Pos: parent.Bounder.Pos(), Message: fmt.Sprintf("the parent's %v budget", parent.Timeout)}}
	}
	c.pass.Report(d)
}

// rewrapped: ctx = context.WithX(ctx, …) on every iteration of a loop.
func (c *checker) rewrapped(loops []*ctxflow.Loop, call *ssa.Call, expr *ast.CallExpr, callee *types.Func) {
	phi, ok := call.Common().Args[0].(*ssa.Phi)
	if !ok || !derivesFrom(phi, call, map[*ssa.Phi]bool{}) {
		return
	}
	if knowledge.RoleOf(callee) == knowledge.CtxValue && len(call.Common().Args) >= 2 {
		if loop := ctxflow.Innermost(loops, call.Block()); loop != nil && !loop.Invariant(stripConv(call.Common().Args[1])) {
			return // a different key each round: the loop attaches several values on purpose
		}
	}
	c.pass.Report(analysis.Diagnostic{
		Pos: expr.Pos(), End: expr.End(),
		Message: fmt.Sprintf("%s wraps the context it produced on the previous iteration: budgets chain and values pile up on every pass; derive each iteration's context from the one outside the loop", ctxflow.ShortName(callee)),
	})
}

func stripConv(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.MakeInterface:
			v = x.X
		case *ssa.ChangeType:
			v = x.X
		default:
			return v
		}
	}
}

// derivesFrom reports whether a phi carries the result of call back around
// a loop (directly, through other phis, or through further derivations).
func derivesFrom(phi *ssa.Phi, call *ssa.Call, seen map[*ssa.Phi]bool) bool {
	if seen[phi] {
		return false
	}
	seen[phi] = true
	for _, e := range phi.Edges {
		switch e := e.(type) {
		case *ssa.Call:
			if e == call {
				return true
			}
		case *ssa.Extract:
			if e.Tuple == ssa.Value(call) {
				return true
			}
		case *ssa.Phi:
			if derivesFrom(e, call, seen) {
				return true
			}
		}
	}
	return false
}

// helperOwnConnDeadline reports a call, where a context is in scope, of a
// function of the package that receives no context and sets a fixed
// deadline on a dialed connection it holds (a field of its receiver, a
// connection it dials): the caller's earlier deadline never reaches it.
func (c *checker) helperOwnConnDeadline(call *ctxflow.Call) {
	wait := c.res.FixedConnDeadline(call.Target)
	if wait == "" || ctxflow.ConsultsDeadline(call.Fn) || c.closesOnDone(ctxflow.Outermost(call.Fn)) {
		return
	}
	inScope := c.res.ContextInScope(call.Fn, c.res.Pos(call))
	expr := c.res.Syntax.CallExpr(call.Instr.Common().Pos())
	if inScope == "" || expr == nil {
		return
	}
	c.pass.Report(analysis.Diagnostic{
		Pos: expr.Fun.Pos(), End: expr.Fun.End(),
		Message: fmt.Sprintf("%s sets %s on its connection from a fixed timeout, ignoring %s's deadline: the connection may wait past the caller's budget; pass %s to it and use the earlier of the two", call.CalleeName(), wait, inScope, inScope),
	})
}

// connDeadline: conn.SetDeadline(time.Now().Add(d)) on a connection dialed
// here (or held in a field the package fills with dialed connections), in a function with a caller's context that never looks at its
// deadline or Done channel.
func (c *checker) connDeadline(fn *ssa.Function, call *ssa.Call, method *types.Func) {
	_, recv, args := ctxflow.SplitCall(call.Common())
	if len(args) != 1 || !ctxflow.NowPlus(args[0]) || !c.res.DialedConn(recv) {
		return
	}
	expr := c.res.Syntax.CallExpr(call.Pos())
	if expr == nil || len(expr.Args) != 1 {
		return
	}
	inScope := c.res.ContextInScope(fn, expr.Pos())
	outer := ctxflow.Outermost(fn)
	if inScope == "" || ctxflow.ConsultsDeadline(outer) || c.closesOnDone(outer) {
		return
	}
	what := "time.Now().Add(…)"
	if add, ok := ast.Unparen(expr.Args[0]).(*ast.CallExpr); ok && len(add.Args) == 1 {
		what = "time.Now().Add(" + types.ExprString(add.Args[0]) + ")"
	}
	d := analysis.Diagnostic{
		Pos: expr.Pos(), End: expr.End(),
		Message: fmt.Sprintf("%s(%s) ignores %s's deadline: the connection may wait past the caller's budget; use the earlier of the two (%s.Deadline())", method.Name(), what, inScope, inScope),
	}
	if fix := c.earlierDeadlineFix(expr, inScope); fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	c.pass.Report(d)
}

// closesOnDone reports whether fn (or a closure in it) hands a context and
// a connection to the same call: a watchdog such as watch(ctx, conn) that
// may close the connection when the context ends.
func (c *checker) closesOnDone(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			ci, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			common := ci.Common()
			callee, _, _ := ctxflow.SplitCall(common)
			if _, parent, deadline := knowledge.RoleOf(callee).Derivation(); parent || deadline {
				continue
			}
			var ctx, conn bool
			args := common.Args
			if common.IsInvoke() {
				args = append([]ssa.Value{common.Value}, args...)
			}
			for _, a := range args {
				if a == nil {
					continue
				}
				if knowledge.IsContext(a.Type()) {
					ctx = true
				} else if ctxflow.HasDeadlineSetter(a.Type()) {
					conn = true
				}
			}
			if ctx && conn {
				return true
			}
		}
	}
	for _, anon := range fn.AnonFuncs {
		if c.closesOnDone(anon) {
			return true
		}
	}
	return false
}

// earlierDeadlineFix rewrites
//
//	c.SetDeadline(time.Now().Add(d))
//
// into
//
//	deadline := time.Now().Add(d)
//	if ctxDeadline, ok := ctx.Deadline(); ok && ctxDeadline.Before(deadline) {
//		deadline = ctxDeadline
//	}
//	c.SetDeadline(deadline)
//
// when the call is part of a statement that can be preceded by others (a
// block element, or the init of an if or switch that is one) and the
// deadline expression uses nothing the statement declares.
func (c *checker) earlierDeadlineFix(expr *ast.CallExpr, inScope string) *analysis.SuggestedFix {
	if !c.res.Syntax.Editable(expr.Pos()) {
		return nil
	}
	cur, ok := c.root.FindNode(expr)
	if !ok {
		return nil
	}
	var stmt ast.Stmt
	for anc := range cur.Enclosing() {
		switch n := anc.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl, *ast.GoStmt, *ast.DeferStmt:
			return nil
		case *ast.ExprStmt, *ast.AssignStmt, *ast.ReturnStmt, *ast.IfStmt, *ast.SwitchStmt:
			switch anc.ParentEdgeKind() {
			case edge.BlockStmt_List, edge.CaseClause_Body, edge.CommClause_Body:
				stmt = n.(ast.Stmt)
			case edge.IfStmt_Init, edge.SwitchStmt_Init:
				continue
			default:
				return nil
			}
		case ast.Stmt:
			return nil
		}
		if stmt != nil {
			break
		}
	}
	if stmt == nil {
		return nil
	}
	arg := expr.Args[0]
	info := c.pass.TypesInfo
	declaredInside := false
	ast.Inspect(arg, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if obj := info.Uses[id]; obj != nil && obj.Pos() >= stmt.Pos() && obj.Pos() < stmt.End() {
				declaredInside = true
			}
		}
		return !declaredInside
	})
	if declaredInside {
		return nil
	}
	tf := c.pass.Fset.File(arg.Pos())
	if tf == nil {
		return nil
	}
	src, err := c.pass.ReadFile(tf.Name())
	if err != nil || tf.Offset(arg.End()) > len(src) {
		return nil
	}
	argText := string(src[tf.Offset(arg.Pos()):tf.Offset(arg.End())])
	scope := enclosingScope(info, cur)
	if scope == nil {
		return nil
	}
	deadline := freshName(scope, stmt.Pos(), "deadline")
	// ctxDeadline and ok live in the new if statement only: shadowing is harmless.
	ctxDeadline, okName := "ctxDeadline", "ok"
	indent := fixutil.LineIndent(c.pass, stmt.Pos())
	text := fmt.Sprintf("%s := %s\n%sif %s, %s := %s.Deadline(); %s && %s.Before(%s) {\n%s\t%s = %s\n%s}\n%s",
		deadline, argText, indent, ctxDeadline, okName, inScope, okName, ctxDeadline, deadline, indent, deadline, ctxDeadline, indent, indent)
	return &analysis.SuggestedFix{
		Message: "Use the earlier of this deadline and " + inScope + "'s",
		TextEdits: []analysis.TextEdit{
			{Pos: stmt.Pos(), End: stmt.Pos(), NewText: []byte(text)},
			{Pos: arg.Pos(), End: arg.End(), NewText: []byte(deadline)},
		},
	}
}

// enclosingScope returns the scope of the innermost block, clause or
// function around cur: where a statement inserted before cur's statement
// declares its names.
func enclosingScope(info *types.Info, cur inspector.Cursor) *types.Scope {
	for anc := range cur.Enclosing() {
		var n ast.Node
		switch x := anc.Node().(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			n = x
		case *ast.FuncDecl:
			n = x.Type
		case *ast.FuncLit:
			n = x.Type
		default:
			continue
		}
		if scope := info.Scopes[n]; scope != nil {
			return scope
		}
	}
	return nil
}

// freshName returns base, base2, … : the first name neither visible at pos
// nor declared anywhere in scope (a later declaration in the same block would
// clash with the new one).
func freshName(scope *types.Scope, pos token.Pos, base string) string {
	name := base
	for i := 2; i < 100; i++ {
		if scope == nil {
			return name
		}
		_, visible := scope.LookupParent(name, pos)
		if visible == nil && scope.Lookup(name) == nil {
			return name
		}
		name = fmt.Sprintf("%s%d", base, i)
	}
	return name
}

// sequentialStages: two WithTimeout calls with constant budgets from the same
// parent, one after the other.
func (c *checker) sequentialStages(calls []*ssa.Call) {
	dur := func(call *ssa.Call) time.Duration {
		fn, _ := call.Common().StaticCallee().Object().(*types.Func)
		if fn == nil {
			return 0
		}
		d, _ := budget(call, fn)
		return d
	}
	for i, second := range calls {
		if ctxflow.InLoop(second.Block()) {
			continue // the retry-loop check covers loops
		}
		var prior []*ssa.Call
		for _, first := range calls[:i] {
			if first.Parent() != second.Parent() || first.Common().Args[0] != second.Common().Args[0] {
				continue
			}
			if !first.Block().Dominates(second.Block()) || first.Block() == second.Block() && !before(first, second) {
				continue
			}
			prior = append(prior, first)
		}
		expr := c.res.Syntax.CallExpr(second.Pos())
		if len(prior) == 0 || expr == nil {
			continue
		}
		total := dur(second)
		var each []string
		for _, p := range prior {
			total += dur(p)
			each = append(each, dur(p).String())
		}
		previous := fmt.Sprintf("the previous stage's %s", each[0])
		if len(prior) > 1 {
			previous = fmt.Sprintf("the %d stages before it (%s)", len(prior), strings.Join(each, ", "))
		}
		c.pass.Report(analysis.Diagnostic{
			Pos: expr.Pos(), End: expr.End(),
			Message: fmt.Sprintf("this stage gets a fresh %v from the same parent as %s: together they may take %v; give the stages one deadline (context.WithTimeout around them all, or WithDeadline with a shared time)", dur(second), previous, total),
			Related: []analysis.RelatedInformation{{Pos: prior[len(prior)-1].Pos(), Message: "the previous stage"}},
		})
	}
}

func before(a, b ssa.Instruction) bool {
	for _, x := range a.Block().Instrs {
		if x == a {
			return true
		}
		if x == b {
			return false
		}
	}
	return false
}

// isDoneCall reports whether call is a context's Done().
func isDoneCall(call *ssa.Call) bool {
	callee, _, _ := ctxflow.SplitCall(call.Common())
	return knowledge.RoleOf(callee) == knowledge.CtxDone
}

// copiesDeadline reports whether a WithDeadline call's deadline is what a
// context's Deadline() returned (boulder's multiSource copied its caller's).
func copiesDeadline(call *ssa.Call) bool {
	args := call.Common().Args
	return len(args) >= 2 && ctxflow.DeadlineResult(args[1], 0) != nil
}

// ownTimerWait reports a select that waits for an answer under a timer of
// its own (time.After, a Timer's C) while a caller's context is in scope
// and no case is a context's Done: the caller's cancellation and any
// earlier deadline never reach the wait (wsrpc's Invoke waited two seconds
// for the reply whatever ctx said). Only a blocking select outside any
// loop, with a receive that is no clock (the answer), whose clock case
// ends the function in an error (a timeout).
func (c *checker) ownTimerWait(fn *ssa.Function, sel *ssa.Select) {
	if !sel.Blocking || ctxflow.InLoop(sel.Block()) {
		return
	}
	clock, answer := -1, false
	for i, st := range sel.States {
		if st.Dir != types.RecvOnly {
			continue
		}
		switch {
		case ctxflow.IsDoneChan(st.Chan):
			return // the context is watched
		case ctxflow.ClockChan(st.Chan):
			if clock < 0 {
				clock = i
			}
		default:
			answer = true
		}
	}
	if clock < 0 || !answer || !ctxflow.FailsAfterCase(fn, sel, clock) {
		return
	}
	inScope := c.res.ContextInScope(fn, sel.Pos())
	if inScope == "" {
		return
	}
	clause := c.res.SelectClause(sel, clock)
	if clause == nil {
		return
	}
	c.pass.Report(analysis.Diagnostic{
		Pos: clause.Pos(), End: clause.Colon + 1,
		Message: fmt.Sprintf("this select waits for an answer under a timer of its own and has no case on %s.Done(): %s's cancellation and deadline never reach the wait; add case <-%s.Done() returning %s.Err()", inScope, inScope, inScope, inScope),
	})
}
