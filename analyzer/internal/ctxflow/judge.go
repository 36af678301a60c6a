package ctxflow

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/sinks"
)

// Boundedness is what a sink's receiver says about the wait, independent of
// any context: an *http.Client with Timeout bounds its calls; a net.Dialer
// with Timeout bounds its dials.
type Boundedness uint8

const (
	// NotApplicable: the sink has no receiver that can bound it.
	NotApplicable Boundedness = iota
	// ReceiverUnknown: a client or dialer built where the analysis cannot see.
	ReceiverUnknown
	// ReceiverBounded: a timeout is set on the receiver.
	ReceiverBounded
	// ReceiverUnbounded: http.DefaultClient, or a literal with no timeout.
	ReceiverUnbounded
)

// Verdict is what the core knows about one sink call.
type Verdict struct {
	Call *Call
	// Ctx is the origin of the context that governs the call: its context
	// argument or its request's context. A sink with neither has HasContext
	// false and Ctx.State NoDeadline.
	Ctx        Origin
	HasContext bool
	Recv       Boundedness
}

// Judge evaluates a sink call.
func (r *Result) Judge(c *Call) Verdict {
	s := c.Sink
	v := Verdict{Call: c, Recv: r.receiverBound(c)}
	switch {
	case s.HasContext() && s.Context < len(c.Args):
		v.HasContext, v.Ctx = true, r.Classify(c.Args[s.Context])
	case s.Request >= 0 && s.Request < len(c.Args):
		v.HasContext, v.Ctx = true, r.RequestOrigin(c.Args[s.Request])
	default:
		v.Ctx = Origin{State: NoDeadline, Desc: "no context"}
	}
	return v
}

func (r *Result) receiverBound(c *Call) Boundedness {
	switch c.Sink.Bound {
	case sinks.BoundByDefaultClient:
		return ReceiverUnbounded
	case sinks.BoundByClientTimeout:
		return structBound(c.Recv, 0, "Timeout")
	case sinks.BoundByDialerTimeout:
		return structBound(c.Recv, 0, "Timeout", "Deadline", "NetDialer")
	case sinks.BoundByConnDeadline:
		if callsSetDeadline(c.Fn) {
			return ReceiverBounded
		}
		return ReceiverUnbounded
	}
	return NotApplicable
}

// structBound says whether a client or dialer value has one of the bounding
// fields set. Only values whose whole life is visible count as unbounded: a
// global http.DefaultClient, or a local literal that never escapes.
func structBound(v ssa.Value, depth int, fields ...string) Boundedness {
	if depth > maxDepth || v == nil {
		return ReceiverUnknown
	}
	switch v := v.(type) {
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return ReceiverUnknown
		}
		if g, ok := v.X.(*ssa.Global); ok && g.Pkg != nil && g.Pkg.Pkg.Path() == "net/http" && g.Name() == "DefaultClient" {
			return ReceiverUnbounded
		}
		if a, ok := v.X.(*ssa.Alloc); ok {
			return allocBound(a, fields)
		}
	case *ssa.Alloc:
		return allocBound(v, fields)
	case *ssa.Phi:
		out := ReceiverUnbounded
		for _, e := range v.Edges {
			switch structBound(e, depth+1, fields...) {
			case ReceiverUnknown:
				return ReceiverUnknown
			case ReceiverBounded:
				out = ReceiverBounded
			}
		}
		return out
	}
	return ReceiverUnknown
}

func allocBound(a *ssa.Alloc, fields []string) Boundedness {
	out := ReceiverUnbounded
	for _, ref := range *a.Referrers() {
		switch ref := ref.(type) {
		case *ssa.FieldAddr:
			if !isOneOf(fieldName(a.Type(), ref.Field), fields) {
				continue
			}
			for _, use := range *ref.Referrers() {
				if st, ok := use.(*ssa.Store); ok && st.Addr == ref {
					if c, ok := st.Val.(*ssa.Const); ok && c.IsNil() || ok && c.Value != nil && c.Value.String() == "0" {
						continue
					}
					out = ReceiverBounded
				}
			}
		case *ssa.Store:
			if ref.Val == a {
				return ReceiverUnknown // escapes: set elsewhere
			}
			if ref.Addr == a {
				// d := net.Dialer{…}: the literal is built in another alloc and copied in.
				switch val := ref.Val.(type) {
				case *ssa.Const:
				case *ssa.UnOp:
					src, ok := val.X.(*ssa.Alloc)
					if !ok || val.Op != token.MUL || src == a {
						return ReceiverUnknown
					}
					switch allocBound(src, fields) {
					case ReceiverUnknown:
						return ReceiverUnknown
					case ReceiverBounded:
						out = ReceiverBounded
					}
				default:
					return ReceiverUnknown
				}
			}
		case ssa.CallInstruction:
			common := ref.Common()
			if fn, recv, _ := splitCall(common); fn != nil && recv == a {
				continue // its own method
			}
			return ReceiverUnknown
		case *ssa.MakeInterface, *ssa.MakeClosure:
			return ReceiverUnknown
		}
	}
	return out
}

func isOneOf(s string, list []string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

// callsSetDeadline reports whether fn (or a function enclosing it) sets a read
// or overall deadline on a connection.
func callsSetDeadline(fn *ssa.Function) bool {
	for ; fn != nil; fn = fn.Parent() {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				if callee, _, _ := splitCall(ci.Common()); callee != nil {
					if n := callee.Name(); n == "SetDeadline" || n == "SetReadDeadline" {
						return true
					}
				}
			}
		}
	}
	return false
}

// Reaching says whether a verdict lets a caller-supplied context reach the
// wait: the context is the only bound (no timeout on the receiver, and the
// receiver is known). It is what the facts summarize.
func (v Verdict) Reaching() bool {
	return v.HasContext && (v.Recv == NotApplicable || v.Recv == ReceiverUnbounded)
}

// CalleeName renders the callee for messages.
func (c *Call) CalleeName() string { return ShortName(c.Callee) }

// SigParam returns the signature index (receiver excluded) of p in its
// function, or -1.
func SigParam(p *ssa.Parameter) int {
	fn := p.Parent()
	for i, q := range fn.Params {
		if q == p {
			if fn.Signature.Recv() != nil {
				return i - 1
			}
			return i
		}
	}
	return -1
}

// funcObject returns the declared function of an SSA function, or nil for
// closures and wrappers.
func funcObject(fn *ssa.Function) *types.Func {
	if fn == nil || fn.Synthetic != "" {
		return nil
	}
	obj, _ := fn.Object().(*types.Func)
	return obj
}
