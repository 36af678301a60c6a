package swallowcancel_test

import (
	"path/filepath"
	"testing"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/noreturn"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
	"github.com/deadlinelint/deadlinelint/analyzer/swallowcancel"
)

func TestSwallowcancel(t *testing.T) {
	dir := linttest.TestData(t, "../../testdata")
	analysistest.RunWithSuggestedFixes(t, dir, swallowcancel.Analyzer, "swallowcancel/a")
	linttest.BuildGolden(t, filepath.Join(dir, "src", "swallowcancel", "a"))
}

// TestExemptions: owners of the cancellation (WithCancel, WithTimeout,
// signal.NotifyContext, errgroup) and package main.
func TestExemptions(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), swallowcancel.Analyzer, "swallowcancel/owners", "swallowcancel/cmd")
}

func TestGenerics(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), swallowcancel.Analyzer, "swallowcancel/generics")
}

// TestTypeErrors runs the rule (and what it requires) on a package that does
// not type-check, as gopls and golangci-lint may: it must not panic.
func TestTypeErrors(t *testing.T) {
	for _, a := range []*analysis.Analyzer{noreturn.Analyzer, ctxflow.Analyzer, swallowcancel.Analyzer} {
		if a.RunDespiteErrors {
			continue
		}
		a.RunDespiteErrors = true
		defer func() { a.RunDespiteErrors = false }()
	}
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), swallowcancel.Analyzer, "swallowcancel/broken")
}

func TestWrapAll(t *testing.T) {
	a := swallowcancel.New(ctxflow.Analyzer, &swallowcancel.Config{WrapAll: true})
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), a, "swallowcancel/wrapall")
}

// TestDeterministic runs the rule twice and compares the diagnostics.
func TestDeterministic(t *testing.T) {
	dir := linttest.TestData(t, "../../testdata")
	render := func() []string {
		var out []string
		for _, r := range analysistest.Run(t, dir, swallowcancel.Analyzer, "swallowcancel/a") {
			for _, d := range r.Diagnostics {
				out = append(out, r.Pass.Fset.Position(d.Pos).String()+" "+d.Message)
			}
		}
		return out
	}
	a, b := render(), render()
	if len(a) != len(b) {
		t.Fatalf("runs differ: %d vs %d diagnostics", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("runs differ at %d:\n%s\n%s", i, a[i], b[i])
		}
	}
}

// TestPatterns: the shapes real cancellation bugs take, each next to its
// fixed form.
func TestPatterns(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), swallowcancel.Analyzer, "swallowcancel/patterns")
}

// TestGRPCStatus: a cancellation translated into a gRPC status with the
// matching code is no replacement; into another code or error, it is.
func TestGRPCStatus(t *testing.T) {
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), swallowcancel.Analyzer, "swallowcancel/grpcstatus")
}
