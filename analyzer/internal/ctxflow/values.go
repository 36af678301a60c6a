package ctxflow

import "golang.org/x/tools/go/ssa"

// Small SSA value helpers the core and the rules share.

// StripInterface looks through conversions to and between interfaces.
func StripInterface(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.MakeInterface:
			v = x.X
		case *ssa.ChangeInterface:
			v = x.X
		default:
			return v
		}
	}
}

// Unconvert looks through interface and type conversions.
func Unconvert(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.MakeInterface:
			v = x.X
		case *ssa.ChangeInterface:
			v = x.X
		case *ssa.ChangeType:
			v = x.X
		default:
			return v
		}
	}
}

// IsNilConst reports whether v is a nil constant, through conversions.
func IsNilConst(v ssa.Value) bool {
	c, ok := Unconvert(v).(*ssa.Const)
	return ok && c.IsNil()
}

// StoredOnce returns the one value stored into a local cell (a variable
// that closures capture, or whose address is taken), or nil.
func StoredOnce(a *ssa.Alloc) ssa.Value {
	var stored ssa.Value
	for _, ref := range *a.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == a {
			if stored != nil {
				return nil
			}
			stored = st.Val
		}
	}
	return stored
}

// Underlying looks through what closures and conversions put between a
// value and its source: a captured variable's binding, the cell of a
// local stored once, interface conversions.
func (r *Result) Underlying(v ssa.Value) ssa.Value { return r.underlyingLocal(v) }

// FuncValue returns the function a func-typed value denotes: a declared
// function or a literal, or nil.
func FuncValue(v ssa.Value) *ssa.Function {
	switch x := Unconvert(v).(type) {
	case *ssa.Function:
		return x
	case *ssa.MakeClosure:
		fn, _ := x.Fn.(*ssa.Function)
		return fn
	}
	return nil
}
