package sharedeadline_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
	"github.com/deadlinelint/deadlinelint/analyzer/sharedeadline"
)

func TestSharedeadline(t *testing.T) {
	dir := linttest.TestData(t, "../../testdata")
	analysistest.RunWithSuggestedFixes(t, dir, sharedeadline.Analyzer, "sharedeadline/a")
	linttest.BuildGolden(t, filepath.Join(dir, "src", "sharedeadline", "a"))
}

func TestSequential(t *testing.T) {
	if err := sharedeadline.Analyzer.Flags.Set("sequential", "true"); err != nil {
		t.Fatal(err)
	}
	defer sharedeadline.Analyzer.Flags.Set("sequential", "false")
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), sharedeadline.Analyzer, "sharedeadline/sequential")
}
