package suite_test

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

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
