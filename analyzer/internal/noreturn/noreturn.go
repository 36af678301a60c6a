// Package noreturn finds the functions that never return (os.Exit,
// log.Fatal and the functions that end in them on every path), for the SSA
// the core builds: a call of one ends its block, so what follows it is not a
// path. It is x/tools' ctrlflow pass without what the core does not use:
// ctrlflow also keeps a CFG of every function literal and requires the
// inspect pass, whose walk of every node of every file was a second on a
// generated SDK package (aws-sdk-go-v2's ec2) where the rules read nothing.
// The functions the knowledge table marks NoReturn (os.Exit, log.Fatal,
// testing.TB's Fatal…) count without facts: the vet tool skips their
// packages, which cannot reach a wait, unparsed.
package noreturn

import (
	"go/ast"
	"go/types"
	"reflect"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/cfg"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// Analyzer exports a NoReturn fact for each function of the package that
// never returns, and its Result answers for the package's own functions and
// those of its dependencies.
var Analyzer = &analysis.Analyzer{
	Name:       "noreturn",
	Doc:        "find the functions that never return (reports nothing)",
	URL:        "https://github.com/deadlinelint/deadlinelint#how-it-works",
	Run:        run,
	ResultType: reflect.TypeFor[*Result](),
	FactTypes:  []analysis.Fact{new(NoReturn)},
}

// NoReturn is the fact of a function that has no reachable return.
type NoReturn struct{}

func (*NoReturn) AFact() {}

func (*NoReturn) String() string { return "noReturn" }

// Result answers which functions never return.
type Result struct {
	noReturn map[*types.Func]bool
	pass     *analysis.Pass
}

// NoReturn reports whether fn never returns: a function of the package, or
// of a dependency with the fact.
func (r *Result) NoReturn(fn *types.Func) bool {
	if r.noReturn[fn] || knowledge.RoleOf(fn) == knowledge.NoReturn {
		return true
	}
	return fn.Pkg() != r.pass.Pkg && r.pass.ImportObjectFact(fn, new(NoReturn))
}

type decl struct {
	decl    *ast.FuncDecl
	started bool // to break cycles
}

type finder struct {
	pass     *analysis.Pass
	decls    map[*types.Func]*decl
	noReturn map[*types.Func]bool
}

func run(pass *analysis.Pass) (any, error) {
	f := &finder{pass: pass, decls: map[*types.Func]*decl{}, noReturn: map[*types.Func]bool{}}
	var order []*types.Func
	for _, file := range pass.Files {
		for _, d := range file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					f.decls[fn] = &decl{decl: fd}
					order = append(order, fn)
				}
			}
		}
	}
	for _, fn := range order {
		f.build(fn, f.decls[fn])
	}
	return &Result{noReturn: f.noReturn, pass: pass}, nil
}

// build decides fn, deciding first the functions of the package it calls.
func (f *finder) build(fn *types.Func, d *decl) {
	if d.started {
		return
	}
	d.started = true
	noreturn, known := intrinsic(fn)
	if !known && d.decl.Body != nil {
		noreturn = cfg.New(d.decl.Body, f.mayReturn).NoReturn()
	}
	if noreturn {
		f.pass.ExportObjectFact(fn, new(NoReturn))
		f.noReturn[fn] = true
	}
}

func (f *finder) mayReturn(call *ast.CallExpr) bool {
	if id, ok := call.Fun.(*ast.Ident); ok && f.pass.TypesInfo.Uses[id] == panicBuiltin {
		return false
	}
	if fn, ok := typeutil.Callee(f.pass.TypesInfo, call).(*types.Func); ok && knowledge.RoleOf(fn) == knowledge.NoReturn {
		// os.Exit, log.Fatal, t.Fatal (on testing.TB too)…: known without
		// their packages' facts, which the vet tool does not compute for
		// packages that cannot reach a wait (they are skipped unparsed).
		return false
	}
	fn := typeutil.StaticCallee(f.pass.TypesInfo, call)
	if fn == nil {
		return true // not known statically: it may return
	}
	if d, ok := f.decls[fn]; ok {
		f.build(fn, d)
		return !f.noReturn[fn]
	}
	if f.pass.ImportObjectFact(fn, new(NoReturn)) {
		f.noReturn[fn] = true
		return false
	}
	return true
}

var panicBuiltin = types.Universe.Lookup("panic").(*types.Builtin)

// intrinsics are the functions whose bodies do not show that they never
// return (assembly, runtime magic, loggers that exit through a hook), as
// ctrlflow lists them; true means never returns, false means returns.
var intrinsics = map[string]map[string]bool{
	"syscall":                    {"Exit": true, "ExitProcess": true, "ExitThread": true},
	"runtime":                    {"Goexit": true, "fatalthrow": true, "fatalpanic": true, "exit": true},
	"go.uber.org/zap":            {"Logger.Fatal": true, "Logger.Panic": true, "SugaredLogger.Fatal": true, "SugaredLogger.Fatalw": true, "SugaredLogger.Fatalf": true, "SugaredLogger.Panic": true, "SugaredLogger.Panicw": true, "SugaredLogger.Panicf": true},
	"github.com/sirupsen/logrus": {"Logger.Exit": true, "Logger.Panic": true, "Logger.Panicf": true, "Logger.Panicln": true, "Entry.Panicf": true, "Entry.Panicln": true},
	"k8s.io/klog":                {"Exit": true, "ExitDepth": true, "Exitf": true, "Exitln": true, "Fatal": true, "FatalDepth": true, "Fatalf": true, "Fatalln": true},
	"k8s.io/klog/v2":             {"Exit": true, "ExitDepth": true, "Exitf": true, "Exitln": true, "Fatal": true, "FatalDepth": true, "Fatalf": true, "Fatalln": true},
	"internal/abi":               {"EscapeNonString": false},
	"hash/maphash":               {"Comparable": false},
}

func intrinsic(fn *types.Func) (noreturn, known bool) {
	if fn.Pkg() == nil {
		return false, false
	}
	names, ok := intrinsics[fn.Pkg().Path()]
	if !ok {
		return false, false
	}
	name := fn.Name()
	if recv := fn.Signature().Recv(); recv != nil {
		t := recv.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		named, ok := types.Unalias(t).(*types.Named)
		if !ok {
			return false, false
		}
		name = named.Obj().Name() + "." + name
	}
	noreturn, known = names[name]
	return noreturn, known
}
