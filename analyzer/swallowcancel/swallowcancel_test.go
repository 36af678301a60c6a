package swallowcancel_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
	"github.com/deadlinelint/deadlinelint/analyzer/swallowcancel"
)

func TestSwallowcancel(t *testing.T) {
	dir := linttest.TestData(t, "../../testdata")
	analysistest.RunWithSuggestedFixes(t, dir, swallowcancel.Analyzer, "swallowcancel/a")
	linttest.BuildGolden(t, filepath.Join(dir, "src", "swallowcancel", "a"))
	analysistest.Run(t, dir, swallowcancel.Analyzer, "swallowcancel/owners")
}

func TestWrapAll(t *testing.T) {
	if err := swallowcancel.Analyzer.Flags.Set("wrap-all", "true"); err != nil {
		t.Fatal(err)
	}
	defer swallowcancel.Analyzer.Flags.Set("wrap-all", "false")
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), swallowcancel.Analyzer, "swallowcancel/wrapall")
}
