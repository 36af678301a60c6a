package timeoutleak

import (
	_ "embed"
	"fmt"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
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
	for fn, instr := range res.Instrs() {
		if sel, ok := instr.(*ssa.Select); ok && sel.Blocking {
			checkSelect(pass, res, fn, sel)
		}
	}
	return nil, nil
}

func checkSelect(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, sel *ssa.Select) {
	timeout := ""
	for _, st := range sel.States {
		if st.Dir == types.RecvOnly {
			if what := timeoutChan(st.Chan); what != "" {
				timeout = what
			}
		}
	}
	if timeout == "" || ctxflow.InLoop(sel.Block()) {
		return
	}
	for _, st := range sel.States {
		if st.Dir != types.RecvOnly {
			continue
		}
		ch := chanOf(st.Chan)
		if ch == nil || ch.mk.Parent() != fn || !unbuffered(ch.mk) {
			continue
		}
		send, ok := ch.onlyGoroutineSends(fn, sel)
		if !ok || send == nil {
			continue
		}
		mk := ch.mk
		call := res.Syntax.CallExpr(mk.Pos())
		if call == nil || res.Syntax.Skip(call.Pos(), false) {
			continue
		}
		elem := types.TypeString(mk.Type().Underlying().(*types.Chan).Elem(), types.RelativeTo(pass.Pkg))
		d := analysis.Diagnostic{
			Pos: call.Pos(), End: call.End(),
			Message: fmt.Sprintf("goroutine sends on this unbuffered channel, but the select stops waiting when %s fires: the goroutine then blocks forever (a leak per timeout); make it buffered: make(chan %s, 1)", timeout, elem),
			Related: []analysis.RelatedInformation{
				{Pos: send.Pos(), Message: "the goroutine's send"},
				{Pos: sel.Pos(), Message: "the select that may stop waiting"},
			},
		}
		if res.Syntax.Editable(call.Pos()) && len(call.Args) == 1 {
			d.SuggestedFixes = []analysis.SuggestedFix{{
				Message:   "Give the channel a buffer of one",
				TextEdits: []analysis.TextEdit{{Pos: call.Args[0].End(), End: call.Args[0].End(), NewText: []byte(", 1")}},
			}}
		}
		pass.Report(d)
	}
}

// timeoutChan names a channel that fires on a timeout or cancellation, or "".
func timeoutChan(v ssa.Value) string {
	switch v := v.(type) {
	case *ssa.Call:
		callee, _, _ := ctxflow.SplitCall(v.Common())
		switch knowledge.RoleOf(callee) {
		case knowledge.CtxDone:
			return "ctx.Done()"
		case knowledge.TimeAfter:
			return "time." + callee.Name()
		}
	case *ssa.UnOp:
		if fa, ok := v.X.(*ssa.FieldAddr); ok && v.Op == token.MUL {
			switch knowledge.TypeRole(fa.X.Type()) {
			case knowledge.TimeTimerType:
				return "the Timer's C"
			case knowledge.TimeTickerTyp:
				return "the Ticker's C"
			}
		}
	}
	return ""
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
}

// chanOf returns the local channel v denotes, or nil.
func chanOf(v ssa.Value) *channel {
	switch v := v.(type) {
	case *ssa.MakeChan:
		return &channel{mk: v}
	case *ssa.UnOp:
		cell, ok := v.X.(*ssa.Alloc)
		if !ok || v.Op != token.MUL {
			return nil
		}
		var mk *ssa.MakeChan
		for _, ref := range *cell.Referrers() {
			if st, ok := ref.(*ssa.Store); ok && st.Addr == cell {
				m, ok := st.Val.(*ssa.MakeChan)
				if !ok || mk != nil {
					return nil // assigned more than once, or not from a make
				}
				mk = m
			}
		}
		if mk != nil {
			return &channel{mk: mk, cell: cell}
		}
	}
	return nil
}

// onlyGoroutineSends follows every use of the channel in fn and in the
// closures capturing it. It returns a plain send performed by a goroutine fn
// starts, and ok=false if anything else could receive from the channel (a
// drain), or the channel escapes where the analysis cannot follow.
func (ch *channel) onlyGoroutineSends(fn *ssa.Function, sel *ssa.Select) (send *ssa.Send, ok bool) {
	type use struct {
		v        ssa.Value
		inGo     bool // inside a function started by a go statement
		indirect bool // v holds a pointer to the channel
	}
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
			switch ref := ref.(type) {
			case *ssa.Store:
				if !(u.indirect && ref.Addr == u.v) && ref.Val != ch.mk {
					return nil, false
				}
			case *ssa.UnOp:
				switch {
				case u.indirect && ref.Op == token.MUL:
					work = append(work, use{v: ref, inGo: u.inGo})
				default:
					return nil, false // a receive elsewhere: a drain
				}
			case *ssa.Select:
				for _, st := range ref.States {
					if st.Chan == u.v && st.Dir == types.RecvOnly && ref != sel {
						return nil, false
					}
				}
			case *ssa.Send:
				if ref.Chan == u.v && u.inGo && send == nil {
					send = ref
				}
			case *ssa.MakeClosure:
				anon := ref.Fn.(*ssa.Function)
				for i, b := range ref.Bindings {
					if b == u.v && i < len(anon.FreeVars) {
						work = append(work, use{v: anon.FreeVars[i], inGo: started[anon], indirect: u.indirect})
					}
				}
			case *ssa.Go:
				callee, isFn := ref.Call.Value.(*ssa.Function)
				if !isFn || callee.Pkg != fn.Pkg || u.indirect {
					return nil, false
				}
				for i, arg := range ref.Call.Args {
					if arg == u.v && i < len(callee.Params) {
						work = append(work, use{v: callee.Params[i], inGo: true})
					}
				}
			case *ssa.DebugRef:
			default:
				return nil, false // passed on, converted, stored: cannot follow
			}
		}
	}
	return send, true
}

// goroutines returns the closures fn starts with a go statement.
func goroutines(fn *ssa.Function) map[*ssa.Function]bool {
	out := map[*ssa.Function]bool{}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if g, ok := instr.(*ssa.Go); ok {
				if mc, ok := g.Call.Value.(*ssa.MakeClosure); ok {
					out[mc.Fn.(*ssa.Function)] = true
				}
			}
		}
	}
	return out
}
