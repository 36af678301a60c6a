// Package suite lists every deadlinelint analyzer, once, for the command
// line tool and the golangci-lint plugin, and builds configured suites.
package suite

import (
	"flag"

	"golang.org/x/tools/go/analysis"

	"github.com/deadlinelint/deadlinelint/analyzer/cleanupctx"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/nodeadline"
	"github.com/deadlinelint/deadlinelint/analyzer/sharedeadline"
	"github.com/deadlinelint/deadlinelint/analyzer/swallowcancel"
	"github.com/deadlinelint/deadlinelint/analyzer/timeoutleak"
	"github.com/deadlinelint/deadlinelint/analyzer/uncancellablewait"
)

// Analyzers returns the analyzers with their default configuration, on the
// shared default core, in documentation order. Adding a rule is one line
// here and one in New.
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

// Config configures a whole suite: the core (shared by every rule) and each
// rule. Drivers fill it once, from flags or settings, before any package is
// analysed; the analyzers read it when they run.
type Config struct {
	Core          ctxflow.Config
	Nodeadline    nodeadline.Config
	Swallowcancel swallowcancel.Config
	Sharedeadline sharedeadline.Config
}

// New returns every analyzer, in documentation order, on one new core built
// from cfg. The rules' flags write into cfg.
func New(cfg *Config) []*analysis.Analyzer {
	core := ctxflow.New(&cfg.Core)
	return []*analysis.Analyzer{
		nodeadline.New(core, &cfg.Nodeadline),
		swallowcancel.New(core, &cfg.Swallowcancel),
		sharedeadline.New(core, &cfg.Sharedeadline),
		cleanupctx.New(core),
		timeoutleak.New(core),
		uncancellablewait.New(core),
	}
}

// SinksFlag is the name of the suite-wide flag (and golangci-lint setting)
// that extends the catalog of calls that wait.
const SinksFlag = "sinks"

// RegisterFlags registers the suite-wide flags on fs: -sinks, which extends
// the catalog every rule uses (a call that waits does so for every rule).
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.Var(&c.Core.Sinks, SinksFlag, knowledge.ListUsage)
}

// RelevantFact returns a new package fact of the type the core exports on
// packages that can reach a call that waits (ctxflow.Relevant): the vet
// tool marks such packages so that it can skip the others.
func RelevantFact() analysis.Fact { return new(ctxflow.Relevant) }

// DefinesSinks returns a test of whether the package with a given import
// path declares a call that waits, by the catalog of cfg: the vet tool's
// shortcut for dependencies that can export no fact (see ctxflow.Relevant).
func (c *Config) DefinesSinks() func(path string) bool {
	return knowledge.New(c.Core.Sinks.Entries()).DefinesSinks
}
