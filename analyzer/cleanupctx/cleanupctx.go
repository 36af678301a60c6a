package cleanupctx

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

// Analyzer is cleanupctx on the shared core. cleanupctx has no settings.
var Analyzer = New(ctxflow.Analyzer)

// New returns cleanupctx on the given core.
func New(core *analysis.Analyzer) *analysis.Analyzer {
	a := &analysis.Analyzer{
		Name:     "cleanupctx",
		Doc:      lintutil.ExtractDoc(doc, "cleanupctx"),
		URL:      lintutil.URL("cleanupctx"),
		Requires: []*analysis.Analyzer{core},
	}
	a.Run = lintutil.Run(a.Name, func(pass *analysis.Pass) (any, error) {
		return run(pass, pass.ResultOf[core].(*ctxflow.Result))
	})
	return a
}

// cleanupNames are the methods that clean up; with a context as their first
// parameter they are judged here.
var cleanupNames = map[string]bool{"Shutdown": true, "Close": true, "Disconnect": true, "Rollback": true, "Stop": true, "Drain": true}

func run(pass *analysis.Pass, res *ctxflow.Result) (any, error) {
	for fn, instr := range res.Instrs() {
		ci, ok := instr.(ssa.CallInstruction)
		if !ok {
			continue
		}
		if method, ctxArg := cleanupCall(ci.Common()); method != nil {
			check(pass, res, fn, ci, method, ctxArg)
		}
	}
	return nil, nil
}

// cleanupCall returns the cleanup method a call denotes and its context
// argument, or nil.
func cleanupCall(c *ssa.CallCommon) (*types.Func, ssa.Value) {
	var method *types.Func
	var args []ssa.Value
	switch {
	case c.IsInvoke():
		method, args = c.Method, c.Args
	default:
		fn, ok := c.Value.(*ssa.Function)
		if !ok {
			return nil, nil
		}
		obj, ok := fn.Object().(*types.Func)
		if !ok || obj.Signature().Recv() == nil || len(c.Args) == 0 {
			return nil, nil
		}
		method, args = obj, c.Args[1:]
	}
	params := method.Signature().Params()
	if !cleanupNames[method.Name()] || params.Len() == 0 || !knowledge.IsContext(params.At(0).Type()) || len(args) == 0 {
		return nil, nil
	}
	return method, args[0]
}

func check(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, ci ssa.CallInstruction, method *types.Func, ctxArg ssa.Value) {
	pos := ci.Common().Pos()
	call := res.Syntax.CallExpr(pos)
	if call == nil || res.Syntax.InGeneratedFile(call.Pos()) || res.Syntax.InTestFile(call.Pos()) {
		return
	}
	name := ctxflow.ShortName(method)
	root, derived := doneRoot(ctxArg)
	if root == nil {
		return
	}
	via := ""
	if derived {
		via = " (derived from it, so done too)"
	}
	if wait := doneBefore(fn, ci.Block(), ci, root); wait != nil {
		pass.Report(analysis.Diagnostic{
			Pos: call.Pos(), End: call.End(),
			Message: fmt.Sprintf("%s runs after %s is done and is given that context%s, so it fails at once instead of cleaning up: give it context.WithTimeout(context.WithoutCancel(%s), d)", name, ctxName(root), via, ctxName(root)),
			Related: []analysis.RelatedInformation{{Pos: wait.Pos(), Message: "the context is known to be done from here"}},
		})
		return
	}
	if _, isDefer := ci.(*ssa.Defer); isDefer && method.Name() == "Shutdown" {
		if _, isParam := root.(*ssa.Parameter); isParam {
			pass.Report(analysis.Diagnostic{
				Pos: call.Pos(), End: call.End(),
				Message: fmt.Sprintf("deferred %s gets the function's own context%s: when the function returns because %s is done, the shutdown gets no time and cuts connections; give it context.WithTimeout(context.WithoutCancel(%s), d)", name, via, ctxName(root), ctxName(root)),
			})
		}
	}
}

func ctxName(v ssa.Value) string {
	if p, ok := v.(*ssa.Parameter); ok {
		return p.Name()
	}
	return "ctx"
}

// doneRoot walks a context back through WithCancel/WithTimeout/WithDeadline/
// WithValue (which inherit their parent's cancellation) to the value that
// could be observed done. It stops (nil) at WithoutCancel, Background and
// anything it cannot see through.
func doneRoot(v ssa.Value) (root ssa.Value, derived bool) {
	for i := 0; i < 32; i++ {
		var call *ssa.Call
		switch x := v.(type) {
		case *ssa.Extract:
			call, _ = x.Tuple.(*ssa.Call)
		case *ssa.Call:
			call = x
		case *ssa.Parameter, *ssa.FreeVar:
			return v, derived
		default:
			return nil, false
		}
		if call == nil {
			return nil, false
		}
		fn := call.Common().StaticCallee()
		if fn == nil {
			return v, derived // a context returned by some call: observable as it is
		}
		obj, _ := fn.Object().(*types.Func)
		_, parent, deadline := ctxflow.ContextFunc(obj)
		if !parent && !deadline {
			return nil, false
		}
		v, derived = call.Common().Args[0], true
	}
	return nil, false
}

// doneBefore returns the receive from root.Done() that is known to have
// happened before instr runs, or nil.
func doneBefore(fn *ssa.Function, b *ssa.BasicBlock, instr ssa.Instruction, root ssa.Value) ssa.Instruction {
	for _, blk := range fn.Blocks {
		for i, x := range blk.Instrs {
			switch x := x.(type) {
			case *ssa.UnOp:
				if x.Op == token.ARROW && isDoneOf(x.X, root) && before(blk, i, b, instr) {
					return x
				}
			case *ssa.Select:
				for k, st := range x.States {
					if st.Dir != types.RecvOnly || !isDoneOf(st.Chan, root) {
						continue
					}
					if body := caseBody(x, k); body != nil && body.Dominates(b) {
						return x
					}
				}
			}
		}
	}
	return nil
}

// before reports whether instruction i of blk runs before instr in b on every path.
func before(blk *ssa.BasicBlock, i int, b *ssa.BasicBlock, instr ssa.Instruction) bool {
	if blk != b {
		return blk.Dominates(b)
	}
	for _, x := range b.Instrs[i+1:] {
		if x == instr {
			return true
		}
	}
	return false
}

func isDoneOf(ch ssa.Value, root ssa.Value) bool {
	call, ok := ch.(*ssa.Call)
	if !ok {
		return false
	}
	c := call.Common()
	return c.IsInvoke() && c.Method.Name() == "Done" && c.Value == root
}

// caseBody returns the block that runs when state k of a blocking select is
// chosen: the true branch of `index == k`.
func caseBody(sel *ssa.Select, k int) *ssa.BasicBlock {
	for _, ref := range *sel.Referrers() {
		ext, ok := ref.(*ssa.Extract)
		if !ok || ext.Index != 0 {
			continue
		}
		for _, use := range *ext.Referrers() {
			bin, ok := use.(*ssa.BinOp)
			if !ok || bin.Op != token.EQL {
				continue
			}
			c, ok := bin.Y.(*ssa.Const)
			if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
				continue
			}
			if n, _ := constant.Int64Val(c.Value); int(n) != k {
				continue
			}
			for _, u := range *bin.Referrers() {
				if iff, ok := u.(*ssa.If); ok && len(iff.Block().Succs) == 2 {
					return iff.Block().Succs[0]
				}
			}
		}
	}
	return nil
}
