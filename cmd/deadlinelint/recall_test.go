package main_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deadlinelint/deadlinelint/internal/recall"
)

// minRecall is the share of the recall suite's cases the command must keep
// catching: raise it with every improvement, never lower it to make a
// change pass. `go run ./bench -recall` prints the table and the misses.
const minRecall = 463

// TestRecallSuite lints the recall suite (real upstream fixes, each a bug/
// and a fixed/ package) as a user would and checks that no fixed twin is
// reported by its case's rule and that recall does not fall.
func TestRecallSuite(t *testing.T) {
	dir, err := filepath.Abs("../../testdata/recall")
	if err != nil {
		t.Fatal(err)
	}
	cases, err := recall.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 30 {
		t.Fatalf("the suite has %d cases; it needs at least 30", len(cases))
	}
	out, errOut, code := run(t, dir, binary, "-format=json", "./...")
	if code != 1 {
		t.Fatalf("exit status %d, want 1 (findings):\n%s", code, errOut)
	}
	var rep struct {
		Findings []recall.Finding
		Errors   []struct{ Package, Message string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) > 0 {
		t.Fatalf("errors: %+v", rep.Errors)
	}
	// A recovered panic only skips one function, so the suite may still
	// score well: no internal error is acceptable on real code.
	if strings.Contains(errOut, "internal error") {
		t.Errorf("internal errors while linting the suite:\n%s", errOut)
	}
	results := recall.Score(cases, rep.Findings)
	caught := 0
	for _, r := range results {
		if r.Caught {
			caught++
		}
		for _, f := range r.FalsePositive {
			t.Errorf("false positive on a fixed twin: %s:%d (%s): %s", f.File, f.Line, f.Rule, f.Message)
		}
	}
	t.Logf("recall %d/%d\n%s", caught, len(cases), recall.Table(results, []string{"nodeadline", "swallowcancel", "sharedeadline", "cleanupctx", "timeoutleak", "uncancellablewait"}))
	if caught < minRecall {
		t.Errorf("caught %d of %d cases, want at least %d:\n%s", caught, len(cases), minRecall, recall.Misses(results))
	}
}
