package nodeadline

import (
	"fmt"

	"golang.org/x/tools/go/analysis"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// checkCancelledAfter reports a wait given an object's kept context that
// has no deadline when the only call of its kept cancel function comes
// after the wait, in the same function (go-sdk's Close sent the session
// DELETE with the connection's context and cancelled it afterwards): the
// object's lifecycle cannot end this wait, so a silent peer hangs the
// function.
func checkCancelledAfter(pass *analysis.Pass, res *ctxflow.Result, c *ctxflow.Call, o ctxflow.Origin, wait string) {
	cancel := res.CancelledOnlyAfter(c, o)
	if cancel == nil {
		return
	}
	call := res.Syntax.CallExpr(c.Instr.Common().Pos())
	if call == nil {
		return
	}
	ctx := "the kept context " + o.Kept.Name()
	if o.KeptBy != nil && o.KeptBy.Name() != "" {
		ctx = o.KeptBy.Name() + "." + o.Kept.Name()
	}
	cancelAt := pass.Fset.Position(cancel.Pos())
	pass.Report(analysis.Diagnostic{
		Pos: call.Fun.Pos(), End: call.Fun.End(), Category: "cancelled-after",
		Message: fmt.Sprintf("%s reaches %s with no deadline, and the only cancel of that kept context runs after this wait returns (line %d): nothing ends the wait if the peer never answers; bound it with context.WithTimeout(%s, d)",
			ctx, wait, cancelAt.Line, ctx),
		Related: []analysis.RelatedInformation{{Pos: cancel.Pos(), Message: "the kept context is cancelled only here"}},
	})
}
