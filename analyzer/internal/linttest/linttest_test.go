package linttest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"
)

func TestTestData(t *testing.T) {
	dir := linttest.TestData(t, "../../../testdata")
	if !filepath.IsAbs(dir) {
		t.Errorf("TestData = %q, want an absolute path", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "src")); err != nil {
		t.Errorf("TestData does not point at the repository's testdata: %v", err)
	}
}

// fatal records a test's fatal failure and stops the helper, as
// testing.T's Fatalf does.
type fatal struct {
	testing.TB
	msg string
}

type stopped struct{}

func (f *fatal) Helper() {}

func (f *fatal) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(stopped{})
}

func (f *fatal) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

func run(t *testing.T, f func(tb testing.TB)) string {
	t.Helper()
	rec := &fatal{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(stopped); !ok {
					panic(p)
				}
			}
		}()
		f(rec)
	}()
	return rec.msg
}

func TestBuildGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	good, bad, empty := t.TempDir(), t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(good, "a.go.golden"), []byte("package p\n\nimport \"context\"\n\nvar _ = context.Background\n"), 0o644)
	os.WriteFile(filepath.Join(bad, "a.go.golden"), []byte("package p\n\nvar _ = undefined\n"), 0o644)
	if msg := run(t, func(tb testing.TB) { linttest.BuildGolden(tb, good) }); msg != "" {
		t.Errorf("BuildGolden failed on code that compiles: %s", msg)
	}
	if msg := run(t, func(tb testing.TB) { linttest.BuildGolden(tb, bad) }); !strings.Contains(msg, "does not compile") || !strings.Contains(msg, "undefined") {
		t.Errorf("BuildGolden on code that does not compile: %q, want the compiler's error", msg)
	}
	if msg := run(t, func(tb testing.TB) { linttest.BuildGolden(tb, empty) }); !strings.Contains(msg, "no golden files") {
		t.Errorf("BuildGolden on a directory without goldens: %q, want a failure", msg)
	}
}

func TestCommand(t *testing.T) {
	out, code := linttest.Command(t, t.TempDir(), []string{"DEADLINELINT_PROBE=42"}, "sh", "-c", `echo "$GOWORK $DEADLINELINT_PROBE"; echo oops >&2; exit 3`)
	if code != 3 || !strings.Contains(out, "off 42") || !strings.Contains(out, "oops") {
		t.Errorf("Command = %q, %d; want both streams, the environment and exit status 3", out, code)
	}
	if msg := run(t, func(tb testing.TB) { linttest.Command(tb, t.TempDir(), nil, "/nonexistent/binary") }); msg == "" {
		t.Error("a command that cannot start must fail the test")
	}
}

// TestNotesAreFatal: under linttest.Main (this package's TestMain), a
// note reaches the log Main checks; the test swaps in its own writer to
// see it without failing the run.
func TestNotesAreFatal(t *testing.T) {
	var got strings.Builder
	old := lintutil.SetNotes(&got)
	lintutil.Note("probe %d", 1)
	restored := lintutil.SetNotes(old)
	if restored != &got {
		t.Error("SetNotes did not return the writer it replaced")
	}
	if got.String() != "deadlinelint: note: probe 1\n" {
		t.Errorf("note = %q", got.String())
	}
	if old == os.Stderr {
		t.Error("under linttest.Main, notes must not go to stderr")
	}
}

func TestMain(m *testing.M) { os.Exit(linttest.Main(m)) }

// TestMainFailsOnNotes runs this test binary again with a test that
// passes but writes a note: Main must fail the run and show the note.
func TestMainFailsOnNotes(t *testing.T) {
	if os.Getenv("LINTTEST_WRITE_NOTE") == "1" {
		lintutil.Note("abandoned a search in p.f")
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, code := linttest.Command(t, t.TempDir(), []string{"LINTTEST_WRITE_NOTE=1"}, exe, "-test.run=^TestMainFailsOnNotes$")
	if code != 1 || !strings.Contains(out, "the analysis wrote notes") || !strings.Contains(out, "abandoned a search in p.f") {
		t.Errorf("a passing test that wrote a note: exit %d, output:\n%s", code, out)
	}
}
