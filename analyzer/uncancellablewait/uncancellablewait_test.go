package uncancellablewait_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
	"github.com/deadlinelint/deadlinelint/analyzer/uncancellablewait"
)

func TestUncancellablewait(t *testing.T) {
	dir := linttest.TestData(t, "../../testdata")
	analysistest.RunWithSuggestedFixes(t, dir, uncancellablewait.Analyzer, "uncancellablewait/a")
	linttest.BuildGolden(t, filepath.Join(dir, "src", "uncancellablewait", "a"))
}
