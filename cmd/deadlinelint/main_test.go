package main_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The binary is built once; each test lints a fresh copy of the bundled
// example module (testdata/example) the way a user would.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "deadlinelint-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "deadlinelint")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// wantFindings are the example module's findings, as file:line:col:
// message prefix, and whether a suggested fix removes them.
var wantFindings = []struct {
	text    string
	fixable bool
}{
	{"store/store.go:30:9: (*sql.DB).QueryRow has no context, so the query cannot time out or be cancelled: use QueryRowContext(ctx, …)", false},
	{"cmd/shop/main.go:29:16: (*sql.DB).Exec has no context, so the query cannot time out or be cancelled: use ExecContext(r.Context(), …)", true},
	{"cmd/shop/main.go:37:9: context.Background() reaches (*sql.DB).QueryRowContext via (*store.Store).Load: the wait has no deadline", false},
	{"cmd/shop/main.go:42:15: http.Get uses http.DefaultClient, which has no timeout, so the request can hang forever", false},
	{"store/store.go:45:38: context.WithTimeout(context.Background(), …) starts a fresh 5s budget that ignores ctx's deadline and cancellation", true},
	{"store/store.go:56:15: returning nil when err is context.Canceled tells the caller the work succeeded when it was abandoned", true},
	{"worker/worker.go:13:8: goroutine sends on this unbuffered channel, but the select stops waiting when ctx.Done() fires", true},
	{"worker/worker.go:26:3: time.Sleep (1s) ignores ctx: cancellation and deadlines wait for the whole sleep", true},
	{"worker/worker.go:35:9: (*http.Server).Shutdown runs after ctx is done and is given that context", false},
}

func unfixable() int {
	n := 0
	for _, w := range wantFindings {
		if !w.fixable {
			n++
		}
	}
	return n
}

func copyExample(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	src, err := filepath.Abs("../../testdata/example")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func run(t *testing.T, dir string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
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

// findings returns the report lines, paths made relative to dir, related
// information (indented) dropped.
func findings(dir, out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimPrefix(l, dir+string(filepath.Separator))
		if l == "" || strings.HasPrefix(l, "#") || strings.Contains(l, ": \t") {
			continue
		}
		lines = append(lines, filepath.ToSlash(l))
	}
	return lines
}

func checkFindings(t *testing.T, got []string) {
	t.Helper()
	for _, want := range wantFindings {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, want.text) }) {
			t.Errorf("missing finding %q in:\n%s", want.text, strings.Join(got, "\n"))
		}
	}
	if len(got) != len(wantFindings) {
		t.Errorf("got %d findings, want %d:\n%s", len(got), len(wantFindings), strings.Join(got, "\n"))
	}
}

func TestStandalone(t *testing.T) {
	dir := copyExample(t)
	out, code := run(t, dir, binary, "./...")
	if code != 3 {
		t.Fatalf("exit status %d, want 3 (findings):\n%s", code, out)
	}
	checkFindings(t, findings(dir, out))
}

func TestVettool(t *testing.T) {
	dir := copyExample(t)
	out, code := run(t, dir, "go", "vet", "-vettool="+binary, "./...")
	if code != 1 {
		t.Fatalf("exit status %d, want 1 (findings):\n%s", code, out)
	}
	checkFindings(t, findings(dir, out))
}

func TestCleanModuleExitsZero(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module clean\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "clean.go"), []byte("package clean\n\nimport \"context\"\n\nfunc F(ctx context.Context) error { return ctx.Err() }\n"), 0o644)
	if out, code := run(t, dir, binary, "./..."); code != 0 {
		t.Fatalf("exit status %d on a clean module:\n%s", code, out)
	}
	if out, code := run(t, dir, "go", "vet", "-vettool="+binary, "./..."); code != 0 {
		t.Fatalf("go vet exit status %d on a clean module:\n%s", code, out)
	}
}

// TestFix applies the suggested fixes through both drivers; the module must
// still build and the fixed finding must be gone.
func TestFix(t *testing.T) {
	for _, driver := range [][]string{{binary, "-fix", "./..."}, {"go", "vet", "-vettool=" + binary, "-fix", "./..."}} {
		t.Run(filepath.Base(driver[0]), func(t *testing.T) {
			dir := copyExample(t)
			run(t, dir, driver[0], driver[1:]...)
			src, err := os.ReadFile(filepath.Join(dir, "cmd/shop/main.go"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(src, []byte(`db.ExecContext(r.Context(), "INSERT INTO audit(path) VALUES ($1)", r.URL.Path)`)) {
				t.Errorf("fix not applied:\n%s", src)
			}
			if out, code := run(t, dir, "go", "build", "./..."); code != 0 {
				t.Fatalf("fixed module does not build:\n%s", out)
			}
			out, _ := run(t, dir, binary, "./...")
			if got := findings(dir, out); len(got) != unfixable() {
				t.Errorf("after -fix: %d findings, want %d:\n%s", len(got), unfixable(), strings.Join(got, "\n"))
			}
		})
	}
}

func TestVersion(t *testing.T) {
	out, code := run(t, ".", binary, "-V=full")
	if code != 0 || !strings.Contains(out, "deadlinelint version") {
		t.Fatalf("-V=full: exit %d: %s", code, out)
	}
}

// TestBrokenInput: type errors and odd input give the type checker's message
// and a non-zero status, never a panic.
func TestBrokenInput(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module broken\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.go"), []byte(`package broken

import (
	"context"
	"database/sql"
)

func F(db *sql.DB) {
	db.QueryContext(context.Background(), undefinedQuery)
}
`), 0o644)
	for _, args := range [][]string{{binary, "./..."}, {"go", "vet", "-vettool=" + binary, "./..."}} {
		out, code := run(t, dir, args[0], args[1:]...)
		if code == 0 || !strings.Contains(out, "undefined: undefinedQuery") || strings.Contains(out, "panic") {
			t.Errorf("%v: exit %d, want non-zero with the type error and no panic:\n%s", args, code, out)
		}
	}
}

// TestBaseline: -write-baseline records today's findings; -baseline hides
// them even after unrelated edits move their lines, and shows a new one.
func TestBaseline(t *testing.T) {
	dir := copyExample(t)
	base := filepath.Join(t.TempDir(), "baseline.json")
	if out, code := run(t, dir, binary, "-write-baseline="+base, "./..."); code != 0 || !strings.Contains(out, fmt.Sprintf("wrote %d findings", len(wantFindings))) {
		t.Fatalf("-write-baseline: exit %d:\n%s", code, out)
	}
	if out, code := run(t, dir, binary, "-baseline="+base, "./..."); code != 0 {
		t.Fatalf("-baseline on unchanged code: exit %d, want 0:\n%s", code, out)
	}
	// Move every finding down and add one new finding.
	path := filepath.Join(dir, "store", "store.go")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.Replace(src, []byte("type Store struct"), []byte("// A comment\n// that moves lines.\n\ntype Store struct"), 1)
	src = append(src, []byte("\nfunc (s *Store) Ping() error { return s.db.Ping() }\n")...)
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := run(t, dir, binary, "-baseline="+base, "./...")
	got := findings(dir, out)
	if code != 3 || len(got) != 2 || !strings.Contains(got[0], "(*sql.DB).Ping has no context") {
		t.Fatalf("-baseline after edits: exit %d, want 3 and only the new Ping finding:\n%s", code, out)
	}
}

// TestProblemMatcher: the README's VS Code problem-matcher pattern matches
// every finding line and none of the related-information lines.
func TestProblemMatcher(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"regexp": "([^"]+)"`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no problem-matcher regexp")
	}
	var pattern string
	if err := json.Unmarshal([]byte(`"`+string(m[1])+`"`), &pattern); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(pattern)
	dir := copyExample(t)
	out, _ := run(t, dir, binary, "./...")
	matched := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		related := strings.Contains(line, ": \t")
		if got := re.MatchString(line); got == related {
			t.Errorf("pattern %q on %q: match=%v", pattern, line, got)
		}
		if !related {
			matched++
		}
	}
	if matched != len(wantFindings) {
		t.Errorf("pattern matched %d findings, want %d", matched, len(wantFindings))
	}
}

// TestDirectives: suppression directives behave the same standalone and
// under go vet: a reasoned one suppresses, a stale or reasonless one is
// reported.
func TestDirectives(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module directives\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "d.go"), []byte(`package directives

import (
	"context"
	"database/sql"
)

func Suppressed(db *sql.DB) error {
	return db.Ping() //deadlinelint:ignore nodeadline startup probe
}

func Stale(ctx context.Context, db *sql.DB) error {
	return db.PingContext(ctx) //deadlinelint:ignore nodeadline was db.Ping() once
}

func NoReason(db *sql.DB) error {
	return db.Ping() //deadlinelint:ignore nodeadline
}
`), 0o644)
	want := []string{
		"d.go:13:29: deadlinelint:ignore directive for nodeadline suppresses nothing: remove it",
		"d.go:17:9: (*sql.DB).Ping has no context",
		"d.go:17:19: deadlinelint:ignore directive has no reason, so it suppresses nothing",
	}
	for _, args := range [][]string{{binary, "./..."}, {"go", "vet", "-vettool=" + binary, "./..."}} {
		out, _ := run(t, dir, args[0], args[1:]...)
		got := findings(dir, out)
		for _, w := range want {
			if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
				t.Errorf("%v: missing %q in:\n%s", args[:2], w, out)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%v: %d findings, want %d:\n%s", args[:2], len(got), len(want), out)
		}
	}
}
