package swallowcancel

import (
	"context"
	_ "embed"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

//go:embed doc.go
var doc string

// Config is swallowcancel's configuration. The zero value is the default.
type Config struct {
	// WrapAll counts errors from any call given a context that can be
	// cancelled as possible cancellations (-swallowcancel.wrap-all), not
	// only those the analysis can follow to ctx.Err(), context.Cause or a
	// call that waits.
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
		Requires: []*analysis.Analyzer{core},
	}
	a.Run = lintutil.Run(a.Name, func(pass *analysis.Pass) (any, error) {
		return run(pass, pass.ResultOf[core].(*ctxflow.Result), cfg)
	})
	a.Flags.BoolVar(&cfg.WrapAll, "wrap-all", cfg.WrapAll, "count errors from any call given a context as possible cancellations, not only those that come from ctx.Err(), context.Cause or a call that waits")
	return a
}

// checker holds what the checks of one package share.
type checker struct {
	pass *analysis.Pass
	res  *ctxflow.Result
	cfg  *Config
	// replaced memoises the error converters' paths (see replaces).
	replaced map[*ssa.Parameter]*replacement
	// reportedAt keeps a function handed to several retry helpers from
	// being reported once per helper.
	reportedAt map[token.Pos]bool
	// predicates memoises isCancelPredicate.
	predicates map[*ssa.Function]bool
	// live memoises liveOn.
	live map[liveKey]bool
	// command is set in package main: only the checks of loops that go
	// on after a cancellation run (checkLoops).
	command bool
}

// fnInfo is what the checks need to know about one function.
type fnInfo struct {
	fn      *ssa.Function
	loops   []*ctxflow.Loop
	errLast bool // the last result is an error
	onlyErr bool // error is the only result
	serves  bool // an http.ResponseWriter is in scope: serving code
}

func run(pass *analysis.Pass, res *ctxflow.Result, cfg *Config) (any, error) {
	if res.Pkg == nil {
		return nil, nil
	}
	c := &checker{pass: pass, res: res, cfg: cfg, replaced: map[*ssa.Parameter]*replacement{}, reportedAt: map[token.Pos]bool{}, predicates: map[*ssa.Function]bool{}}
	// A command ends on Ctrl-C and owns that cancellation: what it returns
	// for it is its own business. Its loops must still stop.
	c.command = pass.Pkg.Name() == "main"
	for _, fn := range res.SrcFuncs {
		if len(fn.Blocks) == 0 || res.Syntax.Skip(fn.Pos(), false) {
			continue
		}
		lintutil.Guard(pass, "swallowcancel", fn, func() { c.checkFunc(fn) })
	}
	return nil, nil
}

func (c *checker) checkFunc(fn *ssa.Function) {
	f := &fnInfo{fn: fn, loops: ctxflow.Loops(fn)}
	if ctxflow.ErrorLast(fn.Signature) {
		f.errLast = true
		f.onlyErr = fn.Signature.Results().Len() == 1
	}
	for g := fn; g != nil; g = g.Parent() {
		for _, p := range g.Params {
			if knowledge.TypeRole(p.Type()) == knowledge.HTTPResponseWriterType {
				f.serves = true
			}
		}
	}
	if f.serves {
		return // a client that went away is the server's to answer (often a 499)
	}
	if c.command {
		c.checkLoops(f)
		return
	}
	if !f.errLast && carrierField(fn.Signature) >= 0 {
		c.checkDone(f)
	}
	if f.errLast {
		c.checkCancelTests(f)
		c.checkDone(f)
		c.checkReplaced(f)
		c.checkSilentDone(f)
		c.checkEndsOnDone(f)
	}
	c.checkDeferredResult(f)
	c.checkErrorf(f)
	c.checkRowsErr(f)
	c.checkConverted(f)
	c.checkLoops(f)
	c.checkDropped(f)
	c.checkSuccessPath(f)
	c.checkRangeDone(f)
	c.checkClosedOnDone(f)
	c.checkHandedFresh(f)
	c.checkCompletedNil(f)
}

// checkLoops runs the checks of loops that go on once the context is
// done: retries of a cancellation, a done case that goes round. Once the
// context is done they spin or retry for ever, in a command too (Ctrl-C
// does not stop them).
func (c *checker) checkLoops(f *fnInfo) {
	c.checkRetriedByHelper(f)
	c.checkIgnoredContextRetry(f)
	c.checkRoundAfterDone(f, c.checkRetry(f))
	c.checkDeadlineOnly(f)
	c.checkDeadlineRetried(f)
	c.checkCanceledOnly(f)
	c.checkDoneCaseGoesRound(f)
}

// cancellations returns the sources by which the error v, used at
// instruction at, may carry a cancellation the function does not own; with
// -wrap-all, any call given a cancellable context counts. A source whose
// context was checked not done after the error and before the use is no
// cancellation (had it been one, the context would be done).
func (c *checker) cancellations(f *fnInfo, v ssa.Value, at ssa.Instruction) []ctxflow.ErrSource {
	return c.cancellationsIn(f, v, at, nil)
}

// retriedFailures is cancellations for an error a helper retries: there a
// call that only fails once its context is done counts too (a command of
// exec.CommandContext is killed), since every later attempt fails as well.
func (c *checker) retriedFailures(f *fnInfo, v ssa.Value, at ssa.Instruction) []ctxflow.ErrSource {
	return c.sourcesIn(f, v, at, nil, c.res.FailureSources)
}

// cancellationsIn is cancellations for a retry in loop: there a context the
// function owns counts too when the loop does not make it anew each round
// (ollama's upload made ctx with WithCancel before its retries and slept
// through all of them once it was cancelled): retrying work whose context
// is done is futile whoever cancelled it, and only a per-attempt budget
// may run out and be retried.
func (c *checker) cancellationsIn(f *fnInfo, v ssa.Value, at ssa.Instruction, loop *ctxflow.Loop) []ctxflow.ErrSource {
	sources := c.res.ErrSources
	if loop != nil {
		sources = c.res.FailureSources
	}
	return c.sourcesIn(f, v, at, loop, sources)
}

func (c *checker) sourcesIn(f *fnInfo, v ssa.Value, at ssa.Instruction, loop *ctxflow.Loop, sources func(ssa.Value) []ctxflow.ErrSource) []ctxflow.ErrSource {
	if at != nil && c.messageRulesOut(at.Block(), v) {
		return nil
	}
	var out []ctxflow.ErrSource
	for _, s := range sources(v) {
		if s.Sentinel != knowledge.NoRole {
			continue
		}
		if ctx := ctxOf(s); ctx != nil && c.res.Owned(f.fn, ctx) && (loop == nil || !loop.Invariant(ctx) || !ctxflow.Cancellable(s.Ctx.State)) {
			continue
		}
		if c.checkedNotDone(f, s, at) {
			continue
		}
		out = append(out, s)
	}
	if len(out) == 0 && c.cfg.WrapAll {
		out = c.anyContextCall(f, v)
	}
	return out
}

// cancelMessages are what a cancellation's Error() says, wrapped or not.
var cancelMessages = []string{context.Canceled.Error(), context.DeadlineExceeded.Error()}

// messageRulesOut reports whether block b runs only when err's message
// contains a text that no cancellation's message contains (docker's
// strings.Contains(err.Error(), "malformed HTTP response")): err is no
// cancellation there, wrapped or not.
func (c *checker) messageRulesOut(b *ssa.BasicBlock, err ssa.Value) bool {
	for iff := range ctxflow.TrueGuards(b) {
		call, ok := iff.Cond.(*ssa.Call)
		if !ok {
			continue
		}
		callee, _, args := ctxflow.SplitCall(call.Common())
		if knowledge.RoleOf(callee) != knowledge.StringsContains || len(args) != 2 {
			continue
		}
		text, ok := args[1].(*ssa.Const)
		if !ok || text.Value == nil || text.Value.Kind() != constant.String {
			continue
		}
		msg, ok := args[0].(*ssa.Call)
		if !ok {
			continue
		}
		m, recv, _ := ctxflow.SplitCall(msg.Common())
		if !knowledge.IsErrorMethod(m) || recv == nil || !sameVariable(ctxflow.StripInterface(recv), ctxflow.StripInterface(err)) {
			continue
		}
		want := constant.StringVal(text.Value)
		if !slices.ContainsFunc(cancelMessages, func(m string) bool { return strings.Contains(m, want) }) {
			return true
		}
	}
	return false
}

// checkedNotDone reports whether, between the source's call and at, a test
// found the source's context not done.
func (c *checker) checkedNotDone(f *fnInfo, s ctxflow.ErrSource, at ssa.Instruction) bool {
	src, ok := s.At.(ssa.Instruction)
	if !ok || at == nil || s.Ctx.Param == nil {
		return false
	}
	return c.foundNotDone(f, src.Block(), at.Block(), s.Ctx.Param)
}

// foundNotDone reports whether a test that runs after block from (which
// dominates it) found a context not done on every way to block at: any
// context, or only the one param when it is given.
func (c *checker) foundNotDone(f *fnInfo, from, at *ssa.BasicBlock, param *ssa.Parameter) bool {
	for _, d := range c.res.Dones(f.fn) {
		iff, ok := d.Instr.(*ssa.If)
		if !ok || param != nil && d.Origin.Param != param {
			continue
		}
		notDone := iff.Block().Succs[0]
		if notDone == d.Block {
			notDone = iff.Block().Succs[1]
		}
		if notDone.Dominates(at) && from.Dominates(iff.Block()) {
			return true
		}
	}
	return false
}

// ctxOf returns the context value a source's call was given, or nil.
func ctxOf(s ctxflow.ErrSource) ssa.Value {
	if s.CtxValue != nil {
		return s.CtxValue
	}
	if s.Ctx.Param != nil {
		return s.Ctx.Param
	}
	return nil
}

// anyContextCall is -wrap-all's wider net: v comes straight from a call
// given a context that can be cancelled.
func (c *checker) anyContextCall(f *fnInfo, v ssa.Value) []ctxflow.ErrSource {
	call := callOf(v)
	if call == nil {
		return nil
	}
	callee, _, args := ctxflow.SplitCall(call.Common())
	if callee != nil && (knowledge.NonWaiting(callee) || knowledge.CleanupOf(callee) != nil) {
		return nil
	}
	for _, a := range args {
		if !knowledge.IsContext(a.Type()) || c.res.Owned(f.fn, a) {
			continue
		}
		if ctxflow.Cancellable(c.res.Classify(a).State) {
			name := "a function value"
			if callee != nil {
				name = ctxflow.ShortName(callee)
			}
			return []ctxflow.ErrSource{{Ctx: c.res.Classify(a), Desc: "a call given ctx: " + name, At: call}}
		}
	}
	return nil
}

// sourceText renders the first source for a message: " (from X)".
func sourceText(srcs []ctxflow.ErrSource) string {
	if len(srcs) == 0 {
		return ""
	}
	return " (from " + srcs[0].Desc + ")"
}

// errResult returns the value a return gives as its error result. In a
// function with defers, results travel through local slots (stored, defers
// run, loaded): the value is the last one stored before the return.
func errResult(ret *ssa.Return) ssa.Value {
	return ctxflow.Returned(ret, len(ret.Results)-1)
}

// carrierField returns the index of the one error field of the struct a
// function returns as its only result (spicedb's ExpandResult{Resp, Err}),
// or -1.
func carrierField(sig *types.Signature) int {
	if sig.Results().Len() != 1 {
		return -1
	}
	t := sig.Results().At(0).Type()
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return -1
	}
	field := -1
	for i := range st.NumFields() {
		if knowledge.IsError(st.Field(i).Type()) {
			if field >= 0 {
				return -1
			}
			field = i
		}
	}
	return field
}

// carriedError returns the error a return puts in its result's error
// field: the argument of a helper of the package that takes one error
// (expandResultError(err)), or what a literal stores in the field; nil
// when it cannot tell.
func carriedError(ret *ssa.Return, field int) ssa.Value {
	if len(ret.Results) != 1 {
		return nil
	}
	v := ctxflow.Returned(ret, 0)
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		v = load.X
	}
	switch x := v.(type) {
	case *ssa.Call:
		fn := x.Call.StaticCallee()
		if fn == nil || fn.Pkg != ret.Parent().Pkg || carrierField(fn.Signature) < 0 {
			return nil
		}
		var carried ssa.Value
		for i, p := range fn.Params {
			if knowledge.IsError(p.Type()) {
				if carried != nil {
					return nil
				}
				carried = x.Call.Args[i]
			}
		}
		return carried
	case *ssa.Alloc:
		for _, ref := range *x.Referrers() {
			fa, ok := ref.(*ssa.FieldAddr)
			if !ok || fa.Field != field {
				continue
			}
			for _, use := range *fa.Referrers() {
				if st, ok := use.(*ssa.Store); ok && st.Addr == fa {
					return st.Val
				}
			}
		}
	}
	return nil
}

var _ types.Object
