package nodeadline

import (
	"fmt"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// checkServer reports an HTTP server that reads its clients' requests with
// no deadline: http.ListenAndServe and its siblings (a zero http.Server),
// or an http.Server the package builds with neither ReadHeaderTimeout nor
// ReadTimeout (toxiproxy's API server). A client that opens a connection
// and sends its request slowly, or never, holds the connection and its
// goroutine forever. A server built where the analysis cannot see, or with
// a timeout from configuration, is left alone.
func checkServer(pass *analysis.Pass, res *ctxflow.Result, fn *ssa.Function, call *ssa.Call) {
	if res.InGOROOT() {
		return // net/http's own Serve, httptest's server: how programs serve is judged in the programs
	}
	callee, recv, _ := ctxflow.SplitCall(call.Common())
	var msg string
	switch knowledge.RoleOf(callee) {
	case knowledge.HTTPServeZero:
		msg = fmt.Sprintf("http.%s serves with a zero http.Server, which reads requests with no deadline: a client that sends its request slowly, or never, holds the connection and its goroutine forever; serve with an http.Server that sets ReadHeaderTimeout", callee.Name())
	case knowledge.HTTPServerServe:
		if recv == nil || res.ServerReadBound(&ctxflow.Call{Instr: call, Fn: fn}, recv) != ctxflow.ReceiverUnbounded {
			return
		}
		msg = fmt.Sprintf("this http.Server sets neither ReadHeaderTimeout nor ReadTimeout, so %s reads requests with no deadline: a client that sends its request slowly, or never, holds the connection and its goroutine forever; set ReadHeaderTimeout", callee.Name())
	default:
		return
	}
	expr := res.Syntax.CallExpr(call.Pos())
	if expr == nil {
		return
	}
	pass.Report(analysis.Diagnostic{Pos: expr.Fun.Pos(), End: expr.Fun.End(), Category: "server-no-read-timeout", Message: msg})
}
