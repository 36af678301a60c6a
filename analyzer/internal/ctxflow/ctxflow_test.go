package ctxflow_test

import (
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
)

func testdata(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestFacts checks the exported facts of both packages, the second built
// on the first's.
func TestFacts(t *testing.T) {
	analysistest.Run(t, testdata(t), ctxflow.Analyzer, "ctxflow/facts/store", "ctxflow/facts/app", "ctxflow/facts/generated", "ctxflow/facts/forms")
}

// TestLeanSSA checks which functions of a generated package the core gave
// to SSA without their bodies: exactly those that cannot contribute to a
// summary (TestFacts checks that the others keep their facts).
func TestLeanSSA(t *testing.T) {
	results := analysistest.Run(t, testdata(t), ctxflow.Analyzer, "ctxflow/facts/generated")
	var bodiless []string
	for _, res := range results {
		r := res.Result.(*ctxflow.Result)
		for _, fn := range r.SrcFuncs {
			if len(fn.Blocks) == 0 {
				bodiless = append(bodiless, fn.Name())
			}
		}
	}
	slices.Sort(bodiless)
	if want := []string{"copyInput", "serialize", "validate"}; !slices.Equal(bodiless, want) {
		t.Errorf("functions built without bodies = %v, want %v", bodiless, want)
	}
}

// probe reports the classification of the argument of every call to a
// function named probe, so fixtures state what Classify must answer.
var probe = &analysis.Analyzer{
	Name:     "probe",
	Doc:      "report ctxflow's classification of probe(ctx) arguments",
	Requires: []*analysis.Analyzer{ctxflow.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		res := pass.ResultOf[ctxflow.Analyzer].(*ctxflow.Result)
		for _, fn := range res.SrcFuncs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					call, ok := instr.(*ssa.Call)
					if !ok {
						continue
					}
					callee := call.Common().StaticCallee()
					if callee == nil || callee.Name() != "probe" || len(call.Common().Args) != 1 {
						continue
					}
					pass.Reportf(call.Pos(), "%s", describe(res.Classify(call.Common().Args[0])))
				}
			}
		}
		return nil, nil
	},
}

func TestClassify(t *testing.T) {
	analysistest.Run(t, testdata(t), probe, "ctxflow/classify")
}

func describe(o ctxflow.Origin) string {
	s := o.State.String()
	if o.Desc != "" {
		s += ": " + o.Desc
	}
	if o.State == ctxflow.Deadline && (o.Desc == "context.WithTimeout(…)") {
		s += " " + o.Timeout.String()
	}
	return s
}
