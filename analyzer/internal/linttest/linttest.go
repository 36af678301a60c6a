// Package linttest holds test helpers shared by the rules' tests.
package linttest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestData returns the absolute path of the repository's testdata directory
// from a rule package's directory (analyzer/<rule>).
func TestData(t testing.TB, rel string) string {
	t.Helper()
	dir, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// BuildGolden checks that the files a suggested fix produces still compile:
// it copies every *.go.golden of dir (one package, standard-library imports
// only) into a scratch module as .go files and runs go build there.
func BuildGolden(t *testing.T, dir string) {
	t.Helper()
	goldens, err := filepath.Glob(filepath.Join(dir, "*.go.golden"))
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no golden files in %s (%v)", dir, err)
	}
	tmp := t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), []byte("module golden\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, g := range goldens {
		src, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(g), ".golden")
		if err := os.WriteFile(filepath.Join(tmp, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "./...")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fixed code in %s does not compile: %v\n%s", dir, err, out)
	}
}

// Command runs a command in dir the way the end-to-end tests need (module
// mode, no workspace, extra environment appended) and returns its combined
// output and exit status. A command that cannot start fails the test.
func Command(t testing.TB, dir string, env []string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	}
	t.Fatalf("%s %v: %v\n%s", name, args, err, out.String())
	return "", -1
}
