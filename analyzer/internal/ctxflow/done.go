package ctxflow

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// A Done is a point from which a context is known to be done: after a
// receive from its Done channel, in a select case on it, or where a test of
// ctx.Err() or context.Cause(ctx) against nil succeeded.
type Done struct {
	// Ctx is the context, or nil when its Done channel was kept in a field
	// or variable (then Origin says where the context came from).
	Ctx    ssa.Value
	Origin Origin
	// Block is the first block in which the context is done; when Instr
	// is a receive in that block, only the instructions after it.
	Block *ssa.BasicBlock
	Instr ssa.Instruction
	// Err is the tested error value of `if err := ctx.Err(); err != nil`.
	Err ssa.Value
	// Cause is set when the test was on context.Cause.
	Cause bool
	// Plain is set for a receive statement <-ctx.Done() (not a select).
	Plain bool
	// Pos is where the context is learned done (the receive, the select,
	// the test): the scope in which fixes name it.
	Pos token.Pos
	// Via is set when the context is learned done from the failure of a
	// call whose error is non-nil only once that context is done (the
	// FailsOnlyOnDone summary: a pause helper, `if err := sleep(ctx, d);
	// err != nil`). The callee waited for it, as a blocking select does.
	Via *ssa.Call
	// Empty is set for a select case with no statements, or a test's done
	// branch, that goes straight to a block other paths reach too: the
	// context is done on that edge only, so the Done covers no block.
	// Block is that target.
	Empty bool
}

// Covers reports whether the context is known done at instruction idx of
// block b.
func (d *Done) Covers(b *ssa.BasicBlock, idx int) bool {
	if d.Empty {
		return false
	}
	if b == d.Block {
		if d.Plain {
			for i, instr := range b.Instrs {
				if instr == d.Instr {
					return idx > i
				}
			}
		}
		return true
	}
	return d.Block.Dominates(b)
}

// LeadsStraightTo reports whether a path from where the context is known
// done reaches block b through unconditional jumps only, each block on the
// way holding nothing but its jump (a `break` out of a loop on
// `if ctx.Err() != nil`): b then runs, on that path, with the context
// done, though other paths join it there (the loop's normal end).
func (d *Done) LeadsStraightTo(b *ssa.BasicBlock) bool {
	if d.Plain {
		return false
	}
	x := d.Block
	for range 8 {
		if x == b {
			return true
		}
		if len(x.Succs) != 1 || !onlyJump(x) {
			return false
		}
		x = x.Succs[0]
	}
	return false
}

// onlyJump reports whether block b holds nothing but its jump (and debug
// references).
func onlyJump(b *ssa.BasicBlock) bool {
	for _, instr := range b.Instrs {
		switch instr.(type) {
		case *ssa.Jump, *ssa.DebugRef:
		default:
			return false
		}
	}
	return true
}

// Dones returns every point in fn from which a context is known done.
func (r *Result) Dones(fn *ssa.Function) []*Done {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.beginQuery(fn)
	return r.donesLocked(fn)
}

// FoldedDoneCases returns the select cases on a context's Done in fn that
// have no block of their own: the case does nothing (no statement, or an
// unlabelled break), and go/ssa folds it into the code after the select,
// so Dones cannot place it. Each is an Empty Done whose Block is the
// select's. Kept apart from Dones: no instruction is known done there.
func (r *Result) FoldedDoneCases(fn *ssa.Function) []*Done {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.beginQuery(fn)
	var out []*Done
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			sel, ok := instr.(*ssa.Select)
			if !ok || sel.Blocking && len(sel.States) == 1 {
				continue // one blocking case: what follows is the case (SelectCase)
			}
			for i, st := range sel.States {
				if st.Dir != types.RecvOnly || SelectCase(sel, i) != nil {
					continue
				}
				if ctx, o, ok := r.doneChan(st.Chan); ok {
					out = append(out, &Done{Ctx: ctx, Origin: o, Block: b, Instr: sel, Pos: sel.Pos(), Empty: true})
				}
			}
		}
	}
	return out
}

// donesLocked is Dones for callers that hold r.mu.
func (r *Result) donesLocked(fn *ssa.Function) []*Done {
	if d, ok := r.dones[fn]; ok {
		return d
	}
	var out []*Done
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.UnOp:
				if instr.Op == token.ARROW && !instr.CommaOk {
					if ctx, o, ok := r.doneChan(instr.X); ok {
						out = append(out, &Done{Ctx: ctx, Origin: o, Block: b, Instr: instr, Plain: true, Pos: instr.Pos()})
					}
				}
			case *ssa.Select:
				for i, st := range instr.States {
					if st.Dir != 2 { // types.RecvOnly
						continue
					}
					ctx, o, ok := r.doneChan(st.Chan)
					if !ok {
						continue
					}
					if caseBlock := SelectCase(instr, i); caseBlock != nil {
						out = append(out, &Done{Ctx: ctx, Origin: o, Block: caseBlock, Instr: instr, Pos: instr.Pos(), Empty: len(caseBlock.Preds) != 1})
					}
				}
			case *ssa.If:
				if d := r.doneTest(instr); d != nil {
					out = append(out, d)
				}
			}
		}
	}
	r.dones[fn] = out
	return out
}

// doneChan reports whether ch is a context's Done channel: the result of
// ctx.Done(), or a field or package variable every store of which in this
// package is one.
func (r *Result) doneChan(ch ssa.Value) (ssa.Value, Origin, bool) {
	return r.doneChanOf(ch, map[any]bool{})
}

// doneChanOf is doneChan with the fields and variables being looked at:
// a store that copies one of them (s.quit = other.quit) adds nothing and
// is skipped, so copies between fields of the same type end.
func (r *Result) doneChanOf(ch ssa.Value, visiting map[any]bool) (ssa.Value, Origin, bool) {
	switch v := ch.(type) {
	case *ssa.Call:
		fn, recv, _ := SplitCall(v.Common())
		if knowledge.RoleOf(fn) == knowledge.CtxDone && recv != nil {
			return recv, r.classify(recv, 0), true
		}
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return nil, Origin{}, false
		}
		var key any
		switch x := v.X.(type) {
		case *ssa.FieldAddr:
			key = structField(x.X.Type(), x.Field)
		case *ssa.Global:
			key = x
		}
		if key == nil || key == any((*types.Var)(nil)) {
			return nil, Origin{}, false
		}
		if visiting[key] {
			return nil, Origin{State: cycle}, true
		}
		if len(visiting) >= maxDepth {
			return nil, Origin{}, false
		}
		r.indexStores()
		stores := r.stores[key]
		if len(stores) == 0 {
			return nil, Origin{}, false
		}
		visiting[key] = true
		defer delete(visiting, key)
		var origins []Origin
		for _, s := range stores {
			_, o, ok := r.doneChanOf(s, visiting)
			if !ok {
				return nil, Origin{}, false
			}
			if o.State != cycle {
				origins = append(origins, o)
			}
		}
		if len(origins) == 0 {
			return nil, Origin{}, false
		}
		return nil, merge(origins), true
	case *ssa.ChangeType:
		return r.doneChanOf(v.X, visiting)
	}
	return nil, Origin{}, false
}

// SelectClause returns the syntax of case i of a select: go/ssa keeps the
// cases in source order as the select's states, the default left out.
func (r *Result) SelectClause(sel *ssa.Select, i int) *ast.CommClause {
	cur, ok := r.Syntax.Enclosing(sel.Pos(), sel.Pos(), (*ast.SelectStmt)(nil))
	if !ok {
		return nil
	}
	k := 0
	for _, s := range cur.Node().(*ast.SelectStmt).Body.List {
		cc, ok := s.(*ast.CommClause)
		if !ok || cc.Comm == nil {
			continue
		}
		if k == i {
			return cc
		}
		k++
	}
	return nil
}

// SelectCase returns the block where case i of a select starts: the go/ssa
// builder tests the select's index against each case in turn.
func SelectCase(sel *ssa.Select, i int) *ssa.BasicBlock {
	for _, ref := range *sel.Referrers() {
		idx, ok := ref.(*ssa.Extract)
		if !ok || idx.Index != 0 {
			continue
		}
		for _, use := range *idx.Referrers() {
			cmp, ok := use.(*ssa.BinOp)
			if !ok || cmp.Op != token.EQL {
				continue
			}
			c, ok := cmp.Y.(*ssa.Const)
			if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
				continue
			}
			if n, _ := constant.Int64Val(c.Value); int(n) != i {
				continue
			}
			for _, u := range *cmp.Referrers() {
				if iff, ok := u.(*ssa.If); ok {
					return iff.Block().Succs[0]
				}
			}
		}
	}
	// A select with one case and no default blocks until that case: what
	// follows is the case.
	if !sel.Blocking || len(sel.States) != 1 {
		return nil
	}
	b := sel.Block()
	if len(b.Succs) == 1 {
		return b.Succs[0]
	}
	return nil
}

// doneTest recognises `ctx.Err() != nil`, `context.Cause(ctx) != nil` (and
// their == forms, whose false branch is the done one) and
// errors.Is(ctx.Err(), …).
func (r *Result) doneTest(iff *ssa.If) *Done {
	var (
		v    ssa.Value
		succ int
	)
	switch cond := iff.Cond.(type) {
	case *ssa.BinOp:
		switch {
		case cond.Op == token.NEQ:
			succ = 0
		case cond.Op == token.EQL:
			succ = 1
		default:
			return nil
		}
		switch {
		case isNil(cond.Y):
			v = cond.X
		case isNil(cond.X):
			v = cond.Y
		default:
			return nil
		}
	case *ssa.Call:
		fn, _, args := SplitCall(cond.Common())
		if knowledge.RoleOf(fn) != knowledge.ErrorsIs || len(args) != 2 {
			return nil
		}
		v, succ = args[0], 0
	default:
		return nil
	}
	call, ok := StripInterface(v).(*ssa.Call)
	if !ok {
		if ex, isExtract := StripInterface(v).(*ssa.Extract); isExtract {
			call, ok = ex.Tuple.(*ssa.Call)
			ok = ok && ex.Index == call.Call.Signature().Results().Len()-1
		}
		if !ok {
			return nil
		}
	}
	fn, recv, args := SplitCall(call.Common())
	d := &Done{Err: v}
	switch knowledge.RoleOf(fn) {
	case knowledge.CtxErr:
		d.Ctx = recv
	case knowledge.CtxCause:
		if len(args) != 1 {
			return nil
		}
		d.Ctx, d.Cause = args[0], true
	default:
		i := r.failsOnlyOnDone(call)
		if i < 0 || i >= len(args) || succ != 0 {
			return nil
		}
		d.Ctx, d.Via = args[i], call
	}
	d.Origin = r.classify(d.Ctx, 0)
	d.Block = iff.Block().Succs[succ]
	d.Instr = iff
	d.Pos = iff.Cond.Pos()
	if len(d.Block.Preds) != 1 {
		// Reached from elsewhere too (a `break` go/ssa threads straight
		// to the loop's exit): done on that edge only, as for an empty
		// select case.
		d.Empty = true
	}
	return d
}

// failsOnlyOnDone returns the index (receiver excluded) of the context
// argument whose being done is the only way the callee of call fails
// (its FailsOnlyOnDone summary), or -1.
func (r *Result) failsOnlyOnDone(call *ssa.Call) int {
	if call.Call.IsInvoke() {
		return -1
	}
	callee := call.Call.StaticCallee()
	if callee == nil {
		return -1
	}
	s := r.funcSummary(callee)
	if s == nil || len(s.FailsOnlyOnDone) != 1 {
		return -1
	}
	return s.FailsOnlyOnDone[0]
}
