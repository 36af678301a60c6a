package ctxflow

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// A RetryLoop is a loop that repeats the same work until it succeeds, with
// nothing that limits how often: no attempt counter, no check of the clock,
// no stop channel or context it watches, no retry or backoff helper.
type RetryLoop struct {
	Stmt *ast.ForStmt
	// Endless is true for `for {}`; otherwise the loop's condition is an
	// error test such as `for err != nil`.
	Endless bool
}

// EnclosingRetryLoop returns the innermost loop around cur inside cur's
// function when it is an unbounded retry loop, or nil. The question is
// conservative: range loops (bounded by their operand or a stream of work),
// loops with another condition, loops without an exit on success (periodic
// workers) and loops with any bound are not retry loops. A loop outside a
// function literal does not count: the closure may run once.
func EnclosingRetryLoop(info *types.Info, cur inspector.Cursor) *RetryLoop {
	for c := range cur.Enclosing() {
		switch n := c.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl, *ast.RangeStmt:
			return nil
		case *ast.ForStmt:
			if n.Body == nil || cur.Node().Pos() < n.Body.Pos() || cur.Node().End() > n.Body.End() {
				return nil // in the init, condition or post statement
			}
			var label *ast.Ident
			if l, ok := c.Parent().Node().(*ast.LabeledStmt); ok {
				label = l.Label
			}
			return classifyRetryLoop(info, n, label)
		}
	}
	return nil
}

func classifyRetryLoop(info *types.Info, loop *ast.ForStmt, label *ast.Ident) *RetryLoop {
	endless := loop.Cond == nil
	if !endless && !rlErrorTest(info, loop.Cond, token.NEQ) {
		return nil // a counter, a flag, a scanner: not a retry-until-success loop
	}
	if rlBounded(info, loop) {
		return nil
	}
	if endless && !rlExitsOnSuccess(info, loop.Body, label) {
		return nil // a periodic worker: every round gets its own budget by design
	}
	return &RetryLoop{Stmt: loop, Endless: endless}
}

// rlErrorTest reports whether e is (or has a && operand that is) `x op nil`
// with x an error.
func rlErrorTest(info *types.Info, e ast.Expr, op token.Token) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.BinaryExpr:
		if e.Op == token.LAND {
			return rlErrorTest(info, e.X, op) || rlErrorTest(info, e.Y, op)
		}
		if e.Op != op {
			return false
		}
		for _, pair := range [][2]ast.Expr{{e.X, e.Y}, {e.Y, e.X}} {
			if tv, ok := info.Types[pair[1]]; ok && tv.IsNil() && rlIsError(info.TypeOf(pair[0])) {
				return true
			}
		}
	}
	return false
}

func rlIsError(t types.Type) bool {
	return t != nil && types.Identical(t, types.Universe.Lookup("error").Type())
}

// rlExitsOnSuccess reports whether the loop body leaves the loop when the
// work succeeded: `if err == nil { return … }`, or an unconditional return or
// break at the end of the body (failures `continue`).
func rlExitsOnSuccess(info *types.Info, body *ast.BlockStmt, label *ast.Ident) bool {
	if n := len(body.List); n > 0 && rlLeaves(body.List[n-1], label) {
		return true
	}
	found := false
	rlWalk(body, func(n ast.Node) bool {
		if ifs, ok := n.(*ast.IfStmt); ok && rlErrorTest(info, ifs.Cond, token.EQL) {
			for _, s := range ifs.Body.List {
				if rlLeaves(s, label) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// rlLeaves reports whether s leaves the loop: return, a plain break (not
// inside a switch or select: s is a direct statement), or break to the
// loop's label.
func rlLeaves(s ast.Stmt, label *ast.Ident) bool {
	switch s := s.(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BranchStmt:
		return s.Tok == token.BREAK && (s.Label == nil || label != nil && s.Label.Name == label.Name)
	}
	return false
}

// rlBounded reports whether something limits the loop's total time: a
// variable counted in the loop and tested in a condition, a look at the
// clock, a receive from a channel that is not a per-round pause (a stop
// channel, an overall timer, a Done channel), a context's Err or Done from
// outside the loop, or a call whose name speaks of retries or backoff.
func rlBounded(info *types.Info, loop *ast.ForStmt) bool {
	counted := map[types.Object]bool{}
	countedIn := func(n ast.Node) {
		rlWalk(n, func(n ast.Node) bool {
			switch s := n.(type) {
			case *ast.IncDecStmt:
				if obj := rlObject(info, s.X); obj != nil {
					counted[obj] = true
				}
			case *ast.AssignStmt:
				if s.Tok == token.ADD_ASSIGN || s.Tok == token.SUB_ASSIGN || s.Tok == token.MUL_ASSIGN || s.Tok == token.SHL_ASSIGN {
					for _, lhs := range s.Lhs {
						if obj := rlObject(info, lhs); obj != nil {
							counted[obj] = true
						}
					}
				}
				if s.Tok == token.ASSIGN && len(s.Lhs) == len(s.Rhs) {
					for i, lhs := range s.Lhs {
						if bin, ok := ast.Unparen(s.Rhs[i]).(*ast.BinaryExpr); ok && (bin.Op == token.ADD || bin.Op == token.SUB || bin.Op == token.MUL) {
							if obj := rlObject(info, lhs); obj != nil && (rlObject(info, bin.X) == obj || rlObject(info, bin.Y) == obj) {
								counted[obj] = true
							}
						}
					}
				}
			}
			return true
		})
	}
	countedIn(loop.Body)
	if loop.Post != nil {
		countedIn(loop.Post)
	}
	var conds []ast.Expr
	if loop.Cond != nil {
		conds = append(conds, loop.Cond)
	}
	bounded := false
	rlWalk(loop.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IfStmt:
			conds = append(conds, n.Cond)
		case *ast.SwitchStmt:
			if n.Tag != nil {
				conds = append(conds, n.Tag)
			}
		case *ast.CaseClause:
			conds = append(conds, n.List...)
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && !rlPause(info, n.X) && !rlDone(info, n.X) && rlOuter(info, n.X, loop.Body) {
				bounded = true // a stop channel or an overall timer made before the loop
			}
		case *ast.CallExpr:
			if rlOuterContextCheck(info, n, loop.Body) || rlRetryHelper(info, n) {
				bounded = true
			}
		}
		return !bounded
	})
	if bounded {
		return true
	}
	for _, cond := range conds {
		ast.Inspect(cond, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident, *ast.SelectorExpr:
				if obj := rlObject(info, n.(ast.Expr)); obj != nil && counted[obj] {
					bounded = true
				}
			case *ast.CallExpr:
				if fn := rlCallee(info, n); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "time" {
					bounded = true // time.Since(start) > max, deadline.Before(time.Now())
				}
			}
			return !bounded
		})
	}
	return bounded
}

// rlPause reports whether a received channel is a per-round pause:
// time.After(d), time.Tick(d), or a *time.Ticker's C.
func rlPause(info *types.Info, ch ast.Expr) bool {
	ch = ast.Unparen(ch)
	if call, ok := ch.(*ast.CallExpr); ok {
		fn := rlCallee(info, call)
		return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "time" && (fn.Name() == "After" || fn.Name() == "Tick")
	}
	if sel, ok := ch.(*ast.SelectorExpr); ok && sel.Sel.Name == "C" {
		t := info.TypeOf(sel.X)
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if named, ok := t.(*types.Named); ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "time" && named.Obj().Name() == "Ticker" {
			return true
		}
	}
	return false
}

// rlOuterContextCheck reports a call of Err or Done on a context declared
// outside the loop body: the loop stops when someone cancels it. A
// per-attempt context's Done is no bound.
func rlOuterContextCheck(info *types.Info, call *ast.CallExpr, body *ast.BlockStmt) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || (sel.Sel.Name != "Err" && sel.Sel.Name != "Done") {
		return false
	}
	t := info.TypeOf(sel.X)
	return t != nil && knowledge.IsContext(t) && rlOuter(info, sel.X, body)
}

// rlDone reports whether ch is ctx.Done() (judged by rlOuterContextCheck).
func rlDone(info *types.Info, ch ast.Expr) bool {
	call, ok := ast.Unparen(ch).(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Done" {
		return false
	}
	t := info.TypeOf(sel.X)
	return t != nil && knowledge.IsContext(t)
}

// rlOuter reports whether the variable at the root of e (x in x.f.g() or
// <-x) was declared outside body; unknown roots count as outside.
func rlOuter(info *types.Info, e ast.Expr, body *ast.BlockStmt) bool {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			e = x.X
			continue
		case *ast.CallExpr:
			e = x.Fun
			continue
		case *ast.IndexExpr:
			e = x.X
			continue
		case *ast.StarExpr:
			e = x.X
			continue
		case *ast.Ident:
			obj := info.ObjectOf(x)
			if _, isPkg := obj.(*types.PkgName); isPkg {
				return true
			}
			return obj == nil || obj.Pos() < body.Pos() || obj.Pos() > body.End()
		}
		return true
	}
}

// rlRetryHelper reports a call whose name speaks of retries or backoff
// (retrier.Next(), b.NextBackOff(), shouldRetry(err)): the helper bounds the
// loop in ways we do not see.
func rlRetryHelper(info *types.Info, call *ast.CallExpr) bool {
	fn := rlCallee(info, call)
	if fn == nil {
		return false
	}
	name := strings.ToLower(fn.Name())
	for _, word := range []string{"retr", "backoff", "attempt"} {
		if strings.Contains(name, word) {
			return true
		}
	}
	if fn.Pkg() != nil && strings.Contains(strings.ToLower(fn.Pkg().Path()), "backoff") {
		return true
	}
	return false
}

func rlCallee(info *types.Info, call *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	case *ast.IndexExpr:
		return nil
	default:
		return nil
	}
	fn, _ := info.Uses[id].(*types.Func)
	return fn
}

func rlObject(info *types.Info, e ast.Expr) types.Object {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		if v, ok := info.ObjectOf(e).(*types.Var); ok {
			return v
		}
	case *ast.SelectorExpr:
		if v, ok := info.ObjectOf(e.Sel).(*types.Var); ok {
			return v
		}
	}
	return nil
}

// rlWalk visits n's subtree but not function literals (a closure's body is
// not the loop's body).
func rlWalk(n ast.Node, f func(ast.Node) bool) {
	ast.Inspect(n, func(m ast.Node) bool {
		if m == nil {
			return false
		}
		if _, ok := m.(*ast.FuncLit); ok {
			return false
		}
		return f(m)
	})
}
