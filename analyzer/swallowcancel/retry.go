package swallowcancel

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkRetry reports retry-on-cancel in an endless `for {}` loop: after an
// error that may be a cancellation (see ctxflow.Cancellations.Source) the
// loop continues, or sleeps and goes round again, and nothing in the loop
// looks at the context. Once the context is done every attempt fails at
// once, so the loop never ends: the caller's deadline is defeated.
//
// The loop is left alone when it can end on a failure: it mentions
// ctx.Done(), ctx.Err(), context.Cause or a cancellation sentinel, returns a
// non-nil error, breaks out other than on success (`if err == nil { break }`),
// or panics or exits. A loop with a condition (`for i := 0; i < 3; i++`) is
// bounded and not judged.
func (c *checker) checkRetry(f *fn, loop *ast.ForStmt, stack []ast.Node) {
	if loop.Cond != nil || loop.Body == nil {
		return
	}
	var label *ast.Ident
	if len(stack) > 0 {
		if ls, ok := stack[len(stack)-1].(*ast.LabeledStmt); ok {
			label = ls.Label
		}
	}
	if c.loopCanEnd(f, loop, label) {
		return
	}
	reported := false
	var inner []ast.Node // loops, switches and selects between loop and n
	ast.Inspect(loop.Body, func(n ast.Node) bool {
		if reported {
			return false
		}
		if n == nil {
			inner = inner[:len(inner)-1]
			return true
		}
		if _, lit := n.(*ast.FuncLit); lit {
			return false
		}
		if ifs, ok := n.(*ast.IfStmt); ok && !innerLoop(inner) {
			if at, errObj, call, src := c.retryPoint(f, loop, label, ifs, inner); at != nil {
				c.report(at, fmt.Sprintf("retrying after %s, which may be a context cancellation (from %s), without checking the context: once it is done every attempt fails at once and the loop never ends; return when %s", errObj.Name(), src, c.ctxHint(call)), nil)
				reported = true
				return false
			}
		}
		inner = append(inner, n)
		return true
	})
}

// retryPoint returns the statement that sends the loop round again after a
// failed attempt tested by ifs, the error, and its cancellation source.
func (c *checker) retryPoint(f *fn, loop *ast.ForStmt, label *ast.Ident, ifs *ast.IfStmt, inner []ast.Node) (ast.Node, types.Object, *ast.CallExpr, string) {
	var at ast.Node
	errObj := c.errNotNil(ifs.Cond)
	if errObj != nil {
		// if err != nil { …; continue }  or  if err != nil { …; time.Sleep(d) }
		body := ifs.Body.List
		if len(body) == 0 {
			return nil, nil, nil, ""
		}
		switch last := body[len(body)-1].(type) {
		case *ast.BranchStmt:
			if last.Tok == token.CONTINUE && (last.Label == nil || label != nil && last.Label.Name == label.Name) {
				at = last
			}
		case *ast.ExprStmt:
			if c.isSleep(last.X) {
				at = last.X
			}
		}
	} else if errObj = c.errIsNil(ifs.Cond); errObj != nil && exits(ifs.Body) && ifs.Else == nil {
		// if err == nil { return … }  time.Sleep(d)  (same block, right after)
		if block, ok := parentBlock(inner, loop); ok {
			for k, st := range block.List {
				if st == ifs && k+1 < len(block.List) {
					if es, ok := block.List[k+1].(*ast.ExprStmt); ok && c.isSleep(es.X) {
						at = es.X
					}
				}
			}
		}
	}
	if at == nil || errObj == nil {
		return nil, nil, nil, ""
	}
	call := c.lastAssignment(f, errObj, ifs.Cond.Pos())
	if call == nil || call.Pos() < loop.Body.Pos() {
		return nil, nil, nil, "" // the attempt is not inside the loop
	}
	src := c.callCancellation(call)
	if src == "" {
		return nil, nil, nil, ""
	}
	return at, errObj, call, src
}

// parentBlock returns the block directly holding the statement being
// visited (the innermost block of inner, or the loop body).
func parentBlock(inner []ast.Node, loop *ast.ForStmt) (*ast.BlockStmt, bool) {
	if len(inner) == 0 {
		return loop.Body, true
	}
	b, ok := inner[len(inner)-1].(*ast.BlockStmt)
	return b, ok
}

// innerLoop reports whether a loop stands between the retry loop and the
// node: its continue and sleep belong to that loop.
func innerLoop(inner []ast.Node) bool {
	for _, n := range inner {
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		}
	}
	return false
}

// loopCanEnd reports whether the loop looks at a context or can end on a
// failure (see checkRetry).
func (c *checker) loopCanEnd(f *fn, loop *ast.ForStmt, label *ast.Ident) bool {
	found := false
	var inner []ast.Node
	ast.Inspect(loop.Body, func(n ast.Node) bool {
		if found {
			return false
		}
		if n == nil {
			inner = inner[:len(inner)-1]
			return true
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if c.looksAtContext(n) || c.terminates(n) {
				found = true
			}
		case *ast.SelectorExpr, *ast.Ident:
			if c.sentinel(n.(ast.Expr)) != "" {
				found = true
			}
		case *ast.UnaryExpr:
			// A worker loop waits for its next item: a continue there skips
			// the item, it does not retry. Timer and ticker channels are the
			// loop's sleep, not work.
			if n.Op == token.ARROW && !c.isTimeChan(n.X) {
				found = true
			}
		case *ast.RangeStmt:
			if t := c.pass.TypesInfo.TypeOf(n.X); t != nil {
				if _, isChan := t.Underlying().(*types.Chan); isChan {
					found = true
				}
			}
		case *ast.ReturnStmt:
			if len(n.Results) > 0 && c.nilError(f, n) == nil {
				found = true
			}
		case *ast.BranchStmt:
			switch n.Tok {
			case token.GOTO:
				found = true
			case token.BREAK:
				leaves := n.Label != nil && label != nil && n.Label.Name == label.Name ||
					n.Label == nil && !breakable(inner)
				if leaves && !c.onSuccess(inner) {
					found = true
				}
			}
		}
		inner = append(inner, n)
		return true
	})
	return found
}

// breakable reports whether an unlabeled break at this depth leaves
// something inside the loop (a switch, select or inner loop).
func breakable(inner []ast.Node) bool {
	for _, n := range inner {
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			return true
		}
	}
	return false
}

// onSuccess reports whether the innermost if around a break tests err == nil
// (the attempt succeeded).
func (c *checker) onSuccess(inner []ast.Node) bool {
	for i := len(inner) - 1; i >= 0; i-- {
		if ifs, ok := inner[i].(*ast.IfStmt); ok {
			return c.errIsNil(ifs.Cond) != nil && i+1 < len(inner) && inner[i+1] == ifs.Body
		}
	}
	return false
}

// looksAtContext: ctx.Done(), ctx.Err(), context.Cause(ctx), or any call
// given a context whose result the loop does not use as the failed attempt
// (a context-aware sleep such as `if err := sleep(ctx, d); err != nil`) is
// approximated by ctx.Done/Err/Cause only: precision over recall.
func (c *checker) looksAtContext(call *ast.CallExpr) bool {
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && (sel.Sel.Name == "Done" || sel.Sel.Name == "Err") {
		if t := c.pass.TypesInfo.TypeOf(sel.X); t != nil && knowledge.IsContext(t) {
			return true
		}
	}
	fn, _ := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	return fn != nil && fn.FullName() == "context.Cause"
}

// terminates: panic, os.Exit, log.Fatal*, runtime.Goexit.
func (c *checker) terminates(call *ast.CallExpr) bool {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := c.pass.TypesInfo.Uses[id].(*types.Builtin); ok && b.Name() == "panic" {
			return true
		}
	}
	fn, _ := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	switch fn.Pkg().Path() + "." + fn.Name() {
	case "os.Exit", "log.Fatal", "log.Fatalf", "log.Fatalln", "runtime.Goexit":
		return true
	}
	return false
}

// isTimeChan reports whether a received-from expression is a channel of
// time.Time (time.After, a timer's or ticker's C).
func (c *checker) isTimeChan(e ast.Expr) bool {
	t := c.pass.TypesInfo.TypeOf(e)
	if t == nil {
		return false
	}
	ch, ok := t.Underlying().(*types.Chan)
	if !ok {
		return false
	}
	named, ok := types.Unalias(ch.Elem()).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "time" && named.Obj().Name() == "Time"
}

// isSleep recognizes time.Sleep(…).
func (c *checker) isSleep(e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	fn, _ := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	return fn != nil && fn.FullName() == "time.Sleep"
}

// errIsNil recognizes `err == nil` and returns err's object.
func (c *checker) errIsNil(cond ast.Expr) types.Object {
	bin, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok || bin.Op != token.EQL || !isNilIdent(bin.Y) {
		return nil
	}
	id, ok := ast.Unparen(bin.X).(*ast.Ident)
	if !ok {
		return nil
	}
	obj := c.pass.TypesInfo.Uses[id]
	if obj == nil || !isError(obj.Type()) {
		return nil
	}
	return obj
}

// exits reports whether a block ends by leaving the loop or function.
func exits(b *ast.BlockStmt) bool {
	if b == nil || len(b.List) == 0 {
		return false
	}
	switch st := b.List[len(b.List)-1].(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BranchStmt:
		return st.Tok == token.BREAK
	}
	return false
}

// ctxHint names the check to add: "ctx.Err() != nil" for the context the
// failed call was given, or a generic phrase.
func (c *checker) ctxHint(call *ast.CallExpr) string {
	for _, a := range call.Args {
		if t := c.pass.TypesInfo.TypeOf(a); t != nil && knowledge.IsContext(t) {
			if id, ok := ast.Unparen(a).(*ast.Ident); ok {
				return id.Name + ".Err() != nil"
			}
		}
	}
	return "the context is done"
}
