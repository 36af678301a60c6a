package nodeadline_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/nodeadline"
)

func testdata(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestNodeadline(t *testing.T) {
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/basic")
}

func TestHTTPAndNet(t *testing.T) {
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/httpcalls", "nodeadline/netcalls", "nodeadline/indirect")
}

func TestFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testdata(t), nodeadline.Analyzer, "nodeadline/fixes")
}
