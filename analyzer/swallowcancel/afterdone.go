package swallowcancel

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkRoundAfterDone reports retry loops whose tests checkRetry cannot
// read as "the attempt failed": it plays one round of the loop from the
// attempt on, under the assumption that the attempt failed with its
// context's error and, as Go's convention has it, returned zero values
// beside it. Tests decide by that assumption where they can (err != nil,
// errors.Is(err, ErrOther), state.State != Running, resp == nil); where a
// test depends on the error in a way the analysis cannot evaluate (a
// predicate, errors.As, a type assertion), the round may stop there.
//
// Two findings:
//   - every way from the attempt leads back to it, nothing on the way looks
//     at a context or may stop on the error, and the loop cannot leave: once
//     the context is done the loop retries for ever (matrixone's
//     waitHAKeeperRunning looped while the zero state was not "running");
//   - some way from the attempt back to it passes a noticeable pause and
//     nothing on that way looks at a context or judges the error: the loop
//     sleeps through its attempts after a cancellation (clink's Do, whose
//     default retry predicate is nil; restful's Do, looping while resp ==
//     nil).
//
// A round is followed block by block with the values of phis on its way;
// the search keeps at most maxRoundStates states and gives up (silence)
// beyond.
func (c *checker) checkRoundAfterDone(f *fnInfo, reported map[*ctxflow.Loop]bool) {
	for _, b := range f.fn.Blocks {
		loop := ctxflow.Innermost(f.loops, b)
		if loop == nil || reported[loop] {
			continue
		}
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok && c.reportRoundAfterDone(f, loop, call) {
				reported[loop] = true
				break
			}
		}
	}
}

// reportRoundAfterDone judges one attempt of a loop and reports it.
func (c *checker) reportRoundAfterDone(f *fnInfo, loop *ctxflow.Loop, call *ssa.Call) bool {
	errV := attemptError(call)
	if errV == nil || !sameWork(loop, call) {
		return false
	}
	srcs := c.cancellationsIn(f, errV, call, loop)
	if len(srcs) == 0 {
		return false
	}
	r := c.playRound(loop, call, errV)
	if r == nil || r.clean == 0 {
		return false
	}
	name := "the attempt"
	if fn, _, _ := ctxflow.SplitCall(call.Common()); fn != nil {
		name = fn.Name()
	}
	pos := call.Pos()
	if expr := c.res.Syntax.CallExpr(call.Pos()); expr != nil {
		pos = expr.Pos()
	}
	switch {
	case !r.mayStop:
		c.pass.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
			"when %s fails with the context's error%s (its other results zero), every way through this loop leads back to it without checking the context: once the context is done the loop retries for ever; return when ctx.Err() != nil",
			name, sourceText(srcs))})
		return true
	case r.pause != nil && longRetry(loop, r.pause):
		c.pass.Report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(
			"when %s fails with the context's error%s, this loop pauses and tries again without checking the context: once the context is done every attempt fails at once and the loop sleeps through all its attempts; return when ctx.Err() != nil",
			name, sourceText(srcs)),
			Related: []analysis.RelatedInformation{{Pos: r.pause.Pos(), Message: "the pause between attempts"}}})
		return true
	}
	return false
}

// attemptError returns the error result of a call: its last result when
// that is an error.
func attemptError(call *ssa.Call) ssa.Value {
	res := call.Common().Signature().Results()
	if res.Len() == 0 || !knowledge.IsError(res.At(res.Len()-1).Type()) {
		return nil
	}
	if res.Len() == 1 {
		return call
	}
	for _, ref := range *call.Referrers() {
		if ex, ok := ref.(*ssa.Extract); ok && ex.Index == res.Len()-1 {
			return ex
		}
	}
	return nil
}

// maxRoundStates bounds the states playRound visits.
const maxRoundStates = 256

// roundResult is what the ways from an attempt back to it do.
type roundResult struct {
	clean   int       // ways back to the attempt that judge nothing
	mayStop bool      // a way leaves the loop, returns, or looks at a context or the error
	pause   *ssa.Call // the first pause on a clean way back (time.Sleep, time.After)
}

// roundState is a point of one way through the round.
type roundState struct {
	block  *ssa.BasicBlock
	from   int // index of the first instruction to run
	env    map[*ssa.Phi]hypo
	paused *ssa.Call
	judged bool // the way passed a test of the error or a look at a context
}

// playRound follows every way from call's attempt back to it under the
// assumption that it failed with its context's error; nil when it gives
// up.
func (c *checker) playRound(loop *ctxflow.Loop, call *ssa.Call, errV ssa.Value) *roundResult {
	ev := &hypoEval{attempt: call, errV: errV}
	out := &roundResult{}
	seen := map[string]bool{}
	work := []roundState{{block: call.Block(), from: ctxflow.IndexOf(call) + 1, env: map[*ssa.Phi]hypo{}}}
	for len(work) > 0 {
		s := work[len(work)-1]
		work = work[:len(work)-1]
		key := s.key()
		if seen[key] {
			continue
		}
		seen[key] = true
		if len(seen) > maxRoundStates {
			return nil
		}
		ev.env = s.env
		ended := false
		for _, instr := range s.block.Instrs[s.from:] {
			if instr == ssa.Instruction(call) {
				if s.judged {
					out.mayStop = true
				} else {
					out.clean++
					if out.pause == nil {
						out.pause = s.paused
					}
				}
				ended = true
				break
			}
			switch instr := instr.(type) {
			case *ssa.Return, *ssa.Panic:
				out.mayStop = true
				ended = true
			case *ssa.Select:
				s.judged = true // a stop channel, or a context
			case *ssa.UnOp:
				if instr.Op == token.ARROW {
					if p := timerPause(instr.X); p != nil {
						if s.paused == nil {
							s.paused = p
						}
					} else {
						s.judged = true
					}
				}
			case ssa.CallInstruction:
				if c.callConsults(instr, call) {
					s.judged = true
				}
				if sleep, ok := instr.(*ssa.Call); ok && s.paused == nil && noticeableSleep(sleep) {
					s.paused = sleep
				}
			case *ssa.If:
				if c.cancelTestOf(s.block) != nil {
					s.judged = true
				}
				h := ev.eval(instr.Cond, 0)
				succs := s.block.Succs
				if h.kind == hConst && h.k.Kind() == constant.Bool {
					if constant.BoolVal(h.k) {
						succs = succs[:1]
					} else {
						succs = succs[1:]
					}
				} else if h.judges {
					s.judged = true
				}
				for _, next := range succs {
					if !enterRound(loop, s, next, ev, &work) {
						out.mayStop = true
					}
				}
				ended = true
			case *ssa.Jump:
				if !enterRound(loop, s, s.block.Succs[0], ev, &work) {
					out.mayStop = true
				}
				ended = true
			}
			if ended {
				break
			}
		}
	}
	return out
}

// enterRound queues the way into next; false when next leaves the loop.
func enterRound(loop *ctxflow.Loop, s roundState, next *ssa.BasicBlock, ev *hypoEval, work *[]roundState) bool {
	if !loop.Blocks[next] {
		return false
	}
	env := maps.Clone(s.env)
	idx := predIndex(next, s.block)
	// Phis read their edges together, in the environment of the block left.
	for _, instr := range next.Instrs {
		phi, ok := instr.(*ssa.Phi)
		if !ok {
			break
		}
		if idx < 0 {
			delete(env, phi)
			continue
		}
		env[phi] = ev.eval(phi.Edges[idx], 0)
	}
	*work = append(*work, roundState{block: next, env: env, paused: s.paused, judged: s.judged})
	return true
}

// key identifies a state for the search's seen set.
func (s roundState) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d/%t/%t", s.block.Index, s.from, s.paused != nil, s.judged)
	var parts []string
	for phi, h := range s.env {
		if h.kind != hUnknown {
			parts = append(parts, fmt.Sprintf("%s=%d:%v", phi.Name(), h.kind, h.k))
		}
	}
	sort.Strings(parts)
	b.WriteString(strings.Join(parts, ","))
	return b.String()
}

// timerPause returns the time.After call a receive waits on, or nil.
func timerPause(ch ssa.Value) *ssa.Call {
	call, ok := ch.(*ssa.Call)
	if !ok {
		return nil
	}
	fn, _, args := ctxflow.SplitCall(call.Common())
	if knowledge.RoleOf(fn) != knowledge.TimeAfter || len(args) != 1 || !noticeable(args[0]) {
		return nil
	}
	return call
}

// hypoKind is what is known of a value in a round after a cancellation.
type hypoKind int

const (
	hUnknown hypoKind = iota
	hConst            // a constant (k)
	hNil              // a nil pointer, interface, slice, map, chan or func
	hFailed           // the attempt's error: not nil, a context's error
	hZero             // the zero value of its type
)

// hypo is a value's abstraction; judges marks values that depend on the
// attempt's error in a way not evaluated (a test of it that may stop).
type hypo struct {
	kind   hypoKind
	k      constant.Value
	judges bool
}

// hypoEval evaluates values of a round after the attempt failed.
type hypoEval struct {
	attempt *ssa.Call
	errV    ssa.Value
	env     map[*ssa.Phi]hypo
}

// maxHypoDepth bounds eval's recursion over operands.
const maxHypoDepth = 8

func (e *hypoEval) eval(v ssa.Value, depth int) hypo {
	if depth > maxHypoDepth {
		return hypo{}
	}
	if v == e.errV {
		return hypo{kind: hFailed}
	}
	switch x := v.(type) {
	case *ssa.Phi:
		if h, ok := e.env[x]; ok {
			return h
		}
		return hypo{}
	case *ssa.Extract:
		if x.Tuple == ssa.Value(e.attempt) {
			return hypo{kind: hZero}
		}
		return hypo{judges: e.eval(x.Tuple, depth+1).judges}
	case *ssa.Const:
		if x.Value == nil {
			if isNilable(x.Type()) {
				return hypo{kind: hNil}
			}
			return hypo{kind: hZero}
		}
		return hypo{kind: hConst, k: x.Value}
	case *ssa.Field:
		if e.eval(x.X, depth+1).kind == hZero {
			return hypo{kind: hZero}
		}
	case *ssa.MakeInterface:
		return hypo{judges: e.eval(x.X, depth+1).judges}
	case *ssa.ChangeInterface:
		return e.eval(x.X, depth+1)
	case *ssa.ChangeType:
		return e.eval(x.X, depth+1)
	case *ssa.TypeAssert:
		h := e.eval(x.X, depth+1)
		return hypo{judges: h.judges || h.kind == hFailed}
	case *ssa.UnOp:
		if x.Op == token.MUL && e.loadsZero(x.X, depth) {
			return hypo{kind: hZero}
		}
		h := e.eval(x.X, depth+1)
		if x.Op == token.NOT && h.kind == hConst && h.k.Kind() == constant.Bool {
			return hypo{kind: hConst, k: constant.MakeBool(!constant.BoolVal(h.k))}
		}
		return hypo{judges: h.judges}
	case *ssa.BinOp:
		return e.compare(x, depth)
	case *ssa.Call:
		return e.evalCall(x, depth)
	}
	return hypo{}
}

// loadsZero reports whether addr is a local variable, or a field of one,
// that is only ever assigned whole, from values that are zero in the
// round (`state, err := f(ctx)` with state's field read later).
func (e *hypoEval) loadsZero(addr ssa.Value, depth int) bool {
	if fa, ok := addr.(*ssa.FieldAddr); ok {
		addr = fa.X
	}
	alloc, ok := addr.(*ssa.Alloc)
	if !ok {
		return false
	}
	stored := false
	for _, ref := range *alloc.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store:
			if ref.Addr != ssa.Value(alloc) || e.eval(ref.Val, depth+1).kind != hZero {
				return false
			}
			stored = true
		case *ssa.FieldAddr:
			for _, use := range *ref.Referrers() {
				if _, load := use.(*ssa.UnOp); !load {
					return false // written or handed on through the field
				}
			}
		case *ssa.UnOp:
			if ref.Op != token.MUL {
				return false
			}
		case *ssa.DebugRef:
		default:
			return false
		}
	}
	return stored
}

// compare evaluates a comparison of the round.
func (e *hypoEval) compare(x *ssa.BinOp, depth int) hypo {
	a, b := e.eval(x.X, depth+1), e.eval(x.Y, depth+1)
	unknown := hypo{judges: a.judges || b.judges || a.kind == hFailed || b.kind == hFailed}
	switch x.Op {
	case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
	default:
		return hypo{judges: unknown.judges}
	}
	eq := func(same bool) hypo {
		if x.Op == token.NEQ {
			same = !same
		}
		return hypo{kind: hConst, k: constant.MakeBool(same)}
	}
	if b.kind == hFailed {
		a, b = b, a
		x = &ssa.BinOp{Op: x.Op, X: x.Y, Y: x.X}
	}
	switch {
	case a.kind == hFailed && (x.Op == token.EQL || x.Op == token.NEQ):
		if b.kind == hNil {
			return eq(false)
		}
		if sentinel(x.Y) == knowledge.NoRole && otherSentinel(x.Y) {
			return eq(false) // err == io.EOF: no context's error
		}
		return unknown
	case a.kind == hZero && b.kind == hNil || a.kind == hNil && b.kind == hZero || a.kind == hNil && b.kind == hNil:
		if x.Op == token.EQL || x.Op == token.NEQ {
			return eq(true)
		}
	case a.kind == hZero && b.kind == hConst:
		if z := zeroConst(x.X.Type()); z != nil {
			return hypo{kind: hConst, k: constant.MakeBool(constant.Compare(z, x.Op, b.k))}
		}
	case a.kind == hConst && b.kind == hZero:
		if z := zeroConst(x.Y.Type()); z != nil {
			return hypo{kind: hConst, k: constant.MakeBool(constant.Compare(a.k, x.Op, z))}
		}
	case a.kind == hConst && b.kind == hConst:
		if a.k.Kind() == b.k.Kind() || isNumeric(a.k) && isNumeric(b.k) {
			return hypo{kind: hConst, k: constant.MakeBool(constant.Compare(a.k, x.Op, b.k))}
		}
	}
	return unknown
}

// evalCall evaluates a call of the round: errors.Is of the attempt's
// error with another package's sentinel is false; any other call handed
// the error (or something derived from it) judges it.
func (e *hypoEval) evalCall(x *ssa.Call, depth int) hypo {
	fn, recv, args := ctxflow.SplitCall(x.Common())
	if knowledge.RoleOf(fn) == knowledge.ErrorsIs && len(args) == 2 && e.eval(args[0], depth+1).kind == hFailed {
		if sentinel(args[1]) == knowledge.NoRole && otherSentinel(args[1]) {
			return hypo{kind: hConst, k: constant.MakeBool(false)}
		}
		return hypo{judges: true}
	}
	judges := false
	if recv != nil {
		h := e.eval(recv, depth+1)
		judges = h.judges || h.kind == hFailed
	}
	for _, a := range args {
		h := e.eval(a, depth+1)
		if h.judges || h.kind == hFailed {
			judges = true
		}
	}
	return hypo{judges: judges}
}

// otherSentinel reports whether v is a package-level error variable read
// (io.EOF, ErrNoHAKeeper): a value of its own, never a context's error.
func otherSentinel(v ssa.Value) bool { return globalLoad(v) != nil }

// globalLoad returns the package variable v reads, or nil.
func globalLoad(v ssa.Value) *ssa.Global {
	load, ok := ctxflow.StripInterface(v).(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	g, _ := load.X.(*ssa.Global)
	return g
}

// zeroConst is the zero value of a basic type as a constant, or nil.
func zeroConst(t types.Type) constant.Value {
	basic, ok := t.Underlying().(*types.Basic)
	if !ok {
		return nil
	}
	switch {
	case basic.Info()&types.IsBoolean != 0:
		return constant.MakeBool(false)
	case basic.Info()&types.IsString != 0:
		return constant.MakeString("")
	case basic.Info()&types.IsInteger != 0:
		return constant.MakeInt64(0)
	case basic.Info()&types.IsFloat != 0:
		return constant.MakeFloat64(0)
	}
	return nil
}

func isNumeric(k constant.Value) bool {
	switch k.Kind() {
	case constant.Int, constant.Float:
		return true
	}
	return false
}

func isNilable(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Pointer, *types.Interface, *types.Slice, *types.Map, *types.Chan, *types.Signature:
		return true
	}
	return false
}
