package lintutil_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

// probe is a rule named like a real one that reports every call of a
// function named hang, through lintutil.Run like every rule.
func probe(name string, run func(*analysis.Pass)) *analysis.Analyzer {
	a := &analysis.Analyzer{Name: name, Doc: "probe", URL: lintutil.URL(name)}
	a.Run = lintutil.Run(name, func(pass *analysis.Pass) (any, error) {
		run(pass)
		return nil, nil
	})
	return a
}

func reportHang(pass *analysis.Pass) {
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "hang" {
					pass.Reportf(call.Pos(), "hang")
				}
			}
			return true
		})
	}
}

func TestDirectives(t *testing.T) {
	results := analysistest.Run(t, linttest.TestData(t, "../../../testdata"), probe("nodeadline", reportHang), "probe/directives")
	for _, r := range results {
		for _, d := range r.Diagnostics {
			if d.URL != lintutil.URL("nodeadline") {
				t.Errorf("%s: URL %q, want the rule's README section", d.Message, d.URL)
			}
		}
	}
}

// TestDirectiveProblemsOnce: a directive naming no rule, or spaced, is
// reported by one rule only, whichever rules run.
func TestDirectiveProblemsOnce(t *testing.T) {
	other := probe("swallowcancel", func(*analysis.Pass) {})
	results := analysistest.Run(discard{}, linttest.TestData(t, "../../../testdata"), other, "probe/directives")
	if len(results) == 0 {
		t.Fatal("no results")
	}
	// Each result is one variant of the package (with and without its
	// tests). swallowcancel reports nothing itself: of the directives, it
	// reports only the two that name it (both stale for it), and none of
	// the problems that belong to nodeadline (the closest or first rule).
	for _, r := range results {
		if strings.HasSuffix(r.Pass.Pkg.Path(), ".test") {
			continue // the generated test main
		}
		stale := 0
		for _, d := range r.Diagnostics {
			switch {
			case strings.Contains(d.Message, "nodeadlin\""), strings.Contains(d.Message, "frobnicate"), strings.Contains(d.Message, "space after"):
				t.Errorf("swallowcancel reported a problem that belongs to nodeadline: %s", d.Message)
			case strings.Contains(d.Message, "directive for swallowcancel suppresses nothing"):
				stale++
			default:
				t.Errorf("unexpected: %s", d.Message)
			}
		}
		if stale != 2 {
			t.Errorf("%s: %d stale directives, want 2 (listed and otherRule)", r.Pass.Pkg.Path(), stale)
		}
	}
}

// discard is an analysistest.Testing that ignores unmet expectations: the
// test reads the diagnostics itself.
type discard struct{}

func (discard) Errorf(string, ...any) {}

func TestRunTurnsPanicIntoError(t *testing.T) {
	boom := probe("nodeadline", func(*analysis.Pass) { panic("boom") })
	var rec recorder
	analysistest.Run(&rec, linttest.TestData(t, "../../../testdata"), boom, "probe/directives")
	if !strings.Contains(rec.String(), "internal error in nodeadline on package probe/directives") || !strings.Contains(rec.String(), "boom") {
		t.Errorf("a panic must become an error naming the rule and package; got:\n%s", rec.String())
	}
}

type recorder struct{ bytes.Buffer }

func (r *recorder) Errorf(format string, args ...any) { fmt.Fprintf(&r.Buffer, format+"\n", args...) }

type named string

func (n named) String() string { return string(n) }

func TestGuard(t *testing.T) {
	var notes bytes.Buffer
	old := lintutil.SetNotes(&notes)
	defer lintutil.SetNotes(old)
	ran := 0
	a := probe("cleanupctx", func(p *analysis.Pass) {
		lintutil.Guard(p, "cleanupctx", named("p.f"), func() { panic("index out of range") })
		lintutil.Guard(p, "cleanupctx", named("p.g"), func() { ran++ })
	})
	results := analysistest.Run(discard{}, linttest.TestData(t, "../../../testdata"), a, "probe/directives")
	if ran != len(results) || ran == 0 {
		t.Fatalf("the function after a panicking one ran %d times on %d packages", ran, len(results))
	}
	for _, r := range results {
		if r.Err != nil {
			t.Errorf("a guarded panic became the package's error: %v", r.Err)
		}
	}
	got := notes.String()
	for _, want := range []string{"deadlinelint: note: internal error in cleanupctx on p.f (package probe/directives), which was skipped", "index out of range", lintutil.RepoURL + "/issues"} {
		if !strings.Contains(got, want) {
			t.Errorf("note lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "deadlinelint: note:"); n != len(results) {
		t.Errorf("%d notes, want one per package variant (%d), for p.f:\n%s", n, len(results), got)
	}
}

func TestExtractDoc(t *testing.T) {
	const doc = `// Package x is documented.
//
// # Analyzer x
//
// x: report the thing
//
// Why it matters.
//
// # Other heading
//
// Not part of it.
package x
`
	if got, want := lintutil.ExtractDoc(doc, "x"), "report the thing\n\nWhy it matters."; got != want {
		t.Errorf("ExtractDoc = %q, want %q", got, want)
	}
	for _, bad := range []string{"package x\n", "// no heading\npackage x\n", "not go"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("ExtractDoc(%q) did not panic", bad)
				}
			}()
			lintutil.ExtractDoc(bad, "x")
		}()
	}
}

func TestURL(t *testing.T) {
	if got := lintutil.URL("nodeadline"); got != lintutil.RepoURL+"#nodeadline" {
		t.Errorf("URL = %q", got)
	}
}

// TestOneFindingPerPosition: two checks of a rule that report at the same
// position give one finding, the first.
func TestOneFindingPerPosition(t *testing.T) {
	twice := probe("swallowcancel", func(pass *analysis.Pass) {
		reportHang(pass)
		for _, f := range pass.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "hang" {
						pass.Reportf(call.Pos(), "hang, seen again")
					}
				}
				return true
			})
		}
	})
	results := analysistest.Run(discard{}, linttest.TestData(t, "../../../testdata"), twice, "probe/directives")
	hangs, again := 0, 0
	for _, r := range results {
		for _, d := range r.Diagnostics {
			switch d.Message {
			case "hang":
				hangs++
			case "hang, seen again":
				again++
			}
		}
	}
	if hangs == 0 || again != 0 {
		t.Errorf("got %d first findings and %d repeated ones at the same positions, want some and none", hangs, again)
	}
}
