package swallowcancel

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkDone reports returns that happen once a context the function did
// not make is known to be done, and that hide it: `return nil` (success),
// or a new error in its place.
//
// For a function whose only result is an error, `return nil` is the clean
// stop of code whose job is to wait or run until cancelled, told apart by
// types and flow, not by names:
//   - the package uses the function as a value (started with go, passed to
//     a runner, stored): it runs on someone else's schedule;
//   - the function learns of the cancellation by waiting for it (a receive
//     from Done, or a select without default): it waited, and the wait is
//     over;
//   - the done point is in the body of an endless for {} loop: a service
//     loop told to stop.
//
// Checking ctx.Err() (or Cause) in the middle of work and returning nil
// claims the work finished: reported. So is a function that returns a
// result next to the error and pairs it with nil when cancelled, whatever
// the way it learned: the cut-short result is reported as complete.
func (c *checker) checkDone(f *fnInfo) {
	dones := c.res.Dones(f.fn)
	if len(dones) == 0 {
		return
	}
	runner := c.res.UsedAsValue(outermostUse(f.fn))
	for _, ret := range ctxflow.Returns(f.fn) {
		idx := len(ret.Block().Instrs) - 1
		if f.errLast && c.otherContextErrAt(dones, ret, idx) {
			continue
		}
		d := c.foreignDoneAt(f, dones, ret.Block(), idx, true)
		if d == nil {
			if f.errLast && c.replacedDerivedBudget(f, dones, ret, idx) {
				continue
			}
			c.checkLentDone(f, ret, idx, dones)
			continue
		}
		v := errResult(ret)
		if !f.errLast {
			if v = carriedError(ret, carrierField(f.fn.Signature)); v == nil {
				continue
			}
		}
		switch {
		case !f.errLast && !c.carriedFresh(v, d):
			continue
		case ctxflow.IsNilConst(v):
			if f.onlyErr && (runner || d.Plain || d.Via != nil || c.blockingSelect(d) || c.leavesEndlessLoop(d)) && !c.pollsUntil(f, d) {
				continue
			}
			if c.unreachableNil(ret) || c.choseKind(d, ret) || flagSaysStopped(f.fn, ret) {
				continue
			}
			what, fix := c.doneNames(d)
			msg := fmt.Sprintf("returning nil when %s is done tells the caller the work finished when it was abandoned: return %s", c.ctxName(d), fix)
			if what != "" {
				msg = fmt.Sprintf("returning nil when %s is done (%s) tells the caller the work finished when it was abandoned: return %s", c.ctxName(d), what, fix)
			}
			diag := analysis.Diagnostic{Pos: c.nilPos(ret), Message: msg}
			c.withFix(&diag, ret, fix, d.Pos)
			c.pass.Report(diag)
		case f.errLast && c.reportStaleNil(d, v, ret):
		case c.joinMayBeNil(v) && !c.wrapsContextErr(v):
			_, fix := c.doneNames(d)
			c.pass.Report(analysis.Diagnostic{Pos: c.valuePos(v, ret), Message: fmt.Sprintf(
				"when %s is done this returns errors.Join of the errors seen so far, which is nil when there were none: the caller is told the work finished; include %s", c.ctxName(d), fix)})
		default:
			if fr, ok := c.freshError(v, d.Err); ok && !c.wrapsContextErr(v) && !translatedInField(v) {
				_, fix := c.doneNames(d)
				c.pass.Report(analysis.Diagnostic{Pos: c.valuePos(v, ret), Message: fmt.Sprintf(
					"%s replaces %s's cancellation when it is done with an error that does not wrap it: errors.Is(err, context.Canceled) is false upstream; return %s or wrap it with %%w", fr.desc, c.ctxName(d), fix)})
			} else if call := c.lastAttemptError(f, v, ret, d); call != nil && !c.wrapsContextErr(v) {
				c.reportLastAttempt(d, v, ret, call)
			} else if p := handedError(f.fn, v); p != nil {
				_, fix := c.doneNames(d)
				c.pass.Report(analysis.Diagnostic{Pos: c.valuePos(v, ret), Message: fmt.Sprintf(
					"when %s is done this callback returns %s, the failure it was handed, in place of the cancellation: errors.Is(err, context.Canceled) is false upstream, so the abandoned work looks failed; return %s", c.ctxName(d), p.Name(), fix)})
			}
		}
	}
}

// breaksOutTo reports whether a test that found the context done breaks
// out of a loop straight into block b (`if ctx.Err() != nil { break }`,
// then the code after the loop): on that path b runs with the context
// done. Only a test (not a select case, whose break is judged as a wait)
// and only when b is no longer in that loop.
func (c *checker) breaksOutTo(d *ctxflow.Done, b *ssa.BasicBlock) bool {
	if _, isTest := d.Instr.(*ssa.If); !isTest || !ctxflow.InLoop(d.Instr.Block()) || ctxflow.InLoop(b) && ctxflow.Reaches(b, d.Instr.Block()) {
		return false
	}
	return d.LeadsStraightTo(b)
}

// choseKind reports whether ret, a return of nil where d's context is
// done, lies on the "no" branch of a test for one kind of cancellation
// made after the done point (errors.Is(ctx.Err(), context.DeadlineExceeded)
// returned the error): the function told a deadline from a cancel and
// chose to end quietly on the other (compose's Ctrl-C).
func (c *checker) choseKind(d *ctxflow.Done, ret *ssa.Return) bool {
	for b := ret.Block(); b != nil && b != d.Block; b = b.Idom() {
		p := b.Idom()
		if p == nil {
			return false
		}
		if t := c.cancelTestOf(p); t != nil && len(p.Succs) == 2 && p.Succs[1].Dominates(ret.Block()) && !p.Succs[0].Dominates(ret.Block()) {
			return true
		}
	}
	return false
}

// carriedFresh reports whether v, the error a struct result carries, is a
// fresh error that hides the done context: the only case judged there.
func (c *checker) carriedFresh(v ssa.Value, d *ctxflow.Done) bool {
	_, ok := c.freshError(v, d.Err)
	return ok && !c.wrapsContextErr(v)
}

// checkLentDone reports the last attempt's error returned once a context
// handed over inside another value is done (cb.Context() of a BackOff the
// caller passed): the context is the caller's though the analysis does
// not know what it carries. Only this check is run on such contexts; the
// others need to know the context is not the object's own.
func (c *checker) checkLentDone(f *fnInfo, ret *ssa.Return, idx int, dones []*ctxflow.Done) {
	for _, d := range dones {
		if !d.Covers(ret.Block(), idx) || d.Origin.State != ctxflow.Unknown || !c.lentByCaller(d.Ctx) {
			continue
		}
		v := errResult(ret)
		if call := c.lastAttemptError(f, v, ret, d); call != nil && !c.wrapsContextErr(v) {
			c.reportLastAttempt(d, v, ret, call)
		}
		return
	}
}

// lentByCaller reports whether ctx is what a method returns of a value
// the function was given: a parameter, or what a conversion or a call
// makes of one (cb := ensureContext(b); cb.Context()).
func (c *checker) lentByCaller(ctx ssa.Value) bool {
	call, ok := ctx.(*ssa.Call)
	if !ok {
		return false
	}
	_, recv, _ := ctxflow.SplitCall(call.Common())
	return recv != nil && fromParameter(recv, 0)
}

// fromParameter reports whether v is a parameter, or converted or
// computed from one by a call of the same package, within a few steps.
func fromParameter(v ssa.Value, depth int) bool {
	if depth > 3 {
		return false
	}
	switch x := v.(type) {
	case *ssa.Parameter:
		return true
	case *ssa.TypeAssert:
		return fromParameter(x.X, depth+1)
	case *ssa.ChangeInterface:
		return fromParameter(x.X, depth+1)
	case *ssa.MakeInterface:
		return fromParameter(x.X, depth+1)
	case *ssa.Extract:
		return fromParameter(x.Tuple, depth+1)
	case *ssa.Call:
		callee := x.Common().StaticCallee()
		if callee == nil || callee.Pkg == nil || callee.Pkg != x.Parent().Pkg {
			return false
		}
		for _, a := range x.Common().Args {
			if fromParameter(a, depth+1) {
				return true
			}
		}
	}
	return false
}

// foreignContext reports whether the done context is the caller's: one
// the function did not make cancellable itself (a parameter, a capture),
// not a signal the program asked for, and not the object's own (a field).
func (c *checker) foreignContext(f *fnInfo, d *ctxflow.Done) bool {
	if d.Origin.Signal || d.Origin.Field {
		// A context the object keeps is its lifecycle: done means the
		// object was closed, and an error saying so (io.ErrClosedPipe)
		// is the answer, not a swallowed cancellation of the caller's.
		return false
	}
	if d.Ctx != nil && c.res.Owned(f.fn, d.Ctx) {
		return false
	}
	return d.Origin.State == ctxflow.Inherited
}

// outermostUse returns the function whose use as a value decides: a
// literal itself, or the declared function.
func outermostUse(fn *ssa.Function) *ssa.Function { return fn }

// leavesEndlessLoop reports whether the done point is in the body of an
// endless loop (for {} without a condition): a service loop that stops on
// cancellation.
func (c *checker) leavesEndlessLoop(d *ctxflow.Done) bool {
	pos := d.Pos
	cur, ok := c.res.Syntax.Enclosing(pos, pos, (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncLit)(nil), (*ast.FuncDecl)(nil))
	if !ok {
		return false
	}
	loop, ok := cur.Node().(*ast.ForStmt)
	return ok && loop.Cond == nil
}

// blockingSelect reports whether the done point is a case of a select
// without default: the function waits for its context (or something
// else). A select that also receives from a channel of errors the function
// made itself, on which its work reports success (an explicit nil), is
// waiting for that work to finish, not for the context: Done there means
// the work was abandoned. A channel of errors handed in (a service's error
// stream), or one that only ever carries failures (a forwarder that runs
// until cancelled and reports only why it stopped), does not count.
func (c *checker) blockingSelect(d *ctxflow.Done) bool {
	sel, ok := d.Instr.(*ssa.Select)
	if !ok || !sel.Blocking {
		return false
	}
	for _, st := range sel.States {
		if st.Dir != types.RecvOnly {
			continue
		}
		ch, ok := st.Chan.Type().Underlying().(*types.Chan)
		if !ok || !knowledge.IsError(ch.Elem()) {
			continue
		}
		if mk, ok := madeHere(st.Chan).(*ssa.MakeChan); ok && mk.Parent() == sel.Parent() && c.sendsSuccess(sel.Parent(), st.Chan, mk) {
			return false
		}
	}
	return true
}

// sendsSuccess reports whether fn, or a function literal in it, sends an
// explicit nil on the channel made by mk: the work reports that it
// finished. A send of a call's error (`errc <- srv.Serve(l)`) does not
// count: a server's Serve returns only when it stops, so its channel
// carries why the service ended, not the completion of work. ch is the
// channel as fn's select reads it (a load of the captured cell, or mk).
func (c *checker) sendsSuccess(fn *ssa.Function, ch ssa.Value, mk *ssa.MakeChan) bool {
	var cell ssa.Value = mk
	if load, ok := ch.(*ssa.UnOp); ok && load.Op == token.MUL {
		cell = load.X
	}
	sameChan := func(v ssa.Value) bool {
		if v == mk {
			return true
		}
		load, ok := v.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			return false
		}
		addr := load.X
		if fv, ok := addr.(*ssa.FreeVar); ok {
			addr = c.res.Binding(fv)
		}
		return addr == cell
	}
	var visit func(f *ssa.Function, depth int) bool
	visit = func(f *ssa.Function, depth int) bool {
		if depth > 4 {
			return false
		}
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				send, ok := instr.(*ssa.Send)
				if ok && sameChan(send.Chan) && ctxflow.IsNilConst(send.X) {
					return true
				}
			}
		}
		for _, anon := range f.AnonFuncs {
			if visit(anon, depth+1) {
				return true
			}
		}
		return false
	}
	return visit(fn, 0)
}

// flagSaysStopped reports whether a bool result says the work did not
// finish: it is false at this return and never a constant false at any
// other (pulumi's retry.Until returns false, nil, nil once its context is
// done and b, data, err otherwise), so the caller cannot take the stop for
// a success without ignoring the flag. A function that also returns false
// with nil elsewhere (not found) does not tell the stop apart.
func flagSaysStopped(fn *ssa.Function, ret *ssa.Return) bool {
	res := fn.Signature.Results()
	for k := 0; k < res.Len(); k++ {
		if b, ok := res.At(k).Type().Underlying().(*types.Basic); !ok || b.Kind() != types.Bool {
			continue
		}
		if !isConstFalse(ret.Results[k]) {
			continue
		}
		tells := true
		for _, other := range ctxflow.Returns(fn) {
			if other != ret && isConstFalse(other.Results[k]) {
				tells = false
			}
		}
		if tells {
			return true
		}
	}
	return false
}

func isConstFalse(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.Value != nil && c.Value.Kind() == constant.Bool && !constant.BoolVal(c.Value)
}

// unreachableNil reports whether a return can only be reached where an
// error known to be non-nil was found nil: `if err == nil { err =
// ctx.Err() }; if err != nil { return …, err }; return nil` inside the
// Done case never returns nil (alertmanager's retry stage).
func (c *checker) unreachableNil(ret *ssa.Return) bool {
	for b := ret.Block(); b != nil; b = b.Idom() {
		p := b.Idom()
		if p == nil {
			break
		}
		cmp, nilSucc := nilTest(p)
		if cmp == nil || nilSucc == nil || len(nilSucc.Preds) != 1 || !nilSucc.Dominates(ret.Block()) {
			continue
		}
		if c.nonNil(cmp.X, 0) {
			return true
		}
	}
	return false
}

// nilTest returns the `x == nil` or `x != nil` test of an error that ends
// block b, and the successor taken when x is nil.
func nilTest(b *ssa.BasicBlock) (*ssa.BinOp, *ssa.BasicBlock) {
	if len(b.Instrs) == 0 {
		return nil, nil
	}
	iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return nil, nil
	}
	cmp, ok := iff.Cond.(*ssa.BinOp)
	if !ok || !ctxflow.IsNilConst(cmp.Y) || !knowledge.IsError(cmp.X.Type()) {
		return nil, nil
	}
	switch cmp.Op {
	case token.EQL:
		return cmp, b.Succs[0]
	case token.NEQ:
		return cmp, b.Succs[1]
	}
	return nil, nil
}

// nonNil reports whether an error value is known not to be nil: a new
// error, ctx.Err() or context.Cause(ctx) where ctx is known done, or a phi
// each of whose values is non-nil or arrives through a branch that found
// it non-nil.
func (c *checker) nonNil(v ssa.Value, depth int) bool {
	if depth > 6 {
		return false
	}
	switch x := ctxflow.StripInterface(v).(type) {
	case *ssa.Call:
		callee, recv, args := ctxflow.SplitCall(x.Common())
		var ctx ssa.Value
		switch knowledge.RoleOf(callee) {
		case knowledge.ErrorsNew, knowledge.FmtErrorf:
			return true
		case knowledge.CtxErr:
			ctx = recv
		case knowledge.CtxCause:
			if len(args) == 1 {
				ctx = args[0]
			}
		}
		if ctx == nil {
			return false
		}
		idx := 0
		for i, instr := range x.Block().Instrs {
			if instr == x {
				idx = i
			}
		}
		for _, d := range c.res.Dones(x.Parent()) {
			if d.Ctx != nil && sameVariable(d.Ctx, ctx) && d.Covers(x.Block(), idx) {
				return true
			}
		}
	case *ssa.Phi:
		for i, e := range x.Edges {
			if foundNonNil(e, x.Block().Preds[i], x.Block()) {
				continue // the edge comes from where a test found e non-nil
			}
			if !c.nonNil(e, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// foundNonNil reports whether the edge pred→to is only taken where a
// test found e non-nil: pred ends with that test and the edge is its
// non-nil branch, or pred lies in the non-nil branch of such a test.
func foundNonNil(e ssa.Value, pred, to *ssa.BasicBlock) bool {
	e = ctxflow.StripInterface(e)
	if cmp, nilSucc := nilTest(pred); cmp != nil && sameVariable(ctxflow.StripInterface(cmp.X), e) {
		return nilSucc != to
	}
	for b := pred; b != nil; b = b.Idom() {
		p := b.Idom()
		if p == nil {
			return false
		}
		cmp, nilSucc := nilTest(p)
		if cmp == nil || !sameVariable(ctxflow.StripInterface(cmp.X), e) {
			continue
		}
		nonNilSucc := p.Succs[0]
		if nonNilSucc == nilSucc {
			nonNilSucc = p.Succs[1]
		}
		return len(nonNilSucc.Preds) == 1 && nonNilSucc.Dominates(pred)
	}
	return false
}

// madeHere looks through the cell of a local that a closure captures (a
// variable stored once) to the value stored in it.
func madeHere(v ssa.Value) ssa.Value {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return v
	}
	cell, ok := load.X.(*ssa.Alloc)
	if !ok {
		return v
	}
	if stored := ctxflow.StoredOnce(cell); stored != nil {
		return stored
	}
	return v
}

// ctxName names the done context for messages.
func (c *checker) ctxName(d *ctxflow.Done) string {
	if d.Origin.Param != nil {
		return d.Origin.Param.Name()
	}
	if fv, ok := d.Ctx.(*ssa.FreeVar); ok {
		return fv.Name()
	}
	if call, ok := d.Ctx.(*ssa.Call); ok && d.Origin.State == ctxflow.Unknown {
		if e := c.res.Syntax.CallExpr(call.Pos()); e != nil {
			return types.ExprString(e) // cb.Context()
		}
	}
	return "ctx"
}

// doneNames returns how the done point was learned, for messages, and
// what to return instead: the tested error, context.Cause(ctx) when the
// function reads the cause, else ctx.Err().
func (c *checker) doneNames(d *ctxflow.Done) (what, fix string) {
	name := c.ctxName(d)
	if iff, ok := d.Instr.(*ssa.If); ok && d.Err != nil {
		if id := c.condIdent(iff); id != nil && d.Via != nil {
			// if err := pause(ctx, d); err != nil: the helper fails only
			// once ctx is done, so err is its cancellation.
			return id.Name + " from " + c.callName(d.Via) + ", which fails only once " + name + " is done", id.Name
		}
		if id := c.condIdent(iff); id != nil {
			// if err := ctx.Err(); err != nil: the variable holds it.
			return id.Name + " = " + name + ".Err()", id.Name
		}
	}
	if d.Cause || c.readsCause(d) {
		return "", "context.Cause(" + name + ")"
	}
	return "", name + ".Err()"
}

// readsCause reports whether the function asks for the context's cause
// anywhere: it cares about why, so the fix returns it.
func (c *checker) readsCause(d *ctxflow.Done) bool {
	fn := d.Block.Parent()
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok {
				callee, _, _ := ctxflow.SplitCall(call.Common())
				if knowledge.RoleOf(callee) == knowledge.CtxCause {
					return true
				}
			}
		}
	}
	return false
}

// joinMayBeNil reports whether v is errors.Join(...) (nil when all its
// arguments are nil).
func (c *checker) joinMayBeNil(v ssa.Value) bool {
	call, ok := ctxflow.StripInterface(v).(*ssa.Call)
	if !ok {
		return false
	}
	callee, _, _ := ctxflow.SplitCall(call.Common())
	return knowledge.RoleOf(callee) == knowledge.ErrorsJoin
}

// wrapsContextErr reports whether v wraps (%w) a cancellation.
func (c *checker) wrapsContextErr(v ssa.Value) bool {
	return len(c.res.ErrSources(v)) > 0
}

// condIdent returns the identifier compared with nil in the condition of
// iff, when the operand is a variable (err != nil) rather than a call.
func (c *checker) condIdent(iff *ssa.If) *ast.Ident {
	cmp, ok := iff.Cond.(*ssa.BinOp)
	if !ok {
		return nil
	}
	cur, ok := c.res.Syntax.Enclosing(cmp.Pos(), cmp.Pos(), (*ast.BinaryExpr)(nil))
	if !ok {
		return nil
	}
	bin := cur.Node().(*ast.BinaryExpr)
	for _, e := range []ast.Expr{bin.X, bin.Y} {
		if id, ok := ast.Unparen(e).(*ast.Ident); ok && id.Name != "nil" {
			return id
		}
	}
	return nil
}

// endsOnContextCall reports whether the loop goes round only for an
// error a test picked, from a call given the done context, and leaves on
// any other: once the context is done that call fails with its error and
// the loop ends (nats' publish retry goes round only while the request
// fails with ErrNoResponders).
func endsOnContextCall(loop *ctxflow.Loop, ctx ssa.Value) bool {
	if ctx == nil {
		return false
	}
	ctx = ctxflow.Unconvert(ctx)
	results := map[ssa.Value]bool{}
	for b := range loop.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			for _, a := range call.Common().Args {
				if ctxflow.Unconvert(a) == ctx {
					results[call] = true
				}
			}
		}
	}
	return len(results) > 0 && ctxflow.LeavesUnlessChosen(loop, func(err ssa.Value) bool { return dependsOn(err, results, 0) })
}

// dependsOn reports whether v is computed, within a few steps, from one of
// the values in set.
func dependsOn(v ssa.Value, set map[ssa.Value]bool, depth int) bool {
	if set[v] {
		return true
	}
	if depth > 6 {
		return false
	}
	switch x := v.(type) {
	case *ssa.Extract:
		return dependsOn(x.Tuple, set, depth+1)
	case *ssa.ChangeInterface:
		return dependsOn(x.X, set, depth+1)
	case *ssa.MakeInterface:
		return dependsOn(x.X, set, depth+1)
	case *ssa.Phi:
		for _, e := range x.Edges {
			if dependsOn(e, set, depth+1) {
				return true
			}
		}
	}
	return false
}

// commClause returns the case clause of the select whose channel is the
// done one.
func (c *checker) commClause(sel *ssa.Select, d *ctxflow.Done) *ast.CommClause {
	for i, st := range sel.States {
		if ch, ok := st.Chan.(*ssa.Call); ok {
			if fn, recv, _ := ctxflow.SplitCall(ch.Common()); knowledge.RoleOf(fn) == knowledge.CtxDone && recv == d.Ctx {
				return c.res.SelectClause(sel, i)
			}
		}
	}
	return nil
}

// lastAttemptError returns the call whose error v is, when v is the error
// of an earlier attempt of a retry loop: the call runs in the loop that
// also waits on the done context (a select without default or a receive:
// the pause between attempts), and the return is only reached where a
// test found that error non-nil. Returned once the context is done, it
// stands in for the cancellation (cenkalti/backoff's RetryNotify).
func (c *checker) lastAttemptError(f *fnInfo, v ssa.Value, ret *ssa.Return, d *ctxflow.Done) *ssa.Call {
	x := ctxflow.StripInterface(v)
	call := callOf(x)
	if call == nil || call.Block() == nil {
		return nil
	}
	callee, _, _ := ctxflow.SplitCall(call.Common())
	switch knowledge.RoleOf(callee) {
	case knowledge.CtxErr, knowledge.CtxCause, knowledge.ErrorsNew, knowledge.FmtErrorf:
		return nil
	}
	if sel, ok := d.Instr.(*ssa.Select); !(ok && sel.Blocking) && !d.Plain {
		return nil
	}
	loops := f.loops
	if call.Parent() != f.fn {
		loops = ctxflow.Loops(call.Parent())
	}
	loop := ctxflow.Innermost(loops, call.Block())
	if loop == nil || d.Instr == nil || !loop.Blocks[d.Instr.Block()] || loop.Blocks[ret.Block()] {
		return nil
	}
	if !foundNonNil(x, ret.Block(), nil) {
		return nil
	}
	return call
}

func (c *checker) reportLastAttempt(d *ctxflow.Done, v ssa.Value, ret *ssa.Return, call *ssa.Call) {
	_, fix := c.doneNames(d)
	c.pass.Report(analysis.Diagnostic{Pos: c.valuePos(v, ret), Message: fmt.Sprintf(
		"when %s is done between attempts this returns the last attempt's error (from %s) in its place: errors.Is(err, context.Canceled) is false upstream, so callers take the abandoned work for a failure and may retry it; return %s (wrap the last error into it if it helps)", c.ctxName(d), c.callName(call), fix)})
}

// callName names a call's callee for messages: the function, or the
// variable holding it (operation()).
func (c *checker) callName(call *ssa.Call) string {
	if e := c.res.Syntax.CallExpr(call.Pos()); e != nil {
		return types.ExprString(e.Fun) + "()"
	}
	if callee := call.Common().StaticCallee(); callee != nil {
		return callee.Name() + "()"
	}
	return "the call"
}

// translatedInField reports whether v is an error literal one of whose
// fields holds the context's error translated by a call
// (&NewStreamError{Err: ContextErr(ctx.Err())}, grpc-go's: a status with
// code Canceled or DeadlineExceeded): the literal carries the cancellation
// in the package's own terms, as a gRPC status does, rather than replacing
// it.
func translatedInField(v ssa.Value) bool {
	alloc, ok := ctxflow.StripInterface(v).(*ssa.Alloc)
	if !ok {
		return false
	}
	for _, ref := range *alloc.Referrers() {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok {
			continue
		}
		for _, use := range *fa.Referrers() {
			st, ok := use.(*ssa.Store)
			if !ok || st.Addr != fa {
				continue
			}
			call, ok := ctxflow.StripInterface(st.Val).(*ssa.Call)
			if !ok {
				continue
			}
			for _, arg := range call.Common().Args {
				if inner, ok := ctxflow.StripInterface(arg).(*ssa.Call); ok {
					if fn, _, _ := ctxflow.SplitCall(inner.Common()); knowledge.RoleOf(fn) == knowledge.CtxErr {
						return true
					}
				}
			}
		}
	}
	return false
}

// handedError returns the error parameter of the function literal fn that
// v returns as it is, or nil: an error handed to a callback (a retry
// notifier's last failure, pachyderm's RetryUntilCancel) was made before
// the callback learned that its captured context is done.
func handedError(fn *ssa.Function, v ssa.Value) *ssa.Parameter {
	if fn.Parent() == nil {
		return nil
	}
	p, ok := ctxflow.StripInterface(v).(*ssa.Parameter)
	if !ok || p.Parent() != fn || !knowledge.IsError(p.Type()) {
		return nil
	}
	return p
}
