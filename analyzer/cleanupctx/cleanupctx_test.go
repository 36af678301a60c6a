package cleanupctx_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/cleanupctx"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
)

func TestCleanupctx(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), cleanupctx.Analyzer, "cleanupctx/a")
}
