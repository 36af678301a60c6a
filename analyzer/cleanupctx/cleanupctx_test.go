package cleanupctx_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/cleanupctx"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
)

func TestCleanupctx(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), cleanupctx.Analyzer, "cleanupctx/a", "cleanupctx/testcleanup", "github.com/redis/go-redis/v9")
}

// TestDerivedWhenDone: a budget for cleanup derived from the context just
// found done, which leaves the done branch; the fix derives it from
// context.WithoutCancel, and the fixed file still compiles.
func TestDerivedWhenDone(t *testing.T) {
	dir := linttest.TestData(t, "../../testdata")
	analysistest.RunWithSuggestedFixes(t, dir, cleanupctx.Analyzer, "cleanupctx/derived")
	linttest.BuildGolden(t, filepath.Join(dir, "src", "cleanupctx", "derived"))
}
