// Package vettool is deadlinelint's vet tool: the program go vet runs once
// per package (go vet -vettool=$(which deadlinelint)), and that the
// deadlinelint command drives.
//
// It speaks the protocol of x/tools' unitchecker (-flags, -V=full, a .cfg
// file per package, facts in .vetx files, -json, -fix, -diff), with two
// differences that make it cheap on dependencies:
//
//   - Types of imported packages come from the compiler's export data that
//     go vet builds anyway (the .cfg's PackageFile), not from the
//     dependency's own .vetx file, so a .vetx file holds facts only.
//   - go vet runs the tool on every dependency, the standard library
//     included, to collect facts. Only packages that can reach a call that
//     waits on the outside world can export facts (ctxflow.Relevant). A
//     dependency that declares no such call, imports no package that does,
//     and none of whose imports exported a fact is written an empty fact
//     file at once, without being parsed: on a typical service that is half
//     to nine tenths of what go vet visits.
//
// Should a future go command stop passing export data (PackageFile), the
// tool type-checks from source, writes types into every .vetx file, and
// takes no shortcut: slower, still correct.
package vettool

import (
	"encoding/gob"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/deadlinelint/deadlinelint/analyzer/suite"
)

// ProgressEnv names a file to which every run of the tool appends one byte,
// so that the deadlinelint command can show how far go vet is.
const ProgressEnv = "DEADLINELINT_PROGRESS"

// IsCall reports whether args are the go command talking to its vet tool:
// `-flags`, or flags followed by a *.cfg file.
func IsCall(args []string) bool {
	if len(args) == 0 {
		return false
	}
	last := args[len(args)-1]
	return strings.HasSuffix(last, ".cfg") || last == "-flags" || last == "--flags"
}

// options are the flags go vet passes to the tool.
type options struct {
	json, fix, diff, flags bool
	context                int
}

// Main serves one request of the go command and returns the exit code:
// 0 done (diagnostics included, in -json mode), 1 diagnostics in text mode
// or a package that does not type-check, 2 bad usage.
func Main(args []string, stdout, stderr io.Writer) int {
	var (
		cfg suite.Config
		o   options
	)
	all := suite.New(&cfg)
	fs := flag.NewFlagSet("deadlinelint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.RegisterFlags(fs)
	enabled := map[*analysis.Analyzer]*triState{}
	for _, a := range all {
		t := new(triState)
		enabled[a] = t
		fs.Var(t, a.Name, fmt.Sprintf("enable %q analysis", a.Name))
		a.Flags.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, a.Name+"."+f.Name, f.Usage) })
	}
	fs.BoolVar(&o.json, "json", false, "emit JSON output")
	fs.IntVar(&o.context, "c", -1, "display offending line with this many lines of context")
	fs.BoolVar(&o.fix, "fix", false, "apply all suggested fixes")
	fs.BoolVar(&o.diff, "diff", false, "with -fix, don't update the files, but print a unified diff")
	fs.BoolVar(&o.flags, "flags", false, "print analyzer flags in JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.flags {
		printFlags(stdout, fs)
		return 0
	}
	if fs.NArg() != 1 || !strings.HasSuffix(fs.Arg(0), ".cfg") {
		fmt.Fprintln(stderr, `deadlinelint: the vet tool takes one .cfg file from go vet; run "deadlinelint ./..." or "go vet -vettool=$(which deadlinelint) ./..."`)
		return 2
	}
	unit, err := readConfig(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "deadlinelint:", err)
		return 1
	}
	tuneGC()
	noteProgress()
	if unit.Stdout != "" {
		f, err := os.Create(unit.Stdout)
		if err != nil {
			fmt.Fprintln(stderr, "deadlinelint:", err)
			return 1
		}
		defer f.Close()
		stdout = f
	}
	if unit.VetxOnly && len(unit.PackageFile) > 0 && !relevant(unit, cfg.DefinesSinks()) {
		if err := os.WriteFile(unit.VetxOutput, nil, 0o666); err != nil {
			fmt.Fprintln(stderr, "deadlinelint:", err)
			return 1
		}
		return 0
	}
	analyzers := selected(all, enabled)
	if unit.VetxOnly {
		analyzers = withFacts(analyzers)
	}
	if dir := os.Getenv("DEADLINELINT_CPUPROFILE_DIR"); dir != "" {
		// A CPU profile per package, for finding the packages and the
		// parts of the analysis that cost most (bench, issue reports).
		if f, err := os.Create(filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(unit.ImportPath)+".pprof")); err == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	registerFacts(all)
	pkg, err := load(unit)
	if err != nil {
		printLoadError(stderr, err)
		return 1
	}
	results, err := analyze(unit, pkg, analyzers)
	if err != nil {
		fmt.Fprintln(stderr, "deadlinelint:", err)
		return 1
	}
	if unit.VetxOnly {
		return 0
	}
	return output(unit, pkg, results, o, stdout, stderr)
}

// gcOffUntil is the heap size up to which a vet-tool process runs with the
// garbage collector off (see tuneGC).
const gcOffUntil = 512 << 20

// tuneGC turns the garbage collector off until the heap first reaches
// gcOffUntil, then hands back to the default collector, unless the user set
// GOGC or GOMEMLIMIT. One process analyses one package and exits within a
// second or so; most allocate far less than that, and collecting their
// garbage only costs time. A large package (aws-sdk-go-v2/service/ec2)
// gets the default collector after its first collection: holding it at a
// fixed limit instead made it collect every few megabytes. Measured with a
// fresh tool identity (2 cores): caddy 12.75 s with the default collector,
// 9.4 s with it off (largest process 92 → 134 MiB).
func tuneGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(gcOffUntil)
	// The cleanup runs after the first collection, the one the limit
	// forces: from then on, the default collector.
	sentinel := &struct {
		_ [64]byte
		p *int
	}{}
	runtime.AddCleanup(sentinel, func(struct{}) {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	}, struct{}{})
}

func readConfig(file string) (*unitchecker.Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	unit := new(unitchecker.Config)
	if err := json.Unmarshal(data, unit); err != nil {
		return nil, fmt.Errorf("cannot decode JSON config file %s: %v", file, err)
	}
	if len(unit.GoFiles) == 0 {
		return nil, fmt.Errorf("package has no files: %s", unit.ImportPath)
	}
	return unit, nil
}

// relevant reports whether the unit may export a fact about waits (see the
// package documentation): it or an import is a catalog package, or an
// import is relevant.
func relevant(unit *unitchecker.Config, definesSinks func(string) bool) bool {
	if definesSinks(unit.ImportPath) {
		return true
	}
	for _, path := range unit.ImportMap {
		if definesSinks(path) {
			return true
		}
		vetx, ok := unit.PackageVetx[path]
		if !ok {
			continue // unsafe, C: no facts
		}
		if vetxRelevant(vetx) {
			return true
		}
	}
	return false
}

// loaded is a parsed and type-checked package.
type loaded struct {
	fset  *token.FileSet
	files []*ast.File
	pkg   *types.Package
	info  *types.Info
	sizes types.Sizes
	facts *factStore
}

func load(unit *unitchecker.Config) (*loaded, error) {
	l := &loaded{fset: token.NewFileSet()}
	for _, name := range unit.GoFiles {
		f, err := parser.ParseFile(l.fset, name, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		l.files = append(l.files, f)
	}
	imp, err := newImporter(l.fset, unit)
	if err != nil {
		return nil, err
	}
	tc := &types.Config{
		Importer:  imp,
		Sizes:     types.SizesFor("gc", build.Default.GOARCH),
		GoVersion: unit.GoVersion,
	}
	l.sizes = tc.Sizes
	l.info = &types.Info{
		Types:        map[ast.Expr]types.TypeAndValue{},
		Defs:         map[*ast.Ident]types.Object{},
		Uses:         map[*ast.Ident]types.Object{},
		Implicits:    map[ast.Node]types.Object{},
		Instances:    map[*ast.Ident]types.Instance{},
		Scopes:       map[ast.Node]*types.Scope{},
		Selections:   map[*ast.SelectorExpr]*types.Selection{},
		FileVersions: map[*ast.File]string{},
	}
	l.pkg, err = tc.Check(unit.ImportPath, l.fset, l.files, l.info)
	if err != nil {
		return nil, err
	}
	l.facts, err = readFacts(unit, l.pkg, imp.packages)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// printLoadError prints a parse or type error the way go vet users know
// (file:line:col: message), other errors with the tool's name.
func printLoadError(w io.Writer, err error) {
	var te types.Error
	if errors.As(err, &te) {
		fmt.Fprintln(w, te)
		return
	}
	fmt.Fprintln(w, err)
}

// selected applies the -NAME flags: any -NAME=true runs only those named;
// otherwise -NAME=false removes the named ones.
func selected(all []*analysis.Analyzer, enabled map[*analysis.Analyzer]*triState) []*analysis.Analyzer {
	var hasTrue, hasFalse bool
	for _, t := range enabled {
		hasTrue = hasTrue || *t == setTrue
		hasFalse = hasFalse || *t == setFalse
	}
	var keep []*analysis.Analyzer
	for _, a := range all {
		switch {
		case hasTrue && *enabled[a] != setTrue, !hasTrue && hasFalse && *enabled[a] == setFalse:
			continue
		}
		keep = append(keep, a)
	}
	return keep
}

// registerFacts registers every fact type of the suite with gob, before
// any fact file is read.
func registerFacts(analyzers []*analysis.Analyzer) {
	seen := map[*analysis.Analyzer]bool{}
	var visit func(a *analysis.Analyzer)
	visit = func(a *analysis.Analyzer) {
		if seen[a] {
			return
		}
		seen[a] = true
		for _, f := range a.FactTypes {
			gob.Register(f)
		}
		for _, r := range a.Requires {
			visit(r)
		}
	}
	for _, a := range analyzers {
		visit(a)
	}
}

// withFacts keeps the analyzers that export facts or require one that does:
// in VetxOnly mode, diagnostics are not wanted.
func withFacts(analyzers []*analysis.Analyzer) []*analysis.Analyzer {
	memo := map[*analysis.Analyzer]bool{}
	var uses func(a *analysis.Analyzer) bool
	uses = func(a *analysis.Analyzer) bool {
		if v, ok := memo[a]; ok {
			return v
		}
		memo[a] = len(a.FactTypes) > 0
		for _, r := range a.Requires {
			if uses(r) {
				memo[a] = true
			}
		}
		return memo[a]
	}
	var keep []*analysis.Analyzer
	for _, a := range analyzers {
		if uses(a) {
			keep = append(keep, a)
		}
	}
	return keep
}

// triState is an analyzer's enable flag: unset, true or false.
type triState int

const (
	unset triState = iota
	setTrue
	setFalse
)

func (t *triState) IsBoolFlag() bool { return true }

func (t *triState) String() string {
	switch *t {
	case setTrue:
		return "true"
	case setFalse:
		return "false"
	}
	return "unset"
}

func (t *triState) Set(s string) error {
	switch s {
	case "true", "":
		*t = setTrue
	case "false":
		*t = setFalse
	default:
		return fmt.Errorf("want true or false, got %q", s)
	}
	return nil
}

// printFlags answers -flags: the flags go vet may pass on, as JSON.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	type jsonFlag struct {
		Name  string
		Bool  bool
		Usage string
	}
	var out []jsonFlag
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "fix" || f.Name == "flags" {
			return // go vet handles -fix itself
		}
		b, ok := f.Value.(interface{ IsBoolFlag() bool })
		out = append(out, jsonFlag{f.Name, ok && b.IsBoolFlag(), f.Usage})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	data, _ := json.MarshalIndent(out, "", "\t")
	w.Write(append(data, '\n'))
}

// noteProgress appends a byte to the run's progress file, if there is one.
func noteProgress() {
	path := os.Getenv(ProgressEnv)
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return
	}
	f.Write([]byte{'.'})
	f.Close()
}

// packageFiles lists the files a pass may read (Pass.ReadFile).
func packageFiles(unit *unitchecker.Config) []string {
	return slices.Concat(unit.GoFiles, unit.NonGoFiles, unit.IgnoredFiles)
}
