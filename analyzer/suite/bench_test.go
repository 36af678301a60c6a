package suite_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/deadlinelint/deadlinelint/analyzer/suite"
)

// BenchmarkSuite runs every analyzer (and the shared core, with SSA
// construction and facts) over the fixture packages, loaded once:
//
//	go test ./analyzer/suite -run '^$' -bench Suite -benchmem
func BenchmarkSuite(b *testing.B) {
	dir, err := filepath.Abs("../../testdata")
	if err != nil {
		b.Fatal(err)
	}
	cfg := &packages.Config{
		Mode: packages.LoadAllSyntax,
		Dir:  filepath.Join(dir, "src"),
		Env:  append(os.Environ(), "GOPATH="+dir, "GO111MODULE=off", "GOPROXY=off", "GOFLAGS="),
	}
	pkgs, err := packages.Load(cfg, "nodeadline/...", "swallowcancel/...", "sharedeadline/...", "cleanupctx/...", "timeoutleak/...", "uncancellablewait/...", "ctxflow/...")
	if err != nil {
		b.Fatal(err)
	}
	if n := packages.PrintErrors(pkgs); n > 0 {
		b.Fatalf("%d load errors", n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := checker.Analyze(suite.Analyzers(), pkgs, nil); err != nil {
			b.Fatal(err)
		}
	}
}
