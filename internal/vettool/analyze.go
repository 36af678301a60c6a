package vettool

import (
	"encoding/gob"
	"fmt"
	"go/types"
	"os"
	"reflect"
	"runtime/debug"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"
)

// result is what one root analyzer produced on the unit.
type result struct {
	analyzer    *analysis.Analyzer
	diagnostics []analysis.Diagnostic
	err         error
}

// analyze runs the analyzers (and their prerequisites, once each) on the
// unit, then writes its .vetx file. Analyzers run one after another: go vet
// already runs as many units in parallel as there are cores.
func analyze(unit *unitchecker.Config, l *loaded, analyzers []*analysis.Analyzer) ([]result, error) {
	type action struct {
		done        bool
		result      any
		err         error
		diagnostics []analysis.Diagnostic
	}
	actions := map[*analysis.Analyzer]*action{}
	var register func(a *analysis.Analyzer)
	register = func(a *analysis.Analyzer) {
		if actions[a] != nil {
			return
		}
		actions[a] = new(action)
		for _, f := range a.FactTypes {
			gob.Register(f)
		}
		for _, r := range a.Requires {
			register(r)
		}
	}
	for _, a := range analyzers {
		register(a)
	}
	module := unit.Module
	if module == nil && unit.ModulePath != "" {
		module = &analysis.Module{Path: unit.ModulePath, Version: unit.ModuleVersion, GoVersion: unit.GoVersion}
	}
	readable := packageFiles(unit)
	var exec func(a *analysis.Analyzer) *action
	exec = func(a *analysis.Analyzer) *action {
		act := actions[a]
		if act.done {
			return act
		}
		act.done = true
		inputs := map[*analysis.Analyzer]any{}
		for _, r := range a.Requires {
			ra := exec(r)
			if ra.err != nil {
				// The prerequisite's own error says what went wrong;
				// "failed prerequisites" would only hide it.
				act.err = ra.err
				return act
			}
			inputs[r] = ra.result
		}
		factTypes := map[reflect.Type]bool{}
		for _, f := range a.FactTypes {
			factTypes[reflect.TypeOf(f)] = true
		}
		pass := &analysis.Pass{
			Analyzer:         a,
			Fset:             l.fset,
			Files:            l.files,
			OtherFiles:       unit.NonGoFiles,
			IgnoredFiles:     unit.IgnoredFiles,
			Pkg:              l.pkg,
			TypesInfo:        l.info,
			TypesSizes:       l.sizes,
			ResultOf:         inputs,
			Report:           func(d analysis.Diagnostic) { act.diagnostics = append(act.diagnostics, d) },
			ImportObjectFact: l.facts.importObjectFact,
			ExportObjectFact: func(obj types.Object, fact analysis.Fact) {
				l.facts.exportObjectFact(a, obj, fact)
			},
			ImportPackageFact: l.facts.importPackageFact,
			ExportPackageFact: l.facts.exportPackageFact,
			AllObjectFacts:    func() []analysis.ObjectFact { return l.facts.allObjectFacts(factTypes) },
			AllPackageFacts:   func() []analysis.PackageFact { return l.facts.allPackageFacts(factTypes) },
			Module:            module,
			ReadFile: func(name string) ([]byte, error) {
				if !slices.Contains(readable, name) {
					return nil, fmt.Errorf("%s: Pass.ReadFile of %s, which is not a file of the package", a.Name, name)
				}
				return os.ReadFile(name)
			},
		}
		act.result, act.err = run(a, pass)
		return act
	}
	var results []result
	for _, a := range analyzers {
		act := exec(a)
		results = append(results, result{a, act.diagnostics, act.err})
	}
	if err := writeOutput(unit, l.fset, l.pkg, l.facts); err != nil {
		return nil, fmt.Errorf("writing facts of %s: %v", unit.ImportPath, err)
	}
	return results, nil
}

// run runs one analyzer; a panic becomes an error that names the analyzer
// and the package, and the rest of the run goes on.
func run(a *analysis.Analyzer, pass *analysis.Pass) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("internal error in %s on package %s (please report it at https://github.com/deadlinelint/deadlinelint/issues): %v\n%s", a.Name, pass.Pkg.Path(), p, debug.Stack())
		}
	}()
	return a.Run(pass)
}
