package swallowcancel

import (
	"fmt"
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// reportReassigned reports an assignment, where err is known to be a
// cancellation, that puts nil or another error in err's variable, when
// that variable then reaches a return as it is or wrapped with %w:
// `if errors.Is(err, context.Canceled) { err = prevErr }` (icinga's
// WithBackoff put the previous attempt's error in its place, and the caller
// saw a connection error for a cancelled connect). The assignment is found
// in the test's if body; without it, nothing is reported.
func (c *checker) reportReassigned(f *fnInfo, r *cancelRegion, name string) {
	if len(c.res.ErrSources(r.err)) == 0 && !fromContextCall(r.err, map[ssa.Value]bool{}, 0) {
		return // of unknown origin (etcd's watcher Close, its own cancellation): only the plain return is judged
	}
	for _, b := range f.fn.Blocks {
		if !r.covers(b) {
			continue
		}
		for _, instr := range b.Instrs {
			if st, ok := instr.(*ssa.Store); ok && c.storedOver(r, st, name) {
				return
			}
		}
		for _, s := range b.Succs {
			if r.covers(s) {
				continue
			}
			idx := predIndex(s, b)
			for _, instr := range s.Instrs {
				phi, ok := instr.(*ssa.Phi)
				if !ok {
					break
				}
				if c.reassignedAt(r, phi, idx, name) {
					return
				}
			}
		}
	}
}

// reassignedAt judges the value the phi takes from the region (edge idx).
func (c *checker) reassignedAt(r *cancelRegion, phi *ssa.Phi, idx int, name string) bool {
	if idx < 0 || !knowledge.IsError(phi.Type()) {
		return false
	}
	v := phi.Edges[idx]
	old := ctxflow.StripInterface(r.err)
	if sameVariable(ctxflow.StripInterface(v), old) || wrapsValue(v, old, 0) {
		return false
	}
	carries := false
	for i, e := range phi.Edges {
		if i != idx && !r.covers(phi.Block().Preds[i]) && sameVariable(ctxflow.StripInterface(e), old) {
			carries = true
		}
	}
	if !carries || !reachesReturn(phi, phi, map[ssa.Value]bool{}, 0) {
		return false
	}
	return c.reportAssignment(r, v, name)
}

// reportAssignment reports the assignment of v to name in the test's if
// body, when it is found there.
func (c *checker) reportAssignment(r *cancelRegion, v ssa.Value, name string) bool {
	assign := c.assignmentIn(r.tests[0].pos, name)
	if assign == nil {
		return false
	}
	if foreignSentinel(c.res.Pkg, v) {
		return false // another package's error value (etcd's ErrGRPCWatchCanceled, a gRPC status): a translation for the wire
	}
	what := "another error"
	if ctxflow.IsNilConst(v) {
		what = "nil"
	} else if fr, ok := c.freshError(v, r.err); ok {
		what = fr.desc
	}
	c.pass.Report(analysis.Diagnostic{Pos: assign.Pos(), End: assign.End(), Message: fmt.Sprintf(
		"this assignment puts %s in %s where %s is %s, and %s is then returned: the caller cannot tell the cancellation (errors.Is(err, %s) is false upstream); keep %s, or wrap it with %%w",
		what, name, name, r.what(), name, sentinelName(r), name)})
	return true
}

// storedOver judges a store, in the region, to the variable in memory
// that err was loaded from (a named result with defers: icinga's
// `err = prevErr`), when a later load of it reaches a return.
func (c *checker) storedOver(r *cancelRegion, st *ssa.Store, name string) bool {
	tested, ok := ctxflow.StripInterface(r.err).(*ssa.UnOp)
	if !ok || tested.Op != token.MUL || st.Addr != tested.X {
		return false
	}
	alloc, ok := tested.X.(*ssa.Alloc)
	if !ok {
		return false
	}
	v := st.Val
	if load, ok := ctxflow.StripInterface(v).(*ssa.UnOp); ok && load.Op == token.MUL && load.X == alloc {
		if !storedBetween(alloc, load, tested) {
			return false // the same value
		}
	} else if wrapsValue(v, tested, 0) {
		return false
	}
	returned := false
	for _, ref := range *alloc.Referrers() {
		if load, ok := ref.(*ssa.UnOp); ok && load.Op == token.MUL && ctxflow.RunsAfter(st, load) && reachesReturn(load, load, map[ssa.Value]bool{}, 0) {
			returned = true
			break
		}
	}
	if !returned {
		return false
	}
	return c.reportAssignment(r, v, name)
}

// storedBetween reports whether a store to alloc runs after the load a and
// before the load b on every path: they read different values.
func storedBetween(alloc *ssa.Alloc, a, b ssa.Instruction) bool {
	for _, ref := range *alloc.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == ssa.Value(alloc) && ctxflow.RunsBefore(a, st) && ctxflow.RunsBefore(st, b) {
			return true
		}
	}
	return false
}

// fromContextCall reports whether the error v comes, on some path, from a
// call given a context (icinga's retryableFunc(ctx), a function value the
// analysis cannot follow).
func fromContextCall(v ssa.Value, seen map[ssa.Value]bool, depth int) bool {
	if depth > 4 || seen[v] {
		return false
	}
	seen[v] = true
	switch x := ctxflow.StripInterface(v).(type) {
	case *ssa.Call:
		return ctxflow.GivenContext(x.Common())
	case *ssa.Extract:
		if call, ok := x.Tuple.(*ssa.Call); ok {
			return ctxflow.GivenContext(call.Common())
		}
	case *ssa.Phi:
		for _, e := range x.Edges {
			if fromContextCall(e, seen, depth+1) {
				return true
			}
		}
	case *ssa.UnOp:
		if alloc, ok := x.X.(*ssa.Alloc); ok && x.Op == token.MUL {
			for _, ref := range *alloc.Referrers() {
				if st, ok := ref.(*ssa.Store); ok && st.Addr == ssa.Value(alloc) && fromContextCall(st.Val, seen, depth+1) {
					return true
				}
			}
		}
	}
	return false
}

// foreignSentinel reports whether v is a package variable of another
// package than pkg.
func foreignSentinel(pkg *ssa.Package, v ssa.Value) bool {
	g := globalLoad(v)
	return g != nil && g.Pkg != pkg
}

// predIndex is the index of pred among b's predecessors, or -1.
func predIndex(b, pred *ssa.BasicBlock) int {
	for i, p := range b.Preds {
		if p == pred {
			return i
		}
	}
	return -1
}

// wrapsValue reports whether v is old wrapped with %w (through Errorf
// calls and conversions).
func wrapsValue(v, old ssa.Value, depth int) bool {
	if depth > 4 {
		return false
	}
	v = ctxflow.StripInterface(v)
	if sameVariable(v, old) {
		return true
	}
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	if callee, _, _ := ctxflow.SplitCall(call.Common()); knowledge.RoleOf(callee) == knowledge.FmtErrorf {
		for _, a := range ctxflow.ErrorfArgs(call.Common()) {
			if a.Verb == 'w' && wrapsValue(a.Value, old, depth+1) {
				return true
			}
		}
	}
	if fn := call.Call.StaticCallee(); fn != nil && len(fn.Blocks) > 0 && fn.Signature.Results().Len() == 1 && knowledge.IsError(fn.Signature.Results().At(0).Type()) {
		// A wrapper of the package: returns its error parameter, wrapped
		// with %w, or nil (for nil: icinga's wrap).
		if r := classifyErrorReturns(fn); r.param >= 0 && r.param < len(call.Call.Args) && r.other == 0 && r.same+r.wrapped > 0 {
			return wrapsValue(call.Call.Args[r.param], old, depth+1)
		}
	}
	return false
}

// reachesReturn reports whether v, which holds root, is returned as the
// error result, as it is or wrapped with %w (through phis, conversions,
// Errorf and the package's wrappers).
func reachesReturn(v, root ssa.Value, seen map[ssa.Value]bool, depth int) bool {
	if depth > 8 || seen[v] {
		return false
	}
	seen[v] = true
	refs := v.Referrers()
	if refs == nil {
		return false
	}
	for _, ref := range *refs {
		switch x := ref.(type) {
		case *ssa.Return:
			if len(x.Results) > 0 && x.Results[len(x.Results)-1] == v {
				return true
			}
		case *ssa.Phi, *ssa.MakeInterface, *ssa.ChangeInterface:
			if reachesReturn(x.(ssa.Value), root, seen, depth+1) {
				return true
			}
		case *ssa.Call:
			if wrapsValue(x, root, 0) && reachesReturn(x, x, seen, depth+1) {
				return true
			}
		case *ssa.Store:
			if x.Val != v {
				continue
			}
			if addr, ok := x.Addr.(*ssa.Alloc); ok {
				// A variable kept in memory (a named result with defers,
				// or one a closure shares): its loads are followed.
				for _, use := range *addr.Referrers() {
					if load, ok := use.(*ssa.UnOp); ok && load.Op == token.MUL && reachesReturn(load, root, seen, depth+1) {
						return true
					}
				}
			}
			// An argument of a variadic call (fmt.Errorf's args).
			if call := variadicCall(x); call != nil && wrapsValue(call, root, 0) && reachesReturn(call, call, seen, depth+1) {
				return true
			}
		}
	}
	return false
}

// variadicCall returns the call whose variadic argument a store fills, or
// nil.
func variadicCall(st *ssa.Store) *ssa.Call {
	if sl := variadicSlice(st); sl != nil {
		for _, use := range *sl.Referrers() {
			if call, ok := use.(*ssa.Call); ok {
				return call
			}
		}
	}
	return nil
}

// assignmentIn returns the plain assignment to name in the body of the if
// statement whose condition holds the test at pos.
func (c *checker) assignmentIn(pos token.Pos, name string) *ast.AssignStmt {
	cur, ok := c.res.Syntax.Enclosing(pos, pos, (*ast.IfStmt)(nil))
	if !ok {
		return nil
	}
	stmt := cur.Node().(*ast.IfStmt)
	if stmt.Cond == nil || pos < stmt.Cond.Pos() || pos >= stmt.Cond.End() {
		return nil
	}
	for _, s := range stmt.Body.List {
		as, ok := s.(*ast.AssignStmt)
		if !ok || as.Tok != token.ASSIGN || len(as.Lhs) != 1 {
			continue
		}
		if id, ok := as.Lhs[0].(*ast.Ident); ok && id.Name == name {
			return as
		}
	}
	return nil
}
