package nodeadline_test

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
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

func TestLibraries(t *testing.T) {
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/libs")
}

func TestUserSinks(t *testing.T) {
	flags := &nodeadline.Analyzer.Flags
	if err := flags.Set("sinks", "example.com/kv.Client.Fetch:0, example.com/kv.Client.FetchNow:none,example.com/kv.Ping:0"); err != nil {
		t.Fatal(err)
	}
	defer flags.Set("sinks", "")
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/usersinks")
}

func TestUserSinksMalformed(t *testing.T) {
	for _, bad := range []string{"example.com/kv.Client.Fetch", "example.com/kv.Client.Fetch:x", "kv:0", "(example.com/kv.Client.Fetch:0"} {
		err := nodeadline.Analyzer.Flags.Set("sinks", bad)
		if err == nil {
			t.Errorf("-nodeadline.sinks=%q: no error", bad)
			continue
		}
		if !strings.Contains(err.Error(), "sink ") {
			t.Errorf("-nodeadline.sinks=%q: unclear error %q", bad, err)
		}
	}
}

func TestDirectives(t *testing.T) {
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/directives")
}

func TestFixedCodeCompiles(t *testing.T) {
	linttest.BuildGolden(t, filepath.Join(testdata(t), "src", "nodeadline", "fixes"))
}

func TestGenericsAndCgo(t *testing.T) {
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/generics", "nodeadline/cgo")
}

func setFlag(t *testing.T, name, value string) {
	t.Helper()
	if err := nodeadline.Analyzer.Flags.Set(name, value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nodeadline.Analyzer.Flags.Set(name, "false") })
}

func TestStrict(t *testing.T) {
	// Without -strict the request's context is the server's responsibility.
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/httpcalls")
	setFlag(t, "strict", "true")
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/strict")
}

func TestTestFiles(t *testing.T) {
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/testfiles")
	setFlag(t, "tests", "true")
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/testfilesflag")
}

// TestDiagnosticURL: every diagnostic links to the rule's README section,
// whatever its category.
func TestDiagnosticURL(t *testing.T) {
	for _, r := range analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/basic", "nodeadline/directives") {
		for _, d := range r.Diagnostics {
			if d.URL != nodeadline.Analyzer.URL {
				t.Errorf("%s: URL %q, want %q", d.Message, d.URL, nodeadline.Analyzer.URL)
			}
		}
	}
}
