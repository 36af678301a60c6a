package nodeadline

import (
	"fmt"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// maxConnDepth bounds how deep the search follows a connection into the
// package's helpers.
const maxConnDepth = 4

// checkConnReads judges a dial whose connection the function then reads,
// itself or through helpers of the package it hands the connection to,
// with no deadline set on the way: the dial's timeout (or context) covers
// only connecting, so a peer that accepts and never answers blocks the
// read forever (memberlist's push/pull exchange, fixed with
// conn.SetDeadline). A connection a helper of the package returns is followed
// into the callers that receive it. Any use the search cannot follow — the
// connection stored, returned to no caller of the package, captured by a
// closure (a watchdog may close it),
// handed to another package's function that is no reader of the standard
// library, wrapped (tls.Client) — makes it silent. A connection kept in a
// field only this package can reach is followed to every load of it.
func checkConnReads(pass *analysis.Pass, res *ctxflow.Result, c *ctxflow.Call) {
	call, ok := c.Instr.(*ssa.Call)
	if !ok || res.LocalDial(c) || res.SetsConnDeadline(c.Fn) {
		return
	}
	conn := resultConn(call)
	if conn == nil {
		return
	}
	s := &connSearch{res: res, seen: map[ssa.Value]bool{}, ordered: true}
	s.follow(conn, 0)
	if s.unknown || s.read == nil || !readFirst(s.read, s.escapes) {
		return
	}
	expr := res.Syntax.CallExpr(call.Pos())
	if expr == nil {
		return
	}
	pass.Report(analysis.Diagnostic{
		Pos: expr.Fun.Pos(), End: expr.Fun.End(), Category: "conn-no-deadline",
		Message: fmt.Sprintf("the connection from %s is read with no deadline (the dial's own timeout covers only connecting), so a peer that stops answering blocks the read forever: call SetDeadline on it before reading", c.CalleeName()),
		Related: []analysis.RelatedInformation{{Pos: s.read.Pos(), Message: "read here"}},
	})
}

// resultConn returns the connection a dial returns (its first result),
// when that is a connection (it has SetDeadline), or nil.
func resultConn(call *ssa.Call) ssa.Value {
	var v ssa.Value = call
	if tuple, ok := call.Type().(*types.Tuple); ok {
		v = nil
		for _, ref := range *call.Referrers() {
			if ex, ok := ref.(*ssa.Extract); ok && ex.Index == 0 {
				v = ex
			}
		}
		if v == nil || tuple.Len() == 0 {
			return nil
		}
	}
	if !hasMethod(v.Type(), "SetDeadline") {
		return nil
	}
	return v
}

func hasMethod(t types.Type, name string) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, name)
	_, ok := obj.(*types.Func)
	return ok
}

// connSearch follows a connection's uses: read is set at the first read,
// unknown at the first use it cannot judge.
type connSearch struct {
	res     *ctxflow.Result
	seen    map[ssa.Value]bool
	read    ssa.Instruction
	unknown bool
	// accepting: the search only asks whether the connection is read
	// before anything else happens to it; escapes lists the uses it
	// cannot follow, instead of giving up at the first.
	accepting bool
	escapes   []ssa.Instruction
	// ordered: a dialed connection the search cannot follow everywhere is
	// still judged when its first read runs before every such use, in
	// the same function (grpc's CONNECT handshake and netbird's SSH
	// version exchange read the new connection, then wrap it and return
	// it; a watchdog or deadline set first makes it silent).
	ordered bool
	// serving: the connection is a server's, accepted from a listener; the
	// search follows it into goroutines and closures too, and notes where
	// it is read and closed (a close outside the readers may be an idle
	// reaper's).
	serving bool
	reads   []ssa.Instruction
	readIn  map[*ssa.Function]bool
	closeIn []*ssa.Function
}

// giveUp records a use the search cannot follow.
func (s *connSearch) giveUp(at ssa.Instruction) {
	if s.accepting || s.ordered {
		s.escapes = append(s.escapes, at)
		return
	}
	s.unknown = true
}

func (s *connSearch) follow(v ssa.Value, depth int) {
	if s.unknown || s.seen[v] || v.Referrers() == nil {
		return
	}
	s.seen[v] = true
	for _, ref := range *v.Referrers() {
		switch x := ref.(type) {
		case *ssa.DebugRef:
		case *ssa.BinOp: // conn == nil
		case *ssa.MakeInterface:
			s.follow(x, depth)
		case *ssa.ChangeInterface:
			s.follow(x, depth)
		case *ssa.Phi: // the variable of a loop of attempts
			s.follow(x, depth)
		case *ssa.Store:
			switch alloc, _ := x.Addr.(*ssa.Alloc); {
			case s.accepting:
				s.giveUp(x)
			case (s.serving || s.ordered) && alloc != nil && x.Val == v:
				s.variable(alloc, depth)
			default:
				s.field(x, v, depth)
			}
		case *ssa.MakeClosure:
			s.captured(x, v, depth)
		case ssa.CallInstruction:
			if _, isGo := x.(*ssa.Go); isGo && !s.serving {
				s.giveUp(x) // handed to a goroutine: it may set a deadline or close it
				return
			}
			s.call(x, v, depth)
		case *ssa.Return:
			if s.accepting {
				s.giveUp(x)
			} else {
				s.returned(x, v, depth)
			}
		default:
			s.giveUp(ref) // stored, returned, captured, converted: not followed
		}
		if s.unknown {
			return
		}
	}
}

// field follows the connection v into the struct field a store keeps it
// in, when only this package can reach that field: every load of the field
// in the package is a use of the connection (telegraf's chrony plugin kept
// the dialed conn in its client's Connection field and read it in
// Communicate). A deadline set through any load, a load the search cannot
// judge, or a watchdog that closes the field's connection on a context's
// Done makes the search silent.
func (s *connSearch) field(st *ssa.Store, v ssa.Value, depth int) {
	f := s.res.StoredField(st)
	if st.Val != v || f == nil || depth >= maxConnDepth || s.res.FieldClosedOnDone(f) {
		s.giveUp(st)
		return
	}
	for _, load := range s.res.FieldLoads(f) {
		if s.res.SetsConnDeadline(load.Parent()) {
			// A deadline set through any load: the package manages the
			// connection's deadlines (bufio readers wrapped around it at
			// construction read it wherever they are used).
			s.giveUp(st)
			return
		}
		s.follow(load, depth+1)
		if s.unknown {
			return
		}
	}
}

// returned follows a connection a helper of the package returns (paho's
// openConnection) to the callers that receive it: each caller's result is a
// use of the connection. A helper no call of the package receives from, or
// a caller that sets a deadline, makes the search silent.
func (s *connSearch) returned(ret *ssa.Return, v ssa.Value, depth int) {
	fn := ret.Parent()
	if s.ordered && s.readBefore(ret) {
		return // a helper handing back the connection it read (a handshake): what callers do next comes after
	}
	idx := -1
	for i, r := range ret.Results {
		if r == v {
			idx = i
		}
	}
	callers := s.res.CallersOf(fn)
	if idx < 0 || fn.Parent() != nil || len(callers) == 0 || depth >= maxConnDepth {
		s.giveUp(ret)
		return
	}
	for _, c := range callers {
		call, ok := c.Instr.(*ssa.Call)
		if !ok || s.res.SetsConnDeadline(c.Fn) {
			s.giveUp(ret)
			return
		}
		var got ssa.Value = call
		if len(ret.Results) > 1 {
			got = nil
			for _, ref := range *call.Referrers() {
				if ex, ok := ref.(*ssa.Extract); ok && ex.Index == idx {
					got = ex
				}
			}
		}
		if got != nil {
			s.follow(got, depth+1)
		}
		if s.unknown {
			return
		}
	}
}

// call judges one call that uses the connection v.
func (s *connSearch) call(ci ssa.CallInstruction, v ssa.Value, depth int) {
	common := ci.Common()
	callee, recv, args := ctxflow.SplitCall(common)
	if callee == nil {
		if b, ok := common.Value.(*ssa.Builtin); ok && b.Name() == "len" {
			return
		}
		if target := common.StaticCallee(); s.serving && target != nil && s.ownFunc(target) && depth < maxConnDepth && !s.res.SetsConnDeadline(target) {
			// A function literal the connection is handed to
			// (go func(c net.Conn) { … }(conn)).
			for i, a := range common.Args {
				if a == v && i < len(target.Params) {
					s.follow(target.Params[i], depth+1)
				}
			}
			return
		}
		s.giveUp(ci)
		return
	}
	if recv == v {
		if read, write := knowledge.DeadlineSetter(callee); write && !read {
			return // a write deadline bounds writes only (redigo's Do set one, then read the reply with none)
		}
		// v is the dialed connection itself (data flow, not a name
		// guess), so its methods are net.Conn's and the name picks one
		// of them: Read waits, Write and the address getters are judged
		// elsewhere or not waits, anything else (SetDeadline, a
		// wrapper's own method) is not understood here.
		switch callee.Name() {
		case "Read":
			s.noteRead(ci)
		case "Close":
			s.closeIn = append(s.closeIn, ci.Parent())
		case "Write", "LocalAddr", "RemoteAddr", "CloseWrite", "CloseRead":
		default:
			s.giveUp(ci) // SetDeadline and the like: bounded, or not understood
		}
		return
	}
	sig := callee.Signature()
	for i, a := range args {
		if a != v {
			continue
		}
		param := paramType(sig, i)
		switch {
		case param == nil:
			s.giveUp(ci)
		case s.serving && s.ordered && isWriterOnly(param):
			// The accept loop's own search (inlineRead): a write
			// (fmt.Fprintf of a banner) is no use that could bound the
			// read after it.
		case s.serving && s.isStd(callee) && (knowledge.RoleOf(callee) == knowledge.IORelay || hasMethod(param, "Write")):
			// A proxy relaying a client's bytes, or a protocol server of
			// the standard library taking the connection over
			// (rpc.ServeConn): an idle client is normal there, and its
			// deadline a policy of the server.
			s.giveUp(ci)
		case s.isStd(callee) && isReader(param):
			// The standard library reads what it is given as an io.Reader
			// (io.ReadFull, bufio.NewReader, json.NewDecoder).
			if at := s.firstRead(ci); at != nil {
				s.noteRead(at)
			}
		case isWriterOnly(param):
			// Handed over as an io.Writer, whoever the callee: through
			// that interface it can only write (kafka's req.WriteTo(c.rw)),
			// never set a deadline or read.
		default:
			target := common.StaticCallee()
			if target == nil || target.Pkg == nil || target.Pkg.Pkg != callee.Pkg() || !s.ownFunc(target) || depth >= maxConnDepth || s.res.SetsConnDeadline(target) {
				s.giveUp(ci)
				return
			}
			k := i
			if sig.Recv() != nil {
				k++ // the receiver is the SSA function's first parameter
			}
			if k >= len(target.Params) {
				s.giveUp(ci)
				return
			}
			s.follow(target.Params[k], depth+1)
		}
		if s.unknown {
			return
		}
	}
}

// firstRead returns where a call of the standard library given the
// connection as a reader first reads it: the call itself, or, for a
// wrapper it returns (bufio.NewReader, json.NewDecoder), which reads only
// when used, in the ordered search the first call of a method on that
// wrapper (nil when there is none: a wrapper kept for later reads nothing
// yet, and the later reads may come after a deadline).
func (s *connSearch) firstRead(ci ssa.CallInstruction) ssa.Instruction {
	call, ok := ci.(*ssa.Call)
	if !s.ordered || !ok {
		return ci
	}
	return s.wrapperRead(call, 0)
}

// wrapperRead returns the call itself when it reads at once, or the first
// use of the wrapper it returns that reads: a method called on it, or a
// standard-library reader given it (json.NewDecoder(bufio.NewReader(c)),
// followed the same way); the call itself when the wrapper is kept in a
// field only the package can reach (raft's netConn.r: the search follows
// that field's connection); nil when it is kept elsewhere.
func (s *connSearch) wrapperRead(call *ssa.Call, depth int) ssa.Instruction {
	if !returnsWrapper(call) {
		return call
	}
	return s.wrapperUse(call, call, depth)
}

// wrapperUse returns the first use of the wrapper w that reads (see
// wrapperRead), as the instruction of fn's own body that leads to it: a
// helper of the package given the wrapper (mc-pinger's readPacket(rd))
// reads when its parameter does.
func (s *connSearch) wrapperUse(w ssa.Value, call *ssa.Call, depth int) ssa.Instruction {
	if depth > 3 || w.Referrers() == nil {
		return nil
	}
	refs := *w.Referrers()
	for i := 0; i < len(refs); i++ {
		if mi, ok := refs[i].(*ssa.MakeInterface); ok && mi.Referrers() != nil {
			refs = append(refs[:i:i], append(*mi.Referrers(), refs[i+1:]...)...)
			i--
			continue
		}
		if st, ok := refs[i].(*ssa.Store); ok && st.Val == w && s.res.StoredField(st) != nil {
			return call
		}
		use, ok := refs[i].(*ssa.Call)
		if !ok {
			continue
		}
		fn, recv, args := ctxflow.SplitCall(use.Common())
		if ctxflow.StripInterface(recv) == w {
			return use
		}
		if fn == nil {
			continue
		}
		for k, a := range args {
			if ctxflow.StripInterface(a) != w {
				continue
			}
			if s.isStd(fn) {
				if at := s.wrapperRead(use, depth+1); at != nil {
					return at
				}
				continue
			}
			target := use.Common().StaticCallee()
			if target == nil || !s.ownFunc(target) || s.res.SetsConnDeadline(target) {
				continue
			}
			if fn.Signature().Recv() != nil {
				k++ // the receiver is the SSA function's first parameter
			}
			if k < len(target.Params) && s.wrapperUse(target.Params[k], call, depth+1) != nil {
				return use
			}
		}
	}
	return nil
}

// returnsWrapper reports whether call's first result is a value that reads
// its argument later (a pointer or an interface other than error).
func returnsWrapper(call *ssa.Call) bool {
	t := call.Type()
	if tuple, ok := t.(*types.Tuple); ok {
		if tuple.Len() == 0 {
			return false
		}
		t = tuple.At(0).Type()
	}
	if knowledge.IsError(t) {
		return false
	}
	switch t.Underlying().(type) {
	case *types.Pointer, *types.Interface:
		return true
	}
	return false
}

func paramType(sig *types.Signature, i int) types.Type {
	params := sig.Params()
	switch {
	case i < params.Len()-1 || i < params.Len() && !sig.Variadic():
		return params.At(i).Type()
	case sig.Variadic() && params.Len() > 0:
		if sl, ok := params.At(params.Len() - 1).Type().(*types.Slice); ok {
			return sl.Elem()
		}
	}
	return nil
}

// isStd reports whether fn belongs to the standard library: its path's
// first element has no dot, and it is not the package under analysis
// (whose path may have none either: module "recall", a GOPATH fixture).
func (s *connSearch) isStd(fn *types.Func) bool {
	return fn.Pkg() != nil && fn.Pkg() != s.res.Pass.Pkg && !strings.Contains(strings.Split(fn.Pkg().Path(), "/")[0], ".")
}

// isReader reports whether t is an interface whose values are read: it has
// Read and no SetDeadline (an io.Reader or io.ReadWriter, not a net.Conn a
// wrapper such as tls.Client takes over).
func isReader(t types.Type) bool {
	_, iface := t.Underlying().(*types.Interface)
	return iface && hasMethod(t, "Read") && !hasMethod(t, "SetDeadline")
}

// isWriterOnly reports whether t is an interface that is only written to.
func isWriterOnly(t types.Type) bool {
	_, iface := t.Underlying().(*types.Interface)
	return iface && hasMethod(t, "Write") && !hasMethod(t, "Read") && !hasMethod(t, "SetDeadline")
}

// checkAcceptReads judges a method that implements net.Listener's Accept
// (a listener wrapper: TLS sniffing, the PROXY protocol) and reads the
// connection it accepts before handing it on, with no deadline set:
// servers call Accept in one loop, so a client that connects and sends
// nothing blocks every later connection (syncthing's DowngradingListener
// peeked a byte, fixed with SetReadDeadline). What happens to the
// connection after the read does not matter: the read comes first.
func checkAcceptReads(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function) {
	if fn.Parent() != nil || fn.Signature.Recv() == nil || res.SetsConnDeadline(fn) {
		return
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			callee, _, _ := ctxflow.SplitCall(call.Common())
			if knowledge.RoleOf(callee) != knowledge.NetListenerAccept || !implementsAccept(fn, callee) {
				continue
			}
			conn := resultConn(call)
			if conn == nil {
				continue
			}
			s := &connSearch{res: res, seen: map[ssa.Value]bool{}, accepting: true}
			s.follow(conn, maxConnDepth) // this function only: a helper may set a deadline
			if s.read == nil || s.read.Parent() != fn || !before(s.read, s.escapes) {
				continue
			}
			expr := res.Syntax.CallExpr(call.Pos())
			if expr == nil || res.Syntax.Skip(expr.Pos(), false) {
				continue
			}
			pass.Report(analysis.Diagnostic{
				Pos: expr.Fun.Pos(), End: expr.Fun.End(), Category: "conn-no-deadline",
				Message: "Accept reads the connection it accepts with no deadline before returning it: a client that connects and sends nothing blocks this Accept, and the server's accept loop with it; call SetReadDeadline before reading and clear it after",
				Related: []analysis.RelatedInformation{{Pos: s.read.Pos(), Message: "read here"}},
			})
		}
	}
}

// implementsAccept reports whether fn is the method by which its receiver
// type implements the listener interface whose Accept (or a concrete
// listener's, which implements it) accept is.
func implementsAccept(fn *ssa.Function, accept *types.Func) bool {
	obj := fn.Object()
	recv := fn.Signature.Recv()
	if obj == nil || accept.Pkg() == nil || obj.Name() != accept.Name() {
		return false
	}
	listener, ok := accept.Pkg().Scope().Lookup("Listener").(*types.TypeName)
	if !ok {
		return false
	}
	iface, ok := listener.Type().Underlying().(*types.Interface)
	return ok && types.Implements(recv.Type(), iface)
}

// readFirst reports whether read runs before every one of the uses the
// search could not follow, all in read's function.
func readFirst(read ssa.Instruction, uses []ssa.Instruction) bool {
	for _, u := range uses {
		if u.Parent() != read.Parent() {
			return false
		}
	}
	return before(read, uses)
}

// before reports whether read runs before every one of uses.
func before(read ssa.Instruction, uses []ssa.Instruction) bool {
	for _, u := range uses {
		if u != read && !ctxflow.RunsBefore(read, u) {
			return false
		}
	}
	return true
}
