package timeoutleak

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// A replyField is an unexported struct field of this package that holds a
// per-object reply channel (a pending call's done channel): every store to
// it is an unbuffered make.
type replyField struct {
	makes []*ssa.MakeChan
	sends []*ssa.Send // plain sends, each closing the channel after it
	other bool        // a store of anything else, or a send that does not close
}

// checkReplyFields reports a reply channel kept in a struct field, made
// unbuffered, that a select receives in a case beside another from which
// the function leaves without it, while code elsewhere answers it with a
// plain send followed by close: once the receiver has left (its context
// done, a timeout), the answering goroutine blocks forever on the send,
// and with it whatever it serves. sourcegraph/jsonrpc2's Call selected on
// call.done and ctx.Done(); the connection's reader, answering the late
// response with `call.done <- err; close(call.done)`, stalled the whole
// connection. One slot lets the answer be dropped: the fix the upstream
// made (make(chan error, 1)).
//
// Sends that do not close after them (a stream) and fields stored from
// anything but an unbuffered make are left alone, as are receivers that
// touch the object on the way out (removing it from a pending table, so
// that no one answers it).
func checkReplyFields(pass *analysis.Pass, res *ctxflow.Result, reported map[*ssa.MakeChan]bool) {
	fields := map[*types.Var]*replyField{}
	get := func(f *types.Var) *replyField {
		rf := fields[f]
		if rf == nil {
			rf = &replyField{}
			fields[f] = rf
		}
		return rf
	}
	var selects []*ssa.Select
	for _, instr := range res.Instrs() {
		switch instr := instr.(type) {
		case *ssa.Store:
			fa, ok := instr.Addr.(*ssa.FieldAddr)
			if !ok {
				continue
			}
			f := ctxflow.FieldOf(fa)
			if f == nil || !isChan(f.Type()) {
				continue
			}
			rf := get(f)
			if mk, ok := ctxflow.Unconvert(instr.Val).(*ssa.MakeChan); ok && unbuffered(mk) {
				rf.makes = append(rf.makes, mk)
			} else {
				rf.other = true
			}
		case *ssa.Send:
			f, base := fieldLoad(instr.Chan)
			if f == nil {
				continue
			}
			rf := get(f)
			if closesAfter(instr, f, base) {
				rf.sends = append(rf.sends, instr)
			} else {
				rf.other = true
			}
		case *ssa.Select:
			selects = append(selects, instr)
		}
	}
	for _, sel := range selects {
		for i, st := range sel.States {
			if st.Dir != types.RecvOnly {
				continue
			}
			f, base := fieldLoad(st.Chan)
			rf := fields[f]
			if f == nil || rf == nil || rf.other || len(rf.makes) == 0 || len(rf.sends) == 0 ||
				f.Exported() || f.Pkg() != pass.Pkg || reported[rf.makes[0]] {
				continue
			}
			other := leavingCase(sel, i, f, base)
			if other == nil {
				continue
			}
			reportReplyField(pass, res, sel, other, f, rf)
			for _, mk := range rf.makes {
				reported[mk] = true
			}
		}
	}
}

// leavingCase returns a case of sel other than i from which some path
// leaves the function without receiving from field f of any object, and
// without touching base (the object whose channel case i receives from),
// or nil.
func leavingCase(sel *ssa.Select, i int, f *types.Var, base ssa.Value) *ssa.SelectState {
	fn := sel.Parent()
	stops := map[*ssa.BasicBlock]bool{}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if receivesField(instr, f) || usesValue(instr, base) {
				stops[b] = true
			}
		}
	}
	for j := range sel.States {
		if j == i {
			continue
		}
		from := ctxflow.SelectCase(sel, j)
		if from == nil || stops[from] {
			continue
		}
		if ret, ok := exitWithout(from, sel, stops).(*ssa.Return); ok && ret != nil {
			return sel.States[j]
		}
	}
	return nil
}

func reportReplyField(pass *analysis.Pass, res *ctxflow.Result, sel *ssa.Select, other *ssa.SelectState, f *types.Var, rf *replyField) {
	elem := types.TypeString(f.Type().Underlying().(*types.Chan).Elem(), types.RelativeTo(pass.Pkg))
	when := fmt.Sprintf("when %s is chosen", caseText(res, other))
	if what := ctxflow.TimeoutChan(other.Chan); what != "" {
		when = fmt.Sprintf("when %s fires", what)
	}
	sender := rf.sends[0]
	for _, mk := range rf.makes {
		call := res.Syntax.CallExpr(mk.Pos())
		if call == nil || res.Syntax.Skip(call.Pos(), false) {
			continue
		}
		d := analysis.Diagnostic{
			Pos: call.Pos(), End: call.End(),
			Message: fmt.Sprintf("this unbuffered channel is kept in field %s, %s stops waiting for it %s, and %s answers it with a plain send: that sender then blocks forever (and all it serves); make it buffered: make(chan %s, 1)",
				f.Name(), ctxflow.LiteralName(sel.Parent()), when, ctxflow.LiteralName(sender.Parent()), elem),
			Related: []analysis.RelatedInformation{
				{Pos: sender.Pos(), Message: "the answering send"},
				{Pos: other.Pos, Message: "the case that stops waiting"},
			},
		}
		addBuffer(res, &d, call, "1", "one")
		pass.Report(d)
	}
}

// fieldLoad returns the field and the object of a channel read from a
// struct field (x.done), or nil.
func fieldLoad(v ssa.Value) (*types.Var, ssa.Value) {
	load, ok := ctxflow.Unconvert(v).(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil, nil
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return nil, nil
	}
	return ctxflow.FieldOf(fa), fa.X
}

// closesAfter reports whether send is followed, in its block, by a close
// of field f of the same object: the object is answered once.
func closesAfter(send *ssa.Send, f *types.Var, base ssa.Value) bool {
	after := false
	for _, instr := range send.Block().Instrs {
		if instr == send {
			after = true
			continue
		}
		call, ok := instr.(*ssa.Call)
		if !after || !ok {
			continue
		}
		if b, ok := call.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(call.Call.Args) == 1 {
			if g, x := fieldLoad(call.Call.Args[0]); g == f && x == base {
				return true
			}
		}
	}
	return false
}

// receivesField reports whether instr receives from field f of any
// object (a plain receive, or a select with a case on it).
func receivesField(instr ssa.Instruction, f *types.Var) bool {
	switch x := instr.(type) {
	case *ssa.UnOp:
		if x.Op == token.ARROW {
			g, _ := fieldLoad(x.X)
			return g == f
		}
	case *ssa.Select:
		for _, st := range x.States {
			if g, _ := fieldLoad(st.Chan); st.Dir == types.RecvOnly && g == f {
				return true
			}
		}
	}
	return false
}

// usesValue reports whether instr hands on v, a field address of it or a
// field read from it (delete(c.pending, call.seq)): the receiver touches
// the object on its way out. Computing a field's address and reading it
// (the reply) do not count.
func usesValue(instr ssa.Instruction, v ssa.Value) bool {
	switch x := instr.(type) {
	case *ssa.DebugRef, *ssa.FieldAddr:
		return false
	case *ssa.UnOp:
		if x.Op == token.MUL {
			return false
		}
	}
	for _, op := range instr.Operands(nil) {
		if *op == nil {
			continue
		}
		w := *op
		if load, ok := w.(*ssa.UnOp); ok && load.Op == token.MUL {
			w = load.X
		}
		if fa, ok := w.(*ssa.FieldAddr); ok {
			w = fa.X
		}
		if w == v {
			return true
		}
	}
	return false
}

func isChan(t types.Type) bool {
	c, ok := t.Underlying().(*types.Chan)
	return ok && c.Dir() == types.SendRecv
}
