package swallowcancel

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// checkRowsErr reports result rows iterated with Next and never asked for
// Err: Next returns false both at the end of the rows and when the query
// failed midway — a cancelled context included — and only Err tells them
// apart (gorm's Scan reported a cancelled First as ErrRecordNotFound). An
// iterator is known by its methods (Next() bool and Err() error: sql.Rows,
// pgx.Rows, a mongo Cursor), and counts when it comes from a call given a
// context here, or, for a parameter, at a call site of this package. A
// value handed to another function is that function's to check.
func (c *checker) checkRowsErr(f *fnInfo) {
	if f.fn.Parent() != nil {
		return
	}
	var values []ssa.Value
	for _, p := range f.fn.Params {
		values = append(values, p)
	}
	for _, b := range f.fn.Blocks {
		for _, instr := range b.Instrs {
			if ex, ok := instr.(*ssa.Extract); ok && ex.Index == 0 {
				values = append(values, ex)
			}
		}
	}
	for _, v := range values {
		nextM, errM := iteratorMethods(v.Type())
		if nextM == nil {
			continue
		}
		next, checked := iteratorUses(v, nextM, errM)
		if next == nil || checked {
			continue
		}
		if !c.fromContextCall(v) || contextUsedAfter(v, next) {
			continue
		}
		expr := c.res.Syntax.CallExpr(next.Pos())
		if expr == nil {
			continue
		}
		c.pass.Report(analysis.Diagnostic{
			Pos: expr.Pos(), End: expr.End(),
			Message: fmt.Sprintf("Next returns false at the end of the rows and also when the query fails midway, a cancelled context included, and %s never asks Err: the cancellation passes for the end of the rows; check Err() after the loop", ctxflow.LiteralName(f.fn)),
		})
	}
}

// iteratorMethods returns t's Next() bool (with any parameters) and Err()
// error methods, or nils when t has not both.
func iteratorMethods(t types.Type) (next, errm *types.Func) {
	n, _, _ := types.LookupFieldOrMethod(t, true, nil, "Next")
	e, _, _ := types.LookupFieldOrMethod(t, true, nil, "Err")
	nf, ok1 := n.(*types.Func)
	ef, ok2 := e.(*types.Func)
	if !ok1 || !ok2 {
		return nil, nil
	}
	nr, er := nf.Signature().Results(), ef.Signature().Results()
	if nr.Len() == 1 && types.Identical(nr.At(0).Type(), types.Typ[types.Bool]) &&
		er.Len() == 1 && types.Identical(er.At(0).Type(), types.Universe.Lookup("error").Type()) && ef.Signature().Params().Len() == 0 {
		return nf, ef
	}
	return nil, nil
}

// iteratorUses returns the first call of next on v, and whether errm is
// called on it or v goes anywhere the function does not follow (handed to
// another function, stored, returned, captured).
func iteratorUses(v ssa.Value, nextM, errM *types.Func) (next ssa.CallInstruction, checked bool) {
	for _, ref := range *v.Referrers() {
		switch x := ref.(type) {
		case *ssa.DebugRef:
		case ssa.CallInstruction:
			callee, recv, _ := ctxflow.SplitCall(x.Common())
			if callee == nil || recv != v {
				return nil, true // handed on: its callee's to check
			}
			switch callee.Origin() {
			case nextM.Origin():
				if next == nil {
					next = x
				}
			case errM.Origin():
				return nil, true
			}
		case *ssa.BinOp: // rows == nil
		case *ssa.Store:
			// A variable a closure captures lives in a cell: its loads are
			// the uses.
			cell, ok := x.Addr.(*ssa.Alloc)
			if !ok || x.Val != v {
				return nil, true
			}
			n, checked := cellUses(cell, nextM, errM)
			if checked {
				return nil, true
			}
			if next == nil {
				next = n
			}
		case *ssa.MakeClosure:
			// defer func() { rows.Close() }(): a closure that only closes
			// the rows (or calls other methods than Err) checks nothing.
			fn := x.Fn.(*ssa.Function)
			for i, b := range x.Bindings {
				if b != v || i >= len(fn.FreeVars) {
					continue
				}
				if n, checked := iteratorUses(fn.FreeVars[i], nextM, errM); checked || n != nil {
					return nil, true
				}
			}
		default:
			return nil, true
		}
	}
	return next, false
}

// cellUses is iteratorUses for a captured variable's cell: its loads here
// and in the closures given it.
func cellUses(cell ssa.Value, nextM, errM *types.Func) (next ssa.CallInstruction, checked bool) {
	for _, ref := range *cell.Referrers() {
		switch x := ref.(type) {
		case *ssa.DebugRef, *ssa.Store:
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return nil, true
			}
			n, checked := iteratorUses(x, nextM, errM)
			if checked {
				return nil, true
			}
			if next == nil {
				next = n
			}
		case *ssa.MakeClosure:
			fn := x.Fn.(*ssa.Function)
			for i, b := range x.Bindings {
				if b != cell || i >= len(fn.FreeVars) {
					continue
				}
				if _, checked := cellUses(fn.FreeVars[i], nextM, errM); checked {
					return nil, true
				}
			}
		default:
			return nil, true
		}
	}
	return next, false
}

// fromContextCall reports whether an iterator comes from a call given a
// context here, or (a parameter) from such a call at a call site of this
// package.
func (c *checker) fromContextCall(v ssa.Value) bool {
	switch x := v.(type) {
	case *ssa.Extract:
		if call, ok := x.Tuple.(*ssa.Call); ok {
			return takesContext(call)
		}
	case *ssa.Parameter:
		k := -1
		for i, p := range x.Parent().Params {
			if p == x {
				k = i
			}
		}
		for _, call := range c.res.CallersOf(x.Parent()) {
			args := call.Instr.Common().Args
			if k < 0 || k >= len(args) {
				continue
			}
			if queriedWithContext(args[k], 0) {
				return true
			}
		}
	}
	return false
}

// queriedWithContext reports whether v is the result of a call given a
// context, or a variable that holds such a result or nil (gf's DoCommit:
// var sqlRows *sql.Rows, set in one case of a switch).
func queriedWithContext(v ssa.Value, depth int) bool {
	switch x := v.(type) {
	case *ssa.Extract:
		src, ok := x.Tuple.(*ssa.Call)
		return ok && takesContext(src)
	case *ssa.Phi:
		if depth > 2 {
			return false
		}
		found := false
		for _, e := range x.Edges {
			if ctxflow.IsNilConst(e) || e == v {
				continue
			}
			if !queriedWithContext(e, depth+1) {
				return false
			}
			found = true
		}
		return found
	}
	return false
}

func takesContext(call *ssa.Call) bool {
	for _, a := range call.Common().Args {
		if ctxflow.CarriesContext(a.Type()) {
			return true
		}
	}
	return false
}

// contextUsedAfter reports whether the context the rows were queried with
// is handed to another call after next: a cancellation then surfaces there
// (postgres_exporter asks one row whether a column exists, then queries
// again with the same context).
func contextUsedAfter(v ssa.Value, next ssa.CallInstruction) bool {
	ex, ok := v.(*ssa.Extract)
	if !ok {
		return false
	}
	src, ok := ex.Tuple.(*ssa.Call)
	if !ok {
		return false
	}
	for _, a := range src.Common().Args {
		if !ctxflow.CarriesContext(a.Type()) {
			continue
		}
		for _, ref := range *a.Referrers() {
			ci, ok := ref.(ssa.CallInstruction)
			if !ok || ref == ssa.Instruction(src) {
				continue
			}
			if ctxflow.RunsAfter(next, ci) {
				return true
			}
		}
	}
	return false
}
