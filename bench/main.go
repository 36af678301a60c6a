// Command bench measures deadlinelint on real, pinned Go modules, side by
// side with plain go vet and the peers noctx and contextcheck, and compares
// the findings with the recorded triage.
//
//	go run ./bench                 # all corpora, 3 timed runs each
//	go run ./bench -runs 1 -only postgres_exporter
//	go run ./bench -compare        # findings vs bench/triage/findings.tsv, precision
//
// It prepares everything in -work (default $TMPDIR/deadlinelint-bench): a
// module requiring every corpus module, deadlinelint built from this tree,
// and noctx and contextcheck built against golang.org/x/tools v0.52.0 (their
// released binaries pin an older x/tools that misbehaves under Go 1.26).
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

var (
	runs    = flag.Int("runs", 3, "timed runs per tool and corpus (the median is reported)")
	only    = flag.String("only", "", "only the corpus with this name")
	work    = flag.String("work", filepath.Join(os.TempDir(), "deadlinelint-bench"), "work directory (reused between runs)")
	compare = flag.Bool("compare", false, "compare findings with the triage instead of timing")
	out     = flag.String("out", "", "also write the markdown table to this file")
)

type corpus struct {
	name, module, pattern string
	vetFlags              []string
}

func main() {
	flag.Parse()
	root, err := filepath.Abs(".")
	check(err)
	if _, err := os.Stat(filepath.Join(root, "bench", "corpus.txt")); err != nil {
		fail("run from the repository root: go run ./bench")
	}
	corpora := readCorpora(filepath.Join(root, "bench", "corpus.txt"))
	bin := prepare(root, corpora)
	if *compare {
		os.Exit(compareTriage(root, bin, corpora))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s on %s/%s with %d CPUs, %s, median of %d runs (wall seconds / max RSS MiB).\n\n",
		time.Now().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), goVersion(), *runs)
	b.WriteString("| corpus | go vet | vet -vettool=deadlinelint | ratio to go vet | deadlinelint standalone | noctx (vet tool) | contextcheck | deadlinelint findings |\n|---|---|---|---|---|---|---|---|\n")
	for _, c := range corpora {
		if *only != "" && c.name != *only {
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s\n", c.name)
		vet := measure(c, bin, "vet")
		dl := measure(c, bin, "vettool")
		sa := measure(c, bin, "standalone")
		nc := measure(c, bin, "noctx")
		cc := measure(c, bin, "contextcheck")
		counts := findings(bin, c)
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f× time, %.2f× RSS | %s | %s | %s | %s |\n", c.name, vet, dl,
			dl.wall/vet.wall, float64(dl.rss)/float64(vet.rss), sa, nc, cc, counts)
	}
	fmt.Print(b.String())
	if *out != "" {
		check(os.WriteFile(*out, []byte(b.String()), 0o644))
	}
}

type binaries struct{ deadlinelint, noctx, contextcheck, fresh, vet, corpusDir string }

// prepare builds the tools and the corpus module.
func prepare(root string, corpora []corpus) binaries {
	check(os.MkdirAll(filepath.Join(*work, "bin"), 0o755))
	b := binaries{
		deadlinelint: filepath.Join(*work, "bin", "deadlinelint"),
		noctx:        filepath.Join(*work, "bin", "noctx"),
		contextcheck: filepath.Join(*work, "bin", "contextcheck"),
		fresh:        filepath.Join(*work, "bin", "fresh-vettool"),
		corpusDir:    filepath.Join(*work, "corpus"),
	}
	run(root, "go", "build", "-o", b.deadlinelint, "./cmd/deadlinelint")
	b.vet = strings.TrimSpace(run(root, "go", "env", "GOTOOLDIR")) + "/vet"

	peers := filepath.Join(*work, "peers")
	check(os.MkdirAll(peers, 0o755))
	writeOnce(filepath.Join(peers, "go.mod"), "module peers\n\ngo 1.26\n")
	run(peers, "go", "get", "github.com/sonatard/noctx@"+noctxVersion, "github.com/kkHAIKE/contextcheck@"+contextcheckVersion, "golang.org/x/tools@"+xtoolsVersion)
	run(peers, "go", "build", "-o", b.noctx, "github.com/sonatard/noctx/cmd/noctx")
	run(peers, "go", "build", "-o", b.contextcheck, "github.com/kkHAIKE/contextcheck/cmd/contextcheck")

	// go vet caches results per tool identity: this wrapper gives every timed
	// run a new one (FRESH_ID), so each run analyses for real.
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
	wall float64 // seconds, median
	rss  int64   // KiB, max
	err  string
}

func (r result) String() string {
	if r.err != "" {
		return r.err
	}
	return fmt.Sprintf("%.1f s / %d MiB", r.wall, r.rss/1024)
}

func measure(c corpus, b binaries, tool string) result {
	var walls []float64
	var rss int64
	for range *runs {
		var cmd *exec.Cmd
		env := []string{"GOWORK=off", "GOFLAGS=-mod=mod"}
		switch tool {
		case "vet", "vettool", "noctx":
			// noctx's command is a vet tool (unitchecker), so it runs under go vet too.
			real := map[string]string{"vet": b.vet, "vettool": b.deadlinelint, "noctx": b.noctx}[tool]
			args := []string{"vet", "-vettool=" + b.fresh}
			if tool == "vet" {
				args = append(args, c.vetFlags...) // flags of vet's own analyzers
			}
			cmd = exec.Command("go", append(args, c.pattern)...)
			env = append(env, "REAL="+real, fmt.Sprintf("FRESH_ID=%s-%d", tool, rand.Int64()))
		case "standalone":
			cmd = exec.Command(b.deadlinelint, c.pattern)
		case "contextcheck":
			cmd = exec.Command(b.contextcheck, c.pattern)
		}
		cmd.Dir = b.corpusDir
		cmd.Env = append(os.Environ(), env...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stderr, &stderr
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start).Seconds()
		if cmd.ProcessState == nil {
			return result{err: "failed: " + err.Error()}
		}
		if code := cmd.ProcessState.ExitCode(); code != 0 && code != 1 && code != 3 {
			return result{err: fmt.Sprintf("exit %d", code)}
		}
		if strings.Contains(stderr.String(), "panic:") {
			return result{err: "PANIC"}
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > rss {
			rss = ru.Maxrss
		}
		walls = append(walls, wall)
		fmt.Fprintf(os.Stderr, "   %-12s %.1fs\n", tool, wall)
	}
	sort.Float64s(walls)
	return result{wall: walls[len(walls)/2], rss: rss}
}

type finding struct {
	Posn, Rule, Message string
}

// collect runs the standalone linter with -json and returns the findings
// with positions made relative to the module cache (module@version/path:line).
func collect(b binaries, c corpus) []finding {
	cmd := exec.Command(b.deadlinelint, "-json", c.pattern)
	cmd.Dir = b.corpusDir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	data, _ := cmd.Output()
	var tree map[string]map[string]json.RawMessage
	if err := json.Unmarshal(data, &tree); err != nil {
		fail(fmt.Sprintf("%s: reading -json output: %v", c.name, err))
	}
	modcache := strings.TrimSpace(run(b.corpusDir, "go", "env", "GOMODCACHE")) + "/"
	var out []finding
	for _, byRule := range tree {
		for rule, raw := range byRule {
			var diags []struct{ Posn, Message string }
			if json.Unmarshal(raw, &diags) != nil {
				continue
			}
			for _, d := range diags {
				posn := strings.TrimPrefix(d.Posn, modcache)
				if i := strings.LastIndex(posn, ":"); i > 0 {
					posn = posn[:i] // drop the column: line is stable enough
				}
				out = append(out, finding{posn, rule, d.Message})
			}
		}
	}
	// A package and its test variant report the same non-test finding: once.
	sort.Slice(out, func(i, j int) bool { return out[i].Posn+out[i].Rule < out[j].Posn+out[j].Rule })
	out = slices.CompactFunc(out, func(a, b finding) bool { return a.Posn == b.Posn && a.Rule == b.Rule })
	return out
}

func findings(b binaries, c corpus) string {
	counts := map[string]int{}
	for _, f := range collect(b, c) {
		counts[f.Rule]++
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

// compareTriage prints findings that are new (not triaged) or vanished, and
// the precision of the triaged ones. It exits 1 when anything is new.
func compareTriage(root string, b binaries, corpora []corpus) int {
	triage := map[string]string{} // "posn rule" -> line
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
			fail("malformed triage line: " + line)
		}
		triage[fields[0]+" "+fields[1]] = line
	}
	f.Close()
	seen := map[string]bool{}
	tp, fp, fresh := 0, 0, 0
	for _, c := range corpora {
		if *only != "" && c.name != *only {
			continue
		}
		for _, f := range collect(b, c) {
			key := f.Posn + " " + f.Rule
			seen[key] = true
			line, ok := triage[key]
			if !ok {
				fresh++
				fmt.Printf("NEW\t%s\t%s\t%s\n", f.Posn, f.Rule, f.Message)
				continue
			}
			switch strings.Split(line, "\t")[2] {
			case "tp":
				tp++
			case "fp":
				fp++
			}
		}
	}
	for key, line := range triage {
		if !seen[key] && (*only == "" || strings.Contains(line, corpusOf(corpora, *only))) {
			fmt.Printf("VANISHED\t%s\n", line)
		}
	}
	if tp+fp > 0 {
		fmt.Printf("precision %d/%d = %.0f%% (tp/(tp+fp) over triaged findings still reported); %d new\n", tp, tp+fp, 100*float64(tp)/float64(tp+fp), fresh)
	}
	if fresh > 0 {
		return 1
	}
	return 0
}

func corpusOf(corpora []corpus, name string) string {
	for _, c := range corpora {
		if c.name == name {
			return c.module
		}
	}
	return name
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

func run(dir, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		fail(fmt.Sprintf("%s %v in %s: %v\n%s", name, args, dir, err, stderr.String()))
	}
	return stdout.String()
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
