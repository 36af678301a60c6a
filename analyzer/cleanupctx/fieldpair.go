package cleanupctx

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// fieldPairs knows the objects of the package that keep a context and its
// cancel function in two fields, stored together from one WithCancel (or
// WithTimeout, WithDeadline) call: calling the kept cancel function makes
// the kept context done (receptor's work units kept bwu.ctx, bwu.cancel;
// KubeUnit.Cancel called CancelContext, then deleted the pod with
// GetContext()).
type fieldPairs struct {
	ctxOf map[*types.Var]*types.Var // cancel field → its context's field
	// Methods of the package, one level: which kept cancel function of
	// its receiver a method calls, and which kept context it returns.
	cancels map[*ssa.Function]*types.Var
	returns map[*ssa.Function]*types.Var
	stores  map[*ssa.Function]*types.Var // a method that gives its receiver a new context
	// waits: a method that hands its receiver's kept context to a wait or
	// a cleanup, itself or through methods of the package called on the
	// same receiver (maxKeptDepth deep); via is the call that does.
	waits map[*ssa.Function]*types.Var
	via   map[*ssa.Function]*ctxflow.Call
}

// maxKeptDepth bounds how many methods deep a kept context's use is
// followed from the method called after the cancel.
const maxKeptDepth = 4

func newFieldPairs(res *ctxflow.Result) *fieldPairs {
	fp := &fieldPairs{ctxOf: map[*types.Var]*types.Var{}, cancels: map[*ssa.Function]*types.Var{}, returns: map[*ssa.Function]*types.Var{}, stores: map[*ssa.Function]*types.Var{}, waits: map[*ssa.Function]*types.Var{}, via: map[*ssa.Function]*ctxflow.Call{}}
	for _, fn := range res.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				callee, _, _ := ctxflow.SplitCall(call.Common())
				if !knowledge.RoleOf(callee).Cancellable() {
					continue
				}
				ctxField, ctxBase := ctxflow.ResultStoredIn(call, 0)
				cancelField, cancelBase := ctxflow.ResultStoredIn(call, 1)
				if ctxField != nil && cancelField != nil && ctxBase == cancelBase {
					fp.ctxOf[cancelField] = ctxField
				}
			}
		}
	}
	if len(fp.ctxOf) == 0 {
		return fp
	}
	for _, fn := range res.SrcFuncs {
		if fn.Signature.Recv() == nil || len(fn.Params) == 0 {
			continue
		}
		recv := fn.Params[0]
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch x := instr.(type) {
				case *ssa.Store:
					if fa, ok := x.Addr.(*ssa.FieldAddr); ok && isCtxField(fp, ctxflow.FieldOf(fa)) {
						fp.stores[fn] = ctxflow.FieldOf(fa)
					}
				case *ssa.Call:
					if f, base := loadedField(x.Call.Value); f != nil && base == recv && fp.ctxOf[f] != nil && onEveryPath(x) {
						fp.cancels[fn] = f
					}
				case *ssa.Return:
					if len(x.Results) == 1 {
						if f, base := loadedField(x.Results[0]); f != nil && base == recv && isCtxField(fp, f) {
							fp.returns[fn] = f
						}
					}
				}
			}
		}
	}
	return fp
}

// findWaits fills fp.waits: first the methods that hand a load of their
// receiver's kept context to a wait or cleanup (litestream's
// acquireReadLock: tx.ExecContext(db.ctx, …)), then, round by round, the
// methods that call one of those on their own receiver.
func (fp *fieldPairs) findWaits(res *ctxflow.Result, byFn map[*ssa.Function][]*ctxflow.Call, uses func(*ctxflow.Call) []use) {
	if len(fp.ctxOf) == 0 {
		return
	}
	var methods []*ssa.Function
	for _, fn := range res.SrcFuncs {
		if fn.Signature.Recv() != nil && len(fn.Params) > 0 {
			methods = append(methods, fn)
		}
	}
	for _, fn := range methods {
		for _, c := range byFn[fn] {
			for _, u := range uses(c) {
				if u.cancelSafe {
					continue
				}
				if f, base := loadedField(ctxflow.Unconvert(u.ctx)); f != nil && isReceiver(base, fn) && isCtxField(fp, f) && fp.waits[fn] == nil {
					fp.waits[fn], fp.via[fn] = f, c
				}
			}
		}
	}
	for range maxKeptDepth - 1 {
		grew := false
		for _, fn := range methods {
			if fp.waits[fn] != nil {
				continue
			}
			for _, c := range byFn[fn] {
				if c.Target != nil && fp.waits[c.Target] != nil && isReceiver(c.Recv, fn) && fp.stores[c.Target] == nil {
					fp.waits[fn], fp.via[fn] = fp.waits[c.Target], c
					grew = true
					break
				}
			}
		}
		if !grew {
			return
		}
	}
}

// isReceiver reports whether v is fn's receiver, also as loaded from the
// variable it is spilled to when a closure captures it.
func isReceiver(v ssa.Value, fn *ssa.Function) bool {
	recv := fn.Params[0]
	if v == recv {
		return true
	}
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return false
	}
	a, ok := load.X.(*ssa.Alloc)
	if !ok || a.Parent() != fn {
		return false
	}
	stored := false
	for _, ref := range *a.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == a {
			if st.Val != recv {
				return false
			}
			stored = true
		}
	}
	return stored
}

// viaText names the chain of methods by which fn reaches the wait on its
// receiver's kept context: "checkpoint → acquireReadLock → (*sql.Tx).ExecContext".
func (fp *fieldPairs) viaText(fn *ssa.Function) string {
	s := ""
	for range maxKeptDepth + 1 {
		c := fp.via[fn]
		if c == nil {
			break
		}
		if s != "" {
			s += " → "
		}
		s += c.CalleeName()
		if c.Target == nil || fp.via[c.Target] == nil {
			break
		}
		fn = c.Target
	}
	return s
}

func isCtxField(fp *fieldPairs, f *types.Var) bool {
	for _, c := range fp.ctxOf {
		if c == f {
			return true
		}
	}
	return false
}

// loadedField returns the field v is a load of, and the object.
func loadedField(v ssa.Value) (*types.Var, ssa.Value) {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil, nil
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return nil, nil
	}
	return ctxflow.FieldOf(fa), fa.X
}

// sameObject reports whether a and b address the same object: the same
// value, or the same field (an embedded struct) of the same object.
func sameObject(a, b ssa.Value) bool {
	for range 4 {
		if a == b {
			return true
		}
		fa, ok1 := a.(*ssa.FieldAddr)
		fb, ok2 := b.(*ssa.FieldAddr)
		if !ok1 || !ok2 || fa.Field != fb.Field {
			return false
		}
		a, b = fa.X, fb.X
	}
	return false
}

// keptContext returns the field a context value is the kept context of,
// and the object: a load of the field, or a call of a method of the
// package that returns it from its receiver.
func (fp *fieldPairs) keptContext(v ssa.Value) (*types.Var, ssa.Value) {
	v = ctxflow.Unconvert(v)
	if f, base := loadedField(v); f != nil && isCtxField(fp, f) {
		return f, base
	}
	call, ok := v.(*ssa.Call)
	if !ok {
		return nil, nil
	}
	if target := call.Call.StaticCallee(); target != nil && fp.returns[target] != nil && len(call.Call.Args) > 0 {
		return fp.returns[target], call.Call.Args[0]
	}
	return nil, nil
}

// cancelledBefore returns the call, before instr in fn and on every path
// to it, that calls the kept cancel function of the object whose kept
// context ctx is — directly or through a method of the package — when no
// store to that context's field happens in fn, itself or through a method
// of the package (a restart).
func (fp *fieldPairs) cancelledBefore(fn *ssa.Function, ctx ssa.Value, instr ssa.Instruction) *ssa.Call {
	if len(fp.ctxOf) == 0 {
		return nil
	}
	ctxField, obj := fp.keptContext(ctx)
	if ctxField == nil {
		return nil
	}
	return fp.cancelBefore(fn, ctxField, obj, instr)
}

// cancelBefore is cancelledBefore for the kept context ctxField of obj.
func (fp *fieldPairs) cancelBefore(fn *ssa.Function, ctxField *types.Var, obj ssa.Value, instr ssa.Instruction) *ssa.Call {
	var found *ssa.Call
	for _, b := range fn.Blocks {
		for _, i := range b.Instrs {
			if st, ok := i.(*ssa.Store); ok {
				if fa, ok := st.Addr.(*ssa.FieldAddr); ok && ctxflow.FieldOf(fa) == ctxField {
					return nil // the object gets a new context here
				}
			}
			call, ok := i.(*ssa.Call)
			if !ok {
				continue
			}
			if target := call.Call.StaticCallee(); target != nil && fp.stores[target] == ctxField {
				return nil // a method that gives the object a new context
			}
			if found != nil || !before(call, instr) {
				continue
			}
			var cancelField *types.Var
			var base ssa.Value
			if f, bse := loadedField(call.Call.Value); f != nil {
				cancelField, base = f, bse
			} else if target := call.Call.StaticCallee(); target != nil && fp.cancels[target] != nil && len(call.Call.Args) > 0 {
				cancelField, base = fp.cancels[target], call.Call.Args[0]
			}
			if cancelField != nil && fp.ctxOf[cancelField] == ctxField && sameObject(base, obj) {
				found = call
			}
		}
	}
	return found
}

// onEveryPath reports whether call runs on every path through its
// function: its block dominates every return (a method that cancels only
// when idle is no cancel method).
func onEveryPath(call *ssa.Call) bool {
	for _, b := range call.Parent().Blocks {
		if len(b.Instrs) == 0 {
			continue
		}
		if _, ret := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ret && !call.Block().Dominates(b) {
			return false
		}
	}
	return true
}

// before reports whether a runs before b on every path to b: earlier in
// the same block, or in a block that dominates b's.
func before(a, b ssa.Instruction) bool {
	if a.Block() == b.Block() {
		return ctxflow.IndexOf(a) < ctxflow.IndexOf(b)
	}
	return a.Block().Dominates(b.Block())
}

// checkAfterFieldCancel reports a wait or cleanup given an object's kept
// context after the function called that object's kept cancel function.
func checkAfterFieldCancel(pass *analysis.Pass, res *ctxflow.Result, fp *fieldPairs, fn *ssa.Function, calls []*ctxflow.Call, used map[*ctxflow.Call][]use) {
	if len(fp.ctxOf) == 0 {
		return
	}
	for _, c := range calls {
		if _, plain := c.Instr.(*ssa.Call); !plain {
			continue
		}
		expr := res.Syntax.CallExpr(c.Instr.Common().Pos())
		if expr == nil {
			continue
		}
		for _, u := range used[c] {
			if u.cancelSafe {
				continue
			}
			cancel := fp.cancelledBefore(fn, u.ctx, c.Instr)
			if cancel == nil {
				continue
			}
			ctxText := keptText(res, u.ctx)
			pass.Report(analysis.Diagnostic{
				Pos: expr.Pos(), End: expr.End(),
				Message: fmt.Sprintf("%s is given %s after this function cancelled it, so it fails at once instead of %s: give it context.WithTimeout(context.WithoutCancel(%s), d)",
					u.what, ctxText, doing(u), ctxText),
				Related: []analysis.RelatedInformation{{Pos: cancel.Pos(), Message: "the context is cancelled here"}},
			})
			break
		}
	}
}

// checkMethodAfterFieldCancel reports a call of a method of the package,
// on an object whose kept cancel function this function called before it,
// when that method waits on the object's kept context, itself or through
// the methods it calls on it (litestream's DB.Close: db.cancel(), then
// db.Sync(ctx) → checkpoint → execCheckpoint → acquireReadLock →
// tx.ExecContext(db.ctx, …), which fails at once).
func checkMethodAfterFieldCancel(pass *analysis.Pass, res *ctxflow.Result, fp *fieldPairs, fn *ssa.Function, calls []*ctxflow.Call) {
	if len(fp.waits) == 0 {
		return
	}
	for _, c := range calls {
		if _, plain := c.Instr.(*ssa.Call); !plain || c.Target == nil || c.Recv == nil {
			continue
		}
		ctxField := fp.waits[c.Target]
		if ctxField == nil {
			continue
		}
		cancel := fp.cancelBefore(fn, ctxField, c.Recv, c.Instr)
		if cancel == nil {
			continue
		}
		expr := res.Syntax.CallExpr(c.Instr.Common().Pos())
		if expr == nil {
			continue
		}
		pass.Report(analysis.Diagnostic{
			Pos: expr.Pos(), End: expr.End(),
			Message: fmt.Sprintf("%s waits on the object's kept context (field %s), via %s, after this function cancelled it, so the wait fails at once: run that work before the cancel, or give it a context of its own",
				c.CalleeName(), ctxField.Name(), fp.viaText(c.Target)),
			Related: []analysis.RelatedInformation{{Pos: cancel.Pos(), Message: "the context is cancelled here"}},
		})
		return
	}
}

// keptText is the source of a kept context value: the getter call, or the
// field selector.
func keptText(res *ctxflow.Result, v ssa.Value) string {
	v = ctxflow.Unconvert(v)
	if call, ok := v.(*ssa.Call); ok {
		if e := res.Syntax.CallExpr(call.Pos()); e != nil {
			return types.ExprString(e)
		}
	}
	if load, ok := v.(*ssa.UnOp); ok {
		if fa, ok := load.X.(*ssa.FieldAddr); ok {
			if cur, ok := res.Syntax.Enclosing(fa.Pos(), fa.Pos(), (*ast.SelectorExpr)(nil)); ok {
				return types.ExprString(cur.Node().(*ast.SelectorExpr))
			}
		}
	}
	return "the object's context"
}
