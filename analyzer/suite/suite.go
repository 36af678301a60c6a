// Package suite lists every deadlinelint analyzer, once, for the command
// line tool and the golangci-lint plugin.
package suite

import (
	"golang.org/x/tools/go/analysis"

	"github.com/deadlinelint/deadlinelint/analyzer/cleanupctx"
	"github.com/deadlinelint/deadlinelint/analyzer/nodeadline"
	"github.com/deadlinelint/deadlinelint/analyzer/sharedeadline"
	"github.com/deadlinelint/deadlinelint/analyzer/swallowcancel"
	"github.com/deadlinelint/deadlinelint/analyzer/timeoutleak"
	"github.com/deadlinelint/deadlinelint/analyzer/uncancellablewait"
)

// Analyzers returns the analyzers in documentation order. Adding a rule is
// one line here.
func Analyzers() []*analysis.Analyzer {
	return []*analysis.Analyzer{
		nodeadline.Analyzer,
		swallowcancel.Analyzer,
		sharedeadline.Analyzer,
		cleanupctx.Analyzer,
		timeoutleak.Analyzer,
		uncancellablewait.Analyzer,
	}
}
