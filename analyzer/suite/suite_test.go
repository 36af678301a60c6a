package suite_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
	"github.com/deadlinelint/deadlinelint/analyzer/suite"
)

// TestSuite checks what users rely on: valid analyzers with unique names, a
// README section for each URL, and documentation in the expected shape.
func TestSuite(t *testing.T) {
	all := suite.Analyzers()
	if err := analysis.Validate(all); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var names []string
	for _, a := range all {
		names = append(names, a.Name)
	}
	if !slices.Equal(names, lintutil.Rules) {
		t.Errorf("lintutil.Rules = %v, want the suite's analyzers %v (directives check names against it)", lintutil.Rules, names)
	}
	for i, a := range suite.New(new(suite.Config)) {
		if a.Name != names[i] {
			t.Errorf("suite.New: analyzer %d is %s, Analyzers has %s", i, a.Name, names[i])
		}
	}
	for _, a := range all {
		if seen[a.Name] {
			t.Errorf("duplicate analyzer name %s", a.Name)
		}
		seen[a.Name] = true
		if a.URL != lintutil.URL(a.Name) {
			t.Errorf("%s: URL %q, want %q", a.Name, a.URL, lintutil.URL(a.Name))
		}
		if !strings.Contains(string(readme), "\n## "+a.Name+"\n") {
			t.Errorf("%s: README has no section %q (the URL's anchor)", a.Name, "## "+a.Name)
		}
		title, _, _ := strings.Cut(a.Doc, "\n")
		if title == "" || len(title) > 60 || strings.HasSuffix(title, ".") || strings.ToLower(title[:1]) != title[:1] {
			t.Errorf("%s: doc title %q: want a short lowercase line without a period", a.Name, title)
		}
	}
}

// TestDeterministic runs every analyzer twice over the fixtures and expects
// the same diagnostics in the same order: no map-order reporting.
func TestDeterministic(t *testing.T) {
	dir, err := filepath.Abs("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for _, a := range suite.Analyzers() {
		matches, _ := filepath.Glob(filepath.Join(dir, "src", a.Name, "*"))
		for _, m := range matches {
			if goFiles, _ := filepath.Glob(filepath.Join(m, "*.go")); len(goFiles) > 0 {
				pkgs = append(pkgs, a.Name+"/"+filepath.Base(m))
			}
		}
	}
	if len(pkgs) == 0 {
		t.Fatal("no fixture packages found")
	}
	render := func() string {
		var b strings.Builder
		for _, a := range suite.Analyzers() {
			// A discarding T: the fixtures' own tests check the expectations;
			// here only the output's stability matters.
			for _, r := range analysistest.Run(quietT{t}, dir, a, pkgs...) {
				for _, d := range r.Diagnostics {
					fmt.Fprintf(&b, "%s %v %s\n", a.Name, r.Pass.Fset.Position(d.Pos), d.Message)
				}
			}
		}
		return b.String()
	}
	first, second := render(), render()
	if first != second {
		t.Errorf("two runs differ:\n--- first\n%s\n--- second\n%s", first, second)
	}
	if first == "" {
		t.Error("no diagnostics at all: the determinism check compared nothing")
	}
}

// quietT swallows analysistest's expectation errors: other analyzers' want
// comments do not match this analyzer. A load failure yields no diagnostics,
// which the emptiness check catches.
type quietT struct{ t *testing.T }

func (q quietT) Errorf(format string, args ...any) {}
