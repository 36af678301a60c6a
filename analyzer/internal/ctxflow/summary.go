package ctxflow

import (
	"fmt"
	"go/token"
	"go/types"
	"iter"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

// Summary is what a function does with what it is given, as far as the
// rules care. It is computed for every function of the package (declared
// functions, methods, closures, generic functions once for all instances),
// kept in memory for the package's own calls and exported as a fact for the
// functions and methods other packages can call, and for the methods of
// the package's interfaces (the union of what the package's
// implementations do).
type Summary struct {
	// Reach lists the context parameters that reach a call that waits on
	// the outside world: the caller's context is that wait's deadline.
	Reach []ParamReach
	// Root is set when a context the function makes itself (Background,
	// TODO, WithoutCancel, or a timeout derived from one) reaches a wait:
	// whatever context its caller holds, that wait ignores it.
	Root *RootWait
	// Deferred is set on a context-free form of an API (Wrapped: it
	// forwards to its context form, or its package offers one beside it)
	// that makes a wait nothing bounds: a root without deadline, or a call
	// that takes no context, on a client or handle without a timeout.
	// Nothing is reported inside the form; its callers, who could call
	// the context form instead, are (sqlx.Connect → (*sql.DB).Ping).
	Deferred *DeferredWait
	// Bare is set on a declared function that takes no context and, during
	// the call, makes a wait that takes none either (a context-free sink,
	// whatever bounds it, directly or through such functions of the
	// package): a caller holding a context has no way to hand it over
	// (tiup's Telemetry.Report(ctx) posted through its HTTPClient.Post).
	Bare *BareWait
	// Passes is 1 + the index (receiver excluded) of the context parameter
	// the function returns, decorated with values but with no deadline or
	// cancellation of its own (namespaces.WithNamespace); 0 for none. A
	// context it returns is the one its caller passed.
	Passes int
	// CancelList lists the context parameters whose cancellation the
	// function's error result may carry (ctx.Err(), or a wait given ctx).
	CancelList []int
	// KilledList lists the context parameters once whose cancellation the
	// function fails with an error that need not carry it (a command of
	// exec.CommandContext is killed): ErrSource.Killed.
	KilledList []int
	// CancelsRecv is set on a method whose error result may carry the
	// cancellation of a context kept in a field of its receiver (gosnmp's
	// netConnect dialing with x.Context): a method of the same receiver
	// that calls it gets that context's cancellation back.
	CancelsRecv bool
	// Cleanup lists the context parameters that reach a cleanup call
	// (Shutdown, Rollback…).
	Cleanup []ParamReach
	// FixedDeadline lists the connection parameters on which the function
	// sets a deadline from a fixed timeout (time.Now().Add(d)) without
	// looking at any context's deadline.
	FixedDeadline []ParamReach
	// ClientWait lists the client and dialer parameters (an *http.Client,
	// a net.Dialer) whose Timeout is the only bound of a wait the function
	// makes with them: the request carries no deadline (http.NewRequest,
	// a context without one) or the call takes no context. A caller that
	// passes a client without Timeout makes that wait unbounded.
	ClientWait []ParamReach
	// CallsFunc lists the func-typed parameters the function calls, itself
	// or in a closure nested in it, where a context is in scope (Wait names
	// it): a function passed there that starts its own root (Root) cuts that
	// context off, though neither function alone shows it (etcd's health
	// handler calling hfunc → checkAPI → WithTimeout(Background())).
	CallsFunc []ParamReach
	// SilentOnDone lists the context parameters on whose cancellation the
	// function, which returns nothing, returns early without a word
	// (restic's FutureBlob.Wait: `case <-ctx.Done(): return`): a caller
	// that then reports success reports abandoned work as finished.
	SilentOnDone []int
	// FailsOnlyOnDone lists the context parameter (one at most) such that
	// the function's error result is non-nil only where that context is
	// known done (a pause: `select { case <-ctx.Done(): return ctx.Err();
	// case <-t.C: return nil }`): a caller that finds the error non-nil
	// knows the context is done.
	FailsOnlyOnDone []int
	// EndsOnDone lists the context parameters on whose cancellation the
	// channel the function returns is closed without a word: the goroutine
	// feeding it returns on ctx.Done() and sends nothing to say so
	// (minio-go's ListObjects), so a range over it ends as if the stream
	// were complete.
	EndsOnDone []int
	// Hijacks lists the http.ResponseWriter parameters the function hijacks
	// (gorilla's Upgrade): after that the request's context no longer ends
	// when the client goes away.
	Hijacks []int
	// SyncCalls lists the func parameters the function calls itself,
	// during the call, and does nothing else with (singleflight's
	// Do(key, fn), a sync.Once-style helper): a function value handed there
	// runs under its caller's context.
	SyncCalls []int
	// RepeatCalls lists the func parameters the function calls once per
	// piece of work: in a loop, itself or in a literal it starts per
	// worker (workqueue.ParallelizeUntil's doWorkPiece). A literal handed
	// there that sends once on a channel sends once per piece.
	RepeatCalls []int
	// Retries lists the func parameters (each returning an error last)
	// that the function calls in a loop which goes round again after a
	// failure and cannot learn of a cancellation: an attempt that fails
	// because its context is done is tried again, until the loop's own
	// limit (a retry helper that takes no context).
	Retries []int
	// StopsOnTrue lists those of Retries whose function returns a bool
	// first that ends the loop when true (release-manager's try.Do:
	// func(attempt int) (stop bool, err error)); elsewhere a bool first
	// result, if the loop reads it, goes round when true (rclone's pacer).
	StopsOnTrue []int
	// FuncArgs lists the context parameters the function hands, as they
	// are, to a func parameter it calls (argo-cd's BlockingDial gives its
	// ctx to the dialer it is given): a function passed there whose own
	// parameter reaches a wait makes the context reach that wait.
	FuncArgs []FuncArg
}

// FuncArg says that context parameter Ctx (signature index, receiver
// excluded) is passed as argument Arg of a call of func parameter Func.
type FuncArg struct{ Ctx, Func, Arg int }

// ParamReach says that parameter Param (signature index, receiver
// excluded) reaches Wait (a call that waits, or a cleanup). Via is the first
// call on the path ("" when the function makes that call itself). Bounded
// is set when something other than the context may bound the wait (a client
// or dialer configured where the analysis cannot see): the context is then
// not known to be the wait's only deadline, though it is still its
// cancellation.
type ParamReach struct {
	Param   int
	Name    string
	Wait    string
	Via     string
	Bounded bool
	// On is 1 + the signature index of the parameter that holds what the
	// wait is on (the *sql.DB queried, the client that sends), when every
	// path to a wait agrees on one; 0 when unknown. A caller that passes
	// nil there cannot reach the wait (goose.RunContext(ctx, "create",
	// nil, dir) only writes a file).
	On int
	// Several is set when paths reach different waits (an interface
	// method whose implementation dispatches on its request): Wait names
	// the first.
	Several bool
	// When, if set, is a condition every path to the wait passes: a
	// parameter compared with constants (a switch on a command name). A
	// caller passing another constant there cannot reach the wait.
	When *ConstGuard
	// BySystem is set when every wait the parameter reaches is one the
	// system bounds itself (a DNS lookup: resolv.conf's timeout and
	// attempts). A root given to it is no finding, as for the lookup
	// itself; dropping a caller's context in scope still is.
	BySystem bool
	// ByReceiver is set (with Bounded) when every wait the parameter reaches
	// is bounded by its receiver (a client with Timeout): the context adds
	// only its cancellation and any shorter deadline. (A context already
	// done still fails the wait at once: cleanupctx does not look at it.)
	ByReceiver bool
}

// ConstGuard says that a wait is reached only when parameter Param (1 + its
// signature index) equals one of Values (constants in their exact Go
// spelling, "\"up\"", "3").
type ConstGuard struct {
	Param  int
	Name   string
	Values []string
}

// Excluded reports whether the arguments of a call (receiver excluded) rule
// the reach out: nil where the wait is on, or a constant the guard does
// not accept.
func (p ParamReach) Excluded(args []ssa.Value) bool {
	if p.On > 0 && p.On <= len(args) && IsNilConst(args[p.On-1]) {
		return true
	}
	if p.When != nil && p.When.Param > 0 && p.When.Param <= len(args) {
		if c, ok := args[p.When.Param-1].(*ssa.Const); ok && c.Value != nil && !slices.Contains(p.When.Values, c.Value.ExactString()) {
			return true
		}
	}
	return false
}

// mergeGuards is the condition either path passes: nil (none) unless both
// test the same parameter.
func mergeGuards(a, b *ConstGuard) *ConstGuard {
	if a == nil || b == nil || a.Param != b.Param {
		return nil
	}
	vals := slices.Clone(a.Values)
	for _, v := range b.Values {
		if !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	sort.Strings(vals)
	return &ConstGuard{Param: a.Param, Name: a.Name, Values: vals}
}

func sameGuard(a, b *ConstGuard) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Param == b.Param && slices.Equal(a.Values, b.Values)
}

// RootWait says that the function starts a context of its own, Root, that
// reaches Wait via Via.
type RootWait struct {
	Root    string
	Wait    string
	Via     string
	Timeout bool // the root is bounded by a timeout the function sets
	// Bounded is set when something other than the context may bound the
	// wait (a client configured elsewhere); On is then 1 + the signature
	// index of the parameter that holds that client, when known.
	Bounded bool
	On      int
	// Request is set when the root is the context http.NewRequest binds:
	// the helper sends a request built with no context at all.
	Request bool
	// Twin is the context-taking form of the function, when it is an API's
	// context-free form (see DeferredWait); TwinFits as there.
	Twin     string
	TwinFits bool
}

// BareWait is the context-free wait a function makes, Wait, reached via
// Via. Bounded is set when a client's or dialer's own Timeout bounds it:
// a fixed budget of its own, blind to any caller's deadline.
type BareWait struct {
	Wait    string
	Via     string
	Bounded bool
}

// DeferredWait is the unbounded wait of a context-free API form, Wait
// (reached via Via), and the form's context-taking twin, Twin ("" when the
// form has none of its own: a form forwarding to another that is one).
// TwinFits is set when Twin takes the form's parameters after a leading
// context, so a call can be rewritten to it.
type DeferredWait struct {
	Wait     string
	Via      string
	Twin     string
	TwinFits bool
}

func (*Summary) AFact() {}

func (s *Summary) String() string {
	var parts []string
	for _, p := range s.Reach {
		part := fmt.Sprintf("%s reaches %s", p.Name, p.Wait)
		if p.Via != "" {
			part += " via " + p.Via
		}
		if p.ByReceiver {
			part += " (bounded by its receiver)"
		} else if p.Bounded {
			part += " (maybe bounded)"
		}
		if p.When != nil {
			part += fmt.Sprintf(" when %s is %s", p.When.Name, strings.Join(p.When.Values, " or "))
		}
		if p.BySystem {
			part += " (bounded by the system)"
		}
		parts = append(parts, part)
	}
	if s.Root != nil {
		part := fmt.Sprintf("starts %s, which reaches %s", s.Root.Root, s.Root.Wait)
		if s.Root.Via != "" {
			part += " via " + s.Root.Via
		}
		parts = append(parts, part)
	}
	if s.Passes > 0 {
		parts = append(parts, fmt.Sprintf("returns the context of param %d", s.Passes-1))
	}
	if b := s.Bare; b != nil {
		part := "waits in " + b.Wait
		if b.Via != "" {
			part += " via " + b.Via
		}
		parts = append(parts, part+" with no context")
	}
	if d := s.Deferred; d != nil {
		part := "context-free form: waits in " + d.Wait
		if d.Via != "" {
			part += " via " + d.Via
		}
		part += " with no bound"
		if d.Twin != "" {
			part += "; its context form is " + d.Twin
		}
		parts = append(parts, part)
	}
	for _, p := range s.ClientWait {
		parts = append(parts, fmt.Sprintf("waits in %s through client %s with no other bound", p.Wait, p.Name))
	}
	for _, p := range s.CallsFunc {
		part := fmt.Sprintf("calls %s where %s is in scope", p.Name, p.Wait)
		if p.Via != "" {
			part += " via " + p.Via
		}
		parts = append(parts, part)
	}
	for _, i := range s.CancelList {
		parts = append(parts, fmt.Sprintf("returns the cancellation of param %d", i))
	}
	for _, i := range s.KilledList {
		parts = append(parts, fmt.Sprintf("runs a command killed once param %d is done", i))
	}
	if s.CancelsRecv {
		parts = append(parts, "returns the cancellation of its receiver's context")
	}
	for _, i := range s.Retries {
		parts = append(parts, fmt.Sprintf("retries the errors of param %d", i))
	}
	for _, i := range s.StopsOnTrue {
		parts = append(parts, fmt.Sprintf("stops retrying param %d when it returns true", i))
	}
	for _, i := range s.SilentOnDone {
		parts = append(parts, fmt.Sprintf("returns silently once param %d is done", i))
	}
	for _, i := range s.FailsOnlyOnDone {
		parts = append(parts, fmt.Sprintf("fails only once param %d is done", i))
	}
	for _, i := range s.EndsOnDone {
		parts = append(parts, fmt.Sprintf("closes its channel silently once param %d is done", i))
	}
	for _, i := range s.Hijacks {
		parts = append(parts, fmt.Sprintf("hijacks param %d", i))
	}
	for _, i := range s.SyncCalls {
		parts = append(parts, fmt.Sprintf("calls param %d during the call", i))
	}
	for _, i := range s.RepeatCalls {
		parts = append(parts, fmt.Sprintf("calls param %d once per piece", i))
	}
	for _, p := range s.Cleanup {
		parts = append(parts, fmt.Sprintf("%s reaches cleanup %s", p.Name, p.Wait))
	}
	for _, p := range s.FixedDeadline {
		part := fmt.Sprintf("sets a fixed %s on %s", p.Wait, p.Name)
		if p.Via != "" {
			part += " via " + p.Via
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

func (s *Summary) empty() bool {
	return s == nil || len(s.Reach) == 0 && s.Root == nil && s.Deferred == nil && s.Bare == nil && s.Passes == 0 && len(s.CancelList) == 0 && len(s.KilledList) == 0 && !s.CancelsRecv && len(s.Cleanup) == 0 && len(s.FixedDeadline) == 0 && len(s.ClientWait) == 0 && len(s.CallsFunc) == 0 && len(s.Retries) == 0 && len(s.SilentOnDone) == 0 && len(s.FailsOnlyOnDone) == 0 && len(s.EndsOnDone) == 0 && len(s.Hijacks) == 0 && len(s.SyncCalls) == 0 && len(s.RepeatCalls) == 0 && len(s.FuncArgs) == 0
}

// ReachOf returns what parameter i reaches, or nil.
func (s *Summary) ReachOf(i int) *ParamReach {
	if s == nil {
		return nil
	}
	for k := range s.Reach {
		if s.Reach[k].Param == i {
			return &s.Reach[k]
		}
	}
	return nil
}

// CleanupOf returns the cleanup parameter i reaches, or nil.
func (s *Summary) CleanupOf(i int) *ParamReach {
	if s == nil {
		return nil
	}
	for k := range s.Cleanup {
		if s.Cleanup[k].Param == i {
			return &s.Cleanup[k]
		}
	}
	return nil
}

// Cancels returns the parameters whose cancellation the error result may
// carry (nil-safe).
func (s *Summary) Cancels() []int {
	if s == nil {
		return nil
	}
	return s.CancelList
}

// FixedDeadlineOf returns what the function does to connection parameter
// i's deadline, or nil.
func (s *Summary) FixedDeadlineOf(i int) *ParamReach {
	if s == nil {
		return nil
	}
	for k := range s.FixedDeadline {
		if s.FixedDeadline[k].Param == i {
			return &s.FixedDeadline[k]
		}
	}
	return nil
}

// CancelsParam reports whether the error result may carry the cancellation
// of parameter i.
func (s *Summary) CancelsParam(i int) bool {
	if s == nil {
		return false
	}
	for _, k := range s.CancelList {
		if k == i {
			return true
		}
	}
	return false
}

// merge adds what t knows to s and reports whether s changed. A parameter
// reached by an unbounded wait anywhere is unbounded.
func (s *Summary) merge(t *Summary) bool {
	if t == nil {
		return false
	}
	changed := false
	for _, p := range t.Reach {
		changed = s.addReach(&s.Reach, p) || changed
	}
	for _, p := range t.Cleanup {
		changed = s.addReach(&s.Cleanup, p) || changed
	}
	for _, p := range t.FixedDeadline {
		changed = s.addReach(&s.FixedDeadline, p) || changed
	}
	for _, p := range t.ClientWait {
		changed = s.addReach(&s.ClientWait, p) || changed
	}
	for _, p := range t.CallsFunc {
		changed = s.addReach(&s.CallsFunc, p) || changed
	}
	for _, i := range t.CancelList {
		changed = s.addCancel(i) || changed
	}
	for _, i := range t.KilledList {
		changed = addIndex(&s.KilledList, i) || changed
	}
	if t.CancelsRecv && !s.CancelsRecv {
		s.CancelsRecv, changed = true, true
	}
	for _, a := range t.FuncArgs {
		changed = s.addFuncArg(a) || changed
	}
	if s.Root == nil && t.Root != nil {
		root := *t.Root
		s.Root, changed = &root, true
	}
	if s.Deferred == nil && t.Deferred != nil {
		// An interface method some implementation of the package gives a
		// context-free form (ecs-agent's SDK client: UpdateTaskProtection
		// forwarding to its WithContext twin with Background()).
		d := *t.Deferred
		s.Deferred, changed = &d, true
	}
	return changed
}

func (s *Summary) addReach(list *[]ParamReach, p ParamReach) bool {
	for k := range *list {
		q := &(*list)[k]
		if q.Param != p.Param {
			continue
		}
		on := q.On
		if on != p.On {
			on = 0 // paths disagree on what they wait on
		}
		when := mergeGuards(q.When, p.When)
		several := q.Several || p.Several || q.Wait != p.Wait
		bySystem := q.BySystem && p.BySystem
		byReceiver := q.ByReceiver && p.ByReceiver
		if q.Bounded && !p.Bounded || q.BySystem && !p.BySystem || q.ByReceiver && !p.ByReceiver {
			*q = p // an unbounded path is the one worth naming
			q.On, q.When, q.Several, q.BySystem, q.ByReceiver = on, when, several, bySystem, byReceiver
			return true
		}
		if q.On != on || !sameGuard(q.When, when) || q.Several != several || q.BySystem != bySystem || q.ByReceiver != byReceiver {
			q.On, q.When, q.Several, q.BySystem, q.ByReceiver = on, when, several, bySystem, byReceiver
			return true
		}
		return false
	}
	*list = append(*list, p)
	sort.Slice(*list, func(i, j int) bool { return (*list)[i].Param < (*list)[j].Param })
	return true
}

func (s *Summary) addCancel(i int) bool {
	if s.CancelsParam(i) {
		return false
	}
	s.CancelList = append(s.CancelList, i)
	sort.Ints(s.CancelList)
	return true
}

// guard runs f, the core's work on one function; a panic skips that
// function from then on (it contributes nothing) and leaves a note.
func (r *Result) guard(fn *ssa.Function, f func()) {
	lintutil.Guard(r.Pass, "ctxflow", fn, func() {
		defer func() {
			if p := recover(); p != nil {
				r.failed[fn] = true
				panic(p)
			}
		}()
		f()
	})
}

// summaryOf returns the summary of fn, creating it.
func (r *Result) summaryOf(fn *ssa.Function) *Summary {
	s := r.summary[fn]
	if s == nil {
		s = &Summary{}
		r.summary[fn] = s
	}
	return s
}

// Summary returns what the package's analysis knows of an SSA function of
// this package, or nil.
func (r *Result) Summary(fn *ssa.Function) *Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.summary[fn]; !s.empty() {
		return s
	}
	return nil
}

// summarize computes, to a fixed point, every function's summary from its
// calls. Each round only adds entries, and entries are finite (parameters ×
// kinds), so it terminates.
func (r *Result) summarize() {
	if !r.inGOROOT() {
		for _, fn := range r.SrcFuncs {
			if !r.failed[fn] {
				r.guard(fn, func() { r.summarizeDoneWaits(fn) })
			}
		}
	}
	for changed := true; changed; {
		changed = false
		// Error sources cached on an earlier round were found with the
		// summaries of then: a callee summarised later (a caller that
		// comes first in the file) would stay unseen through the cache.
		// Each round starts afresh; the last one, which changes nothing,
		// leaves a cache true to the final summaries. The other memos
		// (origins, requests, passes, bounds, dialedConns,
		// fixedConnDeadlines, drivers) read only SSA and imported facts,
		// never this package's summaries, so they stay valid across rounds.
		clear(r.errs)
		for _, c := range r.Calls {
			if r.failed[c.Fn] {
				continue
			}
			r.beginQuery(c.Fn)
			r.guard(c.Fn, func() { changed = r.summarizeCall(c) || changed })
		}
		for _, fn := range r.SrcFuncs {
			if r.failed[fn] {
				continue
			}
			r.guard(fn, func() {
				changed = r.summarizeReturns(fn) || changed
				changed = r.summarizeDeadlines(fn) || changed
				changed = r.summarizeFuncCalls(fn) || changed
				changed = r.summarizeFuncArgs(fn) || changed
				changed = r.summarizeContextDeadlines(fn) || changed
				changed = r.summarizeRetries(fn) || changed
				changed = r.summarizeEndsOnDone(fn) || changed
				changed = r.summarizeHijacks(fn) || changed
			})
		}
	}
	// Pause helpers, twice so that one wrapping another counts; the done
	// points found meanwhile are forgotten, since those of a caller of a
	// helper summarised later missed the helper's failure.
	// The standard library has none worth the time (and its done points
	// are never asked for).
	for round := 0; round < 2 && !r.inGOROOT(); round++ {
		for _, fn := range r.SrcFuncs {
			if !r.failed[fn] {
				r.guard(fn, func() { r.summarizeFailsOnlyOnDone(fn) })
			}
		}
		clear(r.dones)
	}
	// What no other summary feeds, once: the fixed point need not redo it.
	for _, fn := range r.SrcFuncs {
		if r.failed[fn] {
			continue
		}
		r.guard(fn, func() {
			r.summarizeSilentDone(fn)
			r.summarizeSyncCalls(fn)
			r.summarizeRepeatCalls(fn)
		})
	}
	for _, c := range r.Calls {
		if c.Sink == nil && c.Summary == nil {
			c.Summary = r.calleeSummary(c)
		}
		if extra := r.composedReach(c); len(extra) > 0 {
			// The waits a function passed here reaches with the context
			// the callee hands it: this call's own, on a copy.
			cp := *c.Summary
			cp.Reach = append(slices.Clone(c.Summary.Reach), extra...)
			c.Summary = &cp
		}
	}
}

// composedReach returns what the context arguments of call c reach through
// the functions c passes to the callee's func parameters (FuncArgs).
func (r *Result) composedReach(c *Call) []ParamReach {
	if c.Summary == nil || len(c.Summary.FuncArgs) == 0 {
		return nil
	}
	var out []ParamReach
	for _, a := range c.Summary.FuncArgs {
		if a.Ctx >= len(c.Args) || a.Func >= len(c.Args) {
			continue
		}
		f := FuncValue(r.underlyingLocal(c.Args[a.Func]))
		if f == nil {
			continue
		}
		for _, p := range r.funcSummary(f).reachList() {
			if p.Param == a.Arg {
				out = append(out, ParamReach{Param: a.Ctx, Wait: p.Wait, Via: LiteralName(f), Bounded: p.Bounded, ByReceiver: p.ByReceiver, BySystem: p.BySystem})
			}
		}
	}
	return out
}

// funcSummary returns the summary of a function of this package or the
// fact of another's, or nil.
func (r *Result) funcSummary(f *ssa.Function) *Summary {
	if f.Pkg == r.Pkg {
		return r.summary[f]
	}
	if obj, ok := f.Object().(*types.Func); ok {
		var fact Summary
		if r.Pass.ImportObjectFact(obj, &fact) {
			return &fact
		}
	}
	return nil
}

// summarizeCall adds to the summaries what one call tells.
func (r *Result) summarizeCall(c *Call) bool {
	changed := false
	if c.Sink != nil {
		if c.Sink.Event {
			return false // blocking until an event is its purpose: no deadline asked of callers
		}
		v := r.judge(c)
		if v.Ctx.State == NoDeadline && (c.Sink.Bound == knowledge.BoundByClientTimeout || c.Sink.Bound == knowledge.BoundByDialerTimeout) {
			// Whichever clients the callers seen here pass, the client
			// is theirs to bound: recorded for every call site.
			changed = r.noteClientWait(c.Fn, c.Recv, ParamReach{Wait: c.CalleeName()}) || changed
		}
		if !v.HasContext && (v.Recv == ReceiverUnbounded || v.Recv == NotApplicable) && c.Sink.Bound != knowledge.BoundBySystem {
			changed = r.noteDeferred(c.Fn, DeferredWait{Wait: c.CalleeName()}) || changed
		}
		if !v.HasContext && c.Sink.Bound != knowledge.BoundBySystem {
			bounded := v.Recv == ReceiverBounded && (c.Sink.Bound == knowledge.BoundByClientTimeout || c.Sink.Bound == knowledge.BoundByDialerTimeout)
			changed = r.noteBare(c, BareWait{Wait: c.CalleeName(), Bounded: bounded}) || changed
		}
		if !v.HasContext {
			return changed
		}
		if c.Sink.Bound == knowledge.BoundBySystem && v.Ctx.State != Inherited {
			// A root given to a lookup the system bounds: nothing its
			// callers could wait on without end. Not even a fresh budget
			// around it is recorded as the function's Root: go-redis
			// makes one (2 s, endpoint detection) in helpers reached
			// from a dozen functions with a context, each a finding of
			// no use (measured on the unseen modules); kubo's
			// resolveAddresses is the miss that costs.
			return false
		}
		// A receiver that bounds the wait (a client with Timeout), or may
		// (one configured elsewhere): the context is not the wait's only
		// deadline, but still its cancellation and any shorter deadline.
		bounded := v.Recv == ReceiverUnknown || v.Recv == ReceiverBounded || c.Sink.Kind == knowledge.Process
		if c.Sink.Kind == knowledge.Dial && (localNetwork(c.Args) || chosenLocalNetwork(c)) {
			return changed // a Unix socket: connecting to it waits on no peer
		}
		changed = r.noteReach(c, v.Ctx, ParamReach{Wait: c.CalleeName(), Bounded: bounded, ByReceiver: v.Recv == ReceiverBounded, BySystem: c.Sink.Bound == knowledge.BoundBySystem}, c.Recv, false) || changed
		return changed
	}
	if c.Cleanup != nil {
		if i, ok := c.Cleanup.Context.In(len(c.Args)); ok {
			changed = r.noteReach(c, r.classify(c.Args[i], 0), ParamReach{Wait: c.CalleeName()}, c.Recv, true) || changed
		}
	}
	s := r.calleeSummary(c)
	if s == nil {
		return changed
	}
	for _, p := range s.Reach {
		if p.Param < len(c.Args) && !p.Excluded(c.Args) {
			changed = r.noteReach(c, r.classify(c.Args[p.Param], 0), ParamReach{Wait: p.Wait, Via: c.CalleeName(), Bounded: p.Bounded, ByReceiver: p.ByReceiver, When: r.translateGuard(c, p.When), Several: p.Several, BySystem: p.BySystem}, argOn(c, p), false) || changed
		}
	}
	for _, i := range s.CancelList {
		// Work that stops when its context is done, though it waits on
		// nothing outside (osv-scalibr's rpmdb walk, bounded against
		// corrupt databases), given a fresh budget of the function's
		// own: the budget is its author's bound for the work, and the
		// caller's cancellation is cut off all the same. A bare root
		// given to such work is no bound chosen, and is left alone.
		if i >= len(c.Args) || s.ReachOf(i) != nil {
			continue
		}
		if o := r.classify(c.Args[i], 0); o.State == Deadline && o.Rooted && o.RootFn == c.Fn && o.DerivedFrom == nil {
			changed = r.noteRoot(c, o, ParamReach{Wait: c.CalleeName()}) || changed
		}
	}
	for _, p := range s.Cleanup {
		if p.Param < len(c.Args) && !p.Excluded(c.Args) {
			changed = r.noteReach(c, r.classify(c.Args[p.Param], 0), ParamReach{Wait: p.Wait, Via: c.CalleeName(), When: r.translateGuard(c, p.When), Several: p.Several}, argOn(c, p), true) || changed
		}
	}
	for _, p := range s.ClientWait {
		if p.Param < len(c.Args) {
			changed = r.noteClientWait(c.Fn, c.Args[p.Param], ParamReach{Wait: p.Wait, Via: c.CalleeName()}) || changed
		}
	}
	for _, p := range s.CallsFunc {
		if p.Param >= len(c.Args) {
			continue
		}
		if q := r.paramOf(c.Args[p.Param]); q != nil {
			if idx := SigParam(q); idx >= 0 {
				on := 0
				if ctx := argOn(c, p); ctx != nil {
					if cp, ok := r.underlyingLocal(ctx).(*ssa.Parameter); ok && cp.Parent() == q.Parent() {
						on = SigParam(cp) + 1
					}
				}
				sum := r.summaryOf(q.Parent())
				changed = sum.addReach(&sum.CallsFunc, ParamReach{Param: idx, Name: q.Name(), Wait: p.Wait, Via: c.CalleeName(), On: on}) || changed
			}
		}
	}
	for _, a := range s.FuncArgs {
		changed = r.composeFuncArg(c, a) || changed
	}
	for _, p := range s.FixedDeadline {
		if p.Param < len(c.Args) {
			if q, ok := c.Args[p.Param].(*ssa.Parameter); ok && !consultsDeadline(c.Fn) {
				if idx := SigParam(q); idx >= 0 {
					sum := r.summaryOf(q.Parent())
					changed = sum.addReach(&sum.FixedDeadline, ParamReach{Param: idx, Name: q.Name(), Wait: p.Wait, Via: c.CalleeName()}) || changed
				}
			}
		}
	}
	if b := s.Bare; b != nil && c.Target != nil {
		changed = r.noteBare(c, BareWait{Wait: b.Wait, Via: c.CalleeName(), Bounded: b.Bounded}) || changed
	}
	if d := s.Deferred; d != nil {
		// A context-free form calling another: the wait is deferred to
		// this form's callers in turn, if it is one.
		changed = r.noteDeferred(c.Fn, DeferredWait{Wait: d.Wait, Via: c.CalleeName()}) || changed
	}
	if _, async := c.Instr.(*ssa.Go); s.Root != nil && !hasContextParamSSA(c.Fn) && (!async || c.Target != nil && r.awaited(c.Target)) {
		// A helper that starts its own root, called from a function with
		// no context of its own: the caller starts that root too, for its
		// own callers. Not through a go statement, whose work is detached
		// by design, unless the caller waits for that goroutine (kubo's
		// resolveAddresses: one lookup goroutine per address, then
		// wg.Wait): then it is the caller's own work.
		outer := r.summaryOf(c.Fn)
		if outer.Root == nil {
			outer.Root = &RootWait{Root: s.Root.Root, Wait: s.Root.Wait, Via: c.CalleeName(), Timeout: s.Root.Timeout, Bounded: s.Root.Bounded, Request: s.Root.Request}
			if s.Root.On > 0 && s.Root.On <= len(c.Args) {
				if q, ok := r.underlyingLocal(Unconvert(c.Args[s.Root.On-1])).(*ssa.Parameter); ok && q.Parent() == c.Fn {
					if k := SigParam(q); k >= 0 {
						outer.Root.On = k + 1
					}
				}
			}
			changed = true
		}
	}
	return changed
}

// noteReach records that the context o reaches a wait (or a cleanup): on
// the parameter it was inherited from, or as the function's own root.
func (r *Result) noteReach(c *Call, o Origin, p ParamReach, on ssa.Value, cleanup bool) bool {
	switch {
	case o.State == Inherited && o.Param != nil && (!o.Request || !servesRequest(o.Param.Parent())):
		// The context of a request parameter of a function that is no
		// handler is its caller's, like a context parameter (go-zero's
		// httpc.request(r, cli) re-reads r.Context() before sending).
		fn := o.Param.Parent()
		idx := SigParam(o.Param)
		if idx < 0 {
			return false
		}
		p.Param, p.Name, p.On = idx, o.Param.Name(), 0
		if c.Fn != fn {
			p.When = nil // a closure's conditions are not on fn's parameters
		} else if p.When == nil {
			p.When = localGuard(c)
		}
		if on != nil {
			if q, ok := r.underlyingLocal(Unconvert(on)).(*ssa.Parameter); ok && q.Parent() == fn {
				if k := SigParam(q); k >= 0 {
					p.On = k + 1
				}
			}
		}
		s := r.summaryOf(fn)
		if cleanup {
			return s.addReach(&s.Cleanup, p)
		}
		return s.addReach(&s.Reach, p)
	case !cleanup && o.RootFn != nil && (o.State.Unbounded() || o.State == Deadline && o.Rooted):
		if p.Wait == doneWait {
			// A root a function gives a select on its own Done: judged
			// where the root is passed (rootToBoundedWait), not recorded
			// as the function's Root for its callers (go-redis' cluster
			// helpers with their own short budgets, gocql's Close).
			return false
		}
		if p.BySystem {
			// A root given to a lookup the system bounds, through a
			// helper: as for the lookup itself, nothing its callers
			// could wait on without end.
			return false
		}
		changed := false
		if _, async := c.Instr.(*ssa.Go); !async && o.State.Unbounded() && !p.Bounded && o.RootFn == c.Fn {
			changed = r.noteDeferred(c.Fn, DeferredWait{Wait: p.Wait, Via: p.Via})
		}
		if p.ByReceiver && o.State != Deadline {
			// A bare root given to a wait its receiver bounds (a client
			// with Timeout): the receiver's bound is the one its author
			// chose. A fresh budget of the function's own (kafka-go's
			// WithDeadline(Background(), …) around a dial) still ignores
			// a caller's.
			return changed
		}
		if p.Bounded && on != nil {
			p.On = 0
			if q, ok := r.underlyingLocal(Unconvert(on)).(*ssa.Parameter); ok && q.Parent() == o.RootFn {
				if k := SigParam(q); k >= 0 {
					p.On = k + 1
				}
			}
		}
		return r.noteRoot(c, o, p) || changed
	case !cleanup && o.State == Deadline && o.DerivedFrom != nil:
		// A budget of the function's own, derived from its caller's
		// context (dragonfly's client.Check: WithTimeout(ctx, 2s)): the
		// wait is bounded, and still the caller's context's to cancel.
		derived := Origin{State: Inherited, Param: o.DerivedFrom}
		p.Bounded = true
		return r.noteReach(c, derived, p, on, false)
	}
	return false
}

// noteRoot records that a root the function made (o) reaches a wait: the
// function's Root, for callers that hold a context of their own.
func (r *Result) noteRoot(c *Call, o Origin, p ParamReach) bool {
	if o.RootFn == nil || !(o.State.Unbounded() || o.State == Deadline && o.Rooted) {
		return false
	}
	if _, async := c.Instr.(*ssa.Go); async {
		// The root is handed to a goroutine: work detached on purpose,
		// not a root the function's callers wait under.
		return false
	}
	s := r.summaryOf(o.RootFn)
	if s.Root != nil {
		return false
	}
	s.Root = &RootWait{Root: o.RootDesc(), Wait: p.Wait, Via: p.Via, Timeout: o.State == Deadline, Bounded: p.Bounded, Request: o.NewRequest}
	if p.Bounded {
		s.Root.On = p.On
	}
	s.Root.Twin, s.Root.TwinFits = r.twinOf(o.RootFn)
	return true
}

// summarizeFuncCalls records the func parameters fn calls, itself or in a
// closure nested in it, where a context is in scope (Summary.CallsFunc).
func (r *Result) summarizeFuncCalls(fn *ssa.Function) bool {
	if !hasContextParamSSA(fn) {
		return false
	}
	changed := false
	for call, p := range r.funcParamCalls(fn) {
		idx := SigParam(p)
		inScope := r.ContextInScope(fn, call.Pos())
		if idx < 0 || inScope == "" {
			continue
		}
		// On: the owner's own context parameter, when it has one: a
		// caller that passes a root there has nothing to thread.
		on := 0
		for k, q := range p.Parent().Params {
			if carriesContext(q.Type()) {
				if i := SigParam(p.Parent().Params[k]); i >= 0 {
					on = i + 1
				}
				break
			}
		}
		s := r.summaryOf(p.Parent())
		changed = s.addReach(&s.CallsFunc, ParamReach{Param: idx, Name: p.Name(), Wait: inScope, On: on}) || changed
	}
	return changed
}

// funcParamCalls yields the calls in fn of a func parameter (of fn or of a
// function enclosing it), with that parameter.
func (r *Result) funcParamCalls(fn *ssa.Function) iter.Seq2[*ssa.Call, *ssa.Parameter] {
	return func(yield func(*ssa.Call, *ssa.Parameter) bool) {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok || call.Call.IsInvoke() {
					continue
				}
				if p := r.paramOf(call.Call.Value); p != nil && !yield(call, p) {
					return
				}
			}
		}
	}
}

// summarizeFuncArgs records the context parameters fn (or a closure in
// it) hands as they are to a call of a func parameter (Summary.FuncArgs).
func (r *Result) summarizeFuncArgs(fn *ssa.Function) bool {
	changed := false
	for call, p := range r.funcParamCalls(fn) {
		for j, a := range call.Call.Args {
			if !knowledge.IsContext(a.Type()) {
				continue
			}
			if fa, ok := funcArgOf(r.classify(a, 0), p, j); ok {
				changed = r.summaryOf(p.Parent()).addFuncArg(fa) || changed
			}
		}
	}
	return changed
}

// funcArgOf is the FuncArg that says a context of origin o is passed as
// argument arg of a call of func parameter fparam, when o is a context
// parameter of fparam's function.
func funcArgOf(o Origin, fparam *ssa.Parameter, arg int) (FuncArg, bool) {
	if o.State != Inherited || o.Param == nil || o.Request || o.Param.Parent() != fparam.Parent() {
		return FuncArg{}, false
	}
	ci, fi := SigParam(o.Param), SigParam(fparam)
	return FuncArg{Ctx: ci, Func: fi, Arg: arg}, ci >= 0 && fi >= 0
}

// composeFuncArg applies a callee's FuncArg at call c: the function c
// passes there, if its parameter Arg reaches a wait, makes c's context
// argument reach it; a func parameter of the caller passed there, with a
// context of the caller's, makes a FuncArg of the caller's own.
func (r *Result) composeFuncArg(c *Call, a FuncArg) bool {
	if a.Ctx >= len(c.Args) || a.Func >= len(c.Args) {
		return false
	}
	ctx, fv := c.Args[a.Ctx], c.Args[a.Func]
	if f := FuncValue(r.underlyingLocal(fv)); f != nil {
		changed := false
		for _, p := range r.funcSummary(f).reachList() {
			if p.Param == a.Arg {
				changed = r.noteReach(c, r.classify(ctx, 0), ParamReach{Wait: p.Wait, Via: c.CalleeName(), Bounded: p.Bounded, ByReceiver: p.ByReceiver, BySystem: p.BySystem}, nil, false) || changed
			}
		}
		return changed
	}
	q := r.paramOf(fv)
	if q == nil {
		return false
	}
	fa, ok := funcArgOf(r.classify(ctx, 0), q, a.Arg)
	return ok && r.summaryOf(q.Parent()).addFuncArg(fa)
}

func (s *Summary) reachList() []ParamReach {
	if s == nil {
		return nil
	}
	return s.Reach
}

func (s *Summary) addFuncArg(a FuncArg) bool {
	if slices.Contains(s.FuncArgs, a) {
		return false
	}
	s.FuncArgs = append(s.FuncArgs, a)
	return true
}

// paramOf follows a value through closures' free variables and the cells
// of captured variables assigned once to the parameter of an enclosing
// function that it is, or returns nil.
func (r *Result) paramOf(v ssa.Value) *ssa.Parameter {
	p, _ := r.underlyingLocal(v).(*ssa.Parameter)
	return p
}

// noteClientWait records that the client or dialer value client, used
// in fn for a wait that only its Timeout can bound, is fn's parameter.
func (r *Result) noteClientWait(fn *ssa.Function, client ssa.Value, p ParamReach) bool {
	if client == nil {
		return false
	}
	q, ok := r.underlyingLocal(Unconvert(client)).(*ssa.Parameter)
	if !ok {
		return false
	}
	idx := SigParam(q)
	if idx < 0 {
		return false
	}
	p.Param, p.Name = idx, q.Name()
	s := r.summaryOf(q.Parent())
	return s.addReach(&s.ClientWait, p)
}

// ClientFromParam reports whether a call's receiver (a client or dialer)
// is a parameter of the function: which client bounds the wait is the
// caller's choice, judged where it passes one (Summary.ClientWait).
func (r *Result) ClientFromParam(c *Call) bool {
	if c.Recv == nil {
		return false
	}
	_, ok := r.underlyingLocal(Unconvert(c.Recv)).(*ssa.Parameter)
	return ok
}

// ClientBound says whether a client or dialer value has a Timeout (or
// Deadline) set, as far as the package shows.
func (r *Result) ClientBound(v ssa.Value) Boundedness {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.beginQuery(v)
	fields := clientTimeoutFields
	if knowledge.TypeRole(v.Type()) == knowledge.DialerType {
		fields = dialerTimeoutFields
	}
	if a, ok := Unconvert(v).(*ssa.Alloc); ok {
		// A client built here and handed to helpers: judged by how it
		// was built (the helpers only wait through it).
		return r.allocBoundMode(a, fields, allocMode{passed: true})
	}
	return r.structBound(v, fields)
}

// translateGuard restates a callee's guard in terms of the caller: on the
// caller's parameter it passes there, else the caller's own condition around
// the call (a constant that satisfies the guard leaves only that).
func (r *Result) translateGuard(c *Call, g *ConstGuard) *ConstGuard {
	if g != nil && g.Param <= len(c.Args) {
		if q, ok := Unconvert(c.Args[g.Param-1]).(*ssa.Parameter); ok && q.Parent() == c.Fn {
			if k := SigParam(q); k >= 0 {
				return &ConstGuard{Param: k + 1, Name: q.Name(), Values: g.Values}
			}
		}
	}
	return localGuard(c)
}

// localGuard returns the condition on a parameter of c.Fn under which the
// call runs: the nearest block dominating it that is entered only through
// the true branches of `param == constant` tests (a case of a switch on
// the parameter, an if) or the false branches of `param != constant`.
func localGuard(c *Call) *ConstGuard {
	instr := c.Instr
	if instr == nil || instr.Block() == nil {
		return nil
	}
	for b := instr.Block(); b != nil; b = b.Idom() {
		if g := entryGuard(b); g != nil {
			return g
		}
	}
	return nil
}

// entryGuard returns the guard of block b when every edge into it is the
// passing branch of a comparison of one parameter with a constant.
func entryGuard(b *ssa.BasicBlock) *ConstGuard {
	if len(b.Preds) == 0 {
		return nil
	}
	var g *ConstGuard
	for _, pred := range b.Preds {
		iff, ok := pred.Instrs[len(pred.Instrs)-1].(*ssa.If)
		if !ok || pred.Succs[0] == pred.Succs[1] {
			return nil
		}
		cmp, ok := iff.Cond.(*ssa.BinOp)
		if !ok {
			return nil
		}
		switch {
		case cmp.Op == token.EQL && pred.Succs[0] == b, cmp.Op == token.NEQ && pred.Succs[1] == b:
		default:
			return nil
		}
		x, y := cmp.X, cmp.Y
		if _, isConst := x.(*ssa.Const); isConst {
			x, y = y, x
		}
		param, ok := x.(*ssa.Parameter)
		k, isConst := y.(*ssa.Const)
		if !ok || !isConst || k.Value == nil || param.Parent() != b.Parent() {
			return nil
		}
		idx := SigParam(param)
		if idx < 0 || g != nil && g.Param != idx+1 {
			return nil
		}
		if g == nil {
			g = &ConstGuard{Param: idx + 1, Name: param.Name()}
		}
		if v := k.Value.ExactString(); !slices.Contains(g.Values, v) {
			g.Values = append(g.Values, v)
		}
	}
	sort.Strings(g.Values)
	return g
}

// argOn returns the argument a call passes where the callee's wait is on
// (ParamReach.On), or nil.
func argOn(c *Call, p ParamReach) ssa.Value {
	if p.On <= 0 || p.On > len(c.Args) {
		return nil
	}
	return c.Args[p.On-1]
}

// summarizeDeadlines records the connection parameters fn sets a fixed
// deadline on (conn.SetDeadline(time.Now().Add(d)) on a parameter), when fn
// looks at no context's deadline.
func (r *Result) summarizeDeadlines(fn *ssa.Function) bool {
	if consultsDeadline(fn) {
		return false
	}
	changed := false
	for set := range deadlineSets(fn) {
		if !NowPlus(set.arg) {
			continue
		}
		p, ok := stripConversions(set.recv).(*ssa.Parameter)
		if !ok {
			continue
		}
		if idx := SigParam(p); idx >= 0 {
			s := r.summaryOf(p.Parent())
			changed = s.addReach(&s.FixedDeadline, ParamReach{Param: idx, Name: p.Name(), Wait: set.callee.Name() + "(time.Now().Add(…))"}) || changed
		}
	}
	return changed
}

// deadlineSet is a call of a connection's deadline setter with its one
// argument (conn.SetReadDeadline(t)).
type deadlineSet struct {
	callee    *types.Func
	recv, arg ssa.Value
}

// deadlineSets yields fn's calls of deadline setters (read or write).
func deadlineSets(fn *ssa.Function) iter.Seq[deadlineSet] {
	return func(yield func(deadlineSet) bool) {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				callee, recv, args := SplitCall(call.Common())
				if read, write := knowledge.DeadlineSetter(callee); !read && !write || len(args) != 1 {
					continue
				}
				if !yield(deadlineSet{callee, recv, args[0]}) {
					return
				}
			}
		}
	}
}

// contextDeadlineWait names, in messages, the wait a connection deadline
// taken from a context bounds.
const contextDeadlineWait = "the I/O of a connection whose deadline is ctx's (SetDeadline(ctx.Deadline()))"

// summarizeContextDeadlines records the context parameters whose deadline
// fn gives a connection (`if dl, ok := ctx.Deadline(); ok {
// conn.SetDeadline(dl) }`): the connection's I/O is bounded by that
// context's deadline and by nothing else, so a caller that passes a
// context without one leaves it unbounded (libsql's prepared statements
// passing context.TODO() to a websocket exec).
func (r *Result) summarizeContextDeadlines(fn *ssa.Function) bool {
	changed := false
	for set := range deadlineSets(fn) {
		if set.recv == nil || !r.isConn(set.recv.Type()) {
			continue
		}
		ex, ok := Unconvert(set.arg).(*ssa.Extract)
		if !ok || ex.Index != 0 {
			continue
		}
		dl, ok := ex.Tuple.(*ssa.Call)
		if !ok {
			continue
		}
		dlFn, ctx, _ := SplitCall(dl.Common())
		if knowledge.RoleOf(dlFn) != knowledge.CtxDeadlineOf || ctx == nil {
			continue
		}
		o := r.classify(ctx, 0)
		if o.State != Inherited || o.Param == nil || o.Request {
			continue
		}
		idx := SigParam(o.Param)
		if idx < 0 {
			continue
		}
		s := r.summaryOf(o.Param.Parent())
		changed = s.addReach(&s.Reach, ParamReach{Param: idx, Name: o.Param.Name(), Wait: contextDeadlineWait}) || changed
	}
	return changed
}

// isConn reports whether t is a network connection: net.Conn, or a type
// that implements it (*net.TCPConn, *tls.Conn). The runtime's poll.FD has
// deadline setters too, but its deadlines bound a connect, not the I/O of
// a connection handed on.
func (r *Result) isConn(t types.Type) bool {
	if knowledge.IsConnType(t) {
		return true
	}
	pkg := r.importedPackage("net")
	if pkg == nil {
		return false
	}
	obj, _ := pkg.Scope().Lookup("Conn").(*types.TypeName)
	if obj == nil {
		return false
	}
	iface, _ := obj.Type().Underlying().(*types.Interface)
	return iface != nil && types.Implements(t, iface)
}

// NowPlus recognises time.Now().Add(d).
func NowPlus(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	fn, recv, _ := SplitCall(call.Common())
	if knowledge.RoleOf(fn) != knowledge.TimeAdd || recv == nil {
		return false
	}
	now, ok := recv.(*ssa.Call)
	if !ok {
		return false
	}
	nf, _, _ := SplitCall(now.Common())
	return knowledge.RoleOf(nf) == knowledge.TimeNow
}

// consultsDeadline reports whether fn (or a closure in it) looks at a
// context's deadline or Done channel, or registers context.AfterFunc.
func consultsDeadline(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			ci, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			callee, _, _ := SplitCall(ci.Common())
			switch knowledge.RoleOf(callee) {
			case knowledge.CtxDeadlineOf, knowledge.CtxDone, knowledge.CtxAfterFunc:
				return true
			}
		}
	}
	for _, anon := range fn.AnonFuncs {
		if consultsDeadline(anon) {
			return true
		}
	}
	return false
}

// ConsultsDeadline is consultsDeadline on the function and, for a closure,
// the functions around it.
func ConsultsDeadline(fn *ssa.Function) bool {
	return consultsDeadline(Outermost(fn))
}

func stripConversions(v ssa.Value) ssa.Value {
	for {
		v = Unconvert(v)
		ta, ok := v.(*ssa.TypeAssert)
		if !ok {
			return v
		}
		v = ta.X
	}
}

// summarizeReturns records which context parameters' cancellations fn's
// error result may carry.
func (r *Result) summarizeReturns(fn *ssa.Function) bool {
	if !ErrorLast(fn.Signature) {
		return false
	}
	changed := false
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) == 0 {
			continue
		}
		for _, src := range r.errSources(Returned(ret, len(ret.Results)-1)) {
			if src.Ctx.State == Inherited && src.Ctx.Field && src.CtxValue != nil && ReceiverField(src.CtxValue, fn) {
				if s := r.summaryOf(fn); !s.CancelsRecv {
					s.CancelsRecv, changed = true, true
				}
				continue
			}
			if src.Ctx.State != Inherited || src.Ctx.Param == nil || src.Ctx.Request {
				continue
			}
			if owner := src.Ctx.Param.Parent(); owner != fn && !ErrorLast(owner.Signature) {
				// A closure returning its captured ctx's cancellation
				// counts for the enclosing function when that one returns
				// an error (filepath.WalkDir hands the closure's error
				// back), never for one that returns none.
				continue
			}
			if idx := SigParam(src.Ctx.Param); idx >= 0 {
				owner := r.summaryOf(src.Ctx.Param.Parent())
				if src.Killed {
					changed = addIndex(&owner.KilledList, idx) || changed
				} else {
					changed = owner.addCancel(idx) || changed
				}
			}
		}
	}
	return changed
}

// ReceiverField reports whether v is loaded from a field of fn's receiver
// (x.Context): a context the object keeps for its own lifetime.
func ReceiverField(v ssa.Value, fn *ssa.Function) bool {
	if fn.Signature.Recv() == nil || len(fn.Params) == 0 {
		return false
	}
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return false
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	return ok && fa.X == fn.Params[0]
}

// calleeSummary returns what is known of the function a call reaches: its
// fact (another package), its in-package summary, or for a call through an
// interface the union over the implementations the package can see.
func (r *Result) calleeSummary(c *Call) *Summary {
	if c.Summary != nil {
		return c.Summary
	}
	if c.Target != nil {
		if s := r.summary[c.Target]; !s.empty() {
			return s
		}
		return nil
	}
	if c.Callee == nil {
		return nil
	}
	var out *Summary
	add := func(s *Summary) {
		if s.empty() {
			return
		}
		if out == nil {
			out = &Summary{}
		}
		out.merge(s)
	}
	if c.Callee.Pkg() != r.Pass.Pkg {
		var fact Summary
		if r.Pass.ImportObjectFact(c.Callee.Origin(), &fact) {
			add(&fact)
		}
	}
	if isInterfaceMethod(c.Callee) {
		for _, impl := range r.implementations(c.Callee) {
			add(r.summary[impl])
		}
	}
	return out
}

// Implementations returns this package's methods that implement the
// interface method m.
func (r *Result) Implementations(m *types.Func) []*ssa.Function {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.implementations(m)
}

// implementations returns this package's methods that implement the
// interface method m: the methods of the package's named types whose
// method set (value or pointer) satisfies m's interface.
func (r *Result) implementations(m *types.Func) []*ssa.Function {
	if out, ok := r.impls[m]; ok {
		return out
	}
	out := r.implementationsUncached(m)
	if r.impls == nil {
		r.impls = map[*types.Func][]*ssa.Function{}
	}
	r.impls[m] = out
	return out
}

// implementationsUncached looks, among the package's concrete types that
// have a method of m's name, for those that implement m's interface.
// Candidates are indexed by method name once per package: a generated
// package (aws-sdk-go-v2/service/ec2) has thousands of types and calls
// interface methods thousands of times.
func (r *Result) implementationsUncached(m *types.Func) []*ssa.Function {
	iface, ok := m.Signature().Recv().Type().Underlying().(*types.Interface)
	if !ok || r.Pkg == nil {
		return nil
	}
	if r.byMethod == nil {
		r.byMethod = map[string][]*types.TypeName{}
		scope := r.Pass.Pkg.Scope()
		for _, name := range scope.Names() {
			tn, ok := scope.Lookup(name).(*types.TypeName)
			if !ok || tn.IsAlias() || types.IsInterface(tn.Type()) {
				continue
			}
			if named, ok := tn.Type().(*types.Named); ok && named.TypeParams().Len() > 0 {
				continue
			}
			ms := types.NewMethodSet(types.NewPointer(tn.Type()))
			for i := range ms.Len() {
				r.byMethod[ms.At(i).Obj().Name()] = append(r.byMethod[ms.At(i).Obj().Name()], tn)
			}
		}
	}
	var out []*ssa.Function
	for _, tn := range r.byMethod[m.Name()] {
		for _, t := range []types.Type{tn.Type(), types.NewPointer(tn.Type())} {
			if !types.Implements(t, iface) {
				continue
			}
			obj, _, _ := types.LookupFieldOrMethod(t, false, r.Pass.Pkg, m.Name())
			if fn, ok := obj.(*types.Func); ok {
				if f := r.Pkg.Prog.FuncValue(fn); f != nil {
					out = append(out, f)
				}
			}
			break
		}
	}
	return out
}

func isInterfaceMethod(fn *types.Func) bool {
	recv := fn.Signature().Recv()
	return recv != nil && types.IsInterface(recv.Type())
}

// hasContextParamSSA reports whether fn, or a function it is nested in,
// has a context of its own: a context.Context or *http.Request parameter
// or capture.
func hasContextParamSSA(fn *ssa.Function) bool {
	for f := fn; f != nil; f = f.Parent() {
		for _, p := range f.Params {
			if carriesContext(p.Type()) {
				return true
			}
		}
		for _, fv := range f.FreeVars {
			if carriesContext(fv.Type()) {
				return true
			}
		}
	}
	return false
}

// HasContextParam reports whether fn takes a context of its own: a
// context.Context or an *http.Request (whose Context() its body can use).
func HasContextParam(fn *types.Func) bool {
	params := fn.Signature().Params()
	for i := range params.Len() {
		if carriesContext(params.At(i).Type()) {
			return true
		}
	}
	return false
}

// CarriesContext reports whether a parameter of type t brings its function
// a context: a context.Context, or an *http.Request (r.Context()).
func CarriesContext(t types.Type) bool { return carriesContext(t) }

func carriesContext(t types.Type) bool {
	return knowledge.IsContext(t) || knowledge.TypeRole(t) == knowledge.HTTPRequestType
}

// exportFacts exports the summaries of functions other packages can call,
// and of the methods of the package's interfaces.
func (r *Result) exportFacts() {
	for _, fn := range r.SrcFuncs {
		s := r.summary[fn]
		obj := funcObject(fn)
		if obj == nil || obj.Pkg() != r.Pass.Pkg {
			continue
		}
		if k := r.passThrough(fn); k >= 0 {
			s = r.summaryOf(fn)
			s.Passes = k + 1
		}
		if s.empty() {
			continue
		}
		if recv := obj.Signature().Recv(); recv == nil && !obj.Exported() {
			continue // an unexported function: no other package can call it
		}
		r.Pass.ExportObjectFact(obj, s)
	}
	scope := r.Pass.Pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		iface, ok := tn.Type().Underlying().(*types.Interface)
		if !ok {
			continue
		}
		for i := range iface.NumExplicitMethods() {
			m := iface.ExplicitMethod(i)
			var union Summary
			for _, impl := range r.implementations(m) {
				union.merge(r.summary[impl])
			}
			union.Root = nil // a root is the implementation's own business
			if !union.empty() {
				r.Pass.ExportObjectFact(m, &union)
			}
		}
	}
}

// SigParam returns the signature index (receiver excluded) of p in its
// function, or -1.
func SigParam(p *ssa.Parameter) int {
	fn := p.Parent()
	for i, q := range fn.Params {
		if q == p {
			if fn.Signature.Recv() != nil {
				return i - 1
			}
			return i
		}
	}
	return -1
}

// funcObject returns the declared function of an SSA function, or nil for
// closures and wrappers.
func funcObject(fn *ssa.Function) *types.Func {
	if fn == nil || fn.Synthetic != "" {
		return nil
	}
	obj, _ := fn.Object().(*types.Func)
	return obj
}

// privateCalls returns the package's calls of fn when they are all of its
// calls: fn is a declared, unexported function or method that the package
// never uses as a value. Otherwise, or when there is none, nil. r.mu must
// be held.
func (r *Result) privateCalls(fn *ssa.Function) []*Call {
	obj := funcObject(fn)
	if obj == nil || obj.Exported() || r.usedAsValue(fn) {
		return nil
	}
	return r.callers[fn]
}

// CallersOf returns the package's calls of fn.
func (r *Result) CallersOf(fn *ssa.Function) []*Call { return r.callers[fn] }

// RootReportedAtCallers reports whether the root context fn starts is
// reported where fn is called (sharedeadline: the caller's context is
// dropped) rather than inside fn (nodeadline): fn is an unexported
// function or method with no context parameter, which the package never
// uses as a value and calls only from places where a caller's context is
// in scope. Then threading that context into fn is the fix, and one report
// per call site says so.
func (r *Result) RootReportedAtCallers(fn *ssa.Function) bool {
	if hasContextParamSSA(fn) {
		return false
	}
	r.mu.Lock()
	calls := r.privateCalls(fn)
	r.mu.Unlock()
	if len(calls) == 0 {
		return false
	}
	for _, c := range calls {
		if r.ContextInScope(c.Fn, r.Pos(c)) == "" {
			return false
		}
	}
	return true
}

// CallsIn returns the calls the core recorded in fn's own body (not in
// the literals nested in it), in block order.
func (r *Result) CallsIn(fn *ssa.Function) []*Call {
	var out []*Call
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if ci, ok := instr.(ssa.CallInstruction); ok {
				out = append(out, r.callsAt[ci]...)
			}
		}
	}
	return out
}

// CallsAt returns the calls the core recorded for a call instruction.
func (r *Result) CallsAt(ci ssa.CallInstruction) []*Call { return r.callsAt[ci] }

// ErrorLast reports whether a signature's last result is an error.
func ErrorLast(sig *types.Signature) bool {
	results := sig.Results()
	return results.Len() > 0 && knowledge.IsError(results.At(results.Len()-1).Type())
}

// summarizeSilentDone records the context parameters on whose cancellation
// fn, which has no result, returns early (a return where the context is
// known done).
func (r *Result) summarizeSilentDone(fn *ssa.Function) bool {
	if fn.Parent() != nil || !hasContextParamSSA(fn) {
		return false
	}
	if fn.Signature.Results().Len() > 0 {
		return false // a result can say it (WaitForStateChange's false)
	}
	s := r.summaryOf(fn)
	changed := false
	for _, d := range r.donesLocked(fn) {
		o := d.Origin
		if o.State != Inherited || o.Param == nil || o.Param.Parent() != fn || o.Request {
			continue
		}
		idx := SigParam(o.Param)
		if idx < 0 || slices.Contains(s.SilentOnDone, idx) {
			continue
		}
		for _, b := range fn.Blocks {
			if _, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && d.Covers(b, len(b.Instrs)-1) {
				s.SilentOnDone = append(s.SilentOnDone, idx)
				changed = true
				break
			}
		}
	}
	return changed
}

// summarizeFailsOnlyOnDone records the context parameter p of fn, which
// returns an error last, when every return of a non-nil error lies where
// p is known done (a Done of p covers it), and at least one does.
func (r *Result) summarizeFailsOnlyOnDone(fn *ssa.Function) {
	if len(fn.Blocks) == 0 || !ErrorLast(fn.Signature) || !hasContextParamSSA(fn) {
		return
	}
	s := r.summaryOf(fn)
	if len(s.FailsOnlyOnDone) > 0 {
		return
	}
	dones := r.donesLocked(fn)
	param := -1
	for _, ret := range Returns(fn) {
		v := Returned(ret, len(ret.Results)-1)
		if IsNilConst(v) || ret.Block() == fn.Recover {
			continue // the recover block returns only after a panic
		}
		idx := len(ret.Block().Instrs) - 1
		covered := -1
		for _, d := range dones {
			o := d.Origin
			if o.State != Inherited || o.Param == nil || o.Param.Parent() != fn || o.Request || !d.Covers(ret.Block(), idx) {
				continue
			}
			covered = SigParam(o.Param)
			break
		}
		if covered < 0 {
			covered = r.passedPauseFailure(fn, v)
		}
		if covered < 0 || param >= 0 && covered != param {
			return
		}
		param = covered
	}
	if param >= 0 {
		s.FailsOnlyOnDone = []int{param}
	}
}

// passedPauseFailure returns the index of fn's context parameter when v
// is the error of a call that fails only once that parameter is done (a
// wrapper returning its pause's error as it is), or -1.
func (r *Result) passedPauseFailure(fn *ssa.Function, v ssa.Value) int {
	v = StripInterface(v)
	if ex, ok := v.(*ssa.Extract); ok {
		v = ex.Tuple
	}
	call, ok := v.(*ssa.Call)
	if !ok {
		return -1
	}
	i := r.failsOnlyOnDone(call)
	_, _, args := SplitCall(call.Common())
	if i < 0 || i >= len(args) {
		return -1
	}
	if p, ok := r.underlyingLocal(args[i]).(*ssa.Parameter); ok && p.Parent() == fn && carriesContext(p.Type()) {
		return SigParam(p)
	}
	return -1
}

// summarizeSyncCalls records the func parameters fn only ever calls
// directly (no go, no defer, not stored or passed on).
func (r *Result) summarizeSyncCalls(fn *ssa.Function) bool {
	if fn.Parent() != nil {
		return false
	}
	s := r.summaryOf(fn)
	changed := false
	for _, p := range fn.Params {
		if _, ok := p.Type().Underlying().(*types.Signature); !ok || p.Referrers() == nil {
			continue
		}
		idx := SigParam(p)
		if idx < 0 || slices.Contains(s.SyncCalls, idx) {
			continue
		}
		called, only := false, true
		for _, ref := range *p.Referrers() {
			switch x := ref.(type) {
			case *ssa.DebugRef:
			case *ssa.Call:
				if x.Call.Value != ssa.Value(p) {
					only = false
				}
				called = true
			default:
				only = false
			}
		}
		if called && only {
			s.SyncCalls = append(s.SyncCalls, idx)
			changed = true
		}
	}
	return changed
}

// CalledFunc returns the function a function value denotes, a bound
// method value's method included, when it is this package's; else nil.
func (r *Result) CalledFunc(v ssa.Value) *ssa.Function {
	fn := FuncValue(v)
	if fn == nil || r.Pkg == nil {
		return nil
	}
	if fn.Synthetic != "" {
		if obj, ok := fn.Object().(*types.Func); ok {
			fn = r.Pkg.Prog.FuncValue(obj)
		}
	}
	if fn == nil || fn.Pkg != r.Pkg {
		return nil
	}
	return fn
}

// HandedWithContext reports whether every use of the function literal lit
// is as an argument of a call that is also given a context its caller did
// not make from scratch (ring.DoBatch(ctx, …, callback)): the runner is told
// which context governs the work it runs, so the literal's work is that
// context's, not detached — except context.AfterFunc, which runs it once
// the context is done.
func (r *Result) HandedWithContext(lit *ssa.Function) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, calls := r.literalCalls(lit)
	if calls == nil {
		return false
	}
	for _, ci := range calls {
		callee, _, args := SplitCall(ci.Common())
		if callee == nil || knowledge.RoleOf(callee) == knowledge.CtxAfterFunc {
			return false
		}
		governed := false
		for _, a := range args {
			if a != v && knowledge.IsContext(a.Type()) {
				if o := r.classify(a, 0); o.State == Inherited || o.State == Deadline {
					governed = true
				}
			}
		}
		if !governed {
			return false
		}
	}
	return true
}

// literalCalls returns the value that stands for the literal lit (its
// closure, or itself) and the calls it is handed to, or nil calls when it
// is used otherwise (or not at all).
func (r *Result) literalCalls(lit *ssa.Function) (ssa.Value, []*ssa.Call) {
	var v ssa.Value = lit
	if mc := r.closures[lit]; mc != nil {
		v = mc
	}
	if v.Referrers() == nil || len(*v.Referrers()) == 0 {
		return v, nil
	}
	var calls []*ssa.Call
	for _, ref := range *v.Referrers() {
		ci, ok := ref.(*ssa.Call)
		if !ok {
			return v, nil
		}
		calls = append(calls, ci)
	}
	return v, calls
}

// CalledDuringCall reports whether a function literal is only ever handed
// to calls that call it during the call (their summaries' SyncCalls): it
// runs under its caller's context, not on a schedule of its own.
func (r *Result) CalledDuringCall(lit *ssa.Function) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, calls := r.literalCalls(lit)
	if calls == nil {
		return false
	}
	for _, ci := range calls {
		handed := false
		if fn, _, args := SplitCall(ci.Common()); knowledge.RoleOf(fn) == knowledge.OnceDo && slices.Contains(args, v) {
			handed = true // once.Do(f) runs f before it returns (go-gitlab's configureLimiterOnce)
		}
		for _, c := range r.callsAt[ci] {
			s := r.calleeSummary(c)
			for k, a := range c.Args {
				if a == v && s != nil && slices.Contains(s.SyncCalls, k) {
					handed = true
				}
			}
		}
		if !handed {
			return false
		}
	}
	return true
}

// noteBare records that c's function, a declared one that takes no
// context, makes the context-free wait b during the call.
func (r *Result) noteBare(c *Call, b BareWait) bool {
	fn := c.Fn
	if _, sync := c.Instr.(*ssa.Call); !sync || fn.Parent() != nil || hasContextParamSSA(fn) {
		return false
	}
	if s := r.summary[fn]; s != nil && s.Bare != nil {
		return false
	}
	r.summaryOf(fn).Bare = &b
	return true
}

// summarizeRepeatCalls records the func parameters fn calls in a loop,
// itself or in a literal it makes (RepeatCalls).
func (r *Result) summarizeRepeatCalls(fn *ssa.Function) {
	if fn.Parent() != nil {
		return
	}
	for _, p := range fn.Params {
		if _, ok := p.Type().Underlying().(*types.Signature); !ok || p.Referrers() == nil {
			continue
		}
		if idx := SigParam(p); idx >= 0 && callsRepeatedly(p, 0) {
			s := r.summaryOf(fn)
			s.RepeatCalls = append(s.RepeatCalls, idx)
		}
	}
}

// callsRepeatedly reports whether v (a func parameter, the cell it is
// spilled to, a load of it, or a free variable bound to one) is called in
// a loop, in its function or in a literal made there, up to two literals
// deep.
func callsRepeatedly(v ssa.Value, depth int) bool {
	if depth > 2 || v.Referrers() == nil {
		return false
	}
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.Call:
			if r.Call.Value == v && InLoop(r.Block()) {
				return true
			}
		case *ssa.Store:
			// A captured parameter is spilled to a cell the literals share.
			if cell, ok := r.Addr.(*ssa.Alloc); ok && r.Val == v && callsRepeatedly(cell, depth) {
				return true
			}
		case *ssa.UnOp:
			if r.Op == token.MUL && callsRepeatedly(r, depth) {
				return true
			}
		case *ssa.MakeClosure:
			lit, ok := r.Fn.(*ssa.Function)
			if !ok {
				continue
			}
			for i, b := range r.Bindings {
				if b == v && i < len(lit.FreeVars) && callsRepeatedly(lit.FreeVars[i], depth+1) {
					return true
				}
			}
		}
	}
	return false
}

// PrivateCallers returns the package's calls of fn when they are all its
// calls: fn is unexported (or a method of that name) and never used as a
// value. Nil otherwise.
func (r *Result) PrivateCallers(fn *ssa.Function) []*Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.privateCalls(fn)
}
