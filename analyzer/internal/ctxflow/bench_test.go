package ctxflow_test

import (
	"go/types"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

// The benchmarks time the shared core alone (no rule), the fast loop for
// performance work on it:
//
//	go test ./analyzer/internal/ctxflow -run '^$' -bench . -benchmem
//	go test ./analyzer/internal/ctxflow -run '^$' -bench 'Core/all' -count 10 | benchstat -
//
// Each op runs ctxflow.Analyzer (with its noreturn prerequisite) over a package
// and, because the core declares facts, over every package it imports (std
// included), as go vet does. Actions run sequentially so that their
// durations are exact; besides ns/op the benchmarks report the core's own
// time on the named packages (root-ms/op), on their dependencies
// (deps-ms/op), and in the prerequisite passes (prereq-ms/op). The whole
// suite, rules included, is BenchmarkSuite in analyzer/suite.

// benchPackages are the largest fixture packages, and net/http as a real
// package (loaded from GOROOT).
var benchPackages = []string{
	"swallowcancel/a",
	"sharedeadline/a",
	"nodeadline/basic",
	"nodeadline/httpcalls",
	"timeoutleak/a",
	"nodeadline/fixes",
	"ctxflow/classify",
	"nodeadline/libs",
	"net/http",
}

var (
	loadOnce sync.Once
	loaded   map[string]*packages.Package
	loadErr  string
)

// load type-checks every benchmark package and its dependencies from
// source, once per test binary.
func load(b *testing.B) map[string]*packages.Package {
	b.Helper()
	loadOnce.Do(func() {
		dir, err := filepath.Abs("../../../testdata")
		if err != nil {
			loadErr = err.Error()
			return
		}
		cfg := &packages.Config{
			Mode: packages.LoadAllSyntax,
			Dir:  filepath.Join(dir, "src"),
			Env:  append(os.Environ(), "GOPATH="+dir, "GO111MODULE=off", "GOPROXY=off", "GOFLAGS="),
		}
		pkgs, err := packages.Load(cfg, benchPackages...)
		if err != nil {
			loadErr = err.Error()
			return
		}
		if n := packages.PrintErrors(pkgs); n > 0 {
			loadErr = "load errors in the benchmark packages"
			return
		}
		loaded = map[string]*packages.Package{}
		for _, p := range pkgs {
			loaded[p.PkgPath] = p
		}
	})
	if loadErr != "" {
		b.Fatal(loadErr)
	}
	return loaded
}

// BenchmarkCore runs the core on each benchmark package, and on all of them
// in one graph (dependencies shared, as in one go vet or standalone run).
func BenchmarkCore(b *testing.B) {
	pkgs := load(b)
	for _, path := range benchPackages {
		b.Run(path, func(b *testing.B) {
			benchAnalyze(b, ctxflow.Analyzer, []*packages.Package{pkgs[path]})
		})
	}
	b.Run("all", func(b *testing.B) {
		var all []*packages.Package
		for _, path := range benchPackages {
			all = append(all, pkgs[path])
		}
		benchAnalyze(b, ctxflow.Analyzer, all)
	})
}

// BenchmarkClassify adds the queries the rules make: Classify of every
// context argument of every call in the package (memoised per value).
func BenchmarkClassify(b *testing.B) {
	pkgs := load(b)
	for _, path := range []string{"swallowcancel/a", "sharedeadline/a", "nodeadline/basic", "net/http"} {
		b.Run(path, func(b *testing.B) {
			benchAnalyze(b, classifyAll, []*packages.Package{pkgs[path]})
		})
	}
}

var classifyAll = &analysis.Analyzer{
	Name:     "classifyall",
	Doc:      "classify every context argument (benchmark only)",
	Requires: []*analysis.Analyzer{ctxflow.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		res := pass.ResultOf[ctxflow.Analyzer].(*ctxflow.Result)
		n := 0
		for _, fn := range res.SrcFuncs {
			for _, blk := range fn.Blocks {
				for _, instr := range blk.Instrs {
					call, ok := instr.(ssa.CallInstruction)
					if !ok {
						continue
					}
					for _, arg := range call.Common().Args {
						if isContext(arg.Type()) {
							_ = res.Classify(arg)
							n++
						}
					}
				}
			}
		}
		classified += n
		return nil, nil
	},
}

// classified keeps the Classify calls observable.
var classified int

func isContext(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := named.Obj()
	return obj.Pkg() != nil && obj.Pkg().Path() == "context" && obj.Name() == "Context"
}

// benchAnalyze runs a over roots (and, for the fact-carrying core, their
// dependencies) b.N times and reports where the time went.
func benchAnalyze(b *testing.B, a *analysis.Analyzer, roots []*packages.Package) {
	isRoot := map[*packages.Package]bool{}
	for _, p := range roots {
		if p == nil {
			b.Fatal("benchmark package not loaded")
		}
		isRoot[p] = true
	}
	var root, deps, prereq time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		g, err := checker.Analyze([]*analysis.Analyzer{a}, roots, &checker.Options{Sequential: true})
		if err != nil {
			b.Fatal(err)
		}
		for act := range g.All() {
			if act.Err != nil {
				b.Fatalf("%s: %v", act, act.Err)
			}
			switch {
			case act.Analyzer != ctxflow.Analyzer && act.Analyzer != a:
				prereq += act.Duration
			case isRoot[act.Package]:
				root += act.Duration
			default:
				deps += act.Duration
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(root.Seconds()*1000/n, "root-ms/op")
	b.ReportMetric(deps.Seconds()*1000/n, "deps-ms/op")
	b.ReportMetric(prereq.Seconds()*1000/n, "prereq-ms/op")
}
