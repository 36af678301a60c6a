// Package linttest holds test helpers shared by the rules' tests.
package linttest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

// Main runs a package's tests with notes made fatal: a function skipped
// because it panicked, or a search abandoned at its step budget, passes
// silently in production (the note goes to stderr) but must fail a test.
// A test that expects notes swaps in its own writer with lintutil.SetNotes.
// Use it as
//
//	func TestMain(m *testing.M) { os.Exit(linttest.Main(m)) }
func Main(m *testing.M) int {
	notes := &noteLog{}
	lintutil.SetNotes(notes)
	code := m.Run()
	if s := notes.String(); s != "" {
		fmt.Fprintf(os.Stderr, "FAIL: the analysis wrote notes (a panic or an exhausted budget):\n%s", s)
		if code == 0 {
			code = 1
		}
	}
	return code
}

type noteLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *noteLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *noteLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

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
func BuildGolden(t testing.TB, dir string) {
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
