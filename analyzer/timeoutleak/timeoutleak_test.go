package timeoutleak_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
	"github.com/deadlinelint/deadlinelint/analyzer/timeoutleak"
)

func TestTimeoutleak(t *testing.T) {
	dir := linttest.TestData(t, "../../testdata")
	analysistest.RunWithSuggestedFixes(t, dir, timeoutleak.Analyzer, "timeoutleak/a")
	linttest.BuildGolden(t, filepath.Join(dir, "src", "timeoutleak", "a"))
}

// TestNoContext: a package that uses no context and reaches no network is
// still judged when it starts goroutines and selects.
func TestNoContext(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), timeoutleak.Analyzer, "timeoutleak/nocontext")
}

// TestAbandonedRanges: a range over a channel a goroutine feeds in a loop,
// left early.
func TestAbandonedRanges(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), timeoutleak.Analyzer, "timeoutleak/ranges")
}
