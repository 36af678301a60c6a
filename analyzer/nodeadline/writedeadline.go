package nodeadline

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// connKey names one connection: a local value (a field's loads are
// distinct values and never match).
type connKey struct {
	local ssa.Value
}

// connUse is a call on, or with, a connection.
type connUse struct {
	fn   *ssa.Function
	call *ssa.Call
}

// checkWriteDeadlines reports writes to a connection whose reads the
// package bounds with SetReadDeadline while nothing in the package ever
// sets a write deadline (SetWriteDeadline or SetDeadline, on any
// connection): the author bounded the exchange's reads and forgot that a
// write blocks too, once the peer stops reading and the socket's send
// buffer fills (fortio's FastClient set a read deadline and then wrote the
// request, fixed with SetDeadline). Only a connection in a
// local value is judged, when the read deadline is set before the write on
// the same path and never cleared in that function (a deadline scoped to
// one read, `defer conn.SetReadDeadline(time.Time{})`, is xray's handshake
// read, not a bound on the exchange); the fix is SetDeadline in its place.
// Connections kept in fields were measured noisy: quic-go, go-mysql and
// go-plugin bound their reads (an idle timeout, an interrupt) and write
// with none by design; dcrd's peer, which bounded every read with its idle
// timeout and wrote its messages with none, is the miss that costs. A
// write is a call of the connection's Write or the connection handed where
// an io.Writer is taken (a bufio.Writer, a package helper that encodes
// into it).
func checkWriteDeadlines(pass *analysis.Pass, res *ctxflow.Result, tests bool) {
	readDeadlines := map[connKey][]connUse{}
	writes := map[connKey][]connUse{}
	cleared := map[connKey]bool{}
	for fn, instr := range res.Instrs() {
		ci, ok := instr.(ssa.CallInstruction)
		if !ok {
			continue
		}
		callee, recv, args := ctxflow.SplitCall(ci.Common())
		read, write := knowledge.DeadlineSetter(callee)
		if write {
			return // the package knows write deadlines: its writes are its own business
		}
		call, isCall := ci.(*ssa.Call)
		if read && recv != nil && len(args) == 1 {
			if k, ok := keyOf(recv); ok {
				if zeroTime(res, args[0]) || !isCall {
					cleared[k] = true // also deferred: scoped to the function's reads
				} else {
					readDeadlines[k] = append(readDeadlines[k], connUse{fn, call})
				}
			}
			continue
		}
		if !isCall {
			continue
		}
		if res.Syntax.Skip(call.Pos(), tests) {
			continue
		}
		if recv != nil && isConnWrite(callee) {
			if k, ok := keyOf(recv); ok {
				writes[k] = append(writes[k], connUse{fn, call})
			}
			continue
		}
		sig := call.Common().Signature()
		for i, a := range call.Common().Args {
			if recv != nil && !call.Common().IsInvoke() {
				i-- // the receiver is the first argument of a static method call
			}
			if i < 0 || i >= sig.Params().Len() || !isWriterOnly(sig.Params().At(i).Type()) {
				continue
			}
			if k, ok := keyOf(a); ok {
				writes[k] = append(writes[k], connUse{fn, call})
			}
		}
	}
	var keys []connKey
	for k := range writes {
		if len(readDeadlines[k]) > 0 && !cleared[k] {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return writes[keys[i]][0].call.Pos() < writes[keys[j]][0].call.Pos() })
	for _, k := range keys {
		reportUnboundedWrite(pass, res, k, readDeadlines[k], writes[k])
	}
}

// reportUnboundedWrite reports the first write of a connection whose reads
// get a deadline; for a local, only a write the read deadline precedes.
func reportUnboundedWrite(pass *analysis.Pass, res *ctxflow.Result, k connKey, reads, writes []connUse) {
	for _, w := range writes {
		var read *ssa.Call
		for _, r := range reads {
			if r.fn == w.fn && ctxflow.RunsBefore(r.call, w.call) {
				read = r.call
				break
			}
		}
		if read == nil {
			continue
		}
		expr := res.Syntax.CallExpr(w.call.Pos())
		if expr == nil {
			return
		}
		d := analysis.Diagnostic{
			Pos: expr.Fun.Pos(), End: expr.Fun.End(), Category: "conn-write-no-deadline",
			Message: "this connection's reads get a deadline but its writes never do: a peer that stops reading blocks this write forever once the send buffer fills; set a write deadline too (SetDeadline covers both)",
			Related: []analysis.RelatedInformation{{Pos: read.Pos(), Message: "the read deadline is set here"}},
		}
		if fix := setDeadlineFix(res, read); fix != nil {
			d.SuggestedFixes = []analysis.SuggestedFix{*fix}
		}
		pass.Report(d)
		return
	}
}

// setDeadlineFix turns conn.SetReadDeadline(t) into conn.SetDeadline(t).
func setDeadlineFix(res *ctxflow.Result, read *ssa.Call) *analysis.SuggestedFix {
	expr := res.Syntax.CallExpr(read.Pos())
	if expr == nil || !res.Syntax.Editable(expr.Pos()) {
		return nil
	}
	sel, ok := expr.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	return &analysis.SuggestedFix{
		Message:   "Bound reads and writes: SetDeadline",
		TextEdits: []analysis.TextEdit{{Pos: sel.Sel.Pos(), End: sel.Sel.End(), NewText: []byte("SetDeadline")}},
	}
}

// keyOf names the connection v is: a local value of a type that has
// SetWriteDeadline (through type assertions and interface conversions).
func keyOf(v ssa.Value) (connKey, bool) {
	for range 4 {
		switch x := v.(type) {
		case *ssa.TypeAssert:
			v = x.X
			continue
		case *ssa.ChangeInterface:
			v = x.X
			continue
		case *ssa.MakeInterface:
			v = x.X
			continue
		case *ssa.UnOp:
			// A local a closure captures lives in memory: its one store.
			if a, ok := x.X.(*ssa.Alloc); ok && x.Op == token.MUL {
				if st := onlyStore(a); st != nil {
					v = st.Val
					continue
				}
			}
		}
		break
	}
	if !hasMethod(v.Type(), "SetWriteDeadline") {
		return connKey{}, false
	}
	switch v.(type) {
	case *ssa.Phi, *ssa.Extract, *ssa.Call, *ssa.Parameter:
		return connKey{local: v}, true
	}
	return connKey{}, false
}

// onlyStore returns the one store to a, or nil.
func onlyStore(a *ssa.Alloc) *ssa.Store {
	var only *ssa.Store
	for _, ref := range *a.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == a {
			if only != nil {
				return nil
			}
			only = st
		}
	}
	return only
}

// isConnWrite reports whether fn is a connection's Write: io.Writer's
// method on a type that has SetWriteDeadline.
func isConnWrite(fn *types.Func) bool {
	if fn == nil || fn.Name() != "Write" {
		return false
	}
	sig := fn.Signature()
	if sig.Recv() == nil || sig.Params().Len() != 1 || sig.Results().Len() != 2 || !hasMethod(sig.Recv().Type(), "SetWriteDeadline") {
		return false
	}
	s, ok := sig.Params().At(0).Type().(*types.Slice)
	return ok && types.Identical(s.Elem(), types.Typ[types.Byte])
}

// zeroTime reports whether v is the zero time.Time (clearing a deadline):
// a literal, or a package variable the package never stores to (v2ray's
// `var zeroTime time.Time`).
func zeroTime(res *ctxflow.Result, v ssa.Value) bool {
	if knowledge.TypeRole(v.Type()) != knowledge.TimeTimeType {
		return false
	}
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		g, ok := load.X.(*ssa.Global)
		if !ok || g.Pkg != res.Pkg {
			return false
		}
		for _, stored := range res.StoredIn(g) {
			if c, ok := stored.(*ssa.Const); !ok || c.Value != nil {
				return false
			}
		}
		return true
	}
	c, ok := v.(*ssa.Const)
	return ok && c.Value == nil
}
