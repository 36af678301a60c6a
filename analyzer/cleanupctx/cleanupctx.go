package cleanupctx

import (
	_ "embed"
	"fmt"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

//go:embed doc.go
var doc string

// Analyzer is cleanupctx on the shared core. cleanupctx has no settings.
var Analyzer = New(ctxflow.Analyzer)

// New returns cleanupctx on the given core.
func New(core *analysis.Analyzer) *analysis.Analyzer {
	a := &analysis.Analyzer{
		Name:     "cleanupctx",
		Doc:      lintutil.ExtractDoc(doc, "cleanupctx"),
		URL:      lintutil.URL("cleanupctx"),
		Requires: []*analysis.Analyzer{core},
	}
	a.Run = lintutil.Run(a.Name, func(pass *analysis.Pass) (any, error) {
		return run(pass, pass.ResultOf[core].(*ctxflow.Result))
	})
	return a
}

// use is a context a call hands to something that waits or cleans up.
type use struct {
	ctx        ssa.Value // as given
	what       string    // the wait or cleanup, for messages
	cleanup    bool      // a cleanup call (Shutdown, Rollback…), not work
	cancelSafe bool      // a cancelled context is harmless to it
	// onlyDone: a call judged only where its context is known done (it
	// returns that context's cancellation, so it fails at once there).
	onlyDone bool
}

func run(pass *analysis.Pass, res *ctxflow.Result) (any, error) {
	byFn := map[*ssa.Function][]*ctxflow.Call{}
	for _, c := range res.Calls {
		byFn[c.Fn] = append(byFn[c.Fn], c)
	}
	// What each call hands to a wait or cleanup, looked up once: the
	// field pairs' methods and every check below need it.
	usesOf := map[*ctxflow.Call][]use{}
	usesCached := func(c *ctxflow.Call) []use {
		u, ok := usesOf[c]
		if !ok {
			u = uses(res, c)
			usesOf[c] = u
		}
		return u
	}
	fp := newFieldPairs(res)
	fp.findWaits(res, byFn, usesCached)
	checkStaleBudgets(pass, res, byFn, usesCached)
	for _, fn := range res.SrcFuncs {
		calls := byFn[fn]
		if res.Syntax.Skip(fn.Pos(), false) {
			// Test code: only its cleanups are judged (checkTestCleanup),
			// so the uses of other functions' calls are not looked up.
			if len(calls) > 0 && !res.Syntax.InGeneratedFile(fn.Pos()) && testCleanupOf(fn) != nil {
				lintutil.Guard(pass, "cleanupctx", fn, func() {
					used := map[*ctxflow.Call][]use{}
					for _, c := range calls {
						used[c] = usesCached(c)
					}
					checkTestCleanup(pass, res, fn, calls, used)
				})
			}
			continue
		}
		lintutil.Guard(pass, "cleanupctx", fn, func() {
			used := map[*ctxflow.Call][]use{}
			judged := map[ssa.CallInstruction]bool{}
			for _, c := range calls {
				used[c] = usesCached(c)
				for _, u := range used[c] {
					if !u.cancelSafe {
						judged[c.Instr] = true
					}
				}
			}
			checkAfterCancel(pass, res, fn, judged)
			checkAfterFieldCancel(pass, res, fp, fn, calls, used)
			checkMethodAfterFieldCancel(pass, res, fp, fn, calls)
			checkRegisteredAfterCancel(pass, res, fn, calls, used)
			checkOutlivedRequest(pass, res, fn, calls, used)
			checkTestCleanup(pass, res, fn, calls, used)
			if len(calls) > 0 {
				check(pass, res, fn, calls, used)
				checkDerivedWhenDone(pass, res, fn, calls, used)
			}
		})
	}
	return nil, nil
}

func check(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, calls []*ctxflow.Call, used map[*ctxflow.Call][]use) {
	dones := res.Dones(fn)
	var tests []*ctxflow.CancelTest
	for _, b := range fn.Blocks {
		if t := ctxflow.CancelTestOf(b); t != nil {
			tests = append(tests, t)
		}
	}
	for _, c := range calls {
		expr := res.Syntax.CallExpr(c.Instr.Common().Pos())
		if expr == nil {
			continue
		}
		for _, u := range append(slices.Clone(used[c]), endsOnCancel(res, c)...) {
			root, derived, timeout := observed(res, fn, u.ctx)
			if root == nil {
				continue
			}
			via := ""
			if derived {
				via = " (derived from it, so done too)"
			}
			name := ctxName(root)
			donePos := token.NoPos
			if d := doneAt(res, dones, root, c.Instr); d != nil {
				donePos = d.Pos
			} else {
				donePos = cancelledAt(res, fn, root, c.Instr)
			}
			if !donePos.IsValid() && !u.cancelSafe && !u.onlyDone {
				if t := mayBeCancelledAt(res, fn, tests, root, c.Instr); t != nil && (u.cleanup || handedError(c.Instr, t.Err)) {
					pass.Report(analysis.Diagnostic{
						Pos: expr.Pos(), End: expr.End(),
						Message: fmt.Sprintf("%s handles a failure that may be %s's cancellation (tested just above) and is given that context%s: when it is, the context is done and this fails at once instead of %s; give it context.WithTimeout(context.WithoutCancel(%s), d)",
							u.what, name, via, doing(u), name),
						Related: []analysis.RelatedInformation{{Pos: t.Pos, Message: "the failure is tested for a cancellation here"}},
					})
					continue
				}
			}
			if donePos.IsValid() {
				pass.Report(analysis.Diagnostic{
					Pos: expr.Pos(), End: expr.End(),
					Message: fmt.Sprintf("%s runs after %s is done and is given that context%s, so it fails at once instead of %s: give it context.WithTimeout(context.WithoutCancel(%s), d)",
						u.what, name, via, doing(u), name),
					Related: []analysis.RelatedInformation{{Pos: donePos, Message: "the context is known to be done from here"}},
				})
				continue
			}
			if _, deferred := c.Instr.(*ssa.Defer); !deferred || u.cancelSafe || u.onlyDone {
				continue
			}
			switch {
			case returnsWhenDone(res, fn, dones, root) != nil:
				ret := returnsWhenDone(res, fn, dones, root)
				pass.Report(analysis.Diagnostic{
					Pos: expr.Pos(), End: expr.End(),
					Message: fmt.Sprintf("deferred %s gets %s%s, and the function returns once %s is done: the %s then fails at once; give it context.WithTimeout(context.WithoutCancel(%s), d)",
						u.what, name, via, name, noun(u), name),
					Related: []analysis.RelatedInformation{{Pos: ret.Pos(), Message: "returns here once the context is done"}},
				})
			case timeout != nil:
				pass.Report(analysis.Diagnostic{
					Pos: expr.Pos(), End: expr.End(),
					Message: fmt.Sprintf("deferred %s shares the timeout this function set for its work: when the work runs out of time, the %s gets none and fails; give it context.WithTimeout(context.WithoutCancel(%s), d)",
						u.what, noun(u), name),
					Related: []analysis.RelatedInformation{{Pos: timeout.Pos(), Message: "the work's timeout"}},
				})
			case isParamOf(root, fn):
				pass.Report(analysis.Diagnostic{
					Pos: expr.Pos(), End: expr.End(),
					Message: fmt.Sprintf("deferred %s gets the function's own context%s: when the function returns because %s is done, the %s gets no time; give it context.WithTimeout(context.WithoutCancel(%s), d)",
						u.what, via, name, noun(u), name),
				})
			}
		}
	}
}

func doing(u use) string {
	if u.cleanup {
		return "cleaning up"
	}
	return "doing its work"
}

func noun(u use) string {
	if u.cleanup {
		return "cleanup"
	}
	return "call"
}

// uses lists the contexts a call hands to a wait or a cleanup: a catalog
// wait or cleanup, a function whose summary says its context parameter
// reaches one, or a function literal of this package whose captured
// context does.
func uses(res *ctxflow.Result, c *ctxflow.Call) []use {
	return usesIn(res, c, map[*ssa.Function]bool{})
}

// usesIn is uses with the literals already looked into: a literal that
// calls itself (through a variable or a hook field it is stored in, as
// twirp's ChainHooks does) is looked into once.
func usesIn(res *ctxflow.Result, c *ctxflow.Call, seen map[*ssa.Function]bool) []use {
	var out []use
	if c.Sink != nil {
		if i, ok := c.Sink.Context.In(len(c.Args)); ok {
			out = append(out, use{ctx: c.Args[i], what: c.CalleeName()})
		}
		return out
	}
	if c.Cleanup != nil {
		if i, ok := c.Cleanup.Context.In(len(c.Args)); ok {
			out = append(out, use{ctx: c.Args[i], what: c.CalleeName(), cleanup: true, cancelSafe: c.Cleanup.CancelSafe})
		}
		return out
	}
	s := c.Summary
	if s == nil && c.Target != nil {
		s = res.Summary(c.Target)
	}
	for i, a := range c.Args {
		if p := s.CleanupOf(i); p != nil {
			out = append(out, use{ctx: a, what: c.CalleeName(), cleanup: true})
		} else if p := s.ReachOf(i); p != nil {
			out = append(out, use{ctx: a, what: c.CalleeName()})
		}
	}
	if c.Target != nil && c.Target.Parent() != nil && !seen[c.Target] {
		seen[c.Target] = true
		out = append(out, captured(res, c.Target, seen)...)
	}
	return out
}

// endsOnCancel lists the contexts a call hands to a function that waits on
// something the analysis does not know as a wait (a poll of the file
// system) but returns that context's cancellation (its summary's
// CancelList): given a context known done, it fails at once (argo's
// emissary waited for killed containers with the expired context).
func endsOnCancel(res *ctxflow.Result, c *ctxflow.Call) []use {
	if c.Sink != nil || c.Cleanup != nil {
		return nil
	}
	s := c.Summary
	if s == nil && c.Target != nil {
		s = res.Summary(c.Target)
	}
	var out []use
	for _, i := range s.Cancels() {
		if i < len(c.Args) && s.ReachOf(i) == nil && s.CleanupOf(i) == nil {
			out = append(out, use{ctx: c.Args[i], what: c.CalleeName(), onlyDone: true})
		}
	}
	return out
}

// captured lists, for a function literal, the contexts it captures and
// hands to a wait or a cleanup, as the values bound where it was made.
func captured(res *ctxflow.Result, lit *ssa.Function, seen map[*ssa.Function]bool) []use {
	var out []use
	for _, c := range res.CallsIn(lit) {
		for _, u := range usesIn(res, c, seen) {
			fv := freeVarOf(u.ctx)
			if fv == nil {
				continue
			}
			if b := res.Binding(fv); b != nil {
				u.ctx = b
				u.what = u.what + " (in " + ctxflow.LiteralName(lit) + ")"
				out = append(out, u)
			}
		}
	}
	return out
}

// freeVarOf returns the captured variable a context value comes from
// (directly, loaded, or through derivations), or nil.
func freeVarOf(v ssa.Value) *ssa.FreeVar {
	for i := 0; i < 16; i++ {
		switch x := v.(type) {
		case *ssa.FreeVar:
			return x
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return nil
			}
			v = x.X
		case *ssa.Extract:
			v = x.Tuple
		case *ssa.Call:
			fn, _, args := ctxflow.SplitCall(x.Common())
			if _, parent, deadline := knowledge.RoleOf(fn).Derivation(); (parent || deadline) && len(args) > 0 {
				v = args[0]
				continue
			}
			if recv := carrierOf(x); recv != nil {
				v = recv // stream.Context() of a captured stream
				continue
			}
			return nil
		default:
			return nil
		}
	}
	return nil
}

// observed walks a context back through WithCancel/WithTimeout/WithDeadline/
// WithValue (which inherit their parent's cancellation) to the value that
// can be observed done: a parameter, a capture, or a context returned by a
// call. It stops (nil) at WithoutCancel, Background and anything it cannot
// see through. timeout is the WithTimeout/WithDeadline call made in fn on
// the way, if any.
func observed(res *ctxflow.Result, fn *ssa.Function, v ssa.Value) (root ssa.Value, derived bool, timeout *ssa.Call) {
	return observedFrom(res, fn, v, &walk{seen: map[*ssa.Alloc]bool{}})
}

// walk is the state of one observed search: the variables on the current
// path (a cycle answers nil) and a budget of steps for the whole search,
// since variables assigned from one another can fan out.
type walk struct {
	seen  map[*ssa.Alloc]bool
	steps int
}

// maxWalkSteps bounds one observed search; past it the answer is nil
// (not observable), which reports nothing.
const maxWalkSteps = 512

func observedFrom(res *ctxflow.Result, fn *ssa.Function, v ssa.Value, w *walk) (root ssa.Value, derived bool, timeout *ssa.Call) {
	for i := 0; i < 32; i++ {
		if w.steps++; w.steps > maxWalkSteps {
			return nil, false, nil
		}
		v = res.Underlying(v)
		var call *ssa.Call
		switch x := v.(type) {
		case *ssa.Extract:
			call, _ = x.Tuple.(*ssa.Call)
		case *ssa.Call:
			call = x
		case *ssa.Parameter, *ssa.FreeVar:
			return v, derived, timeout
		case *ssa.TypeAssert:
			// A context taken out of a bag (travis-ci's state.Get("ctx")):
			// the value itself is what the function may learn is done.
			if !x.CommaOk && knowledge.IsContext(x.Type()) {
				return v, derived, timeout
			}
			return nil, false, nil
		case *ssa.Alloc:
			// A variable assigned more than once (ctx = WithLease(ctx, id)
			// after a closure captured it): observable when every value
			// stored derives from one root.
			r, d, t := storedRoot(res, fn, x, w)
			if r == nil {
				return nil, false, nil
			}
			if timeout == nil {
				timeout = t
			}
			return r, derived || d, timeout
		case *ssa.UnOp:
			if x.Op == token.MUL {
				if fv, ok := x.X.(*ssa.FreeVar); ok {
					return fv, derived, timeout
				}
				if alloc, ok := x.X.(*ssa.Alloc); ok {
					v = alloc
					continue
				}
			}
			return nil, false, nil
		default:
			return nil, false, nil
		}
		if call == nil {
			return nil, false, nil
		}
		callee, _, args := ctxflow.SplitCall(call.Common())
		role := knowledge.RoleOf(callee)
		_, parent, deadline := role.Derivation()
		if !parent && !deadline || len(args) == 0 {
			if k := res.PassedContext(call); k >= 0 && k < len(args) {
				v, derived = args[k], true // a decorator: the caller's context, with values
				continue
			}
			if callee == nil || role != knowledge.NoRole {
				return nil, false, nil // a root: Background, TODO, WithoutCancel
			}
			if recv := res.Underlying(carrierOf(call)); recv != nil {
				if _, ok := recv.(*ssa.Parameter); ok {
					// stream.Context() of the function's own stream or
					// request parameter: the function's own context.
					return recv, derived, timeout
				}
			}
			return v, derived, timeout // a context returned by some call: observable as it is
		}
		if deadline && call.Parent() == fn && timeout == nil {
			timeout = call
		}
		v, derived = args[0], true
	}
	return nil, false, nil
}

// storedRoot is observed for every value stored in a variable: their common
// root, or nil. Stores that load the variable itself again (ctx =
// f(ctx)) add nothing but their derivation.
func storedRoot(res *ctxflow.Result, fn *ssa.Function, alloc *ssa.Alloc, w *walk) (root ssa.Value, derived bool, timeout *ssa.Call) {
	if w.seen[alloc] {
		return nil, false, nil
	}
	w.seen[alloc] = true
	defer delete(w.seen, alloc)
	stores := 0
	for _, ref := range *alloc.Referrers() {
		st, ok := ref.(*ssa.Store)
		if !ok || st.Addr != alloc {
			continue
		}
		stores++
		r, d, t := observedFrom(res, fn, st.Val, w)
		if r == nil {
			if reloads(st.Val, alloc) {
				derived = true
				continue
			}
			return nil, false, nil
		}
		if root != nil && r != root {
			return nil, false, nil
		}
		root, derived = r, derived || d || stores > 1
		if timeout == nil {
			timeout = t
		}
	}
	return root, derived, timeout
}

// reloads reports whether v is derived (through context constructors and
// decorators the walk accepts) from a load of alloc: the second half of
// ctx = f(ctx).
func reloads(v ssa.Value, alloc *ssa.Alloc) bool {
	for i := 0; i < 16; i++ {
		switch x := v.(type) {
		case *ssa.UnOp:
			return x.Op == token.MUL && x.X == alloc
		case *ssa.Extract:
			v = x.Tuple
		case *ssa.Call:
			if len(x.Call.Args) == 0 {
				return false
			}
			v = x.Call.Args[0]
		default:
			return false
		}
	}
	return false
}

// doneAt returns the point from which root is known done where instr runs.
func doneAt(res *ctxflow.Result, dones []*ctxflow.Done, root ssa.Value, instr ssa.Instruction) *ctxflow.Done {
	idx := ctxflow.IndexOf(instr)
	for _, d := range dones {
		if d.Ctx != nil && res.Underlying(d.Ctx) == res.Underlying(root) && d.Covers(instr.Block(), idx) {
			return d
		}
	}
	return nil
}

// cancelledAt returns the test that found an error to be root's
// cancellation (errors.Is(err, context.Canceled) on the error of a call
// given root, which returns that context's cancellation) when its branch
// dominates instr: root is done there (argo's emissary Kill waited again
// with the context whose wait had just ended in its cancellation).
func cancelledAt(res *ctxflow.Result, fn *ssa.Function, root ssa.Value, instr ssa.Instruction) token.Pos {
	for _, b := range fn.Blocks {
		t := ctxflow.CancelTestOf(b)
		if t == nil || !t.Holds.Dominates(instr.Block()) || len(t.Holds.Preds) != 1 {
			continue
		}
		if testsErrorOf(res, fn, t, root) {
			return t.Pos
		}
	}
	return token.NoPos
}

// testsErrorOf reports whether the cancellation test t tests an error of a
// call given root (or a context derived from it).
func testsErrorOf(res *ctxflow.Result, fn *ssa.Function, t *ctxflow.CancelTest, root ssa.Value) bool {
	for _, src := range res.ErrSources(t.Err) {
		if src.CtxValue == nil {
			continue
		}
		if r, _, _ := observed(res, fn, src.CtxValue); r != nil && res.Underlying(r) == res.Underlying(root) {
			return true
		}
	}
	return false
}

// mayBeCancelledAt returns one of fn's cancellation tests that asks
// whether an error of a call given root is its cancellation, when instr runs after that test on its
// side where it holds and on the other (maestro's worker tested the
// executor's error for context.Canceled to set a status, then handed the
// error and the same context to the rollback): root may be done there.
func mayBeCancelledAt(res *ctxflow.Result, fn *ssa.Function, tests []*ctxflow.CancelTest, root ssa.Value, instr ssa.Instruction) *ctxflow.CancelTest {
	for _, t := range tests {
		if b := t.If.Block(); !b.Dominates(instr.Block()) || t.Holds.Dominates(instr.Block()) || !ctxflow.Reaches(t.Holds, instr.Block()) {
			continue
		}
		if testsErrorOf(res, fn, t, root) {
			return t
		}
	}
	return nil
}

// handedError reports whether the call is given err: a handler of that
// failure (a rollback, a report).
func handedError(ci ssa.CallInstruction, err ssa.Value) bool {
	for _, a := range ci.Common().Args {
		if ctxflow.StripInterface(a) == ctxflow.StripInterface(err) {
			return true
		}
	}
	return false
}

// returnsWhenDone returns a return of fn that runs once root is known done.
func returnsWhenDone(res *ctxflow.Result, fn *ssa.Function, dones []*ctxflow.Done, root ssa.Value) *ssa.Return {
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		if doneAt(res, dones, root, ret) != nil {
			return ret
		}
	}
	return nil
}

func isParamOf(v ssa.Value, fn *ssa.Function) bool {
	p, ok := v.(*ssa.Parameter)
	return ok && p.Parent() == fn
}

func ctxName(v ssa.Value) string {
	var name string
	switch x := v.(type) {
	case *ssa.Parameter:
		name = x.Name()
	case *ssa.FreeVar:
		name = x.Name()
	default:
		return "ctx"
	}
	if !knowledge.IsContext(v.Type()) {
		// A stream or request that carries the function's context: name
		// the method that gives it, found by its signature.
		if m := ctxflow.ContextMethod(v.Type()); m != "" {
			return name + "." + m + "()"
		}
	}
	return name
}

// carrierOf returns the value whose context a call reads, when the call is
// a method with no parameters returning a context (a gRPC stream's or a
// request's Context()), or nil.
func carrierOf(call *ssa.Call) ssa.Value {
	common := call.Common()
	var recv ssa.Value
	var sig *types.Signature
	if common.IsInvoke() {
		recv, sig = common.Value, common.Method.Signature()
	} else if fn, r, args := ctxflow.SplitCall(common); fn != nil && r != nil && len(args) == 0 {
		recv, sig = r, fn.Signature()
	}
	if recv == nil || sig.Params().Len() != 0 || sig.Results().Len() != 1 || !knowledge.IsContext(sig.Results().At(0).Type()) {
		return nil
	}
	return recv
}
