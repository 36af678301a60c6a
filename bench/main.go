// Command bench measures deadlinelint on real, pinned Go modules, side by
// side with plain go vet and the peers noctx and contextcheck, and compares
// the findings with the recorded triage.
//
//	bash bench/run                 # all corpora and std, 3 timed rounds, niced
//	bash bench/run -quick          # postgres_exporter only, 1 round, no std
//	go run ./bench -runs 1 -only postgres_exporter
//	go run ./bench -compare        # findings vs bench/triage/findings.tsv, precision
//	go run ./bench -lsp            # the language server on a file of caddy's reverseproxy
//	go run ./bench -recall         # the recall suite (testdata/recall)
//
// It prepares everything in -work (default $TMPDIR/deadlinelint-bench): a
// module requiring every corpus module, deadlinelint built from this tree,
// and noctx and contextcheck built against golang.org/x/tools v0.52.0 (their
// released binaries pin an older x/tools that misbehaves under Go 1.26).
//
// What is measured, per corpus, in rounds (one run of every tool per round,
// so that load from other processes hits all tools alike):
//   - wall time: the median over the rounds;
//   - max RSS: the peak resident size of the largest single process of the
//     run (wait4's rusage, the number GNU time's %M prints: for go vet that
//     is one vet-tool process or the go command, whichever is larger);
//   - for go vet runs, the time vet spent on the corpus's own packages,
//     summed from go vet -debug-trace (the rest is dependencies, which vet
//     analyses too whenever a tool declares facts);
//   - deadlinelint ./... (the command, which drives go vet with itself as
//     vet tool under its own identity, so vet may replay results of an
//     earlier run of the same binary: a user's second run);
//   - findings: deadlinelint's per rule (the command's -json), the peers' as
//     distinct file:line outside _test.go files.
//
// Before the rounds, one untimed go vet warms the build cache. Each timed go
// vet run gets a fresh tool identity (bin/fresh-vettool answers -V=full
// with $FRESH_ID), because vet caches results per tool identity and would
// otherwise replay the previous run's output in a second.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
)

const (
	noctxVersion        = "v0.5.1"
	contextcheckVersion = "v1.1.6"
	xtoolsVersion       = "v0.52.0"
)

// Goals the README reports against.
const (
	goalTime       = 1.3  // vettool wall time / plain go vet
	goalRSS        = 1.5  // vettool max RSS / plain go vet
	goalPrecision  = 0.95 // tp / (tp+fp) over triaged findings
	goalStandalone = 0.7  // deadlinelint ./... first run / plain go vet
	goalRerun      = 0.1  // deadlinelint ./... on unchanged code / its first run
)

var (
	runs    = flag.Int("runs", 3, "timed rounds per corpus (the median is reported)")
	only    = flag.String("only", "", "only the corpus with this name (also skips std)")
	work    = flag.String("work", filepath.Join(os.TempDir(), "deadlinelint-bench"), "work directory (reused between runs)")
	compare = flag.Bool("compare", false, "compare findings with the triage instead of timing")
	std     = flag.Bool("std", true, "also time deadlinelint std (skipped with -only)")
	out     = flag.String("out", "", "also write the markdown report to this file (bench/out/latest.md is always written)")
	note    = flag.String("note", "", "a sentence about the machine's load, printed under the table")
	recalls = flag.Bool("recall", false, "score the recall suite (testdata/recall) instead of timing")
	lsp     = flag.Bool("lsp", false, "time the language server on a file of caddy's reverseproxy instead of timing the corpora")
)

type corpus struct {
	name, module, pattern string
	vetFlags              []string
}

// modulePath is the corpus module's path without its version.
func (c corpus) modulePath() string { return strings.SplitN(c.module, "@", 2)[0] }

// tools in the order each round runs them: "standalone" is the command's
// first run under a binary never run before (a copy with a new hash: go vet
// has none of its results), "rerun" the same copy again on unchanged code.
var tools = []string{"vet", "vettool", "standalone", "rerun", "noctx", "contextcheck"}

func main() {
	flag.Parse()
	root, err := filepath.Abs(".")
	check(err)
	if _, err := os.Stat(filepath.Join(root, "bench", "corpus.txt")); err != nil {
		fail("run from the repository root: go run ./bench")
	}
	if *recalls {
		os.Exit(recallReport(root))
	}
	if *runs < 1 {
		fail("-runs must be at least 1")
	}
	corpora := readCorpora(filepath.Join(root, "bench", "corpus.txt"))
	if *only != "" {
		corpora = slices.DeleteFunc(corpora, func(c corpus) bool { return c.name != *only })
		if len(corpora) == 0 {
			fail("no corpus named " + *only + " in bench/corpus.txt")
		}
	}
	bin := prepare(root, corpora)
	if *compare {
		os.Exit(compareTriage(root, bin, corpora))
	}
	if *lsp {
		for _, c := range corpora {
			if c.name == "caddy" {
				check(lspBench(bin, c.module, "modules/caddyhttp/reverseproxy/reverseproxy.go"))
				return
			}
		}
		fail("-lsp needs the caddy corpus")
	}

	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s on %s/%s with %d CPUs, %s, median of %d rounds (wall seconds / max RSS MiB).\n\n",
		time.Now().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), goVersion(), *runs)
	if *note != "" {
		b.WriteString(*note + "\n\n")
	}
	b.WriteString("| corpus | packages (own / vetted) | go vet | vet -vettool=deadlinelint | ratio to go vet | own packages: vet → deadlinelint | deadlinelint ./... first run (ratio to go vet) | again, unchanged (share of first) | noctx (vet tool) | contextcheck | deadlinelint findings | noctx / contextcheck findings |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	var goals []string
	panics := 0
	found := map[string][]string{}
	for _, c := range corpora {
		fmt.Fprintf(os.Stderr, "== %s\n", c.name)
		res := measureCorpus(c, bin)
		vet, dl := res["vet"], res["vettool"]
		for _, r := range res {
			if r.panicked {
				panics++
			}
		}
		ratio := "—"
		if vet.ok() && dl.ok() {
			tr, rr := dl.wall/vet.wall, float64(dl.rss)/float64(vet.rss)
			ratio = fmt.Sprintf("%.2f× time, %.2f× RSS", tr, rr)
			goals = append(goals, fmt.Sprintf("%s %s time (%.2f× ≤ %.1f×), %s RSS (%.2f× ≤ %.1f×)",
				c.name, mark(tr <= goalTime), tr, goalTime, mark(rr <= goalRSS), rr, goalRSS))
		} else {
			goals = append(goals, c.name+" ✗ not measured")
		}
		own := "—"
		if vet.ok() && dl.ok() && vet.ownPkgs > 0 {
			own = fmt.Sprintf("%.1f s → %.1f s (%.2f×)", vet.ownSecs, dl.ownSecs, dl.ownSecs/vet.ownSecs)
		}
		sa := res["standalone"]
		if sa.err == "" {
			found[c.name] = sa.findings
		}
		saText, rerunText := sa.String(), res["rerun"].String()
		if sa.ok() && vet.ok() {
			tr := sa.wall / vet.wall
			saText += fmt.Sprintf(" (%.2f×)", tr)
			goals = append(goals, fmt.Sprintf("%s %s deadlinelint ./... first run (%.2f× ≤ %.1f× go vet)", c.name, mark(tr <= goalStandalone), tr, goalStandalone))
		}
		if rr := res["rerun"]; rr.ok() && sa.ok() {
			share := rr.wall / sa.wall
			rerunText += fmt.Sprintf(" (%.0f%%)", 100*share)
			goals = append(goals, fmt.Sprintf("%s %s re-run (%.0f%% ≤ %.0f%%)", c.name, mark(share <= goalRerun), 100*share, 100*goalRerun))
		}
		fmt.Fprintf(&b, "| %s | %d / %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c.name, vet.ownPkgs, vet.vetPkgs,
			vet, dl, ratio, own, saText, rerunText, res["noctx"], res["contextcheck"],
			ruleCounts(sa.findings), peerCounts(res["noctx"], res["contextcheck"], sa.findings))
	}
	if *std && *only == "" {
		fmt.Fprintf(os.Stderr, "== std\n")
		r := measureStd(bin)
		if r.panicked {
			panics++
		}
		fmt.Fprintf(&b, "\n`deadlinelint std` (the standard library, a first run): %s, findings: %s%s.\n",
			r, ruleCounts(r.findings), map[bool]string{true: ", PANIC", false: ", no panic"}[r.panicked])
	}
	b.WriteString("\n")
	var newList strings.Builder
	checkTriage(&newList, root, corpora, found, true)
	fmt.Fprint(os.Stderr, newList.String()) // with the NEW/VANISHED lines, for the console only
	checkTriage(&b, root, corpora, found, false)
	fmt.Fprintf(&b, "\nGoals (against plain go vet with a fresh tool identity): %s. Panics: %d.\n", strings.Join(goals, "; "), panics)
	fmt.Print(b.String())
	check(os.MkdirAll(filepath.Join(root, "bench", "out"), 0o755))
	check(os.WriteFile(filepath.Join(root, "bench", "out", "latest.md"), []byte(b.String()), 0o644))
	if *out != "" {
		check(os.WriteFile(*out, []byte(b.String()), 0o644))
	}
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

type binaries struct {
	deadlinelint, noctx, contextcheck, fresh, vet, corpusDir, traces, modcache string
	// cold is this round's copy of deadlinelint under a new hash.
	cold string
}

// prepare builds the tools and the corpus module.
func prepare(root string, corpora []corpus) binaries {
	check(os.MkdirAll(filepath.Join(*work, "bin"), 0o755))
	b := binaries{
		deadlinelint: filepath.Join(*work, "bin", "deadlinelint"),
		noctx:        filepath.Join(*work, "bin", "noctx"),
		contextcheck: filepath.Join(*work, "bin", "contextcheck"),
		fresh:        filepath.Join(*work, "bin", "fresh-vettool"),
		corpusDir:    filepath.Join(*work, "corpus"),
		traces:       filepath.Join(*work, "traces"),
	}
	check(os.MkdirAll(b.traces, 0o755))
	fmt.Fprintf(os.Stderr, "preparing %s\n", *work)
	run(root, "go", "build", "-o", b.deadlinelint, "./cmd/deadlinelint")
	b.vet = strings.TrimSpace(run(root, "go", "env", "GOTOOLDIR")) + "/vet"
	b.modcache = strings.TrimSpace(run(root, "go", "env", "GOMODCACHE")) + "/"

	peers := filepath.Join(*work, "peers")
	check(os.MkdirAll(peers, 0o755))
	writeOnce(filepath.Join(peers, "go.mod"), "module peers\n\ngo 1.26\n")
	run(peers, "go", "get", "github.com/sonatard/noctx@"+noctxVersion, "github.com/kkHAIKE/contextcheck@"+contextcheckVersion, "golang.org/x/tools@"+xtoolsVersion)
	run(peers, "go", "build", "-o", b.noctx, "github.com/sonatard/noctx/cmd/noctx")
	run(peers, "go", "build", "-o", b.contextcheck, "github.com/kkHAIKE/contextcheck/cmd/contextcheck")

	writeOnce(b.fresh, "#!/bin/sh\nfor a in \"$@\"; do\n  if [ \"$a\" = \"-V=full\" ]; then echo \"$(basename \"$0\") version devel fresh buildID=$FRESH_ID\"; exit 0; fi\ndone\nexec \"$REAL\" \"$@\"\n")
	check(os.Chmod(b.fresh, 0o755))

	check(os.MkdirAll(b.corpusDir, 0o755))
	writeOnce(filepath.Join(b.corpusDir, "go.mod"), "module corpus\n\ngo 1.26\n")
	args := []string{"get"}
	for _, c := range corpora {
		args = append(args, c.module)
	}
	run(b.corpusDir, "go", args...)
	return b
}

type result struct {
	wall     float64 // seconds, median
	rss      int64   // KiB, max over the rounds
	err      string
	panicked bool
	// go vet runs: vet actions on the corpus's own packages and in all,
	// and the median seconds spent in the own ones.
	ownPkgs, vetPkgs int
	ownSecs          float64
	// findings: for deadlinelint, "posn\trule" (posn = module@version/file:line);
	// for the peers, "posn".
	findings []string
}

func (r result) ok() bool { return r.err == "" && r.wall > 0 }

func (r result) String() string {
	if r.err != "" {
		return r.err
	}
	return fmt.Sprintf("%.1f s / %d MiB", r.wall, r.rss/1024)
}

// freshCopy copies the binary under a new hash (bytes appended to the
// executable): go vet keys its cache on the tool's hash.
func freshCopy(bin string) string {
	data, err := os.ReadFile(bin)
	check(err)
	path := fmt.Sprintf("%s-cold-%d", bin, rand.Int64())
	check(os.WriteFile(path, append(data, []byte(time.Now().String())...), 0o755))
	return path
}

// measureCorpus runs every tool once per round and aggregates.
func measureCorpus(c corpus, b binaries) map[string]result {
	// Warm the build cache (export data of every dependency, test variants
	// included): untimed, and replayed from vet's cache after the first time.
	runEnv(b.corpusDir, nil, "go", append(append([]string{"vet"}, c.vetFlags...), c.pattern)...)

	walls := map[string][]float64{}
	owns := map[string][]float64{}
	res := map[string]result{}
	for round := range *runs {
		b := b
		b.cold = freshCopy(b.deadlinelint)
		defer os.Remove(b.cold)
		for _, tool := range tools {
			r := res[tool]
			if r.err != "" {
				continue
			}
			one := measureOnce(c, b, tool, round == 0)
			if one.err != "" {
				r.err, r.panicked = one.err, one.panicked
				res[tool] = r
				continue
			}
			walls[tool] = append(walls[tool], one.wall)
			owns[tool] = append(owns[tool], one.ownSecs)
			r.rss = max(r.rss, one.rss)
			if round == 0 {
				r.findings, r.ownPkgs, r.vetPkgs = one.findings, one.ownPkgs, one.vetPkgs
			}
			res[tool] = r
			fmt.Fprintf(os.Stderr, "   round %d %-12s %5.1fs %5d MiB\n", round+1, tool, one.wall, one.rss/1024)
		}
	}
	for tool, r := range res {
		if r.err == "" {
			r.wall, r.ownSecs = median(walls[tool]), median(owns[tool])
			res[tool] = r
		}
	}
	return res
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	xs = slices.Clone(xs)
	sort.Float64s(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

func measureOnce(c corpus, b binaries, tool string, first bool) result {
	var name string
	var args, env []string
	trace := ""
	switch tool {
	case "vet", "vettool", "noctx":
		// noctx's command is a vet tool (unitchecker), so it runs under go vet.
		real := map[string]string{"vet": b.vet, "vettool": b.deadlinelint, "noctx": b.noctx}[tool]
		trace = filepath.Join(b.traces, c.name+"-"+tool+".json")
		name, args = "go", []string{"vet", "-debug-trace=" + trace, "-vettool=" + b.fresh}
		if tool == "vet" {
			args = append(args, c.vetFlags...) // flags of vet's own analyzers
		}
		args = append(args, c.pattern)
		env = []string{"REAL=" + real, fmt.Sprintf("FRESH_ID=%s-%d", tool, rand.Int64())}
	case "standalone", "rerun":
		name, args = b.cold, []string{"-json", c.pattern}
	case "contextcheck":
		name, args = b.contextcheck, []string{c.pattern}
	}
	r, stdout, stderr := timed(b.corpusDir, env, name, args...)
	if r.err != "" {
		return r
	}
	if trace != "" {
		r.ownPkgs, r.vetPkgs, r.ownSecs = vetTrace(trace, c.modulePath())
	}
	if first {
		switch tool {
		case "standalone":
			var errs []string
			r.findings, errs = parseJSON(stdout, b.modcache)
			if len(errs) > 0 {
				fmt.Fprintf(os.Stderr, "   %s: %d package errors, e.g. %s\n", c.name, len(errs), errs[0])
			}
		case "noctx", "contextcheck":
			r.findings = parseText(stderr, b.modcache)
		}
	}
	return r
}

// timed runs one command in the corpus environment and measures it.
func timed(dir string, env []string, name string, args ...string) (r result, stdout, stderr []byte) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"GOWORK=off", "GOFLAGS=-mod=mod"}, env...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	start := time.Now()
	err := cmd.Run()
	r.wall = time.Since(start).Seconds()
	if cmd.ProcessState == nil {
		return result{err: "failed: " + err.Error()}, nil, nil
	}
	if panicLine.Match(e.Bytes()) || panicLine.Match(o.Bytes()) {
		return result{err: "PANIC", panicked: true}, o.Bytes(), e.Bytes()
	}
	// 1: findings (go vet, unitchecker), 3: findings (multichecker, checker).
	if code := cmd.ProcessState.ExitCode(); code != 0 && code != 1 && code != 3 {
		fmt.Fprintf(os.Stderr, "   %s %v: exit %d\n%s\n", name, args, code, lastLines(e.String(), 5))
		return result{err: fmt.Sprintf("exit %d", code)}, o.Bytes(), e.Bytes()
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.rss = ru.Maxrss
	}
	return r, o.Bytes(), e.Bytes()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// vetTrace reads a go vet -debug-trace file: how many vet actions ran, how
// many were on packages of module (test variants included), and the seconds
// those took.
func vetTrace(path, module string) (own, all int, ownSecs float64) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0
	}
	var events []struct {
		Name string  `json:"name"`
		Ph   string  `json:"ph"`
		TS   float64 `json:"ts"`
		TID  int     `json:"tid"`
	}
	if json.Unmarshal(data, &events) != nil {
		return 0, 0, 0
	}
	type key struct {
		name string
		tid  int
	}
	begin := map[key]float64{}
	for _, e := range events {
		pkg, ok := strings.CutPrefix(e.Name, "Executing action (vet ")
		if !ok || strings.Contains(pkg, "->") {
			continue
		}
		k := key{e.Name, e.TID}
		switch e.Ph {
		case "B":
			begin[k] = e.TS
		case "E":
			ts, ok := begin[k]
			if !ok {
				continue
			}
			delete(begin, k)
			all++
			pkg = strings.Fields(strings.TrimSuffix(pkg, ")"))[0]
			if pkg == module || strings.HasPrefix(pkg, module+"/") {
				own++
				ownSecs += (e.TS - ts) / 1e6
			}
		}
	}
	return own, all, ownSecs
}

// parseJSON reads deadlinelint -json output: findings as "posn\trule" with
// positions relative to the module cache (module@version/path:line), and
// package errors. Files outside the main module (the corpora live in the
// module cache) are absolute.
func parseJSON(data []byte, modcache string) (findings, errs []string) {
	var out struct {
		Findings []struct {
			Rule, File string
			Line       int
		}
		Errors []struct{ Package, Message string }
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, []string{"reading -json output: " + err.Error()}
	}
	for _, f := range out.Findings {
		findings = append(findings, relPosn(fmt.Sprintf("%s:%d", f.File, f.Line), modcache)+"\t"+f.Rule)
	}
	for _, e := range out.Errors {
		errs = append(errs, e.Package+": "+e.Message)
	}
	sort.Strings(findings)
	return slices.Compact(findings), errs
}

// panicLine matches a Go runtime panic report (not a finding that merely
// mentions the word).
var panicLine = regexp.MustCompile(`(?m)^panic: `)

var diagLine = regexp.MustCompile(`^(\S+\.go):(\d+):(\d+): `)

// parseText reads file:line:col: message lines (go vet, checker text output)
// and returns the distinct file:line outside _test.go files.
func parseText(data []byte, modcache string) []string {
	var out []string
	for line := range strings.SplitSeq(string(data), "\n") {
		m := diagLine.FindStringSubmatch(line)
		if m == nil || strings.HasSuffix(m[1], "_test.go") {
			continue
		}
		out = append(out, relPosn(m[1]+":"+m[2], modcache))
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// relPosn turns an absolute file:line[:col] into module@version/file:line.
func relPosn(posn, modcache string) string {
	posn = strings.TrimPrefix(posn, modcache)
	if parts := strings.Split(posn, ":"); len(parts) >= 3 {
		posn = strings.Join(parts[:len(parts)-1], ":") // drop the column: line is stable enough
	}
	return posn
}

func ruleCounts(findings []string) string {
	counts := map[string]int{}
	for _, f := range findings {
		_, rule, _ := strings.Cut(f, "\t")
		counts[rule]++
	}
	var parts []string
	for rule, n := range counts {
		parts = append(parts, fmt.Sprintf("%s %d", rule, n))
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// peerCounts: the peers' findings outside _test.go files, and how many of
// those lines deadlinelint reports too.
func peerCounts(noctx, contextcheck result, ours []string) string {
	lines := map[string]bool{}
	for _, f := range ours {
		posn, _, _ := strings.Cut(f, "\t")
		lines[posn] = true
	}
	one := func(r result) string {
		if r.err != "" {
			return "—"
		}
		shared := 0
		for _, p := range r.findings {
			if lines[p] {
				shared++
			}
		}
		return fmt.Sprintf("%d (%d shared)", len(r.findings), shared)
	}
	return one(noctx) + " / " + one(contextcheck)
}

// measureStd runs deadlinelint std once (standalone; -json for the counts).
func measureStd(b binaries) result {
	cold := freshCopy(b.deadlinelint) // a first run: nothing of it cached
	defer os.Remove(cold)
	r, stdout, _ := timed(b.corpusDir, nil, cold, "-json", "std")
	if r.err != "" {
		return r
	}
	var errs []string
	r.findings, errs = parseJSON(stdout, strings.TrimSpace(run(b.corpusDir, "go", "env", "GOROOT"))+"/src/")
	if len(errs) > 0 {
		fmt.Fprintf(os.Stderr, "   std: %d package errors, e.g. %s\n", len(errs), errs[0])
	}
	return r
}

// collect runs the standalone linter with -json and returns the findings.
func collect(b binaries, c corpus) []string {
	r, stdout, _ := timed(b.corpusDir, nil, b.deadlinelint, "-json", c.pattern)
	if r.err != "" {
		fail(c.name + ": deadlinelint: " + r.err)
	}
	findings, errs := parseJSON(stdout, b.modcache)
	if len(errs) > 0 {
		fmt.Fprintf(os.Stderr, "%s: %d package errors, e.g. %s\n", c.name, len(errs), errs[0])
	}
	return findings
}

// compareTriage collects the findings of every corpus (one standalone run
// each) and checks them against the triage. It exits 1 when anything is new.
func compareTriage(root string, b binaries, corpora []corpus) int {
	found := map[string][]string{}
	for _, c := range corpora {
		found[c.name] = collect(b, c)
	}
	var report strings.Builder
	fresh := checkTriage(&report, root, corpora, found, true)
	fmt.Print(report.String())
	if fresh > 0 {
		return 1
	}
	return 0
}

// checkTriage writes to w the findings (by corpus name) that are new (not
// in bench/triage/findings.tsv) or vanished, and the precision of the judged
// ones; it returns the number of new findings. Corpora missing from found
// are out of scope.
func checkTriage(w *strings.Builder, root string, corpora []corpus, found map[string][]string, list bool) int {
	triage := map[string]string{} // "posn\trule" -> verdict
	var order []string
	f, err := os.Open(filepath.Join(root, "bench", "triage", "findings.tsv"))
	check(err)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) < 4 {
			fail("malformed triage line (want position, rule, verdict, reason, tab-separated): " + line)
		}
		switch fields[2] {
		case "tp", "fp", "untriaged":
		default:
			fail("triage verdict must be tp, fp or untriaged: " + line)
		}
		key := fields[0] + "\t" + fields[1]
		triage[key] = fields[2]
		order = append(order, key)
	}
	f.Close()
	seen := map[string]bool{}
	verdicts := map[string]int{}
	fresh := 0
	var inScope []string
	for _, c := range corpora {
		keys, ok := found[c.name]
		if !ok {
			continue
		}
		inScope = append(inScope, c.module+"/")
		for _, key := range keys {
			seen[key] = true
			v, ok := triage[key]
			if !ok {
				fresh++
				if list {
					fmt.Fprintf(w, "NEW\t%s\n", key)
				}
				continue
			}
			verdicts[v]++
		}
	}
	vanished := 0
	for _, key := range order {
		if !seen[key] && slices.ContainsFunc(inScope, func(prefix string) bool { return strings.HasPrefix(key, prefix) }) {
			vanished++
			if list {
				fmt.Fprintf(w, "VANISHED\t%s\t%s\n", key, triage[key])
			}
		}
	}
	tp, fp := verdicts["tp"], verdicts["fp"]
	fmt.Fprintf(w, "Triage (bench/triage/findings.tsv): reported now %d tp, %d fp, %d untriaged, %d new (not in the triage); %d triaged findings vanished.",
		tp, fp, verdicts["untriaged"], fresh, vanished)
	if tp+fp > 0 {
		p := float64(tp) / float64(tp+fp)
		fmt.Fprintf(w, " Precision %d/%d = %.1f%% (goal ≥ %.0f%%: %s).", tp, tp+fp, 100*p, 100*goalPrecision, mark(p >= goalPrecision))
	}
	w.WriteString("\n")
	return fresh
}

func readCorpora(path string) []corpus {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	var out []corpus
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if len(fields) < 3 {
			fail("corpus.txt: want name module@version pattern: " + sc.Text())
		}
		out = append(out, corpus{name: fields[0], module: fields[1], pattern: fields[2], vetFlags: fields[3:]})
	}
	return out
}

func goVersion() string { return strings.TrimSpace(run(".", "go", "env", "GOVERSION")) }

// run runs a preparation step and fails on error.
func run(dir, name string, args ...string) string {
	stdout, stderr, err := runEnv(dir, nil, name, args...)
	if err != nil {
		fail(fmt.Sprintf("%s %v in %s: %v\n%s", name, args, dir, err, stderr))
	}
	return stdout
}

func runEnv(dir string, env []string, name string, args ...string) (stdout, stderr string, err error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"GOWORK=off", "GOFLAGS=-mod=mod"}, env...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

func writeOnce(path, content string) {
	if old, err := os.ReadFile(path); err == nil && string(old) == content {
		return
	}
	check(os.WriteFile(path, []byte(content), 0o644))
}

func check(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "bench:", msg)
	os.Exit(2)
}
