package nodeadline

import (
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// checkAcceptedReads judges a connection a server accepts from a listener
// and then reads — in the accepting function, or in the goroutine, closure
// or helper of the package it is handed to — with no deadline set anywhere
// on the way: a client that connects and sends nothing, or stops halfway
// through a message, holds the goroutine and the socket forever, and
// enough of them exhaust the server (rqlite's cluster service, emitter's
// MQTT connections, fixed with SetReadDeadline before each read). It is
// the same contract as an http.Server without ReadHeaderTimeout, and the
// same flag turns both off. Silent when the search meets any use it cannot
// follow (a deadline set, the connection handed to another package —
// tls.Server, rpc.ServeConn, an HTTP server —, kept where others can reach
// it), when the connection is only relayed (io.Copy: a proxy, where an idle
// client is normal), when a function that does not read it closes it from
// a closure or after a receive (an idle reaper), and on Unix-domain
// listeners made here.
func checkAcceptedReads(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, call *ssa.Call) {
	callee, recv, _ := ctxflow.SplitCall(call.Common())
	if res.InGOROOT() || implementsAccept(fn, callee) || recv == nil || ctxflow.LocalListener(recv) || res.SetsConnDeadline(fn) {
		return
	}
	conn := resultConn(call)
	if conn == nil {
		return
	}
	s := &connSearch{res: res, seen: map[ssa.Value]bool{}, serving: true, readIn: map[*ssa.Function]bool{}}
	s.follow(conn, 0)
	expr := res.Syntax.CallExpr(call.Pos())
	if expr == nil {
		return
	}
	if (s.unknown || s.read != nil && s.reaped()) && ctxflow.InLoop(call.Block()) {
		if read := inlineRead(res, fn, conn); read != nil {
			pass.Report(analysis.Diagnostic{
				Pos: expr.Fun.Pos(), End: expr.Fun.End(), Category: "accepted-conn-no-deadline",
				Message: "the accept loop reads the connection it accepted with no deadline before it goes on, so one client that connects and sends nothing blocks every later connection: call SetReadDeadline before the read (and clear it after), or read in the connection's own goroutine",
				Related: []analysis.RelatedInformation{{Pos: read.Pos(), Message: "read here"}},
			})
		}
		return
	}
	if s.unknown || s.read == nil || s.reaped() {
		return
	}
	pass.Report(analysis.Diagnostic{
		Pos: expr.Fun.Pos(), End: expr.Fun.End(), Category: "accepted-conn-no-deadline",
		Message: "the connection accepted here is read with no deadline, so a client that connects and sends nothing (or stops halfway) holds its goroutine and socket forever: call SetReadDeadline before each read",
		Related: []analysis.RelatedInformation{{Pos: s.read.Pos(), Message: "read here"}},
	})
}

// inlineRead returns a read of the accepted connection conn that the
// accepting function fn makes itself, or through a helper of the package
// it calls (not with go), before anything the search cannot follow happens
// to the connection (nebula's SSH server ran the handshake's reads in its
// accept loop, then kept the connection in a session): whatever becomes of
// the connection later — a session reaper closing it, kept elsewhere —,
// that read holds the loop. A function that closes the connection without
// reading it (a watchdog started with it) makes it silent.
func inlineRead(res *ctxflow.Result, fn *ssa.Function, conn ssa.Value) ssa.Instruction {
	s := &connSearch{res: res, seen: map[ssa.Value]bool{}, serving: true, ordered: true, readIn: map[*ssa.Function]bool{}}
	s.follow(conn, 0)
	for _, closer := range s.closeIn {
		if closer != fn && !s.readIn[closer] {
			return nil // a watchdog started with the connection (a literal, a function run with go)
		}
	}
	for _, read := range s.reads {
		rf := read.Parent()
		var site ssa.Instruction = read
		if rf != fn {
			site = nil
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					if c, ok := instr.(*ssa.Call); ok && c.Call.StaticCallee() == rf {
						site = c
					}
				}
			}
			if site == nil || res.SetsConnDeadline(rf) {
				continue
			}
		}
		first := true
		for _, e := range s.escapes {
			switch e.Parent() {
			case rf:
				first = first && ctxflow.RunsBefore(read, e)
			case fn:
				first = first && ctxflow.RunsBefore(site, e)
			default:
				first = false
			}
		}
		if first {
			return read
		}
	}
	return nil
}

// ownFunc reports whether fn is a function of the package with a body.
func (s *connSearch) ownFunc(fn *ssa.Function) bool {
	return fn.Pkg == s.res.Pkg && len(fn.Blocks) > 0
}

// noteRead records a read of the connection.
func (s *connSearch) noteRead(at ssa.Instruction) {
	if !s.serving && !s.accepting && s.readerLoop(at) {
		s.giveUp(at)
		return
	}
	if s.read == nil {
		s.read = at
	}
	s.reads = append(s.reads, at)
	if s.readIn != nil {
		s.readIn[at.Parent()] = true
	}
}

// readerLoop reports whether at, a read of a dialed connection, is in a
// loop of a function the package only ever starts with go: a reader
// goroutine that owns the connection for its lifetime (wsrpc's
// handleRead, a multiplexed client's demultiplexer). Its idle waits
// between answers are the connection's keepalive policy; the caller's wait
// for an answer is elsewhere (a select on the reply and a timeout).
func (s *connSearch) readerLoop(at ssa.Instruction) bool {
	fn := at.Parent()
	if !ctxflow.InLoop(at.Block()) {
		return false
	}
	callers := s.res.CallersOf(fn)
	if len(callers) == 0 {
		return false
	}
	for _, c := range callers {
		if _, isGo := c.Instr.(*ssa.Go); !isGo {
			return false
		}
	}
	return true
}

// readBefore reports whether a read found so far runs before at, in its
// function, on every path.
func (s *connSearch) readBefore(at ssa.Instruction) bool {
	for _, r := range s.reads {
		if r.Parent() == at.Parent() && ctxflow.RunsBefore(r, at) {
			return true
		}
	}
	return false
}

// variable follows a connection kept in a local variable that a closure
// captures (SSA keeps such variables in an Alloc): its loads are uses, and
// so are the closures that capture it. Other values stored in it (nil on an
// error path, a named result) are no use of the connection.
func (s *connSearch) variable(addr ssa.Value, depth int) {
	if s.seen[addr] || addr.Referrers() == nil {
		return
	}
	s.seen[addr] = true
	for _, ref := range *addr.Referrers() {
		switch x := ref.(type) {
		case *ssa.DebugRef:
		case *ssa.UnOp:
			if x.Op != token.MUL {
				s.giveUp(x)
				return
			}
			s.follow(x, depth)
		case *ssa.Store:
			// Another value stored in the variable (nil on an error
			// path) is no use of this connection.
		case *ssa.MakeClosure:
			s.captured(x, addr, depth)
		default:
			s.giveUp(ref)
		}
		if s.unknown {
			return
		}
	}
}

// captured follows v into the function literal whose closure binds it, for
// a server's connection; for a dialed one, a closure that is deferred and
// only closes the connection runs after everything else (grpc's `defer
// func() { if err != nil { conn.Close() } }()`), and any other is a use the
// search cannot place.
func (s *connSearch) captured(mc *ssa.MakeClosure, v ssa.Value, depth int) {
	fn, _ := mc.Fn.(*ssa.Function)
	if !s.serving {
		if fn == nil || !deferredCloser(mc, fn, v) {
			s.giveUp(mc)
		}
		return
	}
	if fn == nil || depth >= maxConnDepth || s.res.SetsConnDeadline(fn) {
		s.giveUp(mc)
		return
	}
	for i, b := range mc.Bindings {
		if b != v || i >= len(fn.FreeVars) {
			continue
		}
		if _, isAddr := v.(*ssa.Alloc); isAddr {
			s.variable(fn.FreeVars[i], depth+1)
		} else {
			s.follow(fn.FreeVars[i], depth+1)
		}
	}
}

// deferredCloser reports whether mc is only deferred and the function
// literal fn it makes uses its binding v for nothing but Close.
func deferredCloser(mc *ssa.MakeClosure, fn *ssa.Function, v ssa.Value) bool {
	for _, ref := range *mc.Referrers() {
		if d, ok := ref.(*ssa.Defer); !ok || d.Call.Value != mc {
			return false
		}
	}
	for i, b := range mc.Bindings {
		if b != v || i >= len(fn.FreeVars) {
			continue
		}
		uses := []ssa.Value{fn.FreeVars[i]}
		for len(uses) > 0 {
			u := uses[0]
			uses = uses[1:]
			for _, ref := range *u.Referrers() {
				switch x := ref.(type) {
				case *ssa.DebugRef:
				case *ssa.UnOp:
					if x.Op != token.MUL {
						return false
					}
					uses = append(uses, x)
				case ssa.CallInstruction:
					callee, recv, _ := ctxflow.SplitCall(x.Common())
					if callee == nil || recv != u || callee.Name() != "Close" {
						return false
					}
				default:
					return false
				}
			}
		}
	}
	return true
}

// reaped reports whether a function that never reads the connection closes
// it from a closure or after a receive: an idle reaper or a watchdog, which
// bounds the reads as a deadline would.
func (s *connSearch) reaped() bool {
	for _, fn := range s.closeIn {
		if !s.readIn[fn] && (fn.Parent() != nil || receives(fn)) {
			return true
		}
	}
	return false
}

// receives reports whether fn receives from a channel or selects.
func receives(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		if ctxflow.BlockWaits(b) {
			return true
		}
	}
	return false
}
