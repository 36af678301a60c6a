package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/tools/go/analysis"

	"github.com/deadlinelint/deadlinelint/analyzer/suite"
	"github.com/deadlinelint/deadlinelint/internal/vettool"
)

// options are the command's flags.
type options struct {
	format                  string
	json, fix, diff         bool
	baseline, writeBaseline string
	dir, tags, mod, modfile string
	verbose                 bool
	// forward holds the rule and suite flags the user set, as -name=value,
	// for go vet to hand to every vet-tool process.
	forward  []string
	patterns []string
}

// newFlagSet declares every flag of the command: output, baseline and build
// flags of its own, and the suite's (-sinks, -RULE to select rules,
// -RULE.FLAG for each rule's settings), which are checked here and then
// forwarded to the vet tool.
func newFlagSet(o *options, analyzers []*analysis.Analyzer, cfg *suite.Config, stderr io.Writer) (*flag.FlagSet, map[string]bool) {
	fs := flag.NewFlagSet("deadlinelint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.format, "format", "text", "output format: "+strings.Join(formats, ", "))
	fs.BoolVar(&o.json, "json", false, "same as -format=json")
	fs.BoolVar(&o.fix, "fix", false, "apply the first suggested fix of each finding; report the findings left")
	fs.BoolVar(&o.diff, "diff", false, "with -fix: print the fixes as a unified diff instead of writing them")
	fs.StringVar(&o.baseline, "baseline", "", "report only findings that are not in this baseline `file`")
	fs.StringVar(&o.writeBaseline, "write-baseline", "", "record today's findings in this `file` and exit 0")
	fs.StringVar(&o.dir, "C", "", "change to `dir` before doing anything (as go -C)")
	fs.StringVar(&o.tags, "tags", "", "build tags, comma-separated (as go build -tags)")
	fs.StringVar(&o.mod, "mod", "", "module download mode: readonly, vendor or mod (as go build -mod)")
	fs.StringVar(&o.modfile, "modfile", "", "use this go.mod `file` (as go build -modfile)")
	fs.BoolVar(&o.verbose, "v", false, "print the go vet command that runs the analysis")
	forwarded := map[string]bool{}
	cfg.RegisterFlags(fs)
	forwarded[suite.SinksFlag] = true
	for _, a := range analyzers {
		fs.Var(new(enableFlag), a.Name, "run only the rules named like this (-"+a.Name+"), or all but them (-"+a.Name+"=false)")
		forwarded[a.Name] = true
		a.Flags.VisitAll(func(f *flag.Flag) {
			fs.Var(f.Value, a.Name+"."+f.Name, f.Usage)
			forwarded[a.Name+"."+f.Name] = true
		})
	}
	return fs, forwarded
}

// enableFlag is a rule-selection flag: a bool that remembers its text.
type enableFlag struct{ value string }

func (f *enableFlag) String() string   { return f.value }
func (f *enableFlag) IsBoolFlag() bool { return true }
func (f *enableFlag) Set(s string) error {
	if s != "true" && s != "false" {
		return fmt.Errorf("want true or false")
	}
	f.value = s
	return nil
}

func lint(args []string, stdout, stderr io.Writer) int {
	o, analyzers, code := parseArgs(args, stderr)
	if o == nil {
		return code
	}
	return run(o, analyzers, stdout, stderr)
}

// parseArgs parses the command's arguments. It returns nil options and the
// exit code when the command is done (help, or bad usage).
func parseArgs(args []string, stderr io.Writer) (*options, []*analysis.Analyzer, int) {
	var (
		o   options
		cfg suite.Config
	)
	analyzers := suite.New(&cfg)
	fs, forwarded := newFlagSet(&o, analyzers, &cfg, stderr)
	fs.Usage = func() { usage(stderr, analyzers) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, ExitClean
		}
		return nil, nil, ExitError
	}
	fs.Visit(func(f *flag.Flag) {
		if forwarded[f.Name] {
			o.forward = append(o.forward, "-"+f.Name+"="+f.Value.String())
		}
	})
	if o.json {
		o.format = "json"
	}
	if !slices.Contains(formats, o.format) {
		fmt.Fprintf(stderr, "deadlinelint: -format %q: want one of %s\n", o.format, strings.Join(formats, ", "))
		return nil, nil, ExitError
	}
	if o.diff && !o.fix {
		o.fix = true
	}
	o.patterns = fs.Args()
	if len(o.patterns) == 0 {
		o.patterns = []string{"./..."}
	}
	return &o, analyzers, ExitClean
}

// A Result is what one analysis run found, for clients other than the
// command line (the language server).
type Result struct {
	Root     string // the module root the findings' relative paths start from
	Findings []Finding
	Errors   []PackageError
}

// Analyze runs the analysis as the command would with args (flags, then
// packages; -C sets the directory), and returns its findings instead of
// printing them. Notes go to stderr. A bad argument is an error.
func Analyze(args []string, stderr io.Writer) (*Result, error) {
	var usageErr bytes.Buffer
	o, _, _ := parseArgs(args, &usageErr)
	if o == nil {
		return nil, fmt.Errorf("bad arguments %q: %s", args, strings.TrimSpace(usageErr.String()))
	}
	return analyze(o, io.Discard, stderr)
}

// analyze runs go vet with this executable as the vet tool and collects
// its findings and package errors. Progress goes to progress (a terminal).
func analyze(o *options, progress, stderr io.Writer) (*Result, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	root := moduleRoot(o)
	var vetOut, vetErr []byte
	var vetCode int
	key := runCacheKey(o, exe)
	if cached, ok := loadRun(key); key != "" && ok {
		vetOut, vetErr = cached.Stdout, cached.Stderr
		if o.verbose {
			fmt.Fprintf(stderr, "deadlinelint: nothing changed since run %.12s: its results replayed (DEADLINELINT_NOCACHE=1 runs go vet)\n", key)
		}
	} else {
		vetOut, vetErr, vetCode, err = goVet(o, exe, progress)
		if err != nil {
			return nil, err
		}
		if key != "" && vetCode == 0 {
			storeRun(key, &cachedRun{Stdout: vetOut, Stderr: vetErr})
		}
	}
	var loadErrs []PackageError
	if vetCode != 0 && len(bytes.TrimSpace(vetOut)) == 0 {
		// go vet stops before analysing anything when one package of the
		// pattern does not load (an embed pattern with no files, a
		// missing dependency). Analyse the packages that do load and
		// report the others, rather than report nothing.
		if good, bad := loadablePackages(o); len(good) > 0 && len(bad) > 0 {
			retry := *o
			retry.patterns = good
			vetOut, vetErr, vetCode, err = goVet(&retry, exe, progress)
			if err != nil {
				return nil, err
			}
			loadErrs = bad
		}
	}
	urls := map[string]string{}
	for _, a := range suite.Analyzers() {
		urls[a.Name] = a.URL
	}
	findings, errs, err := parseVetJSON(vetOut, root, urls)
	if err != nil {
		return nil, err
	}
	if vetCode == 0 {
		// go vet succeeded: what it printed besides findings is build
		// output (cgo's C compiler warnings), not a failure. Shown as is.
		vetErr = passThroughBuildOutput(vetErr, stderr)
	}
	for _, e := range parseVetStderr(vetErr, stderr) {
		if e.Package == "" && slices.ContainsFunc(loadErrs, func(l PackageError) bool { return strings.HasSuffix(e.Message, l.Message) }) {
			continue // the load error again, from a test that imports the package
		}
		errs = append(errs, e)
	}
	errs = append(loadErrs, errs...)
	if vetCode != 0 && len(errs) == 0 {
		errs = append(errs, PackageError{Message: fmt.Sprintf("go vet failed (exit status %d)", vetCode)})
	}
	return &Result{Root: root, Findings: normalize(findings), Errors: errs}, nil
}

// loadablePackages splits the packages of the patterns into those that
// load (with their dependencies) and errors for those that do not.
func loadablePackages(o *options) (good []string, bad []PackageError) {
	args := []string{}
	if o.dir != "" {
		args = append(args, "-C", o.dir)
	}
	args = append(args, "list", "-e", "-json=ImportPath,Error,DepsErrors,EmbedFiles") // EmbedFiles: go list checks embed patterns only when asked for them
	for _, f := range []struct{ name, value string }{{"tags", o.tags}, {"mod", o.mod}, {"modfile", o.modfile}} {
		if f.value != "" {
			args = append(args, "-"+f.name+"="+f.value)
		}
	}
	args = append(args, o.patterns...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Error      *struct{ Err string }
			DepsErrors []struct{ Err string }
		}
		if err := dec.Decode(&p); err != nil {
			break
		}
		switch {
		case p.Error != nil:
			bad = append(bad, PackageError{Package: p.ImportPath, Message: p.Error.Err})
		case len(p.DepsErrors) > 0:
			bad = append(bad, PackageError{Package: p.ImportPath, Message: "a dependency does not load: " + p.DepsErrors[0].Err})
		default:
			good = append(good, p.ImportPath)
		}
	}
	return good, bad
}

func run(o *options, analyzers []*analysis.Analyzer, stdout, stderr io.Writer) int {
	res, err := analyze(o, stderr, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "deadlinelint:", err)
		return ExitError
	}
	root, findings, errs := res.Root, res.Findings, res.Errors
	lines := sourceLines{}
	if o.writeBaseline != "" {
		if err := writeBaseline(o.writeBaseline, findings, lines); err != nil {
			fmt.Fprintln(stderr, "deadlinelint: -write-baseline:", err)
			return ExitError
		}
		fmt.Fprintf(stderr, "deadlinelint: wrote %d findings to %s\n", len(findings), o.writeBaseline)
		return exitCode(nil, errs)
	}
	if o.baseline != "" {
		fresh, known, err := filterBaseline(o.baseline, findings, lines)
		if err != nil {
			fmt.Fprintln(stderr, "deadlinelint: -baseline:", err)
			return ExitError
		}
		if len(fresh) > 0 {
			fmt.Fprintf(stderr, "deadlinelint: %d new findings (%d in the baseline)\n", len(fresh), known)
		}
		findings = fresh
	}
	if o.fix {
		remaining, err := applyFixes(findings, o.diff, stdout)
		if err != nil {
			fmt.Fprintln(stderr, "deadlinelint: -fix:", err)
			return ExitError
		}
		if !o.diff {
			fmt.Fprintf(stderr, "deadlinelint: fixed %d findings, %d left\n", len(findings)-len(remaining), len(remaining))
		}
		findings = remaining
		if o.diff {
			return exitCode(findings, errs)
		}
	}
	meta := runMeta{root: root, version: moduleVersion(), lines: lines}
	for _, a := range analyzers {
		title, _, _ := strings.Cut(a.Doc, "\n")
		meta.rules = append(meta.rules, ruleMeta{name: a.Name, title: title, doc: a.Doc, url: a.URL})
	}
	if err := report(stdout, o.format, findings, errs, meta); err != nil {
		fmt.Fprintln(stderr, "deadlinelint:", err)
		return ExitError
	}
	for _, e := range errs {
		if e.Package != "" {
			fmt.Fprintf(stderr, "deadlinelint: %s: %s\n", e.Package, e.Message)
		} else {
			fmt.Fprintf(stderr, "deadlinelint: %s\n", e.Message)
		}
	}
	return exitCode(findings, errs)
}

func exitCode(findings []Finding, errs []PackageError) int {
	switch {
	case len(errs) > 0:
		return ExitError
	case len(findings) > 0:
		return ExitFindings
	}
	return ExitClean
}

// moduleRoot is the directory of the main module's go.mod (paths in the
// output are relative to it), or the working directory outside a module.
func moduleRoot(o *options) string {
	dir := o.dir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	dir, _ = filepath.Abs(dir)
	cmd := exec.Command("go", "env", "GOMOD")
	cmd.Dir = dir
	out, err := cmd.Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return dir
	}
	return filepath.Dir(gomod)
}

// goVet runs go vet with this executable as the vet tool, in JSON mode, and
// returns what it printed.
func goVet(o *options, exe string, stderr io.Writer) (stdout, errOut []byte, code int, err error) {
	var args []string
	if o.dir != "" {
		args = append(args, "-C", o.dir)
	}
	args = append(args, "vet", "-vettool="+exe, "-json")
	for _, f := range []struct{ name, value string }{{"tags", o.tags}, {"mod", o.mod}, {"modfile", o.modfile}} {
		if f.value != "" {
			args = append(args, "-"+f.name+"="+f.value)
		}
	}
	args = append(args, o.forward...)
	args = append(args, o.patterns...)
	if o.verbose {
		fmt.Fprintln(stderr, "deadlinelint: go "+strings.Join(args, " "))
	}
	cmd := exec.Command("go", args...)
	var outBuf, errBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outBuf, &errBuf
	cmd.Env = os.Environ()
	stop := startProgress(cmd, o, stderr)
	err = cmd.Run()
	stop()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return outBuf.Bytes(), errBuf.Bytes(), exit.ExitCode(), nil
	case err != nil:
		return nil, nil, 0, fmt.Errorf("running go vet: %v", err)
	}
	return outBuf.Bytes(), errBuf.Bytes(), 0, nil
}

// passThroughBuildOutput writes what a successful go vet printed on stderr
// to stderr, and returns the vet tool's notes (and go's download lines) in
// it, which parseVetStderr handles as usual.
func passThroughBuildOutput(data []byte, stderr io.Writer) []byte {
	var keep bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "deadlinelint: note: "), strings.HasPrefix(line, "go: downloading "), strings.HasPrefix(line, "go: extracting "):
			keep.WriteString(line + "\n")
		default:
			fmt.Fprintln(stderr, line)
		}
	}
	return keep.Bytes()
}

// parseVetStderr turns what go vet printed on stderr into package errors.
// The go command heads each package's output with "# importpath". Notes of
// the vet tool (a search it gave up on) are passed on to stderr as they
// are: they are not failures.
func parseVetStderr(data []byte, stderr io.Writer) []PackageError {
	var (
		errs []PackageError
		pkg  string
		seen = map[string]bool{}
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "# "):
			pkg = packageOfID(strings.TrimPrefix(line, "# "))
		case strings.HasPrefix(line, "go: downloading "), strings.HasPrefix(line, "go: extracting "):
			// The go command fetching a module: progress, not a failure.
			fmt.Fprintln(stderr, line)
		case strings.HasPrefix(line, "deadlinelint: note: "):
			if !seen[line] {
				fmt.Fprintln(stderr, line)
			}
			seen[line] = true
		default:
			line = strings.TrimPrefix(line, "vet: ")
			if !seen[pkg+"\x00"+line] {
				errs = append(errs, PackageError{Package: pkg, Message: line})
			}
			seen[pkg+"\x00"+line] = true
		}
	}
	return errs
}

// startProgress shows, on a terminal and once the run has taken more than a
// couple of seconds, how many packages the vet tool has started. It returns
// a function that clears the line.
func startProgress(cmd *exec.Cmd, o *options, stderr io.Writer) (stop func()) {
	f, ok := stderr.(*os.File)
	if !ok || !isTerminal(f) {
		return func() {}
	}
	tmp, err := os.CreateTemp("", "deadlinelint-progress-*")
	if err != nil {
		return func() {}
	}
	tmp.Close()
	cmd.Env = append(cmd.Env, vettool.ProgressEnv+"="+tmp.Name())
	total := make(chan int, 1)
	go func() { total <- countPackages(o) }()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		start := time.Now()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		n, shown := -1, false
		for {
			select {
			case <-done:
				if shown {
					fmt.Fprint(f, "\r\033[K")
				}
				return
			case <-tick.C:
			case n = <-total:
			}
			if time.Since(start) < 2*time.Second {
				continue
			}
			started := 0
			if info, err := os.Stat(tmp.Name()); err == nil {
				started = int(info.Size()) // one byte per package
			}
			if n > 0 {
				fmt.Fprintf(f, "\r\033[Kdeadlinelint: %d/%d packages", min(started, n), n)
			} else {
				fmt.Fprintf(f, "\r\033[Kdeadlinelint: %d packages", started)
			}
			shown = true
		}
	}()
	return func() {
		close(done)
		<-finished
		os.Remove(tmp.Name())
	}
}

// countPackages counts what go vet will analyse: the named packages, their
// tests and every dependency.
func countPackages(o *options) int {
	args := []string{}
	if o.dir != "" {
		args = append(args, "-C", o.dir)
	}
	args = append(args, "list", "-deps", "-test", "-f", "{{.ImportPath}}")
	if o.tags != "" {
		args = append(args, "-tags="+o.tags)
	}
	args = append(args, o.patterns...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		return 0
	}
	return bytes.Count(out, []byte("\n"))
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
