package ctxflow

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// workContext is a context variable a function makes for its own work and
// that a stop path can end while the work waits: a signal, or a cancel
// function handed out (stored in a field, passed on, called by a literal).
// A budget of its own (WithTimeout, WithDeadline) does not count: a
// function that bounds one stage (aperture's store calls) and lets a
// helper bound another (its dial) splits the job's budget by design.
type workContext struct {
	v *types.Var
}

// WorkContextInScope returns the name of a context variable visible at
// pos that fn, or a function enclosing it, made for its work — a signal,
// or a cancellation it hands out for a stop path to call — and hands to
// at least one call as that work's context (nuts-node's connect loop: a
// WithCancel whose cancel func stop() calls, given to every backoff
// sleep). A wait the function starts under a root of its own instead
// escapes that stop. In a function literal, the literal must hand that
// context on itself: it runs under it. It returns "" when there is none;
// a context that only the function's own return cancels (defer cancel())
// ends nothing the function is still waiting in, and does not count.
func (r *Result) WorkContextInScope(fn *ssa.Function, pos token.Pos) string {
	outer := Outermost(fn)
	if outer == nil || outer.Syntax() == nil {
		return ""
	}
	scope := r.Pass.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return ""
	}
	for _, w := range r.workContexts(outer) {
		if _, found := scope.LookupParent(w.v.Name(), pos); found != w.v {
			continue
		}
		// In a literal, the work must be the literal's own: it hands
		// the context on itself (a loop that sleeps on it), whatever
		// schedule it runs on.
		if fn != outer && (fn.Syntax() == nil || !handedToCall(r.Pass.TypesInfo, fn.Syntax(), w.v)) {
			continue
		}
		return w.v.Name()
	}
	return ""
}

// workContexts lists, once per outermost function, its work contexts.
func (r *Result) workContexts(outer *ssa.Function) []workContext {
	r.mu.Lock()
	ws, ok := r.workCtxMemo[outer]
	r.mu.Unlock()
	if ok {
		return ws
	}
	body := outer.Syntax()
	info := r.Pass.TypesInfo
	varOf := func(e ast.Expr) *types.Var {
		id, ok := ast.Unparen(e).(*ast.Ident)
		if !ok {
			return nil
		}
		obj := info.Defs[id]
		if obj == nil {
			obj = info.Uses[id]
		}
		v, _ := obj.(*types.Var)
		return v
	}
	made := map[*types.Var]bool{}
	var order []*types.Var
	ast.Inspect(body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 || len(as.Lhs) == 0 {
			return true
		}
		call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok {
			return true
		}
		v := varOf(as.Lhs[0])
		if v == nil || !knowledge.IsContext(v.Type()) || v.Parent() == nil {
			return true
		}
		switch knowledge.RoleOf(typeutil.StaticCallee(info, call)) {
		case knowledge.CtxSignal:
		case knowledge.CtxCancel:
			if len(as.Lhs) != 2 || !cancelHandedOut(info, body, as.Lhs[1], varOf(as.Lhs[1])) {
				return true
			}
		default:
			return true
		}
		if !made[v] {
			made[v] = true
			order = append(order, v)
		}
		return true
	})
	var out []workContext
	for _, v := range order {
		if handedToCall(info, body, v) {
			out = append(out, workContext{v: v})
		}
	}
	r.mu.Lock()
	if r.workCtxMemo == nil {
		r.workCtxMemo = map[*ssa.Function][]workContext{}
	}
	r.workCtxMemo[outer] = out
	r.mu.Unlock()
	return out
}

// cancelHandedOut reports whether a cancel function, assigned to lhs, is
// kept where a stop path can call it: a field or other non-local place, or
// a local that is stored, passed on or returned, or called by a function
// literal (a watcher goroutine, a callback).
func cancelHandedOut(info *types.Info, body ast.Node, lhs ast.Expr, v *types.Var) bool {
	switch ast.Unparen(lhs).(type) {
	case *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr:
		return true
	}
	if v == nil {
		return false // _ : nobody can cancel
	}
	handed := false
	var walk func(n ast.Node, inLiteral bool)
	walk = func(n ast.Node, inLiteral bool) {
		ast.Inspect(n, func(n ast.Node) bool {
			if handed {
				return false
			}
			switch n := n.(type) {
			case *ast.FuncLit:
				walk(n.Body, true)
				return false
			case *ast.CallExpr:
				if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok && info.Uses[id] == v {
					// Called by a literal (a watcher goroutine, a
					// callback) it can end the work midway; called by
					// the function itself (defer cancel()), only at its
					// end.
					handed = inLiteral
					for _, a := range n.Args {
						walk(a, inLiteral)
					}
					return false
				}
			case *ast.AssignStmt:
				for _, l := range n.Lhs {
					if id, ok := ast.Unparen(l).(*ast.Ident); ok && (info.Defs[id] == v || info.Uses[id] == v) {
						for _, rhs := range n.Rhs {
							walk(rhs, inLiteral)
						}
						return false // the assignment that makes it is no use
					}
				}
			case *ast.Ident:
				if info.Uses[n] == v {
					handed = true // stored, passed on, returned
				}
			}
			return true
		})
	}
	walk(body, false)
	return handed
}

// handedToCall reports whether v is an argument of some call in body: the
// work's context, given to the work (or derived from for it).
func handedToCall(info *types.Info, body ast.Node, v *types.Var) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found {
			return false
		}
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		for _, a := range call.Args {
			if id, ok := ast.Unparen(a).(*ast.Ident); ok && info.Uses[id] == v {
				found = true
			}
		}
		return !found
	})
	return found
}
