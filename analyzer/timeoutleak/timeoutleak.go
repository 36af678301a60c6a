package timeoutleak

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

//go:embed doc.go
var doc string

// Analyzer is timeoutleak on the shared core. timeoutleak has no settings.
var Analyzer = New(ctxflow.Analyzer)

// New returns timeoutleak on the given core.
func New(core *analysis.Analyzer) *analysis.Analyzer {
	a := &analysis.Analyzer{
		Name:     "timeoutleak",
		Doc:      lintutil.ExtractDoc(doc, "timeoutleak"),
		URL:      lintutil.URL("timeoutleak"),
		Requires: []*analysis.Analyzer{core},
	}
	a.Run = lintutil.Run(a.Name, func(pass *analysis.Pass) (any, error) {
		return run(pass, pass.ResultOf[core].(*ctxflow.Result))
	})
	return a
}

func run(pass *analysis.Pass, res *ctxflow.Result) (any, error) {
	reported := map[*ssa.MakeChan]bool{}
	var made []*ssa.MakeChan
	for fn, instr := range res.Instrs() {
		switch instr := instr.(type) {
		case *ssa.Select:
			checkSelect(pass, res, fn, instr, reported)
		case *ssa.MakeChan:
			made = append(made, instr)
		case *ssa.UnOp:
			checkAbandonedRange(pass, res, fn, instr)
		}
	}
	checkReplyFields(pass, res, reported)
	for _, mk := range made {
		if !reported[mk] {
			if unbuffered(mk) {
				// Both judge the same uses of the channel: follow them once.
				ch := &channel{mk: mk, cell: cellOf(mk)}
				if u, ok := ch.follow(mk.Parent()); ok && !u.returned && !checkEarlyReturn(pass, res, mk, u) {
					checkSurplusSenders(pass, res, mk, u)
				}
			}
			checkProducer(pass, res, mk)
			checkRunnerSenders(pass, res, mk)
		}
	}
	return nil, nil
}

// checkEarlyReturn reports an unbuffered channel a goroutine sends its one
// result on, when some path from the go statement leaves the function (or
// makes the channel anew) without receiving from it, nor from a channel
// the goroutine is also given (its error channel: it then sent there
// instead): memberlist's probeNode returning on an ack before it looks at
// the TCP fallback's channel.
//
// It reports whether it reported. mk is unbuffered and u are its uses.
func checkEarlyReturn(pass *analysis.Pass, res *ctxflow.Result, mk *ssa.MakeChan, u uses) bool {
	fn := mk.Parent()
	if len(u.goes) == 0 || !u.sendsOnce() {
		return false
	}
	stops := map[*ssa.BasicBlock]bool{}
	for b := range u.drains {
		stops[b] = true
	}
	for _, b := range fn.Blocks {
		if receivesCarried(b, u) {
			stops[b] = true
		}
	}
	for _, g := range u.goes {
		for _, c := range u.closes {
			if c == g.Block() || ctxflow.Reaches(g.Block(), c) {
				return false // closed on a path the goroutine runs on: not understood
			}
		}
	}
	for _, g := range u.goes {
		if ctxflow.InLoop(g.Block()) {
			return false // one goroutine a round, received a counted number of times (gocql's SetHosts): not one slot's business
		}
		if g.Parent() != fn {
			return false // started by a closure fn calls: its paths are not fn's
		}
	}
	for _, g := range u.goes {
		if stops[g.Block()] {
			continue
		}
		ret := exitWithout(g.Block(), mk, stops)
		if ret == nil {
			continue
		}
		call := res.Syntax.CallExpr(mk.Pos())
		if call == nil || res.Syntax.Skip(call.Pos(), false) {
			return false
		}
		elem := types.TypeString(mk.Type().Underlying().(*types.Chan).Elem(), types.RelativeTo(pass.Pkg))
		d := analysis.Diagnostic{
			Pos: call.Pos(), End: call.End(),
			Message: fmt.Sprintf("goroutine sends on this unbuffered channel, but the function can return without receiving from it: the goroutine then blocks forever (a leak each time); make it buffered: make(chan %s, 1)", elem),
			Related: []analysis.RelatedInformation{
				{Pos: u.sends[0].Pos(), Message: "the goroutine's send"},
				{Pos: ret.Pos(), Message: "returns here without receiving"},
			},
		}
		addBuffer(res, &d, call, "1", "one")
		pass.Report(d)
		return true
	}
	return false
}

// addBuffer offers the fix of an unbuffered channel's leak: its make given
// a buffer of size (named label in the fix's title).
func addBuffer(res *ctxflow.Result, d *analysis.Diagnostic, mk *ast.CallExpr, size, label string) {
	if res.Syntax.Editable(mk.Pos()) && len(mk.Args) == 1 {
		d.SuggestedFixes = []analysis.SuggestedFix{{
			Message:   "Give the channel a buffer of " + label,
			TextEdits: []analysis.TextEdit{{Pos: mk.Args[0].End(), End: mk.Args[0].End(), NewText: []byte(", " + size)}},
		}}
	}
}

// exitWithout returns where some path from a block leaves the function (a
// return), or makes the channel anew (the next round of a loop), without
// passing a block in stops (one that receives from the channel); nil if
// none does.
func exitWithout(from *ssa.BasicBlock, mk ssa.Instruction, stops map[*ssa.BasicBlock]bool) ssa.Instruction {
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{from}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		if b == mk.Block() && b != from {
			return mk
		}
		if stops[b] {
			continue
		}
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			return ret
		}
		stack = append(stack, b.Succs...)
	}
	return nil
}

// receivesCarried reports whether b receives from a channel the goroutine
// is also given.
func receivesCarried(b *ssa.BasicBlock, u uses) bool {
	for _, instr := range b.Instrs {
		switch x := instr.(type) {
		case *ssa.UnOp:
			if x.Op == token.ARROW && u.carried(x.X) {
				return true
			}
		case *ssa.Select:
			for _, st := range x.States {
				if st.Dir == types.RecvOnly && u.carried(st.Chan) {
					return true
				}
			}
		}
	}
	return false
}

// cellOf returns the variable (cell) that holds mk when closures capture
// it, or nil.
func cellOf(mk *ssa.MakeChan) *ssa.Alloc {
	for _, ref := range *mk.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Val == mk {
			if cell, ok := st.Addr.(*ssa.Alloc); ok && cell.Heap {
				return cell
			}
		}
	}
	return nil
}

func checkSelect(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, sel *ssa.Select, reported map[*ssa.MakeChan]bool) {
	for i, st := range sel.States {
		if st.Dir != types.RecvOnly {
			continue
		}
		if checkFuture(pass, res, fn, sel, i, reported) {
			continue
		}
		ch := chanOf(st.Chan)
		if ch == nil || ch.mk.Parent() != fn || !unbuffered(ch.mk) {
			continue
		}
		ch.handed = func(p *ssa.Parameter) []*ssa.Function { return funcsPassed(res, p) }
		u, ok := ch.follow(fn)
		if !ok || u.returned || len(u.sends) == 0 || len(u.closes) > 0 {
			continue
		}
		leaving := -1
		for j := range sel.States {
			if j != i && !u.carried(sel.States[j].Chan) && u.leaves(ctxflow.SelectCase(sel, j), ch.mk) {
				leaving = j
				break
			}
		}
		if leaving < 0 {
			continue
		}
		mk := ch.mk
		call := res.Syntax.CallExpr(mk.Pos())
		if call == nil || res.Syntax.Skip(call.Pos(), false) {
			continue
		}
		if !u.sendsOnce() {
			reportProducers(pass, res, call, u, sel.States[leaving])
			reported[mk] = true
			continue
		}
		elem := types.TypeString(mk.Type().Underlying().(*types.Chan).Elem(), types.RelativeTo(pass.Pkg))
		other := sel.States[leaving]
		when := ""
		if what := ctxflow.TimeoutChan(other.Chan); what != "" && other.Dir == types.RecvOnly {
			when = fmt.Sprintf("when %s fires: the goroutine then blocks forever (a leak per timeout)", what)
		} else {
			when = fmt.Sprintf("when %s is chosen and the channel is not drained: the goroutine then blocks forever (a leak each time)", caseText(res, other))
		}
		size, sizeOK := "1", true
		who := "goroutine sends"
		if g := startedInLoop(u, mk); g != nil {
			// One goroutine a round: one slot saves only one of them.
			size, sizeOK = roundsOf(pass, res, g, call)
			who = "goroutines started in a loop send"
			when = strings.Replace(when, "the goroutine then blocks", "every goroutine not received from then blocks", 1)
		}
		advice := fmt.Sprintf("make it buffered: make(chan %s, %s)", elem, size)
		if !sizeOK {
			advice = "give it a buffer that holds one value per goroutine started"
		}
		d := analysis.Diagnostic{
			Pos: call.Pos(), End: call.End(),
			Message: fmt.Sprintf("%s on this unbuffered channel, but the select stops waiting %s; %s", who, when, advice),
			Related: []analysis.RelatedInformation{
				{Pos: u.sends[0].Pos(), Message: "the goroutine's send"},
				{Pos: other.Pos, Message: "the case that stops waiting"},
			},
		}
		if sizeOK {
			addBuffer(res, &d, call, size, size)
		}
		reported[mk] = true
		pass.Report(d)
	}
}

// funcsPassed returns the functions of the package that its calls pass
// as parameter p (a function literal, a declared function, or what a
// function of the package returns on every path: newAction's literal).
// Arguments it cannot resolve are left out; nil when none resolves. At
// most maxPassedFuncs are returned.
func funcsPassed(res *ctxflow.Result, p *ssa.Parameter) []*ssa.Function {
	fn := p.Parent()
	idx := -1
	for i, q := range fn.Params {
		if q == p {
			idx = i
		}
	}
	if idx < 0 {
		return nil
	}
	var out []*ssa.Function
	add := func(f *ssa.Function) {
		if f != nil && len(f.Blocks) > 0 && !slices.Contains(out, f) && len(out) < maxPassedFuncs {
			out = append(out, f)
		}
	}
	for _, c := range res.CallersOf(fn) {
		common := c.Instr.Common()
		if common.IsInvoke() || idx >= len(common.Args) {
			continue
		}
		for _, f := range funcValues(ctxflow.Unconvert(common.Args[idx])) {
			add(f)
		}
	}
	return out
}

// maxPassedFuncs bounds funcsPassed.
const maxPassedFuncs = 8

// funcValues resolves a function value to the functions it may be: a
// declared function, a literal, or the literal every return of a function
// of the same package gives.
func funcValues(v ssa.Value) []*ssa.Function {
	if f := ctxflow.FuncValue(v); f != nil {
		return []*ssa.Function{f}
	}
	call, ok := v.(*ssa.Call)
	if !ok {
		return nil
	}
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg != call.Parent().Pkg || len(callee.Blocks) == 0 {
		return nil
	}
	var out []*ssa.Function
	for _, ret := range ctxflow.Returns(callee) {
		var f *ssa.Function
		if len(ret.Results) == 1 {
			f = ctxflow.FuncValue(ret.Results[0])
		}
		if f == nil {
			return nil
		}
		out = append(out, f)
	}
	return out
}

// startedInLoop returns a go statement of u that runs once a round of a
// loop that does not make the channel anew (mk outside it), or nil.
func startedInLoop(u uses, mk *ssa.MakeChan) *ssa.Go {
	for _, g := range u.goes {
		loop := ctxflow.LoopBlocks(g.Block())
		if len(loop) > 0 && !slices.Contains(loop, mk.Block()) {
			return g
		}
	}
	return nil
}

// roundsOf returns, as source text, how many goroutines the range loop
// around go statement g starts — len(x) for a range over a slice, array,
// map or string x, n for a range over an integer n — when x is an
// identifier declared before the channel is made (so the make can say it);
// ok=false otherwise.
func roundsOf(pass *analysis.Pass, res *ctxflow.Result, g *ssa.Go, mk *ast.CallExpr) (string, bool) {
	cur, ok := res.Syntax.Enclosing(g.Pos(), g.Pos(), (*ast.RangeStmt)(nil))
	if !ok {
		return "", false
	}
	rs := cur.Node().(*ast.RangeStmt)
	id, ok := ast.Unparen(rs.X).(*ast.Ident)
	if !ok || rs.Pos() < mk.End() {
		return "", false
	}
	obj := pass.TypesInfo.Uses[id]
	if obj == nil || obj.Pos() >= mk.Pos() || obj.Parent() == nil || !obj.Parent().Contains(mk.Pos()) {
		return "", false
	}
	switch t := obj.Type().Underlying().(type) {
	case *types.Slice, *types.Array, *types.Map:
		return "len(" + id.Name + ")", true
	case *types.Basic:
		if t.Info()&types.IsInteger != 0 {
			return id.Name, true
		}
		if t.Info()&types.IsString != 0 {
			return "len(" + id.Name + ")", true
		}
	}
	return "", false
}

// reportProducers reports goroutines that send on the channel more than
// once (workers, producers) with plain sends while the receiver stops at
// ctx.Done(): no buffer of one saves them, but the context they can see
// does (minio-go's streaming upload workers). Where the receiver stops on
// anything else, or the senders cannot see that context, there is no
// mechanical answer to give, and nothing is said.
func reportProducers(pass *analysis.Pass, res *ctxflow.Result, call *ast.CallExpr, u uses, other *ssa.SelectState) {
	if other.Dir != types.RecvOnly || ctxflow.TimeoutChan(other.Chan) != "ctx.Done()" {
		return
	}
	for _, send := range u.sends {
		if res.ContextInScope(send.Parent(), send.Pos()) == "" {
			return
		}
	}
	pass.Report(analysis.Diagnostic{
		Pos: call.Pos(), End: call.End(),
		Message: "goroutines send on this channel with plain sends, more than once each, but the receiver stops waiting when ctx.Done() fires: every sender then blocks forever (a leak each time); send in a select with case <-ctx.Done()",
		Related: []analysis.RelatedInformation{
			{Pos: u.sends[0].Pos(), Message: "a plain send"},
			{Pos: other.Pos, Message: "the case that stops waiting"},
		},
	})
}

// caseText is the source of a select case's communication, for messages.
func caseText(res *ctxflow.Result, st *ssa.SelectState) string {
	if cur, ok := res.Syntax.Enclosing(st.Pos, st.Pos, (*ast.UnaryExpr)(nil), (*ast.SendStmt)(nil)); ok {
		switch n := cur.Node().(type) {
		case *ast.UnaryExpr:
			return "case " + types.ExprString(n)
		case *ast.SendStmt:
			return "case " + types.ExprString(n.Chan) + " <- " + types.ExprString(n.Value)
		}
	}
	return "another case"
}

func unbuffered(mk *ssa.MakeChan) bool {
	c, ok := mk.Size.(*ssa.Const)
	return ok && c.Value != nil && c.Value.Kind() == constant.Int && constant.Sign(c.Value) == 0
}

// channel is a local channel: the make and, when closures capture it, the
// variable (cell) that holds it.
type channel struct {
	mk   *ssa.MakeChan
	cell *ssa.Alloc
	// handed resolves a function parameter started with go to the
	// functions the package's calls pass there (nil: not followed).
	handed func(*ssa.Parameter) []*ssa.Function
}

// chanOf returns the local channel v denotes, or nil.
func chanOf(v ssa.Value) *channel {
	if mk, cell := ctxflow.LocalChan(v); mk != nil {
		return &channel{mk: mk, cell: cell}
	}
	return nil
}

// uses is what the analysis learned of a local channel's uses.
type uses struct {
	sends  []*ssa.Send              // plain sends by goroutines fn starts
	drains map[*ssa.BasicBlock]bool // blocks of fn that receive from it
	starts [][]ssa.Value            // what each goroutine given the channel is given
	goes   []*ssa.Go                // the go statements that start them
	// guarded are the goroutines' selects that send on the channel with a
	// way to give up (puddle's success path next to its plain error send).
	guarded []*ssa.Select
	// closes are the blocks where fn itself closes the channel (when it
	// starts no goroutine on that path, as memberlist's probeNode does).
	closes []*ssa.BasicBlock
	// returned is set when fn returns the channel to its caller (a
	// future: go-sh's Go(f) chan error); only checkFuture judges it.
	returned bool
}

// follow follows every use of the channel in fn and in the closures
// capturing it. ok=false if something could receive from it outside fn's own
// body (a goroutine draining it, a deferred receive) or the channel escapes
// where the analysis cannot follow; fn's own receives are drains, to be
// judged by path.
func (ch *channel) follow(fn *ssa.Function) (out uses, ok bool) {
	type use struct {
		v        ssa.Value
		inGo     bool // inside a function started by a go statement
		indirect bool // v holds a pointer to the channel
		// onPanic: inside a closure the goroutine defers, whose sends
		// run only once a recover() found a panic (oci-go-sdk's Retry):
		// the normal path's sends are the ones judged.
		onPanic bool
	}
	out.drains = map[*ssa.BasicBlock]bool{}
	started := goroutines(fn)
	var work []use
	if ch.cell != nil {
		work = append(work, use{v: ch.cell, indirect: true})
	} else {
		work = append(work, use{v: ch.mk})
	}
	seen := map[ssa.Value]bool{}
	for len(work) > 0 {
		u := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[u.v] || u.v.Referrers() == nil {
			continue
		}
		seen[u.v] = true
		for _, ref := range *u.v.Referrers() {
			inFn := ref.Parent() == fn
			switch ref := ref.(type) {
			case *ssa.Store:
				if !(u.indirect && ref.Addr == u.v) && ref.Val != ch.mk {
					return out, false
				}
			case *ssa.UnOp:
				switch {
				case u.indirect && ref.Op == token.MUL:
					work = append(work, use{v: ref, inGo: u.inGo, onPanic: u.onPanic})
				case ref.Op == token.ARROW && inFn:
					out.drains[ref.Block()] = true
				default:
					return out, false // a receive elsewhere: a drain we cannot place
				}
			case *ssa.Select:
				for _, st := range ref.States {
					if st.Chan != u.v {
						continue
					}
					if st.Dir == types.SendOnly && u.inGo {
						// A send that can give up: not stuck itself,
						// but it counts against "once per run".
						out.guarded = append(out.guarded, ref)
						continue
					}
					if st.Dir != types.RecvOnly || !inFn {
						return out, false
					}
					out.drains[ref.Block()] = true
				}
			case *ssa.Send:
				if ref.Chan != u.v || !u.inGo {
					return out, false
				}
				if u.onPanic {
					if !afterRecovered(ref.Block()) {
						return out, false
					}
					continue
				}
				out.sends = append(out.sends, ref)
			case *ssa.Call:
				// close and len do not receive; a goroutine closing the channel
				// after its send is still stuck on the send.
				b, isBuiltin := ref.Call.Value.(*ssa.Builtin)
				if isBuiltin && b.Name() == "close" && !u.inGo && inFn {
					out.closes = append(out.closes, ref.Block())
					continue
				}
				if !isBuiltin || ref.Call.Value == u.v || (b.Name() == "close" && !u.inGo) {
					return out, false
				}
				switch b.Name() {
				case "close", "len", "cap":
				default:
					return out, false
				}
			case *ssa.Defer:
				// A goroutine's `defer close(ch)`: it still blocks on its
				// send before the close runs.
				if b, ok := ref.Call.Value.(*ssa.Builtin); !ok || b.Name() != "close" || !u.inGo {
					return out, false
				}
			case *ssa.MakeClosure:
				anon := ref.Fn.(*ssa.Function)
				if g := started[anon]; g != nil {
					out.starts = append(out.starts, ref.Bindings)
					out.goes = append(out.goes, g)
				}
				deferred := u.inGo && !u.onPanic && deferredBy(ref)
				for i, b := range ref.Bindings {
					if b == u.v && i < len(anon.FreeVars) {
						work = append(work, use{v: anon.FreeVars[i], inGo: started[anon] != nil || deferred, indirect: u.indirect, onPanic: deferred})
					}
				}
			case *ssa.Go:
				callees := []*ssa.Function{}
				if callee, isFn := ref.Call.Value.(*ssa.Function); isFn {
					callees = append(callees, callee)
				} else if p, isParam := ref.Call.Value.(*ssa.Parameter); isParam && p.Parent() == fn && ch.handed != nil {
					// `go fn(ctx, resultCh, errCh)` of a function the
					// caller hands in (xk6-browser's call running the
					// action newAction built): the functions the package
					// passes there are the goroutine.
					callees = ch.handed(p)
				}
				if len(callees) == 0 || u.indirect {
					return out, false
				}
				out.starts = append(out.starts, ref.Call.Args)
				out.goes = append(out.goes, ref)
				for _, callee := range callees {
					if callee.Pkg != fn.Pkg || len(callee.Params) != len(ref.Call.Args) {
						return out, false
					}
					for i, arg := range ref.Call.Args {
						if arg == u.v {
							work = append(work, use{v: callee.Params[i], inGo: true})
						}
					}
				}
			case *ssa.Return:
				if !inFn || u.inGo || u.indirect {
					return out, false
				}
				out.returned = true
			case *ssa.ChangeType:
				if !inFn || u.inGo || u.indirect {
					return out, false
				}
				work = append(work, use{v: ref}) // chan T to <-chan T, on its way out
			case *ssa.DebugRef:
			default:
				return out, false // passed on, converted, stored: cannot follow
			}
		}
	}
	return out, true
}

// sendsOnce reports whether the goroutines send at most once per run: a
// buffer of one then holds the late value, and the sender can exit.
func (u uses) sendsOnce() bool {
	if len(u.sends) == 0 {
		return false
	}
	for _, s := range u.sends {
		if ctxflow.InLoop(s.Block()) {
			return false
		}
		for _, t := range u.sends {
			if s != t && s.Parent() == t.Parent() && (s.Block() == t.Block() || ctxflow.Reaches(s.Block(), t.Block())) {
				return false
			}
		}
		for _, g := range u.guarded {
			if g.Parent() == s.Parent() && (g.Block() == s.Block() || ctxflow.Reaches(s.Block(), g.Block()) || ctxflow.Reaches(g.Block(), s.Block())) {
				return false
			}
		}
	}
	return true
}

// carried reports whether the goroutine given the channel is also given c:
// a case on a channel the goroutine itself sends on or closes (its error
// channel) means it has finished, not that it is stuck.
func (u uses) carried(c ssa.Value) bool {
	base := c
	if load, ok := c.(*ssa.UnOp); ok && load.Op == token.MUL {
		if cell, ok := load.X.(*ssa.Alloc); ok {
			base = cell
		}
	}
	for _, given := range u.starts {
		for _, v := range given {
			if v == base || v == c {
				return true
			}
		}
	}
	return false
}

// leaves reports whether some path from a select case's block leaves fn, or
// makes the channel anew (the next round of a loop), without receiving from
// the channel first.
func (u uses) leaves(from *ssa.BasicBlock, mk *ssa.MakeChan) bool {
	return from != nil && exitWithout(from, mk, u.drains) != nil
}

// goroutines returns the closures fn starts with a go statement, and the
// statement: its own, and those of closures fn calls where it makes them
// (start := func() { go func() { ch <- do() }() }; start()), one level deep.
// deferredBy reports whether the closure mc makes is deferred where it is
// made (defer func() { … }()).
func deferredBy(mc *ssa.MakeClosure) bool {
	for _, ref := range *mc.Referrers() {
		if d, ok := ref.(*ssa.Defer); ok && d.Call.Value == mc {
			return true
		}
	}
	return false
}

// afterRecovered reports whether block b runs only where a recover()
// returned non-nil: `if r := recover(); r != nil { … }`.
func afterRecovered(b *ssa.BasicBlock) bool {
	for x := b; x != nil; x = x.Idom() {
		p := x.Idom()
		if p == nil || len(p.Instrs) == 0 {
			return false
		}
		iff, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		cmp, ok := iff.Cond.(*ssa.BinOp)
		if !ok || cmp.Op != token.NEQ || !ctxflow.IsNilConst(cmp.Y) {
			continue
		}
		if call, ok := cmp.X.(*ssa.Call); ok {
			if bi, ok := call.Call.Value.(*ssa.Builtin); ok && bi.Name() == "recover" && p.Succs[0].Dominates(b) {
				return true
			}
		}
	}
	return false
}

func goroutines(fn *ssa.Function) map[*ssa.Function]*ssa.Go {
	out := map[*ssa.Function]*ssa.Go{}
	collect := func(f *ssa.Function) []*ssa.Function {
		var called []*ssa.Function
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				switch instr := instr.(type) {
				case *ssa.Go:
					if mc, ok := instr.Call.Value.(*ssa.MakeClosure); ok {
						out[mc.Fn.(*ssa.Function)] = instr
					}
				case *ssa.Call:
					if mc, ok := instr.Call.Value.(*ssa.MakeClosure); ok {
						called = append(called, mc.Fn.(*ssa.Function))
					}
				}
			}
		}
		return called
	}
	for _, anon := range collect(fn) {
		collect(anon)
	}
	return out
}
