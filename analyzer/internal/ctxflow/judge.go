package ctxflow

import (
	"go/constant"
	"go/token"
	"go/types"
	"iter"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// Boundedness is what a sink's receiver says about the wait, independent of
// any context: an *http.Client with Timeout bounds its calls; a net.Dialer
// with Timeout bounds its dials.
type Boundedness uint8

const (
	// NotApplicable: the sink has no receiver that can bound it.
	NotApplicable Boundedness = iota
	// ReceiverUnknown: a client or dialer built where the analysis cannot see.
	ReceiverUnknown
	// ReceiverBounded: a timeout is set on the receiver.
	ReceiverBounded
	// ReceiverUnbounded: http.DefaultClient, or a literal with no timeout.
	ReceiverUnbounded
)

// Verdict is what the core knows about one sink call.
type Verdict struct {
	Call *Call
	// Ctx is the origin of the context that governs the call: its context
	// argument or its request's context. A sink with neither has HasContext
	// false and Ctx.State NoDeadline.
	Ctx        Origin
	HasContext bool
	Recv       Boundedness
}

// ServerReadBound judges an *http.Server by its read timeouts
// (ReadHeaderTimeout, ReadTimeout): bounded when one is set, unbounded when
// the package builds it with neither, unknown when it cannot see the build.
func (r *Result) ServerReadBound(c *Call, srv ssa.Value) Boundedness {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.beginQuery(c.Fn)
	if a, ok := srv.(*ssa.Alloc); ok {
		return r.allocBoundMode(a, serverReadFields, allocMode{passed: true})
	}
	return r.structBound(srv, serverReadFields)
}

// Judge evaluates a sink call.
// It is safe for concurrent use.
func (r *Result) Judge(c *Call) Verdict {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.beginQuery(c.Fn)
	return r.judge(c)
}

func (r *Result) judge(c *Call) Verdict {
	s := c.Sink
	v := Verdict{Call: c, Recv: r.receiverBound(c)}
	ctx, hasCtx := s.Context.In(len(c.Args))
	req, hasReq := s.Request.In(len(c.Args))
	switch {
	case hasCtx:
		v.HasContext, v.Ctx = true, r.classify(c.Args[ctx], 0)
	case hasReq:
		v.HasContext, v.Ctx = true, r.requestOrigin(c.Args[req], 0)
	case s.Bound == knowledge.BoundByDialerTimeout && dialerCancel(c.Recv) != nil:
		v.HasContext, v.Ctx = true, r.classify(dialerCancel(c.Recv), 0)
	case s.TxContext && r.beganTx(c.Recv) != nil:
		v = r.judgeInTx(c, v)
	default:
		v.Ctx = Origin{State: NoDeadline, Desc: "no context"}
	}
	return v
}

// beganTx returns the call that began the transaction recv, when recv is
// what a catalog sink (BeginTx, Begin) returned in this function.
func (r *Result) beganTx(recv ssa.Value) *ssa.Call {
	ex, ok := Unconvert(recv).(*ssa.Extract)
	if !ok || ex.Index != 0 {
		return nil
	}
	call, ok := ex.Tuple.(*ssa.Call)
	if !ok {
		return nil
	}
	callee, _, _ := SplitCall(call.Common())
	if callee == nil || r.Catalog.Lookup(callee) == nil {
		return nil
	}
	return call
}

// judgeInTx judges a context-free statement on a transaction by what began
// the transaction: BeginTx's context governs it, and a Begin() without one
// is the root, so that the Begin and its statements are one finding.
func (r *Result) judgeInTx(c *Call, v Verdict) Verdict {
	begin := r.beganTx(c.Recv)
	callee, _, args := SplitCall(begin.Common())
	if ctx, ok := r.Catalog.Lookup(callee).Context.In(len(args)); ok {
		v.HasContext, v.Ctx = true, r.classify(args[ctx], 0)
		return v
	}
	v.Ctx = Origin{State: NoDeadline, Desc: "no context", Pos: begin.Pos()}
	return v
}

func (r *Result) receiverBound(c *Call) Boundedness {
	if c.Sink.Kind == knowledge.Dial && (localNetwork(c.Args) || chosenLocalNetwork(c)) {
		return ReceiverBounded // a Unix socket: connecting to it does not wait on a peer
	}
	if c.Sink.Kind == knowledge.Dial && !c.Sink.HasContext() && chosenNoTimeout(c.Instr.Block()) {
		// `if timeout > 0 { net.DialTimeout(…, timeout) } else {
		// net.Dial(…) }`: zero is the configured "no timeout" (zgrab2's
		// DialTimeoutConnection), the user's choice, not an oversight.
		return ReceiverBounded
	}
	switch c.Sink.Bound {
	case knowledge.BoundByDefaultClient:
		return ReceiverUnbounded
	case knowledge.BoundByClientTimeout:
		return r.structBound(c.Recv, clientTimeoutFields)
	case knowledge.BoundByDialerTimeout:
		return r.structBound(c.Recv, dialerTimeoutFields)
	case knowledge.BoundByConnDeadline:
		if r.setsDeadline(c.Fn) || r.closedOnDone(c) || r.deadlineSetByCallers(c.Fn, 0) {
			return ReceiverBounded
		}
		return r.connMakerBound(c.Recv)
	case knowledge.BoundBySystem:
		return ReceiverUnknown
	case knowledge.BoundByDriver:
		return r.driverBound(c.Recv)
	case knowledge.BoundByLibraryDefaults:
		return ReceiverBounded
	}
	return NotApplicable
}

// localNetwork reports whether a dial's network argument (its first string
// argument) is a constant naming a Unix-domain socket.
func localNetwork(args []ssa.Value) bool {
	for _, a := range args {
		if b, ok := a.Type().Underlying().(*types.Basic); ok && b.Kind() == types.String {
			c, ok := a.(*ssa.Const)
			return ok && c.Value != nil && c.Value.Kind() == constant.String && strings.HasPrefix(constant.StringVal(c.Value), "unix")
		}
	}
	return false
}

// chosenLocalNetwork reports whether a dial runs only where its network
// argument was found to name a Unix-domain socket (docker's switch
// cli.proto { case "unix": return net.Dial(cli.proto, cli.addr) }).
func chosenLocalNetwork(c *Call) bool {
	var network ssa.Value
	for _, a := range c.Args {
		if b, ok := a.Type().Underlying().(*types.Basic); ok && b.Kind() == types.String {
			network = a
			break
		}
	}
	if network == nil {
		return false
	}
	for iff := range TrueGuards(c.Instr.Block()) {
		cmp, ok := iff.Cond.(*ssa.BinOp)
		if !ok || cmp.Op != token.EQL {
			continue
		}
		for _, pair := range [2][2]ssa.Value{{cmp.X, cmp.Y}, {cmp.Y, cmp.X}} {
			if localNetwork([]ssa.Value{pair[1]}) && SameLoad(pair[0], network) {
				return true
			}
		}
	}
	return false
}

// chosenNoTimeout reports whether b runs only where a time.Duration was
// found to be zero (or not positive): the else of `if d > 0`, the then of
// `if d == 0` or `d <= 0`.
func chosenNoTimeout(b *ssa.BasicBlock) bool {
	for iff, holds := range Guards(b) {
		cmp, ok := iff.Cond.(*ssa.BinOp)
		if !ok || !isDuration(cmp.X.Type()) || !isZeroConst(cmp.Y) {
			continue
		}
		switch {
		case cmp.Op == token.GTR && !holds, cmp.Op == token.NEQ && !holds,
			cmp.Op == token.EQL && holds, cmp.Op == token.LEQ && holds:
			return true
		}
	}
	return false
}

func isDuration(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "time" && named.Obj().Name() == "Duration"
}

func isZeroConst(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.Value != nil && c.Value.Kind() == constant.Int && constant.Sign(c.Value) == 0
}

// Guards yields, nearest first, the branches on the way to b one of whose
// edges alone leads there, with that edge (true: the condition held): b
// runs only where the condition had that value.
func Guards(b *ssa.BasicBlock) iter.Seq2[*ssa.If, bool] {
	return func(yield func(*ssa.If, bool) bool) {
		for x := b; x != nil; x = x.Idom() {
			p := x.Idom()
			if p == nil || len(p.Instrs) == 0 {
				return
			}
			iff, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If)
			if !ok {
				continue
			}
			for edge, succ := range p.Succs {
				if succ.Dominates(b) && len(succ.Preds) == 1 && !yield(iff, edge == 0) {
					return
				}
			}
		}
	}
}

// TrueGuards yields, nearest first, the branches on the way to b whose
// true edge alone leads there: b runs only where their conditions held.
func TrueGuards(b *ssa.BasicBlock) iter.Seq[*ssa.If] {
	return func(yield func(*ssa.If) bool) {
		for iff, holds := range Guards(b) {
			if holds && !yield(iff) {
				return
			}
		}
	}
}

// SameLoad reports whether a and b are one value, or loads of one field
// of one struct (a switch reads cli.proto once, the case body again; in a
// closure, through two loads of the captured cli; go-autorest asserts
// ba.tokenProvider twice).
func SameLoad(a, b ssa.Value) bool {
	for depth := 0; depth < 4; depth++ {
		if a == b {
			return true
		}
		la, ok1 := a.(*ssa.UnOp)
		lb, ok2 := b.(*ssa.UnOp)
		if !ok1 || !ok2 || la.Op != token.MUL || lb.Op != token.MUL {
			return false
		}
		a, b = la.X, lb.X
		fa, ok1 := a.(*ssa.FieldAddr)
		fb, ok2 := b.(*ssa.FieldAddr)
		if ok1 != ok2 || ok1 && fa.Field != fb.Field {
			return false
		}
		if ok1 {
			a, b = fa.X, fb.X
		}
	}
	return false
}

// dialerCancel returns the context whose Done channel a dialer literal
// takes as its Cancel channel (&net.Dialer{Cancel: ctx.Done()}): its dials
// end with that context, as if given it. Else nil.
func dialerCancel(recv ssa.Value) ssa.Value {
	a, ok := recv.(*ssa.Alloc)
	if !ok {
		return nil
	}
	for _, ref := range *a.Referrers() {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok || fieldName(a.Type(), fa.Field) != "Cancel" {
			continue
		}
		for _, use := range *fa.Referrers() {
			st, ok := use.(*ssa.Store)
			if !ok || st.Addr != fa {
				continue
			}
			if done, ok := st.Val.(*ssa.Call); ok && done.Call.IsInvoke() && knowledge.IsContext(done.Call.Value.Type()) && done.Call.Method.Name() == "Done" {
				return done.Call.Value
			}
		}
	}
	return nil
}

// boundFields names the struct fields whose setting bounds a client or
// dialer; it is part of the memo key of the bound searches.
type boundFields string

// A dialer's Cancel channel (deprecated, still used: argo-cd's
// BlockingDial set Cancel: ctx.Done()) ends the dial when it closes; set
// from a value the search does not follow, it makes the dialer's bound
// unknown, like a Timeout from configuration.
const (
	serverReadFields    boundFields = "ReadTimeout,ReadHeaderTimeout"
	clientTimeoutFields boundFields = "Timeout"
	dialerTimeoutFields boundFields = "Timeout,Deadline,NetDialer,Cancel"
)

func (f boundFields) has(name string) bool {
	for field := range strings.SplitSeq(string(f), ",") {
		if field == name {
			return true
		}
	}
	return false
}

// boundKey memoises the bound searches: the value, struct field or package
// variable asked about, and which fields bound it.
type boundKey struct {
	of     any
	fields boundFields
}

// boundInProgress marks a search under way: meeting it again is a cycle
// (a field stored from itself, directly or through others) and answers
// ReceiverUnknown.
const boundInProgress Boundedness = 255

// memoBound answers a bound search once per key and package. Each key is
// computed at most once, so a search costs at most the number of values,
// fields and variables of the package, whatever the fan-out of stores.
func (r *Result) memoBound(key boundKey, compute func() Boundedness) Boundedness {
	return memo(r, r.bounds, key, boundInProgress, ReceiverUnknown, compute)
}

// structBound says whether a client or dialer value has one of the bounding
// fields set. A value counts as unbounded only when every way it is built is
// visible: http.DefaultClient, a local literal, or a struct field, package
// variable or same-package constructor result whose every store in this
// package is such a literal.
func (r *Result) structBound(v ssa.Value, fields boundFields) Boundedness {
	if v == nil {
		return ReceiverUnknown
	}
	return r.memoBound(boundKey{v, fields}, func() Boundedness { return r.structBoundUncached(v, fields) })
}

func (r *Result) structBoundUncached(v ssa.Value, fields boundFields) Boundedness {
	switch v := v.(type) {
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return ReceiverUnknown
		}
		switch x := v.X.(type) {
		case *ssa.Global:
			if v, ok := x.Object().(*types.Var); ok && knowledge.VarRole(v) == knowledge.HTTPDefaultClient {
				return ReceiverUnbounded
			}
			return r.storedBound(x, fields)
		case *ssa.Alloc:
			return r.allocBound(x, fields, false)
		case *ssa.FieldAddr:
			if f := r.privateField(x); f != nil && r.neverStored(f) {
				// A client field only the package can set and never
				// does: no Timeout the package chose (the autoscaler's
				// armClient.http, bounded by the request's context only
				// after the fix).
				return ReceiverUnbounded
			}
			return r.storedBound(structField(x.X.Type(), x.Field), fields)
		case *ssa.FreeVar:
			// A client variable a closure captured (ssm-agent's retried
			// op calling httpClient.Head): the enclosing function's.
			if a, ok := r.binding(x).(*ssa.Alloc); ok {
				var bs []Boundedness
				for _, ref := range *a.Referrers() {
					st, ok := ref.(*ssa.Store)
					if !ok || st.Addr != a {
						continue
					}
					// Storing the literal in the variable is how it got here.
					bs = append(bs, r.handedBound(st.Val, fields))
				}
				return mergeBounds(bs)
			}
		}
	case *ssa.Field:
		return r.storedBound(structField(v.X.Type(), v.Field), fields)
	case *ssa.FieldAddr:
		// A client kept by value in a field only the package can reach
		// (safebrowsing's netAPI{client http.Client}), called through
		// its address: never set, it is the zero client.
		f := r.privateField(v)
		if f == nil {
			return r.builtInBound(v, fields)
		}
		if _, ptr := f.Type().Underlying().(*types.Pointer); ptr {
			return ReceiverUnknown
		}
		if r.neverStored(f) {
			return ReceiverUnbounded
		}
		return r.storedBound(f, fields)
	case *ssa.Alloc:
		return r.allocBound(v, fields, false)
	case *ssa.Phi:
		var bs []Boundedness
		for i, e := range v.Edges {
			if e == v || r.neverSet(e) {
				continue
			}
			b := r.structBound(e, fields)
			if b == ReceiverUnbounded && nilDefaultEdge(v, i) {
				if r.defaultNeverTaken(v, i) {
					continue
				}
				// What the package uses when its caller gives no client
				// (if hc == nil { hc = http.DefaultClient }): its default,
				// which most callers take, has no timeout.
				return ReceiverUnbounded
			}
			bs = append(bs, b)
		}
		return mergeBounds(bs)
	case *ssa.Call:
		return r.constructorBound(v, 0, fields)
	case *ssa.Extract:
		if call, ok := v.Tuple.(*ssa.Call); ok {
			return r.constructorBound(call, v.Index, fields) // client, err := newClient()
		}
	}
	return ReceiverUnknown
}

// defaultNeverTaken reports whether the nil default on edge i of phi (see
// nilDefaultEdge) is never taken: the function is unexported, not used as
// a value, and every call of the package passes something other than nil
// for the tested parameter (oauth-proxy's request(client, req), always
// given the client its provider built). The client passed is then the one
// the wait runs on, judged at each call.
func (r *Result) defaultNeverTaken(phi *ssa.Phi, i int) bool {
	p, ok := foundNil(phi.Block().Preds[i]).(*ssa.Parameter)
	if !ok {
		return false
	}
	fn := p.Parent()
	if fn == nil || fn.Parent() != nil || fn.Object() == nil || fn.Object().Exported() || r.usedAsValue(fn) {
		return false
	}
	idx := SigParam(p)
	callers := r.callers[fn]
	if idx < 0 || len(callers) == 0 {
		return false
	}
	for _, c := range callers {
		if idx >= len(c.Args) || IsNilConst(c.Args[idx]) {
			return false
		}
	}
	return true
}

// constructorBound judges result idx of a call of a constructor in this
// package by what it returns there; nil on an error path is no client.
func (r *Result) constructorBound(call *ssa.Call, idx int, fields boundFields) Boundedness {
	callee := call.Common().StaticCallee()
	if callee == nil || callee.Pkg != r.Pkg || len(callee.Blocks) == 0 {
		return ReceiverUnknown
	}
	var bs []Boundedness
	for _, ret := range Returns(callee) {
		if idx >= len(ret.Results) || IsNilConst(ret.Results[idx]) {
			continue
		}
		bs = append(bs, r.structBound(ret.Results[idx], fields))
	}
	return mergeBounds(bs)
}

// paramBound judges a client or dialer parameter that a function stores in a
// field or variable by what the package's own calls pass (a parameter used
// where it is received is judged at each call instead: ClientWait): when one of them passes a value without a timeout (go-ethereum's
// DialHTTP handing new(http.Client) to DialHTTPWithClient), the package's
// default way of building it is unbounded, and so is the parameter, whatever
// other callers may pass. Otherwise the callers must agree, and a function
// that callers outside the package (or function values) may reach is unknown.
// As for stored clients, a package that sets a bounding field on a client it
// did not just build leaves every parameter unknown.
func (r *Result) paramBound(p *ssa.Parameter, fields boundFields) Boundedness {
	fn := p.Parent()
	idx := SigParam(p)
	if fn == nil || fn.Parent() != nil || idx < 0 {
		return ReceiverUnknown
	}
	r.indexStores()
	if r.boundSetLater {
		return ReceiverUnknown
	}
	var bs []Boundedness
	for _, c := range r.callers[fn] {
		if idx >= len(c.Args) {
			return ReceiverUnknown
		}
		if r.Syntax.InTestFile(c.Instr.Pos()) {
			continue // a test's stub client says nothing of the real one
		}
		// Handing the literal to fn is how it got here: judge its build.
		b := r.handedBound(c.Args[idx], fields)
		if b == ReceiverUnbounded {
			return ReceiverUnbounded
		}
		bs = append(bs, b)
	}
	if obj := funcObject(fn); obj == nil || obj.Exported() || r.usedAsValue(fn) {
		bs = append(bs, ReceiverUnknown)
	}
	return mergeBounds(bs)
}

// handedBound judges a value that reached its use by being stored or
// passed: a literal by how it was built (its escape there is how it got
// here), anything else as structBound does.
func (r *Result) handedBound(v ssa.Value, fields boundFields) Boundedness {
	if lit, ok := v.(*ssa.Alloc); ok {
		return r.allocBoundMode(lit, fields, allocMode{stored: true})
	}
	return r.structBound(v, fields)
}

// mergeBounds: all bounded or all unbounded agree; anything else is unknown.
func mergeBounds(bs []Boundedness) Boundedness {
	if len(bs) == 0 {
		return ReceiverUnknown
	}
	out := bs[0]
	for _, b := range bs[1:] {
		if b != out {
			return ReceiverUnknown
		}
	}
	return out
}

// FieldOf returns the struct field fa addresses, or nil.
func FieldOf(fa *ssa.FieldAddr) *types.Var { return structField(fa.X.Type(), fa.Field) }

func structField(t types.Type, i int) *types.Var {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	if s, ok := t.Underlying().(*types.Struct); ok && i < s.NumFields() {
		return s.Field(i)
	}
	return nil
}

// neverSet reports whether v is the load of a field only this package can
// reach (it or its type unexported) that the package never stores to: it
// holds its zero value, nil, whatever the code that tests it for nil then
// uses instead (pulsar's admin client fell back to http.DefaultClient from
// an httpClient field nothing set).
func (r *Result) neverSet(v ssa.Value) bool {
	var fa *ssa.FieldAddr
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		fa, _ = load.X.(*ssa.FieldAddr)
	}
	if fa == nil {
		return false
	}
	f := r.privateField(fa)
	if f == nil {
		return false
	}
	r.indexStores()
	return len(r.stores[f]) == 0
}

// storedBound merges the bounds of every value this package stores to a
// struct field or package variable. With no store in sight, or if the package
// sets a bounding field on a client it did not just build, it is unknown.
func (r *Result) storedBound(key any, fields boundFields) Boundedness {
	if key == nil || key == (*types.Var)(nil) {
		return ReceiverUnknown
	}
	r.indexStores()
	if r.boundSetLater {
		return ReceiverUnknown
	}
	return r.memoBound(boundKey{key, fields}, func() Boundedness {
		var bs []Boundedness
		doors := 0
		for _, val := range r.stores[key] {
			if p, ok := r.underlyingLocal(val).(*ssa.Parameter); ok && p != val {
				val = p // an option's closure storing what its maker was given
			}
			if p, ok := val.(*ssa.Parameter); ok {
				if r.doorForOthers(p) {
					doors++
					continue
				}
				bs = append(bs, r.paramBound(p, fields))
				continue
			}
			if mi, ok := val.(*ssa.MakeInterface); ok {
				// A client kept in an interface-typed field (autorest's
				// Sender set to &http.Client{}): judged by its build.
				if a, ok := mi.X.(*ssa.Alloc); ok {
					bs = append(bs, r.allocBoundMode(a, fields, allocMode{stored: true, boxed: true}))
					continue
				}
			}
			if a, ok := val.(*ssa.Alloc); ok {
				bs = append(bs, r.allocBound(a, fields, true))
				continue
			}
			bs = append(bs, r.structBound(val, fields))
		}
		if len(bs) == 0 && doors > 0 {
			return ReceiverUnknown
		}
		return mergeBounds(bs)
	})
}

// doorForOthers reports whether p is a parameter of an exported function
// that nothing in the package (tests aside) calls or uses as a value: an
// option left for other packages (zot's regclient WithHTTPClient). What
// it may store does not change how the package itself builds the value, so
// the package's own stores decide.
func (r *Result) doorForOthers(p *ssa.Parameter) bool {
	fn := p.Parent()
	if fn == nil || fn.Parent() != nil {
		return false
	}
	if obj := funcObject(fn); obj == nil || !obj.Exported() || r.usedAsValue(fn) {
		return false
	}
	for _, c := range r.callers[fn] {
		if !r.Syntax.InTestFile(c.Instr.Pos()) {
			return false
		}
	}
	return true
}

// StoredIn returns the values the package stores in a package variable
// (its initializer included).
func (r *Result) StoredIn(g *ssa.Global) []ssa.Value {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.indexStores()
	return r.stores[g]
}

// indexStores records, once per package, every store to a struct field or
// package variable.
func (r *Result) indexStores() {
	if r.stores != nil {
		return
	}
	r.stores = map[any][]ssa.Value{}
	for _, fn := range r.allFuncs() {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				st, ok := instr.(*ssa.Store)
				if !ok {
					continue
				}
				switch addr := st.Addr.(type) {
				case *ssa.Global:
					r.stores[addr] = append(r.stores[addr], st.Val)
				case *ssa.FieldAddr:
					f := structField(addr.X.Type(), addr.Field)
					if f == nil {
						continue
					}
					r.stores[f] = append(r.stores[f], st.Val)
					if _, fresh := addr.X.(*ssa.Alloc); !fresh && dialerTimeoutFields.has(f.Name()) && isClientOrDialer(addr.X.Type()) {
						r.boundSetLater = true
					}
				}
			}
		}
	}
}

// FieldLoads returns every value of the package that loads field f (x.f
// through a pointer, or from a struct value).
func (r *Result) FieldLoads(f *types.Var) []ssa.Value {
	if r.loads == nil {
		r.loads = map[*types.Var][]ssa.Value{}
		for _, fn := range r.SrcFuncs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					var g *types.Var
					switch x := instr.(type) {
					case *ssa.UnOp:
						g = loadedField(x)
					case *ssa.Field:
						g = structField(x.X.Type(), x.Field)
					}
					if g != nil && g.Pkg() == r.Pass.Pkg {
						r.loads[g] = append(r.loads[g], instr.(ssa.Value))
					}
				}
			}
		}
	}
	return r.loads[f]
}

// FieldClosedOnDone reports whether the package closes the connection kept
// in field f once a context is done (a watchdog): whatever waits on it ends.
func (r *Result) FieldClosedOnDone(f *types.Var) bool { return r.fieldClosedOnDone(f) }

// StoredField returns the field a store writes when it is a field of a
// struct type of this package that only this package can reach (the field
// or its type unexported), else nil.
func (r *Result) StoredField(st *ssa.Store) *types.Var {
	fa, ok := st.Addr.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	return r.privateField(fa)
}

// PrivateField returns the field fa addresses when only this package can
// reach it, or nil.
func (r *Result) PrivateField(fa *ssa.FieldAddr) *types.Var { return r.privateField(fa) }

// StoredInField returns the values the package stores in field f.
func (r *Result) StoredInField(f *types.Var) []ssa.Value {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.indexStores()
	return r.stores[f]
}

// privateField returns the field fa addresses when only this package can
// reach it (the field, or the struct type that has it, unexported), or nil.
func (r *Result) privateField(fa *ssa.FieldAddr) *types.Var {
	f := structField(fa.X.Type(), fa.Field)
	if f == nil || f.Pkg() != r.Pass.Pkg {
		return nil
	}
	if f.Exported() {
		t := fa.X.Type()
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
		}
		if named, ok := types.Unalias(t).(*types.Named); !ok || named.Obj().Exported() {
			return nil
		}
	}
	return f
}

// neverStored reports whether the package never stores to field f and
// sets no client's Timeout after building it.
func (r *Result) neverStored(f *types.Var) bool {
	r.indexStores()
	return len(r.stores[f]) == 0 && !r.boundSetLater
}

// builtInBound judges a client kept by value in an exported field by the
// values the package stores in it (infra's APIClient built HTTP with a
// Transport and no Timeout), like a pointer field. A field the package
// never assigns is its users' to fill.
func (r *Result) builtInBound(fa *ssa.FieldAddr, fields boundFields) Boundedness {
	f := structField(fa.X.Type(), fa.Field)
	if f == nil || f.Pkg() != r.Pass.Pkg {
		return ReceiverUnknown
	}
	if _, ptr := f.Type().Underlying().(*types.Pointer); ptr {
		return ReceiverUnknown
	}
	r.indexStores()
	if len(r.stores[f]) == 0 {
		return ReceiverUnknown
	}
	return r.storedBound(f, fields)
}

// allFuncs is SrcFuncs plus the package initializer, where package variables
// get their values.
func (r *Result) allFuncs() []*ssa.Function {
	fns := r.SrcFuncs
	if r.Pkg != nil {
		if init := r.Pkg.Func("init"); init != nil {
			fns = append(fns[:len(fns):len(fns)], init)
		}
	}
	return fns
}

func isClientOrDialer(t types.Type) bool {
	switch knowledge.TypeRole(t) {
	case knowledge.HTTPClientType, knowledge.DialerType:
		return true
	}
	return false
}

// allocBound judges a local literal. stored is set when the literal was found
// through a store to a field or variable (that escape is expected).
func (r *Result) allocBound(a *ssa.Alloc, fields boundFields, stored bool) Boundedness {
	return r.allocBoundMode(a, fields, allocMode{stored: stored})
}

// allocMode says which escapes of a local client or dialer are harmless:
// stored, the value a field or variable holds (judged by its build);
// passed, handed to calls as a value (judged at the call that waits
// through it: see ClientBound); boxed, converted to the interface a field
// holds it in (the store was found).
type allocMode struct{ stored, passed, boxed bool }

func (r *Result) allocBoundMode(a *ssa.Alloc, fields boundFields, mode allocMode) Boundedness {
	return r.memoBound(boundKey{allocKey{a, mode}, fields}, func() Boundedness { return r.allocBoundUncached(a, fields, mode) })
}

// allocKey keys allocBound's memo: the same literal is judged differently
// when it was reached through a store (its escape there is expected).
type allocKey struct {
	alloc *ssa.Alloc
	mode  allocMode
}

// zeroConst reports whether v is a constant nil or zero: a bounding field
// stored with it bounds nothing.
func zeroConst(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && (c.IsNil() || c.Value != nil && c.Value.String() == "0")
}

// storesBoundedTransport reports whether a store through the client's
// Transport field puts there a transport whose ResponseHeaderTimeout is set
// to something other than zero where it is built (a literal, or a Clone of
// the default transport adjusted after).
func storesBoundedTransport(transport *ssa.FieldAddr) bool {
	for _, use := range *transport.Referrers() {
		st, ok := use.(*ssa.Store)
		if !ok || st.Addr != transport {
			continue
		}
		v := StripInterface(st.Val)
		if knowledge.TypeRole(v.Type()) != knowledge.HTTPTransportType || v.Referrers() == nil {
			continue
		}
		for _, ref := range *v.Referrers() {
			fa, ok := ref.(*ssa.FieldAddr)
			if !ok || fieldName(v.Type(), fa.Field) != "ResponseHeaderTimeout" {
				continue
			}
			for _, u := range *fa.Referrers() {
				if set, ok := u.(*ssa.Store); ok && set.Addr == fa && !zeroConst(set.Val) {
					return true
				}
			}
		}
	}
	return false
}

func (r *Result) allocBoundUncached(a *ssa.Alloc, fields boundFields, mode allocMode) Boundedness {
	out := ReceiverUnbounded
	for _, ref := range *a.Referrers() {
		switch ref := ref.(type) {
		case *ssa.FieldAddr:
			if knowledge.TypeRole(a.Type()) == knowledge.HTTPClientType && fieldName(a.Type(), ref.Field) == "Transport" && storesBoundedTransport(ref) {
				// A Transport with a ResponseHeaderTimeout bounds the wait
				// for the answer but not for its body: partly bounded,
				// which nodeadline leaves alone (jaeger's fix counted it
				// enough; rclone's remotes needed a deadline as well).
				return ReceiverUnknown
			}
			if !fields.has(fieldName(a.Type(), ref.Field)) {
				continue
			}
			for _, use := range *ref.Referrers() {
				if st, ok := use.(*ssa.Store); ok && st.Addr == ref {
					if zeroConst(st.Val) {
						continue
					}
					if _, ok := st.Val.(*ssa.Const); !ok {
						// A timeout from configuration (caddy's
						// Timeout: time.Duration(hl.Timeout)) may be
						// zero, which is none.
						return ReceiverUnknown
					}
					out = ReceiverBounded
				}
			}
		case *ssa.Store:
			if ref.Val == a {
				if mode.stored {
					continue
				}
				return ReceiverUnknown // escapes: set elsewhere
			}
			if ref.Addr == a {
				// d := net.Dialer{…}: the literal is built in another alloc and copied in.
				switch val := ref.Val.(type) {
				case *ssa.Const:
				case *ssa.UnOp:
					src, ok := val.X.(*ssa.Alloc)
					if !ok || val.Op != token.MUL || src == a {
						return ReceiverUnknown
					}
					switch r.allocBound(src, fields, false) {
					case ReceiverUnknown:
						return ReceiverUnknown
					case ReceiverBounded:
						out = ReceiverBounded
					}
				default:
					return ReceiverUnknown
				}
			}
		case ssa.CallInstruction:
			if fn, recv, _ := SplitCall(ref.Common()); fn != nil && recv == a {
				continue // its own method
			}
			if mode.passed {
				// Handed to a call as a value (a helper that waits
				// through it): what matters is how it was built.
				continue
			}
			if callee := ref.Common().StaticCallee(); mode.stored && callee != nil && callee.Pkg == r.Pkg && r.Pkg != nil {
				// A client kept in a field and also handed to a helper of
				// this package (external-dns' requestWithRetry): the
				// package never sets a bound on a client it did not just
				// build (storedBound checks), so the helper cannot either.
				continue
			}
			return ReceiverUnknown
		case *ssa.MakeClosure:
			if fn, ok := ref.Fn.(*ssa.Function); ok && fn.Synthetic != "" && len(ref.Bindings) == 1 && ref.Bindings[0] == a {
				continue // a method value (d.DialContext): its own method, called later
			}
			return ReceiverUnknown
		case *ssa.MakeInterface:
			if mode.boxed {
				continue
			}
			return ReceiverUnknown
		}
	}
	return out
}

// LocalDial reports whether a dial connects to a Unix-domain socket (a
// constant "unix…" network, or one a test chose): it waits on no peer.
func (r *Result) LocalDial(c *Call) bool {
	dial := c.Sink != nil && c.Sink.Kind == knowledge.Dial || knowledge.RoleOf(c.Callee) == knowledge.NetDialTimeout
	return dial && (localNetwork(c.Args) || chosenLocalNetwork(c))
}

// SetsConnDeadline reports whether fn (or a function enclosing it) sets a
// read or overall deadline on a connection.
func (r *Result) SetsConnDeadline(fn *ssa.Function) bool { return callsSetDeadline(fn) }

// setsDeadline reports whether fn (or a function enclosing it) sets a read
// or overall deadline on a connection, itself or through a method of the
// package that does (hertz's Conn.SetDeadline forwarding to its net.Conn).
func (r *Result) setsDeadline(fn *ssa.Function) bool {
	return setsReadDeadline(fn, func(callee *ssa.Function) bool {
		return callee != fn && callee.Pkg == r.Pkg && len(callee.Blocks) > 0 && forwardsDeadline(callee)
	})
}

// forwardsDeadline reports whether fn, a small function of the package,
// sets a read or overall deadline on a connection with a time it is given
// (a wrapper's SetDeadline(t) calling its conn's): calling it sets one.
func forwardsDeadline(fn *ssa.Function) bool {
	if len(fn.Blocks) > 4 || !callsSetDeadline(fn) {
		return false
	}
	for _, p := range fn.Params {
		if role := knowledge.TypeRole(p.Type()); role == knowledge.TimeTimeType || role == knowledge.TimeDuration {
			return true
		}
	}
	return false
}

// callsSetDeadline reports whether fn (or a function enclosing it) sets a read
// or overall deadline on a connection.
func callsSetDeadline(fn *ssa.Function) bool { return setsReadDeadline(fn, nil) }

// setsReadDeadline reports whether fn or a function enclosing it calls a
// read or overall deadline setter, or a function of its own that sets
// counts (when sets is given).
func setsReadDeadline(fn *ssa.Function, sets func(callee *ssa.Function) bool) bool {
	for f := fn; f != nil; f = f.Parent() {
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				if callee, _, _ := SplitCall(ci.Common()); callee != nil {
					if read, _ := knowledge.DeadlineSetter(callee); read {
						return true
					}
				}
				if sets != nil {
					if callee := ci.Common().StaticCallee(); callee != nil && sets(callee) {
						return true
					}
				}
			}
		}
	}
	return false
}

// loadedField returns the struct field v is a load of (mc.netConn), or nil.
func loadedField(v ssa.Value) *types.Var {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	return structField(fa.X.Type(), fa.Field)
}

// fieldClosedOnDone reports whether the package has a watchdog for the
// connection kept in field f: a Close of it (or of a field the package
// copies it to, mc.rawConn = mc.netConn) made where a context is known
// done, directly or through up to three calls of functions of the package
// (go-sql-driver/mysql: a watcher goroutine calls mc.cancel on ctx.Done,
// which calls mc.cleanup, which closes mc.rawConn). Closing the
// connection ends whatever waits on it.
func (r *Result) fieldClosedOnDone(f *types.Var) bool {
	if known, ok := r.watchdogs[f]; ok {
		return known
	}
	if r.watchdogs == nil {
		r.watchdogs = map[*types.Var]bool{}
	}
	r.watchdogs[f] = false
	r.indexStores()
	fields := map[*types.Var]bool{f: true}
	for changed := true; changed; {
		changed = false
		for key, vals := range r.stores {
			g, ok := key.(*types.Var)
			if !ok || fields[g] {
				continue
			}
			for _, v := range vals {
				if h := loadedField(r.underlyingLocal(v)); h != nil && fields[h] {
					fields[g], changed = true, true
					break
				}
			}
		}
	}
	// closers: functions that close one of the fields; each round adds
	// the functions that call them.
	closers := map[*ssa.Function]bool{}
	for _, fn := range r.SrcFuncs {
		for _, b := range fn.Blocks {
			for i, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				callee, recv, _ := SplitCall(ci.Common())
				if recv == nil || !knowledge.IsCloseMethod(callee) {
					continue
				}
				if g := loadedField(r.underlyingLocal(recv)); g == nil || !fields[g] {
					continue
				}
				if r.knownDoneAt(fn, b, i) {
					r.watchdogs[f] = true
					return true
				}
				closers[fn] = true
			}
		}
	}
	for round := 0; round < 3 && len(closers) > 0; round++ {
		next := map[*ssa.Function]bool{}
		for closer := range closers {
			for _, c := range r.callers[closer] {
				ci := c.Instr
				b := ci.Block()
				for i, instr := range b.Instrs {
					if instr == ci.(ssa.Instruction) && r.knownDoneAt(c.Fn, b, i) {
						r.watchdogs[f] = true
						return true
					}
				}
				next[c.Fn] = true
			}
		}
		closers = next
	}
	return false
}

// knownDoneAt reports whether a context is known done, or a clock of the
// function's own has fired, at instruction i of block b of fn: a close
// there is a watchdog's.
func (r *Result) knownDoneAt(fn *ssa.Function, b *ssa.BasicBlock, i int) bool {
	for _, d := range r.donesLocked(fn) {
		if d.Covers(b, i) {
			return true
		}
	}
	return timerFiredAt(fn, b)
}

// timerFiredAt reports whether block b lies in the case of a select that
// fires on a clock (time.After, a Timer's C): a close there is a watchdog
// on a timeout of the package's own (kafka's sendRequest closed the
// connection after 2×timeout while a goroutine read it).
func timerFiredAt(fn *ssa.Function, b *ssa.BasicBlock) bool {
	for _, blk := range fn.Blocks {
		for _, instr := range blk.Instrs {
			sel, ok := instr.(*ssa.Select)
			if !ok {
				continue
			}
			for i, st := range sel.States {
				// One-shot timeouts only: a Ticker's tick is periodic work
				// (nsq's heartbeat), whose error paths may close too.
				if n := TimeoutChan(st.Chan); st.Dir != types.RecvOnly || n != "time.After" && n != "the Timer's C" {
					continue
				}
				if c := SelectCase(sel, i); c != nil && c.Dominates(b) {
					return true
				}
			}
		}
	}
	return false
}

// deadlineSetByCallers reports whether every call of fn comes from a
// function that sets a connection deadline (or whose own callers all do):
// nats' makeTLSConn runs its handshake under the deadline that
// processConnectInit put on the connection before calling it. Only a
// function no one else can call qualifies: unexported, not a closure, not
// used as a value, called at least once in the package.
func (r *Result) deadlineSetByCallers(fn *ssa.Function, depth int) bool {
	if depth > 4 {
		return false
	}
	if known, ok := r.deadlineCallers[fn]; ok {
		return known
	}
	if r.deadlineCallers == nil {
		r.deadlineCallers = map[*ssa.Function]bool{}
	}
	r.deadlineCallers[fn] = false // a cycle of calls proves nothing
	calls := r.privateCalls(fn)
	for _, c := range calls {
		if !r.setsDeadline(c.Fn) && !r.deadlineSetByCallers(Outermost(c.Fn), depth+1) {
			return false
		}
	}
	r.deadlineCallers[fn] = len(calls) > 0
	return len(calls) > 0
}

// connMakerBound judges a connection by the calls that made it (looking
// through tls.Client wrappers, conversions, tuples and phis): a function
// of the package that sets a deadline on what it dials bounds it; a
// function value the package cannot see (amqp091's Config.Dial option,
// whose default sets the deadline itself), or the caller of an exported
// function that takes the connection, leaves it unknown.
func (r *Result) connMakerBound(conn ssa.Value) Boundedness {
	bound := ReceiverUnbounded
	seen := map[ssa.Value]bool{}
	var visit func(v ssa.Value, depth int)
	visit = func(v ssa.Value, depth int) {
		if v == nil || depth > 8 || seen[v] || bound == ReceiverBounded {
			return
		}
		seen[v] = true
		switch x := r.underlyingLocal(v).(type) {
		case *ssa.MakeInterface:
			visit(x.X, depth+1)
		case *ssa.TypeAssert:
			visit(x.X, depth+1)
		case *ssa.Extract:
			visit(x.Tuple, depth+1)
		case *ssa.Phi:
			for _, e := range x.Edges {
				visit(e, depth+1)
			}
		case *ssa.UnOp:
			// A connection kept in a field on which the package sets a
			// read deadline somewhere (hertz's Conn.SetDeadline
			// forwarding to its net.Conn), waited on in an exported
			// function: callers outside the package may set it first.
			// An unexported one is judged by its callers
			// (deadlineSetByCallers).
			if f := loadedField(x); f != nil && r.fieldDeadlineSet(f) {
				if obj := funcObject(Outermost(x.Parent())); obj != nil && obj.Exported() {
					bound = ReceiverUnknown
				}
			}
		case *ssa.Parameter:
			// A connection handed to an exported function or method:
			// callers outside the package may have set its deadline
			// (grpc's server sets one before calling a credentials'
			// ServerHandshake(rawConn)). Unexported functions are
			// judged by their callers (deadlineSetByCallers).
			if obj := funcObject(x.Parent()); obj != nil && obj.Exported() {
				bound = ReceiverUnknown
			}
		case *ssa.Call:
			if wrapped := wrappedConn(x); wrapped != nil {
				visit(wrapped, depth+1)
				return
			}
			common := x.Common()
			if common.IsInvoke() {
				return // an interface method: a Listener's Accept is judged as unbounded
			}
			switch callee := common.StaticCallee(); {
			case callee == nil:
				bound = ReceiverUnknown
			case callee.Blocks != nil && callsSetDeadline(callee):
				bound = ReceiverBounded
			case callee.Blocks != nil && returnsSelfBoundingConn(callee):
				bound = ReceiverBounded
			}
		}
	}
	visit(conn, 0)
	return bound
}

// returnsSelfBoundingConn reports whether every return of fn that is not
// nil hands back, as its first result, a value of a type of fn's package
// whose Read method
// sets a read deadline before it reads (zgrab2's TimeoutConnection, which
// wraps the dialed conn and calls SetReadDeadline(now+Timeout) in Read):
// whatever runs on it, a TLS handshake included, is bounded.
func returnsSelfBoundingConn(fn *ssa.Function) bool {
	if fn.Pkg == nil {
		return false // a synthetic wrapper
	}
	rets := Returns(fn)
	if len(rets) == 0 {
		return false
	}
	found := false
	for _, ret := range rets {
		if len(ret.Results) == 0 {
			return false
		}
		if IsNilConst(ret.Results[0]) {
			continue // the failure path: no connection
		}
		found = true
		mi, ok := ret.Results[0].(*ssa.MakeInterface)
		if !ok {
			return false
		}
		t := mi.X.Type()
		named, _ := types.Unalias(derefType(t)).(*types.Named)
		if named == nil || named.Obj().Pkg() != fn.Pkg.Pkg {
			return false
		}
		sel := fn.Prog.MethodSets.MethodSet(t).Lookup(fn.Pkg.Pkg, "Read")
		if sel == nil {
			return false
		}
		read := fn.Prog.MethodValue(sel)
		if read == nil || read.Blocks == nil || !callsSetDeadline(read) {
			return false
		}
	}
	return found
}

func derefType(t types.Type) types.Type {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// wrappedConn returns the connection tls.Client(conn, cfg) or
// tls.Server(conn, cfg) wraps, or nil.
func wrappedConn(call *ssa.Call) ssa.Value {
	if args := call.Common().Args; len(args) == 2 && knowledge.IsConnType(args[0].Type()) {
		return args[0]
	}
	return nil
}

// fieldDeadlineSet reports whether some function of the package sets a
// read or overall deadline on a connection loaded from field f. One scan of
// the package finds every such field.
func (r *Result) fieldDeadlineSet(f *types.Var) bool {
	if r.fieldDeadlines == nil {
		r.fieldDeadlines = map[*types.Var]bool{}
		for _, fn := range r.SrcFuncs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					ci, ok := instr.(ssa.CallInstruction)
					if !ok {
						continue
					}
					callee, recv, _ := SplitCall(ci.Common())
					if recv == nil {
						continue
					}
					if read, _ := knowledge.DeadlineSetter(callee); read {
						if g := loadedField(r.underlyingLocal(recv)); g != nil {
							r.fieldDeadlines[g] = true
						}
					}
				}
			}
		}
	}
	return r.fieldDeadlines[f]
}

// closedOnDone reports whether the connection a handshake runs on is
// closed by a watchdog once a context is done: a Close of it (or of the
// connection it wraps, tls.Client(conn, cfg)) where a context is known
// done, in the function or the one it is nested in, or
// context.AfterFunc(ctx, conn.Close). Closing the connection ends the
// handshake: the context bounds it after all.
func (r *Result) closedOnDone(c *Call) bool {
	conns := map[ssa.Value]bool{}
	var add func(v ssa.Value, depth int)
	add = func(v ssa.Value, depth int) {
		if v == nil || depth > 8 {
			return
		}
		v = r.underlyingLocal(v)
		conns[v] = true
		if call, ok := v.(*ssa.Call); ok {
			// tls.Client(conn, cfg), tls.Server(conn, cfg): the raw conn too.
			if wrapped := wrappedConn(call); wrapped != nil {
				add(wrapped, depth+1)
			}
		}
		if mi, ok := v.(*ssa.MakeInterface); ok {
			add(mi.X, depth+1)
		}
	}
	add(c.Recv, 0)
	for v := range conns {
		if f := loadedField(v); f != nil && r.fieldClosedOnDone(f) {
			return true
		}
	}
	outer := Outermost(c.Fn)
	fns := append([]*ssa.Function{outer}, outer.AnonFuncs...)
	for _, fn := range fns {
		for _, b := range fn.Blocks {
			for i, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				callee, recv, args := SplitCall(ci.Common())
				if knowledge.RoleOf(callee) == knowledge.CtxAfterFunc && len(args) == 2 {
					if mc, ok := args[1].(*ssa.MakeClosure); ok && r.closesOneOf(mc, conns) {
						return true
					}
					continue
				}
				if recv == nil || !knowledge.IsCloseMethod(callee) || !conns[r.underlyingLocal(recv)] {
					continue
				}
				if r.knownDoneAt(fn, b, i) {
					return true
				}
			}
		}
	}
	return false
}

// closesOneOf reports whether a function value closes one of conns: the
// bound method conn.Close, or a literal that calls it.
func (r *Result) closesOneOf(mc *ssa.MakeClosure, conns map[ssa.Value]bool) bool {
	if len(mc.Bindings) == 1 && knowledge.IsCloseMethod(boundMethod(mc)) && conns[r.underlyingLocal(mc.Bindings[0])] {
		return true
	}
	fn, ok := mc.Fn.(*ssa.Function)
	if !ok || fn.Synthetic != "" {
		return false
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if ci, ok := instr.(ssa.CallInstruction); ok {
				callee, recv, _ := SplitCall(ci.Common())
				if recv != nil && knowledge.IsCloseMethod(callee) && conns[r.underlyingLocal(recv)] {
					return true
				}
			}
		}
	}
	return false
}

// boundMethod returns the method a bound method value (x.Close) wraps.
func boundMethod(mc *ssa.MakeClosure) *types.Func {
	fn, ok := mc.Fn.(*ssa.Function)
	if !ok {
		return nil
	}
	obj, _ := fn.Object().(*types.Func)
	return obj
}

// underlyingLocal looks through what closures and conversions put between
// a value and its source: a captured variable's binding, the cell of a
// local stored once, interface conversions.
func (r *Result) underlyingLocal(v ssa.Value) ssa.Value {
	for i := 0; i < 8; i++ {
		switch x := v.(type) {
		case *ssa.FreeVar:
			b := r.binding(x)
			if b == nil {
				return v
			}
			v = b
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return v
			}
			cell := x.X
			if fv, ok := cell.(*ssa.FreeVar); ok {
				if b := r.binding(fv); b != nil {
					cell = b
				}
			}
			alloc, ok := cell.(*ssa.Alloc)
			if !ok {
				return v
			}
			stored := StoredOnce(alloc)
			if stored == nil {
				return alloc
			}
			v = stored
		case *ssa.Alloc:
			stored := StoredOnce(x)
			if stored == nil {
				return v
			}
			v = stored
		case *ssa.ChangeInterface:
			v = x.X
		default:
			return v
		}
	}
	return v
}

// Reaching says whether a verdict lets a caller-supplied context reach the
// wait: the context is the only bound (no timeout on the receiver, and the
// receiver is known). It is what the facts summarize.
func (v Verdict) Reaching() bool {
	return v.HasContext && (v.Recv == NotApplicable || v.Recv == ReceiverUnbounded)
}

// CalleeName renders the callee for messages.
func (c *Call) CalleeName() string {
	if c.Callee != nil {
		return ShortName(c.Callee)
	}
	return LiteralName(c.Target)
}

// Outermost returns the declared function a closure is nested in (fn
// itself when it is one).
func Outermost(fn *ssa.Function) *ssa.Function {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	return fn
}

// LiteralName names a function literal for messages: "the func literal in
// (*store.Store).Load".
func LiteralName(fn *ssa.Function) string {
	outer := Outermost(fn)
	if obj := funcObject(outer); obj != nil && outer != fn {
		return "the func literal in " + ShortName(obj)
	}
	if obj := funcObject(fn); obj != nil {
		return ShortName(obj)
	}
	return "a func literal"
}

// TimeoutChosen reports whether v is a client or dialer built here with
// its timeout field set to something other than a constant zero (a
// variable too: crlite's &http.Client{Timeout: timeout}). ClientBound
// calls such a timeout unknown, since configuration may make it zero; a
// rule that asks whether the caller chose a bound takes it as chosen.
func TimeoutChosen(v ssa.Value) bool {
	a, ok := Unconvert(v).(*ssa.Alloc)
	if !ok {
		return false
	}
	fields := clientTimeoutFields
	if knowledge.TypeRole(v.Type()) == knowledge.DialerType {
		fields = dialerTimeoutFields
	}
	for _, ref := range *a.Referrers() {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok || !fields.has(fieldName(a.Type(), fa.Field)) {
			continue
		}
		for _, use := range *fa.Referrers() {
			if st, ok := use.(*ssa.Store); ok && st.Addr == fa && !zeroConst(st.Val) {
				return true
			}
		}
	}
	return false
}
