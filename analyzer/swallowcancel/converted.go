package swallowcancel

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// replacement is a path of an error converter on which it returns a new
// error in place of its error parameter.
type replacement struct {
	desc string    // how to name the new error
	pos  token.Pos // where the converter makes it
}

// checkConverted reports an error that may be a cancellation handed to a
// function of this package that returns, on some path, a new error in its
// place (the fallback of an error-code mapper: statusErr("Unknown",
// err.Error()), as etcd's togRPCError did), when the caller passes the
// result on. The cancellation is known only here, at the call; the
// replacement only in the converter.
func (c *checker) checkConverted(f *fnInfo) {
	for _, b := range f.fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			conv := call.Call.StaticCallee()
			if conv == nil || conv.Pkg != c.res.Pkg || conv == f.fn || len(conv.Blocks) == 0 {
				continue
			}
			results := conv.Signature.Results()
			if results.Len() != 1 || !knowledge.IsError(results.At(0).Type()) || !passedOn(call, 0) {
				continue
			}
			for i, p := range conv.Params {
				if i >= len(call.Call.Args) || !knowledge.IsError(p.Type()) {
					continue
				}
				r := c.replaces(p)
				if r == nil {
					continue
				}
				srcs := c.cancellations(f, call.Call.Args[i], call)
				if len(srcs) == 0 {
					continue
				}
				name := conv.Name()
				c.pass.Report(analysis.Diagnostic{
					Pos: call.Pos(),
					Message: fmt.Sprintf("%s replaces %s, which may be a context cancellation%s, with %s that does not wrap it: errors.Is(err, context.Canceled) is false upstream; have %s return context errors unchanged (or wrap with %%w)",
						name, p.Name(), sourceText(srcs), r.desc, name),
					Related: []analysis.RelatedInformation{{Pos: r.pos, Message: "the new error, made in " + name}},
				})
				break
			}
		}
	}
}

// replaces returns the first path on which the function of p returns a new
// error that does not wrap p, where p is not known to be anything else: not
// after a test that found it no cancellation, nor in the branch of a test
// that found it a particular other error.
func (c *checker) replaces(p *ssa.Parameter) *replacement {
	if r, ok := c.replaced[p]; ok {
		return r
	}
	c.replaced[p] = nil
	fn := p.Parent()
	for _, ret := range ctxflow.Returns(fn) {
		v := errResult(ret)
		desc, ok := c.freshThrough(v, p, 0)
		if !ok || c.wrapsContextErr(v) || answersOther(fn.Blocks[0], ret.Block(), p) || c.notCancellation(ret.Block(), p, true) || c.classifiedFirst(ret.Block(), p) {
			continue
		}
		r := &replacement{desc: desc, pos: c.valuePos(v, ret)}
		c.replaced[p] = r
		return r
	}
	return nil
}

// freshThrough is freshError, also through a constructor of this package
// every return of which is a fresh error (statusErr(code, msg)).
func (c *checker) freshThrough(v, old ssa.Value, depth int) (string, bool) {
	if f, ok := c.freshError(v, old); ok {
		return f.desc, true
	}
	call, ok := ctxflow.StripInterface(v).(*ssa.Call)
	if !ok || depth > 2 {
		return "", false
	}
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg != c.res.Pkg || len(callee.Blocks) == 0 {
		return "", false
	}
	for _, a := range call.Call.Args {
		if usesValue(a, old) && knowledge.IsError(a.Type()) {
			return "", false // the error itself goes in: judged in the constructor
		}
	}
	desc := ""
	rets := ctxflow.Returns(callee)
	for _, ret := range rets {
		d, ok := c.freshThrough(errResult(ret), nil, depth+1)
		if !ok {
			return "", false
		}
		desc = d
	}
	return desc, len(rets) > 0
}

// notCancellation reports whether block b runs only after a test found err
// not to be context.Canceled or DeadlineExceeded (the false branch of
// errors.Is(err, context.Canceled) or err == context.DeadlineExceeded),
// or, with predicates, the false branch of a cancellation predicate of the
// package (isCancelPredicate). The retry-helper check counts explicit
// tests only.
func (c *checker) notCancellation(b *ssa.BasicBlock, err ssa.Value, predicates bool) bool {
	for x := b; x != nil; x = x.Idom() {
		p := x.Idom()
		if p == nil {
			return false
		}
		var tested ssa.Value
		if predicates {
			tested = c.predicateTest(p)
		}
		if t := c.cancelTestOf(p); t != nil {
			tested = t.err
		}
		if tested == nil || !sameVariable(ctxflow.StripInterface(tested), ctxflow.StripInterface(err)) {
			continue
		}
		if no := p.Succs[1]; no.Dominates(b) && len(no.Preds) == 1 {
			return true
		}
	}
	return false
}

// classifiedFirst reports whether block b runs only on one side of a test
// of what a function of the package made of err, where that function
// tells cancellations apart itself (errors.Is with both context.Canceled
// and DeadlineExceeded: a stand-in for gRPC's status.FromContextError).
// The converter decided what a cancellation becomes before it got here
// (fabric's toRpcError: `if s := fromContextError(err); s.code !=
// Unknown { return s }`, then a FailedPrecondition for the rest).
func (c *checker) classifiedFirst(b *ssa.BasicBlock, err *ssa.Parameter) bool {
	for x := b; x != nil; x = x.Idom() {
		p := x.Idom()
		if p == nil || len(p.Instrs) == 0 {
			return false
		}
		iff, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		var operands []ssa.Value
		switch cond := iff.Cond.(type) {
		case *ssa.BinOp:
			operands = []ssa.Value{cond.X, cond.Y}
		default:
			operands = []ssa.Value{cond}
		}
		for _, v := range operands {
			if c.madeByClassifier(v, err, 0) {
				return true
			}
		}
	}
	return false
}

// madeByClassifier reports whether v is, within a few field selections and
// loads, the result of a call of a function of the package that is handed
// err and tests it against both cancellations (classifiesCancellations).
func (c *checker) madeByClassifier(v ssa.Value, err *ssa.Parameter, depth int) bool {
	if depth > 6 {
		return false
	}
	switch x := v.(type) {
	case *ssa.Field:
		return c.madeByClassifier(x.X, err, depth+1)
	case *ssa.FieldAddr:
		return c.madeByClassifier(x.X, err, depth+1)
	case *ssa.Extract:
		return c.madeByClassifier(x.Tuple, err, depth+1)
	case *ssa.ChangeInterface, *ssa.MakeInterface:
		return c.madeByClassifier(ctxflow.StripInterface(x), err, depth+1)
	case *ssa.UnOp:
		if x.Op != token.MUL {
			return false
		}
		if alloc, ok := x.X.(*ssa.Alloc); ok && alloc.Referrers() != nil {
			// A local variable: what the function stores in it.
			for _, ref := range *alloc.Referrers() {
				if st, ok := ref.(*ssa.Store); ok && st.Addr == ssa.Value(alloc) && c.madeByClassifier(st.Val, err, depth+1) {
					return true
				}
			}
			return false
		}
		return c.madeByClassifier(x.X, err, depth+1)
	case *ssa.Call:
		callee := x.Call.StaticCallee()
		if callee == nil || callee.Pkg != c.res.Pkg {
			return false
		}
		for i, a := range x.Call.Args {
			if ctxflow.StripInterface(a) == ssa.Value(err) && i < len(callee.Params) && c.classifiesCancellations(callee.Params[i]) {
				return true
			}
		}
	}
	return false
}

// classifiesCancellations reports whether the function of error parameter
// p tests p against both context.Canceled and context.DeadlineExceeded.
func (c *checker) classifiesCancellations(p *ssa.Parameter) bool {
	fn := p.Parent()
	if fn == nil || !knowledge.IsError(p.Type()) {
		return false
	}
	seen := map[knowledge.Role]bool{}
	for _, b := range fn.Blocks {
		if t := c.cancelTestOf(b); t != nil && ctxflow.StripInterface(t.err) == ssa.Value(p) {
			for s := range t.sentinels {
				seen[s] = true
			}
		}
	}
	return seen[knowledge.CtxCanceled] && seen[knowledge.CtxDeadlineErr]
}
