package nodeadline_test

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
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

// TestEmbeddedDrivers: a handle from a caller in a package that opens only
// embedded databases is not reported; next to a networked one it is.
func TestEmbeddedDrivers(t *testing.T) {
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/embedded", "nodeadline/embeddedmixed")
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

// withConfig returns nodeadline on a core of its own, configured.
func withConfig(t *testing.T, sinks string, cfg nodeadline.Config) *analysis.Analyzer {
	t.Helper()
	core := new(ctxflow.Config)
	if err := core.Sinks.Set(sinks); err != nil {
		t.Fatal(err)
	}
	return nodeadline.New(ctxflow.New(core), &cfg)
}

func TestUserSinks(t *testing.T) {
	t.Parallel()
	a := withConfig(t, "example.com/kv.Client.Fetch:0, example.com/kv.Client.FetchNow:none,example.com/kv.Ping:0", nodeadline.Config{})
	analysistest.Run(t, testdata(t), a, "nodeadline/usersinks")
}

func TestUserSinksMalformed(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"example.com/kv.Client.Fetch", "example.com/kv.Client.Fetch:x", "kv:0", "(example.com/kv.Client.Fetch:0"} {
		var cfg ctxflow.Config
		err := cfg.Sinks.Set(bad)
		if err == nil {
			t.Errorf("-sinks=%q: no error", bad)
			continue
		}
		if !strings.Contains(err.Error(), "sink ") {
			t.Errorf("-sinks=%q: unclear error %q", bad, err)
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

func TestStrict(t *testing.T) {
	t.Parallel()
	// Without -strict the request's context is the server's responsibility.
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/httpcalls")
	analysistest.Run(t, testdata(t), withConfig(t, "", nodeadline.Config{Strict: true}), "nodeadline/strict")
}

func TestTestFiles(t *testing.T) {
	t.Parallel()
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/testfiles", "nodeadline/testhelper")
	analysistest.Run(t, testdata(t), withConfig(t, "", nodeadline.Config{Tests: true}), "nodeadline/testfilesflag", "nodeadline/testhelperflag")
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

// TestContextFreeForms checks that the callers of an API's context-free
// forms whose wait nothing bounds are reported, with a rewrite to the
// context form where a context is in scope.
func TestContextFreeForms(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testdata(t), nodeadline.Analyzer, "nodeadline/contextfree")
}

// TestConnReads checks dialed connections read with no deadline, and the
// uses that make the search silent.
func TestConnReads(t *testing.T) {
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/connreads")
}

// TestWriteDeadlines: writes to connections whose reads get a deadline,
// in a package that never sets a write deadline; a package that does is
// silent.
func TestWriteDeadlines(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testdata(t), nodeadline.Analyzer, "nodeadline/writedeadline")
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/writedeadlineknown")
	linttest.BuildGolden(t, filepath.Join(testdata(t), "src", "nodeadline", "writedeadline"))
}

// TestCallbacks: a context a helper hands to the function it is given
// reaches that function's wait.
func TestCallbacks(t *testing.T) {
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/callbacks")
}

// TestBuilders: requests a helper of the package builds, and clients from
// fields nothing sets.
func TestBuilders(t *testing.T) {
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/builders", "nodeadline/builderslater")
}

// TestServers: HTTP servers that read requests with no deadline.
func TestServers(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), nodeadline.Analyzer, "nodeadline/servers")
}

// TestServersSkipped: with -skip-servers the same package is silent (its
// want comments are unmet, so run it on a copy without them).
func TestServersSkipped(t *testing.T) {
	a := nodeadline.New(ctxflow.Analyzer, &nodeadline.Config{SkipServers: true})
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), a, "nodeadline/serversskipped")
}

// TestAcceptedConns: connections a server accepts and reads with no
// deadline, and the uses that bound or hide the reads.
func TestAcceptedConns(t *testing.T) {
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/accepted")
}

// TestKeptContexts: a wait given an object's kept context whose only
// cancel runs after it, and calls of func-typed parameters resolved to
// what the package passes.
func TestKeptContexts(t *testing.T) {
	analysistest.Run(t, testdata(t), nodeadline.Analyzer, "nodeadline/keptcancel", "nodeadline/passedfuncs")
}
