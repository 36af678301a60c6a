package ctxflow

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// keptOrigin records, on the origin of a context loaded from field f of
// base, the field when only this package can set it.
func (r *Result) keptOrigin(o Origin, f *types.Var, base ssa.Value) Origin {
	if f != nil && f.Pkg() == r.Pass.Pkg && !f.Exported() {
		o.Kept, o.KeptBy = f, fieldPathRoot(base, false)
	}
	return o
}

// CancelledOnlyAfter returns the call that cancels the object's kept
// context o a wait of c is given, when nothing else can end that wait:
// every context the package keeps in the field was made by WithCancel
// from a context with no deadline (its cancel function kept beside it),
// and every use of that kept cancel function in the package is a call in
// c's function, on the same object, that runs only after the wait
// (go-sdk's streamable connection Close sent the session DELETE with the
// connection's context, then cancelled it: a silent peer hung Close).
// It returns nil otherwise.
func (r *Result) CancelledOnlyAfter(c *Call, o Origin) ssa.CallInstruction {
	if o.State != Inherited || o.Kept == nil || o.KeptBy == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.beginQuery(c.Fn)
	r.indexStores()
	stores := r.stores[o.Kept]
	if len(stores) == 0 {
		return nil
	}
	var cancelField *types.Var
	for _, val := range stores {
		ex, ok := Unconvert(val).(*ssa.Extract)
		if !ok || ex.Index != 0 {
			return nil
		}
		call, ok := ex.Tuple.(*ssa.Call)
		if !ok {
			return nil
		}
		if callee, _, _ := SplitCall(call.Common()); !knowledge.RoleOf(callee).Cancellable() {
			return nil
		}
		g, _ := ResultStoredIn(call, 1)
		if g == nil || cancelField != nil && g != cancelField {
			return nil
		}
		cancelField = g
		if r.classify(ex, 0).State != NoDeadline {
			return nil
		}
	}
	var last ssa.CallInstruction
	for _, load := range r.FieldLoads(cancelField) {
		instr, ok := load.(ssa.Instruction)
		if !ok || instr.Parent() != c.Fn || load.Referrers() == nil {
			return nil
		}
		if base := keptBase(load); base == nil || base != o.KeptBy {
			return nil
		}
		for _, ref := range *load.Referrers() {
			ci, ok := ref.(ssa.CallInstruction)
			if !ok || ci.Common().Value != load {
				return nil // handed on: it may be called anywhere
			}
			if _, deferred := ci.(*ssa.Defer); !deferred && (!RunsAfter(c.Instr, ci) || RunsAfter(ci, c.Instr)) {
				return nil
			}
			last = ci
		}
	}
	return last
}

// keptBase returns the parameter or capture a field load is a field of.
func keptBase(load ssa.Value) ssa.Value {
	switch x := load.(type) {
	case *ssa.UnOp:
		if fa, ok := x.X.(*ssa.FieldAddr); ok && x.Op == token.MUL {
			return fieldPathRoot(fa.X, false)
		}
	case *ssa.Field:
		return fieldPathRoot(x.X, false)
	}
	return nil
}

// ResultStoredIn returns the field result i of call is stored in, and the
// object whose field it is.
func ResultStoredIn(call *ssa.Call, i int) (*types.Var, ssa.Value) {
	for _, ref := range *call.Referrers() {
		ex, ok := ref.(*ssa.Extract)
		if !ok || ex.Index != i || ex.Referrers() == nil {
			continue
		}
		uses := *ex.Referrers()
		for _, use := range uses {
			// A CancelFunc kept in a func() field is converted first.
			if ct, ok := use.(*ssa.ChangeType); ok && ct.Referrers() != nil {
				uses = append(uses, *ct.Referrers()...)
			}
		}
		for _, use := range uses {
			st, ok := use.(*ssa.Store)
			if !ok || Unconvert(st.Val) != ex {
				continue
			}
			if fa, ok := st.Addr.(*ssa.FieldAddr); ok {
				return FieldOf(fa), fa.X
			}
		}
	}
	return nil, nil
}
