package swallowcancel

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// freshError reports whether v is a new error that does not wrap old (nor
// any cancellation): errors.New, an Errorf without %w (the %v/%s case is
// checkErrorf's), or a literal of an error type with no Unwrap, Is or As
// method. It returns how to name it and, for a literal, its type.
func (c *checker) freshError(v, old ssa.Value) (fresh, bool) {
	return c.freshErrorDepth(v, old, 0)
}

func (c *checker) freshErrorDepth(v, old ssa.Value, depth int) (fresh, bool) {
	switch x := ctxflow.StripInterface(v).(type) {
	case *ssa.Call:
		callee, _, _ := ctxflow.SplitCall(x.Common())
		if fn := x.Call.StaticCallee(); fn != nil && depth == 0 {
			if fr, ok := c.freshConstructor(fn); ok {
				return fr, true
			}
			if obj, ok := fn.Object().(*types.Func); ok && fn.Pkg == c.res.Pkg && forwardsToErrorf(fn) && noVariadicArgs(x.Common()) {
				// A class's New(format, args...) handing both to
				// fmt.Errorf, given no arguments: nothing to wrap
				// (storj's ecclient.Error.New("upload cancelled by user")).
				return fresh{desc: ctxflow.ShortName(obj)}, true
			}
		}
		if fn := x.Call.StaticCallee(); fn != nil && fn.Pkg == c.res.Pkg && depth < 2 {
			// A helper of the package that only wraps its error
			// (ydb's withStackTrace: fmt.Errorf("…: %w", err)): what it
			// is given decides.
			if i, ok := wrapsOnly(fn); ok && i < len(x.Call.Args) {
				if fr, ok := c.freshErrorDepth(x.Call.Args[i], old, depth+1); ok {
					return fr, true
				}
				return fresh{}, false
			}
		}
		switch knowledge.RoleOf(callee) {
		case knowledge.ErrorsNew:
			return fresh{desc: "errors.New"}, true
		case knowledge.FmtErrorf:
			var inner *fresh
			for _, a := range ctxflow.ErrorfArgs(x.Common()) {
				if a.Verb == 'w' && depth < 2 && !usesValue(a.Value, old) {
					// Wrapping a fresh error made from err's message
					// (errors.New(strings.Replace(err.Error(), …))):
					// the chain holds the copy, not err.
					if fr, ok := c.freshErrorDepth(a.Value, old, depth+1); ok && fr.desc == "errors.New" {
						inner = &fr
						continue
					}
				}
				if a.Verb == 'w' || usesValue(a.Value, old) {
					return fresh{}, false
				}
			}
			if inner != nil {
				return fresh{desc: "fmt.Errorf wrapping " + inner.desc}, true
			}
			if args := x.Common().Args; len(ctxflow.ErrorfArgs(x.Common())) == 0 && len(args) > 1 && !ctxflow.IsNilConst(args[len(args)-1]) {
				return fresh{}, false // arguments the format cannot be paired with: unsure
			}
			return fresh{desc: "fmt.Errorf"}, true
		}
	case *ssa.UnOp:
		// A struct value literal (ErrRequestCanceled{error: errors.New(…)})
		// as an error, inside a constructor.
		if a, ok := x.X.(*ssa.Alloc); ok && x.Op == token.MUL && depth > 0 && !hasUnwrap(a.Type()) {
			return fresh{desc: "a " + types.TypeString(x.Type(), qualifier) + " literal"}, true
		}
		// A sentinel error variable (io.ErrUnexpectedEOF, ErrTimeout).
		// Not driver.ErrBadConn: a driver returns it to make database/sql
		// retry on another connection, and database/sql looks at the
		// context itself before each try, so a done context still ends
		// the call with ctx.Err().
		if g, ok := x.X.(*ssa.Global); ok && x.Op == token.MUL && knowledge.IsError(x.Type()) && !c.grpcCancellation(g) {
			if v, ok := g.Object().(*types.Var); ok && sentinel(x) == knowledge.NoRole && knowledge.VarRole(v) != knowledge.DriverErrBadConn {
				return fresh{desc: v.Pkg().Name() + "." + v.Name()}, true
			}
		}
	case *ssa.Alloc:
		t := x.Type()
		if !hasUnwrap(t) {
			name := types.TypeString(t, qualifier)
			return fresh{desc: "a " + name + " literal", literal: name}, true
		}
	}
	return fresh{}, false
}

// wrapsOnly returns the index of fn's one error parameter when every
// return of fn gives that parameter itself or an fmt.Errorf that wraps it
// with %w (and nothing else with %w).
func wrapsOnly(fn *ssa.Function) (int, bool) {
	if len(fn.Blocks) == 0 || fn.Signature.Results().Len() != 1 || !knowledge.IsError(fn.Signature.Results().At(0).Type()) {
		return 0, false
	}
	r := classifyErrorReturns(fn)
	return r.param, r.param >= 0 && r.other == 0 && r.nils == 0 && r.same+r.wrapped > 0
}

// errorReturns counts how the returns of a function give their error,
// against its one error parameter: that parameter unchanged, an fmt.Errorf
// wrapping only it with %w, nil, or anything else.
type errorReturns struct {
	param                      int // the parameter's index, -1 for none or several
	same, wrapped, nils, other int
}

// classifyErrorReturns classifies the error result of each return of fn,
// whose last result is an error.
func classifyErrorReturns(fn *ssa.Function) errorReturns {
	r := errorReturns{param: oneErrorParam(fn)}
	if r.param < 0 {
		return r
	}
	p := fn.Params[r.param]
	for _, ret := range ctxflow.Returns(fn) {
		v := ctxflow.StripInterface(errResult(ret))
		switch {
		case v == p:
			r.same++
		case ctxflow.IsNilConst(v):
			r.nils++
		case wrapsOnlyParam(v, p):
			r.wrapped++
		default:
			r.other++
		}
	}
	return r
}

// wrapsOnlyParam reports whether v is an fmt.Errorf whose %w operands
// are all p, and there is one.
func wrapsOnlyParam(v ssa.Value, p *ssa.Parameter) bool {
	args, ok := errorfOf(v)
	if !ok {
		return false
	}
	wrapped := false
	for _, a := range args {
		if a.Verb != 'w' {
			continue
		}
		if ctxflow.StripInterface(a.Value) != ssa.Value(p) {
			return false
		}
		wrapped = true
	}
	return wrapped
}

// errorfOf returns the verbs and arguments of v when v is a call of
// fmt.Errorf.
func errorfOf(v ssa.Value) ([]ctxflow.ErrorfArg, bool) {
	call, ok := v.(*ssa.Call)
	if !ok {
		return nil, false
	}
	callee, _, _ := ctxflow.SplitCall(call.Common())
	if knowledge.RoleOf(callee) != knowledge.FmtErrorf {
		return nil, false
	}
	return ctxflow.ErrorfArgs(call.Common()), true
}

// oneErrorParam returns the index of fn's only error parameter, or -1
// when it has none or several.
func oneErrorParam(fn *ssa.Function) int {
	idx := -1
	for i, p := range fn.Params {
		if knowledge.IsError(p.Type()) {
			if idx >= 0 {
				return -1
			}
			idx = i
		}
	}
	return idx
}

// freshConstructor reports whether fn, a function of this package that
// takes nothing, returns a fresh error (errors.New, a literal of an error
// type with no Unwrap) on every path: spicedb's NewRequestCanceledErr(). A
// constructor given arguments (a status code and a message: a stand-in for
// gRPC's status.Error(codes.Canceled, …)) may carry the cancellation in
// them, so it is not judged.
// A constructor whose every return is a literal of one type is named by
// that literal (its fix: an Unwrap method); any other by its call.
func (c *checker) freshConstructor(fn *ssa.Function) (fresh, bool) {
	if fn.Pkg != c.res.Pkg || len(fn.Blocks) == 0 || fn.Signature.Results().Len() != 1 || !knowledge.IsError(fn.Signature.Results().At(0).Type()) {
		return fresh{}, false
	}
	if len(fn.Params) > 0 || len(fn.FreeVars) > 0 {
		return fresh{}, false
	}
	rets := ctxflow.Returns(fn)
	literal := ""
	for i, ret := range rets {
		fr, ok := c.freshErrorDepth(ret.Results[0], nil, 1)
		if !ok {
			return fresh{}, false
		}
		if i == 0 || fr.literal == literal {
			literal = fr.literal
		} else {
			literal = ""
		}
	}
	if len(rets) == 0 {
		return fresh{}, false
	}
	if literal != "" {
		return fresh{desc: "a " + literal + " literal", literal: literal}, true
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok {
		return fresh{}, false // a literal called where it is written
	}
	return fresh{desc: ctxflow.ShortName(obj) + "()"}, true
}

// forwardsToErrorf reports whether every return of the variadic fn gives
// fmt.Errorf called with fn's variadic parameter as its arguments.
func forwardsToErrorf(fn *ssa.Function) bool {
	if !fn.Signature.Variadic() || len(fn.Params) == 0 || fn.Signature.Results().Len() != 1 {
		return false
	}
	args := fn.Params[len(fn.Params)-1]
	rets := ctxflow.Returns(fn)
	for _, ret := range rets {
		call, ok := ctxflow.StripInterface(ret.Results[0]).(*ssa.Call)
		if !ok {
			return false
		}
		callee, _, _ := ctxflow.SplitCall(call.Common())
		if knowledge.RoleOf(callee) != knowledge.FmtErrorf || len(call.Call.Args) != 2 || call.Call.Args[1] != ssa.Value(args) {
			return false
		}
	}
	return len(rets) > 0
}

// noVariadicArgs reports whether a call of a variadic function passes
// nothing for its variadic parameter.
func noVariadicArgs(call *ssa.CallCommon) bool {
	if len(call.Args) == 0 {
		return false
	}
	return ctxflow.IsNilConst(call.Args[len(call.Args)-1])
}

// grpcCancellation reports whether every value the package stores in g is
// a gRPC status error with code Canceled or DeadlineExceeded (grpc-go's
// errContextDeadline = status.Error(codes.DeadlineExceeded, …)): the
// cancellation translated into the protocol's own terms, which every gRPC
// caller reads by code, not a replacement that hides it.
func (c *checker) grpcCancellation(g *ssa.Global) bool {
	values := c.res.StoredIn(g)
	for _, v := range values {
		call, ok := ctxflow.StripInterface(v).(*ssa.Call)
		if !ok {
			return false
		}
		callee, _, args := ctxflow.SplitCall(call.Common())
		if knowledge.RoleOf(callee) != knowledge.GRPCStatusError || len(args) == 0 {
			return false
		}
		code, ok := args[0].(*ssa.Const)
		if !ok || !knowledge.GRPCCancelCode(code.Type(), code.Value) {
			return false
		}
	}
	return len(values) > 0
}

// fresh names a new error: desc for messages; literal is the type of a
// composite literal, whose fix is an Unwrap method rather than %w.
type fresh struct {
	desc    string
	literal string
}

func qualifier(p *types.Package) string { return p.Name() }

// hasUnwrap reports whether errors.Is can see through t.
func hasUnwrap(t types.Type) bool {
	ms := types.NewMethodSet(t)
	for i := range ms.Len() {
		switch ms.At(i).Obj().Name() {
		case "Unwrap", "Is", "As":
			return true
		}
	}
	return false
}

// usesValue reports whether v is old or derived from it (old.Error()).
func usesValue(v, old ssa.Value) bool {
	if old == nil {
		return false
	}
	v = ctxflow.StripInterface(v)
	if sameVariable(v, ctxflow.StripInterface(old)) {
		return true
	}
	if call, ok := v.(*ssa.Call); ok && call.Common().IsInvoke() && knowledge.IsErrorMethod(call.Common().Method) {
		return sameVariable(ctxflow.StripInterface(call.Common().Value), ctxflow.StripInterface(old))
	}
	return false
}

// isValueConst reports whether v is a constant other than nil.
func isValueConst(v ssa.Value) bool {
	k, ok := v.(*ssa.Const)
	return ok && k.Value != nil
}

// derivedFrom reports whether v is read off the error err: a field of it,
// or of what a call given it returns (ToErrorResponse(err).Code), a few
// steps deep.
func derivedFrom(v, err ssa.Value, depth int) bool {
	if depth > 3 {
		return false
	}
	switch x := v.(type) {
	case *ssa.Field:
		return derivedFrom(x.X, err, depth+1)
	case *ssa.FieldAddr:
		return derivedFrom(x.X, err, depth+1)
	case *ssa.UnOp:
		return x.Op == token.MUL && derivedFrom(x.X, err, depth+1)
	case *ssa.Extract:
		return derivedFrom(x.Tuple, err, depth+1)
	case *ssa.Call:
		if depth == 0 {
			return false // err passed to a predicate: judged by what it is
		}
		for _, a := range x.Call.Args {
			if sameVariable(ctxflow.StripInterface(a), ctxflow.StripInterface(err)) {
				return true
			}
		}
	}
	return false
}

// checkReplaced reports `if err != nil { return errors.New(…) }` for an
// error that may be a cancellation: the new error hides it.
func (c *checker) checkReplaced(f *fnInfo) {
	for _, b := range f.fn.Blocks {
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		cmp, ok := iff.Cond.(*ssa.BinOp)
		if !ok || cmp.Op != token.NEQ || !ctxflow.IsNilConst(cmp.Y) {
			continue
		}
		srcs := c.cancellations(f, cmp.X, iff)
		if len(srcs) == 0 || lifecycleEnded(srcs, cmp.X) {
			continue
		}
		body := b.Succs[0]
		if len(body.Preds) != 1 {
			continue
		}
		for _, ret := range ctxflow.Returns(f.fn) {
			if !body.Dominates(ret.Block()) || answersOther(body, ret.Block(), cmp.X) || c.notCancellation(ret.Block(), cmp.X, true) {
				continue
			}
			// A test inside the error branch may find the context live
			// on the way to this return (rpcx: if ctx.Err() != nil {
			// return ctx.Err() }; return ErrShutdown): no cancellation
			// reaches it.
			srcs := c.cancellations(f, cmp.X, ret)
			if len(srcs) == 0 {
				continue
			}
			v := errResult(ret)
			f, ok := c.freshError(v, cmp.X)
			if !ok || c.wrapsContextErr(v) {
				continue
			}
			msg := fmt.Sprintf("%s replaces err, which may be a context cancellation%s, with an error that does not wrap it: errors.Is(err, context.Canceled) is false upstream; wrap it with %%w", f.desc, sourceText(srcs))
			if f.literal != "" {
				msg = fmt.Sprintf("%s replaces err, which may be a context cancellation%s, with an error errors.Is cannot see through (no Unwrap method): errors.Is(err, context.Canceled) is false upstream; keep err in it and give %s an Unwrap method", f.desc, sourceText(srcs), f.literal)
			}
			c.pass.Report(analysis.Diagnostic{Pos: c.valuePos(v, ret), Message: msg})
		}
	}
}

// lifecycleEnded reports whether the tested error is the Err() of a
// context the object keeps in a field (if c.ctx.Err() != nil { return
// ErrClientClosed }): the object's own lifecycle ended, and an error saying
// it is closed is the answer, as foreignContext decides for Done cases.
func lifecycleEnded(srcs []ctxflow.ErrSource, tested ssa.Value) bool {
	for _, s := range srcs {
		call, ok := s.At.(*ssa.Call)
		if !ok || !s.Ctx.Field || ssa.Value(call) != ctxflow.StripInterface(tested) {
			return false
		}
		if callee, _, _ := ctxflow.SplitCall(call.Common()); knowledge.RoleOf(callee) != knowledge.CtxErr {
			return false
		}
	}
	return true
}

// answersOther reports whether the return in block ret, inside the body of
// a test that err is not nil, answers something else: it sits in the true
// branch of a later test that another error is not nil (a cleanup that
// failed), or that err is a particular error (errors.As, errors.Is with a
// target that is no cancellation): there err is known not to be a
// cancellation, or is not what the return is about.
func answersOther(body, ret *ssa.BasicBlock, err ssa.Value) bool {
	for b := ret; b != nil && b != body; b = b.Idom() {
		p := b.Idom()
		if p == nil || len(p.Instrs) == 0 {
			return false
		}
		iff, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If)
		if !ok || !p.Succs[0].Dominates(ret) || len(p.Succs[0].Preds) != 1 {
			continue
		}
		switch cond := iff.Cond.(type) {
		case *ssa.BinOp:
			if cond.Op == token.NEQ && ctxflow.IsNilConst(cond.Y) && knowledge.IsError(cond.X.Type()) && !sameVariable(ctxflow.StripInterface(cond.X), ctxflow.StripInterface(err)) {
				return true
			}
			if cond.Op == token.EQL && (isValueConst(cond.Y) && derivedFrom(cond.X, err, 0) || isValueConst(cond.X) && derivedFrom(cond.Y, err, 0)) {
				// A code read off err compared with a constant
				// (minio's ToErrorResponse(err).Code == InvalidRange):
				// err is a particular error there.
				return true
			}
		case *ssa.Call:
			callee, _, args := ctxflow.SplitCall(cond.Common())
			role := knowledge.RoleOf(callee)
			if (role == knowledge.ErrorsAs || role == knowledge.ErrorsIs) && len(args) == 2 && sameVariable(ctxflow.StripInterface(args[0]), ctxflow.StripInterface(err)) {
				if role == knowledge.ErrorsAs || sentinel(args[1]) == knowledge.NoRole {
					return true
				}
			}
		}
	}
	return false
}

// checkErrorf reports fmt.Errorf formatting, with %v or %s, an error (or
// its Error()) that may be a cancellation, when the result is passed on
// (returned, sent, stored, appended): errors.Is cannot find it upstream.
func (c *checker) checkErrorf(f *fnInfo) {
	for _, b := range f.fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			fargs, forwarder, ok := c.printfCall(call)
			if !ok || !passedOn(call, 0) {
				continue
			}
			for _, a := range fargs {
				if a.Verb != 'v' && a.Verb != 's' && forwarder == "" {
					continue
				}
				errVal, viaError := formattedError(a.Value)
				if errVal == nil {
					continue
				}
				srcs := c.cancellations(f, errVal, call)
				if len(srcs) == 0 {
					srcs = c.childErr(errVal)
				}
				if len(srcs) == 0 {
					continue
				}
				if forwarder != "" {
					d := analysis.Diagnostic{Pos: call.Pos(), Message: fmt.Sprintf(
						"%s formats its arguments into a message with fmt.Sprintf, so %s, which may be a context cancellation%s, is not wrapped: errors.Is(err, context.Canceled) is false upstream; wrap it (fmt.Errorf with %%w, or a wrapping constructor)",
						forwarder, c.exprText(call, a.Index), sourceText(srcs))}
					if expr := c.res.Syntax.CallExpr(call.Pos()); expr != nil {
						d.Pos, d.End = expr.Pos(), expr.End()
					}
					c.pass.Report(d)
					break
				}
				name := c.exprText(call, a.Index)
				d := analysis.Diagnostic{Pos: call.Pos(), Message: fmt.Sprintf(
					"%%%c formats %s, which may be a context cancellation%s, without wrapping it: errors.Is(err, context.Canceled) is false upstream; use %%w",
					a.Verb, name, sourceText(srcs))}
				if expr := c.res.Syntax.CallExpr(call.Pos()); expr != nil {
					d.Pos, d.End = expr.Pos(), expr.End()
					c.verbFix(&d, expr, a, viaError)
				}
				c.pass.Report(d)
				break
			}
		}
	}
}

// printfCall pairs the verbs and arguments of a call that formats an error
// message: fmt.Errorf itself (forwarder ""), or a function of the package
// whose result is an error and that hands its format and arguments on to
// fmt.Sprintf (zeebo/errs' Class.New: every verb is stringified, %w too),
// named by forwarder.
func (c *checker) printfCall(call *ssa.Call) (args []ctxflow.ErrorfArg, forwarder string, ok bool) {
	callee, _, _ := ctxflow.SplitCall(call.Common())
	if knowledge.RoleOf(callee) == knowledge.FmtErrorf {
		return ctxflow.ErrorfArgs(call.Common()), "", true
	}
	fn := call.Common().StaticCallee()
	if fn == nil || fn.Pkg != c.res.Pkg || !fn.Signature.Variadic() || len(fn.Params) < 2 || !knowledge.IsError(call.Type()) {
		return nil, "", false
	}
	format, list := fn.Params[len(fn.Params)-2], fn.Params[len(fn.Params)-1]
	if b, isBasic := format.Type().Underlying().(*types.Basic); !isBasic || b.Kind() != types.String {
		return nil, "", false
	}
	forwards := false
	for _, ref := range *list.Referrers() {
		inner, isCall := ref.(*ssa.Call)
		if !isCall {
			return nil, "", false // the arguments go elsewhere too
		}
		icallee, _, _ := ctxflow.SplitCall(inner.Common())
		ia := inner.Common().Args
		if knowledge.RoleOf(icallee) != knowledge.FmtSprintf || len(ia) != 2 || ia[0] != ssa.Value(format) || ia[1] != ssa.Value(list) {
			return nil, "", false
		}
		forwards = true
	}
	if !forwards {
		return nil, "", false
	}
	shifted := *call.Common()
	shifted.Args = shifted.Args[len(shifted.Args)-2:]
	name := "the func literal" // a literal called through a variable has no object
	if callee != nil {
		name = ctxflow.ShortName(callee)
	}
	return ctxflow.ErrorfArgs(&shifted), name, true
}

// childErr returns ctx.Err() as a cancellation source when ctx is one the
// function derived from its caller's (WithTimeout(ctx, d)): its own budget
// ran out, or the caller cancelled — either way the caller asks errors.Is
// (linodego's WaitForVolumeStatus formatted it with %s). Owned contexts are
// otherwise the function's own to absorb; formatting the error away is not
// absorbing it.
func (c *checker) childErr(v ssa.Value) []ctxflow.ErrSource {
	call, ok := ctxflow.StripInterface(v).(*ssa.Call)
	if !ok {
		return nil
	}
	fn, recv, _ := ctxflow.SplitCall(call.Common())
	if knowledge.RoleOf(fn) != knowledge.CtxErr || recv == nil {
		return nil
	}
	made, ok := ctxflow.Unconvert(recv).(*ssa.Extract)
	if !ok {
		return nil
	}
	derive, ok := made.Tuple.(*ssa.Call)
	if !ok {
		return nil
	}
	dfn, _, args := ctxflow.SplitCall(derive.Common())
	if _, parent, deadline := knowledge.RoleOf(dfn).Derivation(); !(parent || deadline) || len(args) == 0 {
		return nil
	}
	o := c.res.Classify(args[0])
	if o.State != ctxflow.Inherited || o.Field || o.Signal || o.Param == nil {
		return nil
	}
	return []ctxflow.ErrSource{{Desc: "a context derived from the caller's " + o.Param.Name(), At: call}}
}

// formattedError returns the error a formatted argument is: the value
// itself (an error), or the receiver of its Error method.
func formattedError(v ssa.Value) (ssa.Value, bool) {
	v = ctxflow.StripInterface(v)
	if call, ok := v.(*ssa.Call); ok && call.Common().IsInvoke() && knowledge.IsErrorMethod(call.Common().Method) {
		return call.Common().Value, true
	}
	if knowledge.IsError(v.Type()) {
		return v, false
	}
	return nil, false
}

// passedOn reports whether an error value travels on: returned, sent,
// stored, appended, or joined. An error handed to any other call (a
// logger) is not what the caller gets.
func passedOn(v ssa.Value, depth int) bool {
	if depth > 8 || v.Referrers() == nil {
		return false
	}
	for _, ref := range *v.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Return, *ssa.Send, *ssa.MapUpdate:
			return true
		case *ssa.Store:
			if slice := variadicSlice(ref); slice != nil {
				// An element of a call's variadic arguments: passed on
				// only by append and errors.Join.
				if passedOnAsArgs(slice, depth) {
					return true
				}
				continue
			}
			return true
		case *ssa.Phi:
			if passedOn(ref, depth+1) {
				return true
			}
		case *ssa.MakeInterface:
			if passedOn(ref, depth+1) {
				return true
			}
		case *ssa.ChangeInterface:
			if passedOn(ref, depth+1) {
				return true
			}
		case *ssa.Call:
			if b, ok := ref.Call.Value.(*ssa.Builtin); ok && b.Name() == "append" {
				return true
			}
			callee, _, _ := ctxflow.SplitCall(ref.Common())
			if knowledge.RoleOf(callee) == knowledge.ErrorsJoin && passedOn(ref, depth+1) {
				return true
			}
		}
	}
	return false
}

// variadicSlice returns the slice a store builds, when it stores into an
// element of a fresh array that becomes a call's variadic argument.
func variadicSlice(st *ssa.Store) *ssa.Slice {
	ia, ok := st.Addr.(*ssa.IndexAddr)
	if !ok {
		return nil
	}
	alloc, ok := ia.X.(*ssa.Alloc)
	if !ok {
		return nil
	}
	for _, ref := range *alloc.Referrers() {
		if s, ok := ref.(*ssa.Slice); ok {
			return s
		}
	}
	return nil
}

func passedOnAsArgs(slice *ssa.Slice, depth int) bool {
	for _, ref := range *slice.Referrers() {
		call, ok := ref.(*ssa.Call)
		if !ok {
			return true // the slice itself goes somewhere
		}
		if b, ok := call.Call.Value.(*ssa.Builtin); ok && b.Name() == "append" {
			return true
		}
		callee, _, _ := ctxflow.SplitCall(call.Common())
		if knowledge.RoleOf(callee) == knowledge.ErrorsJoin && passedOn(call, depth+1) {
			return true
		}
	}
	return false
}

// exprText returns the source of the variadic argument i of an Errorf.
func (c *checker) exprText(call *ssa.Call, i int) string {
	expr := c.res.Syntax.CallExpr(call.Pos())
	if expr == nil || i+1 >= len(expr.Args) {
		return "err"
	}
	return types.ExprString(expr.Args[i+1])
}

// verbFix turns the verb into %w (and err.Error() into err), when the
// format is a plain string literal whose text maps one to one to its value.
func (c *checker) verbFix(d *analysis.Diagnostic, expr *ast.CallExpr, a ctxflow.ErrorfArg, viaError bool) {
	lit, ok := ast.Unparen(expr.Args[0]).(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING || !c.res.Syntax.Editable(lit.Pos()) {
		return
	}
	value, err := strconv.Unquote(lit.Value)
	if err != nil || strings.Contains(lit.Value, `\`) || len(lit.Value) != len(value)+2 {
		return
	}
	verbEnd := strings.IndexByte(value[a.Offset+1:], byte(a.Verb))
	if verbEnd < 0 {
		return
	}
	verbPos := lit.Pos() + 1 + token.Pos(a.Offset+1+verbEnd)
	edits := []analysis.TextEdit{{Pos: verbPos, End: verbPos + 1, NewText: []byte("w")}}
	if viaError {
		call, ok := ast.Unparen(expr.Args[a.Index+1]).(*ast.CallExpr)
		if !ok {
			return
		}
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok {
			return
		}
		edits = append(edits, analysis.TextEdit{Pos: call.Pos(), End: call.End(), NewText: []byte(types.ExprString(sel.X))})
	}
	d.SuggestedFixes = []analysis.SuggestedFix{{Message: "Wrap with %w", TextEdits: edits}}
}
