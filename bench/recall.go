package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/deadlinelint/deadlinelint/internal/recall"
)

// recallReport lints the recall suite (testdata/recall) with the command
// built from this tree and prints recall and false positives per rule, and
// every miss and false positive.
func recallReport(root string) int {
	tmp, err := os.MkdirTemp("", "deadlinelint-recall")
	check(err)
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "deadlinelint")
	run(root, "go", "build", "-o", bin, "./cmd/deadlinelint")
	dir := filepath.Join(root, "testdata", "recall")
	cases, err := recall.Load(dir)
	check(err)
	cmd := exec.Command(bin, "-format=json", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	cmd.Stderr = os.Stderr
	out, _ := cmd.Output() // exit 1: findings
	var rep struct {
		Findings []recall.Finding
		Errors   []struct{ Package, Message string }
	}
	check(json.Unmarshal(out, &rep))
	for _, e := range rep.Errors {
		fmt.Fprintf(os.Stderr, "error: %s: %s\n", e.Package, e.Message)
	}
	results := recall.Score(cases, rep.Findings)
	fmt.Print(recall.Table(results, []string{"nodeadline", "swallowcancel", "sharedeadline", "cleanupctx", "timeoutleak", "uncancellablewait"}))
	fmt.Println()
	fmt.Println(recall.Misses(results))
	if len(rep.Errors) > 0 {
		return 1
	}
	return 0
}
