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

// A cancelTest is a branch on "err is context.Canceled (or
// DeadlineExceeded)": errors.Is(err, S) or err == S.
type cancelTest struct {
	iff       *ssa.If
	err       ssa.Value
	sentinels map[knowledge.Role]bool
	pos       token.Pos // of the test, for finding its syntax
}

func (c *checker) cancelTestOf(b *ssa.BasicBlock) *cancelTest {
	t := ctxflow.CancelTestOf(b)
	if t == nil {
		return nil
	}
	return &cancelTest{iff: t.If, err: t.Err, sentinels: map[knowledge.Role]bool{t.Sentinel: true}, pos: t.Pos}
}

// predicateTest returns the error that the branch ending block b tests with
// a cancellation predicate of the package (franz-go's isContextErr(err):
// errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)),
// or nil. Only the false branch is used, as "err is no cancellation".
func (c *checker) predicateTest(b *ssa.BasicBlock) ssa.Value {
	if len(b.Instrs) == 0 {
		return nil
	}
	iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return nil
	}
	call, ok := iff.Cond.(*ssa.Call)
	if !ok || len(call.Call.Args) != 1 || !c.isCancelPredicate(call.Call.StaticCallee()) {
		return nil
	}
	return call.Call.Args[0]
}

// isCancelPredicate reports whether fn, a function of the package taking
// one error and returning a bool, returns true only when the error is a
// cancellation: each result is false, a cancellation test of the parameter,
// or true on the true branch of one.
func (c *checker) isCancelPredicate(fn *ssa.Function) bool {
	if fn == nil || fn.Pkg != c.res.Pkg || len(fn.Params) != 1 || !knowledge.IsError(fn.Params[0].Type()) {
		return false
	}
	if res := fn.Signature.Results(); res.Len() != 1 || !types.Identical(res.At(0).Type().Underlying(), types.Typ[types.Bool]) {
		return false
	}
	if known, ok := c.predicates[fn]; ok {
		return known
	}
	param := fn.Params[0]
	isTest := func(v ssa.Value) bool {
		switch v := v.(type) {
		case *ssa.Call:
			callee, _, args := ctxflow.SplitCall(v.Common())
			return knowledge.RoleOf(callee) == knowledge.ErrorsIs && len(args) == 2 && ctxflow.StripInterface(args[0]) == param && sentinel(args[1]) != knowledge.NoRole
		case *ssa.BinOp:
			return v.Op == token.EQL && (ctxflow.StripInterface(v.X) == param && sentinel(v.Y) != knowledge.NoRole || ctxflow.StripInterface(v.Y) == param && sentinel(v.X) != knowledge.NoRole)
		}
		return false
	}
	var onlyCancellations func(v ssa.Value, depth int) bool
	onlyCancellations = func(v ssa.Value, depth int) bool {
		if depth > 8 {
			return false
		}
		switch v := v.(type) {
		case *ssa.Const:
			return constant.BoolVal(v.Value) == false
		case *ssa.Phi:
			for i, e := range v.Edges {
				if k, ok := e.(*ssa.Const); ok && constant.BoolVal(k.Value) {
					pred := v.Block().Preds[i]
					t := c.cancelTestOf(pred)
					if t == nil || ctxflow.StripInterface(t.err) != param || pred.Succs[0] != v.Block() {
						return false
					}
					continue
				}
				if !onlyCancellations(e, depth+1) {
					return false
				}
			}
			return true
		}
		return isTest(v)
	}
	c.predicates[fn] = false
	found := false
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			if len(ret.Results) != 1 || !onlyCancellations(ret.Results[0], 0) {
				return false
			}
			found = true
		}
	}
	c.predicates[fn] = found
	return found
}

// predicateCancelTest is a cancel test made of a call of a cancellation
// predicate of the package (isContextErr(err)), with the sentinels the
// predicate tests.
func (c *checker) predicateCancelTest(b *ssa.BasicBlock) *cancelTest {
	err := c.predicateTest(b)
	if err == nil {
		return nil
	}
	iff := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	call := iff.Cond.(*ssa.Call)
	t := &cancelTest{iff: iff, err: err, sentinels: map[knowledge.Role]bool{}, pos: call.Pos()}
	for _, pb := range call.Call.StaticCallee().Blocks {
		for _, instr := range pb.Instrs {
			switch v := instr.(type) {
			case *ssa.Call:
				if callee, _, args := ctxflow.SplitCall(v.Common()); knowledge.RoleOf(callee) == knowledge.ErrorsIs && len(args) == 2 {
					if role := sentinel(args[1]); role != knowledge.NoRole {
						t.sentinels[role] = true
					}
				}
			case *ssa.BinOp:
				for _, x := range []ssa.Value{v.X, v.Y} {
					if role := sentinel(x); role != knowledge.NoRole {
						t.sentinels[role] = true
					}
				}
			}
		}
	}
	return t
}

// sentinel returns CtxCanceled or CtxDeadlineErr for a load of
// context.Canceled or context.DeadlineExceeded.
func sentinel(v ssa.Value) knowledge.Role { return ctxflow.CancelSentinel(v) }

// cancelRegion is a block reached only when err is a cancellation: every
// predecessor is the true branch of a cancellation test on err.
type cancelRegion struct {
	entry     *ssa.BasicBlock
	err       ssa.Value
	sentinels map[knowledge.Role]bool
	tests     []*cancelTest
	orNil     bool // also entered where err is nil
}

func (c *checker) cancelRegions(f *fnInfo) []*cancelRegion {
	return c.regions(f, false)
}

// regions returns the cancel regions of f; with orNil, also blocks some of
// whose predecessors enter them where err is nil (`if err != nil &&
// !isContextErr(err) { return err }; return nil`): err is nil or a
// cancellation there. Those are marked orNil.
func (c *checker) regions(f *fnInfo, orNil bool) []*cancelRegion {
	var out []*cancelRegion
	for _, b := range f.fn.Blocks {
		if len(b.Preds) == 0 {
			continue
		}
		r := &cancelRegion{entry: b, sentinels: map[knowledge.Role]bool{}}
		var nilEdges []ssa.Value
		for _, p := range b.Preds {
			t := c.cancelTestOf(p)
			if t == nil && orNil {
				if err := nilEdgeOf(p, b); err != nil {
					nilEdges = append(nilEdges, err)
					continue
				}
				t = c.predicateCancelTest(p)
			}
			if t == nil || p.Succs[0] != b || r.err != nil && !sameVariable(ctxflow.StripInterface(t.err), ctxflow.StripInterface(r.err)) {
				r = nil
				break
			}
			r.err = t.err
			r.tests = append(r.tests, t)
			for s := range t.sentinels {
				r.sentinels[s] = true
			}
		}
		if r == nil || r.err == nil {
			continue
		}
		for _, e := range nilEdges {
			if !sameVariable(ctxflow.StripInterface(e), ctxflow.StripInterface(r.err)) {
				r = nil
				break
			}
		}
		if r != nil && orNil == (len(nilEdges) > 0) {
			r.orNil = orNil
			out = append(out, r)
		}
	}
	return out
}

// nilEdgeOf returns err when the edge from p into b is taken only where
// err is nil (p ends in `if err != nil` and b is its false branch, or in
// `if err == nil` and b is its true branch).
func nilEdgeOf(p, b *ssa.BasicBlock) ssa.Value {
	iff, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If)
	if !ok || p.Succs[0] == p.Succs[1] {
		return nil
	}
	cmp, ok := iff.Cond.(*ssa.BinOp)
	if !ok || !ctxflow.IsNilConst(cmp.Y) || !knowledge.IsError(cmp.X.Type()) {
		return nil
	}
	switch {
	case cmp.Op == token.NEQ && p.Succs[1] == b, cmp.Op == token.EQL && p.Succs[0] == b:
		return cmp.X
	}
	return nil
}

func (r *cancelRegion) covers(b *ssa.BasicBlock) bool { return r.entry.Dominates(b) }

// what names the cancellation for messages.
func (r *cancelRegion) what() string {
	switch {
	case len(r.sentinels) > 1:
		return "a context cancellation"
	case r.sentinels[knowledge.CtxCanceled]:
		return "context.Canceled"
	}
	return "context.DeadlineExceeded"
}

// checkCancelTests reports what happens where err is known to be a
// cancellation: returning nil (success), returning a new error in its
// place, retrying (continue), or breaking out of the loop into return nil.
func (c *checker) checkCancelTests(f *fnInfo) {
	for _, r := range append(c.cancelRegions(f), c.regions(f, true)...) {
		callersDeadline := false
		if r.orNil || c.exemptError(f, r.err) {
			if !c.callersDeadline(f, r) {
				continue
			}
			callersDeadline = true
		}
		name := c.errName(r.tests[0])
		for _, ret := range ctxflow.Returns(f.fn) {
			if !r.covers(ret.Block()) {
				continue
			}
			v := errResult(ret)
			if callersDeadline {
				if ctxflow.IsNilConst(v) {
					d := analysis.Diagnostic{Pos: c.nilPos(ret), Message: fmt.Sprintf(
						"returning nil when %s is context.DeadlineExceeded tells the caller the work succeeded when it ran out of time: this function cancels its context itself but sets no deadline, so the deadline is the caller's (or one inside the work); return %s unless it is context.Canceled",
						name, name)}
					c.pass.Report(d)
				}
				continue
			}
			if ctxflow.IsNilConst(v) && keptOutside(r, ret) {
				// The nil says "stop" to a runner; the error goes back
				// through a variable the enclosing function returns
				// (bbgo's stopOnErr around its backoff's operation).
				continue
			}
			if ctxflow.IsNilConst(v) {
				d := analysis.Diagnostic{Pos: c.nilPos(ret), Message: fmt.Sprintf(
					"returning nil when %s is %s tells the caller the work succeeded when it was abandoned: return %s so the cancellation propagates",
					name, r.what(), name)}
				c.withFix(&d, ret, name, r.tests[0].pos)
				c.pass.Report(d)
				continue
			}
			if f, ok := c.freshError(v, r.err); ok {
				c.pass.Report(analysis.Diagnostic{Pos: c.valuePos(v, ret), Message: fmt.Sprintf(
					"%s replaces %s, which is %s, with an error that does not wrap it: errors.Is(err, %s) is false upstream; return %s or wrap it with %%w",
					f.desc, name, r.what(), sentinelName(r), name)})
			}
		}
		if !callersDeadline {
			c.reportReassigned(f, r, name)
		}
	}
	c.checkLoopExits(f)
}

// keptOutside reports whether, in the region on the way to ret, the tested
// error — itself or wrapped with %w — is stored where the function's
// caller or starter reads it: a captured variable, a field, a package
// variable (not a local of the function).
func keptOutside(r *cancelRegion, ret *ssa.Return) bool {
	for b := ret.Block(); b != nil && r.covers(b); b = b.Idom() {
		for _, instr := range b.Instrs {
			st, ok := instr.(*ssa.Store)
			if !ok || !knowledge.IsError(st.Val.Type()) {
				continue
			}
			switch st.Addr.(type) {
			case *ssa.FreeVar, *ssa.FieldAddr, *ssa.Global:
			default:
				continue
			}
			if carriesError(st.Val, r.err) {
				return true
			}
		}
	}
	return false
}

// carriesError reports whether v is err, or an fmt.Errorf that wraps it
// with %w.
func carriesError(v, err ssa.Value) bool {
	v = ctxflow.StripInterface(v)
	if sameVariable(v, ctxflow.StripInterface(err)) {
		return true
	}
	args, ok := errorfOf(v)
	if !ok {
		return false
	}
	for _, a := range args {
		if a.Verb == 'w' && sameVariable(ctxflow.StripInterface(a.Value), ctxflow.StripInterface(err)) {
			return true
		}
	}
	return false
}

func sentinelName(r *cancelRegion) string {
	if r.sentinels[knowledge.CtxDeadlineErr] && !r.sentinels[knowledge.CtxCanceled] {
		return "context.DeadlineExceeded"
	}
	return "context.Canceled"
}

// checkLoopExits reports a cancellation test, inside a loop, whose true
// branch goes round the loop again (continue) or leaves it straight into
// `return nil` (break).
func (c *checker) checkLoopExits(f *fnInfo) {
	for _, b := range f.fn.Blocks {
		t := c.cancelTestOf(b)
		if t == nil {
			continue
		}
		loop := ctxflow.Innermost(f.loops, b)
		if loop == nil || c.exemptError(f, t.err) {
			continue
		}
		stmt := c.enclosingBranch(t.pos)
		if stmt == nil {
			continue
		}
		r := &cancelRegion{entry: b.Succs[0], err: t.err, sentinels: t.sentinels, tests: []*cancelTest{t}}
		name := c.errName(t)
		target := jumpTarget(b.Succs[0])
		switch {
		case loop.Blocks[target]:
			if br := findBranch(stmt, token.CONTINUE); br != nil {
				d := analysis.Diagnostic{Pos: br.Pos(), End: br.End(), Message: fmt.Sprintf(
					"continuing after %s is %s retries work the caller gave up on, past its deadline: return %s instead", name, r.what(), name)}
				c.continueFix(&d, f, br, name)
				c.pass.Report(d)
			}
		case !loop.Blocks[target] && leadsToNilReturn(target):
			if br := findBranch(stmt, token.BREAK); br != nil {
				c.pass.Report(analysis.Diagnostic{Pos: br.Pos(), End: br.End(), Message: fmt.Sprintf(
					"breaking out of the loop when %s is %s ends in return nil, which tells the caller the work succeeded: return %s instead", name, r.what(), name)})
			}
		}
	}
}

// jumpTarget follows blocks that only jump (and blocks of the loop's post
// statement that only count) to where they lead.
func jumpTarget(b *ssa.BasicBlock) *ssa.BasicBlock {
	for i := 0; i < 4 && len(b.Instrs) == 1; i++ {
		if _, ok := b.Instrs[0].(*ssa.Jump); !ok {
			break
		}
		b = b.Succs[0]
	}
	return b
}

// leadsToNilReturn reports whether b runs straight (through jumps) into a
// return whose error is nil.
func leadsToNilReturn(b *ssa.BasicBlock) bool {
	for i := 0; i < 8 && b != nil; i++ {
		last := b.Instrs[len(b.Instrs)-1]
		switch last := last.(type) {
		case *ssa.Return:
			return len(last.Results) > 0 && ctxflow.IsNilConst(errResult(last))
		case *ssa.Jump:
			b = b.Succs[0]
		default:
			return false
		}
	}
	return false
}

// exemptError reports whether the cancellation err carries is the
// function's own to absorb: it comes from a context the function made
// cancellable itself, or from a cleanup call (Shutdown's deadline is the
// grace period running out); an error of unknown origin counts as the
// function's own when it makes a cancellable context; so does one from a
// function of the package given no context, where none is in scope.
func (c *checker) exemptError(f *fnInfo, err ssa.Value) bool {
	if call := callOf(err); call != nil {
		if callee, _, _ := ctxflow.SplitCall(call.Common()); knowledge.CleanupOf(callee) != nil {
			return true
		}
		if fn := call.Call.StaticCallee(); fn != nil && fn.Pkg == c.res.Pkg && !ctxflow.GivenContext(call.Common()) && c.res.ContextInScope(f.fn, call.Pos()) == "" {
			// No context on either side of a call of the package: the
			// cancellation is the callee's own budget running out, a result
			// it reports on purpose (nomad's rotateVariables stops at its own
			// timeout, and its caller returns nil because a follow-up
			// evaluation continues the work).
			return true
		}
	}
	srcs := c.res.ErrSources(err)
	if len(srcs) == 0 {
		return c.res.Owned(f.fn, nil)
	}
	for _, s := range srcs {
		if ctx := ctxOf(s); ctx == nil || !c.res.Owned(f.fn, ctx) {
			return false
		}
	}
	return true
}

// callersDeadline reports whether a region the function would be exempt
// from, as the owner of its context's cancellation, also takes
// context.DeadlineExceeded of unknown origin while the function sets no
// deadline and was handed a context: the function owns the cancellation,
// not the deadline (smithy's runner returned nil on any context error, so
// a component past its deadline counted as success).
func (c *checker) callersDeadline(f *fnInfo, r *cancelRegion) bool {
	if !r.sentinels[knowledge.CtxDeadlineErr] || !r.sentinels[knowledge.CtxCanceled] {
		return false // a test of the deadline alone is a choice about it
	}
	if call := callOf(r.err); call != nil {
		if callee, _, _ := ctxflow.SplitCall(call.Common()); knowledge.CleanupOf(callee) != nil {
			return false
		}
	}
	if len(c.res.ErrSources(r.err)) != 0 || !c.res.Owned(f.fn, nil) || ctxflow.MakesDeadline(f.fn) {
		return false
	}
	for g := f.fn; g != nil; g = g.Parent() {
		for _, p := range g.Params {
			if knowledge.IsContext(p.Type()) {
				return true
			}
		}
	}
	return false
}

// callOf returns the call an error value is a result of, or nil.
func callOf(v ssa.Value) *ssa.Call {
	switch x := v.(type) {
	case *ssa.Extract:
		call, _ := x.Tuple.(*ssa.Call)
		return call
	case *ssa.Call:
		return x
	}
	return nil
}

// errName returns the source text of the tested error when it is a plain
// identifier ("err"), else "err".
func (c *checker) errName(t *cancelTest) string {
	if id := c.testedIdent(t); id != nil {
		return id.Name
	}
	return "err"
}

// testedIdent returns the identifier a cancellation test tests, if the
// test's operand is one.
func (c *checker) testedIdent(t *cancelTest) *ast.Ident {
	cur, ok := c.res.Syntax.Enclosing(t.pos, t.pos, (*ast.CallExpr)(nil), (*ast.BinaryExpr)(nil))
	if !ok {
		return nil
	}
	var e ast.Expr
	switch n := cur.Node().(type) {
	case *ast.CallExpr:
		if len(n.Args) == 2 {
			e = n.Args[0]
		}
	case *ast.BinaryExpr:
		e = n.X
		if isSentinelExpr(c.pass.TypesInfo, n.X) {
			e = n.Y
		}
	}
	id, _ := ast.Unparen(e).(*ast.Ident)
	return id
}

func isSentinelExpr(info *types.Info, e ast.Expr) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	v, _ := info.Uses[sel.Sel].(*types.Var)
	role := knowledge.VarRole(v)
	return role == knowledge.CtxCanceled || role == knowledge.CtxDeadlineErr
}

// enclosingBranch returns the if statement or case clause whose test is
// at pos.
func (c *checker) enclosingBranch(pos token.Pos) ast.Node {
	cur, ok := c.res.Syntax.Enclosing(pos, pos, (*ast.IfStmt)(nil), (*ast.CaseClause)(nil))
	if !ok {
		return nil
	}
	return cur.Node()
}

// findBranch returns the first continue or break of the statement's body
// that belongs to the loop around it (not to an inner loop, switch or
// select, nor to a function literal).
func findBranch(stmt ast.Node, tok token.Token) *ast.BranchStmt {
	var body []ast.Stmt
	switch s := stmt.(type) {
	case *ast.IfStmt:
		body = s.Body.List
	case *ast.CaseClause:
		body = s.Body
	}
	var found *ast.BranchStmt
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if found != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit, *ast.ForStmt, *ast.RangeStmt:
			return false
		case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			return tok == token.CONTINUE // a break there leaves the switch
		case *ast.BranchStmt:
			if n.Tok == tok && n.Label == nil {
				found = n
			}
		}
		return true
	}
	for _, s := range body {
		ast.Inspect(s, visit)
	}
	return found
}
