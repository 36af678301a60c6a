package ctxflow

import (
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// ErrSource is a way an error value can carry a context's cancellation
// (context.Canceled or DeadlineExceeded, or a cause).
type ErrSource struct {
	// Ctx is the origin of the context whose cancellation the error may
	// carry; zero for a sentinel. CtxValue is that context as the call was
	// given it (nil when not known).
	Ctx      Origin
	CtxValue ssa.Value
	// Desc names the source for messages: "ctx.Err()", "context.Cause",
	// "(*sql.DB).ExecContext", "a.fetch, which passes ctx to
	// (*sql.DB).ExecContext".
	Desc string
	// Sentinel is CtxCanceled or CtxDeadlineErr for a load of
	// context.Canceled or context.DeadlineExceeded themselves.
	Sentinel knowledge.Role
	// At is the call (or load) the error comes from.
	At ssa.Value
	// Killed marks a call that fails once its context is done but whose
	// error need not be the cancellation itself (a command of
	// exec.CommandContext reports "signal: killed"): a retry of it is futile
	// once the context is done, yet formatting or dropping its error hides
	// no context.Canceled. ErrSources leaves such sources out;
	// FailureSources keeps them.
	Killed bool
}

// Cancellable reports whether a context in state s can be cancelled by
// someone the function does not control: inherited from the caller, or
// derived from something that can time out. A Background, TODO or
// WithoutCancel context is never cancelled; Unknown ones are not counted
// (precision first).
func Cancellable(s State) bool {
	return s == Inherited || s == Deadline || s == MaybeNoDeadline
}

// ErrSources returns the ways the error value v may carry a cancellation,
// following v through phis, conversions, locals and wrapping (%w), on the
// paths that reach v's use. A value of unknown origin (an arbitrary call,
// a parameter) has none: precision first.
func (r *Result) ErrSources(v ssa.Value) []ErrSource {
	return withoutKilled(r.FailureSources(v))
}

// FailureSources is ErrSources with the calls that fail once their
// context is done without returning its cancellation (Killed): what a retry
// asks, which only cares that every attempt fails.
func (r *Result) FailureSources(v ssa.Value) []ErrSource {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.beginQuery(v.Parent())
	return r.errSources(v)
}

// CallErrSources returns the ways the error result of call may carry a
// cancellation, whether or not the result is used.
func (r *Result) CallErrSources(call *ssa.Call) []ErrSource {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.beginQuery(call.Parent())
	return withoutKilled(r.callErrSources(call))
}

func withoutKilled(srcs []ErrSource) []ErrSource {
	out := srcs[:0:0]
	for _, s := range srcs {
		if !s.Killed {
			out = append(out, s)
		}
	}
	return out
}

func (r *Result) errSources(v ssa.Value) []ErrSource {
	if v == nil || !knowledge.IsError(v.Type()) && !types.IsInterface(v.Type()) {
		return nil // a policy, a count: no error to carry a cancellation
	}
	if out, ok := r.errs[v]; ok {
		return out
	}
	if !r.step() {
		return nil
	}
	r.errs[v] = nil // a cycle through phis adds nothing
	out := r.errSourcesUncached(v)
	r.errs[v] = out
	return out
}

func (r *Result) errSourcesUncached(v ssa.Value) []ErrSource {
	switch v := v.(type) {
	case *ssa.Extract:
		if call, ok := v.Tuple.(*ssa.Call); ok && v.Index == call.Common().Signature().Results().Len()-1 {
			return r.callErrSources(call)
		}
	case *ssa.Call:
		return r.callErrSources(v)
	case *ssa.Phi:
		var out []ErrSource
		for _, e := range v.Edges {
			out = appendSources(out, r.errSources(e))
		}
		return out
	case *ssa.MakeInterface:
		return r.errSources(v.X)
	case *ssa.ChangeInterface:
		return r.errSources(v.X)
	case *ssa.ChangeType:
		return r.errSources(v.X)
	case *ssa.TypeAssert:
		if !v.CommaOk {
			return r.errSources(v.X)
		}
	case *ssa.FreeVar:
		if b := r.binding(v); b != nil {
			return r.errSources(b)
		}
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return nil
		}
		switch x := v.X.(type) {
		case *ssa.Global:
			if obj, ok := x.Object().(*types.Var); ok {
				if role := knowledge.VarRole(obj); role == knowledge.CtxCanceled || role == knowledge.CtxDeadlineErr {
					return []ErrSource{{Desc: "context." + obj.Name(), Sentinel: role, At: v}}
				}
			}
		case *ssa.Alloc:
			var out []ErrSource
			for _, val := range reachingStores(v, x) {
				out = appendSources(out, r.errSources(val))
			}
			return out
		case *ssa.FreeVar:
			if b, ok := r.binding(x).(*ssa.Alloc); ok {
				var out []ErrSource
				for _, ref := range *b.Referrers() {
					if st, ok := ref.(*ssa.Store); ok && st.Addr == b {
						out = appendSources(out, r.errSources(st.Val))
					}
				}
				return out
			}
		}
	}
	return nil
}

// reachingStores returns the values stored into a local variable that the
// load can see: on each path back from the load, the last store before it.
// A variable a deferred closure captures (a named error result) is stored
// many times; only the stores on the way to the load matter. Stores made
// by closures the variable escapes to are not followed.
func reachingStores(load *ssa.UnOp, addr *ssa.Alloc) []ssa.Value {
	var out []ssa.Value
	seen := map[*ssa.BasicBlock]bool{}
	// lastStore scans b backwards from instruction index end (exclusive).
	lastStore := func(b *ssa.BasicBlock, end int) (ssa.Value, bool) {
		for k := end - 1; k >= 0; k-- {
			if st, ok := b.Instrs[k].(*ssa.Store); ok && st.Addr == addr {
				return st.Val, true
			}
		}
		return nil, false
	}
	start := load.Block()
	idx := len(start.Instrs)
	for k, instr := range start.Instrs {
		if instr == load {
			idx = k
			break
		}
	}
	if v, ok := lastStore(start, idx); ok {
		return []ssa.Value{v}
	}
	work := append([]*ssa.BasicBlock(nil), start.Preds...)
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		if v, ok := lastStore(b, len(b.Instrs)); ok {
			out = append(out, v)
			continue
		}
		work = append(work, b.Preds...)
	}
	return out
}

func appendSources(out, add []ErrSource) []ErrSource {
	for _, s := range add {
		dup := false
		for _, o := range out {
			if o.At == s.At && o.Desc == s.Desc {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}

// callErrSources: the error a call returns may be a cancellation when the
// call is ctx.Err() or context.Cause(ctx), a wait given a context, a
// function whose summary says its error carries its context's cancellation,
// or an error wrapping one of those (%w, errors.Join).
func (r *Result) callErrSources(call *ssa.Call) []ErrSource {
	common := call.Common()
	fn, recv, args := SplitCall(common)
	switch knowledge.RoleOf(fn) {
	case knowledge.CtxErr:
		return cancellable(ErrSource{Ctx: r.classify(recv, 0), CtxValue: recv, Desc: exprName(r, recv) + ".Err()", At: call})
	case knowledge.CtxCause:
		if len(args) == 1 {
			return cancellable(ErrSource{Ctx: r.classify(args[0], 0), CtxValue: args[0], Desc: "context.Cause", At: call})
		}
		return nil
	case knowledge.SQLRowResult:
		// row.Scan's error is the query's: db.QueryRowContext(ctx, …)
		// defers its error, a cancellation included, to the row.
		if query, ok := recv.(*ssa.Call); ok {
			return r.callErrSources(query)
		}
		return nil
	case knowledge.ExecRun:
		// A command of exec.CommandContext fails once its context is
		// done: Start returns ctx.Err(), a running one is killed.
		if made, ok := recv.(*ssa.Call); ok {
			if mk, _, mkArgs := SplitCall(made.Common()); knowledge.RoleOf(mk) == knowledge.ExecCommandContext && len(mkArgs) > 0 {
				return cancellable(ErrSource{Ctx: r.classify(mkArgs[0], 0), CtxValue: mkArgs[0], Desc: "a command of exec.CommandContext", At: call, Killed: true})
			}
		}
		return nil
	case knowledge.FmtErrorf:
		var out []ErrSource
		for _, a := range ErrorfArgs(common) {
			if a.Verb == 'w' {
				out = appendSources(out, r.errSources(a.Value))
			}
		}
		return out
	case knowledge.ErrWrapNilSafe:
		if len(args) > 0 {
			return r.errSources(args[0])
		}
		return nil
	case knowledge.ErrorsJoin:
		var out []ErrSource
		values := variadicValues(common)
		if len(common.Args) > 0 {
			// errors.Join(append(errs, err)...): what append adds.
			if app, ok := common.Args[len(common.Args)-1].(*ssa.Call); ok {
				if b, ok := app.Call.Value.(*ssa.Builtin); ok && b.Name() == "append" && len(app.Call.Args) == 2 {
					values = append(values, sliceValues(app.Call.Args[1])...)
				}
			}
		}
		for _, a := range values {
			if a != nil {
				out = appendSources(out, r.errSources(a))
			}
		}
		return out
	}
	if fn != nil && (knowledge.NonWaiting(fn) || knowledge.CleanupOf(fn) != nil) {
		return nil
	}
	var c *Call
	for _, k := range r.callsAt[call] {
		c = k
	}
	if c == nil {
		return nil
	}
	if c.Sink != nil {
		v := r.judge(c)
		if v.HasContext {
			var ctx ssa.Value
			if i, ok := c.Sink.Context.In(len(c.Args)); ok {
				ctx = c.Args[i]
			}
			return cancellable(ErrSource{Ctx: v.Ctx, CtxValue: ctx, Desc: c.CalleeName(), At: call})
		}
		return nil
	}
	s := r.calleeSummary(c)
	var out []ErrSource
	if s != nil && s.CancelsRecv && c.Recv != nil && sameReceiver(c.Recv, call.Parent()) {
		// A sibling method on the same receiver: its context field is
		// the one this method sees.
		desc := c.CalleeName() + ", which returns the cancellation of its receiver's context"
		out = append(out, ErrSource{Ctx: Origin{State: Inherited, Field: true, Desc: "the receiver's context"}, Desc: desc, At: call})
	}
	for _, i := range s.Cancels() {
		if i >= len(c.Args) {
			continue
		}
		desc := c.CalleeName()
		if p := s.ReachOf(i); p != nil {
			desc += ", which passes " + p.Name + " to " + p.Wait
		}
		out = append(out, cancellable(ErrSource{Ctx: r.classify(c.Args[i], 0), CtxValue: c.Args[i], Desc: desc, At: call})...)
	}
	if s != nil {
		for _, i := range s.KilledList {
			if i < len(c.Args) && !s.CancelsParam(i) {
				out = append(out, cancellable(ErrSource{Ctx: r.classify(c.Args[i], 0), CtxValue: c.Args[i], Desc: c.CalleeName() + ", which runs a command under it", At: call, Killed: true})...)
			}
		}
	}
	return out
}

func cancellable(s ErrSource) []ErrSource {
	if !Cancellable(s.Ctx.State) {
		return nil
	}
	return []ErrSource{s}
}

// exprName names a value for messages: a parameter or a captured variable
// by its name, anything else as "ctx".
func exprName(r *Result, v ssa.Value) string {
	switch v := v.(type) {
	case *ssa.Parameter:
		return v.Name()
	case *ssa.FreeVar:
		return v.Name()
	}
	if o := r.classify(v, 0); o.Param != nil {
		return o.Param.Name()
	}
	return "ctx"
}

// An ErrorfArg is an argument of fmt.Errorf with the verb that formats it.
type ErrorfArg struct {
	Verb  rune
	Index int // among the variadic arguments
	Value ssa.Value
	// Offset is the verb's byte offset in the format string's value.
	Offset int
}

// ErrorfArgs pairs the arguments of a fmt.Errorf (or any printf-like call
// whose format is argument 0 and is a constant) with their verbs. Explicit
// argument indexes and * widths end the pairing: nothing is guessed.
func ErrorfArgs(common *ssa.CallCommon) []ErrorfArg {
	if len(common.Args) < 1 {
		return nil
	}
	c, ok := common.Args[0].(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.String {
		return nil
	}
	format := constant.StringVal(c.Value)
	values := variadicValues(common)
	var out []ErrorfArg
	arg := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		start := i
		i++
		for i < len(format) && (format[i] == '+' || format[i] == '-' || format[i] == '#' || format[i] == ' ' || format[i] == '0' || format[i] >= '1' && format[i] <= '9' || format[i] == '.') {
			i++
		}
		if i >= len(format) {
			break
		}
		if format[i] == '%' {
			continue
		}
		if format[i] == '[' || format[i] == '*' {
			return out
		}
		if arg < len(values) {
			out = append(out, ErrorfArg{Verb: rune(format[i]), Index: arg, Value: values[arg], Offset: start})
		}
		arg++
	}
	return out
}

// variadicValues returns the values stored into the slice a call passes as
// its final variadic argument, in order (nil when they cannot be seen).
func variadicValues(common *ssa.CallCommon) []ssa.Value {
	sig := common.Signature()
	if !sig.Variadic() || len(common.Args) == 0 {
		return nil
	}
	return sliceValues(common.Args[len(common.Args)-1])
}

// sliceValues returns the values stored into a slice built from a fresh
// array (a variadic argument list), in order, or nil.
func sliceValues(v ssa.Value) []ssa.Value {
	slice, ok := v.(*ssa.Slice)
	if !ok {
		return nil
	}
	alloc, ok := slice.X.(*ssa.Alloc)
	if !ok {
		return nil
	}
	arr, ok := alloc.Type().(*types.Pointer).Elem().Underlying().(*types.Array)
	if !ok {
		return nil
	}
	out := make([]ssa.Value, arr.Len())
	for _, ref := range *alloc.Referrers() {
		ia, ok := ref.(*ssa.IndexAddr)
		if !ok {
			continue
		}
		idx, ok := ia.Index.(*ssa.Const)
		if !ok {
			continue
		}
		i, _ := constant.Int64Val(idx.Value)
		for _, use := range *ia.Referrers() {
			if st, ok := use.(*ssa.Store); ok && st.Addr == ia && int(i) < len(out) {
				out[i] = st.Val
			}
		}
	}
	return out
}

// Returned returns result i of a return instruction, looking through the
// result slots a function with defers stores its results in before running
// them: the value last stored in the slot in the return's block.
func Returned(ret *ssa.Return, i int) ssa.Value {
	v := ret.Results[i]
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return v
	}
	slot, ok := load.X.(*ssa.Alloc)
	if !ok {
		return v
	}
	b := ret.Block()
	for k := len(b.Instrs) - 1; k >= 0; k-- {
		if st, ok := b.Instrs[k].(*ssa.Store); ok && st.Addr == slot {
			return st.Val
		}
	}
	return v
}

// CancelSentinel returns CtxCanceled or CtxDeadlineErr for a load of
// context.Canceled or context.DeadlineExceeded, else NoRole.
func CancelSentinel(v ssa.Value) knowledge.Role {
	load, ok := StripInterface(v).(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return knowledge.NoRole
	}
	g, ok := load.X.(*ssa.Global)
	if !ok {
		return knowledge.NoRole
	}
	obj, _ := g.Object().(*types.Var)
	switch role := knowledge.VarRole(obj); role {
	case knowledge.CtxCanceled, knowledge.CtxDeadlineErr:
		return role
	}
	return knowledge.NoRole
}

// CancelTest is a branch on "err is context.Canceled (or
// DeadlineExceeded)": errors.Is(err, S) or err == S. Holds is the successor
// taken when it is one; Sentinel says which; Pos is the test's position.
type CancelTest struct {
	If       *ssa.If
	Err      ssa.Value
	Holds    *ssa.BasicBlock
	Sentinel knowledge.Role
	Pos      token.Pos
}

// CancelTestOf returns the cancellation test that ends a block, or nil.
func CancelTestOf(b *ssa.BasicBlock) *CancelTest {
	if len(b.Instrs) == 0 {
		return nil
	}
	iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return nil
	}
	var err, other ssa.Value
	var pos token.Pos
	switch cond := iff.Cond.(type) {
	case *ssa.Call:
		fn, _, args := SplitCall(cond.Common())
		if knowledge.RoleOf(fn) != knowledge.ErrorsIs || len(args) != 2 {
			return nil
		}
		err, other, pos = args[0], args[1], cond.Pos()
	case *ssa.BinOp:
		if cond.Op != token.EQL {
			return nil
		}
		err, other, pos = cond.X, cond.Y, cond.Pos()
		if CancelSentinel(cond.X) != knowledge.NoRole {
			err, other = cond.Y, cond.X
		}
	default:
		return nil
	}
	role := CancelSentinel(other)
	if role == knowledge.NoRole {
		return nil
	}
	return &CancelTest{If: iff, Err: err, Holds: b.Succs[0], Sentinel: role, Pos: pos}
}

// sameReceiver reports whether v is fn's receiver (x.method() inside a
// method of x).
func sameReceiver(v ssa.Value, fn *ssa.Function) bool {
	return fn.Signature.Recv() != nil && len(fn.Params) > 0 && v == ssa.Value(fn.Params[0])
}
