package uncancellablewait

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/types"
	"strings"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/fixutil"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

//go:embed doc.go
var doc string

// Analyzer is uncancellablewait on the shared core. uncancellablewait has no settings.
var Analyzer = New(ctxflow.Analyzer)

// New returns uncancellablewait on the given core.
func New(core *analysis.Analyzer) *analysis.Analyzer {
	a := &analysis.Analyzer{
		Name:     "uncancellablewait",
		Doc:      lintutil.ExtractDoc(doc, "uncancellablewait"),
		URL:      lintutil.URL("uncancellablewait"),
		Requires: []*analysis.Analyzer{core},
	}
	a.Run = lintutil.Run(a.Name, func(pass *analysis.Pass) (any, error) {
		return run(pass, pass.ResultOf[core].(*ctxflow.Result))
	})
	return a
}

// longSleep is where a constant sleep starts to matter on its own.
const longSleep = time.Second

func run(pass *analysis.Pass, res *ctxflow.Result) (any, error) {
	for fn, instr := range res.Instrs() {
		call, ok := instr.(*ssa.Call)
		if !ok {
			continue
		}
		if callee, _, _ := ctxflow.SplitCall(call.Common()); knowledge.RoleOf(callee) != knowledge.TimeSleep {
			continue
		}
		check(pass, res, fn, call)
	}
	return nil, nil
}

// noticeablePause is the shortest constant pause in a loop that checks the
// context on every round that is still reported: cancellation waits for
// it.
const noticeablePause = 200 * time.Millisecond

func check(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, call *ssa.Call) {
	expr := res.Syntax.CallExpr(call.Pos())
	if expr == nil || res.Syntax.Skip(expr.Pos(), false) {
		return
	}
	ctx := res.ContextInScope(fn, expr.Pos())
	if ctx == "" {
		return
	}
	d, isConst := sleepDuration(call.Common().Args[0])
	var why string
	switch loop := ctxflow.LoopBlocks(call.Block()); {
	case !isConst:
		why = "a computed duration"
	case d >= longSleep:
		why = d.String()
	case loop != nil && !consultsEveryRound(loop, call.Block()):
		why = "in a loop that can go round without consulting a context"
	case loop != nil && d >= noticeablePause:
		// A pause between attempts: the loop looks at the context, but
		// not during the pause, so cancellation waits for it (moby's
		// 500 ms daemon poll and tailscale's 250 ms ConnectContext retry
		// were both fixed upstream; a 50 ms throttle is left alone).
		why = "a " + d.String() + " pause in a loop"
	default:
		return
	}
	diag := analysis.Diagnostic{
		Pos: expr.Pos(), End: expr.End(),
		Message: fmt.Sprintf("time.Sleep (%s) ignores %s: cancellation and deadlines wait for the whole sleep; select on %s.Done() and time.After instead", why, ctx, ctx),
	}
	if fix := selectFix(pass, res, expr, ctx); fix != nil {
		diag.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	pass.Report(diag)
}

func sleepDuration(v ssa.Value) (time.Duration, bool) {
	c, ok := v.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
		return 0, false
	}
	n, exact := constant.Int64Val(c.Value)
	return time.Duration(n), exact
}

// consultsEveryRound reports whether every way round the loop from the
// sleep's block back to it passes a block that consults a context (calls a
// context's method, or passes a context to a call, which may return its
// error and end the loop). A check on one branch only (temporal's
// ReserveSlot watched ctx.Done() only while throttling) leaves the other
// rounds deaf to it.
func consultsEveryRound(loop []*ssa.BasicBlock, sleep *ssa.BasicBlock) bool {
	in := map[*ssa.BasicBlock]bool{}
	for _, b := range loop {
		in[b] = true
	}
	if consults(sleep) {
		return true
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), sleep.Succs...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if b == sleep {
			return false // round again without a word from the context
		}
		if seen[b] || !in[b] || consults(b) {
			continue
		}
		seen[b] = true
		stack = append(stack, b.Succs...)
	}
	return true
}

func consults(b *ssa.BasicBlock) bool {
	for _, instr := range b.Instrs {
		ci, ok := instr.(ssa.CallInstruction)
		if !ok {
			continue
		}
		common := ci.Common()
		if common.IsInvoke() && knowledge.IsContext(common.Value.Type()) {
			return true
		}
		for _, a := range common.Args {
			if knowledge.IsContext(a.Type()) {
				return true
			}
		}
	}
	return false
}

// selectFix replaces `time.Sleep(d)` with a select that also returns when
// ctx is done.
func selectFix(pass *analysis.Pass, res *ctxflow.Result, expr *ast.CallExpr, ctx string) *analysis.SuggestedFix {
	if !res.Syntax.Editable(expr.Pos()) || len(expr.Args) != 1 {
		return nil
	}
	file, stmt, fnType := fixutil.Enclosing(pass, expr)
	es, ok := stmt.(*ast.ExprStmt)
	if !ok || es.X != expr || fnType == nil {
		return nil
	}
	timeName := fixutil.ImportName(file, "time")
	if timeName == "" {
		return nil
	}
	var ret string
	if fnType.Results == nil || len(fnType.Results.List) == 0 {
		ret = "return"
	} else {
		zeros, ok := fixutil.ZeroResults(pass, file, fnType)
		if !ok {
			return nil
		}
		ret = "return " + strings.Join(append(zeros, ctx+".Err()"), ", ")
	}
	indent := fixutil.LineIndent(pass, stmt.Pos())
	var b bytes.Buffer
	fmt.Fprintf(&b, "select {\ncase <-%s.Done():\n\t%s\ncase <-%s.After(%s):\n}", ctx, ret, timeName, types.ExprString(expr.Args[0]))
	return &analysis.SuggestedFix{
		Message:   fmt.Sprintf("Wait on %s.Done() too", ctx),
		TextEdits: []analysis.TextEdit{{Pos: stmt.Pos(), End: stmt.End(), NewText: []byte(strings.ReplaceAll(b.String(), "\n", "\n"+indent))}},
	}
}
