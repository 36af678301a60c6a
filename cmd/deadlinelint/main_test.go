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
	"time"
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
	// The run cache of these runs lives and dies with the test binary.
	os.Setenv("DEADLINELINT_CACHE", filepath.Join(dir, "runs"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// wantFindings are the example module's findings, as file:line:col:
// message prefix (the text format adds " (rule)"), and whether a suggested
// fix removes them.
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

// run runs a command in dir and returns its stdout, stderr and exit code.
func run(t *testing.T, dir string, name string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errOut.String(), 0
	case errors.As(err, &exit):
		return out.String(), errOut.String(), exit.ExitCode()
	}
	t.Fatalf("%s %v: %v\n%s%s", name, args, err, out.String(), errOut.String())
	return "", "", -1
}

// findings returns the report lines of the text format, related
// information (indented) dropped. go vet prints absolute or ./-relative
// paths; they are made relative to dir.
func findings(dir, out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimPrefix(l, dir+string(filepath.Separator))
		l = strings.TrimPrefix(l, "./")
		// Related information: indented by deadlinelint, a tab-led
		// message under go vet.
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "\t") || strings.Contains(l, ": \t") || strings.HasPrefix(l, "deadlinelint: ") {
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

// TestStandalone: text output is path:line:col: message (rule), paths
// relative to the module root, sorted, exit status 1 for findings.
func TestStandalone(t *testing.T) {
	dir := copyExample(t)
	out, errOut, code := run(t, dir, binary, "./...")
	if code != 1 {
		t.Fatalf("exit status %d, want 1 (findings):\n%s%s", code, out, errOut)
	}
	got := findings(dir, out)
	checkFindings(t, got)
	if !slices.IsSorted(got) {
		t.Errorf("findings are not sorted:\n%s", strings.Join(got, "\n"))
	}
	for _, line := range got {
		if !regexp.MustCompile(` \((nodeadline|swallowcancel|sharedeadline|cleanupctx|timeoutleak|uncancellablewait)\)$`).MatchString(line) {
			t.Errorf("line does not end with its rule: %q", line)
		}
	}
	if errOut != "" {
		t.Errorf("stderr not empty:\n%s", errOut)
	}
	// From a subdirectory, paths stay relative to the module root.
	sub, _, _ := run(t, filepath.Join(dir, "worker"), binary, "./...")
	if !strings.HasPrefix(sub, "worker/worker.go:") {
		t.Errorf("run from worker/: want paths relative to the module root, got:\n%s", sub)
	}
}

func TestVettool(t *testing.T) {
	dir := copyExample(t)
	_, errOut, code := run(t, dir, "go", "vet", "-vettool="+binary, "./...")
	if code != 1 {
		t.Fatalf("exit status %d, want 1 (findings):\n%s", code, errOut)
	}
	var got []string
	for _, l := range findings(dir, errOut) {
		got = append(got, l+" (rule)") // go vet prints no rule name
	}
	checkFindings(t, got)
}

func TestCleanModuleExitsZero(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module clean\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "clean.go"), []byte("package clean\n\nimport \"context\"\n\nfunc F(ctx context.Context) error { return ctx.Err() }\n"), 0o644)
	for _, format := range []string{"text", "json", "sarif", "github"} {
		if out, errOut, code := run(t, dir, binary, "-format="+format, "./..."); code != 0 {
			t.Fatalf("-format=%s: exit status %d on a clean module:\n%s%s", format, code, out, errOut)
		}
	}
	if _, errOut, code := run(t, dir, "go", "vet", "-vettool="+binary, "./..."); code != 0 {
		t.Fatalf("go vet exit status %d on a clean module:\n%s", code, errOut)
	}
}

// TestExitCodes: the same scheme in every format: 1 for findings.
func TestExitCodes(t *testing.T) {
	dir := copyExample(t)
	for _, format := range []string{"text", "json", "sarif", "github"} {
		if _, errOut, code := run(t, dir, binary, "-format="+format, "./..."); code != 1 {
			t.Errorf("-format=%s: exit status %d, want 1:\n%s", format, code, errOut)
		}
	}
}

// jsonReport is the -format=json schema.
type jsonReport struct {
	Findings []struct {
		Rule, File, Message, URL, Category string
		Line, Column                       int
		Fixes                              []struct {
			Message string
			Edits   []struct {
				File       string
				Start, End int
				New        string
			}
		}
	}
	Errors []struct{ Package, Message string }
}

func TestJSON(t *testing.T) {
	dir := copyExample(t)
	// A test file makes go vet analyse the package twice (the package and
	// its test variant): each finding must still be listed once.
	os.WriteFile(filepath.Join(dir, "store", "store_test.go"), []byte("package store\n\nimport \"testing\"\n\nfunc TestNothing(t *testing.T) {}\n"), 0o644)
	out, errOut, code := run(t, dir, binary, "-json", "./...")
	if code != 1 {
		t.Fatalf("exit status %d, want 1:\n%s", code, errOut)
	}
	var rep jsonReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("-json output is not the documented JSON: %v\n%s", err, out)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s:%d:%d: %s (%s)", f.File, f.Line, f.Column, f.Message, f.Rule))
		if want := "https://github.com/deadlinelint/deadlinelint#" + f.Rule; f.URL != want {
			t.Errorf("%s: url %q, want %q", f.Message, f.URL, want)
		}
	}
	checkFindings(t, got)
	if len(rep.Errors) != 0 {
		t.Errorf("errors: %+v", rep.Errors)
	}
}

func TestSARIF(t *testing.T) {
	dir := copyExample(t)
	out, _, _ := run(t, dir, binary, "-format=sarif", "./...")
	var log struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string
					Rules []struct {
						ID               string
						HelpURI          string `json:"helpUri"`
						ShortDescription struct{ Text string }
					}
				}
			}
			OriginalURIBaseIDs map[string]struct{ URI string } `json:"originalUriBaseIds"`
			Results            []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string
							URIBaseID string `json:"uriBaseId"`
						}
						Region struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("want one SARIF 2.1.0 run, got version %q with %d runs", log.Version, len(log.Runs))
	}
	r := log.Runs[0]
	if r.Tool.Driver.Name != "deadlinelint" || len(r.Tool.Driver.Rules) != 6 {
		t.Errorf("driver %q with %d rules, want deadlinelint with 6", r.Tool.Driver.Name, len(r.Tool.Driver.Rules))
	}
	for _, rule := range r.Tool.Driver.Rules {
		if rule.HelpURI != "https://github.com/deadlinelint/deadlinelint#"+rule.ID || rule.ShortDescription.Text == "" {
			t.Errorf("rule %s: helpUri %q, description %q", rule.ID, rule.HelpURI, rule.ShortDescription.Text)
		}
	}
	if !strings.HasPrefix(r.OriginalURIBaseIDs["SRCROOT"].URI, "file:///") {
		t.Errorf("SRCROOT %q is not a file URI", r.OriginalURIBaseIDs["SRCROOT"].URI)
	}
	var got []string
	for _, res := range r.Results {
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URIBaseID != "SRCROOT" || r.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID || res.Level != "warning" {
			t.Errorf("result %+v: want a SRCROOT-relative location and a matching rule index", res)
		}
		got = append(got, fmt.Sprintf("%s:%d:%d: %s (%s)", loc.ArtifactLocation.URI, loc.Region.StartLine, loc.Region.StartColumn, res.Message.Text, res.RuleID))
	}
	checkFindings(t, got)
}

func TestGitHubAnnotations(t *testing.T) {
	dir := copyExample(t)
	out, _, _ := run(t, dir, binary, "-format=github", "./...")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(wantFindings) {
		t.Fatalf("%d annotations, want %d:\n%s", len(lines), len(wantFindings), out)
	}
	want := "::error file=store/store.go,line=30,col=9,endLine=30,endColumn=22,title=nodeadline::(*sql.DB).QueryRow has no context"
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, want) }) {
		t.Errorf("no annotation starting %q in:\n%s", want, out)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "::error file=") || !strings.Contains(l, "https://github.com/deadlinelint/deadlinelint#") {
			t.Errorf("annotation without file or rule URL: %q", l)
		}
	}
}

// TestFix applies the suggested fixes through both drivers; the module must
// still build and the fixed findings must be gone. The command exits 1
// because findings without a fix remain.
func TestFix(t *testing.T) {
	for _, driver := range [][]string{{binary, "-fix", "./..."}, {"go", "vet", "-vettool=" + binary, "-fix", "./..."}} {
		t.Run(filepath.Base(driver[0]), func(t *testing.T) {
			dir := copyExample(t)
			_, errOut, code := run(t, dir, driver[0], driver[1:]...)
			if driver[0] == binary && (code != 1 || !strings.Contains(errOut, fmt.Sprintf("fixed %d findings, %d left", len(wantFindings)-unfixable(), unfixable()))) {
				t.Errorf("-fix: exit %d, want 1 and a count of fixed and left findings:\n%s", code, errOut)
			}
			src, err := os.ReadFile(filepath.Join(dir, "cmd/shop/main.go"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(src, []byte(`db.ExecContext(r.Context(), "INSERT INTO audit(path) VALUES ($1)", r.URL.Path)`)) {
				t.Errorf("fix not applied:\n%s", src)
			}
			if out, errOut, code := run(t, dir, "go", "build", "./..."); code != 0 {
				t.Fatalf("fixed module does not build:\n%s%s", out, errOut)
			}
			out, _, _ := run(t, dir, binary, "./...")
			if got := findings(dir, out); len(got) != unfixable() {
				t.Errorf("after -fix: %d findings, want %d:\n%s", len(got), unfixable(), strings.Join(got, "\n"))
			}
		})
	}
}

// TestFixAllExitsZero: when every finding is fixed, nothing is left to report.
func TestFixAllExitsZero(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module fixall\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "f.go"), []byte("package fixall\n\nimport (\n\t\"context\"\n\t\"database/sql\"\n)\n\nfunc F(ctx context.Context, db *sql.DB) error {\n\t_, err := db.Exec(\"DELETE FROM t\")\n\treturn err\n}\n"), 0o644)
	if _, errOut, code := run(t, dir, binary, "-fix", "./..."); code != 0 || !strings.Contains(errOut, "fixed 1 findings, 0 left") {
		t.Fatalf("-fix: exit %d, want 0:\n%s", code, errOut)
	}
	if out, _, code := run(t, dir, binary, "./..."); code != 0 {
		t.Fatalf("after -fix: exit %d:\n%s", code, out)
	}
}

// TestDiff: -diff prints the fixes and changes nothing.
func TestDiff(t *testing.T) {
	dir := copyExample(t)
	before, _ := os.ReadFile(filepath.Join(dir, "cmd/shop/main.go"))
	out, _, _ := run(t, dir, binary, "-fix", "-diff", "./...")
	for _, want := range []string{"--- a/cmd/shop/main.go\n+++ b/cmd/shop/main.go\n", "\n-\t\tif _, err := db.Exec(", "\n+\t\tif _, err := db.ExecContext(r.Context(), "} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	after, _ := os.ReadFile(filepath.Join(dir, "cmd/shop/main.go"))
	if !bytes.Equal(before, after) {
		t.Error("-diff changed the file")
	}
}

func TestVersion(t *testing.T) {
	out, _, code := run(t, ".", binary, "-V=full")
	if code != 0 || !strings.Contains(out, "deadlinelint version") || !strings.Contains(out, "buildID=") {
		t.Fatalf("-V=full: exit %d: %s", code, out)
	}
}

// TestHelp: our own help, listing every rule with its flags and the
// baseline flags, not x/tools' generic text.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}} {
		out, errOut, code := run(t, ".", binary, args...)
		text := out + errOut
		if code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		for _, want := range []string{"nodeadline", "swallowcancel", "sharedeadline", "cleanupctx", "timeoutleak", "uncancellablewait",
			"-nodeadline.strict", "-sharedeadline.sequential", "-baseline", "-write-baseline", "-format", "-sinks", "-tags", "Exit status"} {
			if !strings.Contains(text, want) {
				t.Errorf("%v: help lacks %q:\n%s", args, want, text)
			}
		}
		for _, unwanted := range []string{"Printf", "no effect (deprecated)", "SplitSeq"} {
			if strings.Contains(text, unwanted) {
				t.Errorf("%v: help mentions %q", args, unwanted)
			}
		}
	}
	out, _, code := run(t, ".", binary, "help", "nodeadline")
	if code != 0 || !strings.Contains(out, "-nodeadline.strict") || !strings.Contains(out, "https://github.com/deadlinelint/deadlinelint#nodeadline") {
		t.Errorf("help nodeadline: exit %d:\n%s", code, out)
	}
	if _, errOut, code := run(t, ".", binary, "help", "nosuchrule"); code != 2 || !strings.Contains(errOut, `no rule named "nosuchrule"`) {
		t.Errorf("help nosuchrule: exit %d: %s", code, errOut)
	}
	if _, errOut, code := run(t, ".", binary, "-format=xml", "./..."); code != 2 || !strings.Contains(errOut, "want one of text, json, sarif, github") {
		t.Errorf("-format=xml: exit %d: %s", code, errOut)
	}
}

// TestBrokenInput: type errors give the type checker's message, exit
// status 2, and none of the noise of failed internal analyzers.
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
	out, errOut, code := run(t, dir, binary, "./...")
	if code != 2 || !strings.Contains(errOut, "undefined: undefinedQuery") || strings.Contains(out+errOut, "panic") || strings.Contains(errOut, "prerequisites") {
		t.Errorf("exit %d, want 2 with the type error, no panic, no prerequisite noise:\n%s%s", code, out, errOut)
	}
	if n := strings.Count(errOut, "undefined: undefinedQuery"); n != 1 {
		t.Errorf("the type error is printed %d times, want once:\n%s", n, errOut)
	}
	out, errOut, code = run(t, dir, "go", "vet", "-vettool="+binary, "./...")
	if code == 0 || !strings.Contains(out+errOut, "undefined: undefinedQuery") || strings.Contains(out+errOut, "panic") {
		t.Errorf("go vet: exit %d, want non-zero with the type error and no panic:\n%s%s", code, out, errOut)
	}
}

// TestBuildFlags: -tags selects files as go build does, and -modfile works
// for modules that keep test dependencies in another go.mod.
func TestBuildFlags(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module tagged\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "plain.go"), []byte("package tagged\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "integration.go"), []byte("//go:build integration\n\npackage tagged\n\nimport \"net/http\"\n\nfunc Ping() { http.Get(\"http://localhost\") }\n"), 0o644)
	if out, _, code := run(t, dir, binary, "./..."); code != 0 || out != "" {
		t.Errorf("without -tags: exit %d, want 0 and no findings:\n%s", code, out)
	}
	out, _, code := run(t, dir, binary, "-tags", "integration", "./...")
	if code != 1 || !strings.HasPrefix(out, "integration.go:7:15: http.Get uses http.DefaultClient") {
		t.Errorf("-tags integration: exit %d, want the finding in integration.go:\n%s", code, out)
	}
	os.WriteFile(filepath.Join(dir, "go_test.mod"), []byte("module tagged\n\ngo 1.26\n"), 0o644)
	out, errOut, code := run(t, dir, binary, "-modfile=go_test.mod", "-tags=integration", "./...")
	if code != 1 || !strings.HasPrefix(out, "integration.go:7:15:") {
		t.Errorf("-modfile: exit %d, want the finding:\n%s%s", code, out, errOut)
	}
}

// TestBaseline: -write-baseline records today's findings; -baseline (both
// flag forms) hides them even after unrelated edits move their lines, in
// every format and from any directory of the module, and shows a new one.
func TestBaseline(t *testing.T) {
	dir := copyExample(t)
	base := filepath.Join(t.TempDir(), "baseline.json")
	if _, errOut, code := run(t, dir, binary, "-write-baseline", base, "./..."); code != 0 || !strings.Contains(errOut, fmt.Sprintf("wrote %d findings", len(wantFindings))) {
		t.Fatalf("-write-baseline: exit %d:\n%s", code, errOut)
	}
	if out, _, code := run(t, dir, binary, "-baseline="+base, "./..."); code != 0 || out != "" {
		t.Fatalf("-baseline on unchanged code: exit %d, want 0:\n%s", code, out)
	}
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
	out, _, code := run(t, dir, binary, "-baseline", base, "./...")
	got := findings(dir, out)
	if code != 1 || len(got) != 1 || !strings.Contains(got[0], "(*sql.DB).Ping has no context") {
		t.Fatalf("-baseline after edits: exit %d, want 1 and only the new Ping finding:\n%s", code, out)
	}
	out, _, _ = run(t, filepath.Join(dir, "store"), binary, "-baseline", base, "-format=json", "./...")
	var rep jsonReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Findings) != 1 || rep.Findings[0].File != "store/store.go" {
		t.Fatalf("-baseline -format=json from store/: want the one new finding as JSON, got %v:\n%s", err, out)
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
	out, _, _ := run(t, dir, binary, "./...")
	matched := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		related := strings.HasPrefix(line, "\t")
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
// reported, and so are a directive naming no rule that exists and one
// written with a space after the slashes (which Go does not treat as a
// directive).
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

func Misspelled(db *sql.DB) error {
	return db.Ping() //deadlinelint:ignore nodeadlin startup probe
}

func Spaced(db *sql.DB) error {
	return db.Ping() // deadlinelint:ignore nodeadline startup probe
}
`), 0o644)
	want := []string{
		"d.go:13:29: deadlinelint:ignore directive for nodeadline suppresses nothing: remove it",
		"d.go:17:9: (*sql.DB).Ping has no context",
		"d.go:17:19: deadlinelint:ignore directive has no reason, so it suppresses nothing",
		"d.go:21:9: (*sql.DB).Ping has no context",
		`d.go:21:19: deadlinelint:ignore names "nodeadlin", which is no deadlinelint rule`,
		"d.go:25:9: (*sql.DB).Ping has no context",
		"d.go:25:19: this looks like a deadlinelint:ignore directive, but the space after // makes it a plain comment",
	}
	for _, args := range [][]string{{binary, "./..."}, {"go", "vet", "-vettool=" + binary, "./..."}} {
		out, errOut, _ := run(t, dir, args[0], args[1:]...)
		got := findings(dir, out+errOut)
		for _, w := range want {
			if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
				t.Errorf("%v: missing %q in:\n%s", args[:2], w, strings.Join(got, "\n"))
			}
		}
		if len(got) != len(want) {
			t.Errorf("%v: %d findings, want %d:\n%s", args[:2], len(got), len(want), strings.Join(got, "\n"))
		}
	}
}

// TestBadSinks: a -sinks entry whose context index is beyond the function's
// parameters is an error naming the entry, not a flood of false findings.
func TestBadSinks(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module badsinks\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "kv.go"), []byte("package badsinks\n\nimport \"context\"\n\ntype Client struct{}\n\nfunc (c *Client) Fetch(ctx context.Context, key string) error { return nil }\n\nfunc Use(ctx context.Context, c *Client) error { return c.Fetch(ctx, \"k\") }\n"), 0o644)
	out, errOut, code := run(t, dir, binary, "-sinks=badsinks.Client.Fetch:7", "./...")
	if code != 2 || !strings.Contains(errOut, "badsinks.Client.Fetch:7") || !strings.Contains(errOut, "has 2 parameters") || strings.Contains(out, "no context") {
		t.Errorf("exit %d, want 2 and an error about the entry:\n%s%s", code, out, errOut)
	}
	if out, errOut, code := run(t, dir, binary, "-sinks=badsinks.Client.Fetch:0", "./..."); code != 0 {
		t.Errorf("a good entry: exit %d:\n%s%s", code, out, errOut)
	}
}

// TestStrictAdvice: under -nodeadline.strict, code that already passes
// r.Context() is told to derive a deadline from it, not to pass it.
func TestStrictAdvice(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module strict\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "h.go"), []byte("package strict\n\nimport (\n\t\"database/sql\"\n\t\"net/http\"\n)\n\nfunc Handler(db *sql.DB) http.HandlerFunc {\n\treturn func(w http.ResponseWriter, r *http.Request) {\n\t\tdb.QueryContext(r.Context(), \"SELECT 1\")\n\t}\n}\n"), 0o644)
	if out, _, code := run(t, dir, binary, "./..."); code != 0 {
		t.Errorf("without -strict: exit %d:\n%s", code, out)
	}
	out, _, code := run(t, dir, binary, "-nodeadline.strict", "./...")
	if code != 1 || !strings.Contains(out, "derive one with context.WithTimeout(r.Context(), d)") || strings.Contains(out, "pass r.Context()") {
		t.Errorf("-nodeadline.strict: exit %d:\n%s", code, out)
	}
}

// TestPackageThatDoesNotLoad: go vet analyses nothing when one package of
// the pattern fails to load (here an embed pattern with no files); the
// command analyses the others, reports their findings, and names the
// package that failed, with exit status 2.
func TestPackageThatDoesNotLoad(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":         "module example.com/partial\n\ngo 1.26\n",
		"ui/ui.go":       "package ui\n\nimport \"embed\"\n\n//go:embed dist\nvar Assets embed.FS\n",
		"store/store.go": "package store\n\nimport \"database/sql\"\n\nfunc Ping(db *sql.DB) error { return db.Ping() }\n",
	}
	writeFiles(t, dir, files)
	stdout, stderr, code := run(t, dir, binary, "./...")
	if code != 2 {
		t.Errorf("exit %d, want 2 (a package failed)", code)
	}
	if !strings.Contains(stdout, "store/store.go:5:38: (*sql.DB).Ping has no context") {
		t.Errorf("the package that loads was not analysed; stdout:\n%s", stdout)
	}
	if !strings.Contains(stderr, "example.com/partial/ui: pattern dist: no matching files found") {
		t.Errorf("the package that does not load is not named; stderr:\n%s", stderr)
	}
}

// TestCgoWarningsAreNotErrors: the C compiler's warnings, which go vet
// prints while it builds a cgo package, are shown as they are; the run
// does not fail for them (golang-migrate's go-sqlcipher dependency).
func TestCgoWarningsAreNotErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a cgo package")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no C compiler")
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/cwarn\n\ngo 1.26\n",
		// A fresh comment each run: go builds (and warns) again.
		"c/c.go":         fmt.Sprintf("package c\n\n/*\n#warning \"deliberate warning %d\"\nstatic int one(void) { return 1; }\n*/\nimport \"C\"\n\nfunc One() int { return int(C.one()) }\n", time.Now().UnixNano()),
		"store/store.go": "package store\n\nimport \"database/sql\"\n\nfunc Ping(db *sql.DB) error { return db.Ping() }\n",
	}
	writeFiles(t, dir, files)
	stdout, stderr, code := run(t, dir, binary, "./...")
	if code != 1 {
		t.Errorf("exit %d, want 1 (findings, no failure); stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "store/store.go:5:38: (*sql.DB).Ping has no context") {
		t.Errorf("findings missing; stdout:\n%s", stdout)
	}
	if !strings.Contains(stderr, "deliberate warning") {
		t.Errorf("the compiler's warning is not shown; stderr:\n%s", stderr)
	}
	if strings.Contains(stderr, "deadlinelint: example.com/cwarn/c") {
		t.Errorf("the warning is reported as a package error; stderr:\n%s", stderr)
	}
}

// TestRunCache: a run on unchanged code replays the previous run's results
// (-v says so) with the same output and exit status; an edited file, a new
// file, other flags or DEADLINELINT_NOCACHE=1 run go vet again.
func TestRunCache(t *testing.T) {
	dir := copyExample(t)
	const replayed = "results replayed"
	first, stderr1, code1 := run(t, dir, binary, "-v", "./...")
	if strings.Contains(stderr1, replayed) {
		t.Fatalf("the first run was replayed:\n%s", stderr1)
	}
	second, stderr2, code2 := run(t, dir, binary, "-v", "./...")
	if !strings.Contains(stderr2, replayed) {
		t.Errorf("the second run on unchanged code was not replayed:\n%s", stderr2)
	}
	if second != first || code2 != code1 {
		t.Errorf("the replayed run differs: exit %d, want %d\n%s\nwant\n%s", code2, code1, second, first)
	}

	// An edit adds a finding: go vet runs, and the finding is there.
	worker := filepath.Join(dir, "worker", "worker.go")
	src, err := os.ReadFile(worker)
	if err != nil {
		t.Fatal(err)
	}
	edited := string(src) + "\n// Nap sleeps.\nfunc Nap(ctx context.Context) { time.Sleep(3 * time.Second) }\n"
	if err := os.WriteFile(worker, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	third, stderr3, _ := run(t, dir, binary, "-v", "./...")
	if strings.Contains(stderr3, replayed) {
		t.Errorf("the run after an edit was replayed")
	}
	napLine := strings.Count(edited, "\n")
	if want := fmt.Sprintf("worker/worker.go:%d:", napLine); !strings.Contains(third, want) {
		t.Errorf("the edit's finding %s is missing:\n%s", want, third)
	}

	// A new file in a package.
	extra := "package store\n\nimport \"database/sql\"\n\n// Count counts.\nfunc Count(db *sql.DB) error { return db.Ping() }\n"
	if err := os.WriteFile(filepath.Join(dir, "store", "extra.go"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	fourth, stderr4, _ := run(t, dir, binary, "-v", "./...")
	if strings.Contains(stderr4, replayed) || !strings.Contains(fourth, "store/extra.go:6:") {
		t.Errorf("the run after a new file was replayed or misses its finding:\n%s\n%s", fourth, stderr4)
	}

	// Other flags: only one rule.
	only, stderr5, _ := run(t, dir, binary, "-v", "-uncancellablewait", "./...")
	if strings.Contains(stderr5, replayed) || strings.Contains(only, "(nodeadline)") || !strings.Contains(only, "(uncancellablewait)") {
		t.Errorf("-uncancellablewait was replayed from a run of every rule:\n%s", only)
	}

	// Turned off.
	cmd := exec.Command(binary, "-v", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "DEADLINELINT_NOCACHE=1")
	out, _ := cmd.CombinedOutput()
	if strings.Contains(string(out), replayed) {
		t.Errorf("DEADLINELINT_NOCACHE=1 still replayed")
	}
}

// writeFiles writes a module's files (path relative to dir → content).
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
