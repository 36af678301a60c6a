package sharedeadline_test

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
	"github.com/deadlinelint/deadlinelint/analyzer/sharedeadline"
)

// fixed lists the fixture packages with suggested fixes (and .golden files).
var fixed = []string{"sharedeadline/a", "sharedeadline/conn", "sharedeadline/dropped", "sharedeadline/keptctx"}

func TestSharedeadline(t *testing.T) {
	dir := linttest.TestData(t, "../../testdata")
	analysistest.RunWithSuggestedFixes(t, dir, sharedeadline.Analyzer, fixed...)
}

func TestFixedCodeCompiles(t *testing.T) {
	dir := linttest.TestData(t, "../../testdata")
	for _, pkg := range fixed {
		linttest.BuildGolden(t, filepath.Join(dir, "src", filepath.FromSlash(pkg)))
	}
}

func TestRetryLoops(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/retry", "sharedeadline/retrymain")
}

func TestDetachedWorkIsExempt(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/detached")
}

func TestRewrappedInLoop(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/rewrap")
}

// TestOddInput: generics, closures, method values and other unusual but
// valid code neither panic nor produce findings they should not.
func TestOddInput(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/generics")
}

func TestSequential(t *testing.T) {
	a := sharedeadline.New(ctxflow.Analyzer, &sharedeadline.Config{Sequential: true})
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), a, "sharedeadline/sequential")
}

// TestSequentialOffByDefault: without the flag the same fixture is silent
// (its want comments are then unmet, so run it on the default-only copy).
func TestSequentialOffByDefault(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/sequentialoff")
}

// TestDeterministic runs the analyzer twice and compares the findings.
func TestDeterministic(t *testing.T) {
	dir := linttest.TestData(t, "../../testdata")
	pkgs := []string{"sharedeadline/a", "sharedeadline/retry", "sharedeadline/rewrap", "sharedeadline/conn"}
	render := func() []string {
		var out []string
		for _, r := range analysistest.Run(t, dir, sharedeadline.Analyzer, pkgs...) {
			for _, d := range r.Diagnostics {
				out = append(out, r.Action.Package.Fset.Position(d.Pos).String()+" "+d.Message)
			}
		}
		return out
	}
	first, second := render(), render()
	if len(first) == 0 || strings.Join(first, "\n") != strings.Join(second, "\n") {
		t.Errorf("runs differ or found nothing:\n%s\n---\n%s", strings.Join(first, "\n"), strings.Join(second, "\n"))
	}
}

// TestHelpers: helpers without a context that start their own root, reported
// where a caller's context is dropped, with the fix that threads it.
func TestHelpers(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/helpers")
}

// TestContextFreeForms: an API's context-free form whose wait nothing
// bounds is nodeadline's finding at its callers, not a helper's root.
func TestContextFreeForms(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/forms")
}

// TestRequests: a root (a request from http.NewRequest) that reaches a
// wait with a bound of its own, directly or through a helper handed the
// request, where a caller's context is in scope.
func TestRequests(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/requests")
}

// TestAwaited: a helper's own budget inside a goroutine the caller waits
// for, and a dial through a func-typed field the package sets once.
func TestAwaited(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/awaited")
}

func TestHelpersFixCompiles(t *testing.T) {
	linttest.BuildGolden(t, filepath.Join(linttest.TestData(t, "../../testdata"), "src", "sharedeadline", "helpers"))
}

// TestCallbacks: functions handed to a call that runs them where a context
// is in scope, across packages.
func TestCallbacks(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/callbacks")
}

// TestStoredRoot: a bare root a constructor keeps in a field, given to a
// wait where the caller's context is in scope.
func TestStoredRoot(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/storedroot")
}

// TestCarrier: a parameter with a method returning its caller's context (a
// gRPC stream) puts that context in scope.
func TestCarrier(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/carrier")
}

// TestLifecycleHelpers: helpers that take no context and wait under their
// object's own context, called where a caller's context is in scope.
func TestLifecycleHelpers(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/lifecycle")
}

// TestDiscarded: a function that receives its caller's context as _ and
// waits under a root of its own.
func TestDiscarded(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/discarded")
}

// TestRunners: a literal handed to a runner together with the caller's
// context is that context's work.
func TestRunners(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/runners")
}

// TestConnectionsInFields: fixed deadlines on connections kept in fields or
// returned by helpers, set by the function or by a helper without a context.
func TestConnectionsInFields(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/connfield")
}

// TestUnusedBudget: a budget only read after a wait that runs on another
// context.
func TestUnusedBudget(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/unusedbudget")
}

// TestDoneWaits: a wait governed through ctx.Done() in a select beside a
// response channel is a wait the caller's context must reach.
func TestDoneWaits(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/donewait")
}

// TestUnusedContext: a function that never reads the context it receives
// and waits under another one (prysm, celestia-node, mutagen).
func TestUnusedContext(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/unusedctx")
}
