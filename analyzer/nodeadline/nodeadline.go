package nodeadline

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

//go:embed doc.go
var doc string

// Config is nodeadline's configuration. The zero value is the default.
type Config struct {
	// Strict treats r.Context() of an incoming *http.Request as having no
	// deadline (-nodeadline.strict).
	Strict bool
	// Tests also checks _test.go files (-nodeadline.tests).
	Tests bool
	// SkipServers leaves servers that read their clients with no deadline
	// alone (HTTP servers without read timeouts, accepted connections), for
	// teams that run gosec (G112, G114) already or judge idle clients a
	// policy (-nodeadline.skip-servers).
	SkipServers bool
}

// Analyzer is nodeadline with the default configuration on the shared core.
var Analyzer = New(ctxflow.Analyzer, new(Config))

// New returns nodeadline on the given core. Its flags write into cfg, which
// each run reads: build one analyzer per configuration.
func New(core *analysis.Analyzer, cfg *Config) *analysis.Analyzer {
	a := &analysis.Analyzer{
		Name:     "nodeadline",
		Doc:      lintutil.ExtractDoc(doc, "nodeadline"),
		URL:      lintutil.URL("nodeadline"),
		Requires: []*analysis.Analyzer{core},
	}
	a.Run = lintutil.Run(a.Name, func(pass *analysis.Pass) (any, error) {
		return run(pass, pass.ResultOf[core].(*ctxflow.Result), cfg)
	})
	a.Flags.BoolVar(&cfg.Strict, "strict", cfg.Strict, "treat r.Context() of an incoming *http.Request as having no deadline (http.Server.WriteTimeout does not cancel it)")
	a.Flags.BoolVar(&cfg.Tests, "tests", cfg.Tests, "also check _test.go files")
	a.Flags.BoolVar(&cfg.SkipServers, "skip-servers", cfg.SkipServers, "do not report servers that read their clients with no deadline: HTTP servers without read timeouts (gosec G112/G114 reports them too) and accepted connections")
	return a
}

func run(pass *analysis.Pass, res *ctxflow.Result, cfg *Config) (any, error) {
	rep := &reporter{pass: pass, groups: map[rootKey]*rootGroup{}}
	defer rep.flush()
	for _, c := range res.Calls {
		pos := res.Pos(c)
		if res.Syntax.Skip(pos, cfg.Tests) || res.Wrapped(c.Fn) {
			continue
		}
		switch {
		case c.Sink != nil && (c.Sink.Event || c.Sink.Kind == knowledge.Process):
			// Blocking until an event arrives is the call's purpose (a
			// LISTEN loop), or a subprocess runs as long as it runs: a
			// deadline would only make it time out and retry. Its
			// cancellation is judged by the other rules.
		case c.Sink != nil:
			checkSink(rep, res, c, cfg)
			if c.Sink.Kind == knowledge.Dial {
				checkConnReads(pass, res, c)
			}
		case c.Summary != nil && len(c.Summary.Reach) > 0:
			checkReach(rep, res, c)
		}
		if c.Sink == nil {
			checkHelperRoot(pass, res, c)
		}
		if c.Summary != nil && len(c.Summary.ClientWait) > 0 {
			checkClientWait(pass, res, c)
		}
		if c.Summary != nil && c.Summary.Deferred != nil {
			checkDeferred(pass, res, c)
		}
	}
	for _, fn := range res.SrcFuncs {
		checkAcceptReads(pass, res, fn)
	}
	checkWriteDeadlines(pass, res, cfg.Tests)
	// net.DialTimeout is no sink (its argument bounds the dial), but the
	// connection it returns is read like any other.
	for fn, instr := range res.Instrs() {
		call, ok := instr.(*ssa.Call)
		if !ok || res.Syntax.Skip(call.Pos(), cfg.Tests) || res.Wrapped(fn) {
			continue
		}
		callee, _, args := ctxflow.SplitCall(call.Common())
		switch knowledge.RoleOf(callee) {
		case knowledge.NetDialTimeout:
			checkConnReads(pass, res, &ctxflow.Call{Instr: call, Fn: fn, Callee: callee, Args: args})
		case knowledge.HTTPServeZero, knowledge.HTTPServerServe:
			if !cfg.SkipServers {
				checkServer(pass, res, fn, call)
			}
		case knowledge.NetListenerAccept:
			if !cfg.SkipServers {
				checkAcceptedReads(pass, res, fn, call)
			}
		}
	}
	return nil, nil
}

// checkSink judges a direct call to a catalog sink.
func checkSink(rep *reporter, res *ctxflow.Result, c *ctxflow.Call, cfg *Config) {
	pass := rep.pass
	v := res.Judge(c)
	if v.Recv == ctxflow.ReceiverBounded {
		return
	}
	ctxState := v.Ctx.State
	if cfg.Strict && ctxState == ctxflow.Inherited && v.Ctx.Request && v.Ctx.Param != nil && v.Ctx.Param.Parent() == c.Fn {
		ctxState = ctxflow.NoDeadline
	}
	if ctxState == ctxflow.Inherited && v.Ctx.Kept != nil {
		checkCancelledAfter(pass, res, c, v.Ctx, c.CalleeName())
		return
	}
	if !ctxState.Unbounded() {
		return
	}
	call := res.Syntax.CallExpr(c.Instr.Common().Pos())
	if call == nil {
		return // no syntax (a wrapper); nothing to point at
	}
	if clientBound := c.Sink.Bound == knowledge.BoundByClientTimeout || c.Sink.Bound == knowledge.BoundByDialerTimeout; clientBound && v.Recv == ctxflow.ReceiverUnbounded && ctxState == ctxflow.NoDeadline && res.ClientFromParam(c) {
		// The client is the caller's: reported where a client without
		// Timeout is passed in (checkClientWait), once.
		return
	}
	inScope := res.ContextInScope(c.Fn, call.Pos())
	dropped := false
	if v.Recv == ctxflow.ReceiverUnknown && (inScope == "" || v.HasContext) {
		// The client or dialer may carry its own timeout: with no caller
		// context to thread there is nothing to say for sure. A root
		// given where a caller's context is in scope (or received as _)
		// is said anyway: the context has no deadline, and the caller's
		// is dropped — sharedeadline says the latter too.
		if _, _, ok := res.CallerContextDropped(c, v.Ctx); !ok || !v.HasContext || c.Sink.Bound == knowledge.BoundBySystem {
			return // a lookup the system bounds: only the dropped context is a finding, sharedeadline's
		}
		dropped = true
	}
	s := c.Sink
	name := c.CalleeName()
	noun := waitNoun(s.Kind)
	d := analysis.Diagnostic{Pos: call.Fun.Pos(), End: call.Fun.End()}
	reaches, may := verbs(ctxState)
	switch {
	case !v.HasContext && s.Bound == knowledge.BoundByDefaultClient:
		d.Category = "default-client"
		d.Message = fmt.Sprintf("%s uses http.DefaultClient, which has no timeout, so %s can hang forever: %s", name, noun, advice(s, inScope))
	case !v.HasContext && s.Bound == knowledge.BoundByConnDeadline:
		d.Category = "no-conn-deadline"
		d.Message = fmt.Sprintf("%s runs with no deadline on the connection, so the handshake can hang forever: call SetDeadline first or %s", name, advice(s, inScope))
	case !v.HasContext && v.Recv == ctxflow.ReceiverUnbounded:
		d.Category = "client-without-timeout"
		d.Message = fmt.Sprintf("%s on a %s without Timeout has no deadline, so %s can hang forever: set Timeout or %s", name, recvNoun(s), noun, advice(s, inScope))
	case !v.HasContext && v.Recv == ctxflow.ReceiverUnknown:
		d.Category = "dropped-context"
		d.Message = fmt.Sprintf("%s cannot take %s, so %s is not cancelled with the caller: %s", name, inScope, noun, advice(s, inScope))
	case !v.HasContext:
		d.Category = "no-context"
		d.Message = fmt.Sprintf("%s has no context, so %s cannot time out or be cancelled: %s", name, noun, advice(s, inScope))
	case v.Ctx.NewRequest:
		d.Category = "new-request"
		why := "the client has no Timeout"
		if v.Recv == ctxflow.ReceiverUnknown {
			why = "it is not cancelled with the caller"
		} else if v.Recv == ctxflow.NotApplicable {
			why = "nothing else bounds it"
		}
		d.Message = fmt.Sprintf("the request sent by %s %s from %s, which binds it to context.Background(), and %s: build it with http.NewRequestWithContext(%s, …)", name, comes(may), v.Ctx.Desc, why, ctxOr(inScope))
		if fix := renameFix(res, v.Ctx.Pos, "NewRequestWithContext", inScope, ""); fix != nil {
			d.SuggestedFixes = append(d.SuggestedFixes, *fix)
		}
		d.Related = related(pass, d.Pos, v.Ctx, "request created here")
	case v.Ctx.Request:
		// Only -strict gets here: the request's own context, which the
		// server cancels when the client goes away but never times out.
		d.Category = "request-context"
		d.Message = fmt.Sprintf("%s %s %s: the request's context has no deadline of its own (http.Server's timeouts do not cancel it), so %s can outlive a stalled peer; derive one with context.WithTimeout(%s, d)", v.Ctx.Desc, reaches, name, noun, requestContextExpr(v.Ctx))
	default:
		d.Category = "background"
		what := "has no deadline"
		if dropped {
			what = "gets no deadline from its context (only its client may bound it) and is not cancelled with the caller"
		} else if v.Recv == ctxflow.ReceiverUnknown {
			what = "is not cancelled with the caller"
		}
		d.Message = fmt.Sprintf("%s %s %s: %s %s; %s", v.Ctx.Desc, reaches, name, noun, what, passAdvice(v.Ctx, inScope))
		if arg := contextArg(call, s); arg != nil {
			if fix := fixutil.ReplaceContextRoot(pass, arg, inScope, res.Syntax.Editable(arg.Pos())); fix != nil {
				d.Pos, d.End = arg.Pos(), arg.End()
				d.SuggestedFixes = append(d.SuggestedFixes, *fix)
			}
		}
		d.Related = related(pass, d.Pos, v.Ctx, "context created here")
	}
	if !v.HasContext && (s.Bound == knowledge.BoundByDefaultClient || s.Bound == knowledge.BoundByClientTimeout) {
		if fix := getFix(pass, res, c, call, inScope); fix != nil {
			d.SuggestedFixes = append(d.SuggestedFixes, *fix)
		}
	}
	if !v.HasContext && s.ContextForm != "" && inScope != "" {
		if fix := renameFix(res, c.Instr.Common().Pos(), s.ContextForm, inScope, s.AppendArgs); fix != nil {
			d.SuggestedFixes = append(d.SuggestedFixes, *fix)
		}
	}
	if d.Category == "background" {
		rep.report(d, rootKey{ctxflow.Outermost(c.Fn), v.Ctx.Pos}, name)
		return
	}
	if d.Category == "no-context" && s.Kind == knowledge.SQL {
		// Begin() and the statements of the transaction it began are one
		// missing context: the statements' key is the Begin.
		key := rootKey{ctxflow.Outermost(c.Fn), v.Ctx.Pos}
		if !key.pos.IsValid() {
			key.pos = c.Instr.Pos()
		}
		rep.report(d, key, name)
		return
	}
	pass.Report(d)
}

// checkReach judges a call to a function whose context parameter reaches a sink.
func checkReach(rep *reporter, res *ctxflow.Result, c *ctxflow.Call) {
	pass := rep.pass
	call := res.Syntax.CallExpr(c.Instr.Common().Pos())
	if call == nil {
		return
	}
	for _, p := range c.Summary.Reach {
		if p.Param >= len(c.Args) || p.Bounded && (p.ByReceiver || p.BySystem) {
			continue
		}
		if p.Excluded(c.Args) {
			continue // the wait is on what this call passes as nil, or behind a test of a constant it fails: it cannot happen
		}
		o := res.Classify(c.Args[p.Param])
		if o.State == ctxflow.Inherited && o.Kept != nil && !(p.Bounded && (p.ByReceiver || p.BySystem)) {
			checkCancelledAfter(pass, res, c, o, waitName(p)+" via "+c.CalleeName())
			continue
		}
		if !o.State.Unbounded() {
			continue
		}
		// A wait something else may bound (a client configured
		// elsewhere) is said only for a root made where the caller's
		// context is in scope, or received as _: that context is dropped.
		inScope, discarded, dropped := res.CallerContextDropped(c, o)
		if p.Bounded && (!dropped || p.On > 0 && p.On <= len(c.Args) && res.ClientBound(c.Args[p.On-1]) == ctxflow.ReceiverBounded) {
			continue // the client this call passes bounds the wait
		}
		if !dropped {
			inScope = res.ContextInScope(c.Fn, call.Pos())
		}
		reaches, _ := verbs(o.State)
		what := "the wait has no deadline"
		switch {
		case p.Bounded && p.Wait == ctxflow.DoneWait:
			what = "the wait gets no deadline from its context (only what it waits for may end it) and is not cancelled with the caller"
		case p.Bounded:
			what = "the wait gets no deadline from its context (only its client may bound it) and is not cancelled with the caller"
		}
		advice := passAdvice(o, inScope)
		if discarded {
			advice = "name the context parameter this function discards (_) and pass it"
		}
		d := analysis.Diagnostic{
			Pos: call.Fun.Pos(), End: call.Fun.End(), Category: "via-call",
			Message: fmt.Sprintf("%s %s %s via %s: %s; %s", o.Desc, reaches, waitName(p), c.CalleeName(), what, advice),
			Related: related(pass, call.Pos(), o, "context created here"),
		}
		if o.NewRequest {
			// A request handed to a helper that sends it.
			_, may := verbs(o.State)
			d.Message = fmt.Sprintf("the request %s sends to %s %s from %s, which binds it to context.Background(): %s; build it with http.NewRequestWithContext(%s, …)", c.CalleeName(), waitName(p), comes(may), o.Desc, what, ctxOr(inScope))
			if fix := renameFix(res, o.Pos, "NewRequestWithContext", inScope, ""); fix != nil {
				d.SuggestedFixes = []analysis.SuggestedFix{*fix}
			}
			d.Related = related(pass, call.Pos(), o, "request created here")
		} else if p.Param < len(call.Args) {
			if fix := fixutil.ReplaceContextRoot(pass, call.Args[p.Param], inScope, res.Syntax.Editable(call.Args[p.Param].Pos())); fix != nil {
				d.Pos, d.End = call.Args[p.Param].Pos(), call.Args[p.Param].End()
				d.SuggestedFixes = []analysis.SuggestedFix{*fix}
			}
		}
		rep.report(d, rootKey{ctxflow.Outermost(c.Fn), o.Pos}, waitName(p)+" via "+c.CalleeName())
	}
}

// checkHelperRoot reports a call, where a caller's context is in scope (or
// received as _), of a helper that takes no context and sends a request
// built with http.NewRequest through a client configured elsewhere
// (pganalyze's GetDefaultGrant, govmomi's Download): the request carries
// no context at all, as a context-free call does, whatever the caller
// holds. sharedeadline reports the same call for the dropped context, and
// alone a helper's explicit root (Background, TODO: karmada's fix set the
// client's Timeout in a constructor, and the call site did not change) or
// fresh budget. A wait nothing else bounds is reported inside the helper
// already.
func checkHelperRoot(pass *analysis.Pass, res *ctxflow.Result, c *ctxflow.Call) {
	s, inScope, discarded := res.HelperRoot(c)
	if s == nil || !s.Root.Request {
		return
	}
	if !s.Root.Bounded {
		return // nothing else bounds the wait: reported inside the helper
	}
	if on := s.Root.On; on > 0 && on <= len(c.Args) {
		if ctxflow.TimeoutChosen(c.Args[on-1]) {
			return // the caller chose the client's bound (crlite's fix)
		}
		switch res.ClientBound(c.Args[on-1]) {
		case ctxflow.ReceiverBounded:
			return // the client this call hands over bounds the wait (crlite's fix)
		case ctxflow.ReceiverUnbounded:
			return // its missing Timeout is reported at this call (checkClientWait)
		}
	}
	call := res.Syntax.CallExpr(c.Instr.Common().Pos())
	if call == nil {
		return
	}
	wait := s.Root.Wait
	if s.Root.Via != "" {
		wait += " via " + s.Root.Via
	}
	advice := fmt.Sprintf("give it a context parameter and pass %s", inScope)
	if discarded {
		advice = "name the context parameter this function discards (_), give the helper a context parameter and pass it"
	}
	pass.Report(analysis.Diagnostic{
		Pos: call.Fun.Pos(), End: call.Fun.End(), Category: "helper-root",
		Message: fmt.Sprintf("%s starts its own %s, which reaches %s: the wait gets no deadline from its context and is not cancelled with the caller; %s",
			c.CalleeName(), s.Root.Root, wait, advice),
	})
}

// checkDeferred judges a call to a context-free form of an API whose wait
// nothing bounds (sqlx.Connect, which pings without a context): the form
// is not reported, its callers are, as for a catalog sink, and told to use
// the context form.
func checkDeferred(pass *analysis.Pass, res *ctxflow.Result, c *ctxflow.Call) {
	call := res.Syntax.CallExpr(c.Instr.Common().Pos())
	if call == nil {
		return
	}
	d := c.Summary.Deferred
	if d.Twin != "" && preferredTwin(c, d.Twin) {
		return
	}
	wait := d.Wait
	if d.Via != "" {
		wait += " via " + d.Via
	}
	inScope := res.ContextInScope(c.Fn, call.Pos())
	if recv := c.Callee.Signature().Recv(); inScope == "" && recv != nil && types.IsInterface(recv.Type()) && !res.KnownConcrete(c.Recv) {
		// Through an interface the implementation is a guess, and a
		// caller with no context to give has no better call to make
		// (sqlx's own NamedQuery calling e.Queryx): its callers are told.
		return
	}
	use := "use a form of it that takes a context with a deadline"
	if d.Twin != "" {
		use = fmt.Sprintf("use %s(%s, …)", d.Twin, ctxOr(inScope))
	}
	diag := analysis.Diagnostic{
		Pos: call.Fun.Pos(), End: call.Fun.End(), Category: "context-free-form",
		Message: fmt.Sprintf("%s takes no context and waits in %s with no deadline, so it can hang forever: %s", c.CalleeName(), wait, use),
	}
	if inScope != "" {
		diag.Message = fmt.Sprintf("%s cannot take %s and waits in %s with no deadline, so it can hang forever: %s", c.CalleeName(), inScope, wait, use)
	}
	if d.TwinFits && twinReachable(c.Callee, d.Twin) {
		if fix := renameFix(res, c.Instr.Common().Pos(), d.Twin, inScope, ""); fix != nil {
			diag.SuggestedFixes = []analysis.SuggestedFix{*fix}
		}
	}
	pass.Report(diag)
}

// preferredTwin reports whether the call runs on a path where an assertion
// of its receiver (or of the value the receiver was asserted from) to an
// interface with the context form failed ("prefer RefresherWithContext if
// available", go-autorest's fix; lib/pq's `if dctx, ok :=
// d.(DialerContext); ok { … }; return d.Dial(…)`; sarama's type switch):
// the implementations that have the twin never get here.
func preferredTwin(c *ctxflow.Call, twin string) bool {
	common := c.Instr.Common()
	if !common.IsInvoke() {
		return false
	}
	base := ctxflow.StripInterface(common.Value)
	if ex, ok := base.(*ssa.Extract); ok {
		if ta, ok := ex.Tuple.(*ssa.TypeAssert); ok && ta.CommaOk {
			base = ta.X // u, ok := a.provider.(updater)
		}
	}
	for b := c.Instr.Block(); b != nil; b = b.Idom() {
		p := b.Idom()
		if p == nil || len(p.Instrs) == 0 {
			break
		}
		iff, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If)
		if !ok || !p.Succs[1].Dominates(c.Instr.Block()) {
			continue
		}
		okv, ok := iff.Cond.(*ssa.Extract)
		if !ok || okv.Index != 1 {
			continue
		}
		other, ok := okv.Tuple.(*ssa.TypeAssert)
		if !ok || !ctxflow.SameLoad(ctxflow.StripInterface(other.X), base) {
			continue
		}
		if obj, _, _ := types.LookupFieldOrMethod(other.AssertedType, true, nil, twin); obj != nil {
			return true
		}
	}
	return false
}

// twinReachable reports whether the context form twin can be called where
// callee is: a method of the receiver's type (an interface may declare only
// the context-free form, as ecs-agent's SDK interface did).
func twinReachable(callee *types.Func, twin string) bool {
	recv := callee.Signature().Recv()
	if recv == nil {
		return true
	}
	obj, _, _ := types.LookupFieldOrMethod(recv.Type(), true, callee.Pkg(), twin)
	_, ok := obj.(*types.Func)
	return ok
}

// waitName names the wait a summary entry reaches, saying so when its paths
// reach others too.
func waitName(p ctxflow.ParamReach) string {
	if p.Several {
		return p.Wait + " (one of several waits)"
	}
	return p.Wait
}

// reporter reports a context root once: one root that reaches several waits
// of a function (BeginTx(ctx), then each tx.ExecContext(ctx); Begin(), then
// each context-free tx.Exec) is one missing deadline, reported at its first wait with the others as related
// information. (A fix exists only for a root written inline as the
// argument, which reaches one wait: the first diagnostic's fixes stand.)
type reporter struct {
	pass   *analysis.Pass
	groups map[rootKey]*rootGroup
	order  []*rootGroup
}

// rootKey is a root (where it is made) in one function and its closures.
type rootKey struct {
	fn  *ssa.Function
	pos token.Pos
}

type rootGroup struct {
	diags []analysis.Diagnostic
	waits []string
}

func (r *reporter) report(d analysis.Diagnostic, key rootKey, wait string) {
	if !key.pos.IsValid() {
		r.pass.Report(d)
		return
	}
	g := r.groups[key]
	if g == nil {
		g = &rootGroup{}
		r.groups[key] = g
		r.order = append(r.order, g)
	}
	g.diags = append(g.diags, d)
	g.waits = append(g.waits, wait)
}

func (r *reporter) flush() {
	for _, g := range r.order {
		idx := make([]int, len(g.diags))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return g.diags[idx[a]].Pos < g.diags[idx[b]].Pos })
		d := g.diags[idx[0]]
		if len(idx) > 1 {
			more := "1 more wait"
			if len(idx) > 2 {
				more = fmt.Sprintf("%d more waits", len(idx)-1)
			}
			same := "the same context"
			if d.Category == "no-context" {
				same = "the same transaction"
			}
			d.Message += fmt.Sprintf(" (%s reaches %s here: see related)", same, more)
			for _, i := range idx[1:] {
				d.Related = append(d.Related, analysis.RelatedInformation{Pos: g.diags[i].Pos, End: g.diags[i].End, Message: same + " reaches " + g.waits[i]})
			}
		}
		r.pass.Report(d)
	}
}

// checkClientWait judges a call that hands a client (or dialer) to a
// function whose wait only that client's Timeout can bound: a client
// built here without Timeout makes the wait unbounded (crlite's download
// passing &http.Client{} to a helper that sends an http.NewRequest).
func checkClientWait(pass *analysis.Pass, res *ctxflow.Result, c *ctxflow.Call) {
	call := res.Syntax.CallExpr(c.Instr.Common().Pos())
	if call == nil {
		return
	}
	for _, p := range c.Summary.ClientWait {
		if p.Param >= len(c.Args) || p.Param >= len(call.Args) {
			continue
		}
		if res.ClientBound(c.Args[p.Param]) != ctxflow.ReceiverUnbounded {
			continue
		}
		via := ""
		if p.Via != "" {
			via = " via " + p.Via
		}
		pass.Report(analysis.Diagnostic{
			Pos: call.Args[p.Param].Pos(), End: call.Args[p.Param].End(), Category: "client-without-timeout",
			Message: fmt.Sprintf("%s has no Timeout, and %s waits through it in %s%s with no other bound (no context deadline on that wait): the wait can hang forever; set Timeout on it",
				types.ExprString(call.Args[p.Param]), c.CalleeName(), p.Wait, via),
		})
	}
}

// requestContextExpr renders the request's context as the user would write
// it: r.Context() for a parameter r.
func requestContextExpr(o ctxflow.Origin) string {
	if o.Param != nil && o.Param.Name() != "" && o.Param.Name() != "_" {
		return o.Param.Name() + ".Context()"
	}
	return "r.Context()"
}

// verbs returns "reaches" and "" for a context unbounded on every path, and
// "may reach" and "may " for one unbounded on some path.
// comes is "comes", or "may come" after verbs' may.
func comes(may string) string {
	if may != "" {
		return may + "come"
	}
	return "comes"
}

func verbs(s ctxflow.State) (reaches, may string) {
	if s == ctxflow.MaybeNoDeadline {
		return "may reach", "may "
	}
	return "reaches", ""
}

func waitNoun(k knowledge.Kind) string {
	switch k {
	case knowledge.HTTP:
		return "the request"
	case knowledge.Dial:
		return "the dial"
	case knowledge.DNS:
		return "the lookup"
	case knowledge.SQL:
		return "the query"
	case knowledge.KV:
		return "the command"
	}
	return "the call"
}

func recvNoun(s *knowledge.Sink) string {
	if s.Bound == knowledge.BoundByDialerTimeout {
		return "dialer"
	}
	return "client"
}

func ctxOr(inScope string) string {
	if inScope != "" {
		return inScope
	}
	return "ctx"
}

func advice(s *knowledge.Sink, inScope string) string {
	switch {
	case s.ContextForm != "" && s.AppendArgs != "":
		return fmt.Sprintf("use %s(%s, %s)", s.ContextForm, ctxOr(inScope), s.AppendArgs)
	case s.ContextForm != "":
		return fmt.Sprintf("use %s(%s, …)", s.ContextForm, ctxOr(inScope))
	case s.Hint != "":
		return "use " + s.Hint
	}
	return "use a variant that takes a context with a deadline"
}

func passAdvice(o ctxflow.Origin, inScope string) string {
	if o.Detached {
		// Deliberately detached work still needs its own budget.
		return "bound the detached work with context.WithTimeout(context.WithoutCancel(…), d)"
	}
	if inScope != "" {
		return "pass " + inScope + " (or derive from it with context.WithTimeout)"
	}
	return "derive it from the caller's context or bound it with context.WithTimeout"
}

// related points at where the context or request was made, unless that is
// on the reported line already.
func related(pass *analysis.Pass, at token.Pos, o ctxflow.Origin, msg string) []analysis.RelatedInformation {
	if !o.Pos.IsValid() || pass.Fset.Position(o.Pos).Line == pass.Fset.Position(at).Line && pass.Fset.File(o.Pos) == pass.Fset.File(at) {
		return nil
	}
	return []analysis.RelatedInformation{{Pos: o.Pos, Message: msg + ": " + o.Desc}}
}

// contextArg returns the syntax of the sink's context argument, if the call
// passes it explicitly.
func contextArg(call *ast.CallExpr, s *knowledge.Sink) ast.Expr {
	if i, ok := s.Context.In(len(call.Args)); ok && !call.Ellipsis.IsValid() {
		return call.Args[i]
	}
	return nil
}

// renameFix turns recv.M(args) (or pkg.F(args)) at lparen into
// recv.Form(ctx, args[, extra]).
func renameFix(res *ctxflow.Result, lparen token.Pos, form, inScope, extra string) *analysis.SuggestedFix {
	call := res.Syntax.CallExpr(lparen)
	if call == nil {
		return nil
	}
	return fixutil.ToContextForm(call, res.Syntax.Editable(call.Pos()), form, inScope, extra)
}
