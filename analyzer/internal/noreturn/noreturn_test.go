package noreturn_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/noreturn"
)

func TestFacts(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../../testdata"), noreturn.Analyzer, "noreturn/exits")
}
